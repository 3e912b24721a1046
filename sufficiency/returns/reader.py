"""Reading termly provider returns (../shared/DATA.md, "Termly provider return").

A return is one CSV or XLSX file for one funding term: the term comes from the file name
(``returns-2026-autumn.csv``), a ``term`` column, or the caller. Columns are read by their
DATA.md names; the counts become numbers, dates become dates, and each row keeps its file and
spreadsheet row so any later problem can point back to it. The checks here are the ones the
model cannot run without; the fuller, report-everything validation of an ingest lives in
``validation.py``.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from .._io import (
    check_magnitude,
    dates,
    misplaced_header,
    numbers,
    raise_first,
    read_table,
    require_columns,
    row_number,
)
from ..errors import InputError
from ..terms import AGE_GROUPS, Term

PROVIDER_TYPES = (
    "childminder",
    "day_nursery",
    "pre_school",
    "school_nursery",
    "nursery_school",
    "other",
)
STATUSES = ("open", "new", "closing", "closed")
PLACES = [f"places_{g}" for g in AGE_GROUPS]
CHILDREN = [f"children_{g}" for g in AGE_GROUPS]
VACANCIES = [f"vacancies_{g}" for g in AGE_GROUPS]
WAITING = [f"waiting_{g}" for g in AGE_GROUPS]
FUNDED = {
    "funded_under2_working": "working_under2",
    "funded_2_working": "working_2",
    "funded_2_disadvantaged": "disadvantaged_2",
    "funded_3_4_universal": "universal_3_4",
    "funded_3_4_extended": "extended_3_4",
}
TERM_FIGURES = [*VACANCIES, *CHILDREN, "staff_total"]
"""The figures every open provider gives afresh each term; a row leaving all of them blank is
not a return (:func:`left_blank`, rule R204)."""
STAFF = [
    "staff_total",
    "staff_unqualified",
    "staff_level2",
    "staff_level3",
    "staff_level6",
    "staff_vacancies",
    "staff_leavers",
    "staff_recruits",
]
SCHOOL_AGE_PLACES = ["places_breakfast", "places_after_school", "places_holiday"]
"""Optional: school-age places a session (breakfast and after-school clubs, each school day) and
a holiday day; ``holiday_weeks`` (in ``OPENING``) says how many weeks of the school holidays
the holiday places run (``school_age.py``)."""
OPENING = ["hours_per_day", "days_per_week", "weeks_per_year", "holiday_weeks"]
FEES = ["fee_hourly_under2", "fee_hourly_2", "fee_hourly_3_4"]
"""Optional: the hourly fee (pounds) a parent pays for paid hours, by age group."""
CHARGES = "charges_weekly"
"""Optional: charges a week (pounds) for consumables, meals and the like, beside the fee."""
PRICES = [*FEES, CHARGES]
GRADES = ("outstanding", "good", "requires_improvement", "inadequate", "met", "not_met")
"""Ofsted's overall judgements an early years setting can hold (``met``/``not_met``: a setting
inspected with no children on roll). Written as here, or as Ofsted prints them
(``Requires improvement``), or as Ofsted's codes 1-4 (1 outstanding ... 4 inadequate)."""
GOOD_GRADES = ("outstanding", "good")
_GRADE_CODES = {"1": "outstanding", "2": "good", "3": "requires_improvement", "4": "inadequate"}
COUNTS = [
    "registered_places",
    *PLACES,
    *CHILDREN,
    *FUNDED,
    *VACANCIES,
    *WAITING,
    *STAFF,
    "send_children",
    *SCHOOL_AGE_PLACES,
]
REQUIRED = ["urn", "provider_type", *PLACES, "hours_per_day", "days_per_week"]
RETURN_COLUMNS = [
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
    "hours_per_day",
    "days_per_week",
    "weeks_per_year",
    *CHILDREN,
    *FUNDED,
    *VACANCIES,
    *WAITING,
    *STAFF,
    "leaver_reasons",
    "send_children",
    "status",
    "status_date",
    "planned_places_change",
    "planned_change_date",
    "ofsted_grade",
    *PRICES,
    *SCHOOL_AGE_PLACES,
    "holiday_weeks",
]
HOLIDAY_WEEKS_MOST = 13
"""The most weeks of school holidays in a year (52 less about 39 weeks of school)."""
_NAME_RE = re.compile(r"returns-(\d{4}-(?:spring|summer|autumn))", re.IGNORECASE)


def term_from_name(path: str | Path) -> Term | None:
    """``returns-2026-autumn.xlsx`` -> ``Term('2026-autumn')``; ``None`` if the name has none."""
    match = _NAME_RE.search(Path(path).name)
    return Term.parse(match.group(1)) if match else None


def read_return(
    path: str | Path,
    term: Term | None = None,
    notes: list[str] | None = None,
    *,
    table: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One term's return as a typed frame, with ``term``, ``source_file`` and ``source_row``.

    Counts are floats (missing optional counts stay NaN), ``status`` defaults to ``open``,
    ``status_date`` and ``planned_change_date`` are datetimes. A count beyond what any setting
    holds is refused; a very large one is noted in ``notes`` (``_io.LIMITS["setting"]``).
    ``table`` is the file as ``_io.read_table`` reads it, where the caller has read it already.
    """
    path = Path(path)
    table = read_table(path) if table is None else table
    if not set(REQUIRED) <= set(table.columns):
        where = misplaced_header(path, ["urn", "provider_type"])
        if where is not None:
            raise InputError(
                f"the header is on {where}, not on row 1 of the first sheet",
                file=path,
                hint="Delete the rows above the header (or move the returns to the first "
                "sheet), so that row 1 holds the column names",
            )
    if table.empty:
        raise InputError(
            "the return has no rows of data",
            file=path,
            hint="Export it again with one row per provider, or move it out of the area folder",
        )
    require_columns(table, REQUIRED, file=path)
    term = _term_of(table, path, term)
    out = pd.DataFrame(index=table.index)
    out["term"] = str(term)
    out["urn"] = table["urn"].astype("string").str.upper().str.replace(" ", "", regex=False)
    _check_urns(out["urn"], table, path)
    for column in ["provider_name", "postcode", "ward_code", "leaver_reasons"]:
        out[column] = table[column] if column in table.columns else pd.NA
        out[column] = out[column].astype("string")
    out["provider_type"] = table["provider_type"].astype("string").str.lower()
    _check_choice(out["provider_type"], table, path, "provider_type", PROVIDER_TYPES)
    status = table["status"] if "status" in table.columns else pd.Series(pd.NA, index=table.index)
    out["status"] = status.astype("string").str.lower().fillna("open")
    _check_choice(out["status"], table, path, "status", STATUSES)
    for column in ["easting", "northing", "latitude", "longitude"]:
        if column in table.columns:
            out[column] = table[column]
    for column in [*COUNTS, *OPENING]:
        if column in table.columns:
            required = column in REQUIRED
            out[column] = numbers(table, column, file=path, required=required)
            if column in COUNTS:
                check_magnitude(
                    out[column], table, "setting", file=path, column=column, notes=notes
                )
        else:
            out[column] = np.nan
    _check_opening(out, table, path)
    out["ofsted_grade"] = _grades(table, path)
    for column in PRICES:
        if column in table.columns:
            out[column] = numbers(table, column, file=path, required=False)
            kind = "charges" if column == CHARGES else "fee"
            check_magnitude(out[column], table, kind, file=path, column=column, notes=notes)
        else:
            out[column] = np.nan
    out["planned_places_change"] = (
        numbers(table, "planned_places_change", file=path, required=False, negative=True)
        if "planned_places_change" in table.columns
        else np.nan
    )
    for column in ["status_date", "planned_change_date"]:
        if column in table.columns:
            out[column] = dates(table, column, file=path).astype("datetime64[ns]")
        else:
            out[column] = pd.Series(pd.NaT, index=table.index, dtype="datetime64[ns]")
    out["source_file"] = path.name
    out["source_row"] = table.index.to_numpy(dtype=np.int64) + 2  # as row_number gives it
    return out.reset_index(drop=True)


def left_blank(figures: pd.DataFrame, status: pd.Series) -> pd.Series:
    """Rows that leave every one of the term's figures (``TERM_FIGURES``: vacancies, children on
    roll, staff) blank for a provider that is open: not a return, e.g. a pre-filled template
    sent back untouched. A setting not yet open (``new``) or closed may leave them blank.

    ``figures`` holds the ``TERM_FIGURES`` columns as numbers (NaN where blank)."""
    blank = figures[TERM_FIGURES].isna().all(axis=1)
    not_open = status.astype("string").str.lower().isin(["closed", "new"]).fillna(False)
    return (blank & ~not_open).astype(bool)


def normalise_grades(values: pd.Series) -> pd.Series:
    """Ofsted grades as :data:`GRADES` spell them: lower case, ``_`` for spaces, codes 1-4 as
    words; anything else is left as given (lower case) for the caller to refuse.

    >>> normalise_grades(pd.Series(["Good", "Requires Improvement", "1", None])).tolist()
    ['good', 'requires_improvement', 'outstanding', <NA>]
    """
    text = values.astype("string").str.strip().str.lower()
    text = text.str.replace(r"[\s-]+", "_", regex=True).str.replace(r"\.0$", "", regex=True)
    words = text.map(lambda v: _GRADE_CODES.get(v, v), na_action="ignore").astype("string")
    return words.mask(words == "")


def _grades(table: pd.DataFrame, path: Path) -> pd.Series:
    """The optional ``ofsted_grade`` column, normalised; an unknown grade is refused."""
    if "ofsted_grade" not in table.columns:
        return pd.Series(pd.NA, index=table.index, dtype="string")
    grades = normalise_grades(table["ofsted_grade"])
    raise_first(
        grades.notna() & ~grades.isin(GRADES),
        table,
        "unknown ofsted_grade",
        file=path,
        column="ofsted_grade",
        hint="Use outstanding, good, requires improvement, inadequate, met or not met "
        "(or Ofsted's codes 1-4), or leave it empty where the setting has no grade yet",
    )
    return grades


def _term_of(table: pd.DataFrame, path: Path, term: Term | None) -> Term:
    if term is not None:
        if "term" in table.columns:
            other = table["term"].dropna().str.strip().str.lower()
            bad = (other != str(term)).reindex(table.index, fill_value=False)
            if bad.any():
                i = int(np.flatnonzero(bad.to_numpy(bool))[0])
                raise InputError(
                    f"the term column says {table['term'].iloc[i]}, but the return is for {term}",
                    file=path,
                    row=row_number(table, i),
                    column="term",
                    hint="Correct the term column, or the file name (returns-YYYY-season)",
                )
        return term
    if "term" in table.columns:
        values = table["term"].dropna().unique()
        if len(values) == 1:
            return Term.parse(values[0], file=str(path), column="term")
        if len(values) > 1:
            raise InputError(
                f"more than one term in one file ({', '.join(map(str, values[:3]))})",
                file=path,
                column="term",
                hint="Give one file per term",
            )
    named = term_from_name(path)
    if named is None:
        raise InputError(
            "the return's term is not known",
            file=path,
            hint="Name the file returns-YYYY-season.csv (e.g. returns-2026-autumn.csv), "
            "add a term column, or give --term",
        )
    return named


def _first_bad(mask: pd.Series) -> int:
    return int(np.flatnonzero(mask.to_numpy(dtype=bool))[0])


def _check_urns(urns: pd.Series, table: pd.DataFrame, path: Path) -> None:
    missing = urns.isna()
    if missing.any():
        i = _first_bad(missing)
        raise InputError(
            "no URN",
            file=path,
            row=row_number(table, i),
            column="urn",
            hint="Every provider needs its Ofsted URN",
        )
    repeated = urns.duplicated()
    if repeated.any():
        i = _first_bad(repeated)
        raise InputError(
            "URN given twice in one term",
            file=path,
            row=row_number(table, i),
            column="urn",
            value=urns.iloc[i],
            hint="Keep one row per provider",
        )


def _check_choice(
    values: pd.Series, table: pd.DataFrame, path: Path, column: str, allowed: tuple[str, ...]
) -> None:
    bad = ~values.isin(allowed) & values.notna()
    if values.isna().any() and column == "provider_type":
        bad |= values.isna()
    raise_first(
        bad,
        table,
        f"unknown {column}",
        file=path,
        column=column,
        hint=f"Use one of {', '.join(allowed)}",
    )


def _check_opening(out: pd.DataFrame, table: pd.DataFrame, path: Path) -> None:
    for column, top in [
        ("hours_per_day", 24),
        ("days_per_week", 7),
        ("weeks_per_year", 52),
        ("holiday_weeks", HOLIDAY_WEEKS_MOST),
    ]:
        raise_first(
            out[column] > top,
            table,
            f"{column} above {top}",
            file=path,
            column=column,
            hint="Give the weeks of the school holidays in which the holiday places run "
            f"(at most {HOLIDAY_WEEKS_MOST})"
            if column == "holiday_weeks"
            else "Give the setting's usual opening pattern",
        )
