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
    from openpyxl import Workbook
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


def _cells(values: pd.Series) -> list[object]:
    """A column's cells as openpyxl takes them: Python values, ``None`` for a missing one."""
    missing = values.isna().to_numpy(bool)
    cells = values.astype(object).tolist()
    return [None if gone else v for v, gone in zip(cells, missing, strict=True)]


def _width(head: str, cells: Sequence[object]) -> int:
    """The width a column needs: its longest value, its heading wrapped onto at most three
    lines (headings up to 18 characters on one)."""
    longest = max(
        (len(f"{v:,.1f}" if isinstance(v, float) else str(v)) for v in cells if v is not None),
        default=0,
    )
    return max(longest, min(len(head), 18), -(-len(head) // 3))


def _stream_sheet(
    book: Workbook,
    title: str,
    frame: pd.DataFrame,
    formats: Sequence[str | None],
    frozen: int,
    widths: Mapping[str, float] | None = None,
) -> None:
    """One sheet written row by row (openpyxl's write-only mode): a bold, wrapped header
    row, frozen with the first ``frozen`` columns, a filter on every column, widths that
    fit, each column's number format (``formats`` by position; one-decimal places where not
    given) and long text wrapped in its column; ``widths`` by column letter override the fitted
    ones."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet(title)
    heads = [str(c) for c in frame.columns]
    columns = [_cells(frame[c]) for c in frame.columns]
    wrap = Alignment(wrap_text=True, vertical="top")
    wrapped = []
    for i, (head, cells) in enumerate(zip(heads, columns, strict=True)):
        width = _width(head, cells)
        sheet.column_dimensions[get_column_letter(i + 1)].width = min(60, max(8, width + 2))
        wrapped.append(width + 2 > 60)  # long text (notes, sources): wrapped in the column
    for letter, given in (widths or {}).items():
        sheet.column_dimensions[letter].width = given
    sheet.freeze_panes = f"{get_column_letter(frozen + 1)}2"
    if len(frame) and heads:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(heads))}{len(frame) + 1}"
    if len(heads) > 1:
        sheet.row_dimensions[1].height = 45
    bold = Font(bold=True)
    header = []
    for head in heads:
        cell = WriteOnlyCell(sheet, head)
        cell.font, cell.alignment = bold, wrap
        header.append(cell)
    sheet.append(header)
    numbers = [fmt or PLACES_FORMAT for fmt in (*formats, *[None] * len(heads))][: len(heads)]
    for row in zip(*columns, strict=True):
        out: list[object] = []
        for i, value in enumerate(row):
            numeric = isinstance(value, int | float) and not isinstance(value, bool)
            if value is None or not (numeric or wrapped[i]):
                out.append(value)
                continue
            cell = WriteOnlyCell(sheet, value)
            if numeric:
                cell.number_format = numbers[i]
            if wrapped[i]:
                cell.alignment = wrap
            out.append(cell)
        sheet.append(out)


def _stream_about(book: Workbook, lines: Sequence[str]) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font

    sheet = book.create_sheet(ABOUT)
    sheet.column_dimensions["A"].width = 110
    wrap = Alignment(wrap_text=True, vertical="top")
    for i, text in enumerate(["About this workbook", *lines]):
        cell = WriteOnlyCell(sheet, cell_text(text))
        cell.alignment = wrap
        if i == 0:
            cell.font = Font(bold=True, size=14)
        sheet.append([cell])


def write_sheets(
    path: Path,
    sheets: dict[str, pd.DataFrame],
    *,
    readable: bool = False,
    about: Sequence[str] = (),
) -> None:
    """Write frames as sheets (text neutralised against formulas), styled and reproducible.

    ``readable``: sheet names and headings in words, age groups by their ages, a data
    dictionary sheet last and, when ``about`` lines are given, an "About" sheet first. Rows
    are streamed (openpyxl's write-only mode), so a large gap table writes quickly.
    """
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    if readable and about:
        _stream_about(book, about)
    for name, frame in sheets.items():
        formats = [number_format(str(c), frame[c]) for c in frame.columns]
        shown = readable_frame(frame) if readable else frame
        title = sheet_name(name) if readable else name
        keys = 0
        for column in frame.columns:
            if str(column) not in KEY_FIELDS:
                break
            keys += 1
        _stream_sheet(book, title, frame_for_spreadsheet(shown), formats, keys if readable else 0)
    if readable:
        dictionary = frame_for_spreadsheet(dictionary_frame(sheets))
        _stream_sheet(book, DICTIONARY, dictionary, [], 2, widths={"D": 90})
    book.properties.creator = "sufficiency"
    book.properties.created = FIXED_TIME
    buffer = io.BytesIO()
    book.save(buffer)
    path.write_bytes(fixed_zip(buffer.getvalue()))
