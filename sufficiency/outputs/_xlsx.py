"""Workbooks a person can read, written the same way every time.

Every sheet gets a frozen header row, a filter, column widths that fit and numbers shown with
one decimal (whole numbers as they are). openpyxl stamps the time of saving into the document
properties and the zip entries; both are fixed here so that the same inputs give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ._escape import frame_for_spreadsheet

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


def style_sheet(sheet: Worksheet) -> None:
    """Frozen header, a filter on every column, widths that fit, one-decimal numbers."""
    sheet.freeze_panes = "A2"
    if sheet.max_row > 1:
        sheet.auto_filter.ref = sheet.dimensions
    for column in sheet.columns:
        width = max(len(str(c.value)) if c.value is not None else 0 for c in column)
        sheet.column_dimensions[column[0].column_letter].width = min(60, max(8, width + 2))
        for cell in column[1:]:
            if isinstance(cell.value, float):
                cell.number_format = "#,##0.0"


def write_sheets(path: Path, sheets: dict[str, pd.DataFrame]) -> None:
    """Write frames as sheets (text neutralised against formulas), styled and reproducible."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame_for_spreadsheet(frame).to_excel(writer, sheet_name=name, index=False)
            style_sheet(writer.sheets[name])
        writer.book.properties.creator = "sufficiency"
        writer.book.properties.created = FIXED_TIME
    path.write_bytes(fixed_zip(buffer.getvalue()))
