"""Resilience: what each open provider's closure alone would do to the gap (a contingency, N-1).

For every provider open in the forecast, its supply places (``supply.ProviderSupply``) are taken
away from its ward's supply from the first forecast term on, everything else unchanged, and the
gap (``gap.gap``) of that ward alone is worked out again: no assessment is re-run per provider,
so a national run costs one array operation over providers x terms x age groups. Then::

    deficit_places_added = sum over wards w, age groups a, terms t of
                           max(0, -gap_after) - max(0, -gap_before)

(at ``term`` only when one is given), on the strict within-ward gap. Where the assessment has
the cross-boundary measures on, the same sum is worked out on their bases too, so that a
setting's loss is felt in the wards its places serve:

- **accessibility** (``deficit_places_added_access``): the gap on the accessibility basis is
  ``utilisation x accessible_places - demand_places``, ``accessible_places`` being the places
  the ward's children have within reach (``catchment.accessibility``: the 2SFCA). In the 2SFCA a
  provider's places are shared among the children in its catchment in proportion to their
  weighted number, and the others' shares do not change when it closes
  (``catchment.place_shares``), so its closure takes ``places x M[w, j]`` from each ward ``w``
  its catchment reaches;
- **flows** (``deficit_places_added_flows``, where the area has ``flows.csv``): the gap on the
  flows basis (``flows.flow_gap``: demand moved to the wards where children attend) loses the
  provider's places in its own ward.

Fragility flags come from the provider's returns: occupancy below ``fragility.low_occupancy``
(children on roll / places), vacancies up since its previous return, a staff vacancy rate of
``fragility.staff_vacancy_rate`` or more (vacancies / (staff in post + vacancies)); both
thresholds are parameters in ``data/defaults.toml`` with their meaning), more leavers than
recruits, a closure or a fall in places in its history, and an Ofsted grade of 3 or 4 (or the
words) where the returns carry an ``ofsted_grade`` column.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse

from . import catchment
from . import gap as gap_model
from ._lookup import positions
from .area import Area
from .assess import Assessment, as_area, as_parameters, assess
from .errors import InputError
from .parameters import Parameters
from .returns.reader import CHILDREN, PLACES, VACANCIES
from .supply import ProviderSupply
from .terms import AGE_GROUPS, Term

WEAK_OFSTED = {"3", "4", "requires improvement", "requires_improvement", "inadequate"}

COLUMNS = [
    "urn",
    "provider_name",
    "provider_type",
    "ward_code",
    "ward_name",
    "supply_places",
    "deficit_places_added",
    "first_term_affected",
    "wards_affected",
    "sole_setting_for",
    "deficit_places_added_access",
    "first_term_affected_access",
    "wards_affected_access",
    "sole_in_reach_for",
    "deficit_places_added_flows",
    "first_term_affected_flows",
    "occupancy",
    "vacancies",
    "vacancies_change",
    "staff_vacancy_rate",
    "staff_leavers",
    "staff_recruits",
    "ofsted_grade",
    "flags",
]
"""``resilience.csv``: one row per open provider, sorted by deficit places added (largest
first), then urn. The ``*_access`` columns and ``sole_in_reach_for`` (the wards and age groups
whose children reach no other setting's places in the first forecast term) are empty without
accessibility, the ``*_flows`` columns without a flow matrix."""


@dataclass(frozen=True)
class ClosureEffects:
    """Each provider row's closure effect on the strict gap, as arrays.

    ``added[j, t, g]`` is ``max(0, -gap_after) - max(0, -gap_before)`` in the ward of provider
    row ``j`` (0 for a provider outside the area's wards).
    """

    urn: np.ndarray
    ward_row: np.ndarray
    added: np.ndarray


def closure_effects(
    providers: ProviderSupply,
    wards: pd.Index,
    demand_places: np.ndarray,
    utilisation: float,
) -> ClosureEffects:
    """The deficit places each provider's closure alone adds, per term and age group.

    ``demand_places`` is (wards, terms, 3) in the order of ``wards``, the terms those of
    ``providers.places``. A provider with several locations in one ward is closed at all of
    them (its rows are summed by urn and ward first).

    Examples
    --------
    Ward A: demand 30, providers of 20 and 15; ward B: demand 10, one provider of 12.

    >>> supply = ProviderSupply(urn=np.array(["P1", "P2", "P3"], dtype=object),
    ...     ward_code=np.array(["A", "A", "B"], dtype=object), xy=np.zeros((3, 2)),
    ...     places=np.array([20.0, 15.0, 12.0]).reshape(3, 1, 1) * [[[0, 0, 1]]])
    >>> demand = np.array([30.0, 10.0]).reshape(2, 1, 1) * [[[0, 0, 1]]]
    >>> effects = closure_effects(supply, pd.Index(["A", "B"]), demand, 1.0)
    >>> effects.added.sum(axis=(1, 2)).tolist()
    [15.0, 10.0, 10.0]
    """
    wards = pd.Index(wards)
    keys = pd.DataFrame({"urn": providers.urn.astype(str), "ward": providers.ward_code})
    group = keys.groupby(["urn", "ward"], sort=True, dropna=False).ngroup().to_numpy()
    n = int(group.max()) + 1 if len(group) else 0
    places = np.zeros((n, *providers.places.shape[1:]))
    np.add.at(places, group, providers.places)
    first = np.unique(group, return_index=True)[1]
    urn = providers.urn[first]
    ward_row = positions(wards, providers.ward_code[first])
    inside = ward_row >= 0
    supply_wards = providers.by_ward(wards)
    rows = np.where(inside, ward_row, 0)
    before = gap_model.gap(supply_wards[rows], demand_places[rows], utilisation)
    after = gap_model.gap(supply_wards[rows] - places, demand_places[rows], utilisation)
    added = np.maximum(0.0, -after) - np.maximum(0.0, -before)
    added[~inside] = 0.0
    return ClosureEffects(urn=urn, ward_row=ward_row, added=added)


@dataclass(frozen=True)
class ReachEffects:
    """Each urn's closure effect on the gap on the accessibility basis.

    ``added[k, t, g]`` is the deficit places its closure adds over the wards its catchment
    reaches; ``wards[k]`` lists those pushed into or deeper into deficit (``ward:age_group``).
    """

    urn: np.ndarray
    added: np.ndarray
    wards: list[list[str]]


def reach_effects(
    providers: ProviderSupply,
    wards: pd.Index,
    accessible_places: np.ndarray,
    demand_places: np.ndarray,
    shares: dict[str, list[sparse.csr_array]],
    utilisation: float,
) -> ReachEffects:
    """The deficit places each urn's closure alone adds on the accessibility basis.

    ``accessible_places`` and ``demand_places`` are (wards, terms, 3); ``shares`` is
    ``catchment.place_shares`` for the providers' locations. The gap before is
    ``gap.gap(accessible_places, demand_places, utilisation)``; closing urn ``k`` (all its
    locations) takes ``Σ_{j of k} places[j] x M[w, j]`` from each ward's accessible places.

    Examples
    --------
    Wards A, B with demand 10 each, accessible places 12 and 8; one provider of 6 places shared
    half and half: closing it leaves 9 and 5 accessible, gaps -1 and -5 from +2 and -2, so it
    adds 1 + 3 = 4 deficit places.

    >>> supply = ProviderSupply(urn=np.array(["P1"], dtype=object),
    ...     ward_code=np.array(["A"], dtype=object), xy=np.zeros((1, 2)),
    ...     places=np.array([[[0.0, 0.0, 6.0]]]))
    >>> half = sparse.csr_array(np.array([[0.5], [0.5]]))
    >>> effects = reach_effects(supply, pd.Index(["A", "B"]),
    ...     np.array([12.0, 8.0]).reshape(2, 1, 1) * [[[0, 0, 1]]],
    ...     np.array([10.0, 10.0]).reshape(2, 1, 1) * [[[0, 0, 1]]],
    ...     {"under2": [half], "2": [half], "3_4": [half]}, 1.0)
    >>> effects.added.sum(), effects.wards
    (np.float64(4.0), [['A:3_4', 'B:3_4']])
    """
    urns, urn_of = np.unique(providers.urn.astype(str), return_inverse=True)
    n_rows, n_terms = providers.places.shape[:2]
    to_urn = sparse.csr_array(
        (np.ones(n_rows), (np.arange(n_rows), urn_of)), shape=(n_rows, len(urns))
    )
    before = gap_model.gap(accessible_places, demand_places, utilisation)
    added = np.zeros((len(urns), n_terms, len(AGE_GROUPS)))
    hit: set[tuple[int, int, int]] = set()
    for g, group in enumerate(AGE_GROUPS):
        for t in range(n_terms):
            loss = sparse.coo_array(
                shares[group][t] @ sparse.diags_array(providers.places[:, t, g]) @ to_urn
            )
            w, k = loss.coords
            after = gap_model.gap(
                accessible_places[w, t, g] - loss.data, demand_places[w, t, g], utilisation
            )
            extra = np.maximum(0.0, -after) - np.maximum(0.0, -before[w, t, g])
            np.add.at(added[:, t, g], k, extra)
            felt = extra > 1e-9
            hit.update((int(a), int(b), g) for a, b in zip(k[felt], w[felt], strict=True))
    labels: list[list[str]] = [[] for _ in urns]
    for k, w, g in sorted(hit):
        labels[k].append(f"{wards[w]}:{AGE_GROUPS[g]}")
    return ReachEffects(urn=urns, added=added, wards=labels)


def sole_in_reach(
    providers: ProviderSupply,
    wards: pd.Index,
    demand_places: np.ndarray,
    shares: dict[str, list[sparse.csr_array]],
) -> pd.Series:
    """Per urn, the wards and age groups (``ward:age_group``, joined by ``; ``) with demand whose
    children reach that setting's places and no other's in the first forecast term (on the
    accessibility basis: ``M[w, j] x places[j] > 0``, ``catchment.place_shares``).

    Examples
    --------
    Ward A's children reach P1 and P2, ward B's P1 only: P1 is B's only setting in reach.

    >>> supply = ProviderSupply(urn=np.array(["P1", "P2"], dtype=object),
    ...     ward_code=np.array(["A", "A"], dtype=object), xy=np.zeros((2, 2)),
    ...     places=np.array([[[0.0, 0.0, 6.0]], [[0.0, 0.0, 4.0]]]))
    >>> m = sparse.csr_array(np.array([[0.5, 1.0], [0.5, 0.0]]))
    >>> sole_in_reach(supply, pd.Index(["A", "B"]), np.full((2, 1, 3), 10.0),
    ...               {"under2": [m], "2": [m], "3_4": [m]}).to_dict()
    {'P1': 'B:3_4'}
    """
    urns, urn_of = np.unique(providers.urn.astype(str), return_inverse=True)
    found: dict[str, list[str]] = {}
    if providers.places.shape[1] == 0:
        return pd.Series(found, dtype=object)
    to_urn = sparse.csr_array(
        (np.ones(len(urn_of)), (np.arange(len(urn_of)), urn_of)), shape=(len(urn_of), len(urns))
    )
    hits: list[tuple[int, int, int]] = []
    for g, group in enumerate(AGE_GROUPS):
        reached = sparse.csr_array(
            shares[group][0] @ sparse.diags_array(providers.places[:, 0, g]) @ to_urn
        )
        reached.eliminate_zeros()
        counts = np.diff(reached.indptr)
        for w in np.flatnonzero((counts == 1) & (demand_places[:, 0, g] > 0)).tolist():
            hits.append((int(reached.indices[reached.indptr[w]]), int(w), g))
    for k, w, g in sorted(hits):
        found.setdefault(str(urns[k]), []).append(f"{wards[w]}:{AGE_GROUPS[g]}")
    return pd.Series({urn: "; ".join(parts) for urn, parts in found.items()}, dtype=object)


@dataclass
class Resilience:
    """The result of :func:`resilience`.

    Attributes
    ----------
    table
        ``resilience.csv`` (:data:`COLUMNS`).
    single_settings
        One row per ward and age group with demand where one setting alone offers places in
        the first forecast term: ``ward_code, ward_name, age_group, urn, supply_places,
        demand_places``.
    assessment
        The assessment the closures are taken from.
    term
        The term counted, or ``None`` for every forecast term.
    """

    table: pd.DataFrame
    single_settings: pd.DataFrame
    assessment: Assessment
    term: Term | None

    @property
    def headline(self) -> str:
        """What was counted, with the settings counted labelled (they are open at the latest
        return's start or at the first forecast term's, so the figure differs from the return's
        own count)."""
        run = self.assessment
        basis = f"at {self.term}" if self.term else f"over {run.terms[0]} to {run.terms[-1]}"
        return (
            f"{run.place.name} ({run.scenario}): {len(self.table)} settings open at the start of "
            f"{run.latest_return} (the latest return) or of {run.terms[0]} (the first forecast "
            f"term), {basis}"
        )


def resilience(
    area: Assessment | Area | str | Path | None = None,
    parameters: Parameters | str | Path | None = None,
    *,
    scenario: str | Path | None = None,
    term: Term | str | None = None,
    min_quality: str | None = None,
) -> Resilience:
    """Each open provider's closure alone from the first forecast term, and its fragility.

    Parameters
    ----------
    area
        An :class:`Assessment` already run, an :class:`Area` or area folder (``None``: the
        demo), which is assessed first.
    parameters
        As :func:`sufficiency.assess` takes them (ignored for an assessment).
    scenario
        A scenario TOML to assess the area under (ignored for an assessment).
    term
        Count deficit places at this forecast term only (default: summed over all).
    min_quality
        ``good`` or ``outstanding``: only places in settings so judged count as supply, and so
        only those settings' closures (``--min-quality``; ignored for an assessment, which
        carries its own).
    """
    result = assessment_of(area, parameters, scenario, min_quality)
    terms = result.terms
    at = forecast_position(term, terms)
    providers = result.providers
    if providers is None:
        raise InputError("the assessment carries no provider supply")
    wards = result.place.ward_codes
    demand = result.demand_places
    effects = closure_effects(providers, wards, demand, result.parameters.utilisation)
    counted = effects.added if at is None else effects.added[:, [at]]
    by_row = counted.sum(axis=(1, 2))
    names = result.place.wards.set_index("ward_code")["ward_name"]
    first_forecast = _places_by_urn(providers)
    hit = effects.added > 1e-9
    by_term = hit.any(axis=2)
    ward_code = np.where(
        effects.ward_row >= 0, wards.to_numpy(dtype=object)[effects.ward_row], None
    )
    j, g = np.nonzero(hit.any(axis=1))
    labels = pd.Series(ward_code[j].astype(str), dtype=object) + ":" + np.asarray(AGE_GROUPS)[g]
    affected = labels.groupby(j).agg(list).reindex(range(len(effects.urn)))
    per_row = pd.DataFrame(
        {
            "urn": effects.urn.astype(str),
            "ward_code": ward_code,
            "deficit_places_added": by_row,
            "first_term_index": np.where(np.any(by_term, axis=1), np.argmax(by_term, axis=1), -1),
            "affected": [x if isinstance(x, list) else [] for x in affected],
        }
    )
    open_urns = set(result.provider_returns["urn"].astype(str)) | set(
        first_forecast.index[first_forecast > 0]
    )
    per_row = per_row[per_row["urn"].isin(open_urns)]
    single = single_settings(providers, wards, demand, names)
    table = _provider_table(per_row, terms, names, first_forecast, single, result)
    table = _cross_boundary(table, result, demand, at)
    return Resilience(table=table, single_settings=single, assessment=result, term=_term(at, terms))


def _cross_boundary(
    table: pd.DataFrame, result: Assessment, demand: np.ndarray, at: int | None
) -> pd.DataFrame:
    """The closures' effects on the accessibility and flows bases, where the assessment has
    them, joined to ``table`` by urn (empty columns where it has not)."""
    providers = result.providers
    assert providers is not None
    wards = result.place.ward_codes
    utilisation = result.parameters.utilisation
    table = table.copy()
    table["deficit_places_added_access"] = np.nan
    table["first_term_affected_access"] = ""
    table["wards_affected_access"] = ""
    table["sole_in_reach_for"] = ""
    table["deficit_places_added_flows"] = np.nan
    table["first_term_affected_flows"] = ""
    if result.accessible_places is not None:
        settings = catchment.CatchmentSettings.from_values(result.parameters.section("catchment"))
        shares = catchment.place_shares(
            result.place.wards,
            result.terms,
            result.children,
            providers.xy,
            settings,
            small_areas=result.place.small_areas,
        )
        effects = reach_effects(
            providers, wards, result.accessible_places, demand, shares, utilisation
        )
        counted = effects.added if at is None else effects.added[:, [at]]
        by_urn = pd.Series(counted.sum(axis=(1, 2)), index=effects.urn)
        labels = pd.Series(["; ".join(x) for x in effects.wards], index=effects.urn)
        table["deficit_places_added_access"] = table["urn"].map(by_urn).to_numpy(float)
        table["wards_affected_access"] = (
            table["urn"].map(labels).astype(object).fillna("").to_numpy()
        )
        by_term = effects.added.sum(axis=2) > 1e-9  # (urns, terms)
        first = pd.Series(
            [str(result.terms[int(np.argmax(row))]) if row.any() else "" for row in by_term],
            index=effects.urn,
        )
        table["first_term_affected_access"] = (
            table["urn"].map(first).astype(object).fillna("").to_numpy()
        )
        sole = sole_in_reach(providers, wards, demand, shares)
        table["sole_in_reach_for"] = table["urn"].map(sole).astype(object).fillna("").to_numpy()
    if result.demand_places_flows is not None:
        moved = result.demand_places_flows
        effects_flows = closure_effects(providers, wards, moved, utilisation)
        counted = effects_flows.added if at is None else effects_flows.added[:, [at]]
        by_urn = pd.Series(counted.sum(axis=(1, 2)), index=effects_flows.urn.astype(str))
        by_urn = by_urn.groupby(level=0).sum()
        table["deficit_places_added_flows"] = table["urn"].map(by_urn).to_numpy(float)
        felt = pd.DataFrame(effects_flows.added.sum(axis=2) > 1e-9)  # (provider rows, terms)
        felt_by_urn = felt.groupby(effects_flows.urn.astype(str)).any()
        first_flows = pd.Series(
            [
                str(result.terms[int(np.argmax(row))]) if row.any() else ""
                for row in felt_by_urn.to_numpy()
            ],
            index=felt_by_urn.index,
        )
        table["first_term_affected_flows"] = (
            table["urn"].map(first_flows).astype(object).fillna("").to_numpy()
        )
    return table[COLUMNS]


def assessment_of(
    area: Assessment | Area | str | Path | None,
    parameters: Parameters | str | Path | None,
    scenario: str | Path | None,
    min_quality: str | None = None,
) -> Assessment:
    """The assessment ``resilience`` and ``plan`` work from: ``area`` itself when it is one,
    else the run of the area (with ``scenario``, a scenario file, when given)."""
    if isinstance(area, Assessment):
        return area
    loaded = as_area(area)
    params = as_parameters(parameters, loaded, min_quality)
    if scenario is None:
        return assess(loaded, params)
    from .scenarios.compare import assess_scenario, load_scenarios

    return assess_scenario(loaded, params, load_scenarios([scenario])[0])


def forecast_position(term: Term | str | None, terms: list[Term]) -> int | None:
    """The position of ``term`` among the forecast terms; an unknown one is an error."""
    if term is None:
        return None
    parsed = term if isinstance(term, Term) else _parse(term)
    if parsed not in terms:
        raise InputError(
            f"--term: {parsed} is not a forecast term",
            value=str(term),
            hint=f"Give one from {terms[0]} to {terms[-1]}",
        )
    return terms.index(parsed)


def _parse(term: str) -> Term:
    try:
        return Term.parse(term)
    except InputError as exc:
        raise InputError(f"--term: {exc.message}", value=term, hint=exc.hint) from None


def _term(at: int | None, terms: list[Term]) -> Term | None:
    return None if at is None else terms[at]


def single_settings(
    providers: ProviderSupply, wards: pd.Index, demand: np.ndarray, names: pd.Series
) -> pd.DataFrame:
    """Wards and age groups with demand where one setting alone offers places in the first
    forecast term."""
    first = providers.places[:, 0, :] if providers.places.shape[1] else providers.places[:, 0:0, 0]
    rows = positions(wards, providers.ward_code)
    offering = (first > 0) & (rows >= 0)[:, None]
    counts = np.zeros((len(wards), len(AGE_GROUPS)), dtype=int)
    np.add.at(counts, rows[rows >= 0], offering[rows >= 0].astype(int))
    out = []
    for w, g in zip(*np.nonzero((counts == 1) & (demand[:, 0, :] > 0)), strict=True):
        j = np.flatnonzero(offering[:, g] & (rows == w))[0]
        out.append(
            {
                "ward_code": wards[w],
                "ward_name": names.get(wards[w], ""),
                "age_group": AGE_GROUPS[g],
                "urn": str(providers.urn[j]),
                "supply_places": first[j, g],
                "demand_places": demand[w, 0, g],
            }
        )
    columns = ["ward_code", "ward_name", "age_group", "urn", "supply_places", "demand_places"]
    return pd.DataFrame(out, columns=columns)


def _places_by_urn(providers: ProviderSupply) -> pd.Series:
    """Each urn's supply places in the first forecast term, all age groups."""
    first = providers.places[:, 0, :].sum(axis=1) if providers.places.shape[1] else 0.0
    return pd.Series(first, index=providers.urn.astype(str)).groupby(level=0).sum()


def _provider_table(
    per_row: pd.DataFrame,
    terms: list[Term],
    names: pd.Series,
    first_forecast: pd.Series,
    single: pd.DataFrame,
    result: Assessment,
) -> pd.DataFrame:
    """One row per urn: the effects over its wards summed, the fragility flags joined."""
    if per_row.empty:
        return pd.DataFrame(columns=COLUMNS)
    grouped = per_row.groupby("urn", sort=True)
    first_index = grouped["first_term_index"].agg(
        lambda s: int(s[s >= 0].min()) if (s >= 0).any() else -1
    )
    table = pd.DataFrame(
        {
            "urn": grouped["ward_code"].first().index,
            "ward_code": grouped["ward_code"].first().to_numpy(),
            "deficit_places_added": grouped["deficit_places_added"].sum().to_numpy(),
            "first_term_affected": [str(terms[i]) if i >= 0 else "" for i in first_index],
            "wards_affected": grouped["affected"]
            .agg(lambda s: "; ".join(x for part in s for x in part))
            .to_numpy(),
        }
    )
    table["ward_name"] = table["ward_code"].map(names).fillna("")
    table["supply_places"] = table["urn"].map(first_forecast).fillna(0.0).to_numpy()
    sole = (
        single.groupby("urn")["age_group"].agg("; ".join)
        if len(single)
        else pd.Series(dtype=object)
    )
    table["sole_setting_for"] = table["urn"].map(sole).astype(object).fillna("")
    thresholds = result.parameters.numbers("fragility")
    flagged = fragility(
        result.return_history,
        result.latest_return,
        low_occupancy=thresholds["low_occupancy"],
        staff_vacancy_rate=thresholds["staff_vacancy_rate"],
    )
    table = table.merge(flagged, on="urn", how="left")
    table["flags"] = table["flags"].fillna("")
    return ranked(table)


def ranked(table: pd.DataFrame) -> pd.DataFrame:
    """Rows by deficit places added (largest first), then urn: the order of resilience.csv."""
    order = table.sort_values(
        ["deficit_places_added", "urn"], ascending=[False, True], kind="stable"
    )
    return order.reset_index(drop=True)


def fragility(
    returns: pd.DataFrame, latest: Term, *, low_occupancy: float, staff_vacancy_rate: float
) -> pd.DataFrame:
    """Per urn, from its latest return as at ``latest`` and the ones before it: occupancy,
    vacancies and their change since the previous return, staff vacancy rate, leavers and
    recruits, Ofsted grade (where a column exists) and the flags they raise.

    ``low_occupancy`` and ``staff_vacancy_rate`` are the thresholds of the ``[fragility]``
    parameters (``data/defaults.toml``): occupancy below the first, a staff vacancy rate at or
    above the second, raise their flags."""
    made = returns[returns["urn"].notna() & (returns["term_index"] <= latest.index)].copy()
    made["urn"] = made["urn"].astype(str)
    made = made.sort_values(["urn", "term_index"], kind="stable")
    made["_places"] = made[PLACES].fillna(0.0).sum(axis=1)
    made["_vacancies"] = made[VACANCIES].sum(axis=1, min_count=1)
    last = made.drop_duplicates("urn", keep="last").set_index("urn")
    previous = made[made.duplicated("urn", keep="last")].drop_duplicates("urn", keep="last")
    previous = previous.set_index("urn")
    children = last[CHILDREN].sum(axis=1, min_count=1)
    places = last["_places"]
    staff = last["staff_total"].fillna(0) + last["staff_vacancies"].fillna(0)
    out = pd.DataFrame(index=last.index)
    out["provider_name"] = last["provider_name"].fillna("").astype(str)
    out["provider_type"] = last["provider_type"].fillna("").astype(str)
    out["occupancy"] = (children / places.where(places > 0)).astype(float)
    out["vacancies"] = last["_vacancies"]
    out["vacancies_change"] = last["_vacancies"] - previous["_vacancies"].reindex(out.index)
    out["staff_vacancy_rate"] = (last["staff_vacancies"] / staff.where(staff > 0)).astype(float)
    out["staff_leavers"] = last["staff_leavers"]
    out["staff_recruits"] = last["staff_recruits"]
    grade = last["ofsted_grade"] if "ofsted_grade" in last.columns else pd.Series(index=last.index)
    out["ofsted_grade"] = grade.astype("string").fillna("")
    earlier = made[made.duplicated("urn", keep="last")]
    closed_before = (
        earlier["status"].isin(["closed", "closing"]).groupby(earlier["urn"]).any()
    ).reindex(out.index, fill_value=False)
    most_before = earlier.groupby("urn")["_places"].max().reindex(out.index)
    fell = places < most_before
    flags = {
        "low occupancy": out["occupancy"] < low_occupancy,
        "vacancies rising": out["vacancies_change"] > 0,
        "staff vacancies": out["staff_vacancy_rate"] >= staff_vacancy_rate,
        "more leavers than recruits": out["staff_leavers"].fillna(0)
        > out["staff_recruits"].fillna(0),
        "closure in history": closed_before,
        "places fell": fell,
        "weak Ofsted grade": out["ofsted_grade"].str.lower().isin(WEAK_OFSTED),
    }
    raised = pd.DataFrame({k: v.fillna(value=False).astype("bool") for k, v in flags.items()})
    out["flags"] = raised.apply(lambda r: "; ".join(k for k, v in r.items() if v), axis=1)
    return out.reset_index(names="urn")


def least_affordable(table: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """The ``n`` settings whose closure alone adds the most deficit places (none that add 0)."""
    return table[table["deficit_places_added"] > 0].head(n)
