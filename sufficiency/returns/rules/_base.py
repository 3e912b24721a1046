"""What a validation rule is, what it sees, and the registry that holds the rules.

A rule is a small function under the :func:`Registry.rule` decorator, which carries its code
(``"R110"``), its message in a data officer's words, the columns it checks, its severity
(``"error"`` blocks an ingest, ``"warning"`` does not) and what it needs (``"wards"``,
``"history"``). The function gets a :class:`Context` and returns which rows fail: a boolean
Series over ``ctx.table`` (for the rule's first column) or a dict of them by column. The engine
(``validation.py``), not the rule, turns that into report rows, and records a rule whose needs
are not met as skipped rather than passed.

A message may name ``{column}`` (the failing column) and ``{term}`` (the term being loaded).
A rule whose message names ``{detail}`` returns text (a ``string`` Series) instead: each failing
row's own words for ``{detail}``, ``<NA>`` where the row passes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal, TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd

from ... import geography
from ..._io import factorize_columns, normalise_postcode, parse_numbers
from ...terms import Term
from ..reader import COUNTS, OPENING, PRICES

COORDINATES = ["easting", "northing", "latitude", "longitude"]
NUMERIC = [*COUNTS, *OPENING, "planned_places_change", *COORDINATES, *PRICES]
"""The columns a return gives as numbers: parsed together, in one pass (:meth:`Context.number`)."""

Severity = Literal["error", "warning"]
Failures = pd.Series | Mapping[str, pd.Series]
# A rule's check, its own signature kept through ``Registry.rule`` (a Series or a mapping).
_Check = TypeVar("_Check", bound="Callable[[Context], Failures]")
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y")


@dataclass(frozen=True)
class Rule:
    """One rule: its code, message, columns, severity, needs and the function that checks it."""

    code: str
    message: str
    columns: tuple[str, ...]
    severity: Severity
    check: Callable[[Context], Failures]
    needs: tuple[str, ...] = ()
    per_file: bool = False

    @property
    def description(self) -> str:
        return (self.check.__doc__ or "").strip().split("\n")[0]


class Registry:
    """The rules by code, in the order they were registered; a code can be used once.

    >>> rules = Registry()
    >>> @rules.rule("R999", "{column} must be filled in", columns=["urn"])
    ... def filled(ctx):
    ...     return ctx.text("urn").isna()
    >>> [r.code for r in rules]
    ['R999']
    """

    def __init__(self) -> None:
        self._rules: dict[str, Rule] = {}

    def rule(
        self,
        code: str,
        message: str,
        *,
        columns: list[str] | tuple[str, ...],
        severity: Severity = "error",
        needs: tuple[str, ...] = (),
        per_file: bool = False,
    ) -> Callable[[_Check], _Check]:
        """Register the decorated function as rule ``code``; a code already taken is refused."""
        if not re.fullmatch(r"R\d{3}", code):
            raise ValueError(f"rule code {code!r} must be R and three digits")
        if severity not in ("error", "warning"):
            raise ValueError(f"rule {code}: severity must be error or warning, not {severity!r}")

        def register(check: _Check) -> _Check:
            if code in self._rules:
                raise ValueError(
                    f"rule code {code} is used twice ({self._rules[code].check.__name__} and "
                    f"{check.__name__})"
                )
            self._rules[code] = Rule(
                code, message, tuple(columns), severity, check, tuple(needs), per_file
            )
            return check

        return register

    def __iter__(self) -> Iterator[Rule]:
        """The rules in code order."""
        return iter(sorted(self._rules.values(), key=lambda r: r.code))

    def __len__(self) -> int:
        return len(self._rules)

    def __getitem__(self, code: str) -> Rule:
        return self._rules[code]


@dataclass
class Context:
    """What the rules see: every row of the files being loaded, and what is known already.

    Attributes
    ----------
    table
        Every data row of every file, as text (missing cells are ``<NA>``), with lower-case
        column names plus ``source_file`` and ``source_row`` (the spreadsheet row).
    headers
        Each file's column names.
    term
        The term being loaded.
    history
        The store's current returns of every term (``store.load_returns``); empty without one.
    known_urns
        Every URN the store has seen.
    wards, postcodes
        The area's wards (EPSG:27700) and postcode lookup, where there are any.
    located
        The same rows as ``geography.locate`` placed them already (a run's reader has), with
        ``source_row``, ``ward_code`` and ``located_by``; ``None`` where nobody has.
    """

    table: pd.DataFrame
    headers: dict[str, list[str]]
    term: Term
    history: pd.DataFrame = field(default_factory=pd.DataFrame)
    known_urns: frozenset[str] = frozenset()
    wards: gpd.GeoDataFrame | None = None
    postcodes: pd.DataFrame | None = None
    located: pd.DataFrame | None = None
    _cache: dict[str, pd.Series] = field(default_factory=dict, repr=False)
    _numbers: dict[str, np.ndarray] | None = field(default=None, repr=False)
    _located: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    @property
    def available(self) -> set[str]:
        """What rules may need that is here: ``wards`` and ``history``."""
        have = set()
        if self.wards is not None:
            have.add("wards")
        if len(self.history):
            have.add("history")
        return have

    def _cached(self, key: str, make: Callable[[], pd.Series]) -> pd.Series:
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    def text(self, column: str) -> pd.Series:
        """The column as trimmed text, ``<NA>`` where empty or where the file lacks it."""
        if column not in self.table.columns:
            return pd.Series(pd.NA, index=self.table.index, dtype="string")
        return self.table[column].astype("string")

    def has_column(self, column: str) -> pd.Series:
        """Whether each row's file has the column."""
        files = {name for name, columns in self.headers.items() if column in columns}
        return self.table["source_file"].isin(files)

    def number(self, column: str) -> pd.Series:
        """The column as float64; NaN where empty or not a number (``1,200`` reads as 1200;
        ``5,25`` is not a number)."""

        def make() -> pd.Series:
            if column not in self.table.columns:
                return pd.Series(np.nan, index=self.table.index)
            if column in self._numeric():
                return pd.Series(self._numeric()[column], index=self.table.index)
            return pd.Series(parse_numbers(self.text(column)), index=self.table.index)

        return self._cached(f"number:{column}", make)

    def _numeric(self) -> dict[str, np.ndarray]:
        """The table's :data:`NUMERIC` columns as numbers, parsed in one pass over their
        distinct values (:func:`parse_numbers` reads each value alone, so this is the same, many
        times faster than column by column: counts share most of their values)."""
        if self._numbers is None:
            columns = [c for c in NUMERIC if c in self.table.columns]
            n = len(self.table)
            if not columns or n == 0:
                self._numbers = {}
                return self._numbers
            codes, distinct = factorize_columns(self.table, columns)
            parsed = np.append(parse_numbers(pd.Series(distinct, dtype="string")), np.nan)
            self._numbers = {c: parsed[codes[i * n : (i + 1) * n]] for i, c in enumerate(columns)}
        return self._numbers

    def where_points_fall(self) -> pd.DataFrame:
        """``geography.locate`` of each row's coordinates, else postcode, its ward code left
        out: the ward those put the provider in (``ward_code``, ``<NA>`` in none), located once
        for every rule that asks."""
        if self.wards is None:
            raise ValueError("where_points_fall needs the area's wards")
        if "located" not in self._located:
            fell = pd.DataFrame(
                {"ward_code": pd.NA, "located_by": "unlocated"}, index=self.table.index
            ).astype("string")
            redo = np.ones(len(self.table), dtype=bool)
            if self.located is not None:
                # Rows placed by their coordinates or postcode (or by nothing) fell where they
                # were placed: only those placed by a ward code are located again, without it.
                prior = self.located.drop_duplicates("source_row").set_index("source_row")
                prior = prior.reindex(self.table["source_row"].to_numpy())
                known = prior["located_by"].notna().to_numpy() & (
                    prior["located_by"] != "ward_code"
                ).to_numpy(dtype=bool, na_value=False)
                fell.loc[known, "ward_code"] = prior["ward_code"].to_numpy()[known]
                fell.loc[known, "located_by"] = prior["located_by"].to_numpy()[known]
                redo = ~known
            if redo.any():
                points = pd.DataFrame(
                    {"postcode": self.text("postcode"), **{c: self.number(c) for c in COORDINATES}}
                )[redo]
                again = geography.locate(points, self.wards, self.postcodes, file="returns")
                fell.loc[redo, "ward_code"] = again["ward_code"].to_numpy()
                fell.loc[redo, "located_by"] = again["located_by"].to_numpy()
            self._located["located"] = fell
        return self._located["located"]

    def date(self, column: str) -> pd.Series:
        """The column as dates (ISO, or day/month/year as Excel writes them); NaT otherwise."""

        def make() -> pd.Series:
            text = self.text(column).str.replace(r"[ T]00:00:00$", "", regex=True)
            result = pd.Series(pd.NaT, index=self.table.index, dtype="datetime64[ns]")
            for fmt in _DATE_FORMATS:
                todo = result.isna() & text.notna()
                if todo.any():
                    result[todo] = pd.to_datetime(text[todo], format=fmt, errors="coerce")
            return result

        return self._cached(f"date:{column}", make)

    def choice(self, column: str) -> pd.Series:
        """The column in lower case, for matching against a list of allowed values."""
        return self.text(column).str.lower()

    @property
    def urn(self) -> pd.Series:
        """URNs as the store keeps them: upper case, no spaces."""
        return self._cached(
            "urn", lambda: self.text("urn").str.upper().str.replace(" ", "", regex=False)
        )

    @property
    def postcode(self) -> pd.Series:
        return self._cached("postcode", lambda: normalise_postcode(self.text("postcode")))

    def previous(self, terms_back: int) -> pd.DataFrame:
        """The stored returns of the term ``terms_back`` before this one, indexed by URN."""
        if not len(self.history):
            return pd.DataFrame()
        rows = self.history[self.history["term"] == str(Term(self.term.index - terms_back))]
        return rows.set_index("urn")

    def last_return(self) -> pd.DataFrame:
        """Each provider's latest stored return from a term before this one, indexed by URN."""
        if not len(self.history):
            return pd.DataFrame()
        order = pd.Series(
            [Term.parse(t).index for t in self.history["term"]], index=self.history.index
        )
        earlier = self.history[order < self.term.index]
        latest = earlier.loc[order[earlier.index].sort_values(kind="stable").index]
        return latest.groupby("urn").tail(1).set_index("urn")

    def aligned(self, frame: pd.DataFrame, column: str) -> pd.Series:
        """``frame[column]`` (indexed by URN) lined up with this file's rows; NaN where absent."""
        if column not in frame.columns:
            return pd.Series(np.nan, index=self.table.index)
        values = frame[column].reindex(self.urn.to_numpy(dtype=object))
        return pd.Series(values.to_numpy(), index=self.table.index)
