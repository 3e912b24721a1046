"""Figures in one return that must agree: vacancies within places, places offered within
registered places, staff by qualification adding up to the staff total.

Ofsted registered places cap the children present at one time, so the places a setting offers at
one time (``places_under2 + places_2 + places_3_4``) cannot exceed them (R113, an error). Children
on roll can: a setting with many part-time children has more on roll than places, which is
normal, so children on roll above registered places (R111) is only a warning to check.
"""

from __future__ import annotations

import pandas as pd

from ...terms import AGE_GROUPS
from ..reader import CHILDREN, TERM_FIGURES, left_blank
from ._base import Context
from ._registry import rule

QUALIFICATIONS = ["staff_unqualified", "staff_level2", "staff_level3", "staff_level6"]


@rule(
    "R110",
    "{column} must not be more than the places offered to that age group",
    columns=[f"vacancies_{g}" for g in AGE_GROUPS],
)
def vacancies_within_places(ctx: Context) -> dict[str, pd.Series]:
    """Vacancies for an age group above the places offered to it (``places_<group>``)."""
    return {
        f"vacancies_{g}": ctx.number(f"vacancies_{g}") > ctx.number(f"places_{g}")
        for g in AGE_GROUPS
    }


@rule(
    "R111",
    "children on roll (children_under2 + children_2 + children_3_4) must not be more "
    "than registered_places; normal with part-time children, check the figures",
    columns=["registered_places"],
    severity="warning",
)
def children_within_registered(ctx: Context) -> pd.Series:
    """Children on roll, all ages, above the Ofsted registered places (part-time children make
    this legitimate, so it is a warning)."""
    children = pd.concat([ctx.number(c) for c in CHILDREN], axis=1)
    total = children.sum(axis=1, min_count=1)
    return total > ctx.number("registered_places")


@rule(
    "R113",
    "places offered at one time (places_under2 + places_2 + places_3_4) must not be more than "
    "registered_places",
    columns=["registered_places"],
)
def places_within_registered(ctx: Context) -> pd.Series:
    """Places offered to all ages at one time above the Ofsted registered places."""
    places = pd.concat([ctx.number(f"places_{g}") for g in AGE_GROUPS], axis=1)
    return places.sum(axis=1, min_count=1) > ctx.number("registered_places")


@rule(
    "R112",
    "staff_unqualified + staff_level2 + staff_level3 + staff_level6 must add up to staff_total",
    columns=["staff_total"],
)
def staff_add_up(ctx: Context) -> pd.Series:
    """Staff by qualification (missing counted as 0, where any is given) differ from the total."""
    parts = pd.concat([ctx.number(c) for c in QUALIFICATIONS], axis=1)
    given = parts.notna().any(axis=1)
    total = ctx.number("staff_total")
    return given & (total.isna() | (parts.sum(axis=1) != total))


@rule(
    "R204",
    "every figure of this return is blank (vacancies, children on roll and staff), so it is "
    "not a return: fill in this term's figures, or delete the row if the provider has not "
    "returned (was a pre-filled template sent back untouched?)",
    columns=["staff_total"],
)
def figures_left_blank(ctx: Context) -> pd.Series:
    """An open setting whose vacancies, children and staff columns are all empty
    (``reader.left_blank``; a setting not yet open, status ``new``, or one that has closed may
    leave them empty). An error: stored, it would count as a return and move the run's term."""
    figures = pd.DataFrame({c: ctx.number(c) for c in TERM_FIGURES})
    return left_blank(figures, ctx.text("status"))
