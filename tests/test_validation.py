"""Every validation rule: a file that breaks it, and the exact report row it gives."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from conftest import inside, provider, ward_polygons

from sufficiency.errors import InputError
from sufficiency.returns.reader import read_return
from sufficiency.returns.rules import RULES, Registry
from sufficiency.returns.validation import FILE_CHECKS, check_files, problem_lines, write_report
from sufficiency.terms import Term

AUTUMN = Term.parse("2026-autumn")
WARDS = ward_polygons(["E05000001", "E05000002"])
X, Y = inside(0)
TESTED: set[str] = set()


def good(**changes) -> dict:
    """A return row that passes every rule (located by coordinates in the first ward)."""
    return provider(**{"easting": X, "northing": Y, **changes})


NO_POSTCODES = pd.DataFrame(
    {"easting": pd.Series(dtype=float), "northing": pd.Series(dtype=float), "ward_code": None},
    index=pd.Index([], name="postcode", dtype=object),
)


def check(tmp_path: Path, rows: list[dict], *, name: str = "returns.csv", drop=(), **options):
    path = tmp_path / name
    pd.DataFrame(rows).drop(columns=list(drop)).to_csv(path, index=False)
    options.setdefault("wards", WARDS)
    return check_files([path], options.pop("term", AUTUMN), **options)


def only(checked, code: str) -> dict:
    """The one problem a file gives, which must carry ``code``."""
    TESTED.add(code)
    problems = checked.problems
    assert list(problems["code"]) == [code], problem_lines(problems)
    return problems.iloc[0].to_dict()


def test_a_good_return_passes_every_rule(tmp_path):
    checked = check(tmp_path, [good(), good(urn="123456", postcode="", easting=X + 1000)])
    assert checked.ok and checked.problems.empty
    assert set(checked.rules["result"]) == {"passed", "skipped: no history"}
    assert list(checked.returns["urn"]) == ["EY100001", "123456"]


# code, the row's changes, the column reported, the value found, the message.
CASES = [
    ("R101", {"places_2": "ten"}, "places_2", "ten", "places_2 must be a number"),
    # A comma only as a thousands separator: "5,25" and "1,5" are not 525 and 15.
    ("R101", {"places_2": "5,25"}, "places_2", "5,25", "places_2 must be a number"),
    ("R101", {"waiting_2": "1,5"}, "waiting_2", "1,5", "waiting_2 must be a number"),
    (
        "R109",
        {"waiting_2": "1000000000000"},
        "waiting_2",
        "1000000000000",
        "waiting_2 is above 10,000, far beyond what one setting holds",
    ),
    ("R101", {"northing": "north"}, "northing", "north", "northing must be a number"),
    ("R102", {"waiting_2": "-1"}, "waiting_2", "-1", "waiting_2 must not be negative"),
    (
        "R103",
        {"children_3_4": 39.5, "registered_places": 40},
        "children_3_4",
        "39.5",
        "children_3_4 must be a whole number",
    ),
    (
        "R104",
        {"hours_per_day": ""},
        "hours_per_day",
        None,
        "hours_per_day is empty; every provider must give it",
    ),
    ("R105", {"hours_per_day": 25}, "hours_per_day", "25", "hours_per_day must be 24 or fewer"),
    ("R106", {"days_per_week": 8}, "days_per_week", "8", "days_per_week must be 7 or fewer"),
    ("R107", {"weeks_per_year": 53}, "weeks_per_year", "53", "weeks_per_year must be 52 or fewer"),
    (
        "R114",
        {"places_holiday": 30, "holiday_weeks": "14"},
        "holiday_weeks",
        "14",
        "holiday_weeks must be 13 or fewer (the weeks of school holidays in a year)",
    ),
    (
        "R102",
        {"places_breakfast": "-2"},
        "places_breakfast",
        "-2",
        "places_breakfast must not be negative",
    ),
    (
        "R103",
        {"places_after_school": 12.5},
        "places_after_school",
        "12.5",
        "places_after_school must be a whole number",
    ),
    (
        "R108",
        {"term": "2026-summer"},
        "term",
        "2026-summer",
        "term must be 2026-autumn, the term being loaded",
    ),
    (
        "R110",
        {"vacancies_3_4": 41},
        "vacancies_3_4",
        "41",
        "vacancies_3_4 must not be more than the places offered to that age group",
    ),
    (
        "R113",
        # 0 + 1 + 40 = 41 places offered at one time > 40 registered.
        {"places_2": 1, "registered_places": 40},
        "registered_places",
        "40",
        "places offered at one time (places_under2 + places_2 + places_3_4) must not be more "
        "than registered_places",
    ),
    (
        "R112",
        {"staff_total": 6, "staff_level3": 4},
        "staff_total",
        "6",
        "staff_unqualified + staff_level2 + staff_level3 + staff_level6 must add up to staff_total",
    ),
    (
        "R120",
        {"urn": "EY12345"},
        "urn",
        "EY12345",
        "urn must be six digits, or EY and six digits (e.g. EY123456)",
    ),
    (
        "R130",
        {"provider_type": "creche"},
        "provider_type",
        "creche",
        "provider_type must be one of childminder, day_nursery, pre_school, school_nursery, "
        "nursery_school, other",
    ),
    (
        "R131",
        {"status": "paused"},
        "status",
        "paused",
        "status must be one of open, new, closing, closed (empty means open)",
    ),
    (
        "R140",
        {"status": "closing", "status_date": "31/02/2027"},
        "status_date",
        "31/02/2027",
        "status_date must be a date written YYYY-MM-DD (e.g. 2026-09-01)",
    ),
    (
        "R140",
        {"planned_places_change": 4, "planned_change_date": "next year"},
        "planned_change_date",
        "next year",
        "planned_change_date must be a date written YYYY-MM-DD (e.g. 2026-09-01)",
    ),
    (
        "R150",
        {"postcode": "", "easting": "", "northing": ""},
        "postcode",
        None,
        "no location: give a postcode, coordinates or a ward_code",
    ),
    (
        "R151",
        {"easting": X + 5000},
        "easting",
        str(float(X + 5000)),
        "easting does not place the provider in any ward of the area",
    ),
    (
        "R151",
        {"easting": "", "northing": "", "latitude": 60.1, "longitude": -1.2},
        "latitude",
        "60.1",
        "latitude does not place the provider in any ward of the area",
    ),
    (
        "R151",
        {"easting": "", "northing": ""},
        "postcode",
        "ZT1 1AA",
        "postcode does not place the provider in any ward of the area",
    ),
    (
        "R151",
        {"easting": "", "northing": "", "postcode": "", "ward_code": "E05999999"},
        "ward_code",
        "E05999999",
        "ward_code does not place the provider in any ward of the area",
    ),
    (
        "R160",
        {"ofsted_grade": "satisfactory"},
        "ofsted_grade",
        "satisfactory",
        "ofsted_grade must be outstanding, good, requires improvement, inadequate, met or not "
        "met (or Ofsted's code 1-4); leave it empty where the setting has no grade yet",
    ),
    (
        "R161",
        {"fee_hourly_2": "650"},
        "fee_hourly_2",
        "650",
        "fee_hourly_2 is above £200 an hour or £2,000 a week: write pounds (6.50), not pence (650)",
    ),
    (
        "R102",
        {"charges_weekly": "-5"},
        "charges_weekly",
        "-5",
        "charges_weekly must not be negative",
    ),
    ("R101", {"fee_hourly_3_4": "£6"}, "fee_hourly_3_4", "£6", "fee_hourly_3_4 must be a number"),
]


@pytest.mark.parametrize(
    ("code", "changes", "column", "value", "message"), CASES, ids=[f"{c[0]}-{c[2]}" for c in CASES]
)
def test_a_row_that_breaks_a_rule(tmp_path, code, changes, column, value, message):
    # A lookup without the row's postcode (with no lookup at all, a postcode-only row is
    # refused before the rules run: test_a_postcode_only_return_needs_a_lookup).
    checked = check(
        tmp_path, [good(), good(**{"urn": "EY100002", **changes})], postcodes=NO_POSTCODES
    )
    problem = only(checked, code)
    assert problem == {
        "file": "returns.csv",
        "row": 3,
        "column": column,
        "value": value,
        "code": code,
        "severity": "error",
        "message": message,
    }
    assert not checked.ok and checked.returns is None


def test_r205_a_very_large_count_is_a_warning_with_its_value(tmp_path):
    checked = check(tmp_path, [good(), good(urn="EY100002", waiting_2="2,500")])
    assert checked.ok
    warning = only(checked, "R205")
    assert (warning["row"], warning["column"], warning["value"]) == (3, "waiting_2", "2,500")
    assert warning["message"] == "waiting_2 is above 1,000: check it"


def test_r208_a_high_fee_is_a_warning_and_grades_and_prices_are_read(tmp_path):
    rows = [
        good(ofsted_grade="Requires Improvement", fee_hourly_2=6.5, charges_weekly=10),
        good(urn="EY100002", ofsted_grade="2", fee_hourly_under2="45"),
        good(urn="EY100003", ofsted_grade=""),
    ]
    checked = check(tmp_path, rows)
    assert checked.ok
    warning = only(checked, "R208")
    assert (warning["row"], warning["column"], warning["value"]) == (3, "fee_hourly_under2", "45")
    returns = checked.returns
    assert returns["ofsted_grade"].tolist() == ["requires_improvement", "good", pd.NA]
    assert returns["fee_hourly_2"].tolist()[0] == 6.5
    assert returns["charges_weekly"].tolist()[0] == 10.0


def test_an_unknown_grade_or_a_price_in_pence_stops_a_run_naming_file_row_and_column(tmp_path):
    path = tmp_path / "returns-2026-autumn.csv"
    pd.DataFrame([good(), good(urn="EY100002", ofsted_grade="Excellent")]).to_csv(path, index=False)
    with pytest.raises(InputError) as caught:
        read_return(path)
    assert (caught.value.row, caught.value.column, caught.value.value) == (
        3,
        "ofsted_grade",
        "Excellent",
    )
    pd.DataFrame([good(fee_hourly_3_4=700)]).to_csv(path, index=False)
    with pytest.raises(InputError, match="far beyond any childcare price") as caught:
        read_return(path)
    assert (caught.value.row, caught.value.column) == (2, "fee_hourly_3_4")


@pytest.mark.parametrize(
    ("code", "changes", "column", "value", "message"),
    [
        (
            "R206",
            {"places_holiday": 30},
            "places_holiday",
            "30",
            "places_holiday is given but holiday_weeks is not: the places are counted as "
            "running every week of the school holidays; give the weeks",
        ),
        (
            "R207",
            {"holiday_weeks": 6},
            "holiday_weeks",
            "6",
            "holiday_weeks is given but places_holiday is not: give the holiday places too",
        ),
    ],
)
def test_holiday_places_and_weeks_apart_are_warnings(
    tmp_path, code, changes, column, value, message
):
    checked = check(tmp_path, [good(**changes)])
    problem = only(checked, code)
    assert problem["severity"] == "warning" and checked.ok
    assert (problem["row"], problem["column"], problem["value"], problem["message"]) == (
        2,
        column,
        value,
        message,
    )


def test_a_postcode_only_return_needs_a_lookup(tmp_path):
    rows = [good(), good(urn="EY100002", easting="", northing="")]
    with pytest.raises(InputError) as caught:
        check(tmp_path, rows)
    assert str(caught.value) == (
        "returns.csv, row 3, column 'postcode': 1 provider(s) have a postcode but no coordinates "
        "or ward code, and the area has no postcode lookup (postcodes.csv) (found 'ZT1 1AA'). "
        "Give the area a postcode lookup: sufficiency import postcodes ONSPD.csv --area DIR "
        "(the ONS Postcode Directory or NSPL) writes postcodes.csv; or add latitude and longitude"
    )


def test_r204_a_return_with_every_figure_left_blank_is_an_error(tmp_path):
    staff = ["staff_total", "staff_unqualified", "staff_level2", "staff_level3", "staff_level6"]
    blank = dict.fromkeys(staff, "")
    blank |= {f"{k}_{g}": "" for k in ("vacancies", "children") for g in ("under2", "2", "3_4")}
    rows = [
        good(),
        good(urn="EY100002", **blank),
        good(urn="EY100003", status="new", **blank),
        good(urn="EY100004", status="closed", status_date="2026-08-31", **blank),
    ]
    checked = check(tmp_path, rows)
    # Only the open provider's row: a new setting, or a closed one, may leave them blank.
    assert not checked.ok  # an error blocks the ingest
    assert checked.errors[["row", "code", "column"]].values.tolist() == [[3, "R204", "staff_total"]]
    assert checked.errors["message"].iloc[0] == (
        "every figure of this return is blank (vacancies, children on roll and staff), so it is "
        "not a return: fill in this term's figures, or delete the row if the provider has not "
        "returned (was a pre-filled template sent back untouched?)"
    )
    # One figure given (children on roll) is a return: no R204.
    checked = check(tmp_path, [good(), good(urn="EY100002", **{**blank, "children_3_4": 12})])
    assert "R204" not in set(checked.problems["code"])


def test_r111_children_on_roll_above_registered_places_is_only_a_warning(tmp_path):
    # 40 places for 3-4s, all 40 registered; 52 part-time children on roll (40 + 12 two-year-
    # olds): 52 > 40 is normal with part-time children, so the return is stored with a warning.
    checked = check(tmp_path, [good(children_2=12)])
    TESTED.add("R111")
    assert checked.ok and checked.errors.empty
    assert checked.warnings[["row", "code", "column", "value"]].values.tolist() == [
        [2, "R111", "registered_places", "40"]
    ]
    assert checked.warnings["message"].iloc[0] == (
        "children on roll (children_under2 + children_2 + children_3_4) must not be more than "
        "registered_places; normal with part-time children, check the figures"
    )
    # 41 places offered at one time against 40 registered is an error (R113, in CASES).


def test_r100_a_missing_required_column_is_reported_once_on_the_header(tmp_path):
    checked = check(tmp_path, [good(), good(urn="EY100002")], drop=["places_2"])
    problem = only(checked, "R100")
    assert problem == {
        "file": "returns.csv",
        "row": 1,
        "column": "places_2",
        "value": None,
        "code": "R100",
        "severity": "error",
        "message": "the file has no places_2 column; every return needs it",
    }


def test_r121_a_urn_twice_in_the_term_is_reported_on_every_row_and_across_files(tmp_path):
    pd.DataFrame([good()]).to_csv(tmp_path / "a.csv", index=False)
    pd.DataFrame([good(urn=" ey100001")]).to_csv(tmp_path / "b.csv", index=False)
    checked = check_files([tmp_path / "a.csv", tmp_path / "b.csv"], AUTUMN, wards=WARDS)
    TESTED.add("R121")
    problems = checked.problems
    assert list(problems["code"]) == ["R121", "R121"]
    assert list(problems["file"]) == ["a.csv", "b.csv"]
    assert list(problems["row"]) == [2, 2]
    assert set(problems["message"]) == {
        "urn is given more than once for this term; keep one row per provider"
    }


def test_r001_and_r002_files_that_cannot_be_read_or_hold_no_rows(tmp_path):
    (tmp_path / "broken.xlsx").write_bytes(b"not a workbook")
    (tmp_path / "header.csv").write_text("urn,provider_type\n")
    pd.DataFrame([good()]).to_csv(tmp_path / "fine.csv", index=False)
    paths = [tmp_path / n for n in ["broken.xlsx", "header.csv", "fine.csv"]]
    checked = check_files(paths, AUTUMN, wards=WARDS)
    TESTED.update({"R001", "R002"})
    problems = checked.problems
    assert list(problems["file"]) == ["broken.xlsx", "header.csv"]
    assert list(problems["code"]) == ["R001", "R002"]
    assert problems["row"].isna().all()
    assert (
        checked.problems["message"]
        .iloc[0]
        .startswith("the file cannot be read: cannot be read as an Excel workbook")
    )
    assert checked.problems["message"].iloc[1] == "the file has no rows of data"


def _history(tmp_path: Path, terms: dict[str, list[dict]]) -> pd.DataFrame:
    frames = []
    for term, rows in terms.items():
        path = tmp_path / f"returns-{term}.csv"
        pd.DataFrame(rows).to_csv(path, index=False)
        frames.append(read_return(path))
    return pd.concat(frames, ignore_index=True)


def test_r201_vacancies_unchanged_for_three_terms_is_a_warning(tmp_path):
    # vacancies_3_4 = 2 in spring, summer and autumn: a warning; vacancies_2 = 0 throughout
    # is left alone (a full setting stays full).
    history = _history(tmp_path, {"2026-spring": [good()], "2026-summer": [good()]})
    checked = check(tmp_path, [good()], history=history, known_urns={"EY100001"})
    problem = only(checked, "R201")
    assert problem == {
        "file": "returns.csv",
        "row": 2,
        "column": "vacancies_3_4",
        "value": "2",
        "code": "R201",
        "severity": "warning",
        "message": "vacancies_3_4 is the same as in the last two terms' returns; check it is "
        "up to date",
    }
    assert checked.ok and checked.returns is not None  # warnings do not block
    # A gap in the run (no summer return) is not three terms unchanged.
    history = _history(tmp_path, {"2026-spring": [good()]})
    assert check(tmp_path, [good()], history=history, known_urns={"EY100001"}).problems.empty


def test_r202_places_changed_by_more_than_half_is_a_warning(tmp_path):
    # 40 places for 3-4s last term; 19 now is a fall of 21 > 20.
    history = _history(tmp_path, {"2026-summer": [good(vacancies_3_4=3)]})
    rows = [good(places_3_4=19, registered_places=40, children_3_4=19, vacancies_3_4=1)]
    problem = only(check(tmp_path, rows, history=history, known_urns={"EY100001"}), "R202")
    assert problem["column"] == "places_3_4" and problem["value"] == "19"
    assert problem["severity"] == "warning"
    assert problem["message"] == (
        "places_3_4 changed by more than half since the provider's last return; check it"
    )
    rows = [good(places_3_4=20, children_3_4=20, vacancies_3_4=1)]  # exactly half: no warning
    assert check(tmp_path, rows, history=history, known_urns={"EY100001"}).problems.empty


def test_r203_a_provider_new_to_the_store_is_a_warning(tmp_path):
    history = _history(tmp_path, {"2026-summer": [good(vacancies_3_4=3)]})
    rows = [good(), good(urn="EY100002", vacancies_3_4=1)]
    problem = only(check(tmp_path, rows, history=history, known_urns={"EY100001"}), "R203")
    assert problem["row"] == 3 and problem["value"] == "EY100002"
    assert problem["message"] == "this provider is new to the store; check the URN"


def test_every_problem_in_a_file_is_reported_at_once(tmp_path):
    rows = [
        good(places_2="x"),
        good(urn="EY1", status="gone"),
        good(urn="EY100003", days_per_week=9),
    ]
    checked = check(tmp_path, rows)
    assert list(zip(checked.problems["row"], checked.problems["code"], strict=True)) == [
        (2, "R101"),
        (3, "R120"),
        (3, "R131"),
        (4, "R106"),
    ]


def test_rules_that_cannot_run_are_skipped_not_passed(tmp_path):
    checked = check(tmp_path, [good()], wards=None)
    result = checked.rules.set_index("code")["result"]
    assert result["R151"] == "skipped: no wards"
    assert result["R201"] == "skipped: no history"
    assert result["R110"] == "passed"


def test_every_rule_has_a_test():
    codes = {r.code for r in RULES} | set(FILE_CHECKS)
    assert {c[0] for c in CASES} | {
        "R001",
        "R002",
        "R100",
        "R111",
        "R121",
        "R201",
        "R202",
        "R203",
        "R204",
        "R205",
        "R206",
        "R207",
        "R208",
        "R209",
    } == codes


def test_the_registry_refuses_a_code_twice():
    rules = Registry()
    rules.rule("R900", "first", columns=["urn"])(lambda ctx: ctx.urn.isna())
    with pytest.raises(ValueError, match="rule code R900 is used twice"):
        rules.rule("R900", "second", columns=["urn"])(lambda ctx: ctx.urn.isna())
    with pytest.raises(ValueError, match="must be R and three digits"):
        rules.rule("X1", "bad", columns=["urn"])


def test_problem_lines_read_like_the_rest_of_the_package(tmp_path):
    checked = check(tmp_path, [good(vacancies_3_4=41)])
    assert problem_lines(checked.problems) == [
        "returns.csv, row 2, column 'vacancies_3_4': error R110: vacancies_3_4 must not be more "
        "than the places offered to that age group (found '41')"
    ]


def test_the_report_workbook_has_a_summary_and_neutralised_problems(tmp_path):
    checked = check(tmp_path, [good(provider_type='=HYPERLINK("x")')])
    path = write_report(checked, tmp_path / "report.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["summary", "problems", "files"]
    summary = [[c.value for c in row] for row in book["summary"].iter_rows()]
    assert summary[4][:2] == ["errors", 1]
    assert summary[6][:2] == ["result", "not stored: correct the errors and load again"]
    assert summary[8] == ["code", "severity", "message", "problems", "result"]
    r130 = next(r for r in summary if r[0] == "R130")
    assert r130[3:] == [1, "1 problem(s)"]
    problems = list(book["problems"].iter_rows(values_only=True))
    assert problems[0] == ("file", "row", "column", "value", "code", "severity", "message")
    assert problems[1][:5] == ("returns.csv", 2, "provider_type", '\'=HYPERLINK("x")', "R130")
    assert book["files"]["A2"].value == "returns.csv"


def test_many_files_are_typed_as_one_export_with_their_own_file_and_row(tmp_path):
    rows = [
        good(),
        good(urn="EY100002", vacancies_3_4="1.5", status_date="01/09/2026", status="new"),
    ]
    pd.DataFrame(rows).to_csv(tmp_path / "returns-2026-autumn.csv", index=False)
    pd.DataFrame(rows[:1]).to_csv(tmp_path / "one.csv", index=False)
    pd.DataFrame(rows[1:]).to_excel(tmp_path / "two.xlsx", index=False)
    checked = check_files([tmp_path / "one.csv", tmp_path / "two.xlsx"], AUTUMN, wards=WARDS)
    assert checked.ok, problem_lines(checked.problems)
    export = read_return(tmp_path / "returns-2026-autumn.csv")
    typed = checked.returns
    assert list(typed["source_file"]) == ["one.csv", "two.xlsx"]
    assert list(typed["source_row"]) == [2, 2]
    same = [
        c for c in export.columns if c not in ("source_file", "source_row", "easting", "northing")
    ]
    pd.testing.assert_frame_equal(typed[same], export[same])


def test_r209_a_ward_code_the_coordinates_or_postcode_contradict_is_a_warning_naming_both(
    tmp_path,
):
    TESTED.add("R209")
    x1, y1 = inside(1)
    # Postcode ZT2 2BB lies in the second ward (by the lookup's own ward code).
    lookup = pd.DataFrame(
        {"easting": [x1], "northing": [y1], "ward_code": ["E05000002"]},
        index=pd.Index(["ZT22BB"], name="postcode"),
    )
    rows = [
        good(ward_code="E05000001"),  # agrees with its coordinates: no warning
        good(urn="EY100002", ward_code="E05000002"),  # its coordinates are in the first ward
        good(urn="EY100003", easting="", northing="", postcode="ZT2 2BB", ward_code="E05000001"),
        good(urn="EY100004", ward_code="E05999999"),  # unknown code: placed by coordinates
    ]
    checked = check(tmp_path, rows, postcodes=lookup)
    assert checked.ok
    problems = checked.problems
    assert list(problems["code"]) == ["R209", "R209"], problem_lines(problems)
    assert problems[["row", "column", "value", "severity"]].values.tolist() == [
        [3, "ward_code", "E05000002", "warning"],
        [4, "ward_code", "E05000001", "warning"],
    ]
    assert list(problems["message"]) == [
        "ward_code is not the ward the provider's coordinates fall in (E05000001 Ward "
        "E05000001; the code given is E05000002 Ward E05000002): the provider is counted in "
        "the ward_code's ward; correct whichever is wrong",
        "ward_code is not the ward the provider's postcode falls in (E05000002 Ward "
        "E05000002; the code given is E05000001 Ward E05000001): the provider is counted in "
        "the ward_code's ward; correct whichever is wrong",
    ]
    # The provider is counted where its ward_code says (geography.locate keeps a known code).
    assert list(checked.returns["ward_code"]) == [
        "E05000001",
        "E05000002",
        "E05000001",
        "E05999999",
    ]
