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

from ._io import find_column, isin, normalise_postcode, numbers, read_table, require_columns
from .errors import InputError

BNG = "EPSG:27700"
WGS84 = "EPSG:4326"


OVERLAP_SHARE = 0.005
"""Two wards overlapping by more than this share of the smaller one's area is an error
(generalised ONS boundaries overlap by slivers far below it)."""


def read_wards(
    path: str | Path, notes: list[str] | None = None, *, overlaps: bool = True
) -> gpd.GeoDataFrame:
    """Ward polygons as ``ward_code, ward_name, geometry`` in EPSG:27700, sorted by code.

    A ward with no geometry, an empty one, an invalid one that ``make_valid`` would change the
    area of, and two wards that overlap (or one inside another) are errors naming the wards;
    an invalid polygon that repairs with its area unchanged is repaired, with a note. With
    ``overlaps=False`` the caller checks overlaps itself (:func:`refuse_overlaps`).
    """
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
    _refuse_missing_geometry(out, path)
    out = _dissolve_parts(out, path, notes)
    if out.crs is None:
        guessed = _guess_crs(out, path)
        out = out.set_crs(guessed)
        if notes is not None:
            notes.append(
                f"{path.name} has no coordinate reference system: read as {guessed} "
                f"({'longitude/latitude' if guessed == WGS84 else 'British National Grid'}), "
                "which its coordinates fit"
            )
    out = out.to_crs(BNG)
    out["geometry"] = _repaired(out, path, notes)
    out = out.sort_values("ward_code", kind="stable").reset_index(drop=True)
    if overlaps:
        refuse_overlaps(out, path)
    out.attrs["path"] = str(path)
    out.attrs["code_field"] = str(code)
    return out


def _refuse_missing_geometry(wards: gpd.GeoDataFrame, path: Path) -> None:
    geometry = wards.geometry.values
    bad = shapely.is_missing(geometry) | shapely.is_empty(geometry)
    polygonal = np.isin(shapely.get_type_id(geometry), [3, 6, 7])  # (Multi)Polygon, collection
    bad |= ~polygonal
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        what = (
            "no geometry"
            if shapely.is_missing(geometry[i])
            else (
                "an empty geometry"
                if shapely.is_empty(geometry[i])
                else "a geometry that is not a polygon"
            )
        )
        raise InputError(
            f"ward {wards['ward_code'].iloc[i]} ({wards['ward_name'].iloc[i]}) has {what}",
            file=path,
            row=i + 1,
            hint="Give every ward its boundary polygon (export the boundaries again)",
        )


def _repaired(wards: gpd.GeoDataFrame, path: Path, notes: list[str] | None) -> np.ndarray:
    """Valid polygons: ``make_valid`` where it keeps the area, else an error naming the ward."""
    geometry = np.asarray(wards.geometry.values)
    invalid = ~shapely.is_valid(geometry)
    if not invalid.any():
        return geometry
    fixed = geometry.copy()
    fixed[invalid] = shapely.make_valid(geometry[invalid])
    # The area of the polygon as drawn (its rings' areas) against the repaired area: a bow-tie
    # has a drawn area near zero or far from its repaired one.
    for i in np.flatnonzero(invalid):
        drawn = abs(_ring_area(geometry[i]))
        repaired = float(shapely.area(fixed[i]))
        code = wards["ward_code"].iloc[i]
        if repaired == 0 or abs(drawn - repaired) > 1e-6 * max(repaired, 1.0):
            raise InputError(
                f"ward {code} ({wards['ward_name'].iloc[i]}) has an invalid polygon "
                f"({shapely.is_valid_reason(geometry[i])}) that cannot be repaired without "
                "changing its area",
                file=path,
                hint="Correct the boundary in a GIS (QGIS: Vector > Geometry Tools > Check "
                "Validity), or export the ONS boundaries again",
            )
        if notes is not None:
            notes.append(
                f"{Path(path).name}: ward {code}'s polygon was invalid "
                f"({shapely.is_valid_reason(geometry[i])}) and was repaired; its area is unchanged"
            )
    return fixed


def _ring_area(geometry: object) -> float:
    """Signed area of a polygon's rings as drawn (shoelace), summed over its parts."""
    total = 0.0
    for part in shapely.get_parts(np.asarray([geometry])):
        if shapely.get_type_id(part) != 3:
            total += float(shapely.area(part))
            continue
        rings = [
            shapely.get_exterior_ring(part),
            *shapely.get_interior_ring(part, range(shapely.get_num_interior_rings(part))),
        ]
        for k, ring in enumerate(rings):
            xy = shapely.get_coordinates(ring)
            area = 0.5 * abs(float(np.dot(xy[:-1, 0], xy[1:, 1]) - np.dot(xy[1:, 0], xy[:-1, 1])))
            total += area if k == 0 else -area
    return total


def refuse_overlaps(wards: gpd.GeoDataFrame, path: str | Path) -> None:
    """Two wards sharing more than :data:`OVERLAP_SHARE` of the smaller's area: an error.

    Exact at any size. GEOS's coverage check (``shapely.coverage_invalid_edges``, about 1 s for
    England's 7,681 wards) flags every ward with an edge inside another ward (an overlap, a ward
    inside another, a copy of another, or the slivers of generalised boundaries); a ward it
    does not flag has no area in common with any other. Only the pairs with a flagged ward are
    intersected, exactly. GEOS lets go of Python's lock meanwhile, so a caller may check in a
    thread while it reads on.
    """
    geometry = np.asarray(wards.geometry.values)
    flagged = np.flatnonzero(~shapely.is_empty(shapely.coverage_invalid_edges(geometry)))
    if not len(flagged):
        return
    hit, other = wards.sindex.query(geometry[flagged], predicate="intersects")
    pairs = np.unique(np.sort(np.column_stack([flagged[hit], other]), axis=1), axis=0)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    left, right = pairs[:, 0], pairs[:, 1]
    if not len(left):
        return
    shared = shapely.area(shapely.intersection(geometry[left], geometry[right]))
    smaller = np.minimum(shapely.area(geometry[left]), shapely.area(geometry[right]))
    bad = shared > OVERLAP_SHARE * smaller
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        a, b = wards.iloc[left[k]], wards.iloc[right[k]]
        inside = shared[k] >= 0.99 * smaller[k]
        raise InputError(
            f"wards {a['ward_code']} ({a['ward_name']}) and {b['ward_code']} ({b['ward_name']}) "
            + ("lie one inside the other" if inside else f"overlap by {shared[k] / 1e4:,.1f} ha")
            + "; a provider there would be counted in one of them by chance",
            file=path,
            hint="Give wards that do not overlap, all of one boundary year",
        )


def _guess_crs(frame: gpd.GeoDataFrame, path: Path | None = None) -> str:
    """A file without a CRS: longitude/latitude if its numbers fit, else British National Grid
    if they fit that; else an error naming the file (a guess would put every provider, site
    and postcode outside every ward)."""
    minx, miny, maxx, maxy = frame.total_bounds
    if minx >= -10 and maxx <= 5 and miny >= 49 and maxy <= 62:
        return WGS84
    if minx >= -1e5 and maxx <= 8e5 and miny >= -1e5 and maxy <= 1.3e6:
        return BNG
    raise InputError(
        "the wards file has no coordinate reference system, and its coordinates "
        f"({minx:,.0f}, {miny:,.0f} to {maxx:,.0f}, {maxy:,.0f}) are neither longitude/latitude "
        "nor British National Grid",
        file=path,
        hint="Save the boundaries with their CRS (a Shapefile needs its .prj file; QGIS: Export > "
        "Save Features As, CRS EPSG:27700)",
    )


def _dissolve_parts(
    wards: gpd.GeoDataFrame, path: Path, notes: list[str] | None
) -> gpd.GeoDataFrame:
    """Rows sharing a ward code: parts of one ward (ONS files split some) when they share its
    name too, dissolved with a note; two wards given one code is an error naming the file."""
    dup = wards["ward_code"].duplicated(keep=False)
    if not dup.any():
        return wards
    names = wards[dup].groupby("ward_code")["ward_name"].nunique()
    if (names > 1).any():
        code = names.index[(names > 1).to_numpy()][0]
        rows = np.flatnonzero((wards["ward_code"] == code).to_numpy())
        shown = " and ".join(f"row {r + 1} ({wards['ward_name'].iloc[r]})" for r in rows[:2])
        raise InputError(
            f"ward code {code} is given to two different wards, {shown}",
            file=path,
            row=int(rows[1]) + 1,
            hint="Give each ward its own code (all of one boundary year); parts of one ward may "
            "share a code when they share its name",
        )
    if notes is not None:
        codes = sorted(set(wards.loc[dup, "ward_code"]))
        notes.append(
            f"{path.name}: {len(codes)} ward(s) given in several parts ({', '.join(codes[:5])}) "
            "were joined into one polygon each"
        )
    return wards.dissolve(by="ward_code", as_index=False, aggfunc="first")


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


LOOKUP_HINT = (
    "Give the area a postcode lookup: sufficiency import postcodes ONSPD.csv --area DIR "
    "(the ONS Postcode Directory or NSPL) writes postcodes.csv; or add latitude and longitude"
)


def refuse_without_lookup(
    table: pd.DataFrame, wards: gpd.GeoDataFrame, postcodes: pd.DataFrame | None, *, file: str
) -> None:
    """Raise when rows can only be placed by postcode and the area has no postcode lookup.

    Without the lookup such rows would be left out of supply: a wrong answer, not a note.
    """
    if postcodes is not None or "postcode" not in table.columns:
        return
    only_postcode = np.array(table["postcode"].notna(), dtype=bool)
    for pair in (["easting", "northing"], ["latitude", "longitude"]):
        if set(pair) <= set(table.columns):
            has = np.array(table[pair[0]].notna() & table[pair[1]].notna(), dtype=bool)
            only_postcode = only_postcode & ~has
    if "ward_code" in table.columns:
        known = isin(table["ward_code"], wards["ward_code"])
        only_postcode = only_postcode & ~known
    if only_postcode.any():
        i = int(np.flatnonzero(only_postcode)[0])
        row = table["source_row"].iloc[i] if "source_row" in table.columns else i + 2
        raise InputError(
            f"{int(only_postcode.sum())} provider(s) have a postcode but no coordinates or ward "
            "code, and the area has no postcode lookup (postcodes.csv)",
            file=file,
            row=int(row),
            column="postcode",
            value=table["postcode"].iloc[i],
            hint=LOOKUP_HINT,
        )


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
