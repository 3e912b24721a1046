"""Eligibility, take-up and demand for places (METHOD.md steps 3 to 5).

For each entitlement in force at a term's start (``entitlements.py``)::

    eligible = children in its age group's window x eligibility share (1 for a universal offer)
    funded   = eligible x take-up

by ward where ``ward_parameters.csv`` says so, LA-wide otherwise. A top-up entitlement
(``extended_3_4``) adds hours to children already counted: it never adds to ``funded_children``
and is capped at the children funded by the entitlement it tops up. ``working_2`` and
``disadvantaged_2`` do not overlap, so they add.

Demand in term-time hours a week::

    demand_hours = sum over entitlements of funded x hours x hours_used x stretch
                   + paid_hours x children
                   + paid_hours.under9m x children_under2 x 9 / 15     (under2 group only)
    stretch      = 1 - stretched_share + stretched_share x 38 / 51

(a stretched offer spreads 38 weeks' hours over 51, so it uses 38/51 of the hours in a week;
``hours_used`` is the share of the funded hours a funded child uses, 1 where not given), and
``demand_places = demand_hours / hours_per_place``. Babies under 9 months use under-2 places
but are in no window: they are counted as 9/15 of the under2 window's children (9 birth months
against its 15, exact for flat births), so the under2 group covers children from birth to 2.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np
import pandas as pd

from .entitlements import Entitlement
from .errors import ParameterError
from .terms import AGE_GROUPS, Term

TERM_WEEKS, STRETCHED_WEEKS = 38.0, 51.0
UNDER9M_PER_UNDER2 = 9.0 / 15.0
"""Babies under 9 months per child in the under2 window (9 birth months against 15)."""


WardValues = pd.DataFrame | Mapping[str, np.ndarray]
"""Ward-level parameter values by key: a frame (one row per ward, ``parameters.ward_values``)
or arrays ``(wards,)``, or ``(wards, draws)`` for the Monte Carlo draws."""


@dataclass(frozen=True)
class Demand:
    """Demand arrays (wards, terms, age groups[, draws]); ``funded`` by entitlement."""

    funded_children: np.ndarray
    demand_hours: np.ndarray
    funded: dict[str, np.ndarray]
    hours: dict[str, np.ndarray]  # hours a week in force at each term, by entitlement


def entitlement_hours(rules: Sequence[Entitlement], terms: Sequence[Term]) -> dict[str, np.ndarray]:
    """Hours a week each entitlement gives at each term's start (0 where not in force)."""
    return {rule.key: np.array([rule.hours_at(t.start) for t in terms]) for rule in rules}


def stretch(stretched_share: float | np.ndarray) -> float | np.ndarray:
    """Share of a week's funded hours used when a share of offers is stretched over 51 weeks.

    >>> float(stretch(1.0)) == TERM_WEEKS / STRETCHED_WEEKS
    True
    """
    return 1.0 - stretched_share + stretched_share * TERM_WEEKS / STRETCHED_WEEKS


def _ward_column(ward_values: WardValues, key: str) -> np.ndarray:
    if key not in ward_values:
        raise ParameterError(f"no value for {key}: add it to the parameters")
    column = ward_values[key]
    values = column.to_numpy(float) if isinstance(column, pd.Series) else np.asarray(column, float)
    return values[:, None]  # a terms axis after the wards


def _hours_used(ward_values: WardValues, key: str) -> np.ndarray | float:
    """The share of an entitlement's funded hours used (1 for an entitlement with no value,
    such as one a scenario adds)."""
    return (
        _ward_column(ward_values, f"hours_used.{key}")
        if f"hours_used.{key}" in ward_values
        else 1.0
    )


def _times(values: np.ndarray, factor: float | np.ndarray) -> np.ndarray:
    """``values * factor``, in place where the result keeps ``values``' shape (``values`` is a
    temporary of the caller's); a factor of exactly 1 changes nothing and is skipped."""
    if isinstance(factor, float) and factor == 1.0:
        return values
    if np.broadcast_shapes(values.shape, np.shape(factor)) == values.shape:
        values *= factor
        return values
    return values * factor


def _by_term(hours: np.ndarray, ndim: int) -> np.ndarray:
    """Hours per term shaped to broadcast over (wards, terms, ...) of ``ndim`` dimensions."""
    return hours.reshape(1, -1, *([1] * (ndim - 2)))


def funded_children(
    children: np.ndarray,
    terms: Sequence[Term] | Mapping[str, np.ndarray],
    ward_values: WardValues,
    rules: Sequence[Entitlement],
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Funded children per entitlement (wards, terms[, draws]), and each entitlement's hours.

    ``children`` is (wards, terms, 3) or (wards, terms, 3, draws); ``terms`` the terms (or
    :func:`entitlement_hours` already worked out for them).
    """
    hours = terms if isinstance(terms, Mapping) else entitlement_hours(rules, terms)
    funded: dict[str, np.ndarray] = {}
    for rule in sorted(rules, key=lambda r: r.top_up is not None):  # top-ups after their base
        g = AGE_GROUPS.index(rule.age_group)
        share = (
            1.0
            if rule.eligibility == "all"
            else _ward_column(ward_values, f"eligibility.{rule.eligibility}")
        )
        take_up = _ward_column(ward_values, f"take_up.{rule.key}")
        count = children[:, :, g] * (np.asarray(share) * take_up)
        off = hours[rule.key] <= 0
        if off.any():
            count[:, off] = 0.0
        if rule.top_up is not None:
            np.minimum(count, funded[rule.top_up], out=count)
        funded[rule.key] = count
    return funded, dict(hours)


def demand(
    children: np.ndarray,
    terms: Sequence[Term] | Mapping[str, np.ndarray],
    ward_values: WardValues,
    rules: Sequence[Entitlement],
    stretched_share: float | np.ndarray,
) -> Demand:
    """Funded children and demand hours per ward, term and age group (and draw).

    With a trailing draws axis on ``children``, ward values of (wards, draws) and
    ``stretched_share`` per draw, every draw is worked out at once.
    """
    funded, hours = funded_children(children, terms, ward_values, rules)
    factor = stretch(stretched_share)
    # Each group's sums are built in place, in the order the docstring writes them (the first
    # term assigned, the others added), so the draws make no full-size temporaries they need
    # not and every figure is the same as written out term by term.
    counted = np.zeros_like(children)
    demand_hours = np.empty_like(children)
    started = [False] * len(AGE_GROUPS)

    def add(g: int, values: np.ndarray) -> None:
        if started[g]:
            demand_hours[:, :, g] += values
        else:
            demand_hours[:, :, g] = values
            started[g] = True

    for rule in rules:
        g = AGE_GROUPS.index(rule.age_group)
        if rule.top_up is None:
            counted[:, :, g] += funded[rule.key]
        hours_a_week = funded[rule.key] * _by_term(hours[rule.key], funded[rule.key].ndim)
        hours_a_week = _times(hours_a_week, _hours_used(ward_values, rule.key))
        add(g, _times(hours_a_week, factor))
    for g, group in enumerate(AGE_GROUPS):
        add(g, children[:, :, g] * _ward_column(ward_values, f"paid_hours.{group}"))
    if "paid_hours.under9m" in ward_values:
        g = AGE_GROUPS.index("under2")
        add(
            g,
            children[:, :, g]
            * UNDER9M_PER_UNDER2
            * _ward_column(ward_values, "paid_hours.under9m"),
        )
    return Demand(counted, demand_hours, funded, hours)


def calibration(
    funded_model: dict[str, np.ndarray], funded_returns: dict[str, float], take_up: dict[str, float]
) -> pd.DataFrame:
    """Model against returns for the latest return term, one row per entitlement.

    ``funded_model`` holds each entitlement's modelled funded children by ward at that term;
    ``funded_returns`` the children the returns report (LA-wide). ``ratio = returns / model``;
    ``take_up_calibrated`` is the take-up that would make them match (capped at 1).
    """
    rows = []
    for key, modelled in funded_model.items():
        model_total = float(np.sum(modelled))
        reported = funded_returns.get(key, np.nan)
        ratio = reported / model_total if model_total > 0 and np.isfinite(reported) else np.nan
        rows.append(
            {
                "entitlement": key,
                "funded_model": model_total,
                "funded_returns": reported,
                "ratio": ratio,
                "take_up": take_up[key],
                "take_up_calibrated": min(1.0, take_up[key] * ratio)
                if np.isfinite(ratio)
                else np.nan,
            }
        )
    return pd.DataFrame(rows)


def fit_far_off(fit: pd.DataFrame, low: float, high: float) -> pd.DataFrame:
    """The rows of :func:`calibration` whose ratio lies outside ``[low, high]``
    (``take_up_fit_low``, ``take_up_fit_high``); entitlements the returns do not report are
    not among them."""
    ratio = fit["ratio"].to_numpy(float)
    far = np.isfinite(ratio) & ((ratio < low) | (ratio > high))
    return pd.DataFrame(fit[far])


def calibrated_ward_values(ward_values: pd.DataFrame, fit: pd.DataFrame) -> pd.DataFrame:
    """Take-up rescaled by the calibration ratio (ward overrides keep their relative level)."""
    out = ward_values.copy()
    for row in fit.itertuples(index=False):
        ratio = cast(float, row.ratio)  # calibration()'s float column
        if np.isfinite(ratio):
            key = f"take_up.{row.entitlement}"
            out[key] = np.clip(out[key] * ratio, 0.0, 1.0)
    return out
