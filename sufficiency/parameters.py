"""The model's parameters: package defaults with their sources, and a user's overrides.

Every key of ../shared/DATA.md's parameters file is known here; the defaults, with unit, source
and quality, live in ``data/defaults.toml`` (one fact in one place). A user's ``parameters.toml``
or a scenario overrides them with the same flat keys::

    utilisation = 0.85
    [take_up]
    universal_3_4 = 0.92

An unknown key, a wrong type or an impossible value (a share above 1) is a
:class:`~sufficiency.errors.ParameterError` naming the file, the key and what is allowed.
Ward-level values of ``eligibility``, ``take_up`` and ``paid_hours`` come from
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

SECTIONS = ("eligibility", "take_up", "paid_hours", "cohort_change", "child_yield", "catchment")
WARD_SECTIONS = ("eligibility", "take_up", "paid_hours")
SHARE_KEYS = {"utilisation", "tight_margin", "stretched_share"}


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


def _is_share(key: str) -> bool:
    return key in SHARE_KEYS or key.startswith(("eligibility.", "take_up."))


@dataclass(frozen=True)
class Parameters:
    """A complete set of parameter values, keyed ``name`` or ``section.name``.

    >>> p = Parameters.defaults()
    >>> p["hours_per_place"], p["take_up.universal_3_4"]
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
            raise ParameterError(f"{path}: no such parameters file") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ParameterError(f"{path}: cannot be read ({exc})") from None
        except tomllib.TOMLDecodeError as exc:
            raise ParameterError(f"{path}: not valid TOML ({exc})") from None
        return base.override(data, source=str(path))

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def section(self, name: str) -> dict[str, float]:
        """The keys of one section, e.g. ``section("take_up") -> {"universal_3_4": 0.9, ...}``."""
        prefix = name + "."
        return {k[len(prefix) :]: v for k, v in self.values.items() if k.startswith(prefix)}

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


DECAYS = ("gaussian", "step", "none")


def check_value(key: str, value: Any, *, source: str) -> float | bool | str:
    """Check one value's type and range; return it as float (bool for switches, text for
    the decay)."""
    if key == "catchment.decay":
        if value not in DECAYS:
            raise ParameterError(
                f"{source}: {key} must be one of {', '.join(DECAYS)} (found {value!r})"
            )
        return value
    if key == "calibrate_take_up":
        if not isinstance(value, bool):
            raise ParameterError(f"{source}: {key} must be true or false (found {value!r})")
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ParameterError(f"{source}: {key} must be a number (found {value!r})")
    number = float(value)
    if not np.isfinite(number):
        raise ParameterError(f"{source}: {key} must be a finite number (found {value!r})")
    if _is_share(key) and not 0.0 <= number <= 1.0:
        raise ParameterError(f"{source}: {key} is a share and must be between 0 and 1 ({value})")
    if (key == "hours_per_place" or key.startswith("catchment.")) and number <= 0:
        raise ParameterError(f"{source}: {key} must be above 0 (found {value})")
    if key == "births_growth" and number <= -1:
        raise ParameterError(f"{source}: births_growth must be above -1 (found {value})")
    if key.startswith(("paid_hours.", "child_yield.", "cohort_change.")) and number < 0:
        raise ParameterError(f"{source}: {key} cannot be negative (found {value})")
    return number


def ward_values(
    parameters: Parameters, ward_overrides: pd.DataFrame | None, ward_codes: pd.Index
) -> pd.DataFrame:
    """Per-ward values of the ward-level keys: LA-wide defaults with ward overrides on top.

    Returns a frame indexed like ``ward_codes`` with one column per key (``take_up.working_2``...).
    ``ward_overrides`` has columns ``ward_code, key, value`` (already validated).
    """
    keys = [k for k in parameters.values if k.split(".", 1)[0] in WARD_SECTIONS]
    table = pd.DataFrame(
        {k: np.full(len(ward_codes), float(parameters[k])) for k in keys}, index=ward_codes
    )
    if ward_overrides is not None and len(ward_overrides):
        for row in ward_overrides.itertuples(index=False):
            table.loc[row.ward_code, row.key] = float(row.value)
    return table


def ward_keys() -> list[str]:
    """Keys that ``ward_parameters.csv`` may set."""
    return sorted(k for k in default_table() if k.split(".", 1)[0] in WARD_SECTIONS)
