"""A checked scenario applied to an area: one small applier per event type, in a fixed order.

A scenario changes the model's *inputs*, never the model: :func:`apply` returns the area's
tables, the parameters and the entitlement rules with its changes, and
:func:`~sufficiency.assess.assess` then runs on them, so every scenario goes through the one
pipeline. Nothing is modified in place. The choices:

* **When.** An event dated ``d`` takes effect from the first term starting on or after ``d``, as
  METHOD.md step 6 says of closures and openings. A date must fall after the latest return's term
  start and on or before the last term's start.
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

What does not fit the area or the run (a URN or ward the area does not have, a date outside the
run, eligibility shares of one age group adding to more than 1) is a
:class:`~sufficiency.errors.ParameterError` naming the scenario file and the key.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from .. import geography, supply
from ..area import Area
from ..entitlements import Entitlement, default_rules
from ..errors import InputError
from ..parameters import Parameters
from ..returns.reader import PLACES, RETURN_COLUMNS
from ..terms import AGE_GROUPS, Term, run_window
from .schema import (
    LOCATION_KEYS,
    Births,
    Check,
    Closure,
    Expansion,
    Housing,
    Opening,
    Planned,
    Policy,
    Scenario,
    When,
    Workforce,
)

SCENARIO_SOURCE = "scenario:"  # source_file of return rows a scenario added


@dataclass
class Applied:
    """A scenario applied: the inputs ``assess`` runs on, and what the scenario did."""

    scenario: Scenario
    area: Area
    parameters: Parameters
    rules: tuple[Entitlement, ...]
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Run:
    """The run an event must fall in: after the latest return, up to the last term."""

    latest: Term
    first: Term
    last: Term


@dataclass(frozen=True)
class Inputs:
    """What the events change, as each applier leaves it, and the notes of what they did."""

    returns: pd.DataFrame
    births: pd.DataFrame
    housing: pd.DataFrame | None
    rules: tuple[Entitlement, ...]
    notes: tuple[str, ...] = ()

    def noted(self, *notes: str, **changes: Any) -> Inputs:
        """These inputs with some tables changed and notes added."""
        return replace(self, notes=(*self.notes, *notes), **changes)


@dataclass(frozen=True)
class _Context:
    """What every applier may read: the scenario, the area as given, the run and parameters."""

    scenario: Scenario
    area: Area
    run: Run
    check: Check
    parameters: Parameters
    rng: np.random.Generator  # closures by share draw from it, in the file's order

    @property
    def tag(self) -> str:
        """``source_file`` of the return rows this scenario adds."""
        return f"{SCENARIO_SOURCE}{self.scenario.name}"

    def in_run(self, when: When, where: str) -> tuple[dt.date, Term]:
        """The event's date and first term; a :class:`ParameterError` outside the run."""
        run = self.run
        day, term = when.resolve(run.first)
        if not run.latest.start < day <= run.last.start:
            raise self.check.fail(
                where,
                f"{when.text} is outside the run; allowed: a date after {run.latest.start} (the "
                f"{run.latest} return) up to {run.last.start}, a term from {run.latest + 1} to "
                f"{run.last}, or first+N up to first+{run.last - run.first}",
            )
        return day, term


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
    params = parameters
    if scenario.parameters:
        params = _override(params, scenario.parameters, scenario.source)
    check = Check(scenario.source)
    run = _run(area, params, first_term, last_term)
    context = _Context(scenario, area, run, check, params, np.random.default_rng(scenario.seed))
    # Copy-on-write: shallow copies, each copied where an event changes it.
    births = area.births.copy(deep=False)
    if "projected" not in births.columns:
        births["projected"] = False
    inputs = Inputs(
        returns=area.returns.copy(deep=False),
        births=births,
        housing=None if area.housing is None else area.housing.copy(deep=False),
        rules=tuple({rule.key: rule for rule in rules}.values()),
    )
    for event in scenario.events():
        inputs = APPLIERS[type(event)](event, inputs, context)
    returns = inputs.returns
    # Events that add rows put them at the end: sort only then.
    if not supply.in_urn_order(returns["urn"], returns["term_index"]):
        returns = returns.sort_values(["term_index", "urn"], kind="stable")
    notes = list(inputs.notes)
    new_area = replace(
        area,
        returns=returns.reset_index(drop=True),
        births=inputs.births,
        housing=inputs.housing,
        ward_parameters=_ward_parameters(scenario, area, check),
        notes=[*area.notes, *(f"scenario {scenario.name}: {n}" for n in notes)],
    )
    _check_shares(inputs.rules, params, new_area, run, check)
    return Applied(
        scenario=scenario, area=new_area, parameters=params, rules=inputs.rules, notes=notes
    )


def _run(
    area: Area, params: Parameters, first_term: Term | str | None, last_term: Term | str | None
) -> Run:
    """The latest complete return's term and the run's first and last terms (as ``assess``)."""
    from ..assess import latest_return

    latest = latest_return(area.returns, params.number("complete_return_share"))
    first = Term.parse(first_term) if isinstance(first_term, str) else first_term
    last = Term.parse(last_term) if isinstance(last_term, str) else last_term
    terms = run_window(latest, first, last)
    return Run(latest, terms[0], terms[-1])


def _override(params: Parameters, values: Mapping[str, Any], source: str) -> Parameters:
    """Parameters with flat keys replaced; keys new to the defaults (a new entitlement's) added."""
    new = dict(params.values)
    new.update(values)
    return replace(params, values=new, sources=(*params.sources, source))


# -- policy ----------------------------------------------------------------------------------


def apply_policy(change: Policy, inputs: Inputs, context: _Context) -> Inputs:
    """An entitlement changed (or added), and the ones it replaces ended."""
    check, key = context.check, change.entitlement
    table = {rule.key: rule for rule in inputs.rules}
    notes = []
    rule = table.get(key)
    if rule is None:
        rule = _new_entitlement(change, table, check)
        notes.append(f"new entitlement {key} ({rule.label})")
    steps = _steps(change, rule, context)
    top_up = change.top_up if change.top_up is not None else rule.top_up
    if top_up is not None and (top_up not in table or top_up == key):
        raise check.fail(
            f"{change.where}.top_up",
            f"{top_up!r} is not another entitlement; "
            f"known: {', '.join(k for k in table if k != key)}",
        )
    rule = replace(
        rule,
        label=change.label if change.label is not None else rule.label,
        age_group=change.age_group if change.age_group is not None else rule.age_group,
        eligibility=change.eligibility if change.eligibility is not None else rule.eligibility,
        steps=tuple(sorted(steps)),
        top_up=top_up,
    )
    if top_up is not None and table[top_up].age_group != rule.age_group:
        raise check.fail(
            f"{change.where}.top_up",
            f"{top_up} covers {table[top_up].age_group}, "
            f"{key} covers {rule.age_group}: a top-up needs the same age group",
        )
    table[key] = rule
    notes += _replace_others(change, table, context)
    if f"take_up.{key}" not in context.parameters.values:
        raise check.fail(change.where, f"{key} needs take_up")
    if (
        rule.eligibility != "all"
        and f"eligibility.{rule.eligibility}" not in context.parameters.values
    ):
        raise check.fail(change.where, f'{key} needs eligibility (a share, or "all")')
    return inputs.noted(*notes, rules=tuple(table.values()))


def _new_entitlement(change: Policy, table: Mapping[str, Entitlement], check: Check) -> Entitlement:
    given = {
        "age_group": change.age_group,
        "hours": change.hours,
        "eligibility": change.eligibility,
        "take_up": change.take_up or None,
    }
    needed = [k for k, v in given.items() if v is None]
    if needed:
        raise check.fail(
            change.where,
            f"{change.entitlement!r} is a new entitlement (known: "
            f"{', '.join(table)}); it needs {', '.join(needed)}",
        )
    return Entitlement(
        key=change.entitlement,
        label=change.label if change.label is not None else change.entitlement,
        age_group=cast(str, change.age_group),  # not None: in ``needed`` otherwise
        eligibility=cast(str, change.eligibility),
        steps=(),
    )


def _steps(change: Policy, rule: Entitlement, context: _Context) -> list[tuple[dt.date, float]]:
    """The rule's dated hours with the change's start, hours from a date, and end."""
    where = change.where
    steps = list(rule.steps)
    if change.start is not None:
        day, _ = context.in_run(change.start, f"{where}.start")
        at = rule.hours_at(day) or (steps[0][1] if steps else 0.0)
        steps = [(day, at), *[(d, h) for d, h in steps if d > day]]
    if change.hours is not None:
        day, _ = context.in_run(cast(When, change.hours_from), f"{where}.from")  # with hours
        steps = [*[(d, h) for d, h in steps if d < day], (day, change.hours)]
    if change.end is not None:
        day, _ = context.in_run(change.end, f"{where}.end")
        steps = [*[(d, h) for d, h in steps if d < day], (day, 0.0)]
    return steps


def _replace_others(change: Policy, table: dict[str, Entitlement], context: _Context) -> list[str]:
    """End the entitlements ``change`` replaces on its date (in ``table``); the notes."""
    key, notes = change.entitlement, []
    for other in change.replaces:
        if other not in table or other == key:
            raise context.check.fail(
                f"{change.where}.replaces",
                f"{other!r} is not another entitlement; "
                f"known: {', '.join(k for k in table if k != key)}",
            )
        # replaces needs hours from a date (from_toml checks), so hours_from is set.
        day, _ = context.in_run(cast(When, change.hours_from), f"{change.where}.from")
        old = table[other]
        table[other] = replace(old, steps=(*[(d, h) for d, h in old.steps if d < day], (day, 0.0)))
        notes.append(f"{other} ends on {day}, replaced by {key}")
    return notes


# -- births and housing ----------------------------------------------------------------------


def apply_births(spec: Births, inputs: Inputs, context: _Context) -> Inputs:
    """Projected births replace the births carried forward after the last observed year."""
    if not spec.projected:
        return inputs  # growth alone is a parameter (births_growth)
    area, check, where = context.area, context.check, "births.projected"
    rows = _projected_table(spec, check)
    rows["month"] = pd.to_numeric(rows["month"]) if "month" in rows.columns else np.nan
    observed = inputs.births[~inputs.births["projected"]]
    last_year = int(observed["year"].max())
    years = sorted(rows["year"].unique())
    if years[0] != last_year + 1 or years != list(range(years[0], years[-1] + 1)):
        raise check.fail(
            where,
            f"projected births need every year from {last_year + 1} (the "
            f"year after the last observed births) on, with none missing "
            f"(found {', '.join(map(str, years))})",
        )
    if years[-1] > context.run.last.year:
        raise check.fail(
            where, f"year {years[-1]} is after the run's last term ({context.run.last})"
        )
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
    rows = _spread(rows, observed[observed["year"] == last_year], area.ward_codes, by_ward.any())
    out = pd.concat([observed, rows], ignore_index=True)
    out = out.sort_values(["ward_code", "year", "month"], kind="stable").reset_index(drop=True)
    return inputs.noted(
        f"projected births {years[0]}-{years[-1]} replace the births carried forward "
        f"({rows['births'].sum():,.0f} in all)",
        births=out,
    )


def _projected_table(spec: Births, check: Check) -> pd.DataFrame:
    """The scenario's projected births as ``ward_code, year, month, births`` (month may be NaN)."""
    if spec.projected_rows is not None:
        return pd.DataFrame(list(spec.projected_rows))
    from .._io import numbers, read_table

    path = cast(Path, spec.projected_file)  # no rows, so a file
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


def _spread(
    rows: pd.DataFrame, last_year: pd.DataFrame, wards: pd.Index, by_ward: bool | np.bool_
) -> pd.DataFrame:
    """Projected births by ward and month: evenly over months unless given by month, then (if
    LA-wide) over wards in proportion to the last observed year's births."""
    monthly = rows[rows["month"].notna()].copy()
    yearly = rows[rows["month"].isna()].drop(columns="month")
    if len(yearly):
        yearly = yearly.assign(births=yearly["births"] / 12.0).merge(
            pd.DataFrame({"month": range(1, 13)}), how="cross"
        )
    rows = pd.concat([monthly, yearly], ignore_index=True)
    if not by_ward:
        last = last_year.groupby("ward_code")["births"].sum()
        share = (last / last.sum()).reindex(wards, fill_value=0.0)
        rows = rows.drop(columns="ward_code").merge(
            pd.DataFrame({"ward_code": share.index, "_share": share.to_numpy()}), how="cross"
        )
        rows["births"] = rows["births"] * rows["_share"]
        rows = rows.drop(columns="_share")
    # pandas-stubs: with as_index=False the column's sum is a DataFrame, typed as a Series.
    rows = rows.groupby(["ward_code", "year", "month"], as_index=False)["births"].sum()  # type: ignore[assignment]
    rows["month"] = rows["month"].astype(int)
    rows["projected"] = True
    return rows


def apply_housing(spec: Housing, inputs: Inputs, context: _Context) -> Inputs:
    """The housing trajectory delivered at a rate, and extra sites added in full."""
    housing, notes = inputs.housing, []
    rate = spec.delivery_rate
    if rate is not None:
        if housing is None or housing.empty:
            notes.append(f"housing delivered at {rate:.0%}: the area has no housing trajectory")
        else:
            housing = housing.assign(dwellings=housing["dwellings"] * rate)
            notes.append(f"housing trajectory delivered at {rate:.0%}")
    if spec.sites:
        run, check = context.run, context.check
        rows = pd.DataFrame([site.row() for site in spec.sites])
        for i, year in enumerate(rows["year"]):
            if not run.latest.year <= year <= run.last.year:
                raise check.fail(
                    f"housing.sites[{i}].year",
                    f"{year} is outside the run; allowed: {run.latest.year} to {run.last.year}",
                )
        located = _locate(rows, context.area, check, "housing.sites")
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
    return inputs.noted(*notes, housing=housing)


# -- provider returns ------------------------------------------------------------------------


def apply_planned(spec: Planned, inputs: Inputs, context: _Context) -> Inputs:
    """Planned places in the returns (new settings, added places): dated, delayed or cut."""
    returns, notes = inputs.returns.copy(deep=False), []
    latest = _latest_rows(returns)
    start = pd.Timestamp(context.run.latest.start)
    new = latest & (returns["status"].eq("new") & returns["status_date"].gt(start)).to_numpy()
    change = returns["planned_places_change"].fillna(0.0)
    added = latest & change.gt(0).to_numpy()
    if spec.undated_from is not None:
        day, term = context.in_run(spec.undated_from, "planned.undated_from")
        undated = added & returns["planned_change_date"].isna().to_numpy()
        returns.loc[undated, "planned_change_date"] = pd.Timestamp(day)
        notes.append(
            f"{int(undated.sum())} undated planned change(s) of places counted from {term}"
        )
    dated = added & returns["planned_change_date"].gt(start).to_numpy()
    if spec.delay_terms:
        n = spec.delay_terms
        returns.loc[new, "status_date"] = _delayed(returns.loc[new, "status_date"], n)
        returns.loc[dated, "planned_change_date"] = _delayed(
            returns.loc[dated, "planned_change_date"], n
        )
        notes.append(
            f"{int(new.sum())} new setting(s) and {int(dated.sum())} planned "
            f"expansion(s) delayed by {n} term(s)"
        )
    if spec.share is not None and spec.share < 1:
        returns.loc[new, PLACES] = returns.loc[new, PLACES] * spec.share
        returns.loc[dated, "planned_places_change"] = change[dated] * spec.share
        notes.append(
            f"{spec.share:.0%} of the places planned in new settings and expansions delivered"
        )
    return inputs.noted(*notes, returns=returns)


def apply_closure(event: Closure, inputs: Inputs, context: _Context) -> Inputs:
    """A provider, or a seeded choice of a share of a type's open providers, closed from a date.

    A new setting not yet open is cancelled (closed with no date: it never opens); a provider
    already closing earlier keeps its own date.
    """
    returns = inputs.returns.copy(deep=False)
    day, term = context.in_run(event.when, f"{event.where}.from")
    latest = _latest_rows(returns) & returns["ward_code"].notna().to_numpy()
    states = returns[latest]
    if event.urn is not None:
        chosen, what = _closed_by_urn(event, states, day, context.check), event.urn
    else:
        chosen, what = _closed_by_share(event, states, context.rng)
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
    return inputs.noted(f"closed from {term}: {what}", returns=returns)


def _closed_by_urn(event: Closure, states: pd.DataFrame, day: dt.date, check: Check) -> list[str]:
    urn = cast(str, event.urn)  # called for a closure by URN
    if urn not in set(states["urn"]):
        raise check.fail(
            f"{event.where}.urn",
            f"{urn} is not a provider in the area's "
            f"returns (e.g. {_some(sorted(states['urn'].astype(str)), 5)})",
        )
    state = states[states["urn"] == urn].iloc[0]
    if state["status"] == "closed":  # by the returns, or by an earlier closure of the file
        raise check.fail(f"{event.where}.urn", f"{urn} is already closed")
    if (
        state["status"] == "new"
        and pd.notna(state["status_date"])
        and (state["status_date"] < pd.Timestamp(day))
    ):
        raise check.fail(
            f"{event.where}.from",
            f"{urn} is a new setting opening on "
            f"{state['status_date']:%Y-%m-%d}; a closure after it opens "
            "is not supported (close it from its opening date to cancel it)",
        )
    return [urn]


def _closed_by_share(
    event: Closure, states: pd.DataFrame, rng: np.random.Generator
) -> tuple[list[str], str]:
    """``round(share x n)`` of the ``n`` open providers of the types, halves up; and a note."""
    kinds = list(event.provider_types)
    candidates = states[states["provider_type"].isin(kinds) & states["status"].eq("open")]
    urns = np.sort(candidates["urn"].to_numpy(dtype=object).astype(str))
    n = int(np.floor(cast(float, event.share) * len(urns) + 0.5))  # not by URN: by share
    chosen = sorted(urns[rng.permutation(len(urns))[:n]].tolist())
    what = f"{n} of {len(urns)} open {'/'.join(kinds)} ({event.share:.0%})" + (
        f": {_some(chosen, 6)}" if chosen else ""
    )
    return chosen, what


def apply_opening(event: Opening, inputs: Inputs, context: _Context) -> Inputs:
    """A new setting: a ``new`` return row at the latest return's term, open from a date."""
    returns, scenario = inputs.returns, context.scenario
    day, term = context.in_run(event.when, f"{event.where}.from")
    urn = event.urn or f"{scenario.name}-new-{event.number}"
    if returns["urn"].eq(urn).fillna(False).any():
        raise context.check.fail(
            f"{event.where}.urn", f"{urn} is already a provider in the returns"
        )
    places = np.array(event.places)
    row = _blank_rows(1, context.run.latest, context.tag)
    row["urn"] = urn
    row["provider_name"] = event.name
    row["provider_type"] = event.provider_type
    row[PLACES] = places[None, :]
    row["registered_places"] = places.sum()
    for key in ("hours_per_day", "days_per_week", "weeks_per_year", "staff_total", "staff_level6"):
        row[key] = getattr(event, key)
    row["status_date"] = pd.Timestamp(day)
    located = _locate(pd.DataFrame([dict(event.location)]), context.area, context.check, "openings")
    for column in ("ward_code", "easting", "northing", "located_by", "postcode"):
        if column in located:
            row[column] = located[column].to_numpy()
    return inputs.noted(
        f"new setting {event.name} ({urn}) in {located['ward_code'].iloc[0]} "
        f"from {term}: {places.sum():g} places",
        returns=_append(returns, row),
    )


_EXPANSION_COPIES = (
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
)


def apply_expansion(event: Expansion, inputs: Inputs, context: _Context) -> Inputs:
    """Places added at a provider: a ``new`` row at its place, from a date."""
    returns, check, where = inputs.returns, context.check, event.where
    day, term = context.in_run(event.when, f"{where}.from")
    made = returns[returns["source_file"] != context.tag]  # not this scenario's new settings
    states = made[_latest_rows(made)]
    match = states[states["urn"] == event.urn]
    if match.empty:
        raise check.fail(
            f"{where}.urn",
            f"{event.urn} is not a provider in the area's "
            f"returns (e.g. {_some(sorted(states['urn'].astype(str)), 5)})",
        )
    base = match.iloc[[0]]
    if event.places is not None:
        places = np.array(event.places)
    else:
        now = base[PLACES].fillna(0.0).to_numpy(float)[0]
        if now.sum() <= 0:
            raise check.fail(
                f"{where}.places", f"{event.urn} offers no places now; give {', '.join(PLACES)}"
            )
        places = event.total * now / now.sum()
    row = _blank_rows(1, context.run.latest, context.tag)
    for column in _EXPANSION_COPIES:
        row[column] = base[column].to_numpy()
    row["urn"] = f"{event.urn}+{context.scenario.name}-{event.number}"
    row[PLACES] = places[None, :]
    row["status_date"] = pd.Timestamp(day)
    return inputs.noted(
        f"{event.urn} adds {places.sum():g} places from {term}", returns=_append(returns, row)
    )


def apply_workforce(event: Workforce, inputs: Inputs, context: _Context) -> Inputs:
    """Staff vacancy rates from a term, as copies of each provider's return made at that term."""
    returns = inputs.returns
    _, term = context.in_run(event.when, f"{event.where}.from")
    made = returns[returns["term_index"] <= term.index]
    states = made[_latest_rows(made)]
    rate = states["provider_type"].map(event.rates).astype(float).to_numpy()
    staff = states["staff_total"].to_numpy(float)
    affected = np.isfinite(rate) & np.isfinite(staff)
    copies = states[affected].copy()
    posts = staff[affected] + copies["staff_vacancies"].fillna(0.0).to_numpy(float)
    copies["staff_total"] = posts * (1.0 - rate[affected])
    copies["staff_vacancies"] = posts * rate[affected]
    copies["term"] = str(term)
    copies["term_index"] = term.index
    copies["source_file"] = context.tag
    # A copy replaces the provider's own row if one was made at that very term.
    at = (returns["term_index"] == term.index).to_numpy()
    replaced = np.zeros(len(returns), dtype=bool)
    replaced[at] = returns["urn"][at].isin(copies["urn"]).to_numpy(bool)
    returns = returns[~replaced]
    rates = ", ".join(f"{k} {v:.0%}" for k, v in event.rates.items())
    return inputs.noted(
        f"staff vacancy rate from {term}: {rates} ({int(affected.sum())} "
        "provider(s) with staff figures)",
        returns=pd.concat([returns, copies], ignore_index=True),
    )


APPLIERS: dict[type, Callable[[Any, Inputs, _Context], Inputs]] = {
    Policy: apply_policy,
    Births: apply_births,
    Housing: apply_housing,
    Planned: apply_planned,
    Closure: apply_closure,
    Opening: apply_opening,
    Expansion: apply_expansion,
    Workforce: apply_workforce,
}


# -- ward parameters and the checks after ----------------------------------------------------


def _ward_parameters(scenario: Scenario, area: Area, check: Check) -> pd.DataFrame | None:
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
    rules: tuple[Entitlement, ...], params: Parameters, area: Area, run: Run, check: Check
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


# -- helpers ---------------------------------------------------------------------------------


def _latest_rows(returns: pd.DataFrame) -> np.ndarray:
    """A mask of each provider's latest return row."""
    last = returns.groupby("urn", sort=False)["term_index"].transform("max")
    return (returns["term_index"] == last).to_numpy()


def _delayed(dates: pd.Series, terms: int) -> pd.Series:
    """Each date moved to the start of the term ``terms`` after the one it counts from."""
    return dates.map(
        lambda d: pd.Timestamp((Term.starting_on_or_after(d.date()) + terms).start),
        na_action="ignore",
    ).astype(dates.dtype)


def _blank_rows(n: int, latest: Term, source: str) -> pd.DataFrame:
    """Return rows with every column empty, made at the latest return's term by the scenario."""
    rows = pd.DataFrame({column: [np.nan] * n for column in RETURN_COLUMNS})
    rows["term"] = str(latest)
    rows["term_index"] = latest.index
    rows["status"] = "new"
    rows["source_file"] = source
    rows["source_row"] = 0
    return rows


def _append(returns: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    rows = rows.reindex(columns=returns.columns)
    for column in returns.columns:
        rows[column] = rows[column].astype(returns[column].dtype)
    return pd.concat([returns, rows], ignore_index=True)


def _some(items: Sequence[str], n: int = 8) -> str:
    return ", ".join(items[:n]) + (", ..." if len(items) > n else "")


def _locate(rows: pd.DataFrame, area: Area, check: Check, where: str) -> pd.DataFrame:
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
