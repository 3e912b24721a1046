"""Disclosure control for published outputs: which figures may be shown, and how.

Published maps and reports (``--publish``) go to parents and the scrutiny panel, so they carry
**ward aggregates only**, treated as the GSS guidance on disclosure control for tables from
administrative sources describes, with these choices:

* **Counts** (children, funded children, demand places, supply places): a count of exactly 0 is
  shown as ``0`` (a ward with no places for an age group is the planning fact the map exists to
  show, and says nothing about a person); a count above 0 and below the threshold (default 5)
  is suppressed and shown as ``<5``; every other count is **rounded to the nearest 5**. We chose
  suppression for the small counts, not rounding them too, because a reader takes a rounded
  ``0`` for "none", which is wrong, while ``<5`` says what is known. We round the rest because
  the report also shows city-wide totals: with exact ward figures beside a total, a suppressed
  ward could be worked out by subtraction (secondary disclosure); rounding every figure (totals
  rounded from unrounded sums) leaves that subtraction uncertain by more than the threshold,
  without choosing other cells to suppress. A lone childminder's places for an age group (at
  most three children under 5 at the statutory ratios) are always below the threshold, so a
  ward-age cell made of one childminder is always suppressed.
* **Derived figures** (the gap, places per 100 children, the status) are suppressed wherever a
  count they are made from is suppressed: the gap from supply and demand, places per 100 from
  supply and children, the status from the gap.
* **The gap is derived from the published figures**, so that the columns add up: usable supply
  (the row's utilisation x the published supply) rounded to 5, minus the published demand. It is
  therefore a multiple of 5, and a reader who differences published figures learns nothing the
  rounding hid. Places per 100 children are rounded to whole numbers.
* **Terms and scenarios** (:func:`guard_releases`): every published term of every run is a
  release of a ward's supply, and a reader can subtract any two (two terms of one map, a
  scenario beside the baseline). A release is shown only if, against every release of the same
  ward and age group already shown (runs in order, terms in time order), the places of none or
  of at least :data:`MIN_PROVIDERS` providers differ; otherwise its supply, gap and places per
  100 are not shown (the threshold rule for business counts: fewer than three contributors is
  disclosive); city-wide totals are held back for a term and age group where any ward's are.
  So a provider opening or closing between two terms, or closed in a scenario, never has its
  places published by subtraction, on a map, a side-by-side map, a change map or a report.
* **Housing sites** (:func:`published_housing`): sites of at least
  :data:`MIN_PUBLISHED_DWELLINGS` dwellings are drawn at their points with their names and
  dwellings (major sites are in the council's published housing land supply); smaller sites
  are left off published maps.
* **Never published**: anything provider-level (names, locations, vacancies, waiting lists,
  staffing), vacancy projections (which start from the vacancies providers report) and the
  provider map layer. Childminders are never named or located in published outputs. City-wide
  workforce figures (sums over every provider) are published, rounded to the nearest 5.

Internal outputs (the default) show every figure unsuppressed, to one decimal place or whole
numbers, and say "internal" on them.

>>> count_text(0), count_text(3), count_text(12.4), count_text(1283)
('0', '<5', '10', '1,285')
>>> published_counts([0.0, 0.4, 4.99, 5.0, 7.5, 12.49])
array([ 0., nan, nan,  5., 10., 10.])
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..terms import AGE_GROUPS

if TYPE_CHECKING:
    from ..assess import Assessment

THRESHOLD = 5
#: A scenario's change in a cell is shown only when it comes from none or at least this many
#: providers.
MIN_PROVIDERS = 3
#: A column a gap table may carry: True where a scenario's supply may not be shown.
HELD_COLUMN = "held_back"
#: True where the city-wide supply of the row's term and age group may not be shown (it differs
#: from a city-wide total already shown by the places of one or two providers).
CITY_HELD_COLUMN = "city_held_back"
ROUNDING_BASE = 5
#: Housing sites with at least this many dwellings in the trajectory are drawn on published
#: maps ("major development" in planning: 10 or more dwellings, Town and Country Planning
#: (Development Management Procedure) (England) Order 2015, article 2).
MIN_PUBLISHED_DWELLINGS = 10
COUNT_COLUMNS = ("children", "funded_children", "demand_places", "supply_places")
# Derived figure -> the counts it is made from.
DERIVED = {
    "gap_places": ("supply_places", "demand_places"),
    "places_per_100": ("supply_places", "children"),
}
NOT_SHOWN = "not shown"
STATUS_NOT_SHOWN = "not shown (small numbers)"
SCENARIO_NOT_SHOWN = "not shown (fewer than 3 providers' places change here)"
FEW_SETTINGS_NOT_SHOWN = "not shown (fewer than 3 settings offer these places here)"


def round_to_base(values: float | Iterable[float], base: int = ROUNDING_BASE) -> np.ndarray:
    """Round to the nearest multiple of ``base``, halves away from zero.

    >>> round_to_base([2.4, 2.5, 7.49, 7.5, 12.5, -7.5]).tolist()
    [0.0, 5.0, 5.0, 10.0, 15.0, -10.0]
    """
    array = np.asarray(values, dtype=float)
    rounded: np.ndarray = np.sign(array) * np.floor(np.abs(array) / base + 0.5) * base
    return rounded


def is_small(values: float | Iterable[float], threshold: float = THRESHOLD) -> np.ndarray:
    """True for counts above zero and below ``threshold`` (those to suppress).

    >>> is_small([0, 0.2, 4.9, 5, np.nan]).tolist()
    [False, True, True, False, False]
    """
    array = np.asarray(values, dtype=float)
    with np.errstate(invalid="ignore"):
        return (array > 0) & (array < threshold)


def published_counts(
    values: float | Iterable[float], threshold: float = THRESHOLD, base: int = ROUNDING_BASE
) -> np.ndarray:
    """Counts as they may be published: NaN where suppressed, else rounded to ``base``.

    An exact 0 stays 0. Missing values stay missing.

    >>> published_counts([0, 2, 5, 23, np.nan]).tolist()
    [0.0, nan, 5.0, 25.0, nan]
    """
    array = np.asarray(values, dtype=float)
    return np.where(is_small(array, threshold), np.nan, round_to_base(array, base))


def count_text(value: float | None, threshold: float = THRESHOLD, base: int = ROUNDING_BASE) -> str:
    """One count as published: ``"0"``, ``"<5"``, or rounded to ``base`` with thousands commas.

    >>> count_text(0), count_text(0.3), count_text(4.9), count_text(5.1), count_text(None)
    ('0', '<5', '<5', '5', '')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return ""
    if is_small(value, threshold):
        return f"<{threshold:g}"
    return f"{float(round_to_base(value, base)):,.0f}"


def whole_text(value: float | None, *, signed: bool = False) -> str:
    """A modelled figure rounded to a whole number (``""`` when missing).

    >>> whole_text(-12.5), whole_text(3.2, signed=True), whole_text(-0.2), whole_text(None)
    ('-13', '+3', '0', '')
    """
    if value is None or pd.isna(value):
        return ""
    rounded = float(round_to_base(value, 1))
    if rounded == 0:
        return "0"
    return f"{rounded:+,.0f}" if signed else f"{rounded:,.0f}"


def published_figures(
    table: pd.DataFrame,
    threshold: float = THRESHOLD,
    base: int = ROUNDING_BASE,
    held_reason: str = SCENARIO_NOT_SHOWN,
) -> pd.DataFrame:
    """Ward figures as they may be published, one row per row of ``table``.

    Parameters
    ----------
    table
        Rows of a gap table (DATA.md): at least ``children, demand_places, supply_places,
        gap_places, places_per_100, status``; ``funded_children`` is used when present, and
        ``held_back`` (:func:`guard_scenario`) holds back a scenario's supply where it is True.

    Returns
    -------
    pandas.DataFrame
        The same index, with numeric columns ``children, funded_children, demand_places,
        supply_places`` (rounded to ``base``, NaN where suppressed), ``usable_places`` (the
        row's utilisation x published supply, rounded to ``base``), ``gap_places`` (published
        usable supply minus published demand, NaN where suppressed), ``places_per_100`` (whole,
        NaN where suppressed or no children), ``status`` (``"not shown (...)"`` where the gap
        is suppressed), ``suppressed`` (True where any figure of the row is held back) and
        ``held_back`` (True where held back by the scenario rule).

    Examples
    --------
    >>> rows = pd.DataFrame({"children": [120.4, 3.0], "demand_places": [61.2, 1.5],
    ...                      "supply_places": [70.0, 12.0], "gap_places": [1.8, 9.3],
    ...                      "places_per_100": [58.1, 400.0], "status": ["tight", "sufficient"]})
    >>> out = published_figures(rows)
    >>> out[["children", "demand_places", "supply_places", "gap_places"]].values.tolist()
    [[120.0, 60.0, 70.0, 5.0], [nan, nan, 10.0, nan]]
    >>> out["places_per_100"].tolist(), out["status"].tolist(), out["suppressed"].tolist()
    ([58.0, nan], ['tight', 'not shown (small numbers)'], [False, True])

    The gap of the first row is 0.9 x 70 = 63, rounded to 65, minus 60: +5, not the model's
    +1.8, so that it is the published supply and demand that it is made from.
    """
    out = pd.DataFrame(index=table.index)
    small = {}
    for column in COUNT_COLUMNS:
        if column not in table.columns:
            continue
        values = table[column].to_numpy(dtype=float)
        small[column] = is_small(values, threshold)
        out[column] = published_counts(values, threshold, base)
    held_back = (
        table[HELD_COLUMN].fillna(False).to_numpy(dtype=bool)
        if HELD_COLUMN in table.columns
        else np.zeros(len(table), dtype=bool)
    )
    out.loc[held_back, "supply_places"] = np.nan
    small["supply_places"] = small["supply_places"] | held_back
    for column, sources in DERIVED.items():
        held = np.zeros(len(table), dtype=bool)
        for source in sources:
            held |= small.get(source, False)
        values = round_to_base(table[column].to_numpy(dtype=float), 1)
        out[column] = np.where(held, np.nan, values)
        small[column] = held
    supply = table["supply_places"].to_numpy(dtype=float)
    usable = table["gap_places"].to_numpy(dtype=float) + table["demand_places"].to_numpy(float)
    share = np.divide(usable, supply, out=np.zeros_like(supply), where=supply > 0)
    out["usable_places"] = round_to_base(share * out["supply_places"].to_numpy(float), base)
    gap = out["usable_places"].to_numpy(float) - out["demand_places"].to_numpy(float)
    out["gap_places"] = np.where(small["gap_places"], np.nan, gap)
    gap_held = small["gap_places"]
    status = published_status(table["status"].astype(object).to_numpy(), gap, base)
    why = np.where(held_back, held_reason, STATUS_NOT_SHOWN)
    out["status"] = np.where(gap_held, why, status)
    out["suppressed"] = np.logical_or.reduce([small[c] for c in small])
    out[HELD_COLUMN] = held_back
    return out


def published_status(
    status: np.ndarray, published_gap: np.ndarray, base: int = ROUNDING_BASE
) -> np.ndarray:
    """The status a published row shows, from its published gap.

    ``deficit`` exactly where the published gap is below 0, so that a reader can check it from
    the figures beside it. Where the published gap is 0 but the model's ward is short (its
    status ``deficit``: the rounding to ``base`` hides a shortfall of under ``base`` places),
    ``tight (short by under 5 places)``. Elsewhere the model's ``tight`` or ``sufficient``
    (a published gap below 0 comes from usable supply below demand, since rounding keeps the
    order, so a model ``sufficient`` never shows a negative published gap).

    >>> published_status(np.array(["deficit", "deficit", "tight", "sufficient"]),
    ...                  np.array([-5.0, 0.0, -5.0, 0.0])).tolist()
    ['deficit', 'tight (short by under 5 places)', 'deficit', 'sufficient']
    """
    status = np.asarray(status, dtype=object)
    with np.errstate(invalid="ignore"):
        below = np.asarray(published_gap, dtype=float) < 0
    hidden = (status == "deficit") & ~below
    out = np.where(below, "deficit", status)
    return np.where(hidden, f"tight (short by under {base} places)", out).astype(object)


def published_housing(
    housing: pd.DataFrame | None, min_dwellings: int = MIN_PUBLISHED_DWELLINGS
) -> pd.DataFrame | None:
    """The housing trajectory's rows a published map may draw: the sites (``site_id``, else
    ``site_name``) with at least ``min_dwellings`` dwellings in all.

    Major sites are in the council's own published housing land supply, with their names and
    dwellings; a smaller site can be one household's plot, so it is left off the published map
    (its children still count in the ward's demand).

    >>> trajectory = pd.DataFrame({"site_id": ["A", "A", "B"], "year": [2027, 2028, 2027],
    ...                            "dwellings": [6, 6, 4]})
    >>> published_housing(trajectory)["site_id"].tolist()
    ['A', 'A']
    """
    if housing is None or housing.empty:
        return housing
    key = "site_id" if "site_id" in housing.columns else "site_name"
    total = housing.groupby(key)["dwellings"].transform("sum")
    return housing[total >= min_dwellings]


def _provider_places(result: Assessment) -> pd.DataFrame:
    """Each provider's supply places, one row per URN and ward, one column per term and age
    group (terms outer)."""
    return _places_frame(result.providers, len(result.terms))


def _places_frame(supply: Any, n_terms: int) -> pd.DataFrame:
    """``supply``'s places (``urn``, ``ward_code``, ``places`` (settings, terms, 3): a
    ``supply.ProviderSupply`` or ``school_age.SettingPlaces``) as one row per URN and ward,
    one column per term and group (terms outer); ``None``: no rows."""
    width = n_terms * len(AGE_GROUPS)
    if supply is None or len(supply.urn) == 0:
        empty = pd.MultiIndex.from_arrays([[], []], names=["urn", "ward_code"])
        return pd.DataFrame(np.zeros((0, width)), index=empty)
    index = pd.MultiIndex.from_arrays(
        [supply.urn.astype(str), supply.ward_code.astype(str)], names=["urn", "ward_code"]
    )
    frame = pd.DataFrame(supply.places.reshape(len(index), width), index=index)
    return frame.groupby(level=["urn", "ward_code"], sort=True).sum()


def providers_changed(first: Assessment, second: Assessment) -> pd.DataFrame:
    """How many providers' places differ between two runs, by ward, term and age group.

    Returns
    -------
    pandas.DataFrame
        ``ward_code, term, age_group, providers_changed`` for every ward with a provider in
        either run.
    """
    terms = [str(t) for t in second.terms]
    if [str(t) for t in first.terms] != terms:
        raise ValueError("the two runs cover different terms")
    before, after = _provider_places(first).align(_provider_places(second), fill_value=0.0)
    changed = ~np.isclose(before.to_numpy(float), after.to_numpy(float), rtol=0, atol=1e-9)
    counts = (
        pd.DataFrame(changed.astype(int), index=before.index.get_level_values("ward_code"))
        .groupby(level=0, sort=True)
        .sum()
    )
    wards = counts.index.to_numpy(dtype=object)
    per_ward = len(terms) * len(AGE_GROUPS)
    return pd.DataFrame(
        {
            "ward_code": np.repeat(wards, per_ward),
            "term": np.tile(np.repeat(terms, len(AGE_GROUPS)), len(wards)),
            "age_group": np.tile(AGE_GROUPS, len(wards) * len(terms)),
            "providers_changed": counts.to_numpy().ravel(),
        }
    )


def _places_by_ward(
    runs: Sequence[Assessment], frames: Sequence[pd.DataFrame] | None = None
) -> tuple[pd.Index, list[np.ndarray]]:
    """Each run's provider places (or ``frames``, one per run, as :func:`_places_frame` makes
    them) on one (urn, ward) index: ``(providers, terms, 3)`` arrays, zero where a run has no
    such provider."""
    if frames is None:
        frames = [_provider_places(run) for run in runs]
    index = frames[0].index
    for frame in frames[1:]:
        index = index.union(frame.index)
    arrays = [
        frame.reindex(index, fill_value=0.0)
        .to_numpy(float)
        .reshape(len(index), len(run.terms), len(AGE_GROUPS))
        for frame, run in zip(frames, runs, strict=True)
    ]
    return index, arrays


def held_releases(
    runs: Sequence[Assessment],
    min_providers: int = MIN_PROVIDERS,
    *,
    school_age: bool = False,
) -> list[pd.DataFrame]:
    """Which published (run, term) figures of each ward and age group to hold back so that no
    two that are shown differ by the places of one or two providers.

    Every run's every term is a *release* of a ward's supply for an age group; a reader can
    subtract any two releases that are shown (two terms of one map, a scenario beside the
    baseline, a term of one beside another term of the other). Releases are taken in order
    (the first run's terms in time order, then the next run's): one is shown only if, against
    every release already shown, the places of none or of at least ``min_providers``
    providers differ; otherwise its supply, gap and places per 100 are held back. The first
    release of a cell is always shown.

    The city-wide totals are releases too (every provider of the area as one cell):
    ``city_held`` marks a term and age group whose city total differs from one already shown
    by one or two providers' places.

    With ``school_age`` the same for each setting's school-age places
    (``Assessment.school_age_settings``): breakfast, after-school and holiday places in the
    place of the three age groups, the column named ``provision``.

    Returns
    -------
    list of pandas.DataFrame
        One per run: ``ward_code, term, age_group (provision), held, city_held`` for every
        ward with a provider in any run.
    """
    frames = None
    groups, group_column = AGE_GROUPS, "age_group"
    if school_age:
        frames = [_places_frame(r.school_age_settings, len(r.terms)) for r in runs]
        groups, group_column = ("breakfast", "after_school", "holiday"), "provision"
    index, arrays = _places_by_ward(runs, frames)
    wards = index.get_level_values("ward_code").to_numpy(dtype=str)
    codes = np.unique(wards)
    held = [np.zeros((len(codes), len(r.terms), len(AGE_GROUPS)), bool) for r in runs]
    city = [np.zeros((len(r.terms), len(AGE_GROUPS)), bool) for r in runs]
    for w, code in enumerate(codes):
        _hold(arrays, wards == code, min_providers, [mask[w] for mask in held])
    # The city-wide totals: every provider of the area as one cell.
    _hold(arrays, np.ones(len(wards), dtype=bool), min_providers, city)
    out = []
    for run, mask, whole in zip(runs, held, city, strict=True):
        terms = [str(t) for t in run.terms]
        per_ward = len(terms) * len(groups)
        out.append(
            pd.DataFrame(
                {
                    "ward_code": np.repeat(codes, per_ward),
                    "term": np.tile(np.repeat(terms, len(groups)), len(codes)),
                    group_column: np.tile(groups, len(codes) * len(terms)),
                    "held": mask.reshape(-1),
                    "city_held": np.tile(whole.reshape(-1), len(codes)),
                }
            )
        )
    return out


def _hold(
    arrays: Sequence[np.ndarray], rows: np.ndarray, min_providers: int, held: Sequence[np.ndarray]
) -> None:
    """Mark in ``held[k][t, g]`` each release of the providers ``rows`` that differs from one
    already shown by the places of 1 to ``min_providers - 1`` providers."""
    for g in range(len(AGE_GROUPS)):
        shown: list[np.ndarray] = []
        for k, places in enumerate(arrays):
            for t in range(places.shape[1]):
                release = places[rows, t, g]
                changed = [
                    int((~np.isclose(release, other, rtol=0, atol=1e-9)).sum()) for other in shown
                ]
                if any(0 < n < min_providers for n in changed):
                    held[k][t, g] = True
                else:
                    shown.append(release)


def guard_releases(
    runs: Sequence[Assessment], min_providers: int = MIN_PROVIDERS
) -> list[Assessment]:
    """Each run with a ``held_back`` column from :func:`held_releases` (True where its
    published supply, gap and places per 100 would let a reader subtract one or two
    providers' places, between terms or between runs), and its school-age rows likewise
    (:func:`held_releases` with ``school_age``; a later run's school-age supply also held
    wherever it differs from the first run's, :func:`_guard_school_age_scenario`)."""
    key = ["ward_code", "term", "age_group"]
    school = _school_age_releases(runs, min_providers)
    out = []
    for k, (run, held) in enumerate(zip(runs, held_releases(runs, min_providers), strict=True)):
        rows = run.gap[key].astype(str).merge(held, on=key, how="left")
        mask = rows["held"].fillna(False).to_numpy(bool)
        city = held.drop_duplicates(["term", "age_group"])[["term", "age_group", "city_held"]]
        whole = run.gap[["term", "age_group"]].astype(str).merge(city, how="left")
        columns: dict[str, np.ndarray] = {
            HELD_COLUMN: mask,
            CITY_HELD_COLUMN: whole["city_held"].fillna(False).to_numpy(bool),
        }
        table = run.school_age
        if table is not None:
            if k > 0:
                table = _guard_school_age_scenario(runs[0].school_age, table)
            if school is not None:
                table = _with_releases(table, school[k])
        out.append(dataclasses.replace(run, gap=run.gap.assign(**columns), school_age=table))
    return out


def _school_age_releases(
    runs: Sequence[Assessment], min_providers: int
) -> list[pd.DataFrame] | None:
    """:func:`held_releases` of the runs' school-age places, where every run has them."""
    if any(r.school_age is None or r.school_age_settings is None for r in runs):
        return None
    return held_releases(runs, min_providers, school_age=True)


def _with_releases(table: pd.DataFrame, held: pd.DataFrame) -> pd.DataFrame:
    """School-age rows with ``held_back`` (or-ed with any already there) and
    ``city_held_back`` from one run's school-age releases."""
    key = ["ward_code", "term", "provision"]
    rows = table[key].astype(str).merge(held, on=key, how="left")
    mask = rows["held"].fillna(False).to_numpy(bool, copy=True)
    if HELD_COLUMN in table.columns:
        mask = mask | table[HELD_COLUMN].fillna(False).to_numpy(bool)
    city = held.drop_duplicates(["term", "provision"])[["term", "provision", "city_held"]]
    whole = table[["term", "provision"]].astype(str).merge(city, how="left")
    return table.assign(
        **{
            HELD_COLUMN: mask,
            CITY_HELD_COLUMN: whole["city_held"].fillna(False).to_numpy(bool),
        }
    )


def guard_scenario(
    baseline: Assessment, result: Assessment, min_providers: int = MIN_PROVIDERS
) -> Assessment:
    """``result`` with a ``held_back`` column (:func:`guard_releases` of the baseline, then
    ``result``): True where, against the baseline's shown terms or its own, the scenario's
    published supply would differ by the places of one or two providers of the ward and age
    group. With ``result is baseline`` it guards the run's terms against each other. Its
    school-age rows are guarded the same way.
    """
    if result is baseline:
        return guard_releases([result], min_providers)[0]
    return guard_releases([baseline, result], min_providers)[1]


def _guard_school_age_scenario(baseline: pd.DataFrame | None, table: pd.DataFrame) -> pd.DataFrame:
    """A scenario's school-age rows with ``held_back`` True wherever its supply differs from
    the baseline's: every change is held back (it could be one club's places; stricter than
    the settings rule of :func:`held_releases`, which also applies)."""
    key = ["term", "ward_code", "provision"]
    mine = table.set_index(key)["supply_places"]
    if baseline is None:
        differs = np.ones(len(table), dtype=bool)
    else:
        base = baseline.set_index(key)["supply_places"].reindex(mine.index)
        differs = ~np.isclose(mine.to_numpy(float), base.to_numpy(float), rtol=0, atol=1e-9)
    return table.assign(**{HELD_COLUMN: differs})


def figure_texts(
    table: pd.DataFrame,
    *,
    publish: bool,
    threshold: float = THRESHOLD,
    base: int = ROUNDING_BASE,
    held_reason: str = SCENARIO_NOT_SHOWN,
) -> pd.DataFrame:
    """The figures of gap-table rows as text for a tooltip or a table cell.

    Published: the rules of this module (``<5``, rounded to 5, whole places). Internal: children
    and places to one decimal place, places per 100 and the gap to whole numbers (the gap
    signed), projected vacancies to one decimal place.

    Returns
    -------
    pandas.DataFrame
        The same index, columns ``children, demand_places, supply_places, gap_places,
        places_per_100, status`` (and ``projected_vacancies`` when internal), all text, and
        ``gap_value`` (the gap as shown, NaN where suppressed) for colouring.

    Examples
    --------
    >>> rows = pd.DataFrame({"children": [3.0], "demand_places": [1.6], "supply_places": [0.0],
    ...                      "gap_places": [-1.6], "places_per_100": [0.0], "status": ["deficit"],
    ...                      "projected_vacancies": [2.0]})
    >>> figure_texts(rows, publish=True).iloc[0, :6].tolist()
    ['<5', '<5', '0', 'not shown', 'not shown', 'not shown (small numbers)']
    >>> figure_texts(rows, publish=False).iloc[0, :7].tolist()
    ['3.0', '1.6', '0.0', '-2', '0', 'deficit', '2.0']
    """
    if publish:
        shown = published_figures(table, threshold, base, held_reason)
        held_back = shown[HELD_COLUMN].to_numpy(dtype=bool)
        out = pd.DataFrame(
            {
                column: [count_text(v, threshold, base) for v in table[column]]
                for column in ("children", "demand_places", "supply_places")
            },
            index=table.index,
        )
        out.loc[held_back, "supply_places"] = NOT_SHOWN
        held = shown["suppressed"].to_numpy()
        out["gap_places"] = [
            NOT_SHOWN if np.isnan(v) and h else whole_text(v, signed=True)
            for v, h in zip(shown["gap_places"], held, strict=True)
        ]
        out["places_per_100"] = [
            NOT_SHOWN if np.isnan(v) and h else whole_text(v)
            for v, h in zip(shown["places_per_100"], held, strict=True)
        ]
        out["status"] = shown["status"].astype(object)
        out["gap_value"] = shown["gap_places"].astype(float)
        return out
    out = pd.DataFrame(
        {
            column: [_one_decimal(v) for v in table[column]]
            for column in ("children", "demand_places", "supply_places")
        },
        index=table.index,
    )
    out["gap_places"] = [whole_text(v, signed=True) for v in table["gap_places"]]
    out["places_per_100"] = [whole_text(v) for v in table["places_per_100"]]
    out["status"] = table["status"].astype(object).to_numpy()
    if "projected_vacancies" in table.columns:
        out["projected_vacancies"] = [_one_decimal(v) for v in table["projected_vacancies"]]
    out["gap_value"] = table["gap_places"].to_numpy(dtype=float)
    return out


def held_take_up_terms(funded: pd.DataFrame, min_providers: int = MIN_PROVIDERS) -> dict[str, bool]:
    """Per term of the city-wide take-up of the disadvantaged 2s' hours, whether its funded
    children (and so its take-up) must be held back: terms are releases, taken in time order,
    and a term is shown only if, against every term shown, the ``funded_2_disadvantaged`` of
    none or of at least ``min_providers`` providers differ (a provider with no return made in
    the term counts 0), as :func:`held_releases` does for places. ``funded`` has one row per
    provider and a column per term (``disadvantaged.funded_by_provider``, which the assessment
    keeps as ``disadvantaged_2s_by_provider``).

    >>> funded = pd.DataFrame({"2026-spring": [5, 6, 7.0], "2026-summer": [5, 6, 9.0],
    ...                        "2026-autumn": [1, 2, 3.0]}, index=["A", "B", "C"])
    >>> held_take_up_terms(funded)
    {'2026-spring': False, '2026-summer': True, '2026-autumn': False}
    """
    terms = [str(t) for t in funded.columns]
    counts = funded.to_numpy(float)
    cube = np.repeat(counts[:, :, None], len(AGE_GROUPS), axis=2)
    held = [np.zeros((len(terms), len(AGE_GROUPS)), dtype=bool)]
    _hold([cube], np.ones(len(cube), dtype=bool), min_providers, held)
    return {term: bool(held[0][t, 0]) for t, term in enumerate(terms)}


def supply_hidden(supply_texts: pd.Series) -> np.ndarray:
    """Where published supply texts (:func:`figure_texts`) hide the supply: ``<5`` or
    ``not shown``. A figure made from the supply (the share of it judged good) is held back
    there too.

    >>> supply_hidden(pd.Series(["<5", "not shown", "0", "45"])).tolist()
    [True, True, False, False]
    """
    texts = supply_texts.astype(str)
    hidden: np.ndarray = (texts.str.startswith("<") | (texts == NOT_SHOWN)).to_numpy(bool)
    return hidden


def _one_decimal(value: float | None) -> str:
    if value is None or pd.isna(value):
        return ""
    return f"{float(value):,.1f}"


# --- School-age childcare -------------------------------------------------------------------------


def guard_school_age(table: pd.DataFrame) -> pd.DataFrame:
    """School-age rows (``school_age.py``'s table, with ``settings``) ready for
    :func:`published_figures`: supply, gap and status held back where fewer than
    :data:`MIN_PROVIDERS` settings (but at least one) offer the ward's places for a provision,
    so that no published figure is one or two providers' places. ``places_per_100`` is empty
    (school-age figures have none).

    >>> rows = pd.DataFrame({"children": [840.0] * 3, "demand_places": [42.0] * 3,
    ...     "supply_places": [20.0, 60.0, 0.0], "gap_places": [-22.0, 18.0, -42.0],
    ...     "status": ["deficit", "sufficient", "deficit"], "settings": [1, 3, 0]})
    >>> guard_school_age(rows)[HELD_COLUMN].tolist()
    [True, False, False]
    """
    settings = table["settings"].to_numpy(dtype=float)
    held = (settings >= 1) & (settings < MIN_PROVIDERS)
    if HELD_COLUMN in table.columns:  # a scenario's changes (guard_scenario)
        held |= table[HELD_COLUMN].fillna(False).to_numpy(dtype=bool)
    return table.assign(places_per_100=np.nan, **{HELD_COLUMN: held})


def held_totals(table: pd.DataFrame) -> pd.Series:
    """Per term and provision, whether a city-wide supply total of school-age places must be
    held back. The total less the wards shown gives the held-back wards' places together, so
    the total is held back where those come from fewer than :data:`MIN_PROVIDERS` settings,
    and, for a scenario, wherever it changes a ward's places (:func:`guard_scenario`).

    >>> rows = pd.DataFrame({"term": ["2027-spring"] * 4, "provision": ["breakfast"] * 4,
    ...                      "settings": [1, 2, 0, 5]})
    >>> held_totals(rows).tolist(), held_totals(rows.iloc[[0, 2, 3]]).tolist()
    ([False], [True])
    """
    settings = table["settings"].to_numpy(dtype=float)
    in_held = np.where((settings >= 1) & (settings < MIN_PROVIDERS), settings, 0.0)
    behind = pd.Series(in_held, index=table.index).groupby(
        [table["term"], table["provision"]], sort=False
    )
    held: pd.Series = behind.sum().between(1, MIN_PROVIDERS - 1)
    if HELD_COLUMN in table.columns:  # a ward held back between terms or runs
        changed = table[HELD_COLUMN].fillna(False).astype(bool)
        held |= changed.groupby([table["term"], table["provision"]], sort=False).any()
    if CITY_HELD_COLUMN in table.columns:  # the total itself differs by one or two settings
        city = table[CITY_HELD_COLUMN].fillna(False).astype(bool)
        held |= city.groupby([table["term"], table["provision"]], sort=False).any()
    return held
