"""Quality: Ofsted grades as a provider attribute, the share of good places, --min-quality."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import inside, provider, write_area

from sufficiency import quality
from sufficiency.area import load_area
from sufficiency.assess import assess
from sufficiency.cli.main import cli
from sufficiency.errors import InputError
from sufficiency.gap import COLUMNS
from sufficiency.parameters import Parameters

X, Y = inside(0)
# One ward (E05000001) with two settings for 3-4s, both open 10 h x 5 days and staffed for
# their places (5 staff, 1:8): a good one of 40 places and one requiring improvement of 20.
GOOD = provider(urn="EY100001", places_3_4=40, ofsted_grade="Good", easting=X, northing=Y)
RI = provider(
    urn="EY100002",
    places_3_4=20,
    registered_places=20,
    children_3_4=20,
    vacancies_3_4=0,
    ofsted_grade="Requires improvement",
    easting=X + 10,
    northing=Y,
)


def _area(tmp_path, rows):
    return write_area(tmp_path / "area", returns={"2026-autumn": rows})


def _cell(gap, column, ward="E05000001", group="3_4"):
    rows = gap[(gap["ward_code"] == ward) & (gap["age_group"] == group)]
    return rows[column].to_numpy(float)


def test_min_quality_good_counts_only_the_good_settings_places(tmp_path):
    area = _area(tmp_path, [GOOD, RI])
    every = assess(area).gap
    params = Parameters.defaults().override({"min_quality": "good"}, source="test")
    only_good = assess(area, params).gap
    # Supply: 40 + 20 = 60 places x 50 h / 50 = 60; under good only the 40.
    assert np.allclose(_cell(every, "supply_places"), 60.0)
    assert np.allclose(_cell(only_good, "supply_places"), 40.0)
    # The gap falls by the RI setting's usable places: 20 x 0.9 = 18.
    assert np.allclose(_cell(every, "gap_places") - _cell(only_good, "gap_places"), 18.0)
    # Demand is untouched.
    assert np.allclose(_cell(every, "demand_places"), _cell(only_good, "demand_places"))
    # The share of places in good or outstanding settings: 40 / 60, whatever supply counts;
    # the other ward has no places, so no share.
    for gap in (every, only_good):
        assert np.allclose(_cell(gap, "good_or_outstanding_share"), 40 / 60)
        assert np.isnan(_cell(gap, "good_or_outstanding_share", ward="E05000002")).all()


def test_a_setting_with_no_grade_counts_only_without_a_minimum(tmp_path):
    area = _area(tmp_path, [GOOD, {**RI, "ofsted_grade": ""}])
    params = Parameters.defaults().override({"min_quality": "good"}, source="test")
    result = assess(area, params)
    assert np.allclose(_cell(result.gap, "supply_places"), 40.0)
    assert any("1 with no grade left out" in note for note in result.notes)
    outstanding = Parameters.defaults().override({"min_quality": "outstanding"}, source="test")
    assert np.allclose(_cell(assess(area, outstanding).gap, "supply_places"), 0.0)


def test_min_quality_without_any_grade_is_refused(tmp_path):
    area = write_area(tmp_path / "area")
    params = Parameters.defaults().override({"min_quality": "good"}, source="test")
    with pytest.raises(InputError, match="no return gives an ofsted_grade"):
        assess(area, params)


def test_the_cli_option_on_run_and_compare(tmp_path):
    area = _area(tmp_path, [GOOD, RI])
    runner = CliRunner()
    out = tmp_path / "out"
    args = ["--area", str(area), "--out", str(out), "--min-quality", "good"]
    result = runner.invoke(cli, ["run", *args, "--no-maps"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    gap = pd.read_csv(out / "gap.csv")
    assert np.allclose(_cell(gap, "supply_places"), 40.0)
    scenario = tmp_path / "s.toml"
    scenario.write_text('name = "same"\ndescription = "no change"\n', encoding="utf-8")
    result = runner.invoke(cli, ["compare", str(scenario), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    gap = pd.read_csv(out / "gap.csv")
    assert np.allclose(_cell(gap, "supply_places"), 40.0)  # baseline and scenario alike
    bad = runner.invoke(cli, ["run", "--area", str(area), "--min-quality", "great"])
    assert bad.exit_code == 2 and "great" in bad.output


def test_grades_change_nothing_else_and_without_them_no_quality_column(tmp_path):
    graded = assess(_area(tmp_path / "a", [GOOD, RI])).gap
    plain = assess(
        _area(tmp_path / "b", [{**GOOD, "ofsted_grade": ""}, {**RI, "ofsted_grade": ""}])
    ).gap
    assert "good_or_outstanding_share" not in plain.columns
    pd.testing.assert_frame_equal(graded[plain.columns], plain)


def test_the_register_grade_is_the_one_supply_reads(tmp_path):
    area = _area(tmp_path, [{**GOOD, "ofsted_grade": ""}, {**RI, "ofsted_grade": ""}])
    loaded = load_area(area)
    register = pd.DataFrame({"urn": ["EY100002"], "ofsted_grade": ["Outstanding"]})
    loaded.returns = quality.with_grades(loaded.returns, register)
    params = Parameters.defaults().override({"min_quality": "good"}, source="test")
    # Only the RI setting, now outstanding by the register, counts: 20 places.
    assert np.allclose(_cell(assess(loaded, params).gap, "supply_places"), 20.0)
    with pytest.raises(ValueError, match="unknown Ofsted grade"):
        quality.with_grades(loaded.returns, register.assign(ofsted_grade=["Excellent"]))


def test_the_contract_columns_come_first(tmp_path):
    gap = assess(_area(tmp_path, [GOOD, RI])).gap
    assert list(gap.columns[: len(COLUMNS)]) == COLUMNS


def test_the_demo_without_the_optional_inputs_runs_as_before(tmp_path):
    import shutil

    from sufficiency._demo_area import DEMO_AREA
    from sufficiency._io import read_table

    plain = tmp_path / "plain"
    shutil.copytree(DEMO_AREA, plain)
    for name in ("eligible_2s.csv", "income.csv"):
        (plain / name).unlink()
    optional = ["ofsted_grade", "fee_hourly_under2", "fee_hourly_2", "fee_hourly_3_4"]
    for path in sorted(plain.glob("returns-*")):
        table = read_table(path).drop(columns=[*optional, "charges_weekly"])
        path.unlink()
        table.to_csv(plain / f"{path.stem}.csv", index=False)
    full = assess(DEMO_AREA)
    bare = assess(plain)
    new = ["good_or_outstanding_share", "eligible_2s", "disadvantaged_2_take_up"]
    assert [c for c in full.gap.columns if c not in bare.gap.columns] == new
    # Everything else, the SEND columns included, is the same figure for figure.
    pd.testing.assert_frame_equal(full.gap[bare.gap.columns], bare.gap)
    assert bare.affordability is None and bare.disadvantaged_2s is None
    assert bare.gap.columns[-2:].tolist() == ["send_expected", "send_on_roll"]


def test_a_scenario_can_ask_for_good_places_only(tmp_path):
    area = _area(tmp_path, [GOOD, RI])
    scenario = tmp_path / "good.toml"
    scenario.write_text(
        'name = "good_only"\ndescription = "Only good places"\n'
        '[parameters]\nmin_quality = "good"\n',
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli, ["compare", str(scenario), "--area", str(area), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    gap = pd.read_csv(out / "gap.csv")
    baseline, good = gap[gap["scenario"] == "baseline"], gap[gap["scenario"] == "good_only"]
    assert np.allclose(_cell(baseline, "supply_places"), 60.0)
    assert np.allclose(_cell(good, "supply_places"), 40.0)
    scenario.write_text(scenario.read_text().replace('"good"', '"great"'), encoding="utf-8")
    bad = CliRunner().invoke(cli, ["run", "--scenario", str(scenario), "--area", str(area)])
    assert bad.exit_code == 1 and "min_quality must be one of any, good, outstanding" in bad.output


def test_grades_from_the_ofsted_register_file_drive_min_quality(tmp_path):
    # No grade in the returns; ofsted.csv (sufficiency import ofsted) grades EY100001 2 (good)
    # and EY100002 3 (requires improvement): only the 40 good places count.
    area = _area(tmp_path, [{**GOOD, "ofsted_grade": ""}, {**RI, "ofsted_grade": ""}])
    (area / "ofsted.csv").write_text("urn,ofsted_grade\nEY100001,2\nEY100002,3\n")
    params = Parameters.defaults().override({"min_quality": "good"}, source="test")
    result = assess(area, params)
    assert result.area.returns["ofsted_grade"].tolist() == ["good", "requires_improvement"]
    assert np.allclose(_cell(result.gap, "supply_places"), 40.0)
    assert np.allclose(_cell(result.gap, "good_or_outstanding_share"), 40 / 60)


def test_min_quality_on_map_report_resilience_and_plan(tmp_path):
    """``--min-quality good`` on every command that runs the model, through the same
    ``min_quality`` parameter that ``supply.provider_supply`` reads: the ward's 3-4 supply is
    the good setting's 40 places, not 40 + 20 = 60, and the setting that requires improvement
    is no setting to lose."""
    area = _area(tmp_path, [GOOD, RI])
    runner = CliRunner()
    before: dict[str, float] = {}

    def invoke(*args: str) -> None:
        result = runner.invoke(cli, [*args, "--area", str(area)], catch_exceptions=False)
        assert result.exit_code == 0, result.output

    for quality_args, supply in (((), "60"), (("--min-quality", "good"), "40")):
        out = tmp_path / f"out{supply}"
        invoke("report", *quality_args, "--out", str(out), "--term", "2027-spring")
        page = (out / "report.html").read_text(encoding="utf-8")
        # The internal ward table's row for the ward's 3 and 4 year olds: supply in places.
        row = re.search(r"<td>Ward E05000001</td><td>3- and 4[^<]*</td>(.*?)</tr>", page, re.S)
        assert row is not None
        cells = re.findall(r'<td class="num">([^<]*)</td>', row[1])
        assert cells[2] == f"{supply}.0", cells  # children, demand, supply
        invoke("map", *quality_args, "--out", str(out / "maps"))
        html = (out / "maps" / "gap-map.html").read_text(encoding="utf-8")
        other = "40" if supply == "60" else "60"
        # The map's supply texts (one decimal, internal): 60.0 or 40.0, never the other.
        assert f'"{supply}.0"' in html and f'"{other}.0"' not in html
        invoke("resilience", *quality_args, "--out", str(out))
        table = pd.read_csv(out / "resilience.csv", dtype={"urn": str}).set_index("urn")
        invoke("plan", *quality_args, "--out", str(out), "--places", "30", "--basis", "ward")
        planned = pd.read_csv(out / "plan.csv")
        before[supply] = planned.loc[
            (planned["ward_code"] == "E05000001") & (planned["age_group"] == "3_4"),
            "deficit_before",
        ].item()
        # Each setting's supply in resilience.csv: the RI setting's 20 count only without a
        # minimum, so under good its closure would take no places away.
        expected = {"EY100001": 40.0, "EY100002": 20.0 if supply == "60" else 0.0}
        assert table["supply_places"].to_dict() == expected
    # The plan starts from the deficit under good: the ward's 3-4 gap 20 x 0.9 = 18 places
    # lower in every term, so its deficit over the forecast is deeper, by at most 18 a term.
    terms = 12
    assert 0 < before["40"] - before["60"] <= 18 * terms + 1e-9


def test_published_quality_share_is_held_back_with_the_supply_between_terms(tmp_path):
    """The RI setting closes on 1 April 2027: from summer 2027 the ward's 3-4 supply differs
    from spring's by one provider's places and is held back, and so is the share of it judged
    good (share x supply would give 40 of 40 places, and the spring's 40 of 60 the closed
    setting's 20)."""
    from sufficiency.outputs import disclosure, duty

    closing = {**RI, "status": "closing", "status_date": "2027-04-01"}
    result = assess(_area(tmp_path, [GOOD, closing]), first_term="2027-spring")
    guarded = disclosure.guard_scenario(result, result)

    def ward_row(term: str, publish: bool) -> dict:
        context = duty.quality_context(guarded, term, publish=publish, threshold=5)
        assert context is not None
        return next(r for r in context["rows"] if r["ward"] == "Ward E05000001")

    # Spring: 40 good of 60 places, shown; summer: 40 of 40 internally, not shown published.
    assert ward_row("2027-spring", publish=True)["3_4"] == "67%"
    assert ward_row("2027-summer", publish=False)["3_4"] == "100%"
    summer = ward_row("2027-summer", publish=True)
    assert summer["3_4"] == summer["overall"] == disclosure.NOT_SHOWN
    # The map's quality layer: the same cell not shown there either.
    from sufficiency.outputs import maps

    values, _ = maps._gap_values(guarded.gap, publish=True, threshold=5)
    at = (values["ward_code"] == "E05000001") & (values["age_group"] == "3_4")
    shown = dict(zip(values.loc[at, "term"], values.loc[at, "quality"], strict=True))
    assert shown["2027-spring"] == "67%" and shown["2027-summer"] == "not shown"
