"""Quality and prices, both optional: a known Ofsted grade, and fees and charges in pounds.

``ofsted_grade`` is matched without regard to case, spaces or hyphens (``Requires
improvement``), and Ofsted's codes 1-4 are read as the grades. Fees are pounds an hour and
charges pounds a week (R101/R102 check that they are numbers and not negative); a price in pence
(650 for 6.50) is what these catch.
"""

from __future__ import annotations

import pandas as pd

from ..._io import LIMITS
from ..reader import CHARGES, FEES, GRADES, normalise_grades
from ._base import Context
from ._registry import rule

_FEE_WARN, _FEE_MOST = LIMITS["fee"]
_CHARGES_WARN, _CHARGES_MOST = LIMITS["charges"]


@rule(
    "R160",
    "ofsted_grade must be outstanding, good, requires improvement, inadequate, met or not met "
    "(or Ofsted's code 1-4); leave it empty where the setting has no grade yet",
    columns=["ofsted_grade"],
)
def known_grade(ctx: Context) -> pd.Series:
    """An Ofsted grade that is not one of Ofsted's judgements."""
    grade = normalise_grades(ctx.text("ofsted_grade"))
    return grade.notna() & ~grade.isin(GRADES)


@rule(
    "R161",
    f"{{column}} is above £{_FEE_MOST:,.0f} an hour or £{_CHARGES_MOST:,.0f} a week: write "
    "pounds (6.50), not pence (650)",
    columns=[*FEES, CHARGES],
)
def price_in_pounds(ctx: Context) -> dict[str, pd.Series]:
    """A fee or charge no setting asks: most likely pence written as pounds."""
    out = {c: ctx.number(c) > _FEE_MOST for c in FEES}
    out[CHARGES] = ctx.number(CHARGES) > _CHARGES_MOST
    return out


@rule(
    "R208",
    f"{{column}} is above £{_FEE_WARN:,.0f} an hour or £{_CHARGES_WARN:,.0f} a week: check it",
    columns=[*FEES, CHARGES],
    severity="warning",
)
def high_price(ctx: Context) -> dict[str, pd.Series]:
    """A fee or charge higher than almost any setting asks (but not impossible)."""
    out = {c: (ctx.number(c) > _FEE_WARN) & (ctx.number(c) <= _FEE_MOST) for c in FEES}
    charges = ctx.number(CHARGES)
    out[CHARGES] = (charges > _CHARGES_WARN) & (charges <= _CHARGES_MOST)
    return out
