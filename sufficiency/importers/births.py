"""``sufficiency import births``: births as published or recorded, to the area's ``births.csv``.

Reads, recognised by their columns (any case; the header may sit below a title):

- ONS births by ward or LSOA and year: a geography code (``WDyyCD``, ``Ward 2024 Code``,
  ``LSOA21CD``, ``LSOA 2021 Code``...), ``Year`` and a count (``Births``, ``Live births``,
  ``Count``), or one column per year (``2019, 2020, ...``) as ONS's tables lay them out;
- the council's monthly births from its child health records: a ward code or a postcode
  (placed through the area's ``postcodes.csv``), and ``year`` and ``month`` (or a ``Month of
  birth`` / ``Date of birth`` date), with a count, or one row per child when there is none.

LSOAs are added up into wards by a best-fit lookup (``_wards.lsoa_wards``). Rows outside the
area (an LSOA or postcode no ward of the area holds) are dropped and counted; a ward code the
wards file lacks is an error listing the codes (another boundary year), never dropped.

With one row per child (no count column), a month inside the file's range (from its first
child's month of birth to its last's, over all its rows) in which a ward has no child is a
month with no births, 0, not a missing month; only months outside that range are missing (a
ward with no child at all is still missing). Missing months or years are an error, as in
reading the area (``area.refuse_birth_gaps``), unless ``project_missing``: then each missing
month of a ward is the mean of that ward's births in the same calendar month over the years
that have it (for yearly figures, the mean of the ward's other years), and the row is marked
``projected = 1``. A ward with no births at all is
still an error: there is nothing of its own to project from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

import numpy as np
import pandas as pd

from .._io import (
    LIMITS,
    check_magnitude,
    dates,
    find_column,
    normalise_postcode,
    numbers,
    raise_first,
)
from ..errors import InputError
from ._published import read_published
from ._wards import LSOA_CODE, WARD_CODE, Target, lsoa_wards, refuse_empty, refuse_other_year

POSTCODE = [r"postcode", r"pcds", r"postcode of residence", r"mother'?s postcode"]
YEAR = [r"year", r"year of birth", r"calendar year", r"birth year"]
MONTH = [r"month", r"month of birth", r"birth month"]
DATE = [r"date of birth", r"dob", r"birth date", r"date"]
COUNT = [r"births", r"live births", r"number of (live )?births", r"count", r"total"]
EXPECTED = (
    "a ward code (ward_code, WD24CD, Ward 2024 Code), an LSOA code (LSOA21CD, LSOA 2021 Code) "
    "or a postcode; a year (or one column per year, or a date of birth); and a count of births "
    "(births, live births, count), or one row per child"
)
PROJECTION = (
    "each missing month of a ward is the mean of that ward's births in the same calendar "
    "month over the years that have it (yearly figures: the mean of its other years)"
)


@dataclass
class ImportedBirths:
    """Births by ward, and what was read, dropped and projected."""

    births: pd.DataFrame
    rows: int
    where: str | None
    how: str
    outside: int = 0
    projected: int = 0
    notes: list[str] = field(default_factory=list)
    unplaced: str = ""
    figures: int = 0

    def lines(self, source: Path, target: Path) -> list[str]:
        years = self.births["year"]
        total = self.births["births"].sum()
        monthly = "month" in self.births.columns
        out = [
            f"Read {self.rows:,} row(s) from {source.name}"
            + (
                f", {self.figures:,} figures (a column per year)"
                if self.figures != self.rows
                else ""
            )
            + f" ({self.how})"
            + (f"; header found on {self.where}" if self.where else ""),
            f"Kept {total:,.0f} births in {self.births['ward_code'].nunique()} ward(s), "
            f"{years.min()} to {years.max()}, " + ("by month" if monthly else "by year"),
            f"Dropped {self.outside:,} "
            + ("figure(s)" if self.figures != self.rows else "row(s)")
            + f" outside the area's wards ({self.unplaced})",
        ]
        if self.projected:
            out.append(
                f"Projected {self.projected:,} missing ward-"
                + ("month(s)" if monthly else "year(s)")
                + f" (marked projected = 1): {PROJECTION}"
            )
        out.extend(self.notes)
        out.append(f"Written: {target}")
        return out


def import_births(
    path: str | Path, target: Target, *, project_missing: bool = False
) -> ImportedBirths:
    """Read a births file and return births by ward: ``ward_code, year[, month], births``.

    ``target`` holds the area's wards and what places rows in them (:class:`_wards.Target`).
    """
    path = Path(path)
    keys = WARD_CODE + LSOA_CODE + POSTCODE
    published = read_published(path, keys, EXPECTED)
    table = published.table
    ward_col = find_column(table.columns, *WARD_CODE)
    lsoa_col = None if ward_col else find_column(table.columns, *LSOA_CODE)
    postcode_col = None if ward_col or lsoa_col else find_column(table.columns, *POSTCODE)
    notes: list[str] = []
    given_rows = len(table)
    table = _long(table, path)
    year_col = find_column(table.columns, *YEAR)
    month_col = find_column(table.columns, *MONTH)
    date_col = find_column(table.columns, *DATE)
    count_col = find_column(table.columns, *COUNT)
    if year_col is None and date_col is None:
        raise InputError("no year column", file=path, hint=f"It needs {EXPECTED}")
    if year_col is not None:
        year = numbers(table, year_col, file=path, integer=True)
        month = numbers(table, month_col, file=path, integer=True) if month_col else None
    else:
        assert date_col is not None
        born = dates(table, date_col, file=path)
        raise_first(
            born.isna().to_numpy(bool),
            table,
            "empty cell",
            file=path,
            column=date_col,
            hint="Every child needs a date (or month) of birth: a row without one would be lost",
        )
        year, month = born.dt.year.astype(float), born.dt.month.astype(float)
    if month is not None:
        bad = ((month < 1) | (month > 12)).to_numpy(bool)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InputError(
                "month must be 1 to 12",
                file=path,
                row=int(table.index[i]) + 2,
                column=month_col,
                value=table[month_col].iloc[i] if month_col else None,
            )
    if count_col is not None:
        births = numbers(table, count_col, file=path)
        check_magnitude(births, table, "births", file=path, column=count_col, notes=notes)
    else:
        if month is None:
            raise InputError("no count of births column", file=path, hint=f"It needs {EXPECTED}")
        births = pd.Series(1.0, index=table.index)
        notes.append("No count column: each row is one child (child health records)")

    ward, how = _wards_of(table, path, target, (ward_col, lsoa_col, postcode_col))
    known = target.known
    inside = ward.notna().to_numpy(bool) & ward.isin(known).to_numpy(bool)
    frame = pd.DataFrame({"ward_code": ward, "year": year, "births": births})
    key = ["ward_code", "year"]
    if month is not None:
        frame.insert(2, "month", month)
        key.append("month")
    frame = frame[inside]
    if frame.empty:
        raise InputError(
            "none of its rows is in the area's wards",
            file=path,
            hint="Check it covers the area (and, for LSOAs, the lookup); nothing was written",
        )
    out = frame.groupby(key, sort=True)["births"].sum().reset_index()
    out["year"] = out["year"].astype(int)
    # A ward's births in a year, added up (rows may be months, LSOAs or children).
    yearly = out.groupby(["ward_code", "year"], sort=True)["births"].sum().reset_index()
    _check_ward_years(yearly, path, notes)
    if month is not None:
        out["month"] = out["month"].astype(int)
    if count_col is None and month is not None:
        out = _zero_months_without_a_child(out, year, month, notes)
    out, projected = _fill_gaps(
        out, set(known), path, monthly=month is not None, project=project_missing
    )
    if how.startswith("LSOAs"):
        unplaced = "an LSOA that the lookup or the small areas put in no ward of the area"
    elif "postcodes.csv" in how:
        unplaced = "a postcode not in the area's postcodes.csv: outside the area, or mistyped"
    else:
        unplaced = "none can be: every ward code is checked against the wards file"
    return ImportedBirths(
        unplaced=unplaced,
        births=out,
        rows=given_rows,
        figures=len(table),
        where=published.where,
        how=how,
        outside=int((~inside).sum()),
        projected=projected,
        notes=notes,
    )


def _zero_months_without_a_child(
    births: pd.DataFrame, year: pd.Series, month: pd.Series, notes: list[str]
) -> pd.DataFrame:
    """One row per child: 0 births for each month of the file's range (its first child's
    month to its last's, ``year`` and ``month`` of every row) in which a ward that has children
    has none. Months outside the range stay missing."""
    stamp = (year * 12 + month - 1).dropna().astype(int)
    first, last = int(stamp.min()), int(stamp.max())
    wards = sorted(set(births["ward_code"]))
    grid = pd.MultiIndex.from_product(
        [wards, range(first, last + 1)], names=["ward_code", "stamp"]
    ).to_frame(index=False)
    grid["year"], grid["month"] = grid["stamp"] // 12, grid["stamp"] % 12 + 1
    full = grid.drop(columns="stamp").merge(births, on=["ward_code", "year", "month"], how="left")
    zeros = int(full["births"].isna().sum())
    if zeros:
        notes.append(
            f"{zeros:,} ward-month(s) with no child, inside the file's range "
            f"({first // 12}-{first % 12 + 1:02d} to {last // 12}-{last % 12 + 1:02d}), "
            "counted as 0 births"
        )
    full["births"] = full["births"].fillna(0.0)
    # Every child's month is inside the range, so the grid holds every row of ``births``.
    return full[["ward_code", "year", "month", "births"]]


def _check_ward_years(yearly: pd.DataFrame, path: Path, notes: list[str]) -> None:
    """A ward's births in a year against ``_io.LIMITS["births"]``: an error above the hard
    limit, a note above the warning level, naming the ward and the year."""
    warn, most = LIMITS["births"]
    for limit, refuse in ((most, True), (warn, False)):
        over = yearly[yearly["births"] > limit]
        if over.empty:
            continue
        first = over.iloc[0]
        what = (
            f"ward {first['ward_code']} has {first['births']:,.0f} births in {first['year']}, "
            f"more than {limit:,.0f}"
        )
        if refuse:
            raise InputError(
                what + " (far beyond what one ward can have)",
                file=path,
                hint="Check the figures: a total row, a misplaced decimal point, or one child "
                "given many rows? Nothing was written",
            )
        notes.append(
            f"Check {path.name}: {what}" + (f" ({len(over)} such)" if len(over) > 1 else "")
        )
        return


def _wards_of(
    table: pd.DataFrame,
    path: Path,
    target: Target,
    columns: tuple[str | None, str | None, str | None],
) -> tuple[pd.Series, str]:
    """Each row's ward (missing outside the area) and how it was found."""
    ward_col, lsoa_col, postcode_col = columns
    postcodes = target.postcodes
    if ward_col is not None:
        ward = table[ward_col].astype("string").str.strip()
        refuse_empty(ward, table, file=path, column=ward_col)
        refuse_other_year(
            ward,
            set(target.known),
            table,
            file=path,
            column=ward_col,
            wards_field=target.field,
            lookup_hint="Give births by the wards of the area's wards file: ONS's ward to ward "
            "lookups (e.g. 'Ward (2023) to Ward (2024) Lookup') map old codes, or import births "
            "by LSOA with --lookup 'LSOA (2021) to Electoral Ward Best Fit Lookup' of the "
            "wards' year",
        )
        how = f"wards from {ward_col}"
    elif lsoa_col is not None:
        ward, how = lsoa_wards(
            table[lsoa_col].astype("string").str.strip(),
            table,
            file=path,
            column=lsoa_col,
            target=target,
        )
    elif postcode_col is not None:
        if postcodes is None:
            raise InputError(
                "births by postcode and the area has no postcode lookup",
                file=path,
                column=postcode_col,
                hint="Run sufficiency import postcodes ONSPD.csv --area DIR first",
            )
        keys_pc = normalise_postcode(table[postcode_col].fillna(""))
        ward = pd.Series(
            postcodes["ward_code"].reindex(keys_pc.to_numpy()).to_numpy(), index=table.index
        ).astype("string")
        how = f"wards from {postcode_col} through postcodes.csv"
    else:  # pragma: no cover - read_published found one of them
        raise InputError("no ward, LSOA or postcode column", file=path, hint=EXPECTED)
    return ward, how


def _long(table: pd.DataFrame, path: Path) -> pd.DataFrame:
    """One column per year (``2019, 2020, ...``) melted into ``year, births`` rows."""
    years = [c for c in table.columns if str(c).strip().isdigit() and len(str(c).strip()) == 4]
    if not years or find_column(table.columns, *YEAR):
        return table
    ids = [c for c in table.columns if c not in years]
    long = table.reset_index().melt(
        id_vars=["index", *ids], value_vars=years, var_name="year", value_name="births"
    )
    # Keep spreadsheet rows for errors: the row a value came from.
    return long.set_index("index").rename_axis(None).sort_index(kind="stable")


def _fill_gaps(
    births: pd.DataFrame, known: set[str], path: Path, *, monthly: bool, project: bool
) -> tuple[pd.DataFrame, int]:
    """Refuse gaps (``area.refuse_birth_gaps``), or project them with :data:`PROJECTION`."""
    from ..area import refuse_birth_gaps

    try:
        refuse_birth_gaps(births, known, path, monthly=monthly)
        return births, 0
    except InputError as exc:
        if not project:
            raise InputError(
                exc.message,
                file=exc.file,
                column=exc.column,
                hint=(exc.hint or "")
                + "; or give --project-missing to fill the gaps ("
                + PROJECTION
                + "); nothing was written",
            ) from None
    absent = sorted(known - set(births["ward_code"]))
    if absent:
        raise InputError(
            f"ward {absent[0]} has no births at all ({len(absent)} ward(s) with none), so "
            "there is nothing of its own to project from",
            file=path,
            hint="Give the ward's births (0 where there were none)",
        )
    first, last = int(births["year"].min()), int(births["year"].max())
    grid = pd.MultiIndex.from_product(
        [sorted(known), range(first, last + 1), *([range(1, 13)] if monthly else [])],
        names=["ward_code", "year", *(["month"] if monthly else [])],
    )
    full = births.set_index(list(grid.names))["births"].reindex(grid)
    same = ["ward_code", "month"] if monthly else ["ward_code"]
    mean = full.groupby(level=same).transform("mean")
    missing = full.isna()
    if (missing & mean.isna()).any():
        ward, *_ = full[missing & mean.isna()].index[0]
        raise InputError(
            f"ward {ward} has no births in any year for a calendar month, so it cannot be "
            "projected",
            file=path,
            column="month",
            hint="Give at least one year of that month for the ward",
        )
    out = full.fillna(mean).reset_index().rename(columns={0: "births"})
    out["projected"] = missing.to_numpy().astype(int)
    return out, int(missing.sum())


def write_births(imported: ImportedBirths, path: Path) -> None:
    """Write ``births.csv`` (DATA.md: ``ward_code, year[, month], births``)."""
    buffer = BytesIO()
    imported.births.to_csv(buffer, index=False, lineterminator="\n")
    path.write_bytes(buffer.getvalue())
