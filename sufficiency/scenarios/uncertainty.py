"""Uncertainty: parameters as distributions, and the gap over many draws at once (METHOD.md step 9).

Distributions. A numeric parameter may be given in a scenario as a table::

    [parameters.take_up]
    universal_3_4 = { distribution = "normal", mean = 0.92, sd = 0.02, low = 0.85, high = 1.0 }
    extended_3_4 = { distribution = "triangular", low = 0.72, mode = 0.91, high = 0.95 }
    utilisation = { distribution = "uniform", low = 0.85, high = 0.95 }   # (a top-level key)

``normal`` is truncated to ``[low, high]`` (default: the key's allowed range, e.g. 0 to 1 for a
share). The deterministic run (the gap table's contract columns) uses the central value: the
mean, the mode, or the middle of a uniform. Every default in ``data/defaults.toml`` that carries
``range = [low, high]`` is drawn from ``triangular(low, value, high)``, so ``--draws`` works on any
scenario; where a scenario fixes such a key to another number, the range moves with it (same
distances below and above, clipped to the allowed range). Keys are drawn independently.

Draws. Given the children and supply arrays, the gap is a simple function of the parameters, so
the model is not re-run per draw. Children are split into parts that scale with the drawn
parameters (births ``k`` years beyond the last observed ones scale with ``(1 + births_growth)^k``;
cohorts with no population estimate with ``cohort_change.default``; new housing with each
``child_yield``); demand is then evaluated for every draw at once on arrays with a trailing draws
axis, ward chunk by ward chunk so memory stays bounded. Ward-level values (``ward_parameters.csv``
or a scenario's) move by the same factor as the LA-wide value they stand beside.

Summaries per ward, term and age group: ``gap_median``, ``gap_p05``, ``gap_p95`` (numpy's
``quantile`` with ``method="linear"``) and ``p_deficit``, the share of draws in deficit (a gap
below minus ``deficit_tolerance``, as the status counts a deficit).
Draws come from one ``numpy.random.Generator(PCG64(seed))``: the same seed gives the same bytes.

What it leaves out: correlation between parameters (all independent), uncertainty in supply
(providers' returns are taken as given) and in scenario events (closure shares, delivery rates).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Final, cast

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri

from .. import demand, housing, population
from .. import gap as gap_model
from ..assess import last_observed_year
from ..errors import ParameterError
from ..parameters import Parameters, bounds, default_table, ward_values
from ..terms import Term

if TYPE_CHECKING:
    from ..assess import Assessment

KINDS = ("normal", "uniform", "triangular")
QUANTILE_METHOD: Final = "linear"
SUMMARY_COLUMNS = ["gap_median", "gap_p05", "gap_p95", "p_deficit"]


@dataclass(frozen=True)
class Distribution:
    """A bounded distribution of one parameter.

    >>> d = Distribution("triangular", low=0.8, high=1.0, mode=0.9)
    >>> d.central, d.quantile(np.array([0.0, 0.5, 1.0])).round(3).tolist()
    (0.9, [0.8, 0.9, 1.0])
    """

    kind: str
    low: float
    high: float
    mode: float | None = None
    mean: float | None = None
    sd: float | None = None

    @property
    def central(self) -> float:
        """The value the deterministic run uses: mean, mode, or the middle of a uniform."""
        if self.kind == "normal":
            return float(cast(float, self.mean))
        if self.kind == "triangular":
            return float(cast(float, self.mode))
        return (self.low + self.high) / 2.0

    @property
    def width(self) -> float:
        if self.kind == "normal":
            return 0.0 if self.sd == 0 else self.high - self.low
        return self.high - self.low

    def quantile(self, u: np.ndarray) -> np.ndarray:
        """Values at the probabilities ``u`` (the inverse distribution function)."""
        u = np.asarray(u, dtype=float)
        low, high = self.low, self.high
        values: np.ndarray
        if self.kind == "uniform":
            return low + (high - low) * u
        if self.kind == "triangular":
            if high == low:
                return np.full_like(u, low)
            mode = cast(float, self.mode)  # every triangular has one (from_toml checks)
            c = (mode - low) / (high - low)
            left = low + np.sqrt(u * (high - low) * (mode - low))
            right = high - np.sqrt((1.0 - u) * (high - low) * (high - mode))
            values = np.where(u < c, left, right)
            return values
        mean, sd = cast(float, self.mean), cast(float, self.sd)  # every normal has both
        if sd == 0:
            return np.full_like(u, float(mean))
        a = ndtr((low - mean) / sd) if np.isfinite(low) else 0.0
        b = ndtr((high - mean) / sd) if np.isfinite(high) else 1.0
        values = np.clip(mean + sd * ndtri(a + (b - a) * u), low, high)
        return values

    def shifted(self, value: float, bounds: tuple[float, float]) -> Distribution:
        """The same spread about a new central ``value``, clipped to ``bounds``."""
        move = value - self.central
        low = max(bounds[0], self.low + move)
        high = min(bounds[1], self.high + move)
        if self.kind == "normal":
            return Distribution("normal", low, high, mean=value, sd=self.sd)
        if self.kind == "triangular":
            return Distribution("triangular", min(low, value), max(high, value), mode=value)
        half = min(value - low, high - value)
        return Distribution("uniform", value - half, value + half)


def is_distribution(value: Any) -> bool:
    """Whether a TOML value is a distribution table (has a ``distribution`` key)."""
    return isinstance(value, Mapping) and "distribution" in value


def parse_distribution(
    table: Mapping[str, Any], *, key: str, source: str, bounds: tuple[float, float]
) -> Distribution:
    """Check a distribution table from a scenario file; raise :class:`ParameterError` if wrong.

    ``bounds`` is what the key allows (``(0, 1)`` for a share); ``low`` and ``high`` default to
    them for a normal distribution and must lie within them.
    """
    where = f"{source}: {key}"
    kind = table.get("distribution")
    if kind not in KINDS:
        raise ParameterError(f"{where}: unknown distribution {kind!r}; allowed: {', '.join(KINDS)}")
    fields = {
        "normal": ({"mean", "sd"}, {"low", "high"}),
        "uniform": ({"low", "high"}, set()),
        "triangular": ({"low", "mode", "high"}, set()),
    }[kind]
    allowed = {"distribution", *fields[0], *fields[1]}
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ParameterError(
            f"{where}: unknown field {unknown[0]!r} for a {kind} distribution; allowed: "
            + ", ".join(sorted(allowed))
        )
    missing = sorted(fields[0] - set(table))
    if missing:
        raise ParameterError(f"{where}: a {kind} distribution needs {', '.join(missing)}")
    numbers: dict[str, float] = {}
    for name in sorted(set(table) - {"distribution"}):
        value = table[name]
        if isinstance(value, bool) or not isinstance(value, int | float) or not np.isfinite(value):
            raise ParameterError(f"{where}: {name} must be a finite number (found {value!r})")
        numbers[name] = float(value)
    low = numbers.get("low", bounds[0])
    high = numbers.get("high", bounds[1])
    if low < bounds[0] or high > bounds[1]:
        raise ParameterError(
            f"{where}: the bounds [{low:g}, {high:g}] go outside what {key} allows "
            f"[{bounds[0]:g}, {bounds[1]:g}]"
        )
    if low > high:
        raise ParameterError(f"{where}: low ({low:g}) is above high ({high:g})")
    if kind == "normal":
        if numbers["sd"] < 0:
            raise ParameterError(f"{where}: sd cannot be negative ({numbers['sd']:g})")
        if not low <= numbers["mean"] <= high:
            raise ParameterError(
                f"{where}: mean {numbers['mean']:g} is outside [{low:g}, {high:g}]"
            )
        return Distribution("normal", low, high, mean=numbers["mean"], sd=numbers["sd"])
    if kind == "triangular":
        if not low <= numbers["mode"] <= high:
            raise ParameterError(
                f"{where}: mode {numbers['mode']:g} is outside [{low:g}, {high:g}]"
            )
        return Distribution("triangular", low, high, mode=numbers["mode"])
    return Distribution("uniform", low, high)


def key_bounds(key: str) -> tuple[float, float]:
    """The closed interval of values a key allows, from its bounds in ``data/defaults.toml``
    (a strict lower bound, ``above``, as the next float above it)."""
    allowed = bounds(key)
    low = float(np.nextafter(allowed.low, np.inf)) if allowed.strict else allowed.low
    return low, allowed.high


# -- the draws -------------------------------------------------------------------------------

CHUNK_ELEMENTS = 250_000
"""Numbers per (wards x terms x age groups x draws) block: 2 MB an array, so a block's arrays
stay in the processor's cache (measured: 12.4 s for the national draws against 16.0 s with
32 MB blocks; the blocks only split wards, so every figure is the same)."""
CHILDREN_KEYS = ("births_growth", "cohort_change.default", "child_yield.house", "child_yield.flat")


def distributions_for(
    parameters: Parameters, given: Mapping[str, Distribution]
) -> dict[str, Distribution]:
    """The distribution of every uncertain key: the scenario's own, else the default's range.

    A default range is ``triangular(low, default, high)``, moved to the value in force where a
    parameters file or scenario fixed another (:meth:`Distribution.shifted`).
    """
    out: dict[str, Distribution] = {}
    for key, entry in default_table().items():
        if "range" not in entry or key not in parameters.values:
            continue
        low, high = (float(v) for v in entry["range"])
        default = float(entry["value"])
        dist = Distribution("triangular", min(low, default), max(high, default), mode=default)
        value = parameters.number(key)
        out[key] = dist if value == default else dist.shifted(value, key_bounds(key))
    out.update(given)
    return {key: out[key] for key in sorted(out)}


def draw_values(
    distributions: Mapping[str, Distribution], draws: int, seed: int
) -> dict[str, np.ndarray]:
    """``draws`` values of each key, from one seeded generator (keys in sorted order).

    >>> d = {"utilisation": Distribution("uniform", 0.85, 0.85)}
    >>> draw_values(d, 3, seed=1)["utilisation"].tolist()
    [0.85, 0.85, 0.85]
    """
    rng = np.random.Generator(np.random.PCG64(seed))
    keys = sorted(distributions)
    uniforms = rng.random((len(keys), draws))
    return {key: distributions[key].quantile(uniforms[i]) for i, key in enumerate(keys)}


@dataclass
class _Pieces:
    """What the draws need from one assessment: children split by what scales them."""

    model_terms: list[Term]
    keep: list[int]
    t0: int
    births_known: np.ndarray  # (wards, terms, 3, K): births k years ahead, known ratios
    births_default: np.ndarray  # the same with ratio 1 where cohort_change.default applies
    housing_house: np.ndarray  # (wards, terms, 3) children per unit house yield
    housing_flat: np.ndarray
    supply_places: np.ndarray  # (wards, forecast terms, 3), at the run's hours_per_place
    ward_values: pd.DataFrame
    hours: dict[str, np.ndarray]  # per entitlement, hours a week at each model term


def _pieces(result: Assessment) -> _Pieces:
    params, inputs = result.parameters, result.demand_inputs
    if inputs is None:
        raise ParameterError("the assessment carries no demand inputs to draw from")
    wards = result.place.ward_codes
    model_terms = sorted({result.latest_return, *result.terms})
    until = max(t.start_month for t in model_terms) - 10
    months = population.birth_months(inputs.births, wards, until, 0.0)
    ratios = population.cohort_change_ratios(inputs.population, months, np.nan)
    known = np.isfinite(ratios)
    column_month = months.first_month + np.arange(months.counts.shape[1])
    ahead = np.where(
        column_month > months.last_observed, (column_month - months.last_observed - 1) // 12 + 1, 0
    )
    parts_known, parts_default = [], []
    for k in range(int(ahead.max()) + 1):
        masked = replace(months, counts=months.counts * (ahead == k)[None, :])
        parts_known.append(
            population.children_by_group(masked, np.where(known, ratios, 0.0), model_terms)
        )
        parts_default.append(
            population.children_by_group(masked, np.where(known, 0.0, 1.0), model_terms)
        )
    last_year = last_observed_year(inputs.births)
    per_kind = {
        kind: housing.housing_children(
            inputs.housing,
            wards,
            model_terms,
            last_year,
            {"house": float(kind == "house"), "flat": float(kind == "flat")},
        )
        for kind in ("house", "flat")
    }
    keep = [model_terms.index(t) for t in result.terms]
    return _Pieces(
        model_terms=model_terms,
        keep=keep,
        t0=model_terms.index(result.latest_return),
        births_known=np.stack(parts_known, axis=-1),
        births_default=np.stack(parts_default, axis=-1),
        housing_house=per_kind["house"],
        housing_flat=per_kind["flat"],
        supply_places=result.supply_places,
        ward_values=ward_values(params, inputs.ward_parameters, wards),
        hours=demand.entitlement_hours(result.rules, model_terms),
    )


def _ward_draws(
    values: pd.DataFrame, drawn: Mapping[str, np.ndarray], parameters: Parameters, rows: slice
) -> dict[str, np.ndarray]:
    """(wards, draws) values of each ward-level key, moved by the LA-wide draw's factor."""
    out = {}
    for key in values.columns:
        base = values[key].to_numpy(float)[rows, None]
        if key not in drawn:
            out[key] = base
            continue
        central = parameters.number(key)
        draw = drawn[key][None, :]
        moved = base * (draw / central) if central != 0 else base + (draw - central)
        low, high = key_bounds(key)
        out[key] = np.clip(moved, low, high)
    return out


def _children(pieces: _Pieces, rows: slice, terms: list[int], scalar: dict) -> np.ndarray:
    """Children (wards, terms, 3, draws or 1) for a block of wards and model terms."""
    growth = (1.0 + scalar["births_growth"])[None, :] ** np.arange(pieces.births_known.shape[-1])[
        :, None
    ]  # (K, draws)
    known = pieces.births_known[rows][:, terms]
    default = pieces.births_default[rows][:, terms]
    children: np.ndarray
    children = known @ growth + default @ (growth * scalar["cohort_change.default"][None, :])
    children += pieces.housing_house[rows][:, terms][..., None] * scalar["child_yield.house"]
    children += pieces.housing_flat[rows][:, terms][..., None] * scalar["child_yield.flat"]
    return children


def _calibrated(ward: dict[str, np.ndarray], scale: dict[str, np.ndarray]) -> dict:
    """Take-up rescaled per draw by the calibration factors (capped at 1), as
    ``demand.calibrated_ward_values`` does for the run."""
    out = dict(ward)
    for key, factor in scale.items():
        out[f"take_up.{key}"] = np.clip(ward[f"take_up.{key}"] * factor[None, :], 0.0, 1.0)
    return out


def _calibration_scale(
    result: Assessment, pieces: _Pieces, drawn: dict, scalar: dict, chunk: int
) -> dict[str, np.ndarray] | None:
    """Per draw, the factor that makes each entitlement's funded children match the returns."""
    if not result.parameters.calibrate_take_up:
        return None
    totals: dict[str, np.ndarray] = {}
    n_wards = len(pieces.ward_values)
    for start in range(0, n_wards, chunk):
        rows = slice(start, min(start + chunk, n_wards))
        children = _children(pieces, rows, [pieces.t0], scalar)
        ward = _ward_draws(pieces.ward_values, drawn, result.parameters, rows)
        hours = {key: h[[pieces.t0]] for key, h in pieces.hours.items()}
        funded, _ = demand.funded_children(children, hours, ward, result.rules)
        for key, count in funded.items():
            totals[key] = totals.get(key, 0.0) + count.sum(axis=(0, 1))
    reported = result.funded_reported
    scale = {}
    for key, total in totals.items():
        if key in reported:
            with np.errstate(divide="ignore", invalid="ignore"):
                scale[key] = np.where(total > 0, reported[key] / total, 1.0)
    return scale


def summarise(
    result: Assessment,
    given: Mapping[str, Distribution] | None = None,
    *,
    draws: int,
    seed: int,
    chunk_elements: int = CHUNK_ELEMENTS,
) -> pd.DataFrame:
    """Monte Carlo columns for ``result.gap``: ``gap_median, gap_p05, gap_p95, p_deficit``.

    Rows align with ``result.gap`` (same index). ``given`` are the scenario's distributions;
    every other key with a default range is drawn from it. ``attrs["drawn"]`` lists the keys.
    """
    if draws < 1:
        raise ParameterError(f"--draws must be at least 1 (found {draws})")
    params = result.parameters
    dists = distributions_for(params, given or {})
    drawn = draw_values(dists, draws, seed)
    ones = np.ones(draws)
    scalar = {
        key: drawn.get(key, ones * params.number(key))
        for key in (
            "births_growth",
            "cohort_change.default",
            "child_yield.house",
            "child_yield.flat",
            "stretched_share",
            "hours_per_place",
            "utilisation",
        )
    }
    pieces = _pieces(result)
    n_wards, n_terms = len(pieces.ward_values), len(pieces.keep)
    chunk = max(1, chunk_elements // (len(pieces.model_terms) * 3 * draws))
    scale = _calibration_scale(result, pieces, drawn, scalar, chunk)
    hpp, utilisation = scalar["hours_per_place"], scalar["utilisation"]
    # The run's supply places are place-hours / its hours_per_place; a draw of that unit moves them.
    supply_scale = params.hours_per_place / hpp
    hours = {key: h[pieces.keep] for key, h in pieces.hours.items()}
    stats = np.empty((4, n_wards, n_terms, 3))
    for start in range(0, n_wards, chunk):
        rows = slice(start, min(start + chunk, n_wards))
        children = _children(pieces, rows, pieces.keep, scalar)
        children = np.broadcast_to(children, (*children.shape[:3], draws))
        ward = _ward_draws(pieces.ward_values, drawn, params, rows)
        if scale is not None:
            ward = _calibrated(ward, scale)
        need = demand.demand(children, hours, ward, result.rules, scalar["stretched_share"])
        supply_places = pieces.supply_places[rows][..., None] * supply_scale
        gap = gap_model.gap(supply_places, need.demand_hours / hpp, utilisation)
        stats[1:4, rows] = np.quantile(gap, [0.5, 0.05, 0.95], axis=-1, method=QUANTILE_METHOD)
        stats[0, rows] = np.mean(gap < -params.deficit_tolerance, axis=-1)
    order = np.argsort(pieces.ward_values.index.to_numpy(dtype=str), kind="stable")
    flat = stats[:, order].transpose(0, 2, 1, 3).reshape(4, -1)
    out = pd.DataFrame(
        {"gap_median": flat[1], "gap_p05": flat[2], "gap_p95": flat[3], "p_deficit": flat[0]},
        index=result.gap.index,
    )
    out.attrs["drawn"] = [k for k, d in dists.items() if d.width > 0]
    return out
