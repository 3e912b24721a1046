"""How long ``sufficiency import postcodes`` takes on a full-size postcode directory.

Writes a synthetic directory of 2.7 million rows with the ONS Postcode Directory's header (53
columns; postcodes and coordinates spread over Great Britain, one row in 40 terminated, one in
500 with no grid reference, every other column filled with a code of its real width, so that
the file has the real directory's size, about 1.4 GB, and not only its rows), then imports it
into the bundled demo area's wards (copied to a temporary folder) in a fresh process, and
reports the wall time of the import and its peak memory (the process's own high-water mark,
VmHWM). Target: under 20 s and 2 GiB.

Run once: ``.venv/bin/python benchmarks/import_postcodes.py`` (about two minutes: most of it is
writing the 1.4 GB file).
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


CHUNK = 270_000
"""Rows written at a time (the writer's own memory stays small)."""
FILLED = {
    "oscty": "E99999999",
    "ced": "E99999999",
    "oslaua": "E06000045",
    "osward": "E05002460",
    "parish": "E43000036",
    "usertype": "0",
    "osgrdind": "1",
    "oshlthau": "E18000008",
    "nhser": "E40000005",
    "rgn": "E12000008",
    "streg": "0",
    "pcon": "E14000972",
    "eer": "E15000008",
    "teclec": "E24000029",
    "ttwa": "E30000266",
    "pct": "E16000108",
    "itl": "TLJ32",
    "statsward": "99ZZ00",
    "oa01": "E00086541",
    "casward": "00MSNA",
    "npark": "E99999999",
    "lsoa01": "E01017140",
    "msoa01": "E02003555",
    "ur01ind": "A",
    "oac01": "3B4",
    "oa11": "E00086541",
    "lsoa11": "E01017140",
    "msoa11": "E02003555",
    "wz11": "E33017140",
    "sicbl": "E38000167",
    "bua22": "E63012345",
    "ru11ind": "A1",
    "oac11": "2B1",
    "lep1": "E37000038",
    "lep2": "",
    "pfa": "E23000030",
    "imd": "12345",
    "calncv": "E56000043",
    "icb": "E54000042",
    "oa21": "E00086541",
    "lsoa21": "E01017140",
    "msoa21": "E02003555",
    "ruc21ind": "UN1",
}
"""Every other column filled with a code of its real width, so the file has the size of the
real directory (about 1.3 GB), not only its row count."""


def write_directory(path: Path, demo_bounds: tuple[float, float, float, float]) -> None:
    from pyproj import Transformer

    rng = np.random.default_rng(1)
    transformer = Transformer.from_crs(27700, 4326, always_xy=True)
    minx, miny, maxx, maxy = demo_bounds
    schema = pa.schema([(name, pa.string()) for name in HEADER])
    with pacsv.CSVWriter(path, schema) as writer:
        for start in range(0, ROWS, CHUNK):
            n = min(CHUNK, ROWS - start)
            x = rng.uniform(100_000, 650_000, n)
            y = rng.uniform(10_000, 1_200_000, n)
            near = rng.random(n) < 0.002  # about 5,400 rows over the demo area in all
            x[near] = rng.uniform(minx, maxx, near.sum())
            y[near] = rng.uniform(miny, maxy, near.sum())
            lon, lat = transformer.transform(x, y)
            numbers = np.arange(start, start + n)
            outward = np.char.add("ZZ", (numbers // 4000).astype(str))
            inward = np.char.add((numbers % 10).astype(str), "AA")
            pcds = np.char.add(np.char.add(outward, " "), inward)
            columns: dict[str, pa.Array] = {
                name: pa.array(np.full(n, FILLED.get(name, ""))) for name in HEADER
            }
            columns["pcd"] = pa.array(np.char.replace(pcds, " ", ""))
            columns["pcd2"] = pa.array(pcds)
            columns["pcds"] = pa.array(pcds)
            columns["dointr"] = pa.array(np.full(n, "199801"))
            columns["doterm"] = pa.array(np.where(numbers % 40 == 0, "202006", ""))
            columns["ctry"] = pa.array(np.full(n, "E92000001"))
            none = numbers % 500 == 7
            columns["oseast1m"] = pa.array(np.where(none, "", np.round(x).astype(int).astype(str)))
            columns["osnrth1m"] = pa.array(np.where(none, "", np.round(y).astype(int).astype(str)))
            columns["lat"] = pa.array(np.where(none, "99.999999", np.char.mod("%.6f", lat)))
            columns["long"] = pa.array(np.where(none, "0.000000", np.char.mod("%.6f", lon)))
            writer.write_table(pa.table(columns, schema=schema))


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
        # Peak memory as the kernel's high-water mark of the import's own process (VmHWM):
        # ``ru_maxrss`` would carry over this writer's peak into the child it starts.
        script = (
            "import sys, time\n"
            "t = time.perf_counter()\n"
            "from sufficiency.cli.main import cli\n"
            "try:\n"
            f"    cli(['import', 'postcodes', {str(directory)!r}, '--area', {str(area)!r}])\n"
            "except SystemExit:\n"
            "    pass\n"
            "status = open('/proc/self/status').read().split('VmHWM:')[1].split()[0]\n"
            "peak = int(status) / 1024\n"
            "print(f'import postcodes: {time.perf_counter() - t:.1f} s, peak {peak:,.0f} MiB')\n"
        )
        subprocess.run([sys.executable, "-c", script], check=True)


if __name__ == "__main__":
    main()
