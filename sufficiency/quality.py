"""Quality of provision: each provider's latest Ofsted grade, and the share of places it backs.

The grade is a provider attribute in the returns frame's ``ofsted_grade`` column (one of
``returns.reader.GRADES``), whatever filled it: the optional return column of that name, or the
Ofsted register through :func:`with_grades` (which wins where it gives a grade, being Ofsted's own
record). The supply step reads that column (``supply.provider_supply(..., min_quality=)``), so the
quality of a place is judged by the same one function that counts it.

By ward, term and age group, ``good_or_outstanding_share`` is the share of supply places (after
the workforce adjustment) offered by settings judged good or outstanding: a setting not yet
inspected, ``met`` or ``not_met`` counts as not judged good. Left out: the age of an inspection
(a grade from 2019 counts as today's), and school nurseries whose school's grade is no longer an
overall judgement (Ofsted's report cards from November 2025): give their latest grade or none.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .returns.reader import GRADES, normalise_grades


def has_grades(returns: pd.DataFrame) -> bool:
    """Whether any return gives an Ofsted grade (the quality columns are added only then)."""
    return "ofsted_grade" in returns.columns and bool(returns["ofsted_grade"].notna().any())


def with_grades(returns: pd.DataFrame, register: pd.DataFrame) -> pd.DataFrame:
    """The returns with each provider's grade from ``register`` (``urn, ofsted_grade``, e.g. an
    Ofsted register import) on every one of its rows; a URN the register lacks, or gives no grade,
    keeps the grade its return gave.

    >>> returns = pd.DataFrame({"urn": ["EY1", "EY2"], "ofsted_grade": ["good", pd.NA]})
    >>> register = pd.DataFrame({"urn": ["EY2"], "ofsted_grade": ["Outstanding"]})
    >>> with_grades(returns, register)["ofsted_grade"].tolist()
    ['good', 'outstanding']
    """
    grades = normalise_grades(register["ofsted_grade"])
    unknown = grades.notna() & ~grades.isin(GRADES)
    if unknown.any():
        raise ValueError(f"unknown Ofsted grade {register['ofsted_grade'][unknown].iloc[0]!r}")
    by_urn = pd.Series(grades.to_numpy(), index=register["urn"].astype(str)).dropna()
    by_urn = by_urn[~by_urn.index.duplicated(keep="last")]
    out = returns.copy()
    given = returns["urn"].astype(str).map(by_urn)
    current = (
        returns["ofsted_grade"].astype("string")
        if "ofsted_grade" in returns.columns
        else pd.Series(pd.NA, index=returns.index, dtype="string")
    )
    out["ofsted_grade"] = given.astype("string").fillna(current)
    return out


def good_share(good_places: np.ndarray, all_places: np.ndarray) -> np.ndarray:
    """The share of supply places in settings judged good or outstanding; NaN where a ward has
    no places.

    >>> good_share(np.array([30.0, 0.0]), np.array([40.0, 0.0])).tolist()
    [0.75, nan]
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        share: np.ndarray = np.where(all_places > 0, good_places / all_places, np.nan)
    return share
