"""Resilience: each provider's closure alone, worked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import inside, provider, ward_polygons, write_area

import sufficiency
from sufficiency.catchment import CatchmentSettings, accessibility, place_shares
from sufficiency.cli.main import cli
from sufficiency.closures import closure_effects, ranked, reach_effects, sole_in_reach
from sufficiency.flows import allocate
from sufficiency.supply import ProviderSupply
from sufficiency.terms import AGE_GROUPS, Term


def _hand_worked() -> tuple[ProviderSupply, pd.Index, np.ndarray]:
    """Ward A: demand 30, providers of 20 (P20) and 15 (P15); ward B: demand 10, one of 12
    (P12); one age group (3_4), one term."""
    only_3_4 = np.array([0.0, 0.0, 1.0])
    supply = ProviderSupply(
        urn=np.array(["P20", "P15", "P12"], dtype=object),
        ward_code=np.array(["A", "A", "B"], dtype=object),
        xy=np.zeros((3, 2)),
        places=np.array([20.0, 15.0, 12.0])[:, None, None] * only_3_4,
    )
    demand = np.array([30.0, 10.0])[:, None, None] * only_3_4
    return supply, pd.Index(["A", "B"]), demand


def test_hand_worked_closures():
    supply, wards, demand = _hand_worked()
    effects = closure_effects(supply, wards, demand, utilisation=1.0)
    added = pd.Series(effects.added.sum(axis=(1, 2)), index=effects.urn)
    # A: 35 supply, gap +5; without P20: 15, gap -15 -> 15 deficit places added.
    assert added["P20"] == 15.0
    # A without P15: 20 supply, gap -10 -> 10 added.
    assert added["P15"] == 10.0
    # B: 12 supply, gap +2; without P12: 0, gap -10 -> 10 added.
    assert added["P12"] == 10.0
    # Only the 3_4 group is touched.
    assert effects.added[:, :, :2].sum() == 0.0
    table = pd.DataFrame({"urn": added.index, "deficit_places_added": added.to_numpy()})
    # The 20-place provider first, then the two that add 10 by urn (P12 before P15).
    assert ranked(table)["urn"].tolist() == ["P20", "P12", "P15"]


def test_a_closure_into_a_deeper_deficit_counts_only_the_extra():
    supply, wards, demand = _hand_worked()
    demand = demand * 2  # A: demand 60, gap -25; without P15: -40 -> 15 added
    effects = closure_effects(supply, wards, demand, utilisation=1.0)
    added = dict(zip(effects.urn, effects.added.sum(axis=(1, 2)).tolist(), strict=True))
    # B: demand 20, gap -8; without P12: -20 -> 12 added.
    assert added == {"P20": 20.0, "P15": 15.0, "P12": 12.0}


def _area(tmp_path):
    x0, y0 = inside(0)
    x1, y1 = inside(1)
    rows = [
        provider(urn="EY000001", easting=x0, northing=y0),
        provider(urn="EY000002", easting=x0, northing=y0),
        provider(urn="EY000003", easting=x1, northing=y1),
    ]
    return write_area(tmp_path / "area", returns={"2026-autumn": rows})


def test_resilience_on_an_area_one_row_per_provider_sorted(tmp_path):
    result = sufficiency.resilience(_area(tmp_path))
    table = result.table
    assert sorted(table["urn"]) == ["EY000001", "EY000002", "EY000003"]
    assert (table["deficit_places_added"] >= 0).all()
    key = list(zip(-table["deficit_places_added"], table["urn"], strict=True))
    assert key == sorted(key)
    # Ward 2 has one setting: it depends on it for every age group it offers.
    single = result.single_settings
    assert set(single["urn"]) <= {"EY000003"}
    assert len(single) > 0


def test_resilience_command_writes_the_table_and_lists_settings(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli, ["resilience", "--area", str(_area(tmp_path)), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    written = pd.read_csv(out / "resilience.csv")
    assert written.columns[:2].tolist() == ["urn", "provider_name"]
    assert len(written) == 3
    assert (out / "sufficiency.xlsx").exists()
    assert "single setting" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--term", "2040-autumn"], "--term: 2040-autumn is not a forecast term"),
        (["--term", "2027-winter"], "--term:"),
    ],
)
def test_resilience_mistakes_are_one_line(tmp_path, args, message):
    area = _area(tmp_path)
    result = CliRunner().invoke(cli, ["resilience", "--area", str(area), *args])
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


def _fragile_area(tmp_path):
    x, y = inside(0)
    before = provider(urn="EY000001", easting=x, northing=y, staff_leavers=0, staff_recruits=0)
    # A term later: 30 places (from 40), 12 children on roll (occupancy 0.4), vacancies 2 -> 8,
    # 2 staff vacancies against 5 in post (rate 2/7), 3 leavers and 1 recruit.
    after = provider(
        urn="EY000001",
        easting=x,
        northing=y,
        places_3_4=30,
        children_3_4=12,
        vacancies_3_4=8,
        staff_vacancies=2,
        staff_leavers=3,
        staff_recruits=1,
    )
    return write_area(tmp_path / "area", returns={"2026-summer": [before], "2026-autumn": [after]})


def test_fragility_flags_from_the_returns(tmp_path):
    row = sufficiency.resilience(_fragile_area(tmp_path)).table.iloc[0]
    assert row["occupancy"] == pytest.approx(0.4)
    assert row["vacancies_change"] == 6
    assert row["staff_vacancy_rate"] == pytest.approx(2 / 7)
    assert row["flags"] == (
        "low occupancy; vacancies rising; staff vacancies; more leavers than recruits; places fell"
    )


def test_fragility_thresholds_are_parameters(tmp_path):
    # The same setting: occupancy 0.4, staff vacancy rate 2/7 = 0.286. With the thresholds at
    # 0.3 (occupancy) and 0.3 (staff), neither flag is raised; the others stay.
    params = sufficiency.Parameters.defaults().override(
        {"fragility": {"low_occupancy": 0.3, "staff_vacancy_rate": 0.3}}, source="test"
    )
    row = sufficiency.resilience(_fragile_area(tmp_path), params).table.iloc[0]
    assert row["flags"] == "vacancies rising; more leavers than recruits; places fell"
    # At exactly 2/7 the staff flag is raised (at or above).
    params = params.override({"fragility": {"staff_vacancy_rate": 2 / 7}}, source="test")
    row = sufficiency.resilience(_fragile_area(tmp_path), params).table.iloc[0]
    assert "staff vacancies" in row["flags"]


def test_a_fragility_threshold_out_of_bounds_is_refused():
    with pytest.raises(sufficiency.errors.ParameterError, match=r"fragility\.low_occupancy"):
        sufficiency.Parameters.defaults().override(
            {"fragility": {"low_occupancy": 1.5}}, source="my.toml"
        )


def test_a_closure_follows_the_catchments_by_hand():
    # Wards A, B, C (1 km squares in a row), 10 children and demand 10 places each at their
    # centres; catchment 1.2 km, no decay, utilisation 1. P1 (12 places) at B's centre reaches
    # all three (4 each); P2 (10) at A's reaches A and B (5 each); P3 (8) at C's, B and C (4).
    # Accessible places: A 4 + 5 = 9, B 4 + 5 + 4 = 13, C 4 + 4 = 8; gaps -1, +3, -2.
    geo = ward_polygons(["A", "B", "C"])
    settings = CatchmentSettings(dict.fromkeys(AGE_GROUPS, 1200.0), "none")
    only_3_4 = np.array([0.0, 0.0, 1.0])
    supply = ProviderSupply(
        urn=np.array(["P1", "P2", "P3"], dtype=object),
        ward_code=np.array(["B", "A", "C"], dtype=object),
        xy=np.array([inside(1), inside(0), inside(2)]),
        places=np.array([12.0, 10.0, 8.0])[:, None, None] * only_3_4,
    )
    terms = [Term.parse("2027-spring")]
    kids = np.full((3, 1, 3), 10.0)
    demand = np.full((3, 1, 1), 10.0) * only_3_4
    reach = accessibility(geo, terms, kids, supply, settings)["accessible_places"]
    assert reach[:, 0, 2].tolist() == pytest.approx([9.0, 13.0, 8.0])
    shares = place_shares(geo, terms, kids, supply.xy, settings)
    effects = reach_effects(supply, pd.Index(["A", "B", "C"]), reach, demand, shares, 1.0)
    added = dict(zip(effects.urn, effects.added.sum(axis=(1, 2)).tolist(), strict=True))
    # Without P1: A 5, B 9, C 4: deficits 5 + 1 + 6 = 12 against 3: adds 9.
    # Without P2: A 4, B 8, C 8: 6 + 2 + 2 = 10: adds 7. Without P3: A 9, B 9, C 4: 1 + 1 + 6
    # = 8: adds 5. Within the ward they would add 10 (B: +2 -> -10), 10 (A: 0 -> -10) and 8.
    assert added == pytest.approx({"P1": 9.0, "P2": 7.0, "P3": 5.0})
    assert effects.wards == [["A:3_4", "B:3_4", "C:3_4"], ["A:3_4", "B:3_4"], ["B:3_4", "C:3_4"]]
    strict = closure_effects(supply, pd.Index(["A", "B", "C"]), demand, 1.0)
    strict_added = dict(zip(strict.urn, strict.added.sum(axis=(1, 2)).tolist(), strict=True))
    assert strict_added == {"P1": 10.0, "P2": 10.0, "P3": 8.0}


def test_the_only_setting_in_reach_follows_the_catchments_by_hand():
    # Wards A, B, C (1 km squares in a row), 10 children each; catchment 1.2 km. P2 at A's
    # centre reaches A and B, P3 at C's reaches B and C: A's children reach P2 alone, C's P3
    # alone, B's both. Within the ward each is also its ward's only setting; B has none.
    geo = ward_polygons(["A", "B", "C"])
    settings = CatchmentSettings(dict.fromkeys(AGE_GROUPS, 1200.0), "none")
    only_3_4 = np.array([0.0, 0.0, 1.0])
    supply = ProviderSupply(
        urn=np.array(["P2", "P3"], dtype=object),
        ward_code=np.array(["A", "C"], dtype=object),
        xy=np.array([inside(0), inside(2)]),
        places=np.array([10.0, 8.0])[:, None, None] * only_3_4,
    )
    terms = [Term.parse("2027-spring")]
    kids = np.full((3, 1, 3), 10.0)
    demand = np.full((3, 1, 1), 10.0) * only_3_4
    shares = place_shares(geo, terms, kids, supply.xy, settings)
    sole = sole_in_reach(supply, pd.Index(["A", "B", "C"]), demand, shares)
    assert sole.to_dict() == {"P2": "A:3_4", "P3": "C:3_4"}
    # With a third setting at A's centre too, A's children reach two: only C keeps one.
    three = ProviderSupply(
        urn=np.array(["P1", "P2", "P3"], dtype=object),
        ward_code=np.array(["A", "A", "C"], dtype=object),
        xy=np.array([inside(0), inside(0), inside(2)]),
        places=np.array([5.0, 10.0, 8.0])[:, None, None] * only_3_4,
    )
    shares = place_shares(geo, terms, kids, three.xy, settings)
    assert sole_in_reach(three, pd.Index(["A", "B", "C"]), demand, shares).to_dict() == {
        "P3": "C:3_4"
    }


def test_a_closure_follows_the_flows_by_hand():
    # The hand-worked case, with half of A's demand (30) met in B: demand where met A 15, B 25;
    # supply A 35, B 12: gaps +20, -13. Closing P20 or P15 leaves A at 15 or 20, no deficit: 0.
    # Closing P12 takes B to 0: gap -25, adds 12.
    supply, wards, demand = _hand_worked()
    flows = pd.DataFrame(
        {"home_ward_code": ["A", "A"], "setting_ward_code": ["A", "B"], "share": [0.5, 0.5]}
    )
    moved = allocate(demand, flows, wards)
    effects = closure_effects(supply, wards, moved, utilisation=1.0)
    added = dict(zip(effects.urn, effects.added.sum(axis=(1, 2)).tolist(), strict=True))
    assert added == {"P20": 0.0, "P15": 0.0, "P12": 12.0}


def _cross_area(tmp_path):
    """Three wards; two settings in the first, one in the third; small areas in every ward;
    everyone in ward 2 attends in ward 1."""
    codes = ("E05000001", "E05000002", "E05000003")
    rows = [
        provider(urn="EY000001", easting=inside(0)[0], northing=inside(0)[1], places_3_4=30),
        provider(urn="EY000002", easting=inside(0)[0] + 300, northing=inside(0)[1], places_2=8),
        provider(urn="EY000003", easting=inside(2)[0], northing=inside(2)[1], places_3_4=25),
    ]
    flows = pd.DataFrame(
        {"home_ward_code": ["E05000002"], "setting_ward_code": ["E05000001"], "share": [1.0]}
    )
    return write_area(
        tmp_path / "area", codes=codes, returns={"2026-autumn": rows}, extra={"flows.csv": flows}
    )


def _deficit(gap: pd.DataFrame, basis: str, utilisation: float) -> float:
    if basis == "access":
        accessible = gap["accessible_places_per_100"] * gap["children"] / 100
        values = utilisation * accessible - gap["demand_places"]
    else:
        values = gap["gap_places_flows"]
    return float(np.maximum(0.0, -values).sum())


def test_cross_boundary_effects_equal_rerunning_without_the_provider(tmp_path):
    # The one-array-operation effect against the brute force: drop the provider's returns,
    # assess again, and count the deficit on each basis.
    area = _cross_area(tmp_path)
    result = sufficiency.resilience(area)
    table = result.table.set_index("urn")
    base = result.assessment.gap
    u = result.assessment.parameters.utilisation
    returns = pd.read_csv(area / "returns-2026-autumn.csv")
    for urn in table.index:
        returns[returns["urn"] != urn].to_csv(area / "returns-2026-autumn.csv", index=False)
        without = sufficiency.assess(area).gap
        returns.to_csv(area / "returns-2026-autumn.csv", index=False)
        by_term = [
            _deficit(without[without["term"] == t], "access", u)
            - _deficit(base[base["term"] == t], "access", u)
            for t in base["term"].unique()
        ]
        terms = base["term"].unique()
        first = next((t for t, d in zip(terms, by_term, strict=True) if d > 1e-9), "")
        assert table.loc[urn, "first_term_affected_access"] == first, urn
        by_term_flows = [
            _deficit(without[without["term"] == t], "flows", u)
            - _deficit(base[base["term"] == t], "flows", u)
            for t in terms
        ]
        first = next((t for t, d in zip(terms, by_term_flows, strict=True) if d > 1e-9), "")
        assert table.loc[urn, "first_term_affected_flows"] == first, urn
        for basis in ("access", "flows"):
            expected = _deficit(without, basis, u) - _deficit(base, basis, u)
            assert table.loc[urn, f"deficit_places_added_{basis}"] == pytest.approx(expected), (
                urn,
                basis,
            )
        strict = np.maximum(0, -without["gap_places"]).sum()
        strict -= np.maximum(0, -base["gap_places"]).sum()
        assert table.loc[urn, "deficit_places_added"] == pytest.approx(strict)
    assert table["deficit_places_added_access"].gt(0).any()
    assert table["deficit_places_added_flows"].gt(0).any()


def test_without_accessibility_the_cross_boundary_columns_are_empty(tmp_path):
    run = sufficiency.assess(_area(tmp_path), accessibility=False)
    table = sufficiency.resilience(run).table
    assert table["deficit_places_added_access"].isna().all()
    assert table["deficit_places_added_flows"].isna().all()
    assert (table["wards_affected_access"] == "").all()
    assert (table["first_term_affected_access"] == "").all()
    assert (table["sole_in_reach_for"] == "").all()
    assert (table["first_term_affected_flows"] == "").all()


def test_report_resilience_section_internal_names_published_counts(tmp_path):
    # Ward 2 has one setting (EY000003) for each age group it offers: the internal report
    # names it; the published one gives only the number of such wards per age group (<5).
    from sufficiency.outputs.report import ReportOptions, render_report

    result = sufficiency.resilience(_area(tmp_path))
    run = result.assessment
    single = result.single_settings
    internal = render_report(run, resilience=result)
    published = render_report(run, ReportOptions(publish=True), resilience=result)
    assert 'id="resilience"' in internal and 'id="resilience"' in published
    assert "EY000003" in internal
    assert "The settings the area can least afford to lose (internal)" in internal
    for urn in result.table["urn"]:
        assert urn not in published
    assert "The settings the area can least afford to lose" not in published
    groups = set(single["age_group"])
    assert len(groups) > 0
    assert published.count('<td class="num">&lt;5</td>') >= len(groups)
    # Without a resilience result the section is left out.
    assert 'id="resilience"' not in render_report(run)
