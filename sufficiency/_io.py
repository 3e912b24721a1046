"""Reading tables the way councils keep them: CSV (UTF-8, BOM, UTF-16 or Windows-1252) or .xlsx.

Old Excel (.xls) and OpenDocument (.ods) files are refused by name, with the fix (save as .xlsx
or CSV). A header given twice, an .xlsx formula with no saved value and a semicolon-delimited
CSV are each one clear error rather than a quiet loss. Commas in numbers are read only as
thousands separators (``1,200``); ``5,25`` is refused, not read as 525. Every problem is an
:class:`InputError` naming the file, and the row and column where there is one. Rows are
spreadsheet rows: the header is row 1.
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


def readable_suffix(path: Path) -> str:
    """The file's suffix in lower case, once it is known to be a file of a kind that is read:
    a missing file and a format that is not read (.xls, .ods) are errors naming the file."""
    if not path.is_file():
        raise InputError("file not found", file=path, hint="Check the path and the file name")
    suffix = path.suffix.lower()
    if suffix in _REFUSED:
        raise InputError(
            f"{_REFUSED[suffix]} files are not read",
            file=path,
            hint="Open it in Excel or LibreOffice and save it as .xlsx or CSV (UTF-8)",
        )
    return suffix


def read_table(path: str | Path, *, sheet: str | int = 0, skip_rows: int = 0) -> pd.DataFrame:
    """Read a CSV or XLSX file as text columns with lower-case, trimmed headers.

    Empty cells are missing values (NaN). Nothing is converted: see :func:`numbers`.
    ``skip_rows`` rows above the header (a published file's title and notes) are skipped; row
    numbers in errors still count them (:func:`row_number`).
    """
    path = Path(path)
    suffix = readable_suffix(path)
    try:
        table = (
            _read_xlsx(path, sheet, skip_rows)
            if suffix in {".xlsx", ".xlsm"}
            else _read_csv(path, skip_rows)
        )
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
    _refuse_repeated_headers(list(table.columns), path)
    table = table.loc[:, [not c.startswith("unnamed:") for c in table.columns]]
    table = _clean_columns(table)
    # Drop rows that are entirely empty (trailing rows of a spreadsheet).
    return table.dropna(how="all").copy()


_REFUSED = {".xls": "old Excel (.xls)", ".ods": "OpenDocument (.ods)"}


def _refuse_repeated_headers(columns: list[str], path: Path) -> None:
    """A column named twice is an error: reading one of the two would drop the other."""
    seen: set[str] = set()
    for column in columns:
        if column.startswith("unnamed:"):
            continue
        if column in seen:
            raise InputError(
                "the column is given twice",
                file=path,
                row=1,
                column=column,
                hint="Keep one column of each name (the header is row 1)",
            )
        seen.add(column)


def _read_xlsx(path: Path, sheet: str | int, skip_rows: int = 0) -> pd.DataFrame:
    """The sheet as text, headers as written (a repeated header is kept, to be refused).

    A formula whose value Excel never saved (a workbook written by a program, not opened and
    saved in Excel) reads as empty: that is refused, naming its cell, rather than read as a
    missing count.
    """
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheets = book.sheetnames
        name = sheets[sheet] if isinstance(sheet, int) else sheet
        values = [list(row) for row in book[name].iter_rows(values_only=True)]
    finally:
        book.close()
    if not values:
        return pd.DataFrame()
    if _holds_formulas(path) and any(cell is None for row in values[1:] for cell in row):
        _refuse_uncached_formulas(path, name, values)
    values = values[skip_rows:]
    if not values:
        return pd.DataFrame()
    header = ["" if cell is None else str(cell) for cell in values[0]]
    header = [h if h.strip() else f"unnamed: {i}" for i, h in enumerate(header)]
    rows = [["" if c is None else _cell_text(c) for c in row] for row in values[1:]]
    width = len(header)
    rows = [(row + [""] * width)[:width] for row in rows]
    table = pd.DataFrame(rows, columns=header, dtype=object)
    table.index = pd.RangeIndex(skip_rows, skip_rows + len(table))
    return table


def _cell_text(cell: object) -> str:
    """An Excel cell as the text a CSV export would hold (``3`` not ``3.0`` for whole floats)."""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if hasattr(cell, "isoformat"):
        return str(cell)
    return str(cell)


_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")


def _holds_formulas(path: Path) -> bool:
    """Whether any worksheet of the workbook holds a formula (an ``<f>`` element), read from
    the raw sheet XML: most returns hold none, and then the second, formula-reading pass of
    the workbook is not needed."""
    try:
        with zipfile.ZipFile(path) as archive:
            return any(
                _FORMULA.search(archive.read(item))
                for item in archive.namelist()
                if item.startswith("xl/worksheets/") and item.endswith(".xml")
            )
    except (OSError, zipfile.BadZipFile):
        return True  # let the full check say what it finds


def _refuse_uncached_formulas(path: Path, sheet: str, values: list[list[object]]) -> None:
    import openpyxl
    from openpyxl.utils import get_column_letter

    book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        for r, row in enumerate(book[sheet].iter_rows(values_only=True)):
            for c, cell in enumerate(row):
                if (
                    isinstance(cell, str)
                    and cell.startswith("=")
                    and (r >= len(values) or c >= len(values[r]) or values[r][c] is None)
                ):
                    header = values[0][c] if c < len(values[0]) else None
                    raise InputError(
                        f"cell {get_column_letter(c + 1)}{r + 1} holds a formula with no saved "
                        f"value ({cell})",
                        file=path,
                        row=r + 1,
                        column=str(header).strip().lower() if header is not None else None,
                        hint="Open the workbook in Excel and save it, or paste the values",
                    )
    finally:
        book.close()


def factorize_columns(table: pd.DataFrame, columns: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of ``columns`` taken together, and each cell's code into them
    (``-1`` where missing): column ``i``'s codes are ``codes[i * len(table):(i + 1) * len(table)]``.

    Text columns are joined as text (one Arrow dictionary encoding, many times faster than
    Python objects); any other mix is joined as objects, so that ``1`` and ``1.0`` from two
    columns keep their own spelling.
    """
    if all(isinstance(table[c].dtype, pd.StringDtype) for c in columns):
        codes, distinct = pd.concat([table[c] for c in columns], ignore_index=True).factorize()
        return np.asarray(codes), np.asarray(distinct, dtype=object)
    flat = np.concatenate([table[c].to_numpy(dtype=object) for c in columns])
    codes, distinct = pd.factorize(flat)
    return np.asarray(codes), np.asarray(distinct, dtype=object)


def isin(values: pd.Series, known: Iterable[str]) -> np.ndarray:
    """Whether each value is one of ``known``, as booleans (missing values: ``False``).

    ``values.isin(known)`` with Arrow-stored text converts ``known`` one Python value at a
    time (15 ms for 7,681 ward codes, each time a file is checked); here ``known`` becomes
    one Arrow array and the look-up is Arrow's.

    >>> isin(pd.Series(["E05000001", None, "X"], dtype="string"), {"E05000001"}).tolist()
    [True, False, False]
    """
    dtype = values.dtype
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        import pyarrow as pa
        import pyarrow.compute as pc

        text = pa.chunked_array(pa.array(values.array))
        wanted = pa.array([k for k in known if isinstance(k, str)], type=text.type)
        return np.asarray(pc.is_in(text, value_set=wanted).fill_null(False), dtype=bool)
    return np.asarray(values.isin(set(known)).fillna(False), dtype=bool)


def _clean_columns(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`_clean_text` of every column at once: the distinct values of the whole table
    cleaned in one pass (a return's 70-odd columns share most of theirs: blanks, 0, 1...)."""
    if table.shape[1] == 0 or len(table) == 0:
        return table.apply(_clean_text) if table.shape[1] else table
    codes, distinct = factorize_columns(table, list(table.columns))
    if all(isinstance(table[c].dtype, pd.StringDtype) for c in table.columns):
        text = pd.Series(distinct, dtype="string").str.strip()
        cleaned = text.mask(text.str.lower().isin(_EMPTY)).array
    else:  # Excel's numbers and dates: each spelled as Python spells it
        kept = [str(v).strip() for v in distinct]
        cleaned = pd.array([None if v.lower() in _EMPTY else v for v in kept], dtype="string")
    n = len(table)
    return pd.DataFrame(
        {
            column: pd.Series(cleaned.take(codes[i * n : (i + 1) * n], allow_fill=True))
            for i, column in enumerate(table.columns)
        }
    ).set_axis(table.index)


def python_text(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its text columns stored as Python strings (the same values and missing
    markers). For a table the model reads as object arrays again and again (the returns, term
    by term and scenario by scenario): Arrow storage converts every string at each read."""
    out = frame.copy(deep=False)
    for column in out.columns:
        dtype = out[column].dtype
        if isinstance(dtype, pd.StringDtype) and dtype.storage != "python":
            out[column] = out[column].astype(pd.StringDtype("python", dtype.na_value))
    return out


def _clean_text(values: pd.Series) -> pd.Series:
    """Trimmed text, the usual spellings of "empty" made missing; each distinct value once.

    A national return has 60,000 rows but few distinct values in most columns: cleaning the
    distinct values and putting them back by position is many times faster than the rows.
    """
    codes, distinct = pd.factorize(values)
    cleaned = pd.Series(distinct, dtype="string").str.strip()
    cleaned = cleaned.mask(cleaned.str.lower().isin(_EMPTY))
    return pd.Series(cleaned.array.take(codes, allow_fill=True), index=values.index)


def _read_csv(path: Path, skip_rows: int = 0) -> pd.DataFrame:
    raw = path.read_bytes()
    if not raw.strip():
        raise InputError("the file is empty", file=path, hint="Export it again with a header row")
    if raw[:4] == b"PK\x03\x04" or raw[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise InputError(
            "this is a spreadsheet workbook, not CSV text",
            file=path,
            hint="Save it as .xlsx and name it so, or export it as CSV (UTF-8)",
        )
    encodings = ["utf-8-sig", "cp1252"]
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in raw[:200]:
        encodings = ["utf-16"]  # Excel's "Unicode text": NUL bytes between the letters
    for encoding in encodings:
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise InputError(
            "not UTF-8, UTF-16 or Windows-1252 text",
            file=path,
            hint="Export it again as CSV (UTF-8)",
        )
    from io import StringIO

    if skip_rows:
        text = "\n".join(text.lstrip("\ufeff").splitlines()[skip_rows:])
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    if "," not in first and first.count(";") >= 2:
        raise InputError(
            "the columns are separated by semicolons, not commas",
            file=path,
            row=1,
            hint="Export it again as CSV with commas (in Excel: CSV UTF-8, comma delimited)",
        )
    try:
        table = _read_csv_arrow(text)
        if table is None:  # a layout Arrow's reader takes otherwise: pandas' reading
            table = pd.read_csv(
                StringIO(text), dtype=str, keep_default_na=False, skipinitialspace=True, header=None
            )
    except pd.errors.ParserError:
        _refuse_title_rows(text, path)
        raise
    if table.empty:
        return pd.DataFrame()
    header = [str(h) if str(h).strip() else f"unnamed: {i}" for i, h in enumerate(table.iloc[0])]
    body = table.iloc[1:].reset_index(drop=True)
    body.index = pd.RangeIndex(skip_rows, skip_rows + len(body))
    body.columns = header
    return body


_SPACE_BEFORE_QUOTE = re.compile(r'(^|,)[ \t]+"', re.MULTILINE)


def _read_csv_arrow(text: str) -> pd.DataFrame | None:
    """CSV text as pandas reads it for :func:`_read_csv` (every cell text, blanks as empty
    text, the header as row 0), by Arrow's reader (in threads, several times faster on a
    national return); ``None`` for text it would read otherwise, left to pandas: a quoted cell
    after spaces (pandas skips the spaces, Arrow would keep the quotes), rows of unequal length
    (pandas fills the short ones), and anything Arrow refuses.
    """
    import csv
    import io

    import pyarrow as pa
    import pyarrow.csv as pv

    if (' "' in text or '\t"' in text) and _SPACE_BEFORE_QUOTE.search(text):
        return None
    body = text.lstrip("\ufeff")
    try:
        header = next(csv.reader(io.StringIO(body.split("\n", 1)[0])), [])
    except csv.Error:
        return None
    columns = [f"f{i}" for i in range(len(header))]
    try:
        table = pv.read_csv(
            io.BytesIO(body.encode("utf-8")),
            read_options=pv.ReadOptions(column_names=columns),
            parse_options=pv.ParseOptions(newlines_in_values=True),
            convert_options=pv.ConvertOptions(
                column_types=dict.fromkeys(columns, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowException:  # ArrowInvalid among them
        return None
    if table.num_columns != len(columns) or table.num_rows == 0:
        return None
    text_dtype = pd.StringDtype("pyarrow", na_value=np.nan)  # what read_csv(dtype=str) gives
    return pd.DataFrame(
        {i: pd.array(table.column(i), dtype=text_dtype) for i in range(table.num_columns)}
    )


def misplaced_header(path: str | Path, needed: Iterable[str], *, rows: int = 20) -> str | None:
    """Where the header really is when row 1 of the first sheet lacks ``needed``, or ``None``.

    Looks at the first ``rows`` rows of a CSV, and of every sheet of a workbook, for a row
    holding every needed column name, and says where: ``"row 3"`` or ``"sheet 'Returns', row
    1"``.
    """
    path = Path(path)
    wanted = {c.lower() for c in needed}

    def found(grid: list[list[object]]) -> int | None:
        for r, row in enumerate(grid[:rows]):
            names = {str(c).strip().lower() for c in row if c is not None}
            if wanted <= names:
                return r + 1
        return None

    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        import openpyxl

        try:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except (zipfile.BadZipFile, OSError, ValueError, KeyError):
            return None
        try:
            for i, name in enumerate(book.sheetnames):
                grid = [list(r) for r in book[name].iter_rows(max_row=rows, values_only=True)]
                row = found(grid)
                if row is not None and (i, row) != (0, 1):
                    return f"sheet {name!r}, row {row}" if i else f"row {row}"
        finally:
            book.close()
        return None
    try:
        table = _read_csv(path)
    except (InputError, ValueError, pd.errors.ParserError):
        return None
    grid = [list(table.columns), *table.head(rows).to_numpy().tolist()]
    row = found(grid)
    return f"row {row}" if row is not None and row != 1 else None


def _refuse_title_rows(text: str, path: Path, rows: int = 20) -> None:
    """Rows above the header (a title, an export date) have fewer fields: say where it is."""
    import csv

    widths = [len(r) for r in csv.reader(text.lstrip("\ufeff").splitlines()[:rows])]
    if not widths:
        return
    widest = max(widths)
    first = widths.index(widest)
    if first > 0:
        raise InputError(
            f"the header is on row {first + 1}, not on row 1 (the rows above it have fewer "
            "columns)",
            file=path,
            hint="Delete the rows above the header, so that row 1 holds the column names",
        )


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
    missing_hint: str = "Write the number (0 where there are none)",
) -> pd.Series:
    """A column as float64, raising at the first value that is not a (non-negative) number.

    Thousands separators (``1,200``) are accepted; any other comma (``5,25``, ``1,5``) is not a
    number. Missing values (an empty cell, or one of the words read as empty: n/a, na, -, none,
    null, nan) raise when ``required``, with ``missing_hint`` as the fix.
    """
    given = table[column]
    if pd.api.types.is_numeric_dtype(given) and not pd.api.types.is_bool_dtype(given):
        # Numbers already (coordinates a rule has parsed, say): nothing to parse.
        values = pd.Series(given.to_numpy(float, na_value=np.nan), index=table.index)
        bad = np.zeros(len(values), dtype=bool)
    else:
        # Parse each distinct text once (a national return repeats most values many times).
        codes, distinct = pd.factorize(given)
        parsed = parse_numbers(pd.Series(distinct, dtype="string"))
        values = pd.Series(np.append(parsed, np.nan)[codes], index=table.index)  # -1: NaN
        bad = values.isna().to_numpy() & (codes >= 0)
    raise_first(
        bad, table, "not a number", file=file, column=column, hint="Write a plain number, as 12"
    )
    if required and values.isna().any():
        i = int(np.flatnonzero(values.isna().to_numpy())[0])
        raise InputError(
            "no number: the cell is empty or says n/a, na, -, none or null",
            file=file,
            row=row_number(table, i),
            column=column,
            hint=missing_hint,
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
            ((values % 1 != 0) & values.notna()).to_numpy(),
            table,
            "not a whole number",
            file=file,
            column=column,
            hint="Write a whole number",
        )
    return values


_THOUSANDS = r"[-+]?\d{1,3}(?:,\d{3})+(?:\.\d*)?"


def parse_numbers(text: pd.Series) -> np.ndarray:
    """Text to float64; NaN where empty or not a number. Commas only as thousands separators.

    >>> parse_numbers(pd.Series(["1,200", "5,25", "1,5", "3.5", None], dtype="string")).tolist()
    [1200.0, nan, nan, 3.5, nan]
    """
    text = text.astype("string").str.strip()
    comma = text.str.contains(",", regex=False).fillna(False).to_numpy(bool)
    if comma.any():
        good = text.str.fullmatch(_THOUSANDS).fillna(False).to_numpy(bool)
        text = text.str.replace(",", "", regex=False).mask(comma & ~good)
    return pd.to_numeric(text, errors="coerce").to_numpy(float, na_value=np.nan)


LIMITS = {
    # what: (warn above, refuse above). A large English ward has about 30,000 residents and
    # 400 births a year; the largest nurseries register a few hundred places.
    "births": (2_000.0, 20_000.0),
    "population": (2_000.0, 20_000.0),
    "setting": (1_000.0, 10_000.0),
    # Pounds: an hourly fee (about 5 to 15 in England in 2025) and weekly charges.
    "fee": (30.0, 200.0),
    "charges": (150.0, 2_000.0),
}
"""Implausible magnitudes: a warning with the value above the first, an error above the second.
``births`` is per ward and year, ``population`` per ward, year and single year of age,
``setting`` any count in one provider's return, ``fee`` an hourly fee and ``charges`` weekly
charges in pounds (a fee in pence, 650 for 6.50, is refused)."""


def check_magnitude(
    values: pd.Series,
    table: pd.DataFrame,
    kind: str,
    *,
    file: str | Path,
    column: str,
    notes: list[str] | None = None,
) -> None:
    """Refuse a value above the hard limit of ``kind``; note one above the warning level."""
    warn, most = LIMITS[kind]
    flags = (values > most).fillna(False).to_numpy(bool)
    pounds = kind in {"fee", "charges"}
    raise_first(
        flags,
        table,
        (
            f"£{values[flags].iloc[0]:,.2f} is far beyond any childcare price (the limit is "
            f"£{most:,.0f})"
            if pounds
            else f"{values[flags].iloc[0]:,.0f} is far beyond what one ward or setting can "
            f"hold (the limit is {most:,.0f})"
        )
        if flags.any()
        else "",
        file=file,
        column=column,
        hint="Write the price in pounds (6.50, not 650)"
        if pounds
        else "Check the figure: a misplaced decimal point or a total row?",
    )
    high = (values > warn).fillna(False).to_numpy(bool)
    if high.any() and notes is not None:
        i = int(np.flatnonzero(high)[0])
        notes.append(
            f"Check {Path(file).name}, row {row_number(table, i)}, column {column!r}: "
            f"{values.iloc[i]:,.0f} is more than {warn:,.0f}"
            + (f" ({int(high.sum())} such values)" if high.sum() > 1 else "")
        )


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
