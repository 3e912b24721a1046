"""Places that staff in post can cover at the statutory ratios (METHOD.md step 6).

Group settings need one adult for every 3 children under 2, 5 two-year-olds and 8 children of 3
and over (13 where a graduate, level 6, works with them: applied to the share
``graduate_led`` of a setting's 3-4 places when it has any level-6 staff, the rest at 1:8; the
default 1, all of them, is the optimistic bound, 0 the conservative one). Childminders (and
each assistant) may care for at most 3 young children. A setting whose places need more staff
than it has can use only the share ``staff_total / staff_needed`` of them, in every age group
alike.

Planned places come with the staff they need: a planned expansion adds the staff its extra places
need at the ratios, and a new setting recruits the staff its opening places need beyond those it
already reports, so the two are treated alike. ``recruited`` (the ``recruited_share`` parameter,
default 1) is the share of that recruitment that happens; below 1 (a scenario in which
recruitment fails) the staff in post, plus that share, cover what they can.

What it leaves out: staff in post are taken to work every opening hour (no breaks, leave or
part-time posts), and a setting's own mix of rooms. Open providers that give no ``staff_total``
are not adjusted (their places count in full); a childminder giving none counts as one adult.
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


def staff_needed(
    places: np.ndarray,
    provider_type: np.ndarray,
    graduate: np.ndarray,
    graduate_led: float = 1.0,
) -> np.ndarray:
    """Adults needed to staff ``places`` (providers x 3 age groups) at the statutory ratios.

    Where ``graduate``, the share ``graduate_led`` of the 3-4 places is at the graduate ratio.

    >>> staff_needed(np.array([[6.0, 10.0, 16.0]]), np.array(["day_nursery"]), np.array([False]))
    array([6.])
    >>> staff_needed(np.array([[1.0, 1.0, 1.0]]), np.array(["childminder"]), np.array([False]))
    array([1.])
    >>> # 26 places of 3-4s with a graduate: 26/13 = 2 (optimistic); half led: 13/13 + 13/8.
    >>> staff_needed(np.array([[0, 0, 26.0]]), np.array(["school_nursery"]), np.array([True]),
    ...     0.5).tolist()
    [2.625]
    """
    return _staff_needed(places, provider_type == "childminder", graduate, graduate_led)


def _staff_needed(
    places: np.ndarray, minder: np.ndarray, graduate: np.ndarray, graduate_led: float
) -> np.ndarray:
    """:func:`staff_needed` with the childminders found already (``minder``, booleans)."""
    ratios = statutory_ratios()
    group, minders = ratios["group"], ratios["childminder"]
    led = np.where(graduate, graduate_led, 0.0)
    three_four = places[:, 2] * (led / group["3_4_graduate"] + (1.0 - led) / group["3_4"])
    group_need = places[:, 0] / group["under2"] + places[:, 1] / group["2"] + three_four
    minder_need = places.sum(axis=1) / minders["young_children"]
    need: np.ndarray = np.where(minder, minder_need, group_need)
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
    added: np.ndarray | None = None,
    recruited: float = 1.0,
    graduate_led: float = 1.0,
) -> np.ndarray:
    """:func:`staffing_factor` on arrays (one value per provider; ``places`` providers x 3).

    ``added`` (providers x 3) are the planned places among ``places`` (an expansion's extra
    places; ``None``: none). Staff available are the staff in post plus ``recruited`` times the
    staff the planned places need: for an open setting, the staff its added places need; for a
    ``new`` setting, whatever its places need beyond the staff it reports.

    >>> kind, status = np.array(["school_nursery"]), np.array(["open"])
    >>> # 26 + 10 planned places of 3-4s, 2 staff with a graduate: 2 + 10/13 = 36/13 staff.
    >>> covered_share(kind, np.array([2.0]), np.array([1.0]), status, np.array([[0, 0, 36.0]]),
    ...     np.array([[0, 0, 10.0]])).round(3).tolist()
    [1.0]
    >>> covered_share(kind, np.array([2.0]), np.array([1.0]), status, np.array([[0, 0, 36.0]]),
    ...     np.array([[0, 0, 10.0]]), recruited=0.0).round(3).tolist()  # 2 / (36/13)
    [0.722]
    """
    minder = kind == "childminder"
    new = status == "new"
    staff = np.where(minder & ~(staff_total > 0), 1.0, staff_total)
    staff = np.where(new & ~(staff > 0), 0.0, staff)
    graduate = staff_level6 > 0
    need = _staff_needed(places, minder, graduate, graduate_led)
    planned = (
        np.zeros(len(kind))
        if added is None
        else _staff_needed(added, minder, graduate, graduate_led)
    )
    planned = np.where(new, np.maximum(need - staff, 0.0), planned)
    available = staff + recruited * planned
    factor = np.ones(len(kind))
    judged = np.isfinite(available) & (need > 0)
    factor[judged] = np.minimum(1.0, available[judged] / need[judged])
    return factor
