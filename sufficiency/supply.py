"""Supply of places from providers' returns, term by term (METHOD.md step 6).

For each term the model takes each provider's latest return made in or before it (a provider
that missed a return is carried forward from its last one, and flagged). Everything is judged at
the term's first day:

* a provider ``closed`` or ``closing`` with a date on or before the term start is gone from that
  term (``closed`` with no date: gone from the return's own term); ``closing`` with no date stays;
* a ``new`` setting counts from the first term starting on or after its ``status_date`` (at once
  when it has none), with the places its return says it will open with;
* a ``planned_places_change`` joins from the first term starting on or after its date, split over
  age groups in proportion to the places offered now (a setting offering none: in proportion to
  the area's places of its type); places never fall below 0; a change with no date is ignored
  and noted.

``place_hours = places x hours_per_day x days_per_week``; ``supply_places = place_hours /
hours_per_place``, after the workforce adjustment (``workforce.py``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .returns.reader import FUNDED, PLACES, VACANCIES
from .terms import AGE_GROUPS, Term
from .workforce import staffing_factor

MODEL_COLUMNS = [
    "urn",
    "ward_code",
    "easting",
    "northing",
    "provider_type",
    *PLACES,
    "hours_per_day",
    "days_per_week",
    "staff_total",
    "staff_level6",
    "status",
    "status_date",
    "planned_places_change",
    "planned_change_date",
]
"""The columns of a return that the supply of places depends on (``open_at``, ``places_at``,
``workforce.staffing_factor``, opening hours, location)."""


def latest_returns(returns: pd.DataFrame, term: Term) -> pd.DataFrame:
    """Each provider's latest return made in or before ``term``; ``carried_forward`` flagged.

    ``returns`` must be sorted by ``term_index`` (as ``area.read_returns`` leaves it).
    """
    made = returns[returns["term_index"] <= term.index]
    # The last row of each URN (rows are in term order); a hash, not a group-by: national
    # returns have 60,000 providers.
    latest = made[made["urn"].notna()].drop_duplicates("urn", keep="last").copy()
    latest["carried_forward"] = latest["term_index"] < made["term_index"].max()
    return latest.sort_values("urn", kind="stable")


def open_at(states: pd.DataFrame, term: Term) -> np.ndarray:
    """Whether each provider is open on the term's first day."""
    start = pd.Timestamp(term.start)
    status = states["status"].to_numpy(dtype=object)
    date = states["status_date"]
    dated = date.notna().to_numpy()
    on_or_before = (date <= start).to_numpy()
    closed = ((status == "closed") & (~dated | on_or_before)) | (
        (status == "closing") & dated & on_or_before
    )
    not_yet = (status == "new") & dated & ~on_or_before
    return np.asarray(~(closed | not_yet), dtype=bool)


def places_at(states: pd.DataFrame, term: Term) -> np.ndarray:
    """Places per provider and age group (providers x 3) at the term start, with planned changes."""
    places = states[PLACES].fillna(0.0).to_numpy(float)
    change = states["planned_places_change"].fillna(0.0).to_numpy(float)
    when = states["planned_change_date"]
    due = (when.notna() & (when <= pd.Timestamp(term.start))).to_numpy() & (change != 0)
    if due.any():
        totals = places.sum(axis=1, keepdims=True)
        split = np.divide(places, totals, out=np.zeros_like(places), where=totals > 0)
        by_type = (
            pd.DataFrame(places, columns=AGE_GROUPS)
            .groupby(states["provider_type"].to_numpy(), sort=True)
            .sum()
        )
        type_mix = by_type.div(by_type.sum(axis=1).where(lambda s: s > 0, 1.0), axis=0)
        none = (totals[:, 0] == 0) & due
        if none.any():
            mix = type_mix.reindex(states["provider_type"].to_numpy()[none]).fillna(1 / 3)
            split[none] = mix.to_numpy(float)
        places = np.where(due[:, None], np.maximum(places + split * change[:, None], 0.0), places)
    return places


def supply_places(
    returns: pd.DataFrame,
    wards: pd.Index,
    terms: Sequence[Term],
    hours_per_place: float,
) -> np.ndarray:
    """Supply places per ward, term and age group: array (wards, terms, 3)."""
    out = np.zeros((len(wards), len(terms), len(AGE_GROUPS)))
    located = returns[returns["ward_code"].notna()]
    last_made = int(located["term_index"].max()) if len(located) else 0
    states_of: dict[int, pd.DataFrame] = {}
    for t, term in enumerate(terms):
        # Every term after the last return made has the same latest returns: find them once.
        key = min(term.index, last_made)
        if key not in states_of:
            states_of[key] = latest_returns(located, Term(key))[MODEL_COLUMNS]
        states = states_of[key]
        states = states[open_at(states, term)]
        if states.empty:
            continue
        places = places_at(states, term)
        places = places * staffing_factor(states, places)[:, None]
        weekly = (states["hours_per_day"] * states["days_per_week"]).fillna(0.0).to_numpy(float)
        rows = wards.get_indexer(states["ward_code"].to_numpy(dtype=object))
        np.add.at(out[:, t, :], rows, places * weekly[:, None] / hours_per_place)
    return out


def vacancies(returns: pd.DataFrame, wards: pd.Index, term: Term) -> np.ndarray:
    """Vacancies (full-time places) reported as at ``term`` by open providers: (wards, 3)."""
    out = np.zeros((len(wards), len(AGE_GROUPS)))
    states = latest_returns(returns[returns["ward_code"].notna()], term)
    states = states[open_at(states, term)]
    rows = wards.get_indexer(states["ward_code"].to_numpy(dtype=object))
    np.add.at(out, rows, states[VACANCIES].fillna(0.0).to_numpy(float))
    return out


def funded_reported(returns: pd.DataFrame, term: Term) -> dict[str, float]:
    """Funded children the returns report as at ``term``, LA-wide, by entitlement key.

    Only returns made in ``term`` itself count (a carried-forward return's children are old).
    """
    made = returns[returns["term_index"] == term.index]
    return {
        key: float(made[column].sum())
        for column, key in FUNDED.items()
        if made[column].notna().any()
    }
