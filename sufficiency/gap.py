"""The gap between places and demand, and the gap table's contract (METHOD.md step 7).

Per ward, term and age group::

    gap_places           = supply_places x utilisation - demand_places
    places_per_100       = 100 x supply_places / children          (empty where no children)
    projected_vacancies  = V + (supply(t) - supply(t0)) - (demand(t) - demand(t0))
    status               = deficit (gap < -tolerance), tight (gap < margin x demand),
                           else sufficient

where t0 is the term of the latest return and V the vacancies it reported (full-time places).
The tolerance (``deficit_tolerance``, default half a place) keeps a shortfall smaller than the
model can honestly tell from none (a gap of -0.2 places) from being called a deficit: such a
ward is ``tight`` (its gap is below the margin), never ``sufficient``.

``projected_vacancies`` is not a second gap. It starts from the vacancies providers reported
at t0 (places free that term, with no utilisation allowance) and moves them by the modelled
change in supply and demand since; a negative value means that demand has grown (or supply
fallen) by more than the places reported free, not that the ward is short of places (the gap
says that). Read it beside the gap, as a direction of travel from the latest return.
The table's columns, order and sort are those of ../shared/DATA.md ("Output: the gap table").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

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


def gap(
    supply_places: np.ndarray, demand_places: np.ndarray, utilisation: float | np.ndarray
) -> np.ndarray:
    """``gap_places = supply_places x utilisation - demand_places``: the model's one gap.

    Any shapes that broadcast: (wards, terms, 3) for a run, with a trailing draws axis (and
    ``utilisation`` per draw) for the Monte Carlo draws.

    >>> gap(np.array([100.0, 50.0]), np.array([80.0, 50.0]), 0.9).tolist()
    [10.0, -5.0]
    """
    gap_places: np.ndarray = supply_places * utilisation - demand_places
    return gap_places


def status(
    gap_places: np.ndarray, demand_places: np.ndarray, margin: float, tolerance: float = 0.0
) -> np.ndarray:
    """``deficit`` below ``-tolerance``, ``tight`` below ``margin x demand``, else
    ``sufficient``.

    A shortfall within the tolerance is ``tight``: it is below ``margin x demand`` (at least 0).

    >>> status(np.array([-1.0, -0.2, 2.0, 10.0]), np.full(4, 100.0), 0.05, 0.5).tolist()
    ['deficit', 'tight', 'tight', 'sufficient']
    """
    codes = status_codes(gap_places, demand_places, margin, tolerance).codes
    labels: np.ndarray = np.asarray(STATUSES)[codes]
    return labels


def status_codes(
    gap_places: np.ndarray, demand_places: np.ndarray, margin: float, tolerance: float = 0.0
) -> Coded:
    """:func:`status` as positions in :data:`STATUSES` (for :func:`long_table`)."""
    tight = (gap_places < 0) | (gap_places < margin * demand_places)
    codes = np.where(gap_places < -tolerance, 0, np.where(tight, 1, 2))
    return Coded(codes.astype(np.int8), tuple(STATUSES))


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
    vacancies: np.ndarray = (
        reported[:, None, :] + (supply - supply_t0[:, None, :]) - (demand - demand_t0[:, None, :])
    )
    return vacancies


@dataclass(frozen=True)
class Coded:
    """A text column as positions in a few labels, ``(wards, terms, 3)``: :func:`long_table`
    spreads it by position rather than by comparing strings."""

    codes: np.ndarray
    labels: tuple[str, ...]

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.codes.shape)


def long_table(
    terms: Sequence[Term],
    ward_codes: Sequence[str] | pd.Index | pd.Series,
    columns: Mapping[str, np.ndarray | Coded],
    *,
    groups: tuple[str, ...] = AGE_GROUPS,
    group_column: str = "age_group",
) -> pd.DataFrame:
    """Arrays by ward, term and age group to one row per term, ward and age group.

    The model's one array-to-table step, in the gap table's row order: terms as given, ward
    codes alphabetically, age groups ``under2, 2, 3_4``. Each column is ``(wards, terms, 3)``
    in the order of ``ward_codes``, or ``(wards,)`` for a value per ward (repeated on each of
    its rows). Text columns become pandas strings. ``groups`` and ``group_column`` name the
    last axis otherwise (school-age childcare: ``provision``, ``breakfast, after_school,
    holiday``).

    >>> cube = np.arange(12.0).reshape(2, 2, 3)     # wards B, A; two terms
    >>> table = long_table([Term.parse("2026-spring"), Term.parse("2026-summer")], ["B", "A"],
    ...                    {"name": np.array(["Bee", "Ay"]), "x": cube})
    >>> table.head(4).to_dict("list")["x"], table["name"].head(4).tolist()
    ([6.0, 7.0, 8.0, 0.0], ['Ay', 'Ay', 'Ay', 'Bee'])
    """
    codes = np.asarray(ward_codes, dtype=object)
    n_wards, n_terms, n_groups = len(codes), len(terms), len(groups)
    order = np.argsort(codes.astype(str), kind="stable")
    # Row r is term r // (wards x 3), ward order[(r // 3) % wards], age group r % 3.
    ward_of_row = np.tile(np.repeat(order, n_groups), n_terms)
    flat: dict[str, Any] = {
        "term": _spread([str(t) for t in terms], np.repeat(np.arange(n_terms), n_wards * n_groups)),
        "ward_code": _spread(codes, ward_of_row),
        group_column: _spread(groups, np.tile(np.arange(n_groups), n_terms * n_wards)),
    }
    cube = (n_wards, n_terms, n_groups)
    for name, array in columns.items():
        if array.shape not in {cube, (n_wards,)}:
            raise ValueError(
                f"{name}: shape {array.shape} is not (wards,) or (wards, terms, {n_groups})"
            )
        if isinstance(array, Coded):
            positions = array.codes[order].transpose(1, 0, 2).reshape(-1)
            flat[name] = _spread(array.labels, positions)
        elif array.shape == (n_wards,):
            flat[name] = _spread(array, ward_of_row) if _is_text(array) else array[ward_of_row]
        else:
            values = array[order].transpose(1, 0, 2).reshape(-1)
            if _is_text(values):
                labels, index = np.unique(values.astype(str), return_inverse=True)
                flat[name] = _spread(labels, index)
            else:
                flat[name] = values
    # Every column is a new array of its own: the frame keeps them as they are, rather than
    # copying them into one block (which takes twice the memory at the moment of copying).
    return pd.DataFrame(flat, copy=False)


def _is_text(array: np.ndarray) -> bool:
    return array.dtype == object or array.dtype.kind == "U"


def _spread(
    labels: Sequence[str] | np.ndarray, positions: np.ndarray
) -> pd.api.extensions.ExtensionArray:
    """A few labels spread over the rows by position, as a pandas string array (Arrow storage,
    missing labels missing): the strings are copied as bytes by Arrow, never made one Python
    string a row, and the table goes to Parquet or Arrow without converting its text."""
    import pyarrow as pa
    import pyarrow.compute as pc

    distinct = pa.array(np.asarray(labels, dtype=object), type=pa.large_string(), from_pandas=True)
    rows = pc.take(distinct, pa.array(np.asarray(positions, dtype=np.int64)))
    text: pd.api.extensions.ExtensionArray = pd.array(rows, dtype=pd.StringDtype("pyarrow"))
    return text


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
    tolerance: float = 0.0,
    extra: Mapping[str, np.ndarray | Coded] | None = None,
) -> pd.DataFrame:
    """The gap table in the contract's columns and order from (wards, terms, 3) arrays.

    ``wards`` has ``ward_code, ward_name`` in the arrays' ward order; ``extra`` columns (the
    same shapes as :func:`long_table` takes) follow the contract's.
    """
    demand_places = demand_hours / hours_per_place
    gap_places = gap(supply_places, demand_places, utilisation)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_100 = np.where(children > 0, 100.0 * supply_places / children, np.nan)
    table = long_table(
        terms,
        wards["ward_code"],
        {
            "ward_name": wards["ward_name"].to_numpy(dtype=object),
            "children": children,
            "funded_children": funded_children,
            "demand_hours": demand_hours,
            "demand_places": demand_places,
            "supply_places": supply_places,
            "gap_places": gap_places,
            "places_per_100": per_100,
            "projected_vacancies": projected,
            "status": status_codes(gap_places, demand_places, margin, tolerance),
            **(extra or {}),
        },
    )
    # pandas-stubs: DataFrame.insert's value omits ExtensionArray, which pandas takes.
    table.insert(0, "scenario", _spread([scenario], np.zeros(len(table), dtype=np.intp)))  # type: ignore[arg-type]
    return table[[*COLUMNS, *(extra or {})]]


def sort_gap(table: pd.DataFrame) -> pd.DataFrame:
    """Sort rows by scenario, term (in time), ward code and age group, as the contract says."""
    key = table.assign(
        _term=[Term.parse(t).index for t in table["term"]],
        _group=table["age_group"].map({g: i for i, g in enumerate(AGE_GROUPS)}),
    )
    order = key.sort_values(["scenario", "_term", "ward_code", "_group"], kind="stable").index
    return table.loc[order].reset_index(drop=True)
