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

With a minimum quality (``min_quality = "good"``: the ``--min-quality`` option), only providers
whose latest return (or the Ofsted register, ``quality.with_grades``) gives a grade at least that
good count; a provider with no grade yet does not. The grade is the ``ofsted_grade`` column of the
returns frame, whatever filled it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from ._lookup import positions
from .returns.reader import FUNDED, GOOD_GRADES, PLACES, VACANCIES, WAITING
from .terms import AGE_GROUPS, Term
from .workforce import covered_share

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
    "ofsted_grade",
]
"""The columns of a return that the supply of places depends on (``open_at``, ``places_at``,
``workforce.staffing_factor``, opening hours, location, the grade for a minimum quality)."""
MIN_QUALITY = {"any": None, "good": GOOD_GRADES, "outstanding": ("outstanding",)}
"""The grades each ``min_quality`` counts as supply (``any``: every provider, graded or not)."""


def from_scenario(returns: pd.DataFrame) -> np.ndarray:
    """Which rows a scenario added (``source_file`` ``scenario:<name>``): not anyone's return.

    >>> from_scenario(pd.DataFrame({"source_file": ["returns-2026-autumn.csv", "scenario:x"]}))
    array([False,  True])
    """
    # A few distinct files among many rows: each name tested once.
    codes, names = pd.factorize(returns["source_file"])
    named = np.array([str(n).startswith("scenario:") for n in names] + [False], dtype=bool)
    return np.asarray(named[codes])


def text(values: pd.Series) -> pd.Series:
    """``values`` as pandas text: as they are when they are text already (the returns keep
    theirs as Python strings, ``_io.python_text``: converting them each time costs)."""
    return values if isinstance(values.dtype, pd.StringDtype) else values.astype("string")


def _narrow(returns: pd.DataFrame) -> pd.DataFrame:
    """The columns of ``returns`` that supply and opening depend on (:data:`MODEL_COLUMNS`
    and ``term_index``): what is copied row by row then is those, not the 80-odd a return has."""
    return returns[[c for c in [*MODEL_COLUMNS, "term_index"] if c in returns.columns]]


def in_urn_order(urn: pd.Series, term_index: pd.Series | None = None) -> bool:
    """Whether rows are sorted by URN (within ``term_index`` in order, when given) already, so
    that a stable sort would leave them as they are: one pass, not a sort.

    >>> in_urn_order(pd.Series(["B", "C", "A"]), pd.Series([1, 1, 2]))
    True
    >>> in_urn_order(pd.Series(["C", "B"]))
    False
    """
    if urn.isna().any():
        return False
    text = urn.to_numpy(dtype=object)
    try:
        in_order = text[1:] >= text[:-1]
    except TypeError:  # not all text: leave it to the sort
        return False
    if term_index is None:
        return bool(np.all(in_order))
    term = term_index.to_numpy()
    return bool(np.all((term[1:] > term[:-1]) | ((term[1:] == term[:-1]) & in_order)))


def latest_returns(returns: pd.DataFrame, term: Term) -> pd.DataFrame:
    """Each provider's latest return made in or before ``term``; ``carried_forward`` flagged.

    ``returns`` must be sorted by ``term_index`` (as ``area.read_returns`` leaves it).
    """
    term_index = returns["term_index"].to_numpy()
    made = term_index <= term.index
    # The last row of each URN (rows are in term order); a hash, not a group-by: national
    # returns have 60,000 providers. The rows are found first and taken once (each copy of
    # the returns' 80-odd columns costs).
    rows = np.flatnonzero(made & returns["urn"].notna().to_numpy(dtype=bool))
    rows = rows[~returns["urn"].iloc[rows].duplicated(keep="last").to_numpy(dtype=bool)]
    latest = returns.iloc[rows]
    carried = (
        latest["term_index"].to_numpy() < term_index[made].max()
        if made.any()
        else np.zeros(len(latest), dtype=bool)
    )
    latest = latest.assign(carried_forward=carried)
    if in_urn_order(latest["urn"]):  # one term's returns are in URN order already
        return latest
    return latest.sort_values("urn", kind="stable")


def open_at(states: pd.DataFrame, term: Term) -> np.ndarray:
    """Whether each provider is open on the term's first day."""
    return _States.of(states).open_at(term)


def open_in_terms(states: pd.DataFrame, terms: Sequence[Term]) -> np.ndarray:
    """Whether each provider is open on each term's first day: (providers, terms) booleans,
    :func:`open_at` for several terms with the columns read once."""
    arrays = _States.of(states)
    out = np.zeros((len(states), len(terms)), dtype=bool)
    for t, term in enumerate(terms):
        out[:, t] = arrays.open_at(term)
    return out


def open_providers(returns: pd.DataFrame, term: Term) -> pd.DataFrame:
    """Each provider's latest return as at ``term``, for the providers open on its first day."""
    states = latest_returns(returns, term)
    return states[open_at(states, term)]


@dataclass(frozen=True)
class ProviderCounts:
    """How many providers, counted the ways a reader meets them, so that each figure can be
    labelled with what it counts (the terminal, the workbook and ``returns status`` differ by
    closures and openings, not by error).

    Attributes
    ----------
    in_return
        Providers with a row in the latest return term's files (``latest``): open, closed
        and not yet open alike.
    open_at_return
        Of those, open on the first day of ``latest``.
    closed
        Of those, closed by that day.
    opening_later
        Of those, new settings opening after that day.
    carried_forward
        Open on that day on an earlier term's return (no return for ``latest``).
    open_at_first
        Open on the first day of the first forecast term ``first``, carried forward or not.
    """

    latest: Term
    first: Term
    in_return: int
    open_at_return: int
    closed: int
    opening_later: int
    carried_forward: int
    open_at_first: int

    @property
    def headline(self) -> str:
        """``287 provider(s) in the 2026-autumn return``."""
        return f"{self.in_return} provider(s) in the {self.latest} return"

    @property
    def detail(self) -> str:
        """Open, closed and opening later in the return; open at the first forecast term.

        >>> t = Term.parse
        >>> ProviderCounts(t("2026-autumn"), t("2027-spring"), 287, 280, 3, 4, 0, 280).detail
        '280 open at its start, 3 closed, 4 opening later; 280 open at the start of 2027-spring'
        """
        carried = (
            f"; {self.carried_forward} more open on an earlier term's return"
            if self.carried_forward
            else ""
        )
        return (
            f"{self.open_at_return} open at its start, {self.closed} closed, "
            f"{self.opening_later} opening later{carried}; {self.open_at_first} open at the "
            f"start of {self.first}"
        )


def provider_counts(
    returns: pd.DataFrame, latest: Term, first: Term, at_latest: pd.DataFrame | None = None
) -> ProviderCounts:
    """Count the providers of ``returns`` (sorted by ``term_index``) as :class:`ProviderCounts`.

    Rows a scenario added (``source_file`` ``scenario:...``) are not anyone's return and are
    left out of the return's counts; they count as open at ``first`` where they are.
    ``at_latest``: :func:`latest_returns` at ``latest``, when the caller has it.
    """
    at_latest = latest_returns(returns, latest) if at_latest is None else at_latest
    is_open = open_at(at_latest, latest)
    made = ~from_scenario(at_latest)
    current = (at_latest["term_index"] == latest.index).to_numpy() & made
    later = (at_latest["status"] == "new").to_numpy() & ~is_open
    return ProviderCounts(
        latest=latest,
        first=first,
        in_return=int(current.sum()),
        open_at_return=int((current & is_open).sum()),
        closed=int((current & ~is_open & ~later).sum()),
        opening_later=int((current & later).sum()),
        carried_forward=int((~current & is_open & made).sum()),
        # With no return made after ``latest``, the latest returns at ``first`` are these.
        open_at_first=int(open_at(at_latest, first).sum())
        if int(returns["term_index"].max()) <= latest.index
        else len(open_providers(_narrow(returns), first)),
    )


def places_at(states: pd.DataFrame, term: Term) -> np.ndarray:
    """Places per provider and age group (providers x 3) at the term start, with planned changes."""
    return _States.of(states).places_at(term)


@dataclass(frozen=True)
class _States:
    """The columns of providers' latest returns that supply depends on, as arrays, so that the
    rules for each term run on arrays rather than on a frame."""

    kind: np.ndarray
    status: np.ndarray
    status_date: np.ndarray  # datetime64, NaT where none
    places: np.ndarray  # (providers, 3), 0 where blank
    change: np.ndarray
    change_date: np.ndarray
    staff_total: np.ndarray
    staff_level6: np.ndarray
    weekly_hours: np.ndarray  # hours_per_day x days_per_week, 0 where blank
    grade: pd.Series | None  # ofsted_grade as read (None: no such column), read by ``meets``
    closed: np.ndarray  # status "closed", "closing" and "new", compared once, not each term
    closing: np.ndarray
    new: np.ndarray

    @classmethod
    def of(cls, states: pd.DataFrame) -> _States:
        status = states["status"].to_numpy(dtype=object)
        return cls(
            kind=states["provider_type"].to_numpy(dtype=object),
            status=status,
            status_date=states["status_date"].to_numpy("datetime64[ns]"),
            places=states[PLACES].fillna(0.0).to_numpy(float),
            change=states["planned_places_change"].fillna(0.0).to_numpy(float),
            change_date=states["planned_change_date"].to_numpy("datetime64[ns]"),
            staff_total=states["staff_total"].to_numpy(float),
            staff_level6=states["staff_level6"].fillna(0).to_numpy(float),
            weekly_hours=(states["hours_per_day"] * states["days_per_week"])
            .fillna(0.0)
            .to_numpy(float),
            grade=states["ofsted_grade"] if "ofsted_grade" in states.columns else None,
            closed=np.asarray(status == "closed", dtype=bool),
            closing=np.asarray(status == "closing", dtype=bool),
            new=np.asarray(status == "new", dtype=bool),
        )

    def meets(self, min_quality: str) -> np.ndarray:
        """Whether each provider's grade is at least ``min_quality`` (all for ``any``)."""
        grades = MIN_QUALITY[min_quality]
        if grades is None:
            return np.ones(len(self.kind), dtype=bool)
        if self.grade is None:
            return np.zeros(len(self.kind), dtype=bool)
        return np.asarray(self.grade.isin(grades).to_numpy(dtype=bool, na_value=False))

    def open_at(self, term: Term) -> np.ndarray:
        """Whether each provider is open on the term's first day."""
        start = np.datetime64(term.start, "ns")
        dated = ~np.isnat(self.status_date)
        on_or_before = dated & (self.status_date <= start)
        closed = (self.closed & (~dated | on_or_before)) | (self.closing & on_or_before)
        not_yet = self.new & dated & ~on_or_before
        return np.asarray(~(closed | not_yet), dtype=bool)

    def due_at(self, term: Term) -> np.ndarray:
        """Whether each provider's planned change of places is due by the term's first day."""
        start = np.datetime64(term.start, "ns")
        due = ~np.isnat(self.change_date) & (self.change_date <= start) & (self.change != 0)
        return np.asarray(due, dtype=bool)

    def places_at(self, term: Term, among: np.ndarray | None = None) -> np.ndarray:
        """Places per provider and age group at the term start, with the planned changes due
        by then. A setting offering no places splits its change in proportion to the places
        of its type among the providers ``among`` (a boolean mask; all when ``None``)."""
        places = self.places
        due = self.due_at(term)
        if not due.any():
            return places
        totals = places.sum(axis=1, keepdims=True)
        split = np.divide(places, totals, out=np.zeros_like(places), where=totals > 0)
        none = (totals[:, 0] == 0) & due
        if none.any():
            rows = slice(None) if among is None else among
            by_type = pd.DataFrame(places[rows], columns=AGE_GROUPS).groupby(self.kind[rows]).sum()
            type_mix = by_type.div(by_type.sum(axis=1).where(lambda s: s > 0, 1.0), axis=0)
            mix = type_mix.reindex(self.kind[none]).fillna(1 / 3)
            split[none] = mix.to_numpy(float)
        return np.where(
            due[:, None], np.maximum(places + split * self.change[:, None], 0.0), places
        )

    def staffed(
        self, places: np.ndarray, recruited: float = 1.0, graduate_led: float = 1.0
    ) -> np.ndarray:
        """``places`` times the share the staff in post, and the staff recruited for planned
        places (those above the return's own), can cover (``workforce.covered_share``)."""
        added = np.maximum(places - self.places, 0.0)
        share = covered_share(
            self.kind,
            self.staff_total,
            self.staff_level6,
            self.status,
            places,
            added,
            recruited,
            graduate_led,
        )
        staffed: np.ndarray = places * share[:, None]
        return staffed


@dataclass(frozen=True)
class ProviderSupply:
    """Supply places per provider location, term and age group.

    ``places[j, t, g]`` is the supply places of the provider at ``xy[j]`` (``urn[j]``, in ward
    ``ward_code[j]``) at term ``t``; 0 in terms it is not open. A provider whose location changed
    between returns has one row per location. Rows are sorted by URN, so a ward's sum adds its
    providers in URN order.
    """

    urn: np.ndarray
    ward_code: np.ndarray
    xy: np.ndarray
    places: np.ndarray

    def by_ward(self, wards: pd.Index) -> np.ndarray:
        """Supply places per ward, term and age group: the sum of the ward's providers,
        ``(wards, terms, 3)``."""
        rows = positions(wards, self.ward_code)
        inside = np.flatnonzero(rows >= 0)
        # A (wards x providers) matrix of ones: each ward's sum adds its providers in row
        # (URN) order, as a loop would.
        to_ward = sparse.csr_array(
            (np.ones(len(inside)), (rows[inside], inside)), shape=(len(wards), len(rows))
        )
        flat = self.places.reshape(len(rows), -1)
        return np.asarray(to_ward @ flat).reshape(len(wards), *self.places.shape[1:])


def provider_supply(
    returns: pd.DataFrame,
    terms: Sequence[Term],
    hours_per_place: float,
    recruited: float = 1.0,
    graduate_led: float = 1.0,
    min_quality: str = "any",
) -> ProviderSupply:
    """Each located provider's supply places per term and age group (providers, terms, 3).

    Per term: the latest return made in or before it (:func:`latest_returns`), open on its first
    day (:func:`open_at`), places with planned changes (:func:`places_at`), times
    ``workforce.covered_share`` (planned places come with ``recruited`` times the staff they
    need; ``graduate_led`` of the 3-4 places at 1:13 where there is a graduate), times weekly
    opening hours, divided by ``hours_per_place``. With ``min_quality`` ``good`` (or
    ``outstanding``) a provider counts only where its ``ofsted_grade`` is that good (a provider
    with no grade does not count); the rows stay, at 0.
    This is the model's one supply step: a ward's supply is the sum of its providers
    (:meth:`ProviderSupply.by_ward`), and the catchment reads the same array.

    Examples
    --------
    One nursery of 20 places for 3-4s open 10 h x 5 days: 20 x 50 / 50 = 20 supply places.

    >>> returns = pd.DataFrame({"urn": ["EY1"], "ward_code": ["A"], "easting": [0.0],
    ...     "northing": [0.0], "provider_type": ["day_nursery"], "places_under2": [0.0],
    ...     "places_2": [0.0], "places_3_4": [20.0], "hours_per_day": [10.0],
    ...     "days_per_week": [5.0], "staff_total": [np.nan], "staff_level6": [np.nan],
    ...     "status": ["open"], "status_date": [pd.NaT], "planned_places_change": [np.nan],
    ...     "planned_change_date": [pd.NaT], "term_index": [Term.parse("2025-autumn").index]})
    >>> provider_supply(returns, [Term.parse("2026-spring")], 50.0).places.tolist()
    [[[0.0, 0.0, 20.0]]]
    """
    located = _narrow(returns)
    located = located[located["ward_code"].notna().to_numpy(dtype=bool)]
    n_terms = len(terms)
    last_made = int(located["term_index"].max()) if len(located) else 0
    # The same returns stand for every term after the last one made: read them once.
    keys = [min(term.index, last_made) for term in terms]
    columns = [c for c in MODEL_COLUMNS if c in located.columns]  # a grade is optional
    states_of = {key: latest_returns(located, Term(key))[columns] for key in sorted(set(keys))}
    where = ["urn", "ward_code", "easting", "northing"]
    if states_of:
        stacked = pd.concat([states[where] for states in states_of.values()], ignore_index=True)
    else:
        stacked = located[where].iloc[:0]
    location = (
        np.arange(len(stacked))  # one set of latest returns: one row a URN, each its own place
        if len(states_of) == 1
        else stacked.groupby(where, sort=False, dropna=False).ngroup().to_numpy()
    )
    first = np.unique(location, return_index=True)[1]
    # Rows in URN order (then first appearance), so sums by ward add providers in URN order.
    urns = stacked["urn"].iloc[first]
    by_urn = (
        np.arange(len(first))
        if in_urn_order(urns)  # one term's returns: sorted already
        else np.argsort(urns.to_numpy(dtype=str), kind="stable")
    )
    row_of = np.empty(len(first), dtype=np.intp)
    row_of[by_urn] = np.arange(len(first))
    unique = stacked.iloc[first[by_urn]]
    offsets = dict(zip(states_of, np.cumsum([0, *map(len, states_of.values())]), strict=False))
    arrays = {key: _States.of(states) for key, states in states_of.items()}
    places = np.zeros((len(unique), n_terms, len(AGE_GROUPS)))
    staffed: dict[tuple[int, bytes], np.ndarray] = {}
    for t, term in enumerate(terms):
        states = arrays[keys[t]]
        rows = row_of[location[offsets[keys[t]] : offsets[keys[t]] + len(states.kind)]]
        is_open = states.open_at(term)
        counted = is_open & states.meets(min_quality)
        if not counted.any():
            continue
        # Every provider is worked out and the closed ones dropped: the rules are row by row,
        # but for the type mix of a setting with no places, which counts open providers only.
        # Terms with the same returns and the same changes due offer the same places.
        due = states.due_at(term)
        key = (keys[t], due.tobytes() + (is_open.tobytes() if due.any() else b""))
        if key not in staffed:
            staffed[key] = states.staffed(
                states.places_at(term, among=is_open), recruited, graduate_led
            )
        offered = staffed[key]
        places[rows[counted], t] = (
            offered[counted] * states.weekly_hours[counted, None] / hours_per_place
        )
    return ProviderSupply(
        urn=unique["urn"].to_numpy(dtype=object),
        ward_code=unique["ward_code"].to_numpy(dtype=object),
        xy=unique[["easting", "northing"]].to_numpy(float).reshape(-1, 2),
        places=places,
    )


def supply_places(
    returns: pd.DataFrame,
    wards: pd.Index,
    terms: Sequence[Term],
    hours_per_place: float,
    recruited: float = 1.0,
    graduate_led: float = 1.0,
) -> np.ndarray:
    """Supply places per ward, term and age group: array (wards, terms, 3)."""
    return provider_supply(returns, terms, hours_per_place, recruited, graduate_led).by_ward(wards)


def vacancies(
    returns: pd.DataFrame, wards: pd.Index, term: Term, open_now: pd.DataFrame | None = None
) -> np.ndarray:
    """Vacancies (full-time places) reported as at ``term`` by open providers: (wards, 3).

    ``open_now``: :func:`open_providers` at ``term``, when the caller has it already."""
    reported: np.ndarray = np.nan_to_num(_reported(returns, wards, term, VACANCIES, open_now))
    return reported


def waiting(
    returns: pd.DataFrame, wards: pd.Index, term: Term, open_now: pd.DataFrame | None = None
) -> np.ndarray:
    """Children on open providers' waiting lists as at ``term`` (each provider's latest return),
    by ward and age group: (wards, 3); NaN where no open provider in the ward gave a figure.

    A signal of unmet demand beside the gap, not a count of children without a place: a child
    may be on several lists, or on one while attending elsewhere."""
    return _reported(returns, wards, term, WAITING, open_now)


def _reported(
    returns: pd.DataFrame,
    wards: pd.Index,
    term: Term,
    columns: list[str],
    open_now: pd.DataFrame | None,
) -> np.ndarray:
    """The sum of ``columns`` (one per age group) over open providers by ward, (wards, 3);
    blanks count 0, and a ward where no provider gave a figure is NaN. A provider outside
    every ward (no ``ward_code``) counts nowhere."""
    states = open_providers(returns, term) if open_now is None else open_now
    rows = positions(wards, states["ward_code"])
    inside = rows >= 0
    values = states[columns].to_numpy(float)[inside]
    n = len(wards)
    # Sums in row order (np.bincount adds each bin's values in the order given).
    out = np.stack(
        [np.bincount(rows[inside], np.nan_to_num(values[:, k]), n) for k in range(len(columns))],
        axis=1,
    )
    given = np.stack(
        [np.bincount(rows[inside], np.isfinite(values[:, k]), n) for k in range(len(columns))],
        axis=1,
    )
    return np.where(given > 0, out, np.nan)


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
