"""The return template: pre-filled from the store, filled in, ingested, equal on the way back."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
from conftest import inside, provider, ward_polygons

from sufficiency.returns import store
from sufficiency.returns.reader import PROVIDER_TYPES, RETURN_COLUMNS, STATUSES, read_return
from sufficiency.returns.template import PREFILLED, write_template
from sufficiency.returns.validation import check_files
from sufficiency.terms import Term

WARDS = ward_polygons(["E05000001", "E05000002"])
X, Y = inside(0)
SUMMER = Term.parse("2026-summer")


def _spring_store(folder: Path) -> Path:
    rows = [
        provider(easting=X, northing=Y),
        provider(
            urn="123456",
            provider_name="Jo's Childminding",
            provider_type="childminder",
            postcode="ZT1 2BB",
            easting=X + 1000,
            northing=Y,
            registered_places=6,
            places_2=2,
            places_3_4=4,
            children_3_4=4,
            vacancies_3_4=0,
            staff_total=1,
            staff_level2=0,
            staff_level3=1,
            hours_per_day=9.5,
        ),
        provider(
            urn="EY100003",
            provider_name="Closing Down",
            easting=X,
            northing=Y,
            status="closed",
            status_date="2026-03-31",
        ),
    ]
    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_csv(folder / "returns-2026-spring.csv", index=False)
    checked = check_files(
        [folder / "returns-2026-spring.csv"], Term.parse("2026-spring"), wards=WARDS
    )
    assert checked.ok, checked.problems
    store.ingest(folder / "sufficiency.sqlite", checked)
    return folder / "sufficiency.sqlite"


# What the test types into the template for the summer term, per URN (new provider last).
FILLED = {
    "EY100001": {
        "children_3_4": 38,
        "vacancies_3_4": 2.5,
        "waiting_3_4": 4,
        "staff_total": 5,
        "staff_level2": 1,
        "staff_level3": 4,
        "staff_vacancies": 1,
        "staff_leavers": 1,
        "staff_recruits": 1,
        "leaver_reasons": "pay; hours",
        "send_children": 2,
        "funded_3_4_universal": 30,
        "places_3_4": 36,
    },
    "123456": {
        "children_2": 2,
        "children_3_4": 4,
        "staff_total": 1,
        "staff_level3": 1,
        "status": "closing",
        "status_date": dt.datetime(2026, 12, 18),
        "planned_places_change": -2,
        "planned_change_date": dt.datetime(2026, 9, 1),
    },
}
NEW = {
    "urn": "EY100009",
    "provider_name": "Sunbeams",
    "provider_type": "pre_school",
    "postcode": "ZT9 9ZZ",
    "easting": X,
    "northing": Y,
    "registered_places": 24,
    "places_under2": 0,
    "places_2": 8,
    "places_3_4": 16,
    "hours_per_day": 6,
    "days_per_week": 5,
    "weeks_per_year": 38,
    "status": "new",
    "status_date": dt.datetime(2026, 9, 1),
}


def test_a_filled_in_template_ingests_and_comes_back_equal(tmp_path):
    path = _spring_store(tmp_path / "area")
    out = tmp_path / "return-2026-summer.xlsx"
    assert write_template(out, term=SUMMER, returns=store.load_returns(path)) == 2

    book = openpyxl.load_workbook(out)
    sheet = book["return"]
    header = [c.value for c in sheet[1]]
    assert header == [*RETURN_COLUMNS, "term"]
    column = {name: i + 1 for i, name in enumerate(header)}
    # Pre-filled from spring, sorted by URN; the closed provider is left out.
    assert [sheet.cell(r, 1).value for r in (2, 3, 4)] == ["123456", "EY100001", None]
    assert sheet.cell(2, column["provider_name"]).value == "Jo's Childminding"
    assert sheet.cell(2, column["hours_per_day"]).value == 9.5
    assert sheet.cell(3, column["places_3_4"]).value == 40
    assert sheet.cell(3, column["children_3_4"]).value is None  # given afresh each term
    assert sheet.cell(3, column["term"]).value == "2026-summer"

    for row, urn in [(2, "123456"), (3, "EY100001")]:
        for name, value in FILLED[urn].items():
            sheet.cell(row, column[name]).value = value
    for name, value in NEW.items():
        sheet.cell(4, column[name]).value = value
    book.save(out)

    checked = check_files(
        [out],
        SUMMER,
        wards=WARDS,
        history=store.load_returns(path),
        known_urns={"EY100001", "123456", "EY100003"},
    )
    assert checked.ok, checked.problems
    assert list(checked.warnings["code"]) == ["R203"]  # Sunbeams is new to the store
    store.ingest(path, checked)

    # The same figures written as a plain CSV and read directly give the stored rows.
    spring = read_return(tmp_path / "area" / "returns-2026-spring.csv").set_index("urn")
    expected = []
    for urn in ["123456", "EY100001"]:
        row = {
            c: spring.loc[urn, c] if c in spring.columns else None for c in PREFILLED if c != "urn"
        }
        expected.append({"urn": urn, **row, **FILLED[urn]})
    expected.append(NEW)
    csv = tmp_path / "expected.csv"
    pd.DataFrame(expected).reindex(columns=RETURN_COLUMNS).to_csv(csv, index=False)
    want = read_return(csv, SUMMER).drop(columns=["source_file", "source_row"])
    stored = store.load_returns(path)
    got = stored[stored["term"] == "2026-summer"].drop(columns=["source_file", "source_row"])
    want = want.sort_values("urn").reset_index(drop=True)
    got = got.reset_index(drop=True)
    # Coordinates are kept as the text given: "440500.0" in the CSV, 440500 in the workbook.
    for frame in (got, want):
        for c in ["easting", "northing"]:
            frame[c] = frame[c].astype(float).astype("string")
    pd.testing.assert_frame_equal(got, want)


def test_the_template_has_drop_downs_and_instructions(tmp_path):
    out = tmp_path / "blank.xlsx"
    assert write_template(out) == 0
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["return", "instructions"]
    sheet = book["return"]
    assert [c.value for c in sheet[1]] == RETURN_COLUMNS
    assert sheet.max_row == 1 or all(c.value is None for c in sheet[2])
    lists = {
        rule.formula1: str(rule.sqref)
        for rule in sheet.data_validations.dataValidation
        if rule.type == "list"
    }
    letter = {c.value: c.column_letter for c in sheet[1]}
    assert lists == {
        '"' + ",".join(PROVIDER_TYPES) + '"': f"{letter['provider_type']}2:"
        f"{letter['provider_type']}501",
        '"' + ",".join(STATUSES) + '"': f"{letter['status']}2:{letter['status']}501",
    }
    instructions = [row[0] for row in book["instructions"].iter_rows(values_only=True)]
    assert instructions[0] == "Childcare provider return"
    assert set(RETURN_COLUMNS) <= set(instructions)


def test_pre_filled_text_cannot_run_as_a_formula(tmp_path):
    folder = tmp_path / "area"
    folder.mkdir()
    pd.DataFrame([provider(provider_name='=HYPERLINK("http://x")', easting=X, northing=Y)]).to_csv(
        folder / "r.csv", index=False
    )
    checked = check_files([folder / "r.csv"], Term.parse("2026-spring"), wards=WARDS)
    store.ingest(folder / "sufficiency.sqlite", checked)
    out = tmp_path / "t.xlsx"
    write_template(out, returns=store.load_returns(folder / "sufficiency.sqlite"))
    sheet = openpyxl.load_workbook(out)["return"]
    assert sheet.cell(2, 2).value == '\'=HYPERLINK("http://x")'
