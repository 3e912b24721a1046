"""School-age places: the optional breakfast, after-school and holiday columns.

The places columns are counts, checked with the others (``numbers``: R101-R103, R109, R205).
Here: holiday weeks that fit in the school holidays (R114), and holiday places and weeks that
come together (R206, R207: warnings, since the model can still run; it counts holiday places
without weeks as running every week of the school holidays).
"""

from __future__ import annotations

import pandas as pd

from ..reader import HOLIDAY_WEEKS_MOST
from ._base import Context
from ._registry import rule


@rule(
    "R114",
    f"holiday_weeks must be {HOLIDAY_WEEKS_MOST} or fewer (the weeks of school holidays in a year)",
    columns=["holiday_weeks"],
)
def holiday_weeks_in_the_holidays(ctx: Context) -> pd.Series:
    """More weeks of holiday care than the school holidays have."""
    return ctx.number("holiday_weeks") > HOLIDAY_WEEKS_MOST


@rule(
    "R206",
    "places_holiday is given but holiday_weeks is not: the places are counted as running every "
    "week of the school holidays; give the weeks",
    columns=["places_holiday"],
    severity="warning",
)
def holiday_places_without_weeks(ctx: Context) -> pd.Series:
    """Holiday places with no weeks a year to say how long they run."""
    return (ctx.number("places_holiday") > 0) & ctx.text("holiday_weeks").isna()


@rule(
    "R207",
    "holiday_weeks is given but places_holiday is not: give the holiday places too",
    columns=["holiday_weeks"],
    severity="warning",
)
def holiday_weeks_without_places(ctx: Context) -> pd.Series:
    """Holiday weeks with no holiday places to run in them."""
    return (ctx.number("holiday_weeks") > 0) & ctx.text("places_holiday").isna()
