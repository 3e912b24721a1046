"""Demand allocated to the wards where children attend, by a flow matrix (METHOD.md step 8).

An LA that knows where its funded children live and where they attend (the early years census
gives both) can write ``flows.csv``: ``home_ward_code, setting_ward_code, share``, the share of
a home ward's children who attend settings in each ward; a home ward's shares add up to 1. Then
demand is counted where it is met, not where it lives::

    demand_flows[s, t, g] = Σ_h share(h -> s) x demand[h, t, g]

a sparse matrix product over wards. A ward that is not a home ward in the file keeps its own
demand (share 1 to itself), so the total demand of the area never changes. The gap on this
basis sits beside the strict within-ward gap: ``gap_places_flows = supply_places x utilisation
- demand_places_flows``, with its own status by the same rule.

Choices and what is left out: one matrix for every age group and term (the census gives one
year; a matrix by age group would be a column more); flows are shares of children, applied to
demand places, so a ward's children are taken to want the same hours wherever they attend;
children who attend outside the area cannot be given (every code must be one of the area's
wards), so fold them into their home ward, or add the neighbouring wards to the area.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import sparse

from ._lookup import positions
from .gap import Coded, gap, long_table, status_codes
from .terms import Term

__all__ = [
    "COLUMNS",
    "allocate",
    "flow_columns",
    "flow_gap",
    "flow_matrix",
]

COLUMNS = ["demand_places_flows", "gap_places_flows", "status_flows"]
"""The columns :func:`flow_columns` adds, after the keys ``term, ward_code, age_group``."""


def flow_matrix(flows: pd.DataFrame, wards: pd.Index) -> sparse.csr_array:
    """The ``(wards, wards)`` matrix of shares, home ward (row) to setting ward (column).

    A ward that is not a home ward in ``flows`` keeps all its children (1 on the diagonal),
    so every row adds up to 1.

    Examples
    --------
    >>> flows = pd.DataFrame({"home_ward_code": ["A"], "setting_ward_code": ["B"], "share": [1.0]})
    >>> flow_matrix(flows, pd.Index(["A", "B"])).toarray()
    array([[0., 1.],
           [0., 1.]])
    """
    wards = pd.Index(wards)
    home = positions(wards, flows["home_ward_code"])
    setting = positions(wards, flows["setting_ward_code"])
    if (home < 0).any() or (setting < 0).any():
        raise ValueError("flows name wards that are not among the wards given: check_flows first")
    stay = np.setdiff1d(np.arange(len(wards)), home)
    return sparse.coo_array(
        (
            np.concatenate([flows["share"].to_numpy(float), np.ones(len(stay))]),
            (np.concatenate([home, stay]), np.concatenate([setting, stay])),
        ),
        shape=(len(wards), len(wards)),
    ).tocsr()


def allocate(demand: np.ndarray, flows: pd.DataFrame, wards: pd.Index) -> np.ndarray:
    """Demand by the ward where it is met: ``demand_flows[s] = Σ_h share(h -> s) x demand[h]``.

    Parameters
    ----------
    demand
        Demand by home ward along the first axis, any shape after it (``(wards, terms, 3)``).
    flows
        A checked flow table (:func:`check_flows`).
    wards
        The ward codes of ``demand``'s first axis.

    Examples
    --------
    Ward A sends a quarter of its 40 places' demand to B; B keeps its own 10:

    >>> flows = pd.DataFrame({"home_ward_code": ["A", "A"], "setting_ward_code": ["A", "B"],
    ...                       "share": [0.75, 0.25]})
    >>> allocate(np.array([40.0, 10.0]), flows, pd.Index(["A", "B"]))
    array([30., 20.])
    """
    demand = np.asarray(demand, dtype=float)
    if demand.shape[0] != len(wards):
        raise ValueError(f"demand has {demand.shape[0]} wards, the flows {len(wards)}")
    matrix = flow_matrix(flows, pd.Index(wards))
    flat = demand.reshape(len(wards), -1)
    return np.asarray(matrix.T @ flat).reshape(demand.shape)


def flow_gap(
    *,
    wards: pd.Index,
    demand_places: np.ndarray,
    supply_places: np.ndarray,
    flows: pd.DataFrame,
    utilisation: float,
    margin: float,
    tolerance: float = 0.0,
) -> dict[str, np.ndarray | Coded]:
    """The gap on the flows basis, :data:`COLUMNS` as (wards, terms, 3) arrays.

    ``demand_places`` and ``supply_places`` are ``(wards, terms, 3)`` as in the gap table (by
    home ward and by the providers' ward): ``demand_places_flows`` (:func:`allocate`),
    ``gap_places_flows`` (``gap.gap`` of the supply and that demand) and ``status_flows``
    (``gap.status``).
    """
    moved = allocate(demand_places, flows, pd.Index(wards))
    gap_places = gap(supply_places, moved, utilisation)
    return {
        "demand_places_flows": moved,
        "gap_places_flows": gap_places,
        "status_flows": status_codes(gap_places, moved, margin, tolerance),
    }


def flow_columns(
    *,
    terms: Sequence[Term],
    wards: pd.Index,
    demand_places: np.ndarray,
    supply_places: np.ndarray,
    flows: pd.DataFrame,
    utilisation: float,
    margin: float,
) -> pd.DataFrame:
    """:func:`flow_gap` as a table: ``term, ward_code, age_group`` and :data:`COLUMNS`, rows in
    the gap table's order."""
    arrays = flow_gap(
        wards=wards,
        demand_places=demand_places,
        supply_places=supply_places,
        flows=flows,
        utilisation=utilisation,
        margin=margin,
    )
    return long_table(terms, pd.Index(wards), arrays)
