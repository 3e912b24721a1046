"""How long ``sufficiency import postcodes`` takes on a full-size postcode directory.

Writes a synthetic directory of 2.7 million rows with the ONS Postcode Directory's header (53
columns; the codes empty or constant, postcodes and coordinates spread over Great Britain,
one row in 40 terminated, one in 500 with no grid reference), then imports it into the bundled
demo area's wards (copied to a temporary folder) in a fresh process, and reports the wall time
of the import and its peak memory. Target: under 20 s and 2 GiB.

Run once: ``.venv/bin/python benchmarks/import_postcodes.py`` (about a minute: most of it is
writing the 1 GB file).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

ROWS = 2_700_000
HEADER = [
    "pcd",
    "pcd2",
    "pcds",
    "dointr",
    "doterm",
    "oscty",
    "ced",
    "oslaua",
    "osward",
    "parish",
    "usertype",
    "oseast1m",
    "osnrth1m",
    "osgrdind",
    "oshlthau",
    "nhser",
    "ctry",
    "rgn",
    "streg",
    "pcon",
    "eer",
    "teclec",
    "ttwa",
    "pct",
    "itl",
    "statsward",
    "oa01",
    "casward",
    "npark",
    "lsoa01",
    "msoa01",
    "ur01ind",
    "oac01",
    "oa11",
    "lsoa11",
    "msoa11",
    "wz11",
    "sicbl",
    "bua22",
    "ru11ind",
    "oac11",
    "lat",
    "long",
    "lep1",
    "lep2",
    "pfa",
    "imd",
    "calncv",
    "icb",
    "oa21",
    "lsoa21",
    "msoa21",
    "ruc21ind",
]


def write_directory(path: Path, demo_bounds: tuple[float, float, float, float]) -> None:
    from pyproj import Transformer

    rng = np.random.default_rng(1)
    x = rng.uniform(100_000, 650_000, ROWS)
    y = rng.uniform(10_000, 1_200_000, ROWS)
    minx, miny, maxx, maxy = demo_bounds
    near = rng.random(ROWS) < 0.002  # about 5,400 rows over the demo area
    x[near] = rng.uniform(minx, maxx, near.sum())
    y[near] = rng.uniform(miny, maxy, near.sum())
    lon, lat = Transformer.from_crs(27700, 4326, always_xy=True).transform(x, y)
    numbers = np.arange(ROWS)
    outward = np.char.add("ZZ", (numbers // 4000).astype(str))
    inward = np.char.add((numbers % 10).astype(str), "AA")
    pcds = np.char.add(np.char.add(outward, " "), inward)
    columns: dict[str, pa.Array] = {name: pa.nulls(ROWS, pa.string()) for name in HEADER}
    columns["pcd"] = pa.array(np.char.replace(pcds, " ", ""))
    columns["pcd2"] = pa.array(pcds)
    columns["pcds"] = pa.array(pcds)
    columns["dointr"] = pa.array(np.full(ROWS, "199801"))
    columns["doterm"] = pa.array(np.where(numbers % 40 == 0, "202006", ""))
    columns["ctry"] = pa.array(np.full(ROWS, "E92000001"))
    none = numbers % 500 == 7
    columns["oseast1m"] = pa.array(np.where(none, "", np.round(x).astype(int).astype(str)))
    columns["osnrth1m"] = pa.array(np.where(none, "", np.round(y).astype(int).astype(str)))
    columns["lat"] = pa.array(np.where(none, "99.999999", np.char.mod("%.6f", lat)))
    columns["long"] = pa.array(np.where(none, "0.000000", np.char.mod("%.6f", lon)))
    pacsv.write_csv(pa.table(columns), path)


def main() -> None:
    import geopandas as gpd

    from sufficiency._demo_area import DEMO_AREA

    with tempfile.TemporaryDirectory() as tmp:
        area = Path(tmp) / "area"
        area.mkdir()
        shutil.copy(DEMO_AREA / "wards.geojson", area / "wards.geojson")
        bounds = tuple(gpd.read_file(area / "wards.geojson").to_crs(27700).total_bounds)
        directory = Path(tmp) / "ONSPD_SYNTHETIC_UK.csv"
        t = time.perf_counter()
        write_directory(directory, bounds)  # type: ignore[arg-type]
        print(
            f"wrote {ROWS:,} rows, {directory.stat().st_size / 2**20:,.0f} MiB "
            f"in {time.perf_counter() - t:.1f} s"
        )
        script = (
            "import resource, sys, time\n"
            "t = time.perf_counter()\n"
            "from sufficiency.cli.main import cli\n"
            "try:\n"
            f"    cli(['import', 'postcodes', {str(directory)!r}, '--area', {str(area)!r}])\n"
            "except SystemExit:\n"
            "    pass\n"
            "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
            "print(f'import postcodes: {time.perf_counter() - t:.1f} s, peak {peak:,.0f} MiB')\n"
        )
        subprocess.run([sys.executable, "-c", script], check=True)


if __name__ == "__main__":
    main()
