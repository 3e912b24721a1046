"""How big and how slow the ward map is for a large area: 300 wards and 2,000 providers.

The synthetic area: 300 wards as a Voronoi tessellation of random points over 40 x 30 km of
British National Grid, their edges cut into 10 m segments and bent by a smooth displacement
of the plane (so neighbouring wards still share every vertex, and each ward has several
hundred vertices, like full-resolution ONS boundaries); a 12-term gap table for the three age
groups; 2,000 providers at random places; 60 housing sites.

Measured, best of three, in-process after imports: building the folium map from the gap
table, wards, providers and housing (simplification included) and writing it as one offline
HTML file (``maps.write_map``); published (no providers) and internal (providers clustered).

Run: ``.venv/bin/python benchmarks/maps.py``. Targets: under 5 MB and under 5 seconds.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import MultiPoint, box

from sufficiency.outputs import maps
from sufficiency.terms import AGE_GROUPS, Term

WARDS = 300
PROVIDERS = 2_000
SITES = 60
TERMS = 12
WEST, SOUTH, WIDTH, HEIGHT = 420_000.0, 95_000.0, 40_000.0, 30_000.0
SEED = 2026


def _warp(xy: np.ndarray) -> np.ndarray:
    """A smooth displacement of up to ~25 m (slope < 1, so the map stays one-to-one)."""
    x, y = xy[:, 0], xy[:, 1]
    dx = 15 * np.sin(y / 90.0) + 10 * np.sin((x + y) / 230.0)
    dy = 15 * np.sin(x / 110.0) + 10 * np.cos((x - y) / 170.0)
    return np.column_stack([x + dx, y + dy])


def synthetic_wards(rng: np.random.Generator) -> gpd.GeoDataFrame:
    frame = box(WEST, SOUTH, WEST + WIDTH, SOUTH + HEIGHT)
    seeds = np.column_stack(
        [rng.uniform(WEST, WEST + WIDTH, WARDS), rng.uniform(SOUTH, SOUTH + HEIGHT, WARDS)]
    )
    cells = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=frame)
    shapes = [cell.intersection(frame) for cell in cells.geoms]
    shapes = shapely.segmentize(np.array(shapes), 10.0)
    shapes = shapely.transform(shapes, _warp)
    codes = [f"E05{900000 + i:06d}" for i in range(len(shapes))]
    return gpd.GeoDataFrame(
        {"ward_code": codes, "ward_name": [f"Ward {i + 1}" for i in range(len(shapes))]},
        geometry=list(shapes),
        crs="EPSG:27700",
    )


def synthetic_gap(codes: list[str], rng: np.random.Generator) -> pd.DataFrame:
    terms = [str(Term.of(2027, "spring") + i) for i in range(TERMS)]
    index = pd.MultiIndex.from_product([terms, codes, AGE_GROUPS], names=["term", "ward", "age"])
    n = len(index)
    children = rng.uniform(80, 400, n)
    demand = children * rng.uniform(0.3, 0.5, n)
    supply = demand * rng.uniform(0.7, 1.4, n)
    gap = supply * 0.9 - demand
    return pd.DataFrame(
        {
            "scenario": "baseline",
            "term": index.get_level_values("term"),
            "ward_code": index.get_level_values("ward"),
            "ward_name": [f"Ward {int(c[-3:]) + 1}" for c in index.get_level_values("ward")],
            "age_group": index.get_level_values("age"),
            "children": children,
            "funded_children": demand * 0.8,
            "demand_hours": demand * 50,
            "demand_places": demand,
            "supply_places": supply,
            "gap_places": gap,
            "places_per_100": 100 * supply / children,
            "projected_vacancies": gap + 5,
            "status": np.where(
                gap < 0, "deficit", np.where(gap < 0.05 * demand, "tight", "sufficient")
            ),
        }
    )


def synthetic_providers(rng: np.random.Generator) -> pd.DataFrame:
    kinds = rng.choice(list(maps.PROVIDER_COLOURS), PROVIDERS)
    frame = pd.DataFrame(
        {
            "provider_name": [f"Provider {i + 1}" for i in range(PROVIDERS)],
            "provider_type": kinds,
            "easting": rng.uniform(WEST, WEST + WIDTH, PROVIDERS),
            "northing": rng.uniform(SOUTH, SOUTH + HEIGHT, PROVIDERS),
        }
    )
    for group in AGE_GROUPS:
        frame[f"places_{group}"] = rng.integers(0, 30, PROVIDERS)
        frame[f"vacancies_{group}"] = rng.integers(0, 5, PROVIDERS)
        frame[f"waiting_{group}"] = rng.integers(0, 8, PROVIDERS)
    return frame


def synthetic_housing(rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for site in range(SITES):
        east = rng.uniform(WEST, WEST + WIDTH)
        north = rng.uniform(SOUTH, SOUTH + HEIGHT)
        for year in range(2026, 2026 + int(rng.integers(1, 6))):
            rows.append(
                {
                    "site_id": f"S{site:03d}",
                    "site_name": f"Site {site + 1}",
                    "year": year,
                    "dwellings": int(rng.integers(10, 200)),
                    "dwelling_type": "house" if site % 3 else "flat",
                    "easting": east,
                    "northing": north,
                }
            )
    return pd.DataFrame(rows)


def main() -> None:
    rng = np.random.default_rng(SEED)
    wards = synthetic_wards(rng)
    gap = synthetic_gap(list(wards["ward_code"]), rng)
    providers = synthetic_providers(rng)
    housing = synthetic_housing(rng)
    text = maps.MapText(
        title="Benchmark", area="Synthetic", scenario="baseline", data_date="-", source="-"
    )
    simplified = maps.simplify_wards(wards)
    before, after = simplified.attrs["vertices"]
    print(
        f"{len(wards)} wards, {len(providers):,} providers, {len(gap):,} gap rows; "
        f"geometry: {before:,} vertices -> {after:,} after coverage simplification at "
        f"{simplified.attrs['tolerance_m']:.0f} m, coordinates to 5 decimal places"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for publish in (True, False):
            times, size = [], 0
            for i in range(3):
                path = Path(tmp) / f"map-{publish}-{i}.html"
                start = time.perf_counter()
                m = maps.gap_map(
                    gap,
                    wards,
                    text=text,
                    housing=housing,
                    providers=providers,
                    options=maps.MapOptions(publish=publish),
                )
                size = maps.write_map(m, path)
                times.append(time.perf_counter() - start)
            kind = "published" if publish else "internal "
            print(
                f"{kind}: {size / 1_000_000:5.2f} MB, built and written in "
                f"{min(times):5.2f} s (best of 3; targets < 5 MB, < 5 s)"
            )


if __name__ == "__main__":
    main()
