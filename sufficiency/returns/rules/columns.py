"""The file's shape: required columns present and filled in, and the right term.

Required columns are the ones the model cannot do without (``returns.REQUIRED``): the URN, the
provider type, the places by age group and the daily and weekly opening pattern.
"""

from __future__ import annotations

import pandas as pd

from ..reader import REQUIRED
from ._base import Context
from ._registry import rule


@rule(
    "R100",
    "the file has no {column} column; every return needs it",
    columns=REQUIRED,
    per_file=True,
)
def required_columns(ctx: Context) -> dict[str, pd.Series]:
    """A required column is missing from a file (reported once per file, on the header row)."""
    return {column: ~ctx.has_column(column) for column in REQUIRED}


@rule("R104", "{column} is empty; every provider must give it", columns=REQUIRED)
def required_values(ctx: Context) -> dict[str, pd.Series]:
    """A required cell is empty (in a file that has the column)."""
    return {column: ctx.has_column(column) & ctx.text(column).isna() for column in REQUIRED}


@rule("R108", "term must be {term}, the term being loaded", columns=["term"])
def term_matches(ctx: Context) -> pd.Series:
    """A ``term`` column, where a file has one, names the term being loaded."""
    given = ctx.text("term").str.lower().str.strip()
    return given.notna() & (given != str(ctx.term))
