"""The scenario file's schema: a typed, frozen event per table of the TOML, each checked once.

A scenario file (``scenarios/README.md`` has every key)::

    name = "closures"
    description = "A wave of closures like the 17 settings one city lost in 18 months."
    seed = 1                                    # for closures chosen by share

    [parameters]                                # any key of DATA.md's parameters file
    utilisation = 0.88
    [parameters.take_up]
    extended_3_4 = { distribution = "triangular", low = 0.85, mode = 0.95, high = 0.98 }

    [ward_parameters.E05002461.take_up]         # by ward (eligibility, take_up, paid_hours)
    disadvantaged_2 = 0.8

    [[closures]]                                # by URN, or a share of a provider type
    provider_type = ["day_nursery", "pre_school"]
    share = 0.03
    from = "first+1"

is read into a :class:`Scenario` holding one event of its type per table: :class:`Closure`,
:class:`Opening`, :class:`Expansion`, :class:`Planned`, :class:`Housing`, :class:`Births`,
:class:`Workforce` and :class:`Policy`. Each type's ``from_toml`` is the one place its table is
checked; the first problem (an unknown key, a wrong type, an impossible value) is a
:class:`~sufficiency.errors.ParameterError` naming the file, the key and what is allowed.

This module checks what can be checked from the file alone. What needs the area and the run (a
URN or ward the area does not have, a date outside the run, eligibility shares of one age group
adding to more than 1) is checked as the events are applied (``apply.py``).

``from``, ``start`` and ``end`` are a :class:`When`: a date (``2027-02-15``), a term
(``"2027-summer"``) or a term counted from the run's first forecast term (``"first"``,
``"first+2"``; the shipped scenarios use these so they fit any area).
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import numpy as np

from ..errors import InputError, ParameterError
from ..parameters import WARD_SECTIONS, check_value, flatten
from ..returns.reader import PLACES, PROVIDER_TYPES
from ..terms import AGE_GROUPS, Term
from .uncertainty import Distribution, is_distribution, key_bounds, parse_distribution

TOP_KEYS = (
    "name",
    "description",
    "seed",
    "parameters",
    "ward_parameters",
    "closures",
    "openings",
    "expansions",
    "planned",
    "housing",
    "births",
    "workforce",
    "policy",
)
LOCATION_KEYS = ("ward_code", "easting", "northing", "latitude", "longitude", "postcode")
POLICY_KEYS = (
    "entitlement",
    "label",
    "age_group",
    "eligibility",
    "take_up",
    "hours",
    "from",
    "start",
    "end",
    "top_up",
    "replaces",
    "note",
)
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_FIRST_RE = re.compile(r"^\s*first\s*(?:\+\s*(\d+))?\s*$", re.IGNORECASE)
_ENTITLEMENT_RE = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class When:
    """An event's date as written: a date, a term, or ``first + offset`` terms."""

    text: str
    date: dt.date | None = None
    term: Term | None = None
    offset: int | None = None

    def resolve(self, first: Term) -> tuple[dt.date, Term]:
        """The date the event takes effect and the first term it counts in."""
        if self.date is not None:
            return self.date, Term.starting_on_or_after(self.date)
        # Exactly one of date, term and offset is set (from_toml checks).
        term = self.term if self.term is not None else first + int(cast(int, self.offset))
        return term.start, term


class Check:
    """Small checks that raise one :class:`ParameterError` naming the file and the key."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, message: str) -> ParameterError:
        return ParameterError(f"{self.source}: {where}: {message}")

    def table(self, value: Any, where: str) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.fail(where, f"must be a table (found {value!r})")
        return value

    def tables(self, value: Any, where: str) -> list[Mapping[str, Any]]:
        """An array of tables (``[[closures]]``); a single table is taken as one."""
        if isinstance(value, Mapping):
            return [value]
        if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
            raise self.fail(where, f"must be an array of tables, [[{where}]] (found {value!r})")
        return list(value)

    def keys(
        self, table: Mapping[str, Any], where: str, required: Sequence[str], optional: Sequence[str]
    ) -> None:
        allowed = [*required, *optional]
        for key in table:
            if key not in allowed:
                raise self.fail(where, f"unknown key {key!r}; allowed: {', '.join(allowed)}")
        for key in required:
            if key not in table:
                raise self.fail(where, f"{key!r} is missing; it needs {', '.join(required)}")

    def number(
        self,
        value: Any,
        where: str,
        *,
        low: float | None = None,
        high: float | None = None,
        above: float | None = None,
    ) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or not np.isfinite(value):
            raise self.fail(where, f"must be a number (found {value!r})")
        value = float(value)
        if (low is not None and value < low) or (high is not None and value > high):
            if high is None:
                span = f"from {low:g}"
            elif low is None:
                span = f"at most {high:g}"
            else:
                span = f"from {low:g} to {high:g}"
            raise self.fail(where, f"must be {span} (found {value:g})")
        if above is not None and value <= above:
            raise self.fail(where, f"must be above {above:g} (found {value:g})")
        return float(value)

    def integer(self, value: Any, where: str, *, low: int = 0) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise self.fail(where, f"must be a whole number of at least {low} (found {value!r})")
        return int(value)

    def text(self, value: Any, where: str, choices: Sequence[str] | None = None) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where, f"must be text (found {value!r})")
        if choices is not None and value not in choices:
            raise self.fail(where, f"{value!r} is not allowed; allowed: {', '.join(choices)}")
        return value

    def texts(self, value: Any, where: str, choices: Sequence[str] | None = None) -> list[str]:
        items = value if isinstance(value, list) else [value]
        return [self.text(v, where, choices) for v in items]

    def when(self, value: Any, where: str) -> When:
        if isinstance(value, dt.datetime | dt.time):
            raise self.fail(where, f"give a date without a time, e.g. 2027-09-01 (found {value})")
        if isinstance(value, dt.date):
            return When(str(value), date=value)
        if isinstance(value, str):
            match = _FIRST_RE.match(value)
            if match:
                return When(value, offset=int(match.group(1) or 0))
            try:
                return When(value, term=Term.parse(value))
            except InputError:
                pass
            try:
                return When(value, date=dt.date.fromisoformat(value.strip()))
            except ValueError:
                pass
        raise self.fail(
            where,
            f'{value!r} is not a date; allowed: a date (2027-09-01), a term ("2027-autumn") '
            'or a term counted from the run\'s first ("first", "first+2")',
        )

    def places(self, raw: Mapping, where: str) -> tuple[float, ...]:
        """Places by age group (``places_under2``, ``places_2``, ``places_3_4``; default 0)."""
        return tuple(
            self.number(raw.get(column, 0), f"{where}.{column}", low=0.0) for column in PLACES
        )

    def location(self, raw: Mapping, where: str) -> dict[str, Any]:
        """A ward code, easting and northing, latitude and longitude, or a postcode."""
        given = {k: raw[k] for k in LOCATION_KEYS if k in raw}
        pairs = [("ward_code",), ("easting", "northing"), ("latitude", "longitude"), ("postcode",)]
        if not any(all(k in given for k in pair) for pair in pairs):
            raise self.fail(
                where,
                "needs a location: ward_code, easting and northing, latitude "
                "and longitude, or a postcode",
            )
        for key in ("easting", "northing", "latitude", "longitude"):
            if key in given:
                given[key] = self.number(given[key], f"{where}.{key}")
        for key in ("ward_code", "postcode"):
            if key in given:
                given[key] = self.text(given[key], f"{where}.{key}")
        return given


# -- the events ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Closure:
    """``[[closures]]``: a provider by URN, or a share of the open providers of some types."""

    where: str
    when: When
    urn: str | None = None
    provider_types: tuple[str, ...] = ()
    share: float | None = None

    @classmethod
    def from_toml(cls, raw: Mapping, where: str, check: Check) -> Closure:
        if "urn" in raw:
            check.keys(raw, where, ["urn", "from"], ["note"])
            urn = check.text(raw["urn"], f"{where}.urn").upper().replace(" ", "")
            return cls(where, urn=urn, when=check.when(raw["from"], f"{where}.from"))
        check.keys(raw, where, ["provider_type", "share", "from"], ["note"])
        kinds = check.texts(raw["provider_type"], f"{where}.provider_type", PROVIDER_TYPES)
        share = check.number(raw["share"], f"{where}.share", low=0.0, high=1.0)
        when = check.when(raw["from"], f"{where}.from")
        return cls(where, when=when, provider_types=tuple(kinds), share=share)


@dataclass(frozen=True)
class Opening:
    """``[[openings]]``: a new setting, its places by age group, location and opening pattern."""

    where: str
    number: int  # 1 for the first opening of the file: it makes the default URN
    when: When
    name: str
    urn: str | None
    provider_type: str
    places: tuple[float, ...]  # in the order of PLACES
    hours_per_day: float
    days_per_week: float
    weeks_per_year: float
    location: Mapping[str, Any]
    staff_total: float = np.nan
    staff_level6: float = np.nan

    @classmethod
    def from_toml(cls, raw: Mapping, where: str, number: int, check: Check) -> Opening:
        optional = [
            "name",
            "urn",
            "provider_type",
            *PLACES,
            "hours_per_day",
            "days_per_week",
            "weeks_per_year",
            "staff_total",
            "staff_level6",
            "note",
            *LOCATION_KEYS,
        ]
        check.keys(raw, where, ["from"], optional)
        places = check.places(raw, where)
        if sum(places) <= 0:
            raise check.fail(where, f"a new setting needs places: give {', '.join(PLACES)}")
        name = check.text(raw.get("name", "new setting"), f"{where}.name")
        urn = check.text(raw["urn"], f"{where}.urn").upper() if "urn" in raw else None
        kind = check.text(
            raw.get("provider_type", "day_nursery"), f"{where}.provider_type", PROVIDER_TYPES
        )
        pattern = {
            key: check.number(raw.get(key, default), f"{where}.{key}", above=0.0, high=most)
            for key, default, most in [
                ("hours_per_day", 10, 24),
                ("days_per_week", 5, 7),
                ("weeks_per_year", 51, 52),
            ]
        }
        location = check.location(raw, where)
        when = check.when(raw["from"], f"{where}.from")
        staff = {
            key: check.number(raw[key], f"{where}.{key}", low=0.0)
            for key in ("staff_total", "staff_level6")
            if key in raw
        }
        return cls(
            where,
            number,
            when=when,
            name=name,
            urn=urn,
            provider_type=kind,
            places=places,
            location=location,
            **pattern,
            **staff,
        )


@dataclass(frozen=True)
class Expansion:
    """``[[expansions]]``: places added at a provider, by age group or as a total to split."""

    where: str
    number: int  # 1 for the first expansion of the file: it makes the added row's URN
    when: When
    urn: str
    places: tuple[float, ...] | None  # by age group, or None for a total
    total: float | None

    @classmethod
    def from_toml(cls, raw: Mapping, where: str, number: int, check: Check) -> Expansion:
        check.keys(raw, where, ["urn", "from"], ["places", *PLACES, "note"])
        by_group = any(column in raw for column in PLACES)
        if by_group == ("places" in raw):
            raise check.fail(where, f"give either places (a total) or {', '.join(PLACES)}")
        urn = check.text(raw["urn"], f"{where}.urn").upper().replace(" ", "")
        places = check.places(raw, where) if by_group else None
        total = check.number(raw["places"], f"{where}.places", above=0.0) if not by_group else None
        when = check.when(raw["from"], f"{where}.from")
        return cls(where, number, when=when, urn=urn, places=places, total=total)


@dataclass(frozen=True)
class Planned:
    """``[planned]``: the returns' planned places delayed, cut to a share, or dated."""

    delay_terms: int | None = None
    share: float | None = None
    undated_from: When | None = None

    @classmethod
    def from_toml(cls, raw: Any, check: Check) -> Planned | None:
        raw = check.table(raw, "planned")
        check.keys(raw, "planned", [], ["delay_terms", "share", "undated_from", "note"])
        planned = cls(
            delay_terms=check.integer(raw["delay_terms"], "planned.delay_terms")
            if "delay_terms" in raw
            else None,
            share=check.number(raw["share"], "planned.share", low=0.0, high=1.0)
            if "share" in raw
            else None,
            undated_from=check.when(raw["undated_from"], "planned.undated_from")
            if "undated_from" in raw
            else None,
        )
        return None if planned == cls() else planned


@dataclass(frozen=True)
class HousingSite:
    """One row of ``[[housing.sites]]``: a site's dwellings completing in a year."""

    site_id: str
    site_name: str
    year: int
    dwellings: float
    dwelling_type: str
    location: Mapping[str, Any]

    @classmethod
    def from_toml(cls, raw: Mapping, where: str, check: Check) -> HousingSite:
        check.keys(
            raw,
            where,
            ["site_id", "year", "dwellings", "dwelling_type"],
            ["site_name", *LOCATION_KEYS],
        )
        return cls(
            site_id=str(raw["site_id"]),
            site_name=str(raw.get("site_name", raw["site_id"])),
            year=check.integer(raw["year"], f"{where}.year", low=1900),
            dwellings=check.number(raw["dwellings"], f"{where}.dwellings", low=0.0),
            dwelling_type=check.text(
                raw["dwelling_type"], f"{where}.dwelling_type", ("house", "flat")
            ),
            location=check.location(raw, where),
        )

    def row(self) -> dict[str, Any]:
        """The site as a row like ``housing.csv``'s (its location keys as given)."""
        return {
            "site_id": self.site_id,
            "site_name": self.site_name,
            "year": self.year,
            "dwellings": self.dwellings,
            "dwelling_type": self.dwelling_type,
            **self.location,
        }


@dataclass(frozen=True)
class Housing:
    """``[housing]``: the trajectory delivered at a rate, and extra sites delivered in full."""

    delivery_rate: float | None = None
    sites: tuple[HousingSite, ...] = ()

    @classmethod
    def from_toml(cls, raw: Any, check: Check) -> Housing | None:
        raw = check.table(raw, "housing")
        check.keys(raw, "housing", [], ["delivery_rate", "sites"])
        rate = None
        if "delivery_rate" in raw:
            if is_distribution(raw["delivery_rate"]):
                raise check.fail(
                    "housing.delivery_rate",
                    "give a number: distributions are allowed in [parameters] only",
                )
            rate = check.number(raw["delivery_rate"], "housing.delivery_rate", low=0.0, high=2.0)
        sites = tuple(
            HousingSite.from_toml(site, f"housing.sites[{i}]", check)
            for i, site in enumerate(check.tables(raw.get("sites", []), "housing.sites"))
        )
        housing = cls(delivery_rate=rate, sites=sites)
        return None if housing == cls() else housing


@dataclass(frozen=True)
class Births:
    """``[births]``: a growth rate (a parameter), or projected births from a file or rows."""

    growth: float | None = None
    projected_file: Path | None = None  # beside the scenario file unless absolute
    projected_rows: tuple[Mapping[str, Any], ...] | None = None  # ward_code, year, month, births

    @property
    def projected(self) -> bool:
        return self.projected_file is not None or self.projected_rows is not None

    @classmethod
    def from_toml(cls, raw: Any, check: Check, folder: Path | None) -> Births | None:
        raw = check.table(raw, "births")
        check.keys(raw, "births", [], ["growth", "projected"])
        growth = (
            # births_growth is a number, so check_value gives a float.
            cast(
                float,
                check_value(
                    "births_growth", raw["growth"], source=f"{check.source}: births.growth"
                ),
            )
            if "growth" in raw
            else None
        )
        value = raw.get("projected")
        if isinstance(value, str):
            path = Path(value)
            if not path.is_absolute() and folder is not None:
                path = folder / path
            births = cls(growth, projected_file=path)
        elif value is not None:
            births = cls(growth, projected_rows=_projected_rows(value, check))
        else:
            births = cls(growth)
        return None if births == cls() else births


def _projected_rows(value: Any, check: Check) -> tuple[dict[str, Any], ...]:
    rows = []
    for i, row in enumerate(check.tables(value, "births.projected")):
        where = f"births.projected[{i}]"
        check.keys(row, where, ["year", "births"], ["ward_code", "month"])
        rows.append(
            {
                "ward_code": check.text(row["ward_code"], f"{where}.ward_code")
                if "ward_code" in row
                else None,
                "year": check.integer(row["year"], f"{where}.year", low=1900),
                "month": check.integer(row["month"], f"{where}.month", low=1)
                if "month" in row
                else None,
                "births": check.number(row["births"], f"{where}.births", low=0.0),
            }
        )
    return tuple(rows)


@dataclass(frozen=True)
class Workforce:
    """``[workforce]``: staff vacancy rates by provider type from a date."""

    where: str  # as the run's checks name it: "workforce", or "workforce[i]" of several
    when: When
    rates: Mapping[str, float]

    @classmethod
    def from_toml(cls, raw: Mapping, where: str, named: str, check: Check) -> Workforce:
        check.keys(
            raw, where, [], ["staff_vacancy_rate", "provider_types", "by_type", "from", "note"]
        )
        if ("staff_vacancy_rate" in raw) == ("by_type" in raw):
            raise check.fail(
                where,
                "give staff_vacancy_rate (with optional provider_types) or by_type, one of them",
            )
        if "by_type" in raw:
            table = check.table(raw["by_type"], f"{where}.by_type")
            rates = {}
            for kind, rate in table.items():
                check.text(kind, f"{where}.by_type", PROVIDER_TYPES)
                rates[kind] = check.number(rate, f"{where}.by_type.{kind}", low=0.0, high=0.99)
        else:
            rate = check.number(
                raw["staff_vacancy_rate"], f"{where}.staff_vacancy_rate", low=0.0, high=0.99
            )
            kinds = check.texts(
                raw.get("provider_types", list(PROVIDER_TYPES)),
                f"{where}.provider_types",
                PROVIDER_TYPES,
            )
            rates = dict.fromkeys(kinds, rate)
        return cls(named, when=check.when(raw.get("from", "first"), f"{where}.from"), rates=rates)


@dataclass(frozen=True)
class Policy:
    """``[[policy]]``: a change to an entitlement of ``data/entitlements.toml``, or a new one.

    ``parameters`` are the flat keys it sets (``eligibility.<key>``, ``take_up.<key>``) as
    written; :func:`parse_scenario` checks them as ``[parameters]`` keys.
    """

    where: str
    entitlement: str
    hours: float | None = None
    hours_from: When | None = None
    start: When | None = None
    end: When | None = None
    age_group: str | None = None
    label: str | None = None
    top_up: str | None = None
    replaces: tuple[str, ...] = ()
    eligibility: str | None = None  # "all", or the entitlement's own eligibility key
    take_up: bool = False  # a take-up is given
    parameters: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def from_toml(cls, raw: Mapping, where: str, check: Check) -> Policy:
        check.keys(raw, where, ["entitlement"], POLICY_KEYS[1:])
        key = check.text(raw["entitlement"], f"{where}.entitlement")
        if not _ENTITLEMENT_RE.match(key):
            raise check.fail(
                f"{where}.entitlement", f"{key!r}: use lower-case letters, digits and _"
            )
        if ("hours" in raw) != ("from" in raw):
            raise check.fail(where, "hours and from go together: the hours a week from a date")
        given = _rule_changes(raw, where, check)
        parameters = []
        if "eligibility" in raw:
            given["eligibility"] = "all" if raw["eligibility"] == "all" else key
            if raw["eligibility"] != "all":
                parameters.append((f"eligibility.{key}", raw["eligibility"]))
        if "take_up" in raw:
            parameters.append((f"take_up.{key}", raw["take_up"]))
            given["take_up"] = True
        return cls(where, key, parameters=tuple(parameters), **given)


def _rule_changes(raw: Mapping, where: str, check: Check) -> dict[str, Any]:
    """The fields of a :class:`Policy` that change the rule itself, checked in the file's terms."""
    given: dict[str, Any] = {}
    if "hours" in raw:
        given["hours"] = check.number(raw["hours"], f"{where}.hours", low=0.0, high=60.0)
    for name, attribute in (("from", "hours_from"), ("start", "start"), ("end", "end")):
        if name in raw:
            given[attribute] = check.when(raw[name], f"{where}.{name}")
    if "age_group" in raw:
        given["age_group"] = check.text(raw["age_group"], f"{where}.age_group", AGE_GROUPS)
    for name in ("label", "top_up"):
        if name in raw:
            given[name] = check.text(raw[name], f"{where}.{name}")
    if "replaces" in raw:
        if "from" not in raw:
            raise check.fail(f"{where}.replaces", "needs from: the date the others end")
        given["replaces"] = tuple(check.texts(raw["replaces"], f"{where}.replaces"))
    return given


Event = Closure | Opening | Expansion | Planned | Housing | Births | Workforce | Policy


# -- the scenario ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    """A checked scenario file. ``parameters`` are flat keys at their central values."""

    name: str
    description: str
    source: str = "(no file)"
    folder: Path | None = None
    seed: int = 0
    parameters: Mapping[str, float | bool] = field(default_factory=dict)
    distributions: Mapping[str, Distribution] = field(default_factory=dict)
    ward_parameters: tuple[tuple[str, str, float], ...] = ()
    closures: tuple[Closure, ...] = ()
    openings: tuple[Opening, ...] = ()
    expansions: tuple[Expansion, ...] = ()
    planned: Planned | None = None
    housing: Housing | None = None
    births: Births | None = None
    workforce: tuple[Workforce, ...] = ()
    policy: tuple[Policy, ...] = ()

    def events(self) -> tuple[Event, ...]:
        """Every event in the order they are applied: policy, births, housing, planned places,
        closures, openings, expansions, workforce."""
        once = [e for e in (self.births, self.housing, self.planned) if e is not None]
        return (
            *self.policy,
            *once,
            *self.closures,
            *self.openings,
            *self.expansions,
            *self.workforce,
        )


BASELINE = Scenario(name="baseline", description="The area's own returns and parameters.")


def read_scenario(path: str | Path) -> Scenario:
    """Read and check a scenario TOML file (the area-dependent checks come in ``apply``)."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text("utf-8-sig"))
    except FileNotFoundError:
        raise ParameterError(f"{path}: no such scenario file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ParameterError(f"{path}: cannot be read ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ParameterError(f"{path}: not valid TOML ({exc})") from None
    return parse_scenario(data, source=str(path), folder=path.parent)


def parse_scenario(
    data: Mapping[str, Any], *, source: str = "scenario", folder: Path | None = None
) -> Scenario:
    """Check a scenario's TOML structure; raise :class:`ParameterError` at the first problem."""
    check = Check(source)
    name, description, seed = _heading(data, check)
    values, dists = _parameters(data.get("parameters", {}), check)
    births = Births.from_toml(data.get("births", {}), check, folder)
    if births is not None and births.growth is not None:
        if "births_growth" in values:
            raise check.fail(
                "births.growth", "births_growth is also set in [parameters]; give it once"
            )
        values["births_growth"] = births.growth
    policy = []
    for i, raw in enumerate(check.tables(data.get("policy", []), "policy")):
        change = Policy.from_toml(raw, f"policy[{i}]", check)
        for key, value in change.parameters:
            _parameter_value(key, value, check, values, dists)
        policy.append(change)
    return Scenario(
        name=name,
        description=" ".join(description.split()),
        source=source,
        folder=folder,
        seed=seed,
        parameters=values,
        distributions=dists,
        ward_parameters=_ward_parameters(data.get("ward_parameters", {}), check),
        closures=tuple(
            Closure.from_toml(c, f"closures[{i}]", check)
            for i, c in enumerate(check.tables(data.get("closures", []), "closures"))
        ),
        openings=tuple(
            Opening.from_toml(o, f"openings[{i}]", i + 1, check)
            for i, o in enumerate(check.tables(data.get("openings", []), "openings"))
        ),
        expansions=tuple(
            Expansion.from_toml(e, f"expansions[{i}]", i + 1, check)
            for i, e in enumerate(check.tables(data.get("expansions", []), "expansions"))
        ),
        planned=Planned.from_toml(data.get("planned", {}), check),
        housing=Housing.from_toml(data.get("housing", {}), check),
        births=births,
        workforce=_workforce(data, check),
        policy=tuple(policy),
    )


def _heading(data: Mapping[str, Any], check: Check) -> tuple[str, str, int]:
    """The top-level keys checked, and the name, description and seed."""
    for key in data:
        if key not in TOP_KEYS:
            raise ParameterError(
                f"{check.source}: unknown key {key!r}; allowed: {', '.join(TOP_KEYS)}"
            )
    for key in ("name", "description"):
        if key not in data:
            raise ParameterError(
                f"{check.source}: {key!r} is missing; a scenario needs a name and a description"
            )
    name = check.text(data["name"], "name")
    if not _NAME_RE.match(name):
        raise check.fail("name", f"{name!r}: use letters, digits, '_', '-' or '.' (no spaces)")
    description = check.text(data["description"], "description")
    return name, description, check.integer(data.get("seed", 0), "seed")


def _workforce(data: Mapping[str, Any], check: Check) -> tuple[Workforce, ...]:
    """``[workforce]`` or ``[[workforce]]``; the run names one table "workforce"."""
    tables = check.tables(data.get("workforce", []), "workforce")
    several = isinstance(data.get("workforce"), list)
    return tuple(
        Workforce.from_toml(
            raw,
            f"workforce[{i}]" if several else "workforce",
            "workforce" if len(tables) == 1 else f"workforce[{i}]",
            check,
        )
        for i, raw in enumerate(tables)
    )


def _parameter_value(key: str, value: Any, check: Check, values: dict, dists: dict) -> None:
    where = f"[parameters] {key}"
    if is_distribution(value):
        dist = parse_distribution(value, key=key, source=check.source, bounds=key_bounds(key))
        values[key] = check_value(key, dist.central, source=f"{check.source}: {where}")
        dists[key] = dist
    else:
        values[key] = check_value(key, value, source=f"{check.source}: {where}")


def _parameters(raw: Any, check: Check) -> tuple[dict[str, Any], dict[str, Distribution]]:
    """Flat central values and the distributions given, from ``[parameters]``."""
    raw = check.table(raw, "parameters")
    plain: dict[str, Any] = {}
    for key, value in raw.items():
        if is_distribution(value):
            plain[key] = 0.0  # a placeholder: flatten() only checks the key is known
        elif isinstance(value, Mapping):
            plain[key] = {k: 0.0 if is_distribution(v) else v for k, v in value.items()}
        else:
            plain[key] = value
    known = flatten(plain, source=f"{check.source} [parameters]")
    values: dict[str, Any] = {}
    dists: dict[str, Distribution] = {}
    for key in known:
        section, _, name = key.partition(".")
        value = raw[key] if key in raw else raw[section][name]
        _parameter_value(key, value, check, values, dists)
    return values, dists


def _ward_parameters(raw: Any, check: Check) -> tuple[tuple[str, str, float], ...]:
    """``[ward_parameters.<ward_code>.<section>] name = value`` as (ward, key, value) rows."""
    from ..parameters import default_table

    raw = check.table(raw, "ward_parameters")
    allowed = {k for k in default_table() if k.split(".", 1)[0] in WARD_SECTIONS}
    rows = []
    for ward, table in raw.items():
        where = f"[ward_parameters.{ward}]"
        table = check.table(table, where)
        for key, value in flatten(table, source=f"{check.source} {where}", allowed=allowed).items():
            if is_distribution(value):
                raise check.fail(
                    f"{where} {key}",
                    "give a number: ward values are not drawn "
                    "(they move with the LA-wide value's draws)",
                )
            number = check_value(key, value, source=f"{check.source}: {where} {key}")
            rows.append((str(ward), key, float(number)))
    return tuple(rows)
