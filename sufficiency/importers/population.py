"""``sufficiency import population``: ONS small-area population estimates to the area's
``population.csv`` (``ward_code, year, age, population``, ages 0 to 4).

Reads ONS's mid-year estimates by single year of age as published, recognised by their
columns (any case; the header may sit below title rows, as on row 4 of ONS's workbooks):

- by LSOA, 2021 codes (``sapelsoasyoa*.xlsx``, a sheet per year named ``Mid-2022 LSOA 2021``):
  ``LSOA 2021 Code`` and ``F0 ... F90, M0 ... M90`` (females and males are added up);
- older editions and ward estimates: ``LSOA Code`` or ``Ward Code 1`` / ``Ward 2023 Code``
  with ``0, 1, ..., 90+`` (persons);
- a long table: a geography code, ``age`` and ``population`` (or ``count``).

The year is the sheet's (``Mid-2022``), else a ``year`` column, else ``--year``. LSOAs are added
up into wards by a best-fit lookup (``_wards.lsoa_wards``); an LSOA or ward outside the area is
dropped and counted, a ward code the wards file lacks is an error listing the codes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

import pandas as pd

from .._io import check_magnitude, find_column, numbers, read_table
from ..errors import InputError
from ._published import header_rows
from ._wards import LSOA_CODE, WARD_CODE, Target, lsoa_wards, refuse_empty, refuse_other_year

AGES = range(5)
"""Ages kept: the model uses 0 to 4."""
SHEET_YEAR = re.compile(r"mid-?(\d{4})", re.IGNORECASE)
EXPECTED = (
    "an LSOA code (LSOA 2021 Code, LSOA21CD) or a ward code (Ward 2023 Code, WD23CD, ward_code) "
    "and single years of age as columns (F0 ... F90 and M0 ... M90, or 0 ... 90+), or age and "
    "population columns"
)


@dataclass
class ImportedPopulation:
    """Children aged 0-4 by ward and year, and what was read and dropped."""

    population: pd.DataFrame
    rows: int
    sheets: list[str]
    how: str
    outside: int = 0
    notes: list[str] = field(default_factory=list)
    header_at: str | None = None

    def _where(self) -> list[str]:
        sheets = [f"sheets {', '.join(self.sheets)}"] if self.sheets else []
        return sheets + ([self.header_at] if self.header_at else [])

    def lines(self, source: Path, target: Path) -> list[str]:
        years = sorted(self.population["year"].unique())
        per_year = self.population.groupby("year")["population"].sum()
        out = [
            f"Read {self.rows:,} row(s) from {source.name}"
            + (f" ({'; '.join(where)})" if (where := self._where()) else "")
            + f"; {self.how}",
            f"Kept ages 0-4 in {self.population['ward_code'].nunique()} ward(s) for "
            + ", ".join(f"mid-{y} ({per_year[y]:,.0f} children)" for y in years),
            f"Dropped {self.outside:,} row(s) outside the area's wards; ages 5 and over (not used)",
        ]
        out.extend(self.notes)
        out.append(f"Written: {target}")
        return out


def _age_columns(columns: list[str]) -> dict[int, list[str]]:
    """Single-year age columns for ages 0-4: ``{0: ["f0", "m0"], ...}`` or ``{0: ["0"], ...}``."""
    by_age: dict[int, list[str]] = {a: [] for a in AGES}
    persons = {a: [c for c in columns if str(c).strip() == str(a)] for a in AGES}
    if all(persons[a] for a in AGES):
        return {a: persons[a][:1] for a in AGES}
    for column in columns:
        m = re.fullmatch(r"([fm])\s*(\d{1,2})", str(column).strip())
        if m and int(m.group(2)) in by_age:
            by_age[int(m.group(2))].append(column)
    if all(len(by_age[a]) == 2 for a in AGES):
        return by_age
    return {}


def import_population(
    path: str | Path, target: Target, *, year: int | None = None
) -> ImportedPopulation:
    """Read ONS population estimates and return ``ward_code, year, age, population``."""
    path = Path(path)
    keys = WARD_CODE + LSOA_CODE
    found = header_rows(path, keys)
    if not found:
        raise InputError("not recognised", file=path, hint=f"It needs {EXPECTED}")
    # A workbook with a sheet per year reads every year's sheet; else the first found.
    yearly = [f for f in found if SHEET_YEAR.search(f[1])]
    chosen = yearly or found[:1]
    frames, rows, sheets, hows, outside = [], 0, [], set(), 0
    notes: list[str] = []
    for sheet, name, above in chosen:
        table = read_table(path, sheet=sheet, skip_rows=above)
        sheet_year = SHEET_YEAR.search(name)
        if name:
            sheets.append(name)
        header_at = f"header on row {above + 1}" if above else None
        frame, how, dropped = _one_table(
            table, path, target, int(sheet_year.group(1)) if sheet_year else year, notes
        )
        frames.append(frame)
        rows += len(table)
        hows.add(how)
        outside += dropped
    out = pd.concat(frames, ignore_index=True)
    out = out.groupby(["ward_code", "year", "age"], sort=True)["population"].sum().reset_index()
    if out.empty:
        raise InputError(
            "none of its rows is in the area's wards",
            file=path,
            hint="Check it covers the area (and, for LSOAs, the lookup); nothing was written",
        )
    missing = sorted(target.known - set(out["ward_code"]))
    if missing:
        raise InputError(
            f"no estimates for ward {missing[0]} ({len(missing)} ward(s) of the wards file have "
            "none)",
            file=path,
            hint="Give the estimates for every ward of the area (for LSOAs: a lookup that "
            "covers every ward); a ward left out would be read as no children",
        )
    repeated = out.duplicated(["ward_code", "year", "age"])
    if repeated.any():  # pragma: no cover - grouped above
        raise InputError("a ward, year and age given twice", file=path)
    return ImportedPopulation(
        header_at=header_at,
        population=out,
        rows=rows,
        sheets=sheets,
        how="; ".join(sorted(hows)),
        outside=outside,
        notes=notes,
    )


def _one_table(
    table: pd.DataFrame, path: Path, target: Target, year: int | None, notes: list[str]
) -> tuple[pd.DataFrame, str, int]:
    known = set(target.known)
    ward_col = find_column(table.columns, *WARD_CODE)
    lsoa_col = None if ward_col else find_column(table.columns, *LSOA_CODE)
    column = ward_col or lsoa_col
    if column is None:
        raise InputError("no ward or LSOA code column", file=path, hint=f"It needs {EXPECTED}")
    codes = table[column].astype("string").str.strip()
    refuse_empty(codes, table, file=path, column=column)
    if ward_col:
        refuse_other_year(
            codes,
            known,
            table,
            file=path,
            column=ward_col,
            wards_field=target.field,
            lookup_hint="Give estimates by the wards of the area's wards file (ONS publishes "
            "ward estimates on each year's boundaries), or import the LSOA estimates with "
            "--lookup 'LSOA (2021) to Electoral Ward Best Fit Lookup' of the wards' year",
        )
        ward, how = codes, f"wards from {ward_col}"
    else:
        assert lsoa_col is not None
        ward, how = lsoa_wards(
            codes,
            table,
            file=path,
            column=lsoa_col,
            target=target,
        )
    year_col = find_column(table.columns, "year", r"mid[- ]?year")
    if year_col is not None:
        years = numbers(table, year_col, file=path, integer=True)
    elif year is not None:
        years = pd.Series(float(year), index=table.index)
    else:
        raise InputError(
            "which mid-year the estimates are for is not in the file",
            file=path,
            hint="Give --year YYYY (the mid-year of the estimates), or read the ONS workbook, "
            "whose sheets are named Mid-YYYY",
        )
    inside = ward.notna().to_numpy(bool) & ward.isin(known).to_numpy(bool)
    ages = _age_columns(list(table.columns))
    if ages:
        parts = []
        for age, columns in ages.items():
            count = sum(
                (numbers(table, c, file=path) for c in columns),
                start=pd.Series(0.0, index=table.index),
            )
            parts.append(
                pd.DataFrame({"ward_code": ward, "year": years, "age": age, "population": count})
            )
        frame = pd.concat([p[inside] for p in parts], ignore_index=True)
        note = f"Females and males added up ({', '.join(ages[0] + ages[4])}, ...)"
        if len(ages[0]) > 1 and note not in notes:
            notes.append(note)
    else:
        age_col = find_column(table.columns, "age")
        count_col = find_column(table.columns, "population", "count", "observation", "value")
        if age_col is None or count_col is None:
            raise InputError(
                "no single-year-of-age columns",
                file=path,
                hint=f"It needs {EXPECTED}; its header has {', '.join(table.columns[:12])}",
            )
        single = numbers(table, age_col, file=path, integer=True)
        count = numbers(table, count_col, file=path)
        frame = pd.DataFrame({"ward_code": ward, "year": years, "age": single, "population": count})
        frame = frame[inside & single.isin(list(AGES)).to_numpy(bool)]
    check_magnitude(
        frame["population"], frame, "population", file=path, column="population", notes=notes
    )
    frame = frame.astype({"year": int, "age": int})
    frame["ward_code"] = frame["ward_code"].astype(str)
    return frame, how, int((~inside).sum())


def write_population(imported: ImportedPopulation, path: Path) -> None:
    """Write ``population.csv`` (DATA.md: ``ward_code, year, age, population``)."""
    buffer = BytesIO()
    imported.population.to_csv(buffer, index=False, lineterminator="\n")
    path.write_bytes(buffer.getvalue())
