"""Types and ranges: numbers that are numbers, counts that are whole and not negative, and an
opening pattern that fits in a day, a week and a year.

Vacancies are full-time places and may be fractions (2.5 places free); every other count
(places, children, staff, waiting lists) is a whole number. Fees and charges (optional) are
pounds and pence. Coordinates and the planned change
of places may be negative.
"""

from __future__ import annotations

import pandas as pd

from ..._io import LIMITS
from ..reader import COUNTS, OPENING, PRICES, VACANCIES
from ._base import NUMERIC, Context
from ._registry import rule

NOT_NEGATIVE = [*COUNTS, *OPENING, *PRICES]
WHOLE = [c for c in COUNTS if c not in VACANCIES] + ["planned_places_change"]


@rule("R101", "{column} must be a number", columns=NUMERIC)
def is_number(ctx: Context) -> dict[str, pd.Series]:
    """A numeric cell holds text that is not a number."""
    return {c: ctx.text(c).notna() & ctx.number(c).isna() for c in NUMERIC}


@rule("R102", "{column} must not be negative", columns=NOT_NEGATIVE)
def not_negative(ctx: Context) -> dict[str, pd.Series]:
    """A count or opening figure is below 0."""
    return {c: ctx.number(c) < 0 for c in NOT_NEGATIVE}


@rule("R103", "{column} must be a whole number", columns=WHOLE)
def whole_number(ctx: Context) -> dict[str, pd.Series]:
    """A count of places, children or staff has a fraction."""
    return {c: (ctx.number(c) % 1 != 0) & ctx.number(c).notna() for c in WHOLE}


_WARN, _MOST = LIMITS["setting"]


@rule(
    "R109", f"{{column}} is above {_MOST:,.0f}, far beyond what one setting holds", columns=COUNTS
)
def beyond_any_setting(ctx: Context) -> dict[str, pd.Series]:
    """A count no setting could have: a misplaced decimal point, or a total row."""
    return {c: ctx.number(c) > _MOST for c in COUNTS}


@rule(
    "R205",
    f"{{column}} is above {_WARN:,.0f}: check it",
    columns=COUNTS,
    severity="warning",
)
def very_large(ctx: Context) -> dict[str, pd.Series]:
    """A count larger than almost any setting has (but not impossible)."""
    return {c: (ctx.number(c) > _WARN) & (ctx.number(c) <= _MOST) for c in COUNTS}


@rule("R105", "hours_per_day must be 24 or fewer", columns=["hours_per_day"])
def hours_in_a_day(ctx: Context) -> pd.Series:
    """More opening hours a day than a day has."""
    return ctx.number("hours_per_day") > 24


@rule("R106", "days_per_week must be 7 or fewer", columns=["days_per_week"])
def days_in_a_week(ctx: Context) -> pd.Series:
    """More opening days a week than a week has."""
    return ctx.number("days_per_week") > 7


@rule("R107", "weeks_per_year must be 52 or fewer", columns=["weeks_per_year"])
def weeks_in_a_year(ctx: Context) -> pd.Series:
    """More opening weeks a year than a year has."""
    return ctx.number("weeks_per_year") > 52
