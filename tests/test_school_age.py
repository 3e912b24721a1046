"""School-age childcare: primary children, demand and supply by hand, school_age.csv, inputs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import inside, monthly_births, provider, write_area

import sufficiency
from sufficiency import population, school_age
from sufficiency.cli.main import cli
from sufficiency.errors import InputError
from sufficiency.outputs import maps
from sufficiency.terms import SCHOOL_YEARS, Term

CODES = ("E05000001", "E05000002")
YEARS = range(2009, 2026)  # primary children in 2027 were born from September 2015 back to 2009

# Stated parameters for the hand cases (not the package defaults, so the cases stay put when
# a default is revised).
PARAMETERS = """
[school_age]
working_families = 0.5
use_breakfast = 0.2
sessions_breakfast = 2.5
use_after_school = 0.4
sessions_after_school = 3.0
use_holiday = 0.3
holiday_days = 4.0
holiday_weeks_used = 6.5
school_holiday_weeks = 13.0
utilisation = 1.0
"""


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def months_of(per_month: float = 10.0, codes=("A",)) -> population.BirthMonths:
    births = monthly_births(list(codes), per_month, years=YEARS)
    return population.birth_months(births, pd.Index(codes), until=0)


# --- Children --------------------------------------------------------------------------------


@pytest.mark.parametrize("term", ["2026-autumn", "2027-spring", "2027-summer"])
def test_ten_births_a_month_give_840_primary_children(term):
    # Seven school years of 12 birth months x 10 births = 7 x 120 = 840, in every term: a
    # school year keeps its children all year (reception starts on 1 September only).
    kids = school_age.primary_children(months_of(), np.ones((1, 12)), [Term.parse(term)])
    assert kids.shape == (1, 1, len(SCHOOL_YEARS))
    assert kids[0, 0].tolist() == [120.0] * 7
    assert kids.sum() == 840.0


def test_a_school_year_is_the_births_of_september_to_august():
    # Births of 10 a month, but 22 in each month from September 2019 to August 2020: that
    # cohort starts reception in September 2024, so it is year 2 in autumn 2026 (born
    # September A-5-k to August A-4-k with A = 2026, k = 2).
    births = monthly_births(["A"], 10.0, years=YEARS)
    cohort = ((births["year"] == 2019) & (births["month"] >= 9)) | (
        (births["year"] == 2020) & (births["month"] <= 8)
    )
    births.loc[cohort, "births"] = 22.0
    months = population.birth_months(births, pd.Index(["A"]), until=0)
    kids = school_age.primary_children(months, np.ones((1, 12)), [Term.parse("2026-autumn")])
    assert kids[0, 0].tolist() == [120.0, 120.0, 264.0, 120.0, 120.0, 120.0, 120.0]


def test_cohort_change_ratios_from_population_by_single_year_of_age():
    # Mid-2025, ward A: 132 six-year-olds, born July 2018 - June 2019 (120 births): ratio 1.1.
    # In autumn 2026 the whole of year 2 is aged 6 at the term start (born Sep 2019 - Aug
    # 2020, 6 on 1 September 2026), so year 2 holds 120 x 1.1 = 132 and the total 852.
    months = months_of()
    pop = pd.DataFrame({"ward_code": ["A"], "year": [2025], "age": [6], "population": [132.0]})
    ratios = population.cohort_change_ratios(pop, months, 1.0, ages=12)
    assert ratios[0].round(6).tolist() == [1.0] * 6 + [1.1] + [1.0] * 5
    kids = school_age.primary_children(months, ratios, [Term.parse("2026-autumn")])
    assert kids[0, 0].round(6).tolist() == [120.0, 120.0, 132.0, 120.0, 120.0, 120.0, 120.0]
    # The early years still read ages 0-4 only: the same ratios as with no estimate at all.
    assert population.cohort_change_ratios(pop, months, 1.0).tolist() == [[1.0] * 5]


def test_births_that_start_too_late_are_an_error_naming_the_month():
    births = monthly_births(["A"], 10.0, years=range(2016, 2026))
    months = population.birth_months(births, pd.Index(["A"]), until=0)
    with pytest.raises(
        InputError, match=r"needs births from 09/2014 \(year 6\).*starts in 01/2016"
    ):
        school_age.primary_children(months, np.ones((1, 12)), [Term.parse("2026-spring")])


# --- Demand and supply by hand --------------------------------------------------------------


def club(urn: str, ward: int, **places) -> dict:
    """An out-of-school club's return: no early years places, school-age places as given."""
    x, y = inside(ward)
    return provider(
        urn=urn,
        provider_type="other",
        registered_places=0,
        places_3_4=0,
        children_3_4=0,
        vacancies_3_4=0,
        staff_total=4,
        staff_unqualified=2,
        staff_level2=0,
        staff_level3=2,
        staff_level6=0,
        easting=x,
        northing=y,
        **places,
    )


def school_area(folder: Path, *, returns=None, schools: pd.DataFrame | None = None) -> Path:
    """Two wards, 10 births a month since 2009, a nursery in ward 1 and, unless told, a club in
    ward 1 with 20 breakfast places and 30 holiday places for 6.5 weeks; stated parameters."""
    x, y = inside(0)
    if returns is None:
        returns = {
            "2026-autumn": [
                provider(easting=x, northing=y),
                club("EY200001", 0, places_breakfast=20, places_holiday=30, holiday_weeks=6.5),
            ]
        }
    extra = {"births.csv": monthly_births(list(CODES), 10.0, years=YEARS)}
    if schools is not None:
        extra["schools.csv"] = schools
    folder = write_area(folder, codes=CODES, returns=returns, extra=extra)
    (folder / "parameters.toml").write_text(PARAMETERS, encoding="utf-8")
    return folder


SCHOOLS = pd.DataFrame(
    {
        "urn": ["100001", "100002"],
        "school_name": ["Acorn Primary", "Beech Primary"],
        "ward_code": ["E05000001", "E05000002"],
        "places_breakfast": [40, 0],
        "places_after_school": [60, 24],
    }
)


def test_breakfast_club_demand_and_supply_worked_by_hand(tmp_path):
    result = sufficiency.assess(school_area(tmp_path / "area", schools=SCHOOLS))
    table = result.school_age
    assert table is not None
    first = table[table["term"] == "2027-spring"].set_index(["ward_code", "provision"])
    # Demand, each ward: 840 children x 0.5 working families x 0.2 use x 2.5 sessions / 5
    # days = 42 places (a place: one child every school day).
    breakfast = first.xs("breakfast", level="provision")
    assert breakfast["children"].tolist() == [840.0, 840.0]
    assert breakfast["demand_places"].round(9).tolist() == [42.0, 42.0]
    # Supply: ward 1 the club's 20 and Acorn Primary's 40 = 60; ward 2 Beech Primary's 0.
    assert breakfast["supply_places"].tolist() == [60.0, 0.0]
    # Gap at utilisation 1: 60 - 42 = 18 (above 5% of 42 = 2.1: sufficient); 0 - 42 = -42.
    assert breakfast["gap_places"].round(9).tolist() == [18.0, -42.0]
    assert breakfast["status"].tolist() == ["sufficient", "deficit"]
    assert breakfast["settings"].tolist() == [2, 0]
    # After school: 840 x 0.5 x 0.4 x 3 / 5 = 100.8; supply 60 and 24.
    after = first.xs("after_school", level="provision")
    assert after["demand_places"].round(9).tolist() == [100.8, 100.8]
    assert after["supply_places"].tolist() == [60.0, 24.0]
    assert after["gap_places"].round(9).tolist() == [-40.8, -76.8]
    # Holiday, the year's average over 13 holiday weeks: demand 840 x 0.5 x 0.3 x 4 / 5 x
    # 6.5 / 13 = 50.4; supply 30 places x 6.5 weeks / 13 = 15 in ward 1.
    holiday = first.xs("holiday", level="provision")
    assert holiday["demand_places"].round(9).tolist() == [50.4, 50.4]
    assert holiday["supply_places"].tolist() == [15.0, 0.0]
    assert holiday["gap_places"].round(9).tolist() == [-35.4, -50.4]
    # The terminal summary adds them up: breakfast ward 2 short by 42 (demand 84, supply 60);
    # after school 40.8 + 76.8 = 117.6 short; holiday 35.4 + 50.4 = 85.8.
    from sufficiency.outputs.summary import school_age_lines

    assert school_age_lines(table) == [
        "School-age childcare (primary children of working families), 2027-spring:",
        "  breakfast clubs: 1 of 2 ward(s) short, by 42 places (demand 84, supply 60)",
        "  after-school clubs: 2 of 2 ward(s) short, by 118 places (demand 202, supply 84)",
        "  holiday care: 2 of 2 ward(s) short, by 86 places (demand 101, supply 15)",
    ]


def test_a_closed_club_leaves_and_holiday_places_without_weeks_count_every_week(tmp_path):
    returns = {
        "2026-autumn": [
            club("EY200001", 0, places_breakfast=20, status="closing", status_date="2027-04-01"),
            club("EY200002", 0, places_holiday=10),
        ]
    }
    result = sufficiency.assess(school_area(tmp_path / "area", returns=returns))
    table = result.school_age.set_index(["term", "ward_code", "provision"])
    # The closing club counts in spring 2027 and is gone from summer 2027 (closes 1 April).
    assert table.loc[("2027-spring", "E05000001", "breakfast"), "supply_places"] == 20.0
    assert table.loc[("2027-summer", "E05000001", "breakfast"), "supply_places"] == 0.0
    # 10 holiday places, no weeks given: all 13 weeks, 10 x 13 / 13 = 10, and a note.
    assert table.loc[("2027-spring", "E05000001", "holiday"), "supply_places"] == 10.0
    assert any("1 provider(s) gave places_holiday but no holiday_weeks" in n for n in result.notes)


# --- school_age.csv ---------------------------------------------------------------------------


def test_school_age_csv_has_the_columns_in_order_sorted_like_gap_csv(tmp_path):
    area = school_area(tmp_path / "area", schools=SCHOOLS)
    shipped = Path(__file__).resolve().parents[1] / "scenarios"
    out = tmp_path / "out"
    result = invoke(
        "run",
        "--area",
        str(area),
        "--out",
        str(out),
        "--scenario",
        str(shipped / "wraparound.toml"),
        "--scenario",
        str(shipped / "baseline.toml"),
        "--no-maps",
    )
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "school_age.csv", dtype={"term": str})
    assert list(table.columns) == [
        "scenario",
        "term",
        "ward_code",
        "ward_name",
        "provision",
        "children",
        "demand_places",
        "supply_places",
        "gap_places",
        "status",
    ]
    # 2 scenarios x 12 terms x 2 wards x 3 provisions, sorted by scenario, term (in time),
    # ward code and provision (breakfast, after_school, holiday).
    assert len(table) == 2 * 12 * 2 * 3
    assert table["scenario"].drop_duplicates().tolist() == ["baseline", "wraparound"]
    order = {p: i for i, p in enumerate(school_age.PROVISIONS)}
    key = list(
        zip(
            table["scenario"],
            [Term.parse(t).index for t in table["term"]],
            table["ward_code"],
            table["provision"].map(order),
            strict=True,
        )
    )
    assert key == sorted(key)
    assert table["provision"].head(6).tolist() == ["breakfast", "after_school", "holiday"] * 2
    # The scenario's breakfast demand, ward 1, spring 2027: 840 x 0.5 x 0.72 x 2.5 / 5 = 151.2
    # (the wraparound scenario raises use to 0.72; the sessions stay as stated).
    wrapped = table[(table["scenario"] == "wraparound") & (table["term"] == "2027-spring")]
    assert wrapped["demand_places"].round(9).tolist()[0] == 151.2
    # The workbook has the same rows in a sheet of its own.
    sheet = pd.read_excel(out / "sufficiency.xlsx", sheet_name="School-age childcare")
    assert len(sheet) == len(table)
    # ... headed in words, with a school-age place named as what it is (a session).
    assert list(sheet.columns) == [
        "Scenario",
        "Funding term",
        "Ward code",
        "Ward",
        "Provision",
        "Primary children",
        "Demand (places a session)",
        "Supply (places a session)",
        "Gap (places a session)",
        "Status",
    ]
    assert sheet["Demand (places a session)"].round(1).tolist()[0] == round(
        table["demand_places"].tolist()[0], 1
    )


def test_an_area_without_school_age_places_writes_the_same_gap_csv_and_no_school_age_csv(
    tmp_path,
):
    x, y = inside(0)
    nursery = provider(easting=x, northing=y)
    plain = school_area(tmp_path / "plain", returns={"2026-autumn": [nursery]})
    with_clubs = school_area(
        tmp_path / "clubs",
        returns={
            "2026-autumn": [
                {**nursery, "places_breakfast": 16, "places_after_school": 24},
                club("EY200001", 1, places_breakfast=20, places_holiday=30, holiday_weeks=6),
            ]
        },
        schools=SCHOOLS,
    )
    # The club has no early years places: give the plain area the same row, without the
    # school-age columns, so that the two areas differ only in those.
    (plain / "returns-2026-autumn.csv").write_text(
        pd.DataFrame([nursery, club("EY200001", 1)]).to_csv(index=False), encoding="utf-8"
    )
    for folder in (plain, with_clubs):
        result = invoke("run", "--area", str(folder), "--out", str(folder / "out"), "--no-maps")
        assert result.exit_code == 0, result.output
    assert (plain / "out" / "gap.csv").read_bytes() == (with_clubs / "out" / "gap.csv").read_bytes()
    assert not (plain / "out" / "school_age.csv").exists()
    assert (with_clubs / "out" / "school_age.csv").exists()
    with pd.ExcelFile(plain / "out" / "sufficiency.xlsx") as book:
        assert "School-age childcare" not in book.sheet_names


# --- Bad inputs --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"urn": ["10001", "100002"]},
            "schools.csv, row 2, column 'urn': not a school URN (found '10001'). Give the "
            "school's six-digit URN",
        ),
        (
            {"places_breakfast": [40, None]},
            "schools.csv, row 3, column 'places_breakfast': no number: the cell is empty or says "
            "n/a, na, -, none or null. Write the number (0 where there are none)",
        ),
        (
            {"places_after_school": [60, "lots"]},
            "schools.csv, row 3, column 'places_after_school': not a number (found 'lots')",
        ),
        (
            {"places_after_school": [60, 2.5]},
            "schools.csv, row 3, column 'places_after_school': not a whole number",
        ),
        (
            {"ward_code": ["E05000001", "E05999999"]},
            "schools.csv, row 3, column 'ward_code': ward code not in the wards file "
            "(found 'E05999999')",
        ),
        (
            {"urn": ["100001", "100001"]},
            "schools.csv, row 3, column 'urn': school URN given twice (found '100001')",
        ),
    ],
)
def test_a_bad_schools_csv_is_one_clear_line_and_exit_1(tmp_path, change, message):
    area = school_area(tmp_path / "area", schools=SCHOOLS.assign(**change))
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["run", "--area", str(area), "--out", str(out)])
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_a_school_with_no_location_in_the_area_is_refused(tmp_path):
    schools = SCHOOLS.drop(columns="ward_code").assign(easting=[1.0, 2.0], northing=[1.0, 2.0])
    area = school_area(tmp_path / "area", schools=schools)
    result = CliRunner().invoke(cli, ["run", "--area", str(area), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "schools.csv, row 2, column 'ward_code': school is in no ward of the area" in (
        result.output
    )


@pytest.mark.parametrize(
    ("places", "message"),
    [
        ({"places_breakfast": -3}, "column 'places_breakfast': negative count (found '-3.0')"),
        ({"places_after_school": "ten"}, "column 'places_after_school': not a number"),
        (
            {"places_holiday": 30, "holiday_weeks": 20},
            "column 'holiday_weeks': holiday_weeks above 13",
        ),
    ],
)
def test_bad_school_age_return_values_are_one_clear_line_and_exit_1(tmp_path, places, message):
    x, y = inside(0)
    returns = {"2026-autumn": [provider(easting=x, northing=y), club("EY200001", 0, **places)]}
    area = school_area(tmp_path / "area", returns=returns)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["run", "--area", str(area), "--out", str(out)])
    assert result.exit_code == 1
    assert "returns-2026-autumn.csv, row 3, " + message in result.output
    assert not out.exists()


def test_births_too_short_for_school_age_is_one_clear_line(tmp_path):
    area = school_area(tmp_path / "area")
    monthly_births(list(CODES), 10.0).to_csv(area / "births.csv", index=False)  # from 2016
    result = CliRunner().invoke(cli, ["run", "--area", str(area), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "school-age childcare in 2027-spring needs births from 09/2015 (year 6)" in (
        result.output
    )


# --- Maps -------------------------------------------------------------------------------------


def _school_layers(page: str) -> dict[tuple[str, str], dict]:
    """(ward name, provision label) -> the ward's values in spring 2027, from the page."""
    import json
    import re

    found = {}
    for blob in re.findall(r"_add\((\{\"features\".*?\})\);\n", page):
        for feature in json.loads(blob)["features"]:
            properties = feature["properties"]
            if properties.get("age_group", "").startswith("Primary"):
                row = properties["terms"]["2027-spring"]
                key = (properties["ward_name"], properties["age_group"].split(": ")[1])
                found[key] = dict(zip(maps.GAP_FIELDS, row, strict=False))
    return found


def test_the_map_has_a_school_age_layer_that_hides_one_or_two_settings_places(tmp_path):
    from sufficiency.outputs.offline import inline_assets

    result = sufficiency.assess(school_area(tmp_path / "area", schools=SCHOOLS))
    pages = {
        publish: inline_assets(
            maps.assessment_map(result, maps.MapOptions(publish=publish)).get_root().render()
        )
        for publish in (False, True)
    }
    for page in pages.values():
        for label in ("breakfast clubs", "after-school clubs", "holiday care"):
            assert f"School age: {label}" in page
    internal, published = _school_layers(pages[False]), _school_layers(pages[True])
    # Internal: ward 1's breakfast supply is the club's 20 and Acorn Primary's 40.
    assert internal[("Ward E05000001", "breakfast clubs")]["supply"] == "60.0"
    assert internal[("Ward E05000001", "breakfast clubs")]["gap"] == "+18"
    # Published: two settings offer those 60 places, so the supply, gap and status are held
    # back; ward 2 has none (0 is shown: no provider's figure in it) and its demand of 42 is
    # rounded to 40.
    ward1 = published[("Ward E05000001", "breakfast clubs")]
    assert (ward1["supply"], ward1["gap"]) == ("not shown", "not shown")
    assert ward1["status"] == "not shown (fewer than 3 settings offer these places here)"
    ward2 = published[("Ward E05000002", "breakfast clubs")]
    assert (ward2["demand"], ward2["supply"], ward2["status"]) == ("40", "0", "deficit")
    assert "Acorn Primary" not in pages[True]


# --- Report -----------------------------------------------------------------------------------


def test_the_report_has_a_school_age_section_with_the_disclosure_rules(tmp_path):
    from sufficiency.outputs.report import ReportOptions, report_context

    result = sufficiency.assess(school_area(tmp_path / "area", schools=SCHOOLS))
    internal = report_context(result, ReportOptions(publish=False))["school_age"]
    published = report_context(result, ReportOptions(publish=True))["school_age"]
    # City-wide breakfast, spring 2027: 2 x 840 children, demand 2 x 42 = 84, supply 60 + 0,
    # gap 60 - 84 = -24; one of the two wards short.
    breakfast = internal["city"][0]
    assert breakfast == {
        "provision": "Breakfast clubs",
        "children": "1,680",
        "demand": "84",
        "supply": "60",
        "gap": "-24",
        "wards_short": 1,
    }
    # Published: ward 1's 60 places come from two settings, so they are held back, and so is
    # the city-wide supply (it less ward 2's 0 would give them).
    assert published["city"][0]["supply"] == published["city"][0]["gap"] == "not shown"
    assert published["city"][0]["demand"] == "85"
    # After school: ward 1 has one setting (Acorn Primary's 60), ward 2 one (Beech's 24).
    ward_rows = {(r["ward"], r["provision"]): r for r in published["wards"]}
    assert ward_rows[("Ward E05000002", "After-school clubs")]["supply"] == "not shown"
    # No school-age places: no section (and the early years report as before).
    plain = sufficiency.assess(
        school_area(
            tmp_path / "plain",
            returns={"2026-autumn": [provider(easting=inside(0)[0], northing=inside(0)[1])]},
        )
    )
    assert report_context(plain, ReportOptions())["school_age"] is None


def test_school_age_places_go_through_the_store_as_through_the_files(tmp_path):
    area = school_area(tmp_path / "area", schools=SCHOOLS)
    out_files, out_store = tmp_path / "files", tmp_path / "store"
    assert invoke("run", "--area", str(area), "--out", str(out_files), "--no-maps").exit_code == 0
    ingest = invoke("ingest", str(area / "returns-2026-autumn.csv"), "--area", str(area))
    assert ingest.exit_code == 0, ingest.output
    assert invoke("run", "--area", str(area), "--out", str(out_store), "--no-maps").exit_code == 0
    assert (out_store / "school_age.csv").read_bytes() == (
        out_files / "school_age.csv"
    ).read_bytes()


def test_a_published_scenario_holds_back_the_school_age_places_it_changes(tmp_path):
    from sufficiency.outputs import disclosure
    from sufficiency.scenarios.compare import assess_scenarios
    from sufficiency.scenarios.schema import read_scenario

    area = school_area(tmp_path / "area", schools=SCHOOLS)
    closing = tmp_path / "close.toml"
    closing.write_text(
        'name = "close_club"\ndescription = "The club closes."\n'
        '[[closures]]\nurn = "EY200001"\nfrom = "2027-spring"\n',
        encoding="utf-8",
    )
    shipped = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.toml"
    runs = assess_scenarios(area, None, [read_scenario(shipped), read_scenario(closing)])
    baseline, closed = runs.results
    guarded = disclosure.guard_scenario(baseline, closed).school_age
    first = guarded[guarded["term"] == "2027-spring"].set_index(["ward_code", "provision"])
    # The club's 20 breakfast and 15 holiday places go from ward 1: those cells are held back
    # (with them, baseline minus scenario would be the club's places); nothing else moved.
    held = first[disclosure.HELD_COLUMN]
    assert held[held].index.tolist() == [("E05000001", "breakfast"), ("E05000001", "holiday")]
    assert first.loc[("E05000001", "breakfast"), "supply_places"] == 40.0
    # City-wide totals: held where the scenario changed a ward (here every ward has fewer than
    # 3 settings, which holds them all; with 5 settings a ward, only the changed ones are).
    totals = disclosure.held_totals(guarded.assign(settings=5))
    assert totals[("2027-spring", "breakfast")] and not totals[("2027-spring", "after_school")]


def test_published_terms_hold_back_school_age_places_one_club_changes(tmp_path):
    """Between two terms of one run, a club closing moves its ward's school-age supply by
    exactly its places: from the term it closes the ward's figures are held back (map, report),
    and the city-wide total with them; the terms before stay shown."""
    from sufficiency.outputs import disclosure, report

    # Ward 1: four clubs of 10 breakfast and 10 after-school places; EY200001 closes on
    # 1 April 2027, so spring 2027 has 40 places of each and summer 2027 on 30.
    clubs = [
        club(f"EY20000{i}", 0, places_breakfast=10, places_after_school=10) for i in range(1, 5)
    ]
    clubs[0].update(status="closing", status_date="2027-04-01")
    result = sufficiency.assess(school_area(tmp_path / "area", returns={"2026-autumn": clubs}))
    table = result.school_age.set_index(["term", "ward_code", "provision"])
    ward = ("E05000001",)
    spring, summer = ("2027-spring", *ward), ("2027-summer", *ward)
    for provision in ("breakfast", "after_school"):
        assert table.loc[(*spring, provision), "supply_places"] == 40.0
        assert table.loc[(*summer, provision), "supply_places"] == 30.0  # 40 - the club's 10
    guarded = disclosure.guard_scenario(result, result).school_age
    rows = guarded.set_index(["term", "ward_code", "provision"])
    held = rows[disclosure.HELD_COLUMN]
    # Spring (the first term) is shown; summer and every later term differ from it by one
    # club's places: held, for breakfast and after school; holiday (no places) never.
    assert not held.xs("2027-spring", level="term").any()
    later = held.xs("E05000001", level="ward_code").drop("2027-spring", level="term")
    assert later.xs("breakfast", level="provision").all()
    assert later.xs("after_school", level="provision").all()
    assert not later.xs("holiday", level="provision").any()
    assert not held.xs("E05000002", level="ward_code").any()  # no club there
    # The report at summer 2027: the ward's breakfast supply not shown, nor the city total
    # (it differs from spring's by the same club).
    context = report.school_age_context(guarded, "2027-summer", publish=True, threshold=5)
    breakfast = next(r for r in context["wards"] if r["provision"] == "Breakfast clubs")
    assert breakfast["supply"] == disclosure.NOT_SHOWN
    assert context["city"][0]["supply"] == disclosure.NOT_SHOWN
    spring_context = report.school_age_context(guarded, "2027-spring", publish=True, threshold=5)
    assert spring_context["city"][0]["supply"] == "40"


def test_ward_parameters_set_the_working_family_share_of_one_ward(tmp_path):
    area = school_area(tmp_path / "area", schools=SCHOOLS)
    pd.DataFrame(
        {"ward_code": ["E05000002"], "key": ["school_age.working_families"], "value": [0.8]}
    ).to_csv(area / "ward_parameters.csv", index=False)
    result = sufficiency.assess(area)
    first = result.school_age[result.school_age["term"] == "2027-spring"]
    breakfast = first[first["provision"] == "breakfast"].set_index("ward_code")
    # Ward 2: 840 x 0.8 x 0.2 x 2.5 / 5 = 67.2; ward 1 keeps the area's 0.5: 42.
    assert breakfast["demand_places"].round(9).to_dict() == {"E05000001": 42.0, "E05000002": 67.2}
    # The early years' gap is the same as without the row.
    (area / "ward_parameters.csv").unlink()
    pd.testing.assert_frame_equal(result.gap, sufficiency.assess(area).gap)


def test_a_school_age_ward_value_out_of_bounds_is_refused(tmp_path):
    area = school_area(tmp_path / "area", schools=SCHOOLS)
    pd.DataFrame(
        {"ward_code": ["E05000002"], "key": ["school_age.use_breakfast"], "value": [1.4]}
    ).to_csv(area / "ward_parameters.csv", index=False)
    result = CliRunner().invoke(cli, ["run", "--area", str(area), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "school_age.use_breakfast is a share and must be between 0 and 1" in result.output
