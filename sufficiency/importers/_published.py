"""Finding a published file's header: the title and note rows above it, and which sheet.

Official statistics come with a title row and a note row above the header (Ofsted's
"Childcare providers and inspections" CSV has its header on row 3), and a workbook may hold a
cover sheet first. :func:`read_published` finds the first row, in the first sheet that has one,
that holds one of the names an importer recognises, and reads the table from there, saying
where it was found.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .._io import read_table, readable_suffix
from ..errors import InputError

SCAN_ROWS = 20
"""How many rows of each sheet are looked at for the header."""


@dataclass
class Published:
    """A published table as read, and where its header was."""

    table: pd.DataFrame
    where: str | None
    """``None`` when the header is row 1 of the first sheet, else e.g. ``"row 3"``."""


def _grid_csv(path: Path) -> list[list[object]]:
    import csv

    raw = path.read_bytes()[: 1 << 18]
    encodings = ["utf-8-sig", "cp1252"]
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in raw[:200]:
        encodings = ["utf-16"]
    text = ""
    for encoding in encodings:
        try:
            text = raw.decode(encoding, errors="strict" if encoding != "utf-16" else "ignore")
            break
        except UnicodeDecodeError:
            continue
    lines = text.lstrip("\ufeff").splitlines()[:SCAN_ROWS]
    return [list(row) for row in csv.reader(lines)]


def _grids_xlsx(path: Path) -> list[tuple[str, list[list[object]]]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, ValueError, KeyError) as exc:
        raise InputError(
            f"cannot be read as an Excel workbook ({exc})",
            file=path,
            hint="Save it again as .xlsx or CSV (UTF-8)",
        ) from None
    try:
        return [
            (name, [list(r) for r in book[name].iter_rows(max_row=SCAN_ROWS, values_only=True)])
            for name in book.sheetnames
        ]
    finally:
        book.close()


def header_rows(path: str | Path, keys: list[str]) -> list[tuple[int, str, int]]:
    """Every sheet's header row, as ``(sheet index, sheet name, rows above the header)``.

    A header row is the first of a sheet's first :data:`SCAN_ROWS` rows with a cell matching
    one of ``keys`` (regular expressions, matched whole against the lower-case cell text).
    """
    path = Path(path)
    sheets = _sheets(path)
    found = []
    for i, (name, grid) in enumerate(sheets):
        for r, row in enumerate(grid):
            if any(_matches(c, keys) for c in row):
                found.append((i, name, r))
                break
    return found


def _matches(cell: object, keys: list[str]) -> bool:
    import re

    if cell is None:
        return False
    text = str(cell).strip().lower()
    return any(re.fullmatch(key, text) for key in keys)


def _sheets(path: Path) -> list[tuple[str, list[list[object]]]]:
    if readable_suffix(path) in {".xlsx", ".xlsm"}:
        return _grids_xlsx(path)
    return [("", _grid_csv(path))]


def read_published(path: str | Path, keys: list[str], expected: str) -> Published:
    """Read the table whose header row holds one of ``keys`` (regular expressions matched
    whole against the lower-case cell text), in the first sheet that has one.

    Raises :class:`InputError` listing ``expected`` when no row of the first
    :data:`SCAN_ROWS` of any sheet has one.
    """
    path = Path(path)
    sheets = _sheets(path)
    for i, (name, grid) in enumerate(sheets):
        for r, row in enumerate(grid):
            if any(_matches(c, keys) for c in row):
                return Published(read_table(path, sheet=i, skip_rows=r), where(i, name, r))
    first = sheets[0][1][0] if sheets and sheets[0][1] else []
    shown = ", ".join(str(c) for c in first[:12] if c is not None) or "nothing"
    raise InputError(
        "not recognised",
        file=path,
        hint=f"It needs {expected}; its first row has {shown}",
    )


def where(sheet: int, name: str, above: int) -> str | None:
    """``None`` for row 1 of the first sheet, else ``"row 3"`` or ``"row 4 of sheet 'X'"``."""
    if (sheet, above) == (0, 0):
        return None
    return f"row {above + 1}" + (f" of sheet {name!r}" if sheet else "")
