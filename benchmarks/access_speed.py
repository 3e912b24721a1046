"""How fast is the 2SFCA, and how much faster than PySAL access?

Two cases, both measured in the same run:

- national: every LSOA in England (32,844 centroids from ../shared/realdata when present,
  otherwise uniform points in a 600 km x 600 km box) and 60,000 providers, with the catchment
  of each age group (2, 3 and 5 km); the issue asks for under 0.5 s;
- against access: 10,000 small areas and 6,000 providers, our 2SFCA against access's
  cost table (``create_euclidean_distance``) and 2SFCA together; the issue asks for 100 times
  faster, with the same values to 1e-9.

Providers are placed where children live: each near a random small area (500 m jitter), so
the pair counts are those of a real country, not of evenly spread points. Children and
places are random. Our times are the median of several runs after one warm-up; access runs
once. Peak memory is the rise in the process's peak resident memory during the call (Linux only;
for ours, in a separate untimed run, the larger of that and tracemalloc's peak).

Run ``python benchmarks/access_speed.py`` with the package installed (``make test`` installs
it; or ``PYTHONPATH=.``). ``measure`` is importable for the national benchmark: importing the
module reads no file and changes nothing.
"""

from __future__ import annotations

import contextlib
import os
import re
import statistics
import time
import tracemalloc
import warnings
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from sufficiency.access import catchment_pairs, two_step_fca

REPOSITORY = Path(__file__).resolve().parents[1]
LSOA_FILE = REPOSITORY.parent / "shared" / "realdata" / "england" / "lsoa.gpkg"
ENGLAND_BOX = 600_000.0
"""Side of the square the points spread over when no real centroids are given, in metres."""
PROVIDER_JITTER = 500.0
"""Standard deviation of a provider's distance from the small area it is placed near, metres."""
CATCHMENTS = {"under2": 2000.0, "2": 3000.0, "3_4": 5000.0}
"""Catchment per age group for the national case, metres (an example, not the defaults)."""


def lsoa_centroids(path: Path = LSOA_FILE) -> np.ndarray | None:
    """Centroids of England's LSOAs in British National Grid metres, or None without the file."""
    if not path.exists():
        return None
    import geopandas as gpd

    lsoas = gpd.read_file(path, columns=["LSOA11CD"]).to_crs(27700)
    centroids = lsoas.geometry.centroid
    return np.column_stack([centroids.x.to_numpy(), centroids.y.to_numpy()])


def synthetic_case(
    n_demand: int, n_supply: int, seed: int, demand_xy: np.ndarray | None = None
) -> dict[str, np.ndarray]:
    """Small areas, children, providers and places for a benchmark.

    Small areas are ``n_demand`` of ``demand_xy`` drawn without replacement (all of them when
    the numbers match), or uniform in a 600 km box; each provider sits near a random small area.
    """
    rng = np.random.default_rng(seed)
    if demand_xy is None:
        areas = rng.uniform(0, ENGLAND_BOX, (n_demand, 2))
    elif n_demand == len(demand_xy):
        areas = np.asarray(demand_xy, dtype=float)
    else:
        areas = demand_xy[rng.choice(len(demand_xy), n_demand, replace=False)]
    near = rng.integers(0, n_demand, n_supply)
    providers = areas[near] + rng.normal(0, PROVIDER_JITTER, (n_supply, 2))
    return {
        "areas": areas,
        "children": rng.integers(1, 200, n_demand).astype(float),
        "providers": providers,
        "places": rng.integers(0, 60, n_supply).astype(float),
    }


@contextlib.contextmanager
def peak_memory(*, trace_python: bool = False) -> Iterator[dict[str, float]]:
    """Measure a block's peak memory, in MB, into the dict it yields (key ``peak_mb``).

    The rise in the process's peak resident memory (Linux; NaN elsewhere), and with
    ``trace_python`` the larger of that and tracemalloc's peak (numpy's arrays, but not memory
    that scipy's C++ allocates). Resident memory misses what the allocator reuses from earlier
    calls and tracemalloc slows Python code, so time and trace in separate runs.
    """
    result: dict[str, float] = {}
    status = Path("/proc/self/status")
    try:
        Path("/proc/self/clear_refs").write_text("5")  # reset the peak resident memory
        before = _status_mb(status, "VmRSS")
    except OSError:
        before = float("nan")
    if trace_python:
        tracemalloc.start()
    try:
        yield result
    finally:
        peak = _status_mb(status, "VmHWM") - before if np.isfinite(before) else float("nan")
        if trace_python:
            peak = np.nanmax([peak, tracemalloc.get_traced_memory()[1] / 2**20])
            tracemalloc.stop()
        result["peak_mb"] = float(peak)


def _status_mb(status: Path, field: str) -> float:
    match = re.search(rf"{field}:\s+(\d+) kB", status.read_text())
    return int(match.group(1)) / 1024 if match else float("nan")


def time_ours(
    case: dict[str, np.ndarray], catchment: float, repeat: int = 5
) -> tuple[dict[str, Any], np.ndarray]:
    """Time ``two_step_fca`` (pair search and both steps): median and best of ``repeat``."""
    run = partial(
        two_step_fca,
        case["areas"],
        case["children"],
        case["providers"],
        case["places"],
        catchment,
    )
    run()  # warm-up
    seconds = []
    for _ in range(repeat):
        start = time.perf_counter()
        values = run()
        seconds.append(time.perf_counter() - start)
    with peak_memory(trace_python=True) as memory:
        values = run()
    return {
        "ours_seconds": statistics.median(seconds),
        "ours_best_seconds": min(seconds),
        "ours_peak_mb": memory["peak_mb"],
        "pairs": len(catchment_pairs(case["areas"], case["providers"], catchment)),
    }, values


def time_access(case: dict[str, np.ndarray], catchment: float) -> tuple[dict[str, Any], np.ndarray]:
    """Time PySAL access: its Euclidean cost table and its 2SFCA, once, with its peak memory."""
    import access
    import geopandas as gpd
    import pandas as pd

    areas, providers = case["areas"], case["providers"]
    demand = gpd.GeoDataFrame(
        {"children": case["children"]},
        geometry=gpd.points_from_xy(areas[:, 0], areas[:, 1]),
        index=pd.RangeIndex(len(areas), name="area"),
    )
    supply = gpd.GeoDataFrame(
        {"places": case["places"]},
        geometry=gpd.points_from_xy(providers[:, 0], providers[:, 1]),
        index=pd.RangeIndex(len(providers), name="provider"),
    )
    with warnings.catch_warnings(), peak_memory() as memory:
        warnings.filterwarnings("ignore", message="The inplace keyword", module="access")
        start = time.perf_counter()
        model = access.Access(
            demand_df=demand, demand_value="children", supply_df=supply, supply_value="places"
        )
        model.create_euclidean_distance(threshold=catchment)
        cost_table = time.perf_counter()
        result = model.two_stage_fca(name="fca", max_cost=catchment)
        end = time.perf_counter()
    values = result.iloc[:, 0].reindex(range(len(areas))).to_numpy(dtype=float)
    return {
        "access_version": getattr(access, "__version__", "unknown"),
        "access_seconds": end - start,
        "access_cost_table_seconds": cost_table - start,
        "access_peak_mb": memory["peak_mb"],
    }, values


def measure(
    n_demand: int,
    n_supply: int,
    seed: int,
    *,
    catchment: float = 3000.0,
    demand_xy: np.ndarray | None = None,
    compare_access: bool = False,
    repeat: int = 5,
) -> dict[str, Any]:
    """Time our 2SFCA on one synthetic case, and access's on the same case if asked.

    Parameters
    ----------
    n_demand, n_supply
        Small areas and providers.
    seed
        Seed for the random points, children and places.
    catchment
        Catchment distance in metres.
    demand_xy
        Real small-area centroids to draw the small areas from; uniform in a 600 km box if None.
    compare_access
        Also time PySAL access (cost table and 2SFCA) and compare the values.
    repeat
        Timed runs of ours (the median is reported).

    Returns
    -------
    dict
        ``n_demand``, ``n_supply``, ``catchment``, ``points`` ("real" or "box"), ``cpus``
        (the pair search uses them all), ``pairs``,
        ``ours_seconds`` (median), ``ours_best_seconds``, ``ours_peak_mb``; with access also
        ``access_version``, ``access_seconds``, ``access_cost_table_seconds``,
        ``access_peak_mb``, ``speedup`` and ``max_relative_difference`` (where access is not
        NaN; ``ours_zero_where_access_nan`` says whether we give 0 everywhere it gives NaN).
    """
    case = synthetic_case(n_demand, n_supply, seed, demand_xy)
    result: dict[str, Any] = {
        "n_demand": n_demand,
        "n_supply": n_supply,
        "catchment": catchment,
        "points": "box" if demand_xy is None else "real",
        "cpus": os.cpu_count(),
    }
    ours, our_values = time_ours(case, catchment, repeat)
    result |= ours
    if compare_access:
        theirs, their_values = time_access(case, catchment)
        result |= theirs
        in_reach = ~np.isnan(their_values)
        difference = np.abs(our_values[in_reach] - their_values[in_reach])
        scale = np.abs(their_values[in_reach])
        result["max_relative_difference"] = float(
            np.max(difference / np.where(scale > 0, scale, 1), initial=0.0)
        )
        result["ours_zero_where_access_nan"] = bool((our_values[~in_reach] == 0).all())
        result["speedup"] = result["access_seconds"] / result["ours_seconds"]
    return result


def main() -> None:
    centroids = lsoa_centroids()
    where = "real LSOA centroids" if centroids is not None else "a 600 km box (no lsoa.gpkg)"
    n_lsoa = len(centroids) if centroids is not None else 32_844
    print(f"National: {n_lsoa:,} small areas x 60,000 providers, on {where}, {os.cpu_count()} CPUs")
    for age_group, catchment in CATCHMENTS.items():
        row = measure(n_lsoa, 60_000, seed=1, catchment=catchment, demand_xy=centroids)
        print(
            f"  {age_group:>6}, {catchment / 1000:.0f} km: {row['ours_seconds']:.3f} s median "
            f"({row['ours_best_seconds']:.3f} s best), {row['pairs']:,} pairs, "
            f"peak {row['ours_peak_mb']:.0f} MB"
        )
    try:
        import access  # noqa: F401
    except ModuleNotFoundError:
        print("Against access: skipped, PySAL access is not installed (pip install access)")
        return
    row = measure(10_000, 6_000, seed=2, catchment=3000.0, demand_xy=centroids, compare_access=True)
    print(f"Against access {row['access_version']}: 10,000 x 6,000, 3 km, {row['pairs']:,} pairs")
    print(
        f"  ours   {row['ours_seconds']:.4f} s, peak {row['ours_peak_mb']:.0f} MB\n"
        f"  access {row['access_seconds']:.2f} s (cost table {row['access_cost_table_seconds']:.2f}"
        f" s), peak {row['access_peak_mb']:.0f} MB\n"
        f"  speedup {row['speedup']:.0f}x; largest relative difference "
        f"{row['max_relative_difference']:.1e}; 0 where access gives NaN: "
        f"{row['ours_zero_where_access_nan']}"
    )


if __name__ == "__main__":
    main()
