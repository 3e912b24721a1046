"""The funded entitlements as a dated rule table, read from ``data/entitlements.toml``.

An entitlement is data: the age group whose window it covers, the eligibility parameter that
gives the share of the window eligible (``all`` for a universal offer), whether it tops up
another entitlement (adds hours to children already counted, as the extended 30 hours does) and
its weekly hours as dated steps. Asking for the hours at a date gives 0 before the first step:
an entitlement not yet in force adds nothing. A scenario can change or add rows without code.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from .terms import AGE_GROUPS


@dataclass(frozen=True)
class Entitlement:
    """One entitlement and its hours a week (term-time) as dated steps."""

    key: str
    label: str
    age_group: str
    eligibility: str  # a key of the [eligibility] parameters, or "all"
    steps: tuple[tuple[dt.date, float], ...]
    top_up: str | None = None

    def hours_at(self, day: dt.date) -> float:
        """Hours a week funded on ``day`` (0 where not in force).

        >>> e = Entitlement("x", "x", "2", "all", ((dt.date(2024, 4, 1), 15.0),))
        >>> e.hours_at(dt.date(2024, 1, 1)), e.hours_at(dt.date(2024, 4, 1))
        (0.0, 15.0)
        """
        hours = 0.0
        for start, value in self.steps:
            if start <= day:
                hours = value
        return hours


def parse_rules(raw: dict) -> tuple[Entitlement, ...]:
    """Entitlements from the TOML structure of ``data/entitlements.toml``."""
    rules = []
    for key, entry in raw.items():
        if entry["age_group"] not in AGE_GROUPS:
            raise ValueError(f"entitlement {key}: age_group must be one of {AGE_GROUPS}")
        steps = tuple(sorted((step["from"], float(step["value"])) for step in entry["hours"]))
        rules.append(
            Entitlement(
                key=key,
                label=entry.get("label", key),
                age_group=entry["age_group"],
                eligibility=entry.get("eligibility", "all"),
                steps=steps,
                top_up=entry.get("top_up"),
            )
        )
    return tuple(rules)


@cache
def default_rules() -> tuple[Entitlement, ...]:
    """The package's rule table: the five English entitlements with their phases."""
    text = resources.files("sufficiency").joinpath("data/entitlements.toml").read_text("utf-8")
    return parse_rules(tomllib.loads(text))
