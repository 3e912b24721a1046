"""Scenarios: a TOML file of parameter overrides and dated events, read, checked and applied.

A scenario changes the model's *inputs*, never the model: it is applied to an area's tables, the
parameters and the entitlement rules before :func:`~sufficiency.assess.assess` runs, so every
scenario goes through the one pipeline. A file (see ``scenarios/README.md`` for every key)::

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

How each event is applied (the choices):

* **When.** ``from`` is a date (``2027-02-15``), a term (``"2027-summer"``) or a term counted
  from the run's first forecast term (``"first"``, ``"first+2"``; the shipped scenarios use these
  so they fit any area). An event dated ``d`` takes effect from the first term starting on or
  after ``d``, as METHOD.md step 6 says of closures and openings. A date must fall after the
  latest return's term start and on or before the last term's start.
* **Closures** set ``status = closed`` and ``status_date`` on the provider's latest return. A
  share of a type closes ``round(share x n)`` of its ``n`` open providers (halves round up),
  chosen by a seeded random permutation of the URNs in order (``seed``, default 0; successive
  share events never pick a provider already closed).
* **Openings** (new settings) add a return row with ``status = new`` at the latest return's term,
  its places by age group, its location (ward code, easting/northing, latitude/longitude or a
  postcode of the area's lookup) and opening pattern (default 10 hours a day, 5 days a week).
* **Expansions** of a provider add a ``new`` row at the same place for the added places (by age
  group, or a total split in proportion to the places it offers now), so one provider may have
  several; added places are taken to come with their staff (no workforce adjustment).
* **Planned** places in the returns (``new`` settings, positive ``planned_places_change``):
  ``delay_terms`` moves each date on by that many terms, ``share`` delivers only that share of
  the places, ``undated_from`` counts planned changes given without a date from a term (the
  baseline leaves them out).
* **Housing**: ``delivery_rate`` scales every dwelling of the area's trajectory; extra ``sites``
  (one row per site and year, like ``housing.csv``) are added after it, in full.
* **Births**: ``growth`` sets ``births_growth``; ``projected`` (a CSV file beside the scenario, or
  rows) gives births for years after the last observed one, by ward or LA-wide (spread over
  wards in proportion to the last observed year's births) and spread evenly over months. They
  replace the carried-forward births; new housing still counts from the last *observed* year.
* **Workforce**: a staff vacancy rate ``r`` (the share of posts vacant), for every provider or by
  type: from its date each provider's staff in post becomes ``posts x (1 - r)``, where ``posts =
  staff_total + staff_vacancies`` of its latest return. It is applied as a copy of the return
  made at that term, so ``workforce.py`` then reduces places staff cannot cover at the ratios.
  A childminder is herself the staff: leave ``childminder`` out of ``provider_types`` unless
  assistants are meant.
* **Policy** changes a rule of ``data/entitlements.toml`` (its hours from a date, its start or end,
  its age group, its eligibility share or take-up) or adds an entitlement, which needs an age
  group, hours, a date, an eligibility share (or ``"all"``) and a take-up. ``replaces`` ends other
  entitlements on the same date (30 hours for all 2-year-olds replaces the 2-year-old offers).

Everything is checked before anything runs: an unknown key, a wrong type, an impossible value, a
URN or ward the area does not have, a date outside the run, or eligibility shares of one age
group adding to more than 1 is a :class:`~sufficiency.errors.ParameterError` naming the file, the
key and what is allowed.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import geography
from ..area import Area
from ..entitlements import Entitlement, default_rules
from ..errors import InputError, ParameterError
from ..parameters import WARD_SECTIONS, Parameters, check_value, flatten
from ..returns.reader import PLACES, PROVIDER_TYPES, RETURN_COLUMNS
from ..terms import AGE_GROUPS, Term, run_window
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
EVENTS = ("closures", "openings", "expansions", "housing", "births", "workforce", "policy")
SCENARIO_SOURCE = "scenario:"  # source_file of return rows a scenario added
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_FIRST_RE = re.compile(r"^\s*first\s*(?:\+\s*(\d+))?\s*$", re.IGNORECASE)
LOCATION_KEYS = ("ward_code", "easting", "northing", "latitude", "longitude", "postcode")


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
        term = self.term if self.term is not None else first + int(self.offset)
        return term.start, term


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
    closures: tuple[dict, ...] = ()
    openings: tuple[dict, ...] = ()
    expansions: tuple[dict, ...] = ()
    planned: Mapping[str, Any] = field(default_factory=dict)
    housing: Mapping[str, Any] = field(default_factory=dict)
    births: Mapping[str, Any] = field(default_factory=dict)
    workforce: tuple[dict, ...] = ()
    policy: tuple[dict, ...] = ()


BASELINE = Scenario(name="baseline", description="The area's own returns and parameters.")


@dataclass
class Applied:
    """A scenario applied: the inputs ``assess`` runs on, and what the scenario did."""

    scenario: Scenario
    area: Area
    parameters: Parameters
    rules: tuple[Entitlement, ...]
    notes: list[str] = field(default_factory=list)


# -- reading and checking the file -----------------------------------------------------------


class _Check:
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
            span = f"from {low:g}" if high is None else f"from {low:g} to {high:g}"
            raise self.fail(where, f"must be {span} (found {value:g})")
        if above is not None and value <= above:
            raise self.fail(where, f"must be above {above:g} (found {value:g})")
        return value

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


def read_scenario(path: str | Path) -> Scenario:
    """Read and check a scenario TOML file (the area-dependent checks come in :func:`apply`)."""
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
    check = _Check(source)
    for key in data:
        if key not in TOP_KEYS:
            raise ParameterError(f"{source}: unknown key {key!r}; allowed: {', '.join(TOP_KEYS)}")
    for key in ("name", "description"):
        if key not in data:
            raise ParameterError(
                f"{source}: {key!r} is missing; a scenario needs a name and a description"
            )
    name = check.text(data["name"], "name")
    if not _NAME_RE.match(name):
        raise check.fail("name", f"{name!r}: use letters, digits, '_', '-' or '.' (no spaces)")
    description = check.text(data["description"], "description")
    seed = check.integer(data.get("seed", 0), "seed")
    values, dists = _parameters(data.get("parameters", {}), check)
    births = _births(data.get("births", {}), check)
    if "growth" in births:
        if "births_growth" in values:
            raise check.fail(
                "births.growth", "births_growth is also set in [parameters]; give it once"
            )
        values["births_growth"] = births["growth"]
    policy = tuple(
        _policy(p, f"policy[{i}]", check, values, dists)
        for i, p in enumerate(check.tables(data.get("policy", []), "policy"))
    )
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
            _closure(c, f"closures[{i}]", check)
            for i, c in enumerate(check.tables(data.get("closures", []), "closures"))
        ),
        openings=tuple(
            _opening(o, f"openings[{i}]", check)
            for i, o in enumerate(check.tables(data.get("openings", []), "openings"))
        ),
        expansions=tuple(
            _expansion(e, f"expansions[{i}]", check)
            for i, e in enumerate(check.tables(data.get("expansions", []), "expansions"))
        ),
        planned=_planned(data.get("planned", {}), check),
        housing=_housing(data.get("housing", {}), check),
        births=births,
        workforce=tuple(
            _workforce(
                w, f"workforce[{i}]" if isinstance(data["workforce"], list) else "workforce", check
            )
            for i, w in enumerate(check.tables(data.get("workforce", []), "workforce"))
        ),
        policy=policy,
    )


def _parameter_value(key: str, value: Any, check: _Check, values: dict, dists: dict) -> None:
    where = f"[parameters] {key}"
    if is_distribution(value):
        dist = parse_distribution(value, key=key, source=check.source, bounds=key_bounds(key))
        values[key] = check_value(key, dist.central, source=f"{check.source}: {where}")
        dists[key] = dist
    else:
        values[key] = check_value(key, value, source=f"{check.source}: {where}")


def _parameters(raw: Any, check: _Check) -> tuple[dict[str, Any], dict[str, Distribution]]:
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


def _ward_parameters(raw: Any, check: _Check) -> tuple[tuple[str, str, float], ...]:
    """``[ward_parameters.<ward_code>.<section>] name = value`` as (ward, key, value) rows."""
    raw = check.table(raw, "ward_parameters")
    allowed = {k for k in _default_keys() if k.split(".", 1)[0] in WARD_SECTIONS}
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


def _default_keys() -> set[str]:
    from ..parameters import default_table

    return set(default_table())


def _closure(raw: Mapping, where: str, check: _Check) -> dict:
    if "urn" in raw:
        check.keys(raw, where, ["urn", "from"], ["note"])
        urn = check.text(raw["urn"], f"{where}.urn").upper().replace(" ", "")
        return {"urn": urn, "when": check.when(raw["from"], f"{where}.from")}
    check.keys(raw, where, ["provider_type", "share", "from"], ["note"])
    return {
        "provider_type": check.texts(
            raw["provider_type"], f"{where}.provider_type", PROVIDER_TYPES
        ),
        "share": check.number(raw["share"], f"{where}.share", low=0.0, high=1.0),
        "when": check.when(raw["from"], f"{where}.from"),
    }


def _places(raw: Mapping, where: str, check: _Check) -> np.ndarray:
    return np.array(
        [check.number(raw.get(column, 0), f"{where}.{column}", low=0.0) for column in PLACES]
    )


def _location(raw: Mapping, where: str, check: _Check) -> dict:
    given = {k: raw[k] for k in LOCATION_KEYS if k in raw}
    pairs = [("ward_code",), ("easting", "northing"), ("latitude", "longitude"), ("postcode",)]
    if not any(all(k in given for k in pair) for pair in pairs):
        raise check.fail(
            where,
            "needs a location: ward_code, easting and northing, latitude "
            "and longitude, or a postcode",
        )
    for key in ("easting", "northing", "latitude", "longitude"):
        if key in given:
            given[key] = check.number(given[key], f"{where}.{key}")
    for key in ("ward_code", "postcode"):
        if key in given:
            given[key] = check.text(given[key], f"{where}.{key}")
    return given


def _opening(raw: Mapping, where: str, check: _Check) -> dict:
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
    places = _places(raw, where, check)
    if places.sum() <= 0:
        raise check.fail(where, f"a new setting needs places: give {', '.join(PLACES)}")
    out = {
        "name": check.text(raw.get("name", "new setting"), f"{where}.name"),
        "urn": check.text(raw["urn"], f"{where}.urn").upper() if "urn" in raw else None,
        "provider_type": check.text(
            raw.get("provider_type", "day_nursery"), f"{where}.provider_type", PROVIDER_TYPES
        ),
        "places": places,
        "hours_per_day": check.number(
            raw.get("hours_per_day", 10), f"{where}.hours_per_day", above=0.0, high=24
        ),
        "days_per_week": check.number(
            raw.get("days_per_week", 5), f"{where}.days_per_week", above=0.0, high=7
        ),
        "weeks_per_year": check.number(
            raw.get("weeks_per_year", 51), f"{where}.weeks_per_year", above=0.0, high=52
        ),
        "location": _location(raw, where, check),
        "when": check.when(raw["from"], f"{where}.from"),
    }
    for key in ("staff_total", "staff_level6"):
        out[key] = check.number(raw[key], f"{where}.{key}", low=0.0) if key in raw else np.nan
    return out


def _expansion(raw: Mapping, where: str, check: _Check) -> dict:
    check.keys(raw, where, ["urn", "from"], ["places", *PLACES, "note"])
    by_group = any(column in raw for column in PLACES)
    if by_group == ("places" in raw):
        raise check.fail(where, f"give either places (a total) or {', '.join(PLACES)}")
    return {
        "urn": check.text(raw["urn"], f"{where}.urn").upper().replace(" ", ""),
        "places": _places(raw, where, check) if by_group else None,
        "total": check.number(raw["places"], f"{where}.places", above=0.0)
        if "places" in raw
        else None,
        "when": check.when(raw["from"], f"{where}.from"),
    }


def _planned(raw: Any, check: _Check) -> dict:
    raw = check.table(raw, "planned")
    check.keys(raw, "planned", [], ["delay_terms", "share", "undated_from", "note"])
    out: dict[str, Any] = {}
    if "delay_terms" in raw:
        out["delay_terms"] = check.integer(raw["delay_terms"], "planned.delay_terms")
    if "share" in raw:
        out["share"] = check.number(raw["share"], "planned.share", low=0.0, high=1.0)
    if "undated_from" in raw:
        out["undated_from"] = check.when(raw["undated_from"], "planned.undated_from")
    return out


def _housing(raw: Any, check: _Check) -> dict:
    raw = check.table(raw, "housing")
    check.keys(raw, "housing", [], ["delivery_rate", "sites"])
    out: dict[str, Any] = {}
    if "delivery_rate" in raw:
        if is_distribution(raw["delivery_rate"]):
            raise check.fail(
                "housing.delivery_rate",
                "give a number: distributions are allowed in [parameters] only",
            )
        out["delivery_rate"] = check.number(
            raw["delivery_rate"], "housing.delivery_rate", low=0.0, high=2.0
        )
    sites = []
    for i, site in enumerate(check.tables(raw.get("sites", []), "housing.sites")):
        where = f"housing.sites[{i}]"
        check.keys(
            site,
            where,
            ["site_id", "year", "dwellings", "dwelling_type"],
            ["site_name", *LOCATION_KEYS],
        )
        sites.append(
            {
                "site_id": str(site["site_id"]),
                "site_name": str(site.get("site_name", site["site_id"])),
                "year": check.integer(site["year"], f"{where}.year", low=1900),
                "dwellings": check.number(site["dwellings"], f"{where}.dwellings", low=0.0),
                "dwelling_type": check.text(
                    site["dwelling_type"], f"{where}.dwelling_type", ("house", "flat")
                ),
                **_location(site, where, check),
            }
        )
    out["sites"] = sites
    return out


def _births(raw: Any, check: _Check) -> dict:
    raw = check.table(raw, "births")
    check.keys(raw, "births", [], ["growth", "projected"])
    out: dict[str, Any] = {}
    if "growth" in raw:
        out["growth"] = check_value(
            "births_growth", raw["growth"], source=f"{check.source}: births.growth"
        )
    if "projected" in raw:
        value = raw["projected"]
        if isinstance(value, str):
            out["projected_file"] = value
        else:
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
            out["projected_rows"] = rows
    return out


def _workforce(raw: Mapping, where: str, check: _Check) -> dict:
    check.keys(raw, where, [], ["staff_vacancy_rate", "provider_types", "by_type", "from", "note"])
    if ("staff_vacancy_rate" in raw) == ("by_type" in raw):
        raise check.fail(
            where, "give staff_vacancy_rate (with optional provider_types) or by_type, one of them"
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
    return {"rates": rates, "when": check.when(raw.get("from", "first"), f"{where}.from")}


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


def _policy(raw: Mapping, where: str, check: _Check, values: dict, dists: dict) -> dict:
    check.keys(raw, where, ["entitlement"], POLICY_KEYS[1:])
    key = check.text(raw["entitlement"], f"{where}.entitlement")
    if not re.match(r"^[a-z][a-z0-9_]*$", key):
        raise check.fail(f"{where}.entitlement", f"{key!r}: use lower-case letters, digits and _")
    out: dict[str, Any] = {"entitlement": key, "where": where}
    if ("hours" in raw) != ("from" in raw):
        raise check.fail(where, "hours and from go together: the hours a week from a date")
    if "hours" in raw:
        out["hours"] = check.number(raw["hours"], f"{where}.hours", low=0.0, high=60.0)
    for name in ("from", "start", "end"):
        if name in raw:
            out[name] = check.when(raw[name], f"{where}.{name}")
    if "age_group" in raw:
        out["age_group"] = check.text(raw["age_group"], f"{where}.age_group", AGE_GROUPS)
    for name in ("label", "top_up"):
        if name in raw:
            out[name] = check.text(raw[name], f"{where}.{name}")
    if "replaces" in raw:
        if "from" not in raw:
            raise check.fail(f"{where}.replaces", "needs from: the date the others end")
        out["replaces"] = check.texts(raw["replaces"], f"{where}.replaces")
    if "eligibility" in raw:
        value = raw["eligibility"]
        if value == "all":
            out["eligibility"] = "all"
        else:
            out["eligibility"] = key
            _parameter_value(f"eligibility.{key}", value, check, values, dists)
    if "take_up" in raw:
        _parameter_value(f"take_up.{key}", raw["take_up"], check, values, dists)
        out["take_up"] = True
    return out


# -- applying it to an area ------------------------------------------------------------------


@dataclass(frozen=True)
class _Run:
    """The run an event must fall in: after the latest return, up to the last term."""

    latest: Term
    first: Term
    last: Term


def _run(area: Area, first_term: Term | str | None, last_term: Term | str | None) -> _Run:
    """The latest observed return's term and the run's first and last terms (as ``assess``)."""
    from ..assess import latest_return

    latest = latest_return(area.returns)
    first = Term.parse(first_term) if isinstance(first_term, str) else first_term
    last = Term.parse(last_term) if isinstance(last_term, str) else last_term
    terms = run_window(latest, first, last)
    return _Run(latest, terms[0], terms[-1])


def apply(
    scenario: Scenario,
    area: Area,
    parameters: Parameters,
    rules: tuple[Entitlement, ...] | None = None,
    *,
    first_term: Term | str | None = None,
    last_term: Term | str | None = None,
) -> Applied:
    """The area, parameters and rules with the scenario's changes; nothing is modified in place.

    Raises :class:`ParameterError` (naming the scenario file and the key) for anything that does
    not fit the area or the run.
    """
    rules = default_rules() if rules is None else rules
    run = _run(area, first_term, last_term)
    check = _Check(scenario.source)
    notes: list[str] = []
    params = parameters
    if scenario.parameters:
        params = _override(params, scenario.parameters, scenario.source)
    rules, params = _apply_policy(scenario, rules, params, run, check, notes)
    returns = area.returns.copy()
    births, projected_note = _apply_births(scenario, area, run, check)
    if projected_note:
        notes.append(projected_note)
    housing = _apply_housing(scenario, area, run, check, notes)
    returns = _apply_planned(scenario, returns, run, check, notes)
    returns = _apply_closures(scenario, returns, run, check, notes)
    returns = _apply_openings(scenario, returns, area, run, check, notes)
    returns = _apply_workforce(scenario, returns, run, check, notes)
    ward_parameters = _apply_ward_parameters(scenario, area, check)
    returns = returns.sort_values(["term_index", "urn"], kind="stable").reset_index(drop=True)
    new_area = replace(
        area,
        returns=returns,
        births=births,
        housing=housing,
        ward_parameters=ward_parameters,
        notes=[*area.notes, *(f"scenario {scenario.name}: {n}" for n in notes)],
    )
    _check_shares(rules, params, new_area, run, check)
    return Applied(scenario=scenario, area=new_area, parameters=params, rules=rules, notes=notes)


def _override(params: Parameters, values: Mapping[str, Any], source: str) -> Parameters:
    """Parameters with flat keys replaced; keys new to the defaults (a new entitlement's) added."""
    new = dict(params.values)
    new.update(values)
    return replace(params, values=new, sources=(*params.sources, source))


def _in_run(when: When, run: _Run, check: _Check, where: str) -> tuple[dt.date, Term]:
    day, term = when.resolve(run.first)
    if not run.latest.start < day <= run.last.start:
        raise check.fail(
            where,
            f"{when.text} is outside the run; allowed: a date after {run.latest.start} (the "
            f"{run.latest} return) up to {run.last.start}, a term from {run.latest + 1} to "
            f"{run.last}, or first+N up to first+{run.last - run.first}",
        )
    return day, term


def _apply_policy(
    scenario: Scenario,
    rules: tuple[Entitlement, ...],
    params: Parameters,
    run: _Run,
    check: _Check,
    notes: list[str],
):
    table = {rule.key: rule for rule in rules}
    for change in scenario.policy:
        where, key = change["where"], change["entitlement"]
        rule = table.get(key)
        if rule is None:
            needed = [
                k for k in ("age_group", "hours", "eligibility", "take_up") if k not in change
            ]
            if needed:
                raise check.fail(
                    where,
                    f"{key!r} is a new entitlement (known: "
                    f"{', '.join(table)}); it needs {', '.join(needed)}",
                )
            rule = Entitlement(
                key=key,
                label=change.get("label", key),
                age_group=change["age_group"],
                eligibility=change["eligibility"],
                steps=(),
            )
            notes.append(f"new entitlement {key} ({rule.label})")
        steps = list(rule.steps)
        if "start" in change:
            day, _ = _in_run(change["start"], run, check, f"{where}.start")
            at = rule.hours_at(day) or (steps[0][1] if steps else 0.0)
            steps = [(day, at), *[(d, h) for d, h in steps if d > day]]
        if "hours" in change:
            day, _ = _in_run(change["from"], run, check, f"{where}.from")
            steps = [*[(d, h) for d, h in steps if d < day], (day, change["hours"])]
        if "end" in change:
            day, _ = _in_run(change["end"], run, check, f"{where}.end")
            steps = [*[(d, h) for d, h in steps if d < day], (day, 0.0)]
        top_up = change.get("top_up", rule.top_up)
        if top_up is not None and (top_up not in table or top_up == key):
            raise check.fail(
                f"{where}.top_up",
                f"{top_up!r} is not another entitlement; "
                f"known: {', '.join(k for k in table if k != key)}",
            )
        rule = replace(
            rule,
            label=change.get("label", rule.label),
            age_group=change.get("age_group", rule.age_group),
            eligibility=change.get("eligibility", rule.eligibility),
            steps=tuple(sorted(steps)),
            top_up=top_up,
        )
        if top_up is not None and table[top_up].age_group != rule.age_group:
            raise check.fail(
                f"{where}.top_up",
                f"{top_up} covers {table[top_up].age_group}, "
                f"{key} covers {rule.age_group}: a top-up needs the same age group",
            )
        table[key] = rule
        for other in change.get("replaces", []):
            if other not in table or other == key:
                raise check.fail(
                    f"{where}.replaces",
                    f"{other!r} is not another entitlement; "
                    f"known: {', '.join(k for k in table if k != key)}",
                )
            day, _ = _in_run(change["from"], run, check, f"{where}.from")
            old = table[other]
            table[other] = replace(
                old, steps=(*[(d, h) for d, h in old.steps if d < day], (day, 0.0))
            )
            notes.append(f"{other} ends on {day}, replaced by {key}")
        if f"take_up.{key}" not in params.values:
            raise check.fail(where, f"{key} needs take_up")
        if rule.eligibility != "all" and f"eligibility.{rule.eligibility}" not in params.values:
            raise check.fail(where, f'{key} needs eligibility (a share, or "all")')
    return tuple(table.values()), params


def _projected_table(scenario: Scenario, check: _Check) -> pd.DataFrame:
    """The scenario's projected births as ``ward_code, year, month, births`` (month may be NaN)."""
    spec = scenario.births
    if "projected_rows" in spec:
        return pd.DataFrame(spec["projected_rows"])
    from .._io import numbers, read_table

    path = Path(spec["projected_file"])
    if not path.is_absolute() and scenario.folder is not None:
        path = scenario.folder / path
    try:
        table = read_table(path)
    except (FileNotFoundError, InputError) as exc:
        raise check.fail("births.projected", f"cannot read {path} ({exc})") from None
    if not {"year", "births"} <= set(table.columns):
        raise check.fail(
            "births.projected",
            f"{path} needs columns year, births (and optionally ward_code, month)",
        )
    return pd.DataFrame(
        {
            "ward_code": table["ward_code"] if "ward_code" in table.columns else None,
            "year": numbers(table, "year", file=path, integer=True).astype(int),
            "month": numbers(table, "month", file=path, integer=True)
            if "month" in table.columns
            else np.nan,
            "births": numbers(table, "births", file=path),
        }
    )


def _apply_births(scenario: Scenario, area: Area, run: _Run, check: _Check):
    births = area.births.copy()
    if "projected" not in births.columns:
        births["projected"] = False
    if not ({"projected_file", "projected_rows"} & set(scenario.births)):
        return births, None
    where = "births.projected"
    rows = _projected_table(scenario, check)
    rows["month"] = pd.to_numeric(rows["month"]) if "month" in rows.columns else np.nan
    observed = births[~births["projected"]]
    last_year = int(observed["year"].max())
    years = sorted(rows["year"].unique())
    if years[0] != last_year + 1 or years != list(range(years[0], years[-1] + 1)):
        raise check.fail(
            where,
            f"projected births need every year from {last_year + 1} (the "
            f"year after the last observed births) on, with none missing "
            f"(found {', '.join(map(str, years))})",
        )
    if years[-1] > run.last.year:
        raise check.fail(where, f"year {years[-1]} is after the run's last term ({run.last})")
    if not rows["month"].dropna().between(1, 12).all():
        raise check.fail(where, "month must be 1 to 12")
    known = set(area.ward_codes)
    by_ward = rows["ward_code"].notna()
    bad = sorted(set(rows.loc[by_ward, "ward_code"]) - known)
    if bad:
        raise check.fail(
            where, f"ward {bad[0]} is not in the area; wards are {_some(sorted(known))}"
        )
    if by_ward.any() and not by_ward.all():
        raise check.fail(where, "give every row a ward_code, or none (LA-wide births)")
    # Spread over months (evenly, unless given by month), then over wards (last year's shares).
    monthly = rows[rows["month"].notna()].copy()
    yearly = rows[rows["month"].isna()].drop(columns="month")
    if len(yearly):
        yearly = yearly.assign(births=yearly["births"] / 12.0).merge(
            pd.DataFrame({"month": range(1, 13)}), how="cross"
        )
    rows = pd.concat([monthly, yearly], ignore_index=True)
    if not by_ward.any():
        last = observed[observed["year"] == last_year].groupby("ward_code")["births"].sum()
        share = (last / last.sum()).reindex(area.ward_codes, fill_value=0.0)
        rows = rows.drop(columns="ward_code").merge(
            pd.DataFrame({"ward_code": share.index, "_share": share.to_numpy()}), how="cross"
        )
        rows["births"] = rows["births"] * rows["_share"]
        rows = rows.drop(columns="_share")
    rows = rows.groupby(["ward_code", "year", "month"], as_index=False)["births"].sum()
    rows["month"] = rows["month"].astype(int)
    rows["projected"] = True
    out = pd.concat([observed, rows], ignore_index=True)
    out = out.sort_values(["ward_code", "year", "month"], kind="stable").reset_index(drop=True)
    note = (
        f"projected births {years[0]}-{years[-1]} replace the births carried forward "
        f"({rows['births'].sum():,.0f} in all)"
    )
    return out, note


def _some(items: Sequence[str], n: int = 8) -> str:
    return ", ".join(items[:n]) + (", ..." if len(items) > n else "")


def _locate(rows: pd.DataFrame, area: Area, check: _Check, where: str) -> pd.DataFrame:
    located = geography.locate(rows, area.wards, area.postcodes, file=check.source)
    lost = located["located_by"].to_numpy(dtype=object) == "unlocated"
    if lost.any():
        i = int(np.flatnonzero(lost)[0])
        given = {
            k: rows[k].iloc[i] for k in LOCATION_KEYS if k in rows and pd.notna(rows[k].iloc[i])
        }
        raise check.fail(
            f"{where}[{i}]",
            f"{given} is in no ward of the area; give a ward_code "
            f"({_some(list(area.ward_codes))}) or a point inside the area",
        )
    return located


def _apply_housing(
    scenario: Scenario, area: Area, run: _Run, check: _Check, notes: list[str]
) -> pd.DataFrame | None:
    spec = scenario.housing
    housing = None if area.housing is None else area.housing.copy()
    rate = spec.get("delivery_rate")
    if rate is not None:
        if housing is None or housing.empty:
            notes.append(f"housing delivered at {rate:.0%}: the area has no housing trajectory")
        else:
            housing["dwellings"] = housing["dwellings"] * rate
            notes.append(f"housing trajectory delivered at {rate:.0%}")
    sites = spec.get("sites", [])
    if sites:
        rows = pd.DataFrame(sites)
        for i, year in enumerate(rows["year"]):
            if not run.latest.year <= year <= run.last.year:
                raise check.fail(
                    f"housing.sites[{i}].year",
                    f"{year} is outside the run; allowed: {run.latest.year} to {run.last.year}",
                )
        located = _locate(rows, area, check, "housing.sites")
        extra = pd.DataFrame(
            {
                "site_id": rows["site_id"],
                "site_name": rows["site_name"],
                "year": rows["year"],
                "dwellings": rows["dwellings"],
                "dwelling_type": rows["dwelling_type"],
                "ward_code": located["ward_code"],
                "easting": located["easting"],
                "northing": located["northing"],
            }
        )
        housing = extra if housing is None else pd.concat([housing, extra], ignore_index=True)
        notes.append(f"{len(rows)} extra housing row(s), {rows['dwellings'].sum():,.0f} dwellings")
    return housing


def _latest_rows(returns: pd.DataFrame) -> pd.Series:
    """A mask of each provider's latest return row."""
    last = returns.groupby("urn", sort=False)["term_index"].transform("max")
    return (returns["term_index"] == last).to_numpy()


def _delayed(dates: pd.Series, terms: int) -> pd.Series:
    """Each date moved to the start of the term ``terms`` after the one it counts from."""
    return dates.map(
        lambda d: pd.Timestamp((Term.starting_on_or_after(d.date()) + terms).start),
        na_action="ignore",
    ).astype(dates.dtype)


def _apply_planned(
    scenario: Scenario, returns: pd.DataFrame, run: _Run, check: _Check, notes: list[str]
) -> pd.DataFrame:
    """Planned places in the returns (new settings, added places): delayed, cut or dated."""
    spec = scenario.planned
    if not spec:
        return returns
    latest = _latest_rows(returns)
    start = pd.Timestamp(run.latest.start)
    new = latest & (returns["status"].eq("new") & returns["status_date"].gt(start)).to_numpy()
    change = returns["planned_places_change"].fillna(0.0)
    added = latest & change.gt(0).to_numpy()
    if "undated_from" in spec:
        day, term = _in_run(spec["undated_from"], run, check, "planned.undated_from")
        undated = added & returns["planned_change_date"].isna().to_numpy()
        returns.loc[undated, "planned_change_date"] = pd.Timestamp(day)
        notes.append(
            f"{int(undated.sum())} undated planned change(s) of places counted from {term}"
        )
    dated = added & returns["planned_change_date"].gt(start).to_numpy()
    if spec.get("delay_terms"):
        n = spec["delay_terms"]
        returns.loc[new, "status_date"] = _delayed(returns.loc[new, "status_date"], n)
        returns.loc[dated, "planned_change_date"] = _delayed(
            returns.loc[dated, "planned_change_date"], n
        )
        notes.append(
            f"{int(new.sum())} new setting(s) and {int(dated.sum())} planned "
            f"expansion(s) delayed by {n} term(s)"
        )
    if "share" in spec and spec["share"] < 1:
        returns.loc[new, PLACES] = returns.loc[new, PLACES] * spec["share"]
        returns.loc[dated, "planned_places_change"] = change[dated] * spec["share"]
        notes.append(
            f"{spec['share']:.0%} of the places planned in new settings and expansions delivered"
        )
    return returns


def _apply_closures(
    scenario: Scenario, returns: pd.DataFrame, run: _Run, check: _Check, notes: list[str]
) -> pd.DataFrame:
    if not scenario.closures:
        return returns
    rng = np.random.default_rng(scenario.seed)
    latest = _latest_rows(returns) & returns["ward_code"].notna().to_numpy()
    closed_here: set[str] = set()
    for i, event in enumerate(scenario.closures):
        where = f"closures[{i}]"
        day, term = _in_run(event["when"], run, check, f"{where}.from")
        states = returns[latest]
        if "urn" in event:
            urn = event["urn"]
            if urn not in set(states["urn"]):
                raise check.fail(
                    f"{where}.urn",
                    f"{urn} is not a provider in the area's "
                    f"returns (e.g. {_some(sorted(states['urn'].astype(str)), 5)})",
                )
            state = states[states["urn"] == urn].iloc[0]
            if state["status"] == "closed" or urn in closed_here:
                raise check.fail(f"{where}.urn", f"{urn} is already closed")
            if (
                state["status"] == "new"
                and pd.notna(state["status_date"])
                and (state["status_date"] < pd.Timestamp(day))
            ):
                raise check.fail(
                    f"{where}.from",
                    f"{urn} is a new setting opening on "
                    f"{state['status_date']:%Y-%m-%d}; a closure after it opens "
                    "is not supported (close it from its opening date to cancel it)",
                )
            chosen = [urn]
            what = urn
        else:
            kinds = event["provider_type"]
            candidates = states[
                states["provider_type"].isin(kinds)
                & states["status"].eq("open")
                & ~states["urn"].isin(closed_here)
            ]
            urns = np.sort(candidates["urn"].astype(str).to_numpy())
            n = int(np.floor(event["share"] * len(urns) + 0.5))
            chosen = sorted(urns[rng.permutation(len(urns))[:n]].tolist())
            what = f"{n} of {len(urns)} open {'/'.join(kinds)} ({event['share']:.0%})" + (
                f": {_some(chosen, 6)}" if chosen else ""
            )
        rows = latest & returns["urn"].isin(chosen).to_numpy()
        stamp = pd.Timestamp(day)
        cancelled = rows & (returns["status"].eq("new") & returns["status_date"].notna()).to_numpy()
        returns.loc[cancelled, "status_date"] = pd.NaT  # closed undated: never opens
        returns.loc[cancelled, "status"] = "closed"
        rows &= ~cancelled
        current = returns.loc[rows, "status_date"]
        closing = returns.loc[rows, "status"].eq("closing") & current.notna() & (current < stamp)
        returns.loc[rows, "status_date"] = current.where(closing, stamp)
        returns.loc[rows, "status"] = "closed"
        closed_here.update(chosen)
        notes.append(f"closed from {term}: {what}")
    return returns


def _blank_rows(n: int, latest: Term, name: str) -> pd.DataFrame:
    """Return rows with every column empty, made at the latest return's term by the scenario."""
    rows = pd.DataFrame({column: [np.nan] * n for column in RETURN_COLUMNS})
    rows["term"] = str(latest)
    rows["term_index"] = latest.index
    rows["status"] = "new"
    rows["source_file"] = f"{SCENARIO_SOURCE}{name}"
    rows["source_row"] = 0
    return rows


def _append(returns: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    rows = rows.reindex(columns=returns.columns)
    for column in returns.columns:
        rows[column] = rows[column].astype(returns[column].dtype)
    return pd.concat([returns, rows], ignore_index=True)


def _apply_openings(
    scenario: Scenario,
    returns: pd.DataFrame,
    area: Area,
    run: _Run,
    check: _Check,
    notes: list[str],
) -> pd.DataFrame:
    added = []
    known = set(returns["urn"].astype(str))
    for i, event in enumerate(scenario.openings):
        where = f"openings[{i}]"
        day, term = _in_run(event["when"], run, check, f"{where}.from")
        urn = event["urn"] or f"{scenario.name}-new-{i + 1}"
        if urn in known:
            raise check.fail(f"{where}.urn", f"{urn} is already a provider in the returns")
        known.add(urn)
        row = _blank_rows(1, run.latest, scenario.name)
        row["urn"] = urn
        row["provider_name"] = event["name"]
        row["provider_type"] = event["provider_type"]
        row[PLACES] = event["places"][None, :]
        row["registered_places"] = event["places"].sum()
        for key in (
            "hours_per_day",
            "days_per_week",
            "weeks_per_year",
            "staff_total",
            "staff_level6",
        ):
            row[key] = event[key]
        row["status_date"] = pd.Timestamp(day)
        location = pd.DataFrame([event["location"]])
        located = _locate(location, area, check, "openings")
        for column in ("ward_code", "easting", "northing", "located_by", "postcode"):
            if column in located:
                row[column] = located[column].to_numpy()
        added.append(row)
        notes.append(
            f"new setting {event['name']} ({urn}) in {located['ward_code'].iloc[0]} "
            f"from {term}: {event['places'].sum():g} places"
        )
    for i, event in enumerate(scenario.expansions):
        where = f"expansions[{i}]"
        day, term = _in_run(event["when"], run, check, f"{where}.from")
        states = returns[_latest_rows(returns)]
        match = states[states["urn"] == event["urn"]]
        if match.empty:
            raise check.fail(
                f"{where}.urn",
                f"{event['urn']} is not a provider in the area's "
                f"returns (e.g. {_some(sorted(states['urn'].astype(str)), 5)})",
            )
        base = match.iloc[[0]]
        if event["places"] is not None:
            places = event["places"]
        else:
            now = base[PLACES].fillna(0.0).to_numpy(float)[0]
            if now.sum() <= 0:
                raise check.fail(
                    f"{where}.places",
                    f"{event['urn']} offers no places now; give {', '.join(PLACES)}",
                )
            places = event["total"] * now / now.sum()
        row = _blank_rows(1, run.latest, scenario.name)
        for column in (
            "provider_name",
            "provider_type",
            "postcode",
            "ward_code",
            "easting",
            "northing",
            "located_by",
            "hours_per_day",
            "days_per_week",
            "weeks_per_year",
        ):
            row[column] = base[column].to_numpy()
        row["urn"] = f"{event['urn']}+{scenario.name}-{i + 1}"
        row[PLACES] = places[None, :]
        row["status_date"] = pd.Timestamp(day)
        added.append(row)
        notes.append(f"{event['urn']} adds {places.sum():g} places from {term}")
    if not added:
        return returns
    return _append(returns, pd.concat(added, ignore_index=True))


def _apply_workforce(
    scenario: Scenario, returns: pd.DataFrame, run: _Run, check: _Check, notes: list[str]
) -> pd.DataFrame:
    for i, event in enumerate(scenario.workforce):
        where = "workforce" if len(scenario.workforce) == 1 else f"workforce[{i}]"
        _, term = _in_run(event["when"], run, check, f"{where}.from")
        made = returns[returns["term_index"] <= term.index]
        states = made[_latest_rows(made)]
        rate = states["provider_type"].map(event["rates"]).astype(float).to_numpy()
        staff = states["staff_total"].to_numpy(float)
        affected = np.isfinite(rate) & np.isfinite(staff)
        copies = states[affected].copy()
        posts = staff[affected] + copies["staff_vacancies"].fillna(0.0).to_numpy(float)
        copies["staff_total"] = posts * (1.0 - rate[affected])
        copies["staff_vacancies"] = posts * rate[affected]
        copies["term"] = str(term)
        copies["term_index"] = term.index
        copies["source_file"] = f"{SCENARIO_SOURCE}{scenario.name}"
        # A copy replaces the provider's own row if one was made at that very term.
        returns = returns[
            ~((returns["term_index"] == term.index) & returns["urn"].isin(copies["urn"]))
        ]
        returns = pd.concat([returns, copies], ignore_index=True)
        rates = ", ".join(f"{k} {v:.0%}" for k, v in event["rates"].items())
        notes.append(
            f"staff vacancy rate from {term}: {rates} ({int(affected.sum())} "
            "provider(s) with staff figures)"
        )
    return returns


def _apply_ward_parameters(scenario: Scenario, area: Area, check: _Check) -> pd.DataFrame | None:
    if not scenario.ward_parameters:
        return area.ward_parameters
    rows = pd.DataFrame(scenario.ward_parameters, columns=["ward_code", "key", "value"])
    known = set(area.ward_codes)
    for ward in rows["ward_code"]:
        if ward not in known:
            raise check.fail(
                f"[ward_parameters.{ward}]",
                f"ward {ward} is not in the area; wards are {_some(sorted(known))}",
            )
    if area.ward_parameters is None:
        return rows
    return pd.concat([area.ward_parameters, rows], ignore_index=True)


def _check_shares(
    rules: tuple[Entitlement, ...], params: Parameters, area: Area, run: _Run, check: _Check
) -> None:
    """Eligibility shares of the entitlements in force together in an age group add to <= 1."""
    from ..parameters import ward_values

    values = ward_values(params, area.ward_parameters, area.ward_codes)
    for term in [run.latest, *[run.first + k for k in range(run.last - run.first + 1)]]:
        for group in AGE_GROUPS:
            in_force = [
                r
                for r in rules
                if r.age_group == group and r.top_up is None and r.hours_at(term.start) > 0
            ]
            if len(in_force) < 2:
                continue
            total = sum(
                np.ones(len(values))
                if r.eligibility == "all"
                else values[f"eligibility.{r.eligibility}"].to_numpy(float)
                for r in in_force
            )
            if np.max(total) > 1 + 1e-9:
                names = ", ".join(r.key for r in in_force)
                raise check.fail(
                    "policy",
                    f"in {term} the {group} entitlements {names} are in force together "
                    f"and their eligibility shares add to {np.max(total):.2f}, above 1 (a child "
                    "would be counted twice); end one with replaces or end, or lower the shares",
                )
