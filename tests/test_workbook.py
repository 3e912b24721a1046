"""The workbook for people: sheet names and headings in words, an About sheet, a data
dictionary, frozen panes, filters, widths, numbers stored and shown as numbers, formulas escaped.

Opened with openpyxl as Excel would read it. The area is conftest's tiny one (two 1 km wards,
10 births a month, one 40-place nursery for 3-4s in ward 1), whose figures test_cli.py works
out by hand: in 2027-summer, ward 1's 3-4s are 190 children, 74.461 places of demand, a gap of
40 x 0.9 - 74.461 = -38.461 places.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import openpyxl
import pytest
from click.testing import CliRunner
from conftest import write_area

from sufficiency.cli.main import cli

HOSTILE = '=HYPERLINK("http://x","y")'


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> openpyxl.Workbook:
    folder = write_area(tmp_path_factory.mktemp("wb") / "area")
    wards = gpd.read_file(folder / "wards.geojson")
    wards.loc[1, "ward_name"] = HOSTILE
    wards.to_file(folder / "wards.geojson", driver="GeoJSON")
    out = Path(folder).parent / "out"
    result = CliRunner().invoke(cli, ["run", "--area", str(folder), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return openpyxl.load_workbook(out / "sufficiency.xlsx")


def header(sheet) -> list[str]:
    return [c.value for c in sheet[1]]


def test_sheets_have_names_in_words_with_about_first_and_the_dictionary_last(book):
    assert book.sheetnames == [
        "About",
        "Gap by ward",
        "Ward summary",
        "Take-up fit",
        "SEND",
        "Notes",
        "Parameters",
        "Data dictionary",
    ]
    about = [c.value for c in book["About"]["A"] if c.value]
    text = "\n".join(about)
    assert about[0] == "About this workbook"
    assert "INTERNAL" in text and "Do not publish" in text
    # The figures the rules are stated with are the run's parameters.
    assert "Gap = supply x utilisation (0.9) minus demand" in text
    assert "below -0.5 places" in text and "below 5% of demand" in text
    assert "Projected vacancies" in text and "not a second gap" in text
    assert "Under 2s, birth to 23 months" in text
    assert "  Gap by ward: one row per scenario" in text


def test_the_gap_sheet_reads_as_an_officer_wants(book):
    sheet = book["Gap by ward"]
    head = header(sheet)
    assert head[:14] == [
        "Scenario",
        "Funding term",
        "Ward code",
        "Ward",
        "Age group",
        "Children",
        "Funded children",
        "Demand (hours a week)",
        "Demand (full-time places)",
        "Supply (full-time places)",
        "Gap (full-time places)",
        "Places per 100 children",
        "Projected vacancies (places)",
        "Status",
    ]
    # Header row and the five columns that name a row frozen; a filter over every column.
    assert sheet.freeze_panes == "F2"
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}73"
    assert all(c.font.bold and c.alignment.wrap_text for c in sheet[1])
    rows = {
        (r[1].value, r[2].value, r[4].value): r for r in sheet.iter_rows(min_row=2) if r[0].value
    }
    row = rows[("2027-summer", "E05000001", "3- and 4-year-olds (3 years to school)")]
    children, gap, status = row[5], row[10], row[13]
    # Numbers stored as numbers, rounded to 0.1 and shown with one decimal.
    assert children.value == pytest.approx(190.0) and children.data_type == "n"
    assert gap.value == pytest.approx(-38.5) and gap.number_format == "#,##0.0"
    assert status.value == "deficit"
    # Age groups by their ages, never the text "2".
    ages = {r[4].value for r in rows.values()}
    assert ages == {
        "Under 2s (birth to 23 months)",
        "2-year-olds (24 to 35 months)",
        "3- and 4-year-olds (3 years to school)",
    }
    # Whole counts shown whole.
    points = head.index("Demand points")
    assert row[points].number_format == "#,##0"
    # Columns wide enough for their values and at least a third of their heading.
    widths = sheet.column_dimensions
    assert widths["D"].width >= len(HOSTILE) + 1  # the longest ward name, escaped
    assert widths["E"].width >= len("3- and 4-year-olds (3 years to school)")


def test_formulas_are_escaped_in_every_sheet(book):
    names = [r[3].value for r in book["Gap by ward"].iter_rows(min_row=2)]
    assert "'" + HOSTILE in names
    for sheet in book:
        for row in sheet.iter_rows():
            for cell in row:
                assert not (isinstance(cell.value, str) and cell.value.startswith("=")), (
                    sheet.title,
                    cell.coordinate,
                )
                assert cell.data_type != "f"


def test_the_dictionary_keeps_each_field_name_beside_its_heading(book):
    sheet = book["Data dictionary"]
    assert header(sheet) == [
        "Sheet",
        "Column heading",
        "Field name (gap.csv and other files)",
        "Meaning",
    ]
    entries = {(r[0].value, r[2].value): (r[1].value, r[3].value) for r in sheet.iter_rows(2)}
    heading, meaning = entries[("Gap by ward", "gap_places")]
    assert heading == "Gap (full-time places)"
    assert meaning.startswith("Supply x utilisation")
    heading, meaning = entries[("Gap by ward", "projected_vacancies")]
    assert "Not a second gap" in meaning
    assert entries[("Ward summary", "first_deficit_term")][0] == "First term in deficit"
    # Every column of every data sheet is listed, in order.
    for name in book.sheetnames[1:-1]:
        listed = [h for (s, _), (h, _) in entries.items() if s == name]
        assert listed == header(book[name])
    assert sheet.freeze_panes == "C2"


def test_shares_and_parameters_keep_their_digits(book):
    fit = book["Take-up fit"]
    head = header(fit)
    take_up = head.index("Take-up used")
    universal = next(r for r in fit.iter_rows(min_row=2) if r[1].value == "universal_3_4")
    # The run's universal take-up (defaults.toml: 0.9), three decimals.
    assert universal[take_up].value == pytest.approx(0.9)
    assert universal[take_up].number_format == "0.000"
    values = {r[0].value: r[1] for r in book["Parameters"].iter_rows(min_row=2)}
    # 0.05 shown as 0.05, not "0.1": parameters take Excel's General format.
    assert values["tight_margin"].value == pytest.approx(0.05)
    assert values["tight_margin"].number_format == "General"
