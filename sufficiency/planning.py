"""Where new places close the most deficit: a location-allocation integer programme.

Each *unit* is a ward and age group (or, with a candidates file, a candidate site and age group)
that may receive ``x_u`` new places, a whole number. A new place raises its ward's supply from
the first forecast term on, so its gap by ``utilisation`` in every term::

    minimise    sum over wards w, age groups a, terms t of  s[w, a, t]
    subject to  s[w, a, t] >= -(gap[w, a, t] + utilisation x sum of x_u in (w, a)),  s >= 0
                sum of x_u <= places;  sum of cost_u x_u <= budget
                sum of x_u in a ward <= max_per_ward;  sum of x_u at a site <= its capacity

solved by ``scipy.optimize.milp`` (HiGHS) to a zero optimality gap. The optimum is often not
unique; ties are broken in the same solve by a small cost per place worth less than
:data:`TIE_BREAK` (0.01) deficit places in all: among plans whose deficit left is within that
of the least, first the fewest places, then the plan whose places sit earliest in unit order
(ward code, then age group ``under2, 2, 3_4``; candidate sites in file order), i.e. the
smallest ``sum of rank_u x_u``. (Three solves, each keeping the previous optimum, give the same
rule exactly but took 30 s each for an authority with 150 sites across catchments.) The
ranks' weight shrinks with the size of the plan: in a large plan HiGHS's own tolerances
(about 1e-6) may leave two plans equal in deficit and places in either order. The comparison is the
greedy answer: units in order of their ward's deepest deficit (largest first, ties in unit
order), each given as many places as close that deficit, within the limits.

The gap closed is the within-ward one, or (``basis``) the gap across catchments or on the flows
basis. Across catchments a new place at a unit is shared, as in the 2SFCA, by the children
within its catchment in every ward (``catchment.place_shares``: exact, since a new site leaves
the other providers' places per child as they are), so ``x_u`` enters each cell's constraint
with its share there; the programme stays linear.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse

from . import catchment, geography
from . import gap as gap_model
from .area import Area
from .assess import Assessment, RunArea
from .closures import assessment_of, forecast_position
from .errors import InputError
from .parameters import Parameters
from .terms import AGE_GROUPS, Term

COLUMNS = [
    "ward_code",
    "ward_name",
    "site_id",
    "age_group",
    "places_added",
    "deficit_before",
    "deficit_after",
    "greedy_places_added",
    "greedy_deficit_after",
    "easting",
    "northing",
]
"""``plan.csv``: one row per unit that has a deficit or receives places, in unit order;
``easting, northing`` (EPSG:27700) are where the unit's places are (a ward's representative
point, or the candidate site), for the map layer."""

TIE_BREAK = 0.01
"""Deficit places (summed over the terms counted) that the tie-break is worth at most: among
plans within it of the least deficit, the fewest places, then the earliest units, win."""

CANDIDATE_COLUMNS = ["site_id", "ward_code", "age_groups", "capacity", "cost_per_place"]


@dataclass(frozen=True)
class Units:
    """The units that may receive places.

    ``cell[u]`` is the (ward, age group) cell, as ``ward_row * 3 + group``, where unit ``u``'s
    places are; ``group[u]`` a limit group (a ward or a site) with its ``limit``; ``cost[u]``
    the cost of one place there; ``ward_limit`` the most new places in one ward.

    ``effect``, one sparse ``(cells, units)`` matrix per term, says how much of one new place
    at unit ``u`` each cell's children have: ``None`` (the within-ward and flows bases) is 1 in
    the unit's own cell; across catchments it is ``catchment.place_shares``.
    """

    cell: np.ndarray
    group: np.ndarray
    limit: np.ndarray
    cost: np.ndarray
    ward_limit: float = math.inf
    effect: tuple[sparse.csr_array, ...] | None = None

    def effects(self, n_cells: int, n_terms: int) -> list[sparse.csr_array]:
        """One ``(cells, units)`` matrix per term (the own-cell one where ``effect`` is None)."""
        if self.effect is not None:
            return list(self.effect)
        own = sparse.csr_array(
            (np.ones(len(self.cell)), (self.cell, np.arange(len(self.cell)))),
            shape=(n_cells, len(self.cell)),
        )
        return [own] * n_terms


def deficit_left(
    gap_cells: np.ndarray, units: Units, added: np.ndarray, utilisation: float
) -> np.ndarray:
    """Deficit places per cell (summed over the terms of ``gap_cells``, (cells, terms)) with
    ``added[u]`` new places."""
    after = _after(gap_cells, units, added, utilisation)
    deficit: np.ndarray = np.maximum(0.0, -after).sum(axis=1)
    return deficit


def _after(
    gap_cells: np.ndarray, units: Units, added: np.ndarray, utilisation: float
) -> np.ndarray:
    """The gap per cell and term with ``added[u]`` new places."""
    effects = units.effects(*gap_cells.shape)
    extra = np.column_stack([effect @ added.astype(float) for effect in effects])
    after: np.ndarray = gap_cells + utilisation * extra
    return after


def optimal_places(
    gap_cells: np.ndarray,
    units: Units,
    *,
    places: int | None,
    budget: float | None,
    utilisation: float,
) -> np.ndarray:
    """The integer places per unit that leave the least deficit, ties broken as the module
    docstring says. ``gap_cells`` is (cells, terms).

    Examples
    --------
    Deficits 30, 10 and 0, 25 places, at most 20 a ward: 20 + 5, 15 left.

    >>> units = Units(cell=np.arange(3), group=np.arange(3), limit=np.full(3, 20.0),
    ...               cost=np.zeros(3))
    >>> optimal_places(np.array([[-30.0], [-10.0], [0.0]]), units, places=25, budget=None,
    ...                utilisation=1.0).tolist()
    [20, 5, 0]
    """
    from scipy import optimize  # only a plan needs HiGHS: kept out of every start-up

    n_units = len(units.cell)
    short = np.flatnonzero((gap_cells < 0).any(axis=1))
    if n_units == 0 or len(short) == 0:
        return np.zeros(n_units, dtype=int)
    n_terms = gap_cells.shape[1]
    n_slack = len(short) * n_terms
    # Variables: x (units), then s (short cells x terms). Row (c, t) of the cover:
    # -utilisation x effect_t[c, :] x - s[c, t] <= gap[c, t].
    effects = units.effects(*gap_cells.shape)
    useful = np.zeros(n_units, dtype=bool)
    # The most places a unit can use: enough to close, alone, the deepest deficit of every cell
    # it serves; more close nothing more. (Bounding it keeps the tie-break's weight, which
    # shrinks with the most places a plan can add, above the solver's tolerances when far more
    # places are asked for than the deficit needs.)
    need = np.zeros(n_units)
    rows, cols, vals = [], [], []
    for t, effect in enumerate(effects):  # terms: a handful; each a sparse block
        block = sparse.coo_array(effect[short])
        useful[block.coords[1]] = True
        served = block.data > 0
        np.maximum.at(
            need,
            block.coords[1][served],
            -gap_cells[short[block.coords[0][served]], t] / (utilisation * block.data[served]),
        )
        rows += [block.coords[0] * n_terms + t, np.arange(len(short)) * n_terms + t]
        cols += [block.coords[1], n_units + np.arange(len(short)) * n_terms + t]
        vals += [-utilisation * block.data, np.full(len(short), -1.0)]
    cover = sparse.csr_array(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(n_slack, n_units + n_slack),
    )
    upper = gap_cells[short].reshape(-1)
    constraints = [optimize.LinearConstraint(cover, -np.inf, upper)]
    n_groups = int(units.group.max()) + 1
    by_group = sparse.csr_array(
        (np.ones(n_units), (units.group, np.arange(n_units))), shape=(n_groups, n_units + n_slack)
    )
    limit = np.full(n_groups, np.inf)
    np.minimum.at(limit, units.group, units.limit)
    constraints.append(optimize.LinearConstraint(by_group, 0, limit))
    if math.isfinite(units.ward_limit):
        ward = units.cell // 3
        by_ward = sparse.csr_array(
            (np.ones(n_units), (ward, np.arange(n_units))),
            shape=(int(ward.max()) + 1, n_units + n_slack),
        )
        constraints.append(optimize.LinearConstraint(by_ward, 0, units.ward_limit))
    if places is not None:
        total = np.concatenate([np.ones(n_units), np.zeros(n_slack)])
        constraints.append(optimize.LinearConstraint(total[None, :], 0, places))
    if budget is not None:
        spend = np.concatenate([units.cost, np.zeros(n_slack)])
        constraints.append(optimize.LinearConstraint(spend[None, :], 0, budget))
    cap = np.where(useful, np.minimum(units.limit, np.ceil(need - 1e-9)), 0.0)
    if places is not None:
        cap = np.minimum(cap, places)
    bounds = optimize.Bounds(
        np.zeros(n_units + n_slack), np.concatenate([cap, np.full(n_slack, np.inf)])
    )
    integrality = np.concatenate([np.ones(n_units), np.zeros(n_slack)])
    deficit = np.concatenate([np.zeros(n_units), np.ones(n_slack)])
    count = np.concatenate([np.ones(n_units), np.zeros(n_slack)])
    rank = np.concatenate([np.arange(1, n_units + 1, dtype=float), np.zeros(n_slack)])
    # One solve: the deficit, plus a tie-break worth less than TIE_BREAK deficit places in all:
    # (R + 1) per place (fewest places first), then the rank (earliest units), R being the
    # largest rank sum possible. Solved to a zero relative gap.
    most = _most_places(units, cap, places, budget)
    ranks = n_units * most
    weight = TIE_BREAK / (most * (ranks + 1) + ranks + 1)
    objective = deficit + weight * ((ranks + 1) * count + rank)
    solved = optimize.milp(
        objective,
        constraints=constraints,
        integrality=integrality,
        bounds=bounds,
        options={"mip_rel_gap": 0.0},
    )
    if not solved.success:
        raise InputError(f"the plan could not be solved: {solved.message}")
    chosen: np.ndarray = np.rint(solved.x[:n_units]).astype(int)
    return chosen


def _most_places(units: Units, cap: np.ndarray, places: int | None, budget: float | None) -> float:
    """The most places a plan can add: ``places``, what the budget buys at the cheapest unit,
    the units' limits added up; the least of them."""
    most = float(cap.sum())
    if places is not None:
        most = min(most, float(places))
    if budget is not None and (units.cost > 0).any():
        most = min(most, math.floor(budget / float(units.cost[units.cost > 0].min())))
    if not math.isfinite(most):
        raise ValueError("a plan needs a number of places, a budget or finite limits")
    return max(most, 1.0)


def greedy_places(
    gap_cells: np.ndarray,
    units: Units,
    *,
    places: int | None,
    budget: float | None,
    utilisation: float,
) -> np.ndarray:
    """The obvious answer: units by their cell's deepest deficit (largest first, ties in unit
    order), each given the places that close what is left of it, within the limits.

    Across catchments a place at a unit counts in its own cell by its share there (at the term
    of the cell's deepest deficit left), and the places already given, wherever they are, count
    where their catchments reach; within the ward the share is 1.
    """
    effects = units.effects(*gap_cells.shape)
    deepest = np.maximum(0.0, -gap_cells.min(axis=1))
    order = np.argsort(-deepest[units.cell], kind="stable")
    left_places = math.inf if places is None else float(places)
    left_budget = math.inf if budget is None else float(budget)
    group_left = dict.fromkeys(units.group.tolist(), math.inf)
    for u in range(len(units.cell)):
        group_left[int(units.group[u])] = min(group_left[int(units.group[u])], units.limit[u])
    ward_left = dict.fromkeys((units.cell // 3).tolist(), units.ward_limit)
    added = np.zeros(len(units.cell), dtype=int)
    for u in order:  # a ranking, not a model step: a few hundred units at most
        cell, group = int(units.cell[u]), int(units.group[u])
        gap_now = _after(gap_cells[[cell]], _one_cell(units, effects, cell), added, utilisation)
        t = int(np.argmin(gap_now[0]))
        need = max(0.0, -float(gap_now[0, t]))
        own = float(effects[t][[cell]][:, [u]].toarray()[0, 0])
        if need <= 0 or own <= 0:
            continue
        affordable = (  # no budget: costs, known or not, do not limit the places
            math.floor(left_budget / units.cost[u] + 1e-9)
            if budget is not None and units.cost[u] > 0
            else math.inf
        )
        wanted = math.ceil(need / (utilisation * own) - 1e-9)
        ward = cell // 3
        most = min(left_places, group_left[group], ward_left[ward], affordable)
        give = int(min(wanted, most))
        if give <= 0:
            continue
        added[u] = give
        left_places -= give
        left_budget -= give * units.cost[u]
        group_left[group] -= give
        ward_left[ward] -= give
    return added


def _one_cell(units: Units, effects: list[sparse.csr_array], cell: int) -> Units:
    """``units`` with their effects on one cell only (as row 0)."""
    return Units(
        cell=np.zeros(len(units.cell), dtype=int),
        group=units.group,
        limit=units.limit,
        cost=units.cost,
        ward_limit=units.ward_limit,
        effect=tuple(sparse.csr_array(effect[[cell]]) for effect in effects),
    )


@dataclass
class Plan:
    """The result of :func:`plan`: ``table`` is ``plan.csv`` (:data:`COLUMNS`).

    ``deficit_before``, ``deficit_left`` and ``greedy_left`` are deficit places on ``basis``
    summed over every ward, the chosen age groups and the terms counted (wards without a
    candidate site included); ``places_added`` and ``greedy_places_added`` the places each
    plan adds.
    """

    table: pd.DataFrame
    deficit_before: float
    deficit_left: float
    greedy_left: float
    places_added: int
    greedy_places_added: int
    assessment: Assessment
    term: Term | None
    basis: str = "ward"
    places_asked: int | None = None
    """``places`` as asked for (``None`` when only a budget bounds them)."""
    ward_deficit_before: float | None = None
    """Off the ``ward`` basis: the within-ward deficit (the run's headline ``gap_places``) of
    the same wards, age groups and terms, before the plan..."""
    ward_deficit_after: float | None = None
    """... and after the optimum's places, each counted in its own ward and age group."""

    @property
    def places_not_needed(self) -> int | None:
        """Of the places asked for, how many the optimum did not need (it adds no place that
        does not close deficit on ``basis``)."""
        if self.places_asked is None:
            return None
        return max(self.places_asked - self.places_added, 0)


BASIS_WORDS = {
    "ward": "within each ward (the run's headline gap)",
    "catchment": "across catchments (a new place serves the children within its catchment, "
    "in any ward)",
    "flows": "where children attend (flows.csv)",
}
"""Each basis of :data:`BASES` in words, for the terminal summary."""


BASES = ("ward", "catchment", "flows")
"""The gap a plan closes: within the ward (``gap_places``), across catchments (the 2SFCA's
accessible places, ``catchment.place_shares``) or where children attend (``gap_places_flows``)."""


def plan(  # noqa: PLR0913 - the command's options, keyword-only
    area: Assessment | Area | str | Path | None = None,
    parameters: Parameters | str | Path | None = None,
    *,
    places: int | None = None,
    age_groups: Sequence[str] = (),
    term: Term | str | None = None,
    candidates: str | Path | None = None,
    max_per_ward: int | None = None,
    cost_per_place: float | None = None,
    budget: float | None = None,
    scenario: str | Path | None = None,
    basis: str | None = None,
    min_quality: str | None = None,
) -> Plan:
    """Where ``places`` new places (or ``budget``) close the most deficit.

    Parameters
    ----------
    area, parameters, scenario, min_quality
        As :func:`sufficiency.resilience` takes them.
    places
        New places to place (at most); ``budget`` with a cost per place bounds them too.
    age_groups
        The age groups to place (default: all three).
    term
        Count the deficit at this forecast term only (default: summed over all).
    candidates
        A CSV of candidate sites (:func:`read_candidates`); default: any ward.
    max_per_ward
        At most this many new places in one ward (all age groups together).
    cost_per_place, budget
        Cost of one place (a site's own ``cost_per_place`` wins) and the budget.
    basis
        One of :data:`BASES`. Default: ``catchment`` where the assessment has accessibility
        on, else ``ward``. Across catchments a new place at a site (or at a ward's
        representative point) serves the children within its catchment, in any ward.
    """
    _check_limits(places, max_per_ward, cost_per_place, budget)
    groups = _age_groups(age_groups)
    result = assessment_of(area, parameters, scenario, min_quality)
    basis = _basis(basis, result)
    terms = result.terms
    at = forecast_position(term, terms)
    wards = result.place.ward_codes
    gap_cube = _gap_cube(result, basis)
    chosen_terms = list(range(len(terms))) if at is None else [at]
    gap_cube = gap_cube[:, chosen_terms]
    # Cells: ward_row * 3 + group; gap (cells, terms); age groups not chosen cannot take places.
    gap_cells = gap_cube.transpose(0, 2, 1).reshape(len(wards) * len(AGE_GROUPS), -1)
    if candidates is None:
        units, sites, xy = _ward_units(result.place, groups, max_per_ward, cost_per_place or 0.0)
    else:
        candidate_sites = read_candidates(candidates, result.place)
        units, sites, xy = _site_units(candidate_sites, groups, max_per_ward, cost_per_place)
        if budget is not None:
            _refuse_uncosted_sites(candidate_sites, units, Path(candidates))
    if basis == "catchment":
        units = replace(units, effect=_catchment_effects(result, units, xy, chosen_terms))
    if budget is not None and not (units.cost > 0).all():
        raise InputError(
            "--budget needs a cost per place",
            hint="Give --cost-per-place, or a cost_per_place for every candidate site",
        )
    utilisation = result.parameters.utilisation
    best = optimal_places(gap_cells, units, places=places, budget=budget, utilisation=utilisation)
    greedy = greedy_places(gap_cells, units, places=places, budget=budget, utilisation=utilisation)
    before = deficit_left(gap_cells, units, np.zeros(len(units.cell)), utilisation)
    after = deficit_left(gap_cells, units, best, utilisation)
    greedy_after = deficit_left(gap_cells, units, greedy, utilisation)
    names = result.place.wards.set_index("ward_code")["ward_name"]
    ward_of = wards.to_numpy(dtype=object)[units.cell // 3]
    table = pd.DataFrame(
        {
            "ward_code": ward_of,
            "ward_name": pd.Series(ward_of).map(names).fillna("").to_numpy(),
            "site_id": sites,
            "age_group": np.asarray(AGE_GROUPS)[units.cell % 3],
            "places_added": best,
            "deficit_before": before[units.cell],
            "deficit_after": after[units.cell],
            "greedy_places_added": greedy,
            "greedy_deficit_after": greedy_after[units.cell],
            "easting": xy[:, 0],
            "northing": xy[:, 1],
        }
    )
    table = table[(table["deficit_before"] > 0) | (table["places_added"] > 0)]
    counted = np.flatnonzero(np.isin(np.arange(len(gap_cells)) % 3, groups))
    ward_before = ward_after = None
    if basis != "ward":
        # The same places on the run's headline basis: each in its own ward and age group.
        ward_cells = (
            _gap_cube(result, "ward")[:, chosen_terms]
            .transpose(0, 2, 1)
            .reshape(len(wards) * len(AGE_GROUPS), -1)
        )
        own = replace(units, effect=None)
        zero = np.zeros(len(units.cell))
        ward_before = float(deficit_left(ward_cells, own, zero, utilisation)[counted].sum())
        ward_after = float(deficit_left(ward_cells, own, best, utilisation)[counted].sum())
    return Plan(
        table=table[COLUMNS].reset_index(drop=True),
        deficit_before=float(before[counted].sum()),
        deficit_left=float(after[counted].sum()),
        greedy_left=float(greedy_after[counted].sum()),
        places_added=int(best.sum()),
        greedy_places_added=int(greedy.sum()),
        assessment=result,
        term=None if at is None else terms[at],
        basis=basis,
        places_asked=places,
        ward_deficit_before=ward_before,
        ward_deficit_after=ward_after,
    )


def _basis(basis: str | None, result: Assessment) -> str:
    has_access = result.accessible_places is not None
    has_flows = result.gap_places_flows is not None
    if basis is None:
        return "catchment" if has_access else "ward"
    if basis not in BASES:
        raise InputError("--basis: unknown basis", value=basis, hint="Use " + ", ".join(BASES))
    if basis == "catchment" and not has_access:
        raise InputError(
            "--basis catchment needs accessibility, which this assessment has off",
            hint="Assess with accessibility on, or use --basis ward",
        )
    if basis == "flows" and not has_flows:
        raise InputError(
            "--basis flows needs a flow matrix: the area has no flows.csv",
            hint="Add flows.csv to the area (home_ward_code, setting_ward_code, share)",
        )
    return basis


def _gap_cube(result: Assessment, basis: str) -> np.ndarray:
    """The gap a plan closes, (wards, terms, 3): ``gap.gap`` of the supply (or, across
    catchments, the accessible places) and the demand, or the flows gap of the assessment."""
    utilisation = result.parameters.utilisation
    if basis == "flows":
        if result.gap_places_flows is None:
            raise InputError("the assessment carries no gap on the flows basis")
        return result.gap_places_flows
    if basis == "catchment":
        if result.accessible_places is None:
            raise InputError("the assessment carries no accessible places")
        return gap_model.gap(result.accessible_places, result.demand_places, utilisation)
    return gap_model.gap(result.supply_places, result.demand_places, utilisation)


def _catchment_effects(
    result: Assessment, units: Units, xy: np.ndarray, chosen_terms: list[int]
) -> tuple[sparse.csr_array, ...]:
    """Per chosen term, the ``(cells, units)`` share of one new place at each unit that each
    cell's children have (``catchment.place_shares`` at the units' locations)."""
    wards = result.place.ward_codes
    shares = catchment.place_shares(
        result.place.wards,
        result.terms,
        result.children,
        xy,
        catchment.CatchmentSettings.from_values(result.parameters.section("catchment")),
        small_areas=result.place.small_areas,
    )
    group = units.cell % 3
    n_cells = len(wards) * len(AGE_GROUPS)
    out = []
    for t in chosen_terms:
        rows, cols, vals = [], [], []
        for g, name in enumerate(AGE_GROUPS):
            mine = np.flatnonzero(group == g)
            block = sparse.coo_array(shares[name][t][:, mine])
            rows.append(block.coords[0] * 3 + g)
            cols.append(mine[block.coords[1]])
            vals.append(block.data)
        out.append(
            sparse.csr_array(
                (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                shape=(n_cells, len(units.cell)),
            )
        )
    return tuple(out)


def _check_limits(
    places: int | None,
    max_per_ward: int | None,
    cost_per_place: float | None,
    budget: float | None,
) -> None:
    if places is None and budget is None:
        raise InputError("give --places, or --budget with --cost-per-place")
    for name, value in [
        ("--places", places),
        ("--max-per-ward", max_per_ward),
        ("--cost-per-place", cost_per_place),
        ("--budget", budget),
    ]:
        if value is not None and not value >= 0:
            raise InputError(f"{name} must be 0 or more", value=value)
        if value is not None and not math.isfinite(value):
            raise InputError(f"{name} must be a finite number", value=value)
    if budget is not None and cost_per_place == 0:
        raise InputError(
            "--cost-per-place must be more than 0 with --budget",
            value=cost_per_place,
            hint="Give the cost of one new place, or drop --budget",
        )


def _refuse_uncosted_sites(sites: pd.DataFrame, units: Units, path: Path) -> None:
    """With ``--budget``, the first candidate site in the plan without a cost more than 0 (a
    blank ``cost_per_place`` and no ``--cost-per-place``, or a cost of 0) is an
    :class:`InputError` naming its row and column: the budget cannot price its places."""
    priced = units.cost > 0
    if priced.all():
        return
    site = int(units.group[np.flatnonzero(~priced)[0]])
    own = float(sites["cost_per_place"].iloc[site])
    if math.isnan(own):
        raise InputError(
            "the site has no cost per place, and --budget needs one for every site",
            file=path,
            row=site + 2,
            column="cost_per_place",
            hint="Give the site's cost_per_place, or --cost-per-place for the sites without "
            "one, or drop --budget",
        )
    raise InputError(
        "--budget needs a cost per place more than 0",
        file=path,
        row=site + 2,
        column="cost_per_place",
        value=own,
        hint="Give the site's cost_per_place, or drop --budget",
    )


def _age_groups(age_groups: Sequence[str]) -> list[int]:
    for group in age_groups:
        if group not in AGE_GROUPS:
            raise InputError(
                "--age-group: unknown age group",
                value=group,
                hint="Use " + ", ".join(AGE_GROUPS),
            )
    return [g for g, name in enumerate(AGE_GROUPS) if not age_groups or name in age_groups]


def _ward_units(
    area: RunArea, groups: list[int], max_per_ward: int | None, cost: float
) -> tuple[Units, np.ndarray, np.ndarray]:
    """One unit per ward and age group, at the ward's representative point."""
    n_wards = len(area.ward_codes)
    ward_row = np.repeat(np.arange(n_wards), len(groups))
    group = np.tile(np.asarray(groups, dtype=int), n_wards)
    n = len(ward_row)
    units = Units(
        cell=ward_row * 3 + group,
        group=ward_row,
        limit=np.full(n, np.inf if max_per_ward is None else float(max_per_ward)),
        cost=np.full(n, cost),
    )
    point = area.wards.geometry.representative_point()
    xy = np.column_stack([point.x.to_numpy(), point.y.to_numpy()])[ward_row]
    return units, np.full(n, "", dtype=object), xy.reshape(-1, 2)


def _site_units(
    sites: pd.DataFrame, groups: list[int], max_per_ward: int | None, cost: float | None
) -> tuple[Units, np.ndarray, np.ndarray]:
    """One unit per site and age group it offers (among ``groups``); limit groups are sites
    (their capacity), with ``max_per_ward`` as a further limit by ward."""
    cells: list[int] = []
    site_of: list[int] = []
    for i, site in enumerate(sites.to_dict("records")):  # a few hundred sites
        offered = [AGE_GROUPS.index(g) for g in site["age_groups"]] or list(range(3))
        for g in offered:
            if g in groups:
                cells.append(int(site["ward_row"]) * 3 + g)
                site_of.append(i)
    site_index = np.asarray(site_of, dtype=int)
    capacity = sites["capacity"].to_numpy(float)[site_index] if len(site_index) else np.zeros(0)
    own_cost = sites["cost_per_place"].to_numpy(float)[site_index] if len(site_index) else []
    unit_cost = np.where(np.isnan(own_cost), np.nan if cost is None else cost, own_cost)
    units = Units(
        cell=np.asarray(cells, dtype=int),
        group=site_index,
        limit=capacity,
        cost=np.nan_to_num(unit_cost, nan=0.0),
        ward_limit=math.inf if max_per_ward is None else float(max_per_ward),
    )
    xy = sites[["easting", "northing"]].to_numpy(float)[site_index].reshape(-1, 2)
    return units, sites["site_id"].to_numpy(dtype=object)[site_index], xy


LOCATION_COLUMNS = ("ward_code", "easting", "northing", "latitude", "longitude", "postcode")


def read_candidates(path: str | Path, area: Area | RunArea) -> pd.DataFrame:
    """Candidate sites: ``site_id, capacity``, a location, ``age_groups``, ``cost_per_place``.

    The location is a ``ward_code`` of the area, or ``easting, northing`` (EPSG:27700), or
    ``latitude, longitude``, or a ``postcode`` (with the area's ``postcodes.csv``): the site is
    placed in a ward by ``geography.locate``, the step that places providers (point in polygon;
    a ward code given wins over coordinates). ``age_groups`` lists age groups separated by
    ``;`` (blank: all three). Each bad row is an :class:`InputError` naming the file, row
    (header is row 1) and column; a site outside every ward is one.

    Returns ``site_id, ward_row, age_groups, capacity, cost_per_place, easting, northing``.
    """
    path = Path(path)
    wards = pd.Index(area.ward_codes)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise InputError("candidates file not found", file=path) from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputError(f"not a readable CSV ({exc})", file=path) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    for column in ["site_id", "capacity"]:
        if column not in frame.columns:
            raise InputError(f"missing column {column!r}", file=path, column=column)
    _refuse_repeated_sites(frame, path)
    located = _locate_sites(frame, path, area)
    out = []
    for i, row in enumerate(frame.to_dict("records")):
        at = (path, i + 2)
        capacity = _number(row["capacity"], "capacity", at)
        cost = str(row.get("cost_per_place", "")).strip()
        groups = [g.strip() for g in str(row.get("age_groups", "")).split(";") if g.strip()]
        for group in groups:
            if group not in AGE_GROUPS:
                raise InputError(
                    "unknown age group",
                    column="age_groups",
                    value=group,
                    hint="Use " + ", ".join(AGE_GROUPS),
                    file=path,
                    row=i + 2,
                )
        out.append(
            {
                "site_id": str(row["site_id"]),
                "ward_row": int(wards.get_indexer(pd.Index([located["ward_code"].iloc[i]]))[0]),
                "age_groups": groups,
                "capacity": capacity,
                "cost_per_place": _number(cost, "cost_per_place", at) if cost else np.nan,
                "easting": float(located["easting"].iloc[i]),
                "northing": float(located["northing"].iloc[i]),
            }
        )
    columns = ["site_id", "ward_row", "age_groups", "capacity", "cost_per_place"]
    return pd.DataFrame(out, columns=[*columns, "easting", "northing"])


def _refuse_repeated_sites(frame: pd.DataFrame, path: Path) -> None:
    """A ``site_id`` given twice (or more) is an :class:`InputError` naming its rows."""
    ids = frame["site_id"].astype(str).str.strip()
    repeated = ids[ids.duplicated(keep=False)]
    if repeated.empty:
        return
    first = repeated.iloc[0]
    rows = [int(i) + 2 for i in ids.index[ids == first]]
    others = repeated.nunique() - 1
    raise InputError(
        f"site_id {first!r} is given on rows {', '.join(map(str, rows))}"
        + (f" ({others} other site_id(s) repeated too)" if others else ""),
        file=path,
        row=rows[1],
        column="site_id",
        hint="Give each candidate site one row with its own site_id",
    )


def _locate_sites(frame: pd.DataFrame, path: Path, area: Area | RunArea) -> pd.DataFrame:
    """The candidates placed in wards (``geography.locate``); a site outside every ward, or
    with no location, is an :class:`InputError` naming its row and column."""
    wards = pd.Index(area.ward_codes)
    has = set(frame.columns)
    if not (
        "ward_code" in has
        or {"easting", "northing"} <= has
        or {"latitude", "longitude"} <= has
        or "postcode" in has
    ):
        raise InputError(
            "missing column 'ward_code'",
            file=path,
            column="ward_code",
            hint="Give each site a ward_code, or easting and northing, or latitude and "
            "longitude, or a postcode",
        )
    where = frame[[c for c in LOCATION_COLUMNS if c in has]].apply(lambda c: c.str.strip())
    where = where.replace("", np.nan)
    for i, code in enumerate(where.get("ward_code", pd.Series(dtype=object))):
        if isinstance(code, str) and code not in wards:
            raise InputError(
                "ward code is not one of the area's wards",
                column="ward_code",
                value=code,
                file=path,
                row=i + 2,
            )
    if area.postcodes is None and "postcode" in has:
        only = where["postcode"].notna()
        for column in ("ward_code", "easting", "latitude"):
            if column in has:
                only &= where[column].isna()
        if only.any():
            i = int(np.flatnonzero(only.to_numpy())[0])
            raise InputError(
                "the site has a postcode but no coordinates or ward code, and the area has no "
                "postcode lookup (postcodes.csv)",
                column="postcode",
                value=where["postcode"].iloc[i],
                file=path,
                row=i + 2,
                hint=geography.LOOKUP_HINT,
            )
    located = geography.locate(where, area.wards, area.postcodes, file=path)
    unlocated = np.flatnonzero((located["located_by"] == "unlocated").to_numpy())
    if len(unlocated):
        i = int(unlocated[0])
        given = [c for c in LOCATION_COLUMNS if c in has and pd.notna(where[c].iloc[i])]
        if not given:
            raise InputError(
                "the site has no location",
                column="ward_code",
                file=path,
                row=i + 2,
                hint="Give a ward_code, or easting and northing, or latitude and longitude, "
                "or a postcode",
            )
        raise InputError(
            "the site is not in any of the area's wards",
            column=given[0],
            value=where[given[0]].iloc[i],
            file=path,
            row=i + 2,
            hint="Give coordinates or a postcode inside the area's wards, or a ward_code",
        )
    return located


def _number(text: object, column: str, where: tuple[Path, int]) -> float:
    try:
        value = float(str(text))
    except ValueError:
        raise InputError(
            "not a number", column=column, value=text, file=where[0], row=where[1]
        ) from None
    if not value >= 0:
        raise InputError(
            "must be 0 or more", column=column, value=text, file=where[0], row=where[1]
        )
    if not math.isfinite(value):
        raise InputError(
            "must be a finite number", column=column, value=text, file=where[0], row=where[1]
        )
    return value
