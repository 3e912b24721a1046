"""``sufficiency import postcodes``: the ONS Postcode Directory (ONSPD) or the National Statistics
Postcode Lookup (NSPL), full UK file or an extract, to the area's ``postcodes.csv``.

The file is recognised by its header: a postcode column as the directory names it (``pcds``,
``pcd``, ``pcd2``, ``pcd7`` or ``pcd8``; a plain ``postcode`` column is a provider return or
some other list, not the directory, and is refused) and a location (``lat, long``, or
``oseast1m, osnrth1m``), in any case.
Only the columns used are read, a block of about 100,000 rows at a time, and only the rows in
the area's bounding box are kept from each block, so the 2.7 million rows of a full UK file
never sit in memory at once (``benchmarks/import_postcodes.py`` measures the peak). A postcode
is kept when its location falls in a ward of the area (point in polygon on the area's own
wards, so the directory's ward codes need not be the same boundary year); its
``ward_code`` is the area's ward it falls in. Postcodes with no grid reference (ONSPD writes
latitude 99.999999 for them) cannot be placed and are dropped and counted. Terminated postcodes
(a ``doterm``) are kept, because a provider's return may still give an old postcode, and counted;
``terminated`` holds the month (YYYYMM) they ended. Postcodes are written in the ``pcds`` form
(``SO14 1AA``); the lookup matches ``SO141AA`` and ``so14  1aa`` to it.

An import that would replace the area's postcodes.csv with far fewer postcodes (under
:data:`SHRINK_LIMIT` of them: the wrong file, or an extract of a smaller area) is refused
unless asked for (``--replace``): :func:`check_replacement`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from .. import geography
from .._io import find_column, normalise_postcode
from ..errors import InputError

POSTCODE_COLUMNS = ["pcds", "pcd", "pcd2", "pcd8", "pcd7"]
LATITUDE, LONGITUDE = ["lat", "latitude"], ["long", "longitude", "lng"]
EASTING, NORTHING = ["oseast1m", "easting", "x"], ["osnrth1m", "northing", "y"]
TERMINATED = ["doterm"]
EXPECTED = (
    "a postcode (pcds, pcd, pcd2, pcd7 or pcd8) and a location (lat and long, or "
    "oseast1m and osnrth1m), as in the ONS Postcode Directory or the NSPL"
)
RETURN_COLUMNS = ["urn", "places_total", "provider_name", "provider_type"]
"""Columns of a provider return: a file with one of them is named as a return when refused."""
SHRINK_LIMIT = 0.5
"""An import keeping fewer than this share of the postcodes in the postcodes.csv it replaces is
refused unless ``replace`` is asked for."""
NO_GRID_LATITUDE = 99.0
"""ONSPD and NSPL give postcodes without a grid reference latitude 99.999999."""


@dataclass
class Imported:
    """What an import kept and dropped: the rows to write and the counts to report."""

    postcodes: pd.DataFrame
    rows: int
    outside: int
    no_location: int
    terminated: int
    columns: dict[str, str]
    repeated: int = 0

    def lines(self, source: Path, target: Path) -> list[str]:
        """The screen summary: what was read, kept and dropped, and why."""
        used = ", ".join(f"{k} from {v}" for k, v in self.columns.items())
        return [
            f"Read {self.rows:,} postcode(s) from {source.name} ({used})",
            f"Kept {len(self.postcodes):,} in the area's wards, "
            f"{self.terminated:,} of them terminated (kept: returns may still give them)",
            f"Dropped {self.outside:,} outside the area's wards, "
            f"{self.no_location:,} with no grid reference",
            f"Written: {target}",
        ]


def _header(path: Path) -> list[str]:
    with path.open("rb") as handle:
        first = handle.readline()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = first.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    return [c.strip().strip('"').strip() for c in text.rstrip("\r\n").split(",")]


def _pick(header: list[str], names: list[str]) -> str | None:
    return find_column(header, *names)


def import_postcodes(path: str | Path, wards: gpd.GeoDataFrame) -> Imported:
    """Read a postcode directory and keep the postcodes in ``wards``.

    Returns :class:`Imported` with ``postcodes``: ``postcode, latitude, longitude, ward_code,
    terminated``, one row per postcode, sorted by postcode.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError("file not found", file=path, hint="Give the directory's CSV file")
    if path.suffix.lower() not in {".csv", ".txt"}:
        raise InputError(
            "not a CSV file",
            file=path,
            hint="Give the directory's CSV (ONSPD: Data/ONSPD_*_UK.csv; NSPL: Data/NSPL*_UK.csv)",
        )
    raw_header = _header(path)
    header = [c.lower() for c in raw_header]
    postcode = _pick(header, POSTCODE_COLUMNS)
    lat, lon = _pick(header, LATITUDE), _pick(header, LONGITUDE)
    east, north = _pick(header, EASTING), _pick(header, NORTHING)
    if postcode is None or not ((lat and lon) or (east and north)):
        looks = _pick(header, RETURN_COLUMNS)
        raise InputError(
            "not recognised as a postcode directory"
            + (f" (it has {looks}: a provider return?)" if looks else ""),
            file=path,
            row=1,
            hint=f"It needs {EXPECTED}; its header has {', '.join(header[:15])}"
            + (", ..." if len(header) > 15 else "")
            + "; nothing was written",
        )
    doterm = _pick(header, TERMINATED)
    wanted = [c for c in [postcode, lat, lon, east, north, doterm] if c]
    names = [raw_header[header.index(c)] for c in wanted]
    # Only the points in the area's bounding box are kept from each batch and tested against
    # its wards: the full directory is never held in memory.
    minx, miny, maxx, maxy = wards.total_bounds
    rows = placed_total = 0
    near_frames: list[pd.DataFrame] = []
    near_xy: list[np.ndarray] = []
    for table in _batches(path, names):
        table.columns = [str(c).strip().lower() for c in table.columns]
        x, y = _locations(table, lat, lon, east, north)
        placed = np.isfinite(x) & np.isfinite(y)
        near = placed & (x >= minx) & (x <= maxx) & (y >= miny) & (y <= maxy)
        rows += len(table)
        placed_total += int(placed.sum())
        if near.any():
            near_frames.append(table[near])
            near_xy.append(np.column_stack([x[near], y[near]]))
    columns = [c.lower() for c in names]
    table = (
        pd.concat(near_frames, ignore_index=True)
        if near_frames
        else pd.DataFrame(columns=columns, dtype=str)
    )
    xy = np.concatenate(near_xy) if near_xy else np.empty((0, 2))
    ward = geography.points_in_wards(wards, xy[:, 0], xy[:, 1])
    inside = np.array([w is not None for w in ward], dtype=bool)
    kept = table[inside]
    x, y = xy[:, 0], xy[:, 1]
    if lat and lon:
        latitude = pd.to_numeric(kept[lat], errors="coerce").to_numpy(float)
        longitude = pd.to_numeric(kept[lon], errors="coerce").to_numpy(float)
    else:
        longitude, latitude = _to_wgs84(x[inside], y[inside])
    ended = kept[doterm].str.strip() if doterm else pd.Series("", index=kept.index)
    out = pd.DataFrame(
        {
            "postcode": format_postcode(kept[postcode]).to_numpy(),
            "latitude": np.round(latitude, 6),
            "longitude": np.round(longitude, 6),
            "ward_code": ward[inside],
            "terminated": ended.mask(ended == "").to_numpy(),
        }
    )
    repeated = int(out["postcode"].duplicated().sum())
    out = out.drop_duplicates("postcode").sort_values("postcode", kind="stable")
    return Imported(
        postcodes=out.reset_index(drop=True),
        rows=rows,
        outside=placed_total - int(inside.sum()),
        no_location=rows - placed_total,
        repeated=repeated,
        terminated=int(out["terminated"].notna().sum()),
        columns={
            "postcode": postcode,
            "location": f"{lat}, {lon}" if lat and lon else f"{east}, {north}",
            **({"terminated": doterm} if doterm else {}),
        },
    )


BATCH_BYTES = 16 << 20
"""The postcode directory is read in blocks of this many bytes (about 100,000 rows)."""


def _batches(path: Path, names: list[str]) -> Iterator[pd.DataFrame]:
    """The ``names`` columns of the CSV as text, one block of rows at a time."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    try:
        reader = pacsv.open_csv(
            path,
            read_options=pacsv.ReadOptions(block_size=BATCH_BYTES),
            convert_options=pacsv.ConvertOptions(
                include_columns=names,
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                check_utf8=False,
            ),
        )
        for batch in reader:
            yield batch.to_pandas()
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(f"cannot be read as CSV ({exc})", file=path) from None


def _locations(
    table: pd.DataFrame, lat: str | None, lon: str | None, east: str | None, north: str | None
) -> tuple[np.ndarray, np.ndarray]:
    """Easting and northing (EPSG:27700) of each row; NaN where it has no grid reference."""
    if east and north:
        x = np.array(pd.to_numeric(table[east], errors="coerce"), dtype=float)
        y = np.array(pd.to_numeric(table[north], errors="coerce"), dtype=float)
        bad = ~(np.isfinite(x) & np.isfinite(y)) | ((x == 0) & (y == 0))
        if not (lat and lon) or not bad.any():
            x[bad] = y[bad] = np.nan
            return x, y
    else:
        x = np.full(len(table), np.nan)
        y = np.full(len(table), np.nan)
        bad = np.ones(len(table), dtype=bool)
    assert lat and lon
    la = pd.to_numeric(table[lat], errors="coerce").to_numpy(float)
    lo = pd.to_numeric(table[lon], errors="coerce").to_numpy(float)
    use = bad & np.isfinite(la) & np.isfinite(lo) & (la < NO_GRID_LATITUDE)
    if use.any():
        x[use], y[use] = geography.to_bng(lo[use], la[use])
    x[bad & ~use] = y[bad & ~use] = np.nan
    return x, y


def _to_wgs84(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    from pyproj import Transformer

    transformer = Transformer.from_crs(geography.BNG, geography.WGS84, always_xy=True)
    lon, lat = transformer.transform(x, y)
    return np.asarray(lon, float), np.asarray(lat, float)


def format_postcode(values: pd.Series) -> pd.Series:
    """Postcodes in the ``pcds`` form: upper case, one space before the last three characters.

    >>> format_postcode(pd.Series(["so141aa", "SO14 1AA", "so14  1aa", "M1 1AE"])).tolist()
    ['SO14 1AA', 'SO14 1AA', 'SO14 1AA', 'M1 1AE']
    """
    compact = normalise_postcode(values)
    return compact.str[:-3] + " " + compact.str[-3:]


def check_replacement(
    imported: Imported, source: Path, old: Path | None, *, replace: bool = False
) -> None:
    """Refuse to replace ``old`` (the area's postcodes.csv, if it has one) with far fewer
    postcodes: under :data:`SHRINK_LIMIT` of its rows, unless ``replace``."""
    if replace or old is None or not old.is_file():
        return
    with old.open("rb") as handle:
        before = max(sum(1 for _ in handle) - 1, 0)
    after = len(imported.postcodes)
    if before and after < SHRINK_LIMIT * before:
        raise InputError(
            f"it would keep {after:,} postcode(s) in the area's wards, under "
            f"{SHRINK_LIMIT:.0%} of the {before:,} in {old.name}",
            file=source,
            hint="Check it is the full postcode directory (ONSPD or NSPL) covering the area; "
            f"to replace {old.name} with it anyway, add --replace. Nothing was written",
        )


def write_postcodes(imported: Imported, path: Path) -> None:
    """Write ``postcodes.csv`` (DATA.md: ``postcode, latitude, longitude, ward_code``)."""
    buffer = BytesIO()
    imported.postcodes.to_csv(buffer, index=False, lineterminator="\n")
    path.write_bytes(buffer.getvalue())
