"""The return template: a workbook a provider (or the team) fills in for a term.

The choice: one workbook whose first sheet, ``return``, has the DATA.md columns in their order
(so ``sufficiency ingest`` reads it as it is), drop-down lists for ``provider_type`` and
``status``, whole-number checks on the counts, and an ``instructions`` sheet that says what each
column means. Where the area has a store, every provider it knows that has not closed gets a row
pre-filled from its latest return: URN, name, type, postcode, location, opening pattern and
places, so providers only change what changed. Everything else (children, vacancies, staff...)
is left empty, to be given afresh each term.
"""

from __future__ import annotations

from pathlib import Path
from typing import cast

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ..outputs._escape import cell_text
from ..supply import latest_returns, open_at
from ..terms import Term
from .reader import (
    COUNTS,
    HOLIDAY_WEEKS_MOST,
    OPENING,
    PLACES,
    PROVIDER_TYPES,
    RETURN_COLUMNS,
    STATUSES,
    VACANCIES,
)

#: Columns copied from a provider's latest return; the rest is filled in afresh each term.
PREFILLED = [
    "urn",
    "provider_name",
    "provider_type",
    "postcode",
    "latitude",
    "longitude",
    "easting",
    "northing",
    "ward_code",
    "registered_places",
    *PLACES,
    *OPENING,
]
COORDINATES = ["latitude", "longitude", "easting", "northing"]
BLANK_ROWS = 500
MEANING = {
    "urn": "Ofsted URN: six digits, or EY and six digits",
    "provider_name": "name as registered with Ofsted",
    "provider_type": "pick from the list: " + ", ".join(PROVIDER_TYPES),
    "postcode": "full postcode of the setting",
    "latitude": "optional: latitude (with longitude), if there is no postcode",
    "longitude": "optional: longitude (with latitude)",
    "easting": "optional: easting in metres (British National Grid), with northing",
    "northing": "optional: northing in metres (British National Grid)",
    "ward_code": "optional: ward code (E05...), if known",
    "registered_places": "Ofsted registered places",
    "places_under2": "places offered to children under 2",
    "places_2": "places offered to 2-year-olds",
    "places_3_4": "places offered to 3- and 4-year-olds",
    "hours_per_day": "hours open a day (at most 24)",
    "days_per_week": "days open a week (at most 7)",
    "weeks_per_year": "weeks open a year (at most 52)",
    "children_under2": "children under 2 on roll",
    "children_2": "2-year-olds on roll",
    "children_3_4": "3- and 4-year-olds on roll",
    "funded_under2_working": "under 2s taking the working parents entitlement",
    "funded_2_working": "2-year-olds taking the working parents entitlement",
    "funded_2_disadvantaged": "2-year-olds taking the disadvantaged 2s entitlement",
    "funded_3_4_universal": "3-4s taking the universal 15 hours",
    "funded_3_4_extended": "3-4s taking the extended (30 hours) entitlement",
    "vacancies_under2": "places free now for under 2s, as full-time places (no more than places)",
    "vacancies_2": "places free now for 2-year-olds, as full-time places",
    "vacancies_3_4": "places free now for 3-4s, as full-time places",
    "waiting_under2": "under 2s on the waiting list",
    "waiting_2": "2-year-olds on the waiting list",
    "waiting_3_4": "3-4s on the waiting list",
    "staff_total": "staff in post working with children (the four columns after add up to it)",
    "staff_unqualified": "of whom: no early years qualification",
    "staff_level2": "of whom: highest qualification level 2",
    "staff_level3": "of whom: highest qualification level 3",
    "staff_level6": "of whom: level 6 (graduate, QTS or EYT)",
    "staff_vacancies": "staff posts vacant now",
    "staff_leavers": "staff who left this term",
    "staff_recruits": "staff who joined this term",
    "leaver_reasons": "why staff left, separated by ; (e.g. pay; hours; left the sector)",
    "send_children": "children with SEND on roll",
    "status": "pick from the list: open (or leave empty), new, closing, closed",
    "status_date": "date a new, closing or closed status takes effect (YYYY-MM-DD)",
    "planned_places_change": "places to be added (or, negative, removed)",
    "planned_change_date": "when the change takes effect (YYYY-MM-DD)",
    "ofsted_grade": "optional: latest Ofsted grade (outstanding, good, requires improvement, "
    "inadequate, met, not met); empty if not yet inspected",
    "fee_hourly_under2": "optional: hourly fee for paid hours, under 2s (pounds, e.g. 6.50)",
    "fee_hourly_2": "optional: hourly fee for paid hours, 2-year-olds (pounds)",
    "fee_hourly_3_4": "optional: hourly fee for paid hours, 3-4s (pounds)",
    "charges_weekly": "optional: charges a week for consumables and meals (pounds; 0 if none)",
    "places_breakfast": "optional: breakfast-club places for primary children, a session "
    "(each school day)",
    "places_after_school": "optional: after-school-club places for primary children, a session",
    "places_holiday": "optional: holiday-care places for primary children, a day",
    "holiday_weeks": "optional: weeks of the school holidays the holiday places run (at most 13)",
    "term": "the term this return is for",
}


def prefill_rows(returns: pd.DataFrame | None, term: Term | None) -> pd.DataFrame:
    """One row per provider the store knows that has not closed by ``term``, from its latest
    return (``PREFILLED`` columns), sorted by URN.

    ``term`` defaults to the one after the store's latest.
    """
    if returns is None or returns.empty:
        return pd.DataFrame(columns=PREFILLED)
    index = returns["term"].map(lambda t: Term.parse(t).index).astype("int64")
    ordered = returns.assign(term_index=index).sort_values(["term_index", "urn"], kind="stable")
    term = term or Term(int(index.max()) + 1)
    states = latest_returns(ordered, Term(max(term.index, int(index.max()))))
    keep = open_at(states, term) | (states["status"] == "new").to_numpy()
    return states.loc[keep, PREFILLED].sort_values("urn").reset_index(drop=True)


def write_template(
    path: str | Path, *, term: Term | None = None, returns: pd.DataFrame | None = None
) -> int:
    """Write the template workbook; return how many providers were pre-filled.

    Parameters
    ----------
    path
        The ``.xlsx`` to write.
    term
        The term it is for: adds a ``term`` column, filled in on pre-filled rows.
    returns
        The store's returns (``store.load_returns``), to pre-fill from; ``None`` for a blank.
    """
    columns = [*RETURN_COLUMNS, *(["term"] if term else [])]
    rows = prefill_rows(returns, term)
    book = Workbook()
    sheet = book.active
    sheet.title = "return"
    sheet.append(columns)
    for record in rows.itertuples(index=False):
        values = dict(zip(PREFILLED, record, strict=True))
        sheet.append(
            [_cell(values.get(c), c) for c in columns[: len(RETURN_COLUMNS)]]
            + ([str(term)] if term else [])
        )
    _format(sheet, columns, len(rows) + BLANK_ROWS + 1)
    _instructions(book.create_sheet("instructions"), term, len(rows))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return len(rows)


def _cell(value: object, column: str) -> object:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return None
    if column in COUNTS or column in OPENING or column in COORDINATES:
        try:
            number = float(cast(str | float, value))  # a number, or text that may be one
        except ValueError:
            return cell_text(str(value))
        return int(number) if number.is_integer() else number
    return cell_text(str(value))


def _format(sheet: Worksheet, columns: list[str], last_row: int) -> None:
    header = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for i, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=i)
        cell.font, cell.fill = header, fill
        letter = get_column_letter(i)
        sheet.column_dimensions[letter].width = max(12, len(column) + 2)
        if column in ("urn", "postcode", "ward_code", "term"):
            for row in range(2, last_row + 1):
                sheet.cell(row=row, column=i).number_format = "@"
        if column.endswith("_date"):
            for row in range(2, last_row + 1):
                sheet.cell(row=row, column=i).number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "B2"
    position = {c: get_column_letter(i) for i, c in enumerate(columns, start=1)}

    def validate(kind: str, column: str, message: str, **options: str) -> None:
        rule = DataValidation(
            type=kind,
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=column,
            error=message,
            **options,
        )
        rule.add(f"{position[column]}2:{position[column]}{last_row}")
        sheet.add_data_validation(rule)

    validate(
        "list",
        "provider_type",
        "Pick a provider type from the list",
        formula1='"' + ",".join(PROVIDER_TYPES) + '"',
    )
    validate(
        "list",
        "status",
        "Pick a status from the list (empty means open)",
        formula1='"' + ",".join(STATUSES) + '"',
    )
    for column in COUNTS:
        kind = "decimal" if column in VACANCIES else "whole"
        validate(kind, column, "A number, 0 or more", operator="greaterThanOrEqual", formula1="0")
    for column, top in [
        ("hours_per_day", 24),
        ("days_per_week", 7),
        ("weeks_per_year", 52),
        ("holiday_weeks", HOLIDAY_WEEKS_MOST),
    ]:
        validate(
            "decimal",
            column,
            f"A number from 0 to {top}",
            operator="between",
            formula1="0",
            formula2=str(top),
        )


def _instructions(sheet: Worksheet, term: Term | None, prefilled: int) -> None:
    lines = [
        [f"Childcare provider return{f' for {term}' if term else ''}"],
        [],
        ["Fill in one row per setting on the 'return' sheet; do not rename or move its columns."],
        [
            "Rows already filled in are from your last return: check them and change what has "
            "changed, then fill in the rest."
            if prefilled
            else "Add one row for each setting."
        ],
        [
            "Counts are whole numbers (vacancies may be fractions of a full-time place); leave a "
            "cell empty if you do not know."
        ],
        ["Dates are written YYYY-MM-DD, for example 2026-09-01."],
        [],
        ["column", "what to give"],
        *([c, MEANING.get(c, "")] for c in [*RETURN_COLUMNS, *(["term"] if term else [])]),
    ]
    for line in lines:
        sheet.append(line)
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A8"].font = sheet["B8"].font = Font(bold=True)
    sheet.column_dimensions["A"].width = 26
    sheet.column_dimensions["B"].width = 90
    for row in sheet.iter_rows(min_row=2, max_row=6):
        row[0].alignment = Alignment(wrap_text=False)
