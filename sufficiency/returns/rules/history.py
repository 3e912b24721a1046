"""Warnings against the store's earlier terms: figures that look copied forward or mistyped,
and providers the store has not seen. They are printed and stored but do not block an ingest.

* R201: a vacancies figure above 0 that equals the provider's returns for each of the two terms
  before (three terms unchanged). Zero vacancies are left alone: a full setting stays full.
* R202: places for an age group that moved by more than half of the provider's latest earlier
  return (which had more than 0 places for it).
* R203: a URN the store has never seen (only once the store holds a term).
"""

from __future__ import annotations

import pandas as pd

from ...terms import AGE_GROUPS
from ._base import Context
from ._registry import rule


@rule(
    "R201",
    "{column} is the same as in the last two terms' returns; check it is up to date",
    columns=[f"vacancies_{g}" for g in AGE_GROUPS],
    severity="warning",
    needs=("history",),
)
def vacancies_unchanged(ctx: Context) -> dict[str, pd.Series]:
    """Vacancies above 0 unchanged for three terms running."""
    one, two = ctx.previous(1), ctx.previous(2)
    out = {}
    for g in AGE_GROUPS:
        column = f"vacancies_{g}"
        now = ctx.number(column)
        out[column] = (
            (now > 0) & (now == ctx.aligned(one, column)) & (now == ctx.aligned(two, column))
        )
    return out


@rule(
    "R202",
    "{column} changed by more than half since the provider's last return; check it",
    columns=[f"places_{g}" for g in AGE_GROUPS],
    severity="warning",
    needs=("history",),
)
def places_jump(ctx: Context) -> dict[str, pd.Series]:
    """Places for an age group up or down by more than 50% on the latest earlier return."""
    last = ctx.last_return()
    out = {}
    for g in AGE_GROUPS:
        column = f"places_{g}"
        before = ctx.aligned(last, column)
        out[column] = (before > 0) & ((ctx.number(column) - before).abs() > 0.5 * before)
    return out


@rule(
    "R203",
    "this provider is new to the store; check the URN",
    columns=["urn"],
    severity="warning",
    needs=("history",),
)
def new_provider(ctx: Context) -> pd.Series:
    """A URN the store has not seen in any term."""
    return ctx.urn.notna() & ~ctx.urn.isin(ctx.known_urns)
