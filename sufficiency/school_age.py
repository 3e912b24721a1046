"""School-age childcare: breakfast clubs, after-school clubs and holiday care for primary children.

A council's sufficiency duty covers childcare for working parents of children up to 14, not only
the funded early years. This module models the primary years (reception to year 6), where the
national wraparound programme sets the aim (8am-6pm term-time care for every primary child who
needs it). Per ward and term:

* **Children**: the births of each school year's twelve birth months (a child starts reception
  on 1 September after its fourth birthday: ``terms.school_year_window``), times the cohort
  change ratio of its single year of age at the term's start (``population``; ages 4 to 11,
  1.0 where no estimate says). Ten births a month give 7 x 120 = 840 in every term.
* **Demand** (places; a place is one child's session on each of the 5 school days of a week)::

      breakfast     = children x working_families x use_breakfast x sessions_breakfast / 5
      after_school  = children x working_families x use_after_school x sessions_after_school / 5
      holiday       = children x working_families x use_holiday x holiday_days / 5
                      x holiday_weeks_used / school_holiday_weeks

* **Supply**: places a session, each school day, from each provider's latest return open at the
  term's start (``places_breakfast``, ``places_after_school``) and the schools' own clubs
  (``schools.csv``); holiday places ``places_holiday x holiday_weeks / school_holiday_weeks``
  (a provider giving holiday places but no weeks counts every holiday week, noted).
* **Gap and status**: ``gap.gap`` and ``gap.status_codes`` with ``school_age.utilisation`` and
  the run's ``tight_margin``.

Holiday care is one figure a year, averaged over the weeks of school holidays, shown on every
term's rows: the returns give a provider's holiday weeks a year, not which holidays, so the model
cannot say that the summer is short while Easter is not. Left out: secondary-age children (12-14)
and disabled young people to 18; the staff ratios of clubs (no statutory ratio over 5s outside
the EYFS); children who attend a club in another ward; wraparound run by a nursery for its own
reception children unless its return gives the places.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import gap as gap_model
from ._lookup import positions
from .errors import InputError
from .population import BirthMonths
from .supply import latest_returns, open_in_terms
from .terms import SCHOOL_YEARS, Term, school_year_window

PROVISIONS: tuple[str, ...] = ("breakfast", "after_school", "holiday")
PLACES_COLUMNS = {p: f"places_{p}" for p in PROVISIONS}
"""The return (and schools.csv) column of each provision's places."""
OLDEST_AGE = 11
"""The oldest single year of age at a term start among primary children (year 6)."""
SCHOOL_DAYS = 5.0
COLUMNS = [
    "scenario",
    "term",
    "ward_code",
    "ward_name",
    "provision",
    "children",
    "demand_places",
    "supply_places",
    "gap_places",
    "status",
]
"""``school_age.csv``'s columns, in order. The table an assessment holds has ``settings``
(how many providers' places make up ``supply_places``, for disclosure) after them."""


def primary_children(months: BirthMonths, ratios: np.ndarray, terms: Sequence[Term]) -> np.ndarray:
    """Children of primary school age per ward, term and school year: (wards, terms, 7).

    School years reception to year 6 in the order of ``terms.SCHOOL_YEARS``. Each is the births
    of its twelve birth months, each month scaled by ``ratios[:, age]`` (``ratios`` is
    ``population.cohort_change_ratios(..., ages=12)``) with ``age`` the child's completed years
    at the term's start. Raises :class:`InputError` when a term needs births from before the
    first observed month.

    Examples
    --------
    Ten births a month: 7 school years x 120 = 840 children in an autumn term.

    >>> from .population import birth_months
    >>> b = pd.DataFrame({"ward_code": "A", "year": [y for y in range(2010, 2026)
    ...                   for _ in range(12)], "month": list(range(1, 13)) * 16, "births": 10.0})
    >>> bm = birth_months(b, pd.Index(["A"]), until=0)
    >>> kids = primary_children(bm, np.ones((1, 12)), [Term.parse("2025-autumn")])
    >>> kids.sum(axis=2).tolist(), kids[0, 0].tolist()
    ([[840.0]], [120.0, 120.0, 120.0, 120.0, 120.0, 120.0, 120.0])
    """
    oldest = len(SCHOOL_YEARS) - 1
    for term in sorted(terms)[:1]:  # the first term's year 6 were born the earliest
        first = school_year_window(term, oldest)[0]
        if first < months.first_month:
            year, month = divmod(first, 12)
            raise InputError(
                f"school-age childcare in {term} needs births from {month + 1:02d}/{year} "
                f"(year {SCHOOL_YEARS[oldest]}), but births.csv starts in "
                f"{months.first_month % 12 + 1:02d}/{months.first_month // 12}",
                hint="Add births back to that month (primary children were born up to 11 "
                "years before the term), or take the school-age places out of the returns "
                "and schools.csv to run the early years alone",
            )
    out = np.zeros((len(months.wards), len(terms), len(SCHOOL_YEARS)))
    for t, term in enumerate(terms):
        for y in range(len(SCHOOL_YEARS)):
            first, last = school_year_window(term, y)
            birth_month = np.arange(first, last + 1)
            age = np.clip((term.start_month - birth_month - 1) // 12, 0, ratios.shape[1] - 1)
            out[:, t, y] = (months.columns(first, last) * ratios[:, age]).sum(axis=1)
    return out


def demand_places(children: np.ndarray, values: Mapping[str, float | np.ndarray]) -> np.ndarray:
    """Demand places per ward, term and provision from primary children (wards, terms).

    ``values`` holds the ``school_age`` section's keys (``Parameters.numbers("school_age")``),
    each a number or a (wards, 1) array of ward values (``ward_parameters.csv``).

    >>> v = {"working_families": 0.6, "use_breakfast": 0.15, "sessions_breakfast": 3.0,
    ...      "use_after_school": 0.35, "sessions_after_school": 3.0, "use_holiday": 0.35,
    ...      "holiday_days": 4.0, "holiday_weeks_used": 6.5, "school_holiday_weeks": 13.0}
    >>> demand_places(np.array([[840.0]]), v).round(2).tolist()   # 840 x 0.6 x 0.15 x 3 / 5
    [[[45.36, 105.84, 70.56]]]
    """
    working = children * values["working_families"]
    term_time = [
        working * values[f"use_{p}"] * values[f"sessions_{p}"] / SCHOOL_DAYS
        for p in ("breakfast", "after_school")
    ]
    holiday = (
        working
        * values["use_holiday"]
        * values["holiday_days"]
        / SCHOOL_DAYS
        * values["holiday_weeks_used"]
        / values["school_holiday_weeks"]
    )
    return np.stack([*term_time, holiday], axis=-1)


def has_places(returns: pd.DataFrame, schools: pd.DataFrame | None) -> bool:
    """Whether an area carries any school-age places (a return column with a figure, or a
    ``schools.csv``): without them the run is the early years alone, as before."""
    if schools is not None:
        return True
    columns = [*PLACES_COLUMNS.values(), "holiday_weeks"]
    return any(c in returns.columns and returns[c].notna().any() for c in columns)


@dataclass(frozen=True)
class SettingPlaces:
    """Each setting's school-age places per term and provision, for disclosure control
    (``outputs.disclosure``: which settings' places differ between two published terms or
    runs). ``urn`` is the provider's URN, or ``school:<row>`` for a row of ``schools.csv``;
    ``ward_code`` its ward (the latest return's)."""

    urn: np.ndarray  # (settings,) text
    ward_code: np.ndarray  # (settings,) text
    places: np.ndarray  # (settings, terms, 3)


@dataclass(frozen=True)
class SchoolAgeSupply:
    """Supply places and the number of settings behind them, per ward, term and provision."""

    places: np.ndarray  # (wards, terms, 3)
    settings: np.ndarray  # (wards, terms, 3), providers and schools with places above 0
    no_weeks: int  # open providers with holiday places but no holiday_weeks (counted in full)
    by_setting: SettingPlaces | None = None


def supply_places(
    returns: pd.DataFrame,
    schools: pd.DataFrame | None,
    wards: pd.Index,
    terms: Sequence[Term],
    school_holiday_weeks: float,
) -> SchoolAgeSupply:
    """School-age places per ward, term and provision, from the returns and ``schools.csv``.

    Returns: each provider's latest return made in or before the term, open on its first day
    (``supply.latest_returns``, ``supply.open_at``), places as given (blank: none).
    ``schools`` (``ward_code, places_breakfast, places_after_school``) counts in every term.

    A club of 30 holiday places open 6.5 of the 13 holiday weeks offers 30 x 6.5 / 13 = 15
    places (tests/test_school_age.py works a ward through by hand).
    """
    places = np.zeros((len(wards), len(terms), len(PROVISIONS)))
    settings = np.zeros(places.shape, dtype=np.int64)
    located = returns[returns["ward_code"].notna()]
    no_weeks = 0
    # The same returns stand for every term after the last one made: read them once.
    last_made = int(located["term_index"].max()) if len(located) else 0
    keys = np.array([min(term.index, last_made) for term in terms])
    seen: list[tuple[int, pd.Series, pd.Series, np.ndarray]] = []
    for key in sorted(set(keys.tolist())):
        at = [int(t) for t in np.flatnonzero(keys == key)]
        states = latest_returns(located, Term(int(key)))
        is_open = open_in_terms(states, [terms[t] for t in at])
        offered, weeks_missing = _offered(states, school_holiday_weeks)
        for j, t in enumerate(at):
            no_weeks = max(no_weeks, int(weeks_missing[is_open[:, j]].sum()))
            opened = is_open[:, j]
            seen.append((t, states["urn"][opened], states["ward_code"][opened], offered[opened]))
            _add(
                places[:, t],
                settings[:, t],
                wards,
                states["ward_code"][is_open[:, j]],
                offered[is_open[:, j]],
            )
    if schools is not None and len(schools):
        offered = np.column_stack(
            [
                schools[PLACES_COLUMNS["breakfast"]].fillna(0.0).to_numpy(float),
                schools[PLACES_COLUMNS["after_school"]].fillna(0.0).to_numpy(float),
                np.zeros(len(schools)),
            ]
        )
        for s in range(len(terms)):
            _add(places[:, s], settings[:, s], wards, schools["ward_code"], offered)
        names = pd.Series([f"school:{i}" for i in range(len(schools))])
        seen += [(s, names, schools["ward_code"], offered) for s in range(len(terms))]
    return SchoolAgeSupply(places, settings, no_weeks, _by_setting(seen, len(terms)))


def _by_setting(
    seen: Sequence[tuple[int, pd.Series, pd.Series, np.ndarray]], n_terms: int
) -> SettingPlaces:
    """(term, urns, wards, offered) records as one (settings, terms, 3) array, settings in
    URN order; a setting's ward is the one of its latest record."""
    urns = sorted({str(u) for _, names, _, _ in seen for u in names})
    row = {u: i for i, u in enumerate(urns)}
    places = np.zeros((len(urns), n_terms, len(PROVISIONS)))
    ward = np.array([""] * len(urns), dtype=object)
    for t, names, codes, offered in sorted(seen, key=lambda record: record[0]):
        rows = np.array([row[str(u)] for u in names], dtype=np.intp)
        places[rows, t] = offered
        ward[rows] = codes.astype(str).to_numpy(dtype=object)
    return SettingPlaces(np.asarray(urns, dtype=object), ward, places)


def _offered(states: pd.DataFrame, school_holiday_weeks: float) -> tuple[np.ndarray, np.ndarray]:
    """Each provider's places per provision (providers x 3), and whether it gives holiday
    places without holiday weeks."""

    def column(name: str) -> np.ndarray:
        if name not in states.columns:
            return np.full(len(states), np.nan)
        return states[name].to_numpy(float)

    holiday = np.nan_to_num(column(PLACES_COLUMNS["holiday"]))
    weeks = column("holiday_weeks")
    missing = (holiday > 0) & np.isnan(weeks)
    share = np.where(np.isnan(weeks), 1.0, np.minimum(weeks / school_holiday_weeks, 1.0))
    offered = np.column_stack(
        [
            np.nan_to_num(column(PLACES_COLUMNS["breakfast"])),
            np.nan_to_num(column(PLACES_COLUMNS["after_school"])),
            holiday * share,
        ]
    )
    return offered, missing


def _add(
    places: np.ndarray,
    settings: np.ndarray,
    wards: pd.Index,
    ward_codes: pd.Series,
    offered: np.ndarray,
) -> None:
    """Add each setting's places (rows of ``offered``) to its ward's row of ``places``."""
    rows = positions(wards, ward_codes)
    inside = rows >= 0
    np.add.at(places, rows[inside], offered[inside])
    np.add.at(settings, rows[inside], (offered[inside] > 0).astype(np.int64))


def school_age_table(
    *,
    scenario: str,
    terms: Sequence[Term],
    wards: pd.DataFrame,
    children: np.ndarray,
    demand: np.ndarray,
    supply: SchoolAgeSupply,
    utilisation: float,
    margin: float,
) -> pd.DataFrame:
    """``school_age.csv``'s rows (plus ``settings``) from (wards, terms) children and
    (wards, terms, 3) demand and supply, sorted as the gap table: scenario, term, ward code,
    provision (breakfast, after_school, holiday)."""
    gap_places = gap_model.gap(supply.places, demand, utilisation)
    table = gap_model.long_table(
        terms,
        wards["ward_code"],
        {
            "ward_name": wards["ward_name"].to_numpy(dtype=object),
            "children": np.repeat(children[:, :, None], len(PROVISIONS), axis=2),
            "demand_places": demand,
            "supply_places": supply.places,
            "gap_places": gap_places,
            "status": gap_model.status_codes(gap_places, demand, margin),
            "settings": supply.settings,
        },
        groups=PROVISIONS,
        group_column="provision",
    )
    scenarios = pd.Series([scenario] * len(table), dtype=pd.StringDtype("python"))
    table.insert(0, "scenario", scenarios)
    return table[[*COLUMNS, "settings"]]
