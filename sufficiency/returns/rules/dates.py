"""Dates that parse: ISO (2026-09-01), or day/month/year as Excel writes them (01/09/2026)."""

from __future__ import annotations

import pandas as pd

from ._base import Context
from ._registry import rule

DATES = ["status_date", "planned_change_date"]


@rule("R140", "{column} must be a date written YYYY-MM-DD (e.g. 2026-09-01)", columns=DATES)
def is_date(ctx: Context) -> dict[str, pd.Series]:
    """A date cell that cannot be read as a date."""
    return {c: ctx.text(c).notna() & ctx.date(c).isna() for c in DATES}
