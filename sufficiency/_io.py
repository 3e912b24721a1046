"""Reading tables the way councils keep them: CSV (UTF-8, BOM or Windows-1252) or .xlsx.

Every problem is an :class:`InputError` naming the file, and the row and column where there is
one. Rows are spreadsheet rows: the header is row 1.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import InputError

_EMPTY = {"", "na", "n/a", "nan", "none", "null", "-"}


def read_table(path: str | Path, *, sheet: str | int = 0) -> pd.DataFrame:
    """Read a CSV or XLSX file as text columns with lower-case, trimmed headers.

    Empty cells are missing values (NaN). Nothing is converted: see :func:`numbers`.
    """
    path = Path(path)
    if not path.exists():
        raise InputError("file not found", file=path, hint="Check the path and the file name")
    try:
        if path.suffix.lower() in {".xlsx", ".xlsm"}:
            table = pd.read_excel(path, sheet_name=sheet, dtype=str, engine="openpyxl")
        else:
            table = _read_csv(path)
    except InputError:
        raise
    except (zipfile.BadZipFile, ValueError, OSError, pd.errors.ParserError) as exc:
        raise InputError(
            f"cannot be read as {'an Excel workbook' if path.suffix.lower() == '.xlsx' else 'CSV'}"
            f" ({exc})",
            file=path,
            hint="Save it again as CSV (UTF-8) or .xlsx",
        ) from None
    table.columns = [str(c).strip().lower().lstrip("\ufeff") for c in table.columns]
    table = table.loc[:, [not c.startswith("unnamed:") for c in table.columns]]
    for column in table.columns:
        table[column] = _clean_text(table[column])
    # Drop rows that are entirely empty (trailing rows of a spreadsheet).
    return table.dropna(how="all").copy()


def _clean_text(values: pd.Series) -> pd.Series:
    """Trimmed text, the usual spellings of "empty" made missing; each distinct value once.

    A national return has 60,000 rows but few distinct values in most columns: cleaning the
    distinct values and putting them back by position is many times faster than the rows.
    """
    codes, distinct = pd.factorize(values)
    cleaned = pd.Series(distinct, dtype="string").str.strip()
    cleaned = cleaned.mask(cleaned.str.lower().isin(_EMPTY))
    return pd.Series(cleaned.array.take(codes, allow_fill=True), index=values.index)


def _read_csv(path: Path) -> pd.DataFrame:
    raw = path.read_bytes()
    if not raw.strip():
        raise InputError("the file is empty", file=path, hint="Export it again with a header row")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes almost anything
        raise InputError("not UTF-8 or Windows-1252 text", file=path)
    from io import StringIO

    return pd.read_csv(StringIO(text), dtype=str, keep_default_na=False, skipinitialspace=True)


def require_columns(table: pd.DataFrame, columns: Iterable[str], *, file: str | Path) -> None:
    """Raise naming the first missing column and every column the file needs."""
    columns = list(columns)
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise InputError(
            "missing column",
            file=file,
            column=missing[0],
            hint=f"The file needs the columns {', '.join(columns)}; it has "
            f"{_some(list(table.columns))}",
        )


def _some(names: list[str], most: int = 12) -> str:
    """``a, b, c`` or ``a, b, ... (40 in all)`` for a long list."""
    if not names:
        return "none"
    if len(names) <= most:
        return ", ".join(names)
    return ", ".join(names[:most]) + f", ... ({len(names)} in all)"


def numbers(
    table: pd.DataFrame,
    column: str,
    *,
    file: str | Path,
    required: bool = True,
    negative: bool = False,
    integer: bool = False,
) -> pd.Series:
    """A column as float64, raising at the first value that is not a (non-negative) number.

    Thousands separators (``1,200``) are accepted. Missing values raise when ``required``.
    """
    # Parse each distinct text once (a national return repeats most values many times).
    codes, distinct = pd.factorize(table[column])
    text = pd.Series(distinct, dtype="string").str.replace(",", "", regex=False)
    parsed = pd.to_numeric(text, errors="coerce").to_numpy(float, na_value=np.nan)
    values = pd.Series(np.append(parsed, np.nan)[codes], index=table.index)  # -1: missing, NaN
    bad = values.isna().to_numpy() & (codes >= 0)
    raise_first(bad, table, "not a number", file=file, column=column, hint="Write a plain number")
    if required and values.isna().any():
        i = int(np.flatnonzero(values.isna().to_numpy())[0])
        raise InputError(
            "empty cell",
            file=file,
            row=row_number(table, i),
            column=column,
            hint="Every row needs a value here",
        )
    if not negative:
        raise_first(
            (values < 0).to_numpy(),
            table,
            "negative count",
            file=file,
            column=column,
            hint="Counts cannot be below 0",
        )
    if integer:
        raise_first(
            (values % 1 != 0).fillna(False).to_numpy(),
            table,
            "not a whole number",
            file=file,
            column=column,
            hint="Write a whole number",
        )
    return values


def raise_first(
    mask: pd.Series | np.ndarray,
    table: pd.DataFrame,
    message: str,
    *,
    file: str | Path,
    column: str | None = None,
    value_column: str | None = None,
    hint: str | None = None,
) -> None:
    """Raise :class:`InputError` at the first row where ``mask`` holds, naming its file, row,
    column and value (taken from ``value_column``, by default ``column``); nothing if none."""
    flags = np.asarray(mask, dtype=bool)
    if not flags.any():
        return
    i = int(np.flatnonzero(flags)[0])
    shown = value_column or column
    raise InputError(
        message,
        file=file,
        row=row_number(table, i),
        column=column,
        value=table[shown].iloc[i] if shown else None,
        hint=hint,
    )


def row_number(table: pd.DataFrame, position: int) -> int:
    """The spreadsheet row of the ``position``-th data row (header is row 1).

    Tables keep the index they were read with (0 for the first data row).
    """
    return int(table.index[position]) + 2


def normalise_postcode(values: pd.Series) -> pd.Series:
    """Upper case with no spaces: ``"zt1 4ab"`` -> ``"ZT14AB"``."""
    return values.astype("string").str.upper().str.replace(r"\s+", "", regex=True)


_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y")


def dates(table: pd.DataFrame, column: str, *, file: str | Path) -> pd.Series:
    """A column of dates (ISO, or the UK day/month/year Excel writes); empty stays NaT."""
    text = table[column].astype("string").str.replace(r"[ T]00:00:00$", "", regex=True)
    result = pd.Series(pd.NaT, index=table.index, dtype="datetime64[ns]")
    for fmt in _DATE_FORMATS:
        todo = result.isna() & text.notna()
        if not todo.any():
            break
        result[todo] = pd.to_datetime(text[todo], format=fmt, errors="coerce")
    raise_first(
        (result.isna() & text.notna()).to_numpy(),
        table,
        "not a date",
        file=file,
        column=column,
        hint="Write dates as YYYY-MM-DD, e.g. 2026-09-01",
    )
    return result


def find_column(columns: Iterable[str], *patterns: str) -> str | None:
    """The first column whose name matches one of the regular expressions (case-insensitive)."""
    for pattern in patterns:
        for column in columns:
            if re.fullmatch(pattern, str(column), flags=re.IGNORECASE):
                return column
    return None
