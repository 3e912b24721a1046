"""Places that staff in post can cover at the statutory ratios (METHOD.md step 6).

Group settings need one adult for every 3 children under 2, 5 two-year-olds and 8 children of 3
and over (13 where a graduate, level 6, works with them: taken to apply to all of a setting's
3-4 places when it has any level-6 staff). Childminders (and each assistant) may care for at most
3 young children. A setting whose places need more staff than it has can use only the share
``staff_total / staff_needed`` of them, in every age group alike.

What it leaves out: staff in post are taken to work every opening hour (no breaks, leave or
part-time posts), and a setting's own mix of rooms. Providers that give no ``staff_total`` and
new settings not yet open are not adjusted (their places count in full).
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd


@cache
def statutory_ratios() -> dict[str, dict]:
    """The EYFS ratios from ``data/ratios.toml`` (children per adult)."""
    text = resources.files("sufficiency").joinpath("data/ratios.toml").read_text("utf-8")
    return tomllib.loads(text)


def staff_needed(places: np.ndarray, provider_type: np.ndarray, graduate: np.ndarray) -> np.ndarray:
    """Adults needed to staff ``places`` (providers x 3 age groups) at the statutory ratios.

    >>> staff_needed(np.array([[6.0, 10.0, 16.0]]), np.array(["day_nursery"]), np.array([False]))
    array([6.])
    >>> staff_needed(np.array([[1.0, 1.0, 1.0]]), np.array(["childminder"]), np.array([False]))
    array([1.])
    """
    ratios = statutory_ratios()
    group, minder = ratios["group"], ratios["childminder"]
    three_four = np.where(graduate, group["3_4_graduate"], group["3_4"])
    group_need = (
        places[:, 0] / group["under2"] + places[:, 1] / group["2"] + (places[:, 2] / three_four)
    )
    minder_need = places.sum(axis=1) / minder["young_children"]
    need: np.ndarray = np.where(provider_type == "childminder", minder_need, group_need)
    return need


def staffing_factor(providers: pd.DataFrame, places: np.ndarray) -> np.ndarray:
    """Share of each provider's places its staff can cover, in [0, 1].

    ``providers`` has ``provider_type, staff_total, staff_level6, status``; ``places`` is
    (providers x 3). A childminder reporting no staff counts as one adult (the childminder).
    """
    return covered_share(
        providers["provider_type"].to_numpy(dtype=object),
        providers["staff_total"].to_numpy(float),
        providers["staff_level6"].fillna(0).to_numpy(float),
        providers["status"].to_numpy(dtype=object),
        places,
    )


def covered_share(
    kind: np.ndarray,
    staff_total: np.ndarray,
    staff_level6: np.ndarray,
    status: np.ndarray,
    places: np.ndarray,
) -> np.ndarray:
    """:func:`staffing_factor` on arrays (one value per provider; ``places`` providers x 3)."""
    staff = np.where((kind == "childminder") & ~(staff_total > 0), 1.0, staff_total)
    graduate = staff_level6 > 0
    need = staff_needed(places, kind, graduate)
    factor = np.ones(len(kind))
    exempt = (status == "new") & ~(staff > 0)
    judged = np.isfinite(staff) & (need > 0) & ~exempt
    factor[judged] = np.minimum(1.0, staff[judged] / need[judged])
    return factor
