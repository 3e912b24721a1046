"""Where new places go: the integer programme against hand-worked optima."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import inside, provider, ward_polygons, write_area

import sufficiency
from sufficiency.catchment import CatchmentSettings, place_shares
from sufficiency.cli.main import cli
from sufficiency.outputs.maps import plan_rows
from sufficiency.planning import Units, deficit_left, greedy_places, optimal_places
from sufficiency.terms import AGE_GROUPS, Term


def _wards(limit: float, cost: float = 0.0, n: int = 3) -> Units:
    """One unit per ward, one age group: cell = ward row."""
    return Units(
        cell=np.arange(n), group=np.arange(n), limit=np.full(n, limit), cost=np.full(n, cost)
    )


def test_hand_worked_plan():
    # Deficits 30, 10 and 0 (one term), 25 places, at most 20 a ward.
    gap_cells = np.array([[-30.0], [-10.0], [0.0]])
    units = _wards(20)
    best = optimal_places(gap_cells, units, places=25, budget=None, utilisation=1.0)
    # 40 - 25 = 15 left. Every split with 15..20 in the first ward and the rest in the second
    # is optimal; the tie rule (fewest places, then earliest wards) gives 20 + 5.
    assert deficit_left(gap_cells, units, best, 1.0).sum() == 15.0
    assert best.tolist() == [20, 5, 0]
    greedy = greedy_places(gap_cells, units, places=25, budget=None, utilisation=1.0)
    assert greedy.tolist() == [20, 5, 0]


def test_the_optimum_uses_no_more_places_than_it_needs():
    gap_cells = np.array([[-3.0], [-2.0], [0.0]])
    best = optimal_places(gap_cells, _wards(20), places=25, budget=None, utilisation=1.0)
    assert best.tolist() == [3, 2, 0]


def test_without_a_budget_costs_given_or_not_do_not_limit_the_places():
    # Review: costs for some units (12000, 9000) and none (0) for another, no budget: greedy
    # raised OverflowError (the places a budget of infinity buys). As in the hand-worked plan:
    # deficits 30, 10 and 0, 25 places, at most 20 a ward: 20 + 5 either way, 15 left.
    gap_cells = np.array([[-30.0], [-10.0], [0.0]])
    units = Units(
        cell=np.arange(3),
        group=np.arange(3),
        limit=np.full(3, 20.0),
        cost=np.array([12000.0, 0.0, 9000.0]),
    )
    greedy = greedy_places(gap_cells, units, places=25, budget=None, utilisation=1.0)
    best = optimal_places(gap_cells, units, places=25, budget=None, utilisation=1.0)
    assert greedy.tolist() == [20, 5, 0]
    assert best.tolist() == [20, 5, 0]
    assert deficit_left(gap_cells, units, best, 1.0).sum() == 15.0


def test_a_budget_of_0_buys_no_places():
    gap_cells = np.array([[-30.0], [-10.0]])
    units = _wards(20, cost=1000.0, n=2)
    greedy = greedy_places(gap_cells, units, places=25, budget=0, utilisation=1.0)
    best = optimal_places(gap_cells, units, places=25, budget=0, utilisation=1.0)
    assert greedy.tolist() == [0, 0]
    assert best.tolist() == [0, 0]


def test_a_budget_where_greedy_is_worse_than_the_optimum():
    # Ward A: deficit 30 at 2 a place; ward B: deficit 20 at 1 a place; budget 40.
    gap_cells = np.array([[-30.0], [-20.0]])
    units = Units(
        cell=np.arange(2), group=np.arange(2), limit=np.full(2, np.inf), cost=np.array([2.0, 1.0])
    )
    best = optimal_places(gap_cells, units, places=None, budget=40, utilisation=1.0)
    greedy = greedy_places(gap_cells, units, places=None, budget=40, utilisation=1.0)
    # Greedy spends it all on A (20 places): 10 + 20 = 30 left. Optimum: 20 in B (20) and 10 in
    # A (20): 20 + 0 = 20 left; 0 in B is worse, so the optimum is unique.
    assert greedy.tolist() == [20, 0]
    assert deficit_left(gap_cells, units, greedy, 1.0).sum() == 30.0
    assert best.tolist() == [10, 20]
    assert deficit_left(gap_cells, units, best, 1.0).sum() == 20.0


def test_terms_count_each_place_in_every_term_it_closes():
    # Ward A: deficit 10 in one term of two; ward B: deficit 6 in both. 6 places: B closes 12.
    gap_cells = np.array([[-10.0, 0.0], [-6.0, -6.0]])
    units = _wards(np.inf, n=2)
    best = optimal_places(gap_cells, units, places=6, budget=None, utilisation=1.0)
    greedy = greedy_places(gap_cells, units, places=6, budget=None, utilisation=1.0)
    assert best.tolist() == [0, 6]
    assert deficit_left(gap_cells, units, best, 1.0).sum() == 10.0
    assert greedy.tolist() == [6, 0]
    assert deficit_left(gap_cells, units, greedy, 1.0).sum() == 16.0


def test_catchments_where_greedy_is_worse_than_the_optimum():
    # Wards A, B, C (1 km squares in a row), 10 children each at their centres; catchment
    # 1.2 km, no decay. A new place at A's centre is shared by A and B (1/2 each), at B's by all
    # three (1/3 each), at C's by B and C (1/2 each). Deficits across catchments: A 12, B 0,
    # C 6; 12 new places for 3-4s.
    geo = ward_polygons(["A", "B", "C"])
    settings = CatchmentSettings(dict.fromkeys(AGE_GROUPS, 1200.0), "none")
    shares = place_shares(
        geo,
        [Term.parse("2027-spring")],
        np.full((3, 1, 3), 10.0),
        np.array([inside(0), inside(1), inside(2)]),
        settings,
    )["3_4"][0]
    np.testing.assert_allclose(
        shares.toarray(), [[1 / 2, 1 / 3, 0], [1 / 2, 1 / 3, 1 / 2], [0, 1 / 3, 1 / 2]]
    )
    units = Units(
        cell=np.arange(3),
        group=np.arange(3),
        limit=np.full(3, np.inf),
        cost=np.zeros(3),
        effect=(shares,),
    )
    gap_cells = np.array([[-12.0], [0.0], [-6.0]])
    greedy = greedy_places(gap_cells, units, places=12, budget=None, utilisation=1.0)
    best = optimal_places(gap_cells, units, places=12, budget=None, utilisation=1.0)
    # Greedy: A first (deficit 12); closing it would take 24 places (half of each stays in A):
    # all 12 go there, A 12 - 6 = 6 left, C 6: 12 left (6 places' worth lands in B, no deficit).
    assert greedy.tolist() == [12, 0, 0]
    assert deficit_left(gap_cells, units, greedy, 1.0).tolist() == [6.0, 0.0, 6.0]
    # Optimum: all 12 in B, 4 reach A and 4 reach C: A 8, C 2, 10 left. A place in B closes 2/3
    # while A and C are both short, one in A or C 1/2: moving any away from B costs 1/6.
    assert best.tolist() == [0, 12, 0]
    assert deficit_left(gap_cells, units, best, 1.0).sum() == pytest.approx(10.0)


def _area(tmp_path):
    x, y = inside(0)
    rows = [provider(urn="EY000001", easting=x, northing=y, places_3_4=5)]
    return write_area(tmp_path / "area", returns={"2026-autumn": rows})


def test_plan_on_an_area(tmp_path):
    result = sufficiency.plan(_area(tmp_path), places=10, max_per_ward=6, age_groups=["3_4"])
    assert result.places_added <= 10
    assert result.deficit_left <= result.greedy_left + 1e-9
    assert result.deficit_left < result.deficit_before
    assert (result.table["places_added"] <= 6).all()
    assert set(result.table["age_group"]) == {"3_4"}


def test_plan_command_writes_plan_csv_and_compares_with_greedy(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli, ["plan", "--area", str(_area(tmp_path)), "--places", "10", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "greedy (largest deficit first)" in result.output
    table = pd.read_csv(out / "plan.csv")
    assert table.columns.tolist()[:5] == [
        "ward_code",
        "ward_name",
        "site_id",
        "age_group",
        "places_added",
    ]


def test_plan_with_candidate_sites(tmp_path):
    sites = tmp_path / "sites.csv"
    sites.write_text(
        "site_id,ward_code,age_groups,capacity,cost_per_place\n"
        "S1,E05000001,3_4,4,\n"
        "S2,E05000002,2;3_4,100,\n"
    )
    result = sufficiency.plan(_area(tmp_path), places=30, candidates=sites)
    by_site = result.table.groupby("site_id")["places_added"].sum()
    assert by_site.get("S1", 0) <= 4
    assert set(result.table["site_id"]) <= {"S1", "S2"}


SITES_MIXED_COSTS = (
    "site_id,ward_code,age_groups,capacity,cost_per_place\n"
    "S1,E05000001,3_4,4,12000\n"
    "S2,E05000002,3_4,3,\n"
)
"""Two sites, one with a cost and one without (row 3), each in a ward whose 3-4s' deficit
(about 240 children a ward, 5 places in ward 1) is far more than the site can close."""


def test_candidate_sites_with_and_without_costs_and_no_budget(tmp_path):
    # Review: some sites with cost_per_place, others blank, no --budget: an OverflowError
    # traceback. Without a budget costs do not limit the places: 50 asked for, the sites hold
    # 4 + 3 = 7, each closes utilisation (0.9) deficit places in every term (the wards stay
    # short), so 7 x 0.9 x terms closed; the same plan as with no costs at all.
    sites = tmp_path / "sites.csv"
    sites.write_text(SITES_MIXED_COSTS)
    area = _area(tmp_path)
    result = sufficiency.plan(area, places=50, candidates=sites, age_groups=["3_4"], basis="ward")
    by_site = result.table.groupby("site_id")["places_added"].sum().to_dict()
    assert by_site == {"S1": 4, "S2": 3}
    greedy = result.table.groupby("site_id")["greedy_places_added"].sum().to_dict()
    assert greedy == {"S1": 4, "S2": 3}
    terms = len(result.assessment.terms)
    assert result.assessment.parameters.utilisation == 0.9
    assert result.deficit_left == pytest.approx(result.deficit_before - 7 * 0.9 * terms)
    assert result.places_not_needed == 50 - 7
    costless = tmp_path / "costless.csv"
    costless.write_text(SITES_MIXED_COSTS.replace("12000", ""))
    again = sufficiency.plan(area, places=50, candidates=costless, age_groups=["3_4"], basis="ward")
    pd.testing.assert_frame_equal(again.table, result.table)


def test_a_budget_prices_blank_sites_at_cost_per_place(tmp_path):
    # --cost-per-place 10000 prices S2 (blank); budget 50000. Every place closes 0.9 a term, so
    # the most places win: 5 would cost at least 3 x 10000 + 2 x 12000 = 54000, so 4. Among
    # the 4-place plans (4 S1 = 48000, 3 + 1, 2 + 2, 1 + 3 = 42000, all within it) the tie
    # rule takes the earliest site: 4 in S1. Greedy: S2 first (ward 2 is deeper, with no
    # provider): 3 (30000), then S1 floor(20000 / 12000) = 1.
    sites = tmp_path / "sites.csv"
    sites.write_text(SITES_MIXED_COSTS)
    result = sufficiency.plan(
        _area(tmp_path),
        budget=50000,
        cost_per_place=10000,
        candidates=sites,
        age_groups=["3_4"],
        basis="ward",
    )
    table = result.table.groupby("site_id")[["places_added", "greedy_places_added"]].sum()
    assert table["places_added"].to_dict() == {"S1": 4, "S2": 0}
    assert table["greedy_places_added"].to_dict() == {"S1": 1, "S2": 3}
    terms = len(result.assessment.terms)
    assert result.deficit_left == pytest.approx(result.deficit_before - 4 * 0.9 * terms)
    assert result.greedy_left == pytest.approx(result.deficit_left)


def test_a_budget_refuses_a_site_without_a_cost_and_writes_nothing(tmp_path):
    (tmp_path / "sites.csv").write_text(SITES_MIXED_COSTS)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli,
        [
            "plan",
            "--area",
            str(_area(tmp_path)),
            "--candidates",
            str(tmp_path / "sites.csv"),
            "--budget",
            "100000",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 1, result.output
    assert result.output.strip().splitlines() == [
        f"Error: {tmp_path / 'sites.csv'}, row 3, column 'cost_per_place': the site has no cost "
        "per place, and --budget needs one for every site. Give the site's cost_per_place, or "
        "--cost-per-place for the sites without one, or drop --budget"
    ]
    assert not (out / "plan.csv").exists()


def test_candidate_sites_by_coordinates_and_postcode(tmp_path):
    # S1 by easting/northing inside ward 2, S2 by latitude/longitude of a point inside ward 1,
    # S3 by postcode (the area's lookup puts it in ward 2), S4 by ward code.
    from pyproj import Transformer

    from sufficiency.geography import BNG, WGS84

    area = _area(tmp_path)
    x1, y1 = inside(1)
    lon, lat = Transformer.from_crs(BNG, WGS84, always_xy=True).transform(*inside(0))
    pd.DataFrame(
        {"postcode": ["ZT9 9ZZ"], "latitude": [lat], "longitude": [lon], "ward_code": ["E05000002"]}
    ).to_csv(area / "postcodes.csv", index=False)
    sites = tmp_path / "sites.csv"
    sites.write_text(
        "site_id,ward_code,easting,northing,latitude,longitude,postcode,age_groups,capacity\n"
        f"S1,,{x1},{y1},,,,3_4,5\n"
        f"S2,,,,{lat},{lon},,3_4,5\n"
        "S3,,,,,,ZT9 9ZZ,3_4,5\n"
        "S4,E05000001,,,,,,3_4,5\n"
    )
    read = sufficiency.planning.read_candidates(sites, sufficiency.load_area(area))
    assert read["ward_row"].tolist() == [1, 0, 1, 0]
    assert read.loc[0, ["easting", "northing"]].tolist() == [x1, y1]
    assert read.loc[1, ["easting", "northing"]].tolist() == pytest.approx(list(inside(0)))
    result = sufficiency.plan(area, places=10, candidates=sites, basis="ward")
    by_site = result.table.set_index("site_id")
    assert by_site.loc["S1", "ward_code"] == "E05000002"
    assert by_site.loc["S2", "ward_code"] == "E05000001"


def test_plan_across_catchments_on_an_area(tmp_path):
    # The deficit before is the gap table's own across catchments: utilisation x accessible
    # places (per 100 children x children / 100) - demand, summed over its deficits.
    area = _area(tmp_path)
    result = sufficiency.plan(area, places=10, age_groups=["3_4"])
    assert result.basis == "catchment"
    gap = result.assessment.gap
    gap = gap[gap["age_group"] == "3_4"]
    u = result.assessment.parameters.utilisation
    across = u * gap["accessible_places_per_100"] * gap["children"] / 100 - gap["demand_places"]
    assert result.deficit_before == pytest.approx(float(np.maximum(0, -across).sum()))
    assert result.deficit_left <= result.greedy_left + 1e-9
    assert result.deficit_left < result.deficit_before
    within = sufficiency.plan(area, places=10, age_groups=["3_4"], basis="ward")
    strict = np.maximum(0, -gap["gap_places"]).sum()
    assert within.deficit_before == pytest.approx(float(strict))


@pytest.mark.parametrize(
    ("args", "sites", "message"),
    [
        (["--places", "-1"], None, "--places must be 0 or more (found -1)"),
        (["--places", "5", "--age-group", "5"], None, "--age-group: unknown age group"),
        (["--places", "5", "--term", "2040-spring"], None, "2040-spring is not a forecast term"),
        ([], None, "give --places, or --budget"),
        (["--places", "5", "--budget", "10"], None, "--budget needs a cost per place"),
        (
            ["--places", "5"],
            "site_id,ward_code,capacity\nS1,E05000001,4\nS2,E05009999,3\n",
            "sites.csv, row 3, column 'ward_code': ward code is not one of the area's wards",
        ),
        (
            ["--places", "5"],
            "site_id,ward_code,capacity\nS1,E05000001,lots\n",
            "sites.csv, row 2, column 'capacity': not a number (found 'lots')",
        ),
        (
            ["--places", "5"],
            "site_id,ward_code,age_groups,capacity\nS1,E05000001,toddlers,4\n",
            "row 2, column 'age_groups': unknown age group",
        ),
        (["--places", "5"], "site_id,capacity\nS1,4\n", "column 'ward_code': missing column"),
        (
            ["--places", "5"],
            "site_id,easting,northing,capacity\nS1,440500,110500,4\nS2,1,1,4\n",
            "sites.csv, row 3, column 'easting': the site is not in any of the area's wards",
        ),
        (
            ["--places", "5"],
            "site_id,ward_code,easting,northing,capacity\nS1,,,,4\n",
            "sites.csv, row 2, column 'ward_code': the site has no location",
        ),
        (
            ["--places", "5"],
            "site_id,postcode,capacity\nS1,ZT1 1AA,4\n",
            "row 2, column 'postcode': the site has a postcode but no coordinates",
        ),
        (
            ["--places", "5"],
            "site_id,easting,northing,capacity\nS1,east,110500,4\n",
            "column 'easting': not a number",
        ),
        (["--places", "5", "--basis", "flows"], None, "--basis flows needs a flow matrix"),
        (["--places", "5", "--budget", "inf"], None, "--budget must be a finite number"),
        (
            ["--budget", "10", "--cost-per-place", "0"],
            None,
            "--cost-per-place must be more than 0 with --budget (found 0.0)",
        ),
        (
            ["--budget", "10"],
            "site_id,ward_code,capacity,cost_per_place\nS1,E05000001,4,5\nS2,E05000002,4,0\n",
            "sites.csv, row 3, column 'cost_per_place': --budget needs a cost per place more "
            "than 0 (found 0.0). Give the site's cost_per_place, or drop --budget",
        ),
        (
            ["--places", "5"],
            "site_id,ward_code,capacity,cost_per_place\nS1,E05000001,4,inf\n",
            "sites.csv, row 2, column 'cost_per_place': must be a finite number (found 'inf')",
        ),
    ],
)
def test_plan_mistakes_are_one_line(tmp_path, args, sites, message):
    area = _area(tmp_path)
    extra = []
    if sites is not None:
        (tmp_path / "sites.csv").write_text(sites)
        extra = ["--candidates", str(tmp_path / "sites.csv")]
    result = CliRunner().invoke(
        cli, ["plan", "--area", str(area), "--out", str(tmp_path / "out"), *args, *extra]
    )
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_plan_map_layer_shows_the_plans_places_escaped(tmp_path):
    # One site with a name that is markup: it reaches the map as JSON text, never as HTML.
    area = _area(tmp_path)
    sites = tmp_path / "sites.csv"
    x, y = inside(0)
    sites.write_text(
        f"site_id,easting,northing,age_groups,capacity\n<b>Old Library</b>,{x},{y},3_4,6\n"
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli,
        [
            "plan",
            "--area",
            str(area),
            "--places",
            "6",
            "--candidates",
            str(sites),
            "--basis",
            "ward",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    page = (out / "maps" / "plan-map.html").read_text()
    assert "<b>Old Library</b>" not in page
    assert "New places in the plan (6)" in page
    plan = pd.read_csv(out / "plan.csv", keep_default_na=False)
    # The site is in ward 1 at its own coordinates; all 6 places go there (the ward's deficit
    # is larger than 6 x utilisation).
    assert plan["places_added"].sum() == 6
    assert plan.loc[0, ["easting", "northing"]].tolist() == [x, y]
    rows = plan_rows(plan)
    assert len(rows) == 1
    assert rows[0][3] == "Ward E05000001, site <b>Old Library</b>: +6 places"


def test_report_plan_section_from_the_plan_table(tmp_path):
    from sufficiency.outputs.report import ReportOptions, render_report

    result = sufficiency.plan(_area(tmp_path), places=10, age_groups=["3_4"], basis="ward")
    run = result.assessment
    page = render_report(run, plan=result)
    assert 'id="plan"' in page
    assert f"{result.places_added} new places leave {result.deficit_left:,.0f} deficit" in page
    published = render_report(run, ReportOptions(publish=True), plan=result)
    # Published: the new places by ward, no deficits (differencing over terms would give a
    # setting's places away).
    assert f"Where {result.places_added} new places would close the most deficit" in published
    assert "new places leave" not in published
    assert "Deficit\nbefore" not in published and "Deficit before" not in published


def test_plan_on_the_flows_basis_closes_the_gap_where_children_attend(tmp_path):
    # Everyone in ward 2 attends in ward 1: on the flows basis ward 1 carries both wards'
    # demand, and the deficit before is the gap table's own gap_places_flows deficit.
    x, y = inside(0)
    rows = [provider(urn="EY000001", easting=x, northing=y, places_3_4=5)]
    flows = pd.DataFrame(
        {"home_ward_code": ["E05000002"], "setting_ward_code": ["E05000001"], "share": [1.0]}
    )
    area = write_area(tmp_path / "area", returns={"2026-autumn": rows}, extra={"flows.csv": flows})
    result = sufficiency.plan(area, places=20, age_groups=["3_4"], basis="flows")
    gap = result.assessment.gap
    gap = gap[gap["age_group"] == "3_4"]
    assert result.deficit_before == pytest.approx(
        float(np.maximum(0, -gap["gap_places_flows"]).sum())
    )
    # Ward 2's own demand has moved to ward 1, so no deficit is left there to close: every
    # new place goes to ward 1.
    by_ward = result.table.groupby("ward_code")["places_added"].sum()
    assert by_ward.get("E05000001", 0) == 20
    assert by_ward.get("E05000002", 0) == 0


def test_plan_across_catchments_needs_accessibility(tmp_path):
    run = sufficiency.assess(_area(tmp_path), accessibility=False)
    with pytest.raises(sufficiency.InputError, match="needs accessibility"):
        sufficiency.plan(run, places=5, basis="catchment")
    assert sufficiency.plan(run, places=5).basis == "ward"


def _flows_area(tmp_path):
    # Everyone in ward 2 attends in ward 1 (as in the flows test above).
    x, y = inside(0)
    rows = [provider(urn="EY000001", easting=x, northing=y, places_3_4=5)]
    flows = pd.DataFrame(
        {"home_ward_code": ["E05000002"], "setting_ward_code": ["E05000001"], "share": [1.0]}
    )
    return write_area(tmp_path / "area", returns={"2026-autumn": rows}, extra={"flows.csv": flows})


def test_off_the_ward_basis_the_plan_also_gives_the_within_ward_deficit(tmp_path):
    # Review: the plan's deficit on another basis was not comparable with the run's headline
    # (within the ward). The within-ward deficit before is the gap table's own gap_places
    # deficits; after, each new place raises its own ward's gap by utilisation in every term:
    # sum over cells and terms of max(0, -(gap_places + u x places added there)).
    result = sufficiency.plan(_flows_area(tmp_path), places=20, age_groups=["3_4"], basis="flows")
    gap = result.assessment.gap
    gap = gap[gap["age_group"] == "3_4"]
    assert result.ward_deficit_before == pytest.approx(
        float(np.maximum(0, -gap["gap_places"]).sum())
    )
    u = result.assessment.parameters.utilisation
    added = result.table.groupby("ward_code")["places_added"].sum()
    assert added.to_dict() == {"E05000001": 20}  # as in the test above (no row for ward 2)
    after = gap["gap_places"] + u * gap["ward_code"].map(added).fillna(0)
    assert result.ward_deficit_after == pytest.approx(float(np.maximum(0, -after).sum()))
    # Ward 2's children, who attend in ward 1, keep ward 2 short within the ward.
    assert result.ward_deficit_after > 0
    within = sufficiency.plan(
        _flows_area(tmp_path / "b"), places=20, age_groups=["3_4"], basis="ward"
    )
    assert within.ward_deficit_before is None and within.ward_deficit_after is None
    assert within.deficit_before == pytest.approx(result.ward_deficit_before)


def test_the_plan_summary_says_its_basis_and_the_places_not_needed(tmp_path):
    area = _flows_area(tmp_path)
    asked = 100000
    result = sufficiency.plan(area, places=asked, age_groups=["3_4"], basis="flows")
    assert result.deficit_left == pytest.approx(0.0)
    assert 0 < result.places_added < asked
    assert result.places_not_needed == asked - result.places_added
    shown = CliRunner().invoke(
        cli,
        [
            "plan",
            "--area",
            str(area),
            "--places",
            str(asked),
            "--age-group",
            "3_4",
            "--basis",
            "flows",
            "--out",
            str(tmp_path / "out"),
        ],
    )
    assert shown.exit_code == 0, shown.output
    lines = shown.output.splitlines()
    assert lines[1] == "  basis: flows, the deficit where children attend (flows.csv)"
    assert lines[2] == f"  deficit places on this basis: {result.deficit_before:.1f} before"
    assert (
        "  for comparison, within each ward (the run's headline gap): "
        f"{result.ward_deficit_before:.1f} before, {result.ward_deficit_after:.1f} after the "
        "optimum's places (--basis ward plans for that gap)"
    ) in lines
    assert (
        f"  {asked - result.places_added} of the {asked} places asked for were not needed: "
        f"{result.places_added} close all the deficit on this basis"
    ) in lines
    within = CliRunner().invoke(
        cli,
        [
            "plan",
            "--area",
            str(area),
            "--places",
            "1",
            "--basis",
            "ward",
            "--out",
            str(tmp_path / "out2"),
        ],
    )
    assert within.exit_code == 0, within.output
    assert "  basis: ward, the deficit within each ward (the run's headline gap)" in within.output
    assert "for comparison" not in within.output and "not needed" not in within.output


def test_a_site_id_given_twice_is_an_error_naming_the_rows(tmp_path):
    area = _area(tmp_path)
    sites = tmp_path / "sites.csv"
    sites.write_text("site_id,ward_code,capacity\nS1,E05000001,4\nS2,E05000002,3\nS1,E05000002,5\n")
    result = CliRunner().invoke(
        cli,
        [
            "plan",
            "--area",
            str(area),
            "--places",
            "5",
            "--candidates",
            str(sites),
            "--out",
            str(tmp_path / "out"),
        ],
    )
    assert result.exit_code == 1
    assert "sites.csv, row 4, column 'site_id': site_id 'S1' is given on rows 2, 4" in (
        result.output
    )
    assert "Give each candidate site one row with its own site_id" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()
