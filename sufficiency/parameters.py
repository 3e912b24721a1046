"""The model's parameters: package defaults with their sources, and a user's overrides.

Every key of ../shared/DATA.md's parameters file is known here; the defaults, with unit, source
and quality, live in ``data/defaults.toml`` (one fact in one place). A user's ``parameters.toml``
or a scenario overrides them with the same flat keys::

    utilisation = 0.85
    [take_up]
    universal_3_4 = 0.92

An unknown key, a wrong type or an impossible value (a share above 1) is a
:class:`~sufficiency.errors.ParameterError` naming the file, the key and what is allowed.
Ward-level values of ``eligibility``, ``take_up``, ``hours_used``, ``paid_hours`` and
``send`` come from
``ward_parameters.csv`` (see :func:`ward_values`).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .errors import ParameterError

SECTIONS = (
    "eligibility",
    "take_up",
    "hours_used",
    "paid_hours",
    "cohort_change",
    "child_yield",
    "catchment",
    "send",
    "package",
    "fragility",
    "school_age",
)
WARD_SECTIONS = ("eligibility", "take_up", "hours_used", "paid_hours", "send")
SCHOOL_AGE_WARD_KEYS = tuple(
    f"school_age.{name}"
    for name in (
        "working_families",
        "use_breakfast",
        "use_after_school",
        "use_holiday",
        "sessions_breakfast",
        "sessions_after_school",
        "holiday_days",
        "holiday_weeks_used",
    )
)
"""The school-age demand keys that ``ward_parameters.csv`` may set by ward."""


@cache
def default_table() -> dict[str, dict[str, Any]]:
    """The defaults file as ``{"take_up.universal_3_4": {"value": ..., "source": ...}, ...}``."""
    text = resources.files("sufficiency").joinpath("data/defaults.toml").read_text("utf-8")
    raw = tomllib.loads(text)
    table: dict[str, dict[str, Any]] = {}
    for key, entry in raw.items():
        if key in SECTIONS:
            for name, sub in entry.items():
                table[f"{key}.{name}"] = sub
        else:
            table[key] = entry
    return table


@dataclass(frozen=True)
class Bounds:
    """The values a numeric key allows, from ``min``, ``max`` and ``above`` in defaults.toml.

    ``low`` is inclusive unless ``strict`` (the file's ``above``: the value must be above it).

    >>> bounds("take_up.universal_3_4"), bounds("hours_per_place").strict
    (Bounds(low=0.0, high=1.0, strict=False), True)
    """

    low: float = -np.inf
    high: float = np.inf
    strict: bool = False

    def admits(self, value: float) -> bool:
        """Whether ``value`` lies within the bounds."""
        above = value > self.low if self.strict else value >= self.low
        return bool(above and value <= self.high)


def bounds(key: str) -> Bounds:
    """The bounds of one key, as ``data/defaults.toml`` gives them (none: any finite number)."""
    entry = default_table().get(key, {})
    if "above" in entry:
        return Bounds(float(entry["above"]), float(entry.get("max", np.inf)), strict=True)
    return Bounds(float(entry.get("min", -np.inf)), float(entry.get("max", np.inf)))


@dataclass(frozen=True)
class Parameters:
    """A complete set of parameter values, keyed ``name`` or ``section.name``, built once a run.

    The model reads it through typed attributes (``hours_per_place``, ``utilisation``...) and
    :meth:`number`, :meth:`section` for the rest; values are checked when they are set.

    >>> p = Parameters.defaults()
    >>> p.hours_per_place, p.number("take_up.universal_3_4")
    (50.0, 0.9)
    """

    values: Mapping[str, float | bool | str] = field(default_factory=dict)
    sources: tuple[str, ...] = ("package defaults",)

    @classmethod
    def defaults(cls) -> Parameters:
        return cls({key: entry["value"] for key, entry in default_table().items()})

    @classmethod
    def load(cls, path: str | Path | None) -> Parameters:
        """Defaults overridden by a parameters TOML file (``None``: defaults only)."""
        base = cls.defaults()
        if path is None:
            return base
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text("utf-8-sig"))
        except FileNotFoundError:
            raise ParameterError(
                f"{path}: no such parameters file. Write one setting any default by its key, "
                "for example 'utilisation = 0.85' (the keys are those of "
                "sufficiency/data/defaults.toml; README, 'Using it')"
            ) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ParameterError(f"{path}: cannot be read ({exc})") from None
        except tomllib.TOMLDecodeError as exc:
            raise ParameterError(f"{path}: not valid TOML ({exc})") from None
        return base.override(data, source=str(path))

    def __getitem__(self, key: str) -> float | bool | str:
        return self.values[key]

    def number(self, key: str) -> float:
        """A numeric value (every key but ``calibrate_take_up`` and ``catchment.decay``)."""
        value = self.values[key]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ParameterError(f"{key} is not a number ({value!r})")
        return float(value)

    def section(self, name: str) -> dict[str, Any]:
        """The keys of one section, e.g. ``section("take_up") -> {"universal_3_4": 0.9, ...}``."""
        prefix = name + "."
        return {k[len(prefix) :]: v for k, v in self.values.items() if k.startswith(prefix)}

    def numbers(self, name: str) -> dict[str, float]:
        """The numeric keys of one section as floats."""
        return {key: self.number(f"{name}.{key}") for key in self.section(name)}

    @property
    def hours_per_place(self) -> float:
        """Hours a week one full-time place provides."""
        return self.number("hours_per_place")

    @property
    def utilisation(self) -> float:
        """Share of place-hours that sessions can really fill."""
        return self.number("utilisation")

    @property
    def tight_margin(self) -> float:
        """A gap below this share of demand is ``tight``."""
        return self.number("tight_margin")

    @property
    def deficit_tolerance(self) -> float:
        """A gap must be below minus this many places to be a ``deficit``."""
        return self.number("deficit_tolerance")

    @property
    def stretched_share(self) -> float:
        """Share of funded hours taken stretched over 51 weeks."""
        return self.number("stretched_share")

    @property
    def births_growth(self) -> float:
        """Annual growth of births after the last observed year."""
        return self.number("births_growth")

    @property
    def cohort_change_default(self) -> float:
        """Ratio of children at an age to births where no population estimate says."""
        return self.number("cohort_change.default")

    @property
    def calibrate_take_up(self) -> bool:
        """Whether take-up is scaled to the funded children in the latest returns."""
        return bool(self.values["calibrate_take_up"])

    def override(self, data: Mapping[str, Any], *, source: str) -> Parameters:
        """New parameters with the flat DATA.md keys in ``data`` replacing these values."""
        new = dict(self.values)
        for key, value in flatten(data, source=source).items():
            new[key] = check_value(key, value, source=source)
        return replace(self, values=new, sources=(*self.sources, source))


def flatten(data: Mapping[str, Any], *, source: str, allowed: set[str] | None = None) -> dict:
    """``{"take_up": {"x": 1}}`` to ``{"take_up.x": 1}``, refusing keys the model does not know."""
    known = set(default_table()) if allowed is None else allowed
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, Mapping):
            if key not in SECTIONS:
                raise ParameterError(
                    f"{source}: unknown section [{key}]; sections are {', '.join(SECTIONS)}"
                )
            for name, sub in value.items():
                full = f"{key}.{name}"
                if full not in known:
                    allowed_names = sorted(
                        k.split(".", 1)[1] for k in known if k.startswith(key + ".")
                    )
                    raise ParameterError(
                        f"{source}: unknown key {name!r} in [{key}]; allowed: "
                        + ", ".join(allowed_names)
                    )
                out[full] = sub
        elif key in SECTIONS:
            raise ParameterError(
                f"{source}: {key} is a table of values, not one value; write it as "
                f"[{key}] with one line a key (for example [take_up] universal_3_4 = 0.9)"
            )
        elif key not in known:
            top = sorted(k for k in known if "." not in k)
            raise ParameterError(f"{source}: unknown key {key!r}; allowed: {', '.join(top)}")
        else:
            out[key] = value
    return out


def check_value(key: str, value: Any, *, source: str) -> float | bool | str:
    """Check one value's type and bounds (``data/defaults.toml``); return it as float (bool for
    switches, text for a choice)."""
    entry = default_table().get(key, {})
    if "choices" in entry:
        if value not in entry["choices"]:
            raise ParameterError(
                f"{source}: {key} must be one of {', '.join(entry['choices'])} (found {value!r})"
            )
        return str(value)
    if isinstance(entry.get("value"), bool):
        if not isinstance(value, bool):
            raise ParameterError(f"{source}: {key} must be true or false (found {value!r})")
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ParameterError(f"{source}: {key} must be a number (found {value!r})")
    number = float(value)
    if not np.isfinite(number):
        raise ParameterError(f"{source}: {key} must be a finite number (found {value!r})")
    allowed = bounds(key)
    if allowed.admits(number):
        return number
    if (allowed.low, allowed.high) == (0.0, 1.0):
        raise ParameterError(f"{source}: {key} is a share and must be between 0 and 1 ({value})")
    if allowed.strict:
        raise ParameterError(f"{source}: {key} must be above {allowed.low:g} (found {value})")
    if allowed.low == 0.0 and number < 0:
        raise ParameterError(f"{source}: {key} cannot be negative (found {value})")
    raise ParameterError(
        f"{source}: {key} must be between {allowed.low:g} and {allowed.high:g} (found {value})"
    )


def ward_values(
    parameters: Parameters,
    ward_overrides: pd.DataFrame | None,
    ward_codes: pd.Index,
    keys: tuple[str, ...] | None = None,
) -> pd.DataFrame:
    """Per-ward values of the ward-level keys: LA-wide defaults with ward overrides on top.

    Returns a frame indexed like ``ward_codes`` with one column per key (``take_up.working_2``...).
    ``ward_overrides`` has columns ``ward_code, key, value`` (already validated); overrides of
    other keys than ``keys`` (default: the early years' ``WARD_SECTIONS``; school-age
    childcare asks for :data:`SCHOOL_AGE_WARD_KEYS`) are left out.
    """
    if keys is None:
        keys = tuple(k for k in parameters.values if k.split(".", 1)[0] in WARD_SECTIONS)
    table = pd.DataFrame(
        {k: np.full(len(ward_codes), parameters.number(k)) for k in keys}, index=ward_codes
    )
    if ward_overrides is not None and len(ward_overrides):
        for code, key, value in zip(
            ward_overrides["ward_code"], ward_overrides["key"], ward_overrides["value"], strict=True
        ):
            if key in table.columns:
                table.loc[code, key] = float(value)
    return table


def ward_keys() -> list[str]:
    """Keys that ``ward_parameters.csv`` may set."""
    early_years = [k for k in default_table() if k.split(".", 1)[0] in WARD_SECTIONS]
    return sorted([*early_years, *SCHOOL_AGE_WARD_KEYS])
