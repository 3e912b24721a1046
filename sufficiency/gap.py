"""The gap between places and demand, and the gap table's contract (METHOD.md step 7).

Per ward, term and age group::

    gap_places           = supply_places x utilisation - demand_places
    places_per_100       = 100 x supply_places / children          (empty where no children)
    projected_vacancies  = V + (supply(t) - supply(t0)) - (demand(t) - demand(t0))
    status               = deficit (gap < 0), tight (gap < margin x demand), else sufficient

where t0 is the term of the latest return and V the vacancies it reported (full-time places).
The table's columns, order and sort are those of ../shared/DATA.md ("Output: the gap table").
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .terms import AGE_GROUPS, Term

COLUMNS = [
    "scenario",
    "term",
    "ward_code",
    "ward_name",
    "age_group",
    "children",
    "funded_children",
    "demand_hours",
    "demand_places",
    "supply_places",
    "gap_places",
    "places_per_100",
    "projected_vacancies",
    "status",
]
STATUSES = ("deficit", "tight", "sufficient")


def status(gap_places: np.ndarray, demand_places: np.ndarray, margin: float) -> np.ndarray:
    """``deficit`` below 0, ``tight`` below ``margin x demand``, else ``sufficient``.

    >>> status(np.array([-1.0, 2.0, 10.0]), np.array([100.0, 100.0, 100.0]), 0.05).tolist()
    ['deficit', 'tight', 'sufficient']
    """
    return np.where(
        gap_places < 0,
        "deficit",
        np.where(gap_places < margin * demand_places, "tight", "sufficient"),
    )


def projected_vacancies(
    reported: np.ndarray,
    supply: np.ndarray,
    demand: np.ndarray,
    supply_t0: np.ndarray,
    demand_t0: np.ndarray,
) -> np.ndarray:
    """``V + (supply(t) - supply(t0)) - (demand(t) - demand(t0))``; arrays (wards, terms, 3).

    ``reported``, ``supply_t0`` and ``demand_t0`` are (wards, 3) at the latest return's term.
    """
    return (
        reported[:, None, :] + (supply - supply_t0[:, None, :]) - (demand - demand_t0[:, None, :])
    )


def gap_table(  # noqa: PLR0913 - keyword-only, one array per column
    *,
    scenario: str,
    terms: Sequence[Term],
    wards: pd.DataFrame,
    children: np.ndarray,
    funded_children: np.ndarray,
    demand_hours: np.ndarray,
    supply_places: np.ndarray,
    projected: np.ndarray,
    hours_per_place: float,
    utilisation: float,
    margin: float,
) -> pd.DataFrame:
    """The gap table in the contract's columns and order from (wards, terms, 3) arrays.

    ``wards`` has ``ward_code, ward_name`` in the arrays' ward order.
    """
    n_wards, n_terms, n_groups = children.shape
    # Row order: term (time), ward code, age group. Arrays are (ward, term, group).
    ward_order = np.argsort(wards["ward_code"].to_numpy(dtype=str), kind="stable")

    def flat(array: np.ndarray) -> np.ndarray:
        return array[ward_order].transpose(1, 0, 2).reshape(-1)

    demand_places = demand_hours / hours_per_place
    gap = supply_places * utilisation - demand_places
    with np.errstate(divide="ignore", invalid="ignore"):
        per_100 = np.where(children > 0, 100.0 * supply_places / children, np.nan)
    codes = wards["ward_code"].to_numpy(dtype=object)[ward_order]
    names = wards["ward_name"].to_numpy(dtype=object)[ward_order]
    table = pd.DataFrame(
        {
            "scenario": scenario,
            "term": np.repeat([str(t) for t in terms], n_wards * n_groups),
            "ward_code": np.tile(np.repeat(codes, n_groups), n_terms),
            "ward_name": np.tile(np.repeat(names, n_groups), n_terms),
            "age_group": np.tile(AGE_GROUPS, n_terms * n_wards),
            "children": flat(children),
            "funded_children": flat(funded_children),
            "demand_hours": flat(demand_hours),
            "demand_places": flat(demand_places),
            "supply_places": flat(supply_places),
            "gap_places": flat(gap),
            "places_per_100": flat(per_100),
            "projected_vacancies": flat(projected),
            "status": status(flat(gap), flat(demand_places), margin),
        }
    )
    for column in ["scenario", "term", "ward_code", "ward_name", "age_group", "status"]:
        table[column] = table[column].astype("string")
    return table[COLUMNS]


def sort_gap(table: pd.DataFrame) -> pd.DataFrame:
    """Sort rows by scenario, term (in time), ward code and age group, as the contract says."""
    key = table.assign(
        _term=[Term.parse(t).index for t in table["term"]],
        _group=table["age_group"].map({g: i for i, g in enumerate(AGE_GROUPS)}),
    )
    order = key.sort_values(["scenario", "_term", "ward_code", "_group"], kind="stable").index
    return table.loc[order].reset_index(drop=True)
