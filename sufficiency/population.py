"""Children in each age group's window, by ward and funding term (METHOD.md step 1).

Births by ward and month are aged forward: the children in a group at a term are the births of
the group's window of birth months (``terms.window``), each scaled by a cohort change ratio for
its ward and single year of age at the term's start, which stands for families moving in and out.

Cohort change ratio for ward w and age a (0-4), from mid-year population estimates::

    ratio(w, a) = sum over years Y of population(w, Y, a) / births(w, July Y-a-1 .. June Y-a)

pooled over the latest three estimate years (a single year is noisy in a small ward). Where no
estimates are given, or a ward has no births in those months, ``cohort_change.default`` (1.0).

Future births: each month after the last observed one repeats the same calendar month of the
last observed twelve months, times ``(1 + births_growth)`` for each year it lies beyond them.
Births that a term needs from before the first observed month are an error, not a guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import numpy as np
import pandas as pd

from ._lookup import positions
from .errors import InputError
from .terms import AGE_GROUPS, Term, month_index, window

POOLED_YEARS = 3


@dataclass(frozen=True)
class BirthMonths:
    """Births as a ward x month array; column ``j`` is month index ``first_month + j``."""

    wards: pd.Index
    first_month: int
    last_observed: int
    counts: np.ndarray  # (wards, months), float

    def columns(self, first: int, last: int) -> np.ndarray:
        return self.counts[:, first - self.first_month : last - self.first_month + 1]


def birth_months(
    births: pd.DataFrame, wards: pd.Index, until: int, growth: float = 0.0
) -> BirthMonths:
    """Monthly births per ward from the first observed month to month index ``until``.

    ``births`` has ``ward_code, year, month, births``. Wards without births rows get zeros.

    >>> b = pd.DataFrame({"ward_code": "A", "year": 2024, "month": range(1, 13), "births": 10.0})
    >>> bm = birth_months(b, pd.Index(["A"]), until=month_index(2025, 12), growth=0.1)
    >>> float(bm.counts[0, -1])   # December 2025: December 2024's 10 births, grown a year
    11.0
    """
    month = births["year"].to_numpy() * 12 + births["month"].to_numpy() - 1
    first, last = int(month.min()), int(month.max())
    end = max(until, last)
    width = end - first + 1
    # Each distinct code looked up once (a national births table has a million rows).
    codes, distinct = pd.factorize(births["ward_code"])
    rows = positions(wards, distinct)[codes]
    known = rows >= 0  # births of wards the area does not have count nowhere
    cells = rows[known] * width + (month[known] - first)
    counts = np.bincount(
        cells, births["births"].to_numpy(float)[known], len(wards) * width
    ).reshape(len(wards), width)
    if end > last:
        base = counts[:, last - first - 11 : last - first + 1]  # the last twelve months
        ahead = np.arange(1, end - last + 1)
        cycle = (ahead - 1) % 12
        years = (ahead - 1) // 12 + 1
        counts[:, last - first + 1 :] = base[:, cycle] * (1.0 + growth) ** years
    return BirthMonths(wards=wards, first_month=first, last_observed=last, counts=counts)


def cohort_change_ratios(
    population: pd.DataFrame | None, months: BirthMonths, default: float = 1.0, ages: int = 5
) -> np.ndarray:
    """Ratio per ward (rows) and single year of age 0 to ``ages - 1`` (columns); ``default``
    where unknown. The early years use ages 0-4; school-age childcare 0-11 (``school_age.py``).

    >>> b = pd.DataFrame({"ward_code": "A", "year": [2023] * 12 + [2024] * 12,
    ...                   "month": list(range(1, 13)) * 2, "births": 10.0})
    >>> bm = birth_months(b, pd.Index(["A"]), until=month_index(2024, 12))
    >>> pop = pd.DataFrame({"ward_code": ["A"], "year": [2024], "age": [0], "population": [108.0]})
    >>> cohort_change_ratios(pop, bm)[0].round(2).tolist()   # 108 / 120 births Jul 23-Jun 24
    [0.9, 1.0, 1.0, 1.0, 1.0]
    """
    ratios = np.full((len(months.wards), ages), float(default))
    if population is None or population.empty:
        return ratios
    pop = population[population["age"] < ages]
    years = sorted(pop["year"].unique())[-POOLED_YEARS:]
    pop = pop[pop["year"].isin(years)]
    pop_sum = np.zeros((len(months.wards), ages))
    births_sum = np.zeros((len(months.wards), ages))
    for (year, age), group in pop.groupby(["year", "age"], sort=True):
        year, age = cast(int, year), cast(int, age)  # the table's integer columns
        first = month_index(int(year) - int(age) - 1, 7)
        last = first + 11
        if first < months.first_month or last > months.last_observed:
            continue  # births for that cohort not observed
        in_window = months.columns(first, last).sum(axis=1)
        rows = positions(months.wards, group["ward_code"])
        pop_sum[rows, int(age)] += group["population"].to_numpy(float)
        births_sum[rows, int(age)] += in_window[rows]
    known = births_sum > 0
    ratios[known] = pop_sum[known] / births_sum[known]
    return ratios


def children_by_group(months: BirthMonths, ratios: np.ndarray, terms: list[Term]) -> np.ndarray:
    """Children per ward, term and age group: array of shape (wards, terms, 3).

    Age groups in the order of ``terms.AGE_GROUPS``. Raises :class:`InputError` when a term
    needs births from before the first observed month.
    """
    out = np.zeros((len(months.wards), len(terms), len(AGE_GROUPS)))
    for t, term in enumerate(terms):
        for g, group in enumerate(AGE_GROUPS):
            first, last = window(term, group)
            if first < months.first_month:
                year, month = divmod(first, 12)
                raise InputError(
                    f"the {group} group in {term} needs births from {month + 1:02d}/{year}, "
                    f"but births.csv starts in {months.first_month % 12 + 1:02d}/"
                    f"{months.first_month // 12}",
                    hint="Add earlier births, or start the run later with --first-term",
                )
            birth_month = np.arange(first, last + 1)
            age = np.clip((term.start_month - birth_month - 1) // 12, 0, 4)
            out[:, t, g] = (months.columns(first, last) * ratios[:, age]).sum(axis=1)
    return out
