"""How long `sufficiency run` takes on the bundled demo area.

Measures, on this machine:
* start-up: importing the package (Python, pandas, geopandas...);
* the run after start-up: reading the area, the model, the gap, writing gap.csv and the
  workbook (best of five, in-process);
* the whole command as a user types it (a fresh process each time, best of three).

Run: ``make bench`` or ``.venv/bin/python benchmarks/run_demo.py``. Target: the run after
start-up under 3 seconds.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    t = time.perf_counter()
    import sufficiency
    from sufficiency.outputs.tables import write_assessment

    startup = time.perf_counter() - t
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(5):
            t = time.perf_counter()
            result = sufficiency.assess()
            write_assessment(result, Path(tmp) / f"out{i}")
            runs.append(time.perf_counter() - t)
        whole = []
        for i in range(3):
            t = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "sufficiency", "run", "--out", str(Path(tmp) / f"cli{i}")],
                check=True,
                stdout=subprocess.DEVNULL,
            )
            whole.append(time.perf_counter() - t)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows = len(result.gap)
    print(
        f"demo: {rows} gap rows, {len(result.terms)} terms, "
        f"{result.gap['ward_code'].nunique()} wards"
    )
    print(f"start-up (imports)        {startup:6.2f} s")
    print(f"run after start-up        {min(runs):6.2f} s (best of 5; target < 3 s)")
    print(f"whole command, new process {min(whole):5.2f} s (best of 3)")
    print(f"peak memory (this process) {peak:5.0f} MiB")


if __name__ == "__main__":
    main()
