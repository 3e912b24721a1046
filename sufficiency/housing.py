"""Children living in new housing (METHOD.md step 2).

Each dwelling completed on a development site holds ``child_yield`` children of each single year
of age from its completion onward (the yield is a stock, not a flow). A year's completions are
spread evenly over its twelve months; a dwelling counts at a term when it was completed in a
month before the term's first month. An age group whose window spans ``n`` birth months holds
``n / 12`` single years of age, so it gains ``dwellings x yield x n / 12`` children.

Only completions after the last year of observed births count: earlier ones are already in the
births. The yield does not vary by bedrooms or tenure here (DATA.md allows it; no default
figures are published for England that we could cite).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._lookup import positions
from .terms import AGE_GROUPS, Term, window_size


def completed_dwellings(
    housing: pd.DataFrame,
    wards: pd.Index,
    terms: list[Term],
    after_year: int,
    delivery_rate: float = 1.0,
) -> dict[str, np.ndarray]:
    """Dwellings completed before each term's start, by type: ``{"house": (wards, terms)}``.

    >>> h = pd.DataFrame({"ward_code": ["A"], "year": [2026], "dwellings": [120.0],
    ...                   "dwelling_type": ["house"]})
    >>> terms = [Term.parse(t) for t in ["2026-summer", "2027-spring"]]
    >>> completed_dwellings(h, pd.Index(["A"]), terms, after_year=2025)["house"].tolist()
    [[30.0, 120.0]]
    """
    out = {kind: np.zeros((len(wards), len(terms))) for kind in ("house", "flat")}
    rows = housing[housing["year"] > after_year]
    if rows.empty:
        return out
    start = np.array([t.start_month for t in terms])
    first_month = rows["year"].to_numpy() * 12
    # Share of the year's completions done before each term's first month: (rows, terms).
    share = np.clip((start[None, :] - first_month[:, None]) / 12.0, 0.0, 1.0)
    done = share * (rows["dwellings"].to_numpy(float) * delivery_rate)[:, None]
    ward_rows = positions(wards, rows["ward_code"])
    for kind in out:
        mask = (rows["dwelling_type"] == kind).to_numpy()
        np.add.at(out[kind], ward_rows[mask], done[mask])
    return out


def housing_children(
    housing: pd.DataFrame | None,
    wards: pd.Index,
    terms: list[Term],
    after_year: int,
    child_yield: dict[str, float],
    delivery_rate: float = 1.0,
) -> np.ndarray:
    """Children added by new housing: array (wards, terms, age groups)."""
    out = np.zeros((len(wards), len(terms), len(AGE_GROUPS)))
    if housing is None or housing.empty:
        return out
    dwellings = completed_dwellings(housing, wards, terms, after_year, delivery_rate)
    per_year_of_age = sum(dwellings[kind] * child_yield[kind] for kind in dwellings)
    for g, group in enumerate(AGE_GROUPS):
        years = np.array([window_size(t, group) for t in terms]) / 12.0
        out[:, :, g] = per_year_of_age * years[None, :]
    return out
