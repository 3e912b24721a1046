"""Workbooks a person can read, written the same way every time.

For an officer rather than a program (:func:`write_sheets` with ``readable=True``): sheet names
in words ("Gap by ward", not ``gap``), column headings in words with the field names kept on a
data dictionary sheet (``fields.py``), age groups by the ages they cover ("2-year-olds (24 to
35 months)", not the text "2"), an "About" sheet first that says what each sheet is and how
to read the figures. Every sheet gets a frozen header row (and the columns that name the row:
scenario, term, ward, age group), a filter, wrapped headings, column widths that fit, and
numbers stored as numbers and shown with thousands separators (places to one decimal, counts
of terms and points whole, shares and chances as percentages). Text cells are neutralised
against formulas (``_escape.py``), headings too.

openpyxl stamps the time of saving into the document properties and the zip entries; both are
fixed here so that the same inputs give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ._escape import cell_text, frame_for_spreadsheet
from .fields import AGE_LABELS, heading, meaning

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

FIXED_TIME = dt.datetime(2026, 1, 1)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def fixed_zip(data: bytes, stamp: dt.datetime = FIXED_TIME) -> bytes:
    """The same xlsx (a zip) with fixed entry times and a fixed 'modified' property."""
    text = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + text + rb"\g<2>",
                    content,
                )
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            target.writestr(fixed, content)
    return out.getvalue()


# Sheet name -> the name a reader sees (at most 31 characters, Excel's limit).
SHEET_NAMES = {
    "gap": "Gap by ward",
    "comparison": "Scenario comparison",
    "ward_summary": "Ward summary",
    "calibration": "Take-up fit",
    "scenarios": "Scenarios",
    "school_age": "School-age childcare",
    "send": "SEND",
    "affordability": "Affordability",
    "disadvantaged_2s": "Disadvantaged 2s",
    "notes": "Notes",
    "parameters": "Parameters",
    "trends": "Trends",
    "leaver_reasons": "Leaver reasons",
    "resilience": "Resilience",
    "single_setting": "Single-setting wards",
    "plan": "Plan",
}
ABOUT, DICTIONARY = "About", "Data dictionary"
# Columns that name a row: frozen beside the header, so they stay on screen.
KEY_FIELDS = ("scenario", "term", "ward_code", "ward_name", "age_group", "entitlement", "urn")
WHOLE_FIELDS = {"terms_in_deficit", "demand_points", "terms_changed", "waiting_list"}
PERCENT_FIELDS = {"p_deficit"}
SHARE_FIELDS = {"ratio", "take_up", "take_up_calibrated"}
PLACES_FORMAT, WHOLE_FORMAT, PERCENT_FORMAT = "#,##0.0", "#,##0", "0%"
SHARE_FORMAT, GENERAL = "0.000", "General"


def sheet_name(name: str) -> str:
    """The sheet's name in words.

    >>> sheet_name("ward_summary"), sheet_name("my_extra_table")
    ('Ward summary', 'My extra table')
    """
    return SHEET_NAMES.get(name, name.replace("_", " ").capitalize())[:31]


def number_format(field: str, values: pd.Series) -> str:
    """The Excel number format of a column's numbers.

    >>> number_format("p_deficit", pd.Series([0.25])), number_format("terms_in_deficit",
    ...     pd.Series([3])), number_format("gap_places", pd.Series([1.5]))
    ('0%', '#,##0', '#,##0.0')
    >>> number_format("value", pd.Series([0.05, "a", True]))
    'General'
    """
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return GENERAL  # text, or numbers mixed with text (a parameter's value)
    if field in PERCENT_FIELDS or field.startswith("p_deficit"):
        return PERCENT_FORMAT
    if field in SHARE_FIELDS:
        return SHARE_FORMAT
    if field in WHOLE_FIELDS or pd.api.types.is_integer_dtype(values):
        return WHOLE_FORMAT
    return PLACES_FORMAT


def readable_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Headings in words and age groups by their ages; numbers untouched."""
    out = frame.copy()
    for column in out.columns:
        if str(column) == "age_group" or str(column).endswith("age_groups"):
            out[column] = out[column].map(lambda v: AGE_LABELS.get(str(v), v) if pd.notna(v) else v)
    out.columns = [heading(str(c)) for c in out.columns]
    return out


def dictionary_frame(sheets: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per sheet and column: the sheet, the heading, the field name, the meaning."""
    rows = [
        {
            "Sheet": sheet_name(name),
            "Column heading": heading(str(column)),
            "Field name (gap.csv and other files)": str(column),
            "Meaning": meaning(str(column)),
        }
        for name, frame in sheets.items()
        for column in frame.columns
    ]
    return pd.DataFrame(rows)


def style_sheet(
    sheet: Worksheet, formats: Sequence[str | None] = (), *, frozen_columns: int = 0
) -> None:
    """Frozen header (and the first ``frozen_columns``), a filter on every column, wrapped
    headings, widths that fit, and each column's number format (``formats``, by position;
    one-decimal places where not given)."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    sheet.freeze_panes = f"{get_column_letter(frozen_columns + 1)}2"
    if sheet.max_row > 1:
        sheet.auto_filter.ref = sheet.dimensions
    for i, column in enumerate(sheet.columns):
        head, cells = column[0], column[1:]
        head.font = Font(bold=True)
        head.alignment = Alignment(wrap_text=True, vertical="top")
        longest = max(
            (
                len(f"{c.value:,.1f}" if isinstance(c.value, float) else str(c.value))
                for c in cells
                if c.value is not None
            ),
            default=0,
        )
        # A heading wraps onto at most three lines of the width its values need.
        width = max(longest, min(len(str(head.value or "")), 18), -(-len(str(head.value)) // 3))
        sheet.column_dimensions[column[0].column_letter].width = min(60, max(8, width + 2))
        if width + 2 > 60:  # long text (notes, sources): wrapped in the column
            for cell in cells:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        fmt = formats[i] if i < len(formats) else None
        for cell in cells:
            if isinstance(cell.value, bool):
                continue
            if isinstance(cell.value, int | float):
                cell.number_format = fmt or PLACES_FORMAT
    sheet.row_dimensions[1].height = 45 if sheet.max_column > 1 else None


def _about_sheet(sheet: Worksheet) -> None:
    from openpyxl.styles import Alignment, Font

    sheet.column_dimensions["A"].width = 110
    for row in sheet.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet["A1"].font = Font(bold=True, size=14)


def write_sheets(
    path: Path,
    sheets: dict[str, pd.DataFrame],
    *,
    readable: bool = False,
    about: Sequence[str] = (),
) -> None:
    """Write frames as sheets (text neutralised against formulas), styled and reproducible.

    ``readable``: sheet names and headings in words, age groups by their ages, a data
    dictionary sheet last and, when ``about`` lines are given, an "About" sheet first.
    """
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        if readable and about:
            pd.DataFrame({"About this workbook": list(about)}).map(cell_text).to_excel(
                writer, sheet_name=ABOUT, index=False
            )
            _about_sheet(writer.sheets[ABOUT])
        for name, frame in sheets.items():
            formats = [number_format(str(c), frame[c]) for c in frame.columns]
            shown = readable_frame(frame) if readable else frame
            title = sheet_name(name) if readable else name
            frame_for_spreadsheet(shown).to_excel(writer, sheet_name=title, index=False)
            keys = 0
            for column in frame.columns:
                if str(column) not in KEY_FIELDS:
                    break
                keys += 1
            style_sheet(writer.sheets[title], formats, frozen_columns=keys if readable else 0)
        if readable:
            dictionary = dictionary_frame(sheets)
            frame_for_spreadsheet(dictionary).to_excel(writer, sheet_name=DICTIONARY, index=False)
            style_sheet(writer.sheets[DICTIONARY], frozen_columns=2)
            writer.sheets[DICTIONARY].column_dimensions["D"].width = 90
        writer.book.properties.creator = "sufficiency"
        writer.book.properties.created = FIXED_TIME
    path.write_bytes(fixed_zip(buffer.getvalue()))
