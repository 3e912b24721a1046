"""Children with special educational needs or disabilities (SEND) in early years places.

By ward, term and age group::

    send_expected = share[age group] x funded_children
    send_on_roll  = each open provider's send_children (latest return), split over age groups
                    in proportion to its children on roll by age, summed by ward

``share`` is the share of children registered for a funded place who have SEN support or an EHC
plan (``[send]`` in defaults.toml, by ward in ``ward_parameters.csv``). A ward is flagged where
the children on roll with SEND, over all age groups, are below ``send.flag_ratio`` of those
expected in the run's first term: unmet need (children with SEND not in places) or need not yet
identified in the settings. Both readings ask the same question of the early years SEND team.

Left out: the returns count children where they attend and the model where they live, so a ward
whose settings draw children from elsewhere has more on roll than expected; a child on the roll of
two settings is counted twice. A provider that gives ``send_children`` but no children by age
splits it by its places offered (by thirds where it offers none). Disabled young people aged 15
to 18, inside the Childcare Act 2006 s.6 duty, are out of the model's scope for places.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._lookup import positions
from .returns.reader import CHILDREN, PLACES
from .terms import AGE_GROUPS

SHARE_KEYS = [f"send.share_{g}" for g in AGE_GROUPS]


def expected(funded_children: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """``shares[w, g] x funded_children[w, t, g]``: (wards, terms, 3).

    >>> expected(np.array([[[10.0, 20.0, 100.0]]]), np.array([[0.02, 0.05, 0.08]])).tolist()
    [[[0.2, 1.0, 8.0]]]
    """
    out: np.ndarray = funded_children * shares[:, None, :]
    return out


def on_roll(open_returns: pd.DataFrame, wards: pd.Index) -> np.ndarray:
    """Children with SEND on roll at open providers by ward and age group, (wards, 3); NaN
    where no provider in the ward gave ``send_children``.

    ``open_returns`` is each open provider's latest return (``supply.open_providers``).

    >>> returns = pd.DataFrame({"ward_code": ["A", "A"], "send_children": [4.0, np.nan],
    ...     "children_under2": [0.0, 5.0], "children_2": [10.0, 5.0], "children_3_4": [30.0, 5.0],
    ...     "places_under2": [0.0, 5.0], "places_2": [10.0, 5.0], "places_3_4": [30.0, 5.0]})
    >>> on_roll(returns, pd.Index(["A", "B"])).tolist()
    [[0.0, 1.0, 3.0], [nan, nan, nan]]
    """
    out = np.zeros((len(wards), len(AGE_GROUPS)))
    given = np.zeros(len(wards), dtype=bool)
    rows = positions(wards, open_returns["ward_code"])
    send = open_returns["send_children"].to_numpy(float)
    keep = (rows >= 0) & np.isfinite(send)
    if not keep.any():
        return np.full_like(out, np.nan)
    children = np.nan_to_num(open_returns[CHILDREN].to_numpy(float))[keep]
    places = np.nan_to_num(open_returns[PLACES].to_numpy(float))[keep]
    weights = np.where(children.sum(axis=1, keepdims=True) > 0, children, places)
    totals = weights.sum(axis=1, keepdims=True)
    split = np.divide(weights, totals, out=np.full_like(weights, 1 / 3), where=totals > 0)
    np.add.at(out, rows[keep], split * send[keep, None])
    given[rows[keep]] = True
    return np.where(given[:, None], out, np.nan)


def flagged(expected_first: np.ndarray, on_roll_now: np.ndarray, ratio: np.ndarray) -> np.ndarray:
    """Wards whose children with SEND on roll (all age groups) are below ``ratio`` (per ward) of
    those expected: (wards,) booleans; a ward with no figure on roll is not flagged.

    >>> flagged(np.array([[1.0, 2.0, 7.0], [1.0, 1.0, 2.0]]),
    ...         np.array([[0.0, 1.0, 3.0], [1.0, 1.0, 1.0]]), np.array([0.5, 0.5])).tolist()
    [True, False]
    """
    total_on_roll = on_roll_now.sum(axis=1)
    result: np.ndarray = np.isfinite(total_on_roll) & (
        total_on_roll < ratio * expected_first.sum(axis=1)
    )
    return result


def providers_giving(open_returns: pd.DataFrame, wards: pd.Index) -> np.ndarray:
    """How many open providers in each ward give ``send_children``: (wards,) integers."""
    rows = positions(wards, open_returns["ward_code"])
    given = (rows >= 0) & np.isfinite(open_returns["send_children"].to_numpy(float))
    return np.bincount(rows[given], minlength=len(wards)).astype(np.int64)


def ward_table(
    wards: pd.DataFrame,
    expected_first: np.ndarray,
    on_roll_now: np.ndarray,
    ratio: np.ndarray,
    providers: np.ndarray,
) -> pd.DataFrame:
    """One row per ward (the order of ``wards``): ``ward_code, ward_name, send_providers`` (the
    providers giving a figure), ``send_expected, send_on_roll, on_roll_share`` (on roll /
    expected, all age groups) and ``flagged``."""
    total_expected = expected_first.sum(axis=1)
    total_on_roll = on_roll_now.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(total_expected > 0, total_on_roll / total_expected, np.nan)
    return pd.DataFrame(
        {
            "ward_code": wards["ward_code"].to_numpy(dtype=object),
            "ward_name": wards["ward_name"].to_numpy(dtype=object),
            "send_providers": providers,
            "send_expected": total_expected,
            "send_on_roll": total_on_roll,
            "on_roll_share": share,
            "flagged": flagged(expected_first, on_roll_now, ratio),
        }
    )
