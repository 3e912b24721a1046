"""Funding terms, and the "term after" rule that puts children in age groups.

A funding term is written ``YYYY-season``: spring starts 1 January, summer 1 April and
autumn 1 September. A child is funded from the start of the term *after* it reaches a
qualifying age; a birthday on a term's first day counts for the next term. Children leave the
early years when they start reception, on 1 September after their fourth birthday.

Counting by month of birth makes that exact. Months are counted as integers,
``month_index = year * 12 + (month - 1)``. At a term starting in month ``s`` a child born in
month ``m`` is in:

* ``under2`` when ``s - 24 <= m <= s - 10`` (15 birth months),
* ``2`` when ``s - 36 <= m <= s - 25`` (12 birth months),
* ``3_4`` when ``m <= s - 37`` and it has not started reception (12, 16 or 19 birth months
  in autumn, spring and summer).

The modelling choice: a child born in a month is taken to be born after its first day, so it
reaches an age during that month of a later year, never on the 1st. (A child born on the 1st of
April reaches 3 on 1 April and, by the rule, is funded from September: the same answer.)

>>> t = Term.parse("2026-summer")
>>> t.start
datetime.date(2026, 4, 1)
>>> [window_size(t, g) for g in AGE_GROUPS]
[15, 12, 19]
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .errors import InputError

SEASONS: tuple[str, ...] = ("spring", "summer", "autumn")
START_MONTH: dict[str, int] = {"spring": 1, "summer": 4, "autumn": 9}
AGE_GROUPS: tuple[str, ...] = ("under2", "2", "3_4")
RUN_TERMS = 12  # terms a run forecasts unless told its last term
_TERM_RE = re.compile(r"^\s*(\d{4})-(spring|summer|autumn)\s*$", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class Term:
    """A funding term; ordered in time. ``index = year * 3 + season number``."""

    index: int

    @classmethod
    def of(cls, year: int, season: str) -> Term:
        return cls(year * 3 + SEASONS.index(season))

    @classmethod
    def parse(
        cls,
        text: object,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> Term:
        """Read ``YYYY-season``; raise :class:`InputError` naming where it came from."""
        match = _TERM_RE.match(str(text))
        if not match:
            raise InputError(
                "not a funding term",
                file=file,
                row=row,
                column=column,
                value=text,
                hint="Write a term as YYYY-season, for example 2026-autumn "
                "(seasons: spring, summer, autumn)",
            )
        return cls.of(int(match.group(1)), match.group(2).lower())

    @classmethod
    def starting_on_or_after(cls, day: dt.date) -> Term:
        """The first term whose start date is on or after ``day``."""
        for season in SEASONS:
            if dt.date(day.year, START_MONTH[season], 1) >= day:
                return cls.of(day.year, season)
        return cls.of(day.year + 1, "spring")

    @classmethod
    def containing(cls, day: dt.date) -> Term:
        """The term in force on ``day`` (the latest that started on or before it)."""
        season = [s for s in SEASONS if START_MONTH[s] <= day.month][-1]
        return cls.of(day.year, season)

    @property
    def year(self) -> int:
        return self.index // 3

    @property
    def season(self) -> str:
        return SEASONS[self.index % 3]

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, START_MONTH[self.season], 1)

    @property
    def start_month(self) -> int:
        """Month index of the term's first day."""
        return self.year * 12 + START_MONTH[self.season] - 1

    def __add__(self, n: int) -> Term:
        return Term(self.index + n)

    def __sub__(self, other: Term) -> int:
        return self.index - other.index

    @property
    def label(self) -> str:
        """The term as a reader writes it: ``Autumn 2026``."""
        return f"{self.season.capitalize()} {self.year}"

    def __str__(self) -> str:
        return f"{self.year}-{self.season}"

    def __repr__(self) -> str:
        return f"Term({str(self)!r})"


def term_label(term: Term | str) -> str:
    """A term (or ``YYYY-season``) as a reader writes it, for maps and reports.

    >>> term_label("2026-autumn")
    'Autumn 2026'
    """
    return (term if isinstance(term, Term) else Term.parse(term)).label


def term_range(first: Term, last: Term) -> list[Term]:
    """Every term from ``first`` to ``last`` inclusive."""
    return [Term(i) for i in range(first.index, last.index + 1)]


def run_window(
    latest: Term, first: Term | None = None, last: Term | None = None, n: int = RUN_TERMS
) -> list[Term]:
    """The terms a run forecasts: ``n`` from the term after the latest return, unless told.

    ``first`` defaults to the term after ``latest`` and ``last`` to ``n`` terms from ``first``;
    a last term before the first is an :class:`InputError`.

    >>> latest = Term.parse("2026-autumn")
    >>> terms = run_window(latest)
    >>> terms[0], terms[-1], len(terms)
    (Term('2027-spring'), Term('2030-autumn'), 12)
    >>> run_window(latest, last=Term.parse("2027-summer"))
    [Term('2027-spring'), Term('2027-summer')]
    >>> run_window(latest, Term.parse("2028-spring"), Term.parse("2027-spring"))
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sufficiency.errors.InputError: the last term 2027-spring is before the first term 2028-spring...
    """
    first = first or latest + 1
    last = last or first + (n - 1)
    if last < first:
        raise InputError(
            f"the last term {last} is before the first term {first}",
            hint="Give --last-term on or after --first-term",
        )
    return term_range(first, last)


def month_index(year: int, month: int) -> int:
    """``year * 12 + month - 1``: months as consecutive integers."""
    return year * 12 + month - 1


def month_of(day: dt.date) -> int:
    return month_index(day.year, day.month)


def window(term: Term, age_group: str) -> tuple[int, int]:
    """Birth months (first, last, inclusive) of the children in ``age_group`` at ``term``.

    >>> first, last = window(Term.parse("2026-autumn"), "3_4")
    >>> divmod(first, 12), divmod(last, 12)   # September 2022 to August 2023
    ((2022, 8), (2023, 7))
    """
    s = term.start_month
    if age_group == "under2":
        return s - 24, s - 10
    if age_group == "2":
        return s - 36, s - 25
    if age_group == "3_4":
        # Still in the early years: not yet at the 1 September on which reception starts.
        # Children born September Y to August Y+1 start reception on 1 September Y+5, so at a
        # term starting in month s the oldest still here were born in September of year
        # (the latest reception start on or before s) - 4.
        year, month = divmod(s, 12)
        last_reception_year = year if month >= 8 else year - 1  # month 8 = September
        return month_index(last_reception_year - 4, 9), s - 37
    raise ValueError(f"unknown age group {age_group!r}; expected one of {AGE_GROUPS}")


def window_size(term: Term, age_group: str) -> int:
    first, last = window(term, age_group)
    return last - first + 1


def age_in_years(term: Term, birth_month: int) -> int:
    """Completed years of age at the term's start of a child born (after the 1st) in a month."""
    return (term.start_month - birth_month - 1) // 12


# --- School years (school-age childcare) ---------------------------------------------------------

SCHOOL_YEARS: tuple[str, ...] = ("R", "1", "2", "3", "4", "5", "6")
"""Primary school years, reception to year 6."""


def academic_year(term: Term) -> int:
    """The year whose September starts the school year a term belongs to.

    >>> academic_year(Term.parse("2026-autumn")), academic_year(Term.parse("2027-summer"))
    (2026, 2026)
    """
    return term.year if term.season == "autumn" else term.year - 1


def school_year_window(term: Term, school_year: int) -> tuple[int, int]:
    """Birth months (first, last, inclusive) of the children in a school year at ``term``.

    ``school_year`` 0 is reception, 6 is year 6. A child starts reception on 1 September after
    its fourth birthday, so in the school year starting September A reception holds the births
    of September A-5 to August A-4, year ``k`` those of September A-5-k to August A-4-k: twelve
    birth months each, in every term of the year.

    >>> first, last = school_year_window(Term.parse("2026-autumn"), 0)
    >>> divmod(first, 12), divmod(last, 12)   # September 2021 to August 2022
    ((2021, 8), (2022, 7))
    """
    if not 0 <= school_year < len(SCHOOL_YEARS):
        raise ValueError(f"school year {school_year} is not 0 (reception) to 6")
    start = academic_year(term) - 5 - school_year
    return month_index(start, 9), month_index(start + 1, 8)
