"""Where new places close the most deficit: a location-allocation integer programme.

Each *unit* is a ward and age group (or, with a candidates file, a candidate site and age group)
that may receive ``x_u`` new places, a whole number. A new place raises its ward's supply from
the first forecast term on, so its gap by ``utilisation`` in every term::

    minimise    sum over wards w, age groups a, terms t of  s[w, a, t]
    subject to  s[w, a, t] >= -(gap[w, a, t] + utilisation x sum of x_u in (w, a)),  s >= 0
                sum of x_u <= places;  sum of cost_u x_u <= budget
                sum of x_u in a ward <= max_per_ward;  sum of x_u at a site <= its capacity

solved exactly by ``scipy.optimize.milp`` (HiGHS). The optimum is often not unique; ties are
broken in two more solves, keeping the least deficit left: first the fewest places, then the
plan whose places sit earliest in unit order (ward code, then age group ``under2, 2, 3_4``;
candidate sites in file order), i.e. the smallest ``sum of rank_u x_u``. The comparison is the
greedy answer: units in order of their ward's deepest deficit (largest first, ties in unit
order), each given as many places as close that deficit, within the limits.

Within the ward only: the cross-boundary measures (accessibility, flows) are not yet followed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse

from . import gap as gap_model
from .area import Area
from .assess import Assessment
from .closures import _assessment, _forecast_term, cube
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
]
"""``plan.csv``: one row per unit that has a deficit or receives places, in unit order."""

CANDIDATE_COLUMNS = ["site_id", "ward_code", "age_groups", "capacity", "cost_per_place"]


@dataclass(frozen=True)
class Units:
    """The units that may receive places.

    ``cell[u]`` is the (ward, age group) cell, as ``ward_row * 3 + group``, whose gap unit
    ``u`` raises; ``group[u]`` a limit group (a ward or a site) with its ``limit``; ``cost[u]``
    the cost of one place there; ``ward_limit`` the most new places in one ward.
    """

    cell: np.ndarray
    group: np.ndarray
    limit: np.ndarray
    cost: np.ndarray
    ward_limit: float = math.inf


def deficit_left(
    gap_cells: np.ndarray, units: Units, added: np.ndarray, utilisation: float
) -> np.ndarray:
    """Deficit places per cell (summed over the terms of ``gap_cells``, (cells, terms)) with
    ``added[u]`` new places."""
    extra = np.zeros(len(gap_cells))
    np.add.at(extra, units.cell, added)
    after = gap_cells + utilisation * extra[:, None]
    deficit: np.ndarray = np.maximum(0.0, -after).sum(axis=1)
    return deficit


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
    # Variables: x (units), then s (short cells x terms).
    position = np.full(len(gap_cells), -1)
    position[short] = np.arange(len(short))
    useful = position[units.cell] >= 0
    rows, cols, vals = [], [], []
    for t in range(n_terms):  # terms: a handful; the rows are built as arrays
        u = np.flatnonzero(useful)
        rows += [position[units.cell[u]] * n_terms + t, np.arange(len(short)) * n_terms + t]
        cols += [u, n_units + np.arange(len(short)) * n_terms + t]
        vals += [np.full(len(u), -utilisation), np.full(len(short), -1.0)]
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
    cap = np.where(useful, units.limit, 0.0)
    if places is not None:
        cap = np.minimum(cap, places)
    bounds = optimize.Bounds(
        np.zeros(n_units + n_slack), np.concatenate([cap, np.full(n_slack, np.inf)])
    )
    integrality = np.concatenate([np.ones(n_units), np.zeros(n_slack)])
    deficit = np.concatenate([np.zeros(n_units), np.ones(n_slack)])
    count = np.concatenate([np.ones(n_units), np.zeros(n_slack)])
    rank = np.concatenate([np.arange(1, n_units + 1, dtype=float), np.zeros(n_slack)])
    # Three solves, each keeping the previous optimum: least deficit, fewest places, earliest.
    for objective in (deficit, count, rank):
        solved = optimize.milp(
            objective, constraints=constraints, integrality=integrality, bounds=bounds
        )
        if not solved.success:
            raise InputError(f"the plan could not be solved: {solved.message}")
        best = float(objective @ solved.x)
        constraints.append(optimize.LinearConstraint(objective[None, :], -np.inf, best + 1e-6))
    chosen: np.ndarray = np.rint(solved.x[:n_units]).astype(int)
    return chosen


def greedy_places(
    gap_cells: np.ndarray,
    units: Units,
    *,
    places: int | None,
    budget: float | None,
    utilisation: float,
) -> np.ndarray:
    """The obvious answer: units by their cell's deepest deficit (largest first, ties in unit
    order), each given the places that close it, within the limits."""
    deepest = np.maximum(0.0, -gap_cells.min(axis=1))
    order = np.argsort(-deepest[units.cell], kind="stable")
    left_places = math.inf if places is None else float(places)
    left_budget = math.inf if budget is None else float(budget)
    group_left = dict.fromkeys(units.group.tolist(), math.inf)
    for u in range(len(units.cell)):
        group_left[int(units.group[u])] = min(group_left[int(units.group[u])], units.limit[u])
    ward_left = dict.fromkeys((units.cell // 3).tolist(), units.ward_limit)
    need = deepest.copy()
    added = np.zeros(len(units.cell), dtype=int)
    for u in order:  # a ranking, not a model step: a few hundred units at most
        cell, group = int(units.cell[u]), int(units.group[u])
        affordable = (
            math.floor(left_budget / units.cost[u] + 1e-9) if units.cost[u] > 0 else math.inf
        )
        wanted = math.ceil(need[cell] / utilisation - 1e-9) if need[cell] > 0 else 0
        ward = cell // 3
        most = min(left_places, group_left[group], ward_left[ward], affordable)
        give = int(min(wanted, most))
        if give <= 0:
            continue
        added[u] = give
        need[cell] -= give * utilisation
        left_places -= give
        left_budget -= give * units.cost[u]
        group_left[group] -= give
        ward_left[ward] -= give
    return added


@dataclass
class Plan:
    """The result of :func:`plan`: ``table`` is ``plan.csv`` (:data:`COLUMNS`)."""

    table: pd.DataFrame
    deficit_before: float
    deficit_left: float
    greedy_left: float
    places_added: int
    greedy_places_added: int
    assessment: Assessment
    term: Term | None


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
) -> Plan:
    """Where ``places`` new places (or ``budget``) close the most deficit.

    Parameters
    ----------
    area, parameters, scenario
        As :func:`sufficiency.resilience` takes them.
    places
        New places to place (at most); ``budget`` with a cost per place bounds them too.
    age_groups
        The age groups to place (default: all three).
    term
        Count the deficit at this forecast term only (default: summed over all).
    candidates
        A CSV of candidate sites (:data:`CANDIDATE_COLUMNS`); default: any ward.
    max_per_ward
        At most this many new places in one ward (all age groups together).
    cost_per_place, budget
        Cost of one place (a site's own ``cost_per_place`` wins) and the budget.
    """
    _check_limits(places, max_per_ward, cost_per_place, budget)
    groups = _age_groups(age_groups)
    result = _assessment(area, parameters, scenario)
    terms = result.terms
    at = _forecast_term(term, terms)
    wards = pd.Index(result.area.ward_codes)
    gap_cube = gap_model.gap(
        result.supply_places,
        cube(result.gap, "demand_places", wards, terms),
        result.parameters.utilisation,
    )
    if at is not None:
        gap_cube = gap_cube[:, [at]]
    # Cells: ward_row * 3 + group; gap (cells, terms); age groups not chosen cannot take places.
    gap_cells = gap_cube.transpose(0, 2, 1).reshape(len(wards) * len(AGE_GROUPS), -1)
    if candidates is None:
        units, sites = _ward_units(wards, groups, max_per_ward, cost_per_place or 0.0)
    else:
        units, sites = _site_units(
            read_candidates(candidates, wards), groups, max_per_ward, cost_per_place
        )
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
    names = result.area.wards.set_index("ward_code")["ward_name"]
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
        }
    )
    table = table[(table["deficit_before"] > 0) | (table["places_added"] > 0)]
    return Plan(
        table=table[COLUMNS].reset_index(drop=True),
        deficit_before=float(before[np.unique(units.cell)].sum()),
        deficit_left=float(after[np.unique(units.cell)].sum()),
        greedy_left=float(greedy_after[np.unique(units.cell)].sum()),
        places_added=int(best.sum()),
        greedy_places_added=int(greedy.sum()),
        assessment=result,
        term=None if at is None else terms[at],
    )


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
    wards: pd.Index, groups: list[int], max_per_ward: int | None, cost: float
) -> tuple[Units, np.ndarray]:
    ward_row = np.repeat(np.arange(len(wards)), len(groups))
    group = np.tile(np.asarray(groups, dtype=int), len(wards))
    n = len(ward_row)
    units = Units(
        cell=ward_row * 3 + group,
        group=ward_row,
        limit=np.full(n, np.inf if max_per_ward is None else float(max_per_ward)),
        cost=np.full(n, cost),
    )
    return units, np.full(n, "", dtype=object)


def _site_units(
    sites: pd.DataFrame, groups: list[int], max_per_ward: int | None, cost: float | None
) -> tuple[Units, np.ndarray]:
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
    return units, sites["site_id"].to_numpy(dtype=object)[site_index]


def read_candidates(path: str | Path, wards: pd.Index) -> pd.DataFrame:
    """Candidate sites: ``site_id, ward_code, age_groups, capacity[, cost_per_place]``.

    ``age_groups`` lists age groups separated by ``;`` (blank: all three). Each bad row is an
    :class:`InputError` naming the file, row (header is row 1) and column.
    """
    path = Path(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise InputError("candidates file not found", file=path) from None
    for column in ["site_id", "ward_code", "capacity"]:
        if column not in frame.columns:
            raise InputError(f"missing column {column!r}", file=path, column=column)
    out = []
    for i, row in enumerate(frame.to_dict("records")):
        where = (path, i + 2)
        ward = str(row["ward_code"]).strip()
        if ward not in wards:
            raise InputError(
                "ward code is not one of the area's wards",
                column="ward_code",
                value=ward,
                file=path,
                row=i + 2,
            )
        capacity = _number(row["capacity"], "capacity", where)
        cost = row.get("cost_per_place", "")
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
                "ward_row": int(wards.get_indexer(pd.Index([ward]))[0]),
                "age_groups": groups,
                "capacity": capacity,
                "cost_per_place": _number(cost, "cost_per_place", where) if cost else np.nan,
            }
        )
    return pd.DataFrame(
        out, columns=["site_id", "ward_row", "age_groups", "capacity", "cost_per_place"]
    )


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
    return value
