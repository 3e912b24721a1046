"""Wards, and putting providers, housing sites and postcodes into them.

Wards come in any vector format geopandas reads and any CRS, with ``ward_code``/``ward_name`` or
ONS field names of any year (``WD13CD``, ``WD24NM``...). Everything spatial is done in British
National Grid (EPSG:27700) metres. A point is placed in the ward whose polygon contains it (a
point on a shared edge goes to the ward with the lower code); points outside every ward are
reported, not guessed.

Locating a row (provider or site) tries, in order: a ``ward_code`` the wards file knows;
coordinates (``easting, northing`` in EPSG:27700 or ``latitude, longitude`` in EPSG:4326) by
point in polygon; the postcode, through the postcode lookup (its ward code where it has one,
else its coordinates).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from ._io import find_column, normalise_postcode, numbers, read_table, require_columns
from .errors import InputError

BNG = "EPSG:27700"
WGS84 = "EPSG:4326"


def read_wards(path: str | Path) -> gpd.GeoDataFrame:
    """Ward polygons as ``ward_code, ward_name, geometry`` in EPSG:27700, sorted by code."""
    path = Path(path)
    if not path.exists():
        raise InputError("file not found", file=path, hint="An area needs a wards file")
    try:
        wards = gpd.read_file(path, engine="pyogrio")
    except Exception as exc:  # pyogrio raises its own DataSourceError and friends
        raise InputError(
            f"cannot be read as ward boundaries ({exc})",
            file=path,
            hint="Give GeoJSON, GeoPackage or Shapefile polygons",
        ) from None
    code = find_column(wards.columns, "ward_code", r"WD\d\dCD", "wardcode", "code")
    name = find_column(wards.columns, "ward_name", r"WD\d\dNM", "wardname", "name")
    if code is None:
        raise InputError(
            "no ward code field",
            file=path,
            hint="Name it ward_code, or keep the ONS name (WD24CD or the like); fields are "
            + ", ".join(c for c in wards.columns if c != "geometry"),
        )
    if len(wards) == 0:
        raise InputError("no wards in the file", file=path)
    out = gpd.GeoDataFrame(
        {
            "ward_code": wards[code].astype("string").str.strip(),
            "ward_name": (wards[name] if name else wards[code]).astype("string").str.strip(),
        },
        geometry=wards.geometry.values,
        crs=wards.crs,
    )
    if out["ward_code"].isna().any():
        raise InputError(
            "a ward has no code",
            file=path,
            column=code,
            row=int(np.flatnonzero(out["ward_code"].isna())[0]) + 1,
        )
    dup = out["ward_code"].duplicated()
    if dup.any():
        # ONS files sometimes split a ward into parts: dissolve them into one.
        out = out.dissolve(by="ward_code", as_index=False, aggfunc="first")
    if out.crs is None:
        out = out.set_crs(_guess_crs(out))
    out = out.to_crs(BNG)
    out["geometry"] = shapely.make_valid(out.geometry.values)
    return out.sort_values("ward_code", kind="stable").reset_index(drop=True)


def _guess_crs(frame: gpd.GeoDataFrame) -> str:
    """A file without a CRS: longitude/latitude if its numbers fit, else British National Grid."""
    minx, miny, maxx, maxy = frame.total_bounds
    if minx >= -10 and maxx <= 5 and miny >= 49 and maxy <= 62:
        return WGS84
    return BNG


def points_in_wards(wards: gpd.GeoDataFrame, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The ward code (or ``None``) containing each point (EPSG:27700 metres).

    One bulk query, no loop over points: a spatial index of the points, queried with each ward
    polygon (prepared once, so each ward tests only the points in its bounding box).
    """
    codes = np.full(len(x), None, dtype=object)
    ok = np.isfinite(x) & np.isfinite(y)
    if not ok.any():
        return codes
    points = shapely.points(x[ok], y[ok])
    ward_idx, point_idx = shapely.STRtree(points).query(
        wards.geometry.to_numpy(), predicate="intersects"
    )
    if len(point_idx):
        # Several wards for one point (on a shared edge): the lowest index, i.e. lowest code.
        order = np.lexsort((ward_idx, point_idx))
        point_idx, ward_idx = point_idx[order], ward_idx[order]
        first = np.r_[True, point_idx[1:] != point_idx[:-1]]
        hits = np.full(int(ok.sum()), None, dtype=object)
        hits[point_idx[first]] = wards["ward_code"].to_numpy()[ward_idx[first]]
        codes[ok] = hits
    return codes


def to_bng(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Longitude/latitude (EPSG:4326) to easting/northing (EPSG:27700)."""
    transformer = Transformer.from_crs(WGS84, BNG, always_xy=True)
    x, y = transformer.transform(np.asarray(lon, float), np.asarray(lat, float))
    return np.asarray(x, float), np.asarray(y, float)


def read_postcodes(path: str | Path) -> pd.DataFrame:
    """The postcode lookup, indexed by normalised postcode: ``easting, northing, ward_code``.

    Accepts ``postcode, latitude, longitude[, ward_code]`` or the ONS Postcode Directory's
    ``pcds, lat, long, osward``.
    """
    table = read_table(path)
    renames = {
        "pcds": "postcode",
        "pcd": "postcode",
        "lat": "latitude",
        "long": "longitude",
        "osward": "ward_code",
    }
    table = table.rename(columns={k: v for k, v in renames.items() if v not in table.columns})
    require_columns(table, ["postcode", "latitude", "longitude"], file=path)
    lat = numbers(table, "latitude", file=path, negative=True)
    lon = numbers(table, "longitude", file=path, negative=True)
    x, y = to_bng(lon.to_numpy(), lat.to_numpy())
    lookup = pd.DataFrame(
        {
            "easting": x,
            "northing": y,
            "ward_code": table["ward_code"] if "ward_code" in table.columns else pd.NA,
        },
    )
    lookup.index = pd.Index(normalise_postcode(table["postcode"]).to_numpy(), name="postcode")
    return lookup[~lookup.index.duplicated(keep="first")]


def locate(
    table: pd.DataFrame,
    wards: gpd.GeoDataFrame,
    postcodes: pd.DataFrame | None = None,
    *,
    file: str | Path,
) -> pd.DataFrame:
    """Add ``ward_code``, ``located_by``, ``easting`` and ``northing`` (EPSG:27700) to rows.

    ``located_by`` is ``ward_code``, ``coordinates``, ``postcode`` or ``unlocated``. Coordinates
    come from the row, else its postcode, else the ward's representative point, so every located
    row can be drawn on a map.
    """
    n = len(table)
    known = set(wards["ward_code"].tolist())
    ward = np.full(n, None, dtype=object)
    how = np.full(n, "unlocated", dtype=object)
    x = np.full(n, np.nan)
    y = np.full(n, np.nan)

    if {"easting", "northing"} <= set(table.columns):
        x = numbers(table, "easting", file=file, required=False).to_numpy().copy()
        y = numbers(table, "northing", file=file, required=False).to_numpy().copy()
    if {"latitude", "longitude"} <= set(table.columns):
        lat = numbers(table, "latitude", file=file, required=False, negative=True).to_numpy()
        lon = numbers(table, "longitude", file=file, required=False, negative=True).to_numpy()
        use = np.isnan(x) & np.isfinite(lat) & np.isfinite(lon)
        if use.any():
            x[use], y[use] = to_bng(lon[use], lat[use])
    has_xy = np.isfinite(x) & np.isfinite(y)

    if postcodes is not None and "postcode" in table.columns:
        keys = normalise_postcode(table["postcode"]).to_numpy()
        found = postcodes.reindex(keys)
        pc_x = found["easting"].to_numpy(float)
        pc_y = found["northing"].to_numpy(float)
        pc_ward = found["ward_code"].astype(object).to_numpy()
    else:
        pc_x = pc_y = np.full(n, np.nan)
        pc_ward = np.full(n, None, dtype=object)

    # 1. A ward code the wards file knows.
    if "ward_code" in table.columns:
        given = table["ward_code"].astype(object).to_numpy()
        ok = np.array([code in known for code in given], dtype=bool)
        ward[ok], how[ok] = given[ok], "ward_code"
    # 2. Coordinates, point in polygon.
    todo = (how == "unlocated") & has_xy
    if todo.any():
        hit = points_in_wards(wards, x[todo], y[todo])
        idx = np.flatnonzero(todo)[np.array([h is not None for h in hit], dtype=bool)]
        ward[idx] = hit[[h is not None for h in hit]]
        how[idx] = "coordinates"
    # 3. The postcode: its ward code, else its coordinates.
    todo = (how == "unlocated") & ~has_xy
    pc_known = np.array([code in known for code in pc_ward], dtype=bool)
    by_code = todo & pc_known
    ward[by_code], how[by_code] = pc_ward[by_code], "postcode"
    todo = todo & ~pc_known & np.isfinite(pc_x)
    if todo.any():
        hit = points_in_wards(wards, pc_x[todo], pc_y[todo])
        good = np.array([h is not None for h in hit], dtype=bool)
        idx = np.flatnonzero(todo)[good]
        ward[idx], how[idx] = hit[good], "postcode"

    # Coordinates for drawing: the row's own, else the postcode's, else the ward's point.
    fill = ~has_xy & np.isfinite(pc_x)
    x[fill], y[fill] = pc_x[fill], pc_y[fill]
    missing = ~np.isfinite(x) & (how != "unlocated")
    if missing.any():
        points = wards.set_index("ward_code").geometry.representative_point()
        x[missing] = points.x.reindex(ward[missing]).to_numpy()
        y[missing] = points.y.reindex(ward[missing]).to_numpy()

    out = table.copy()
    out["ward_code"] = pd.array(ward, dtype="string")
    out["located_by"] = pd.array(how, dtype="string")
    out["easting"] = x
    out["northing"] = y
    return out


def read_small_areas(path: str | Path, wards: gpd.GeoDataFrame) -> pd.DataFrame:
    """Small areas as ``area_code, ward_code, x, y, population`` (EPSG:27700 metres).

    Reads LSOA or output-area polygons (any format and CRS geopandas reads; codes in
    ``area_code`` or ONS ``LSOAyyCD`` / ``OAyyCD``; optional ``population``), and puts each in
    the ward that holds its representative point (``x, y``). Small areas outside every ward
    are left out. ``population`` is NaN where the file has none.
    """
    path = Path(path)
    if not path.exists():
        raise InputError("file not found", file=path, hint="Check the small areas file's name")
    try:
        raw = gpd.read_file(path, engine="pyogrio")
    except Exception as exc:  # pyogrio raises its own DataSourceError and friends
        raise InputError(
            f"cannot be read as small-area boundaries ({exc})",
            file=path,
            hint="Give GeoJSON or GeoPackage polygons of LSOAs or output areas",
        ) from None
    code = find_column(raw.columns, "area_code", r"LSOA\d\dCD", r"OA\d\dCD")
    if code is None:
        raise InputError(
            "no small-area code field",
            file=path,
            hint="Name it area_code, or keep the ONS name (LSOA21CD, OA21CD or the like); "
            "fields are " + ", ".join(c for c in raw.columns if c != "geometry"),
        )
    if raw.crs is None:
        raise InputError(
            "the file has no coordinate reference system",
            file=path,
            hint="Save it with its CRS (British National Grid, EPSG:27700, or EPSG:4326)",
        )
    # A point inside each polygon, found in the file's own CRS: transforming points is much
    # cheaper than transforming polygons, and an LSOA is small enough for it to stay inside.
    points = raw.geometry.representative_point().to_crs(BNG)
    x, y = points.x.to_numpy(), points.y.to_numpy()
    population = np.full(len(raw), np.nan)
    if "population" in raw.columns:
        population = pd.to_numeric(raw["population"], errors="coerce").to_numpy(float)
        bad = ~(population >= 0) & raw["population"].notna().to_numpy()
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InputError(
                "population must be a number not below 0",
                file=path,
                row=i + 2,
                column="population",
                value=raw["population"].iloc[i],
            )
    out = pd.DataFrame(
        {
            "area_code": raw[code].astype("string").str.strip().to_numpy(),
            "ward_code": points_in_wards(wards, x, y),
            "x": x,
            "y": y,
            "population": population,
        }
    )
    return out[out["ward_code"].notna()].reset_index(drop=True)
