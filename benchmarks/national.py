"""The national benchmark: every ward in England in one run, stage by stage.

Builds a synthetic England on real geography (``_england.py``: 7,681 wards and 32,844 LSOAs
from ../shared/realdata when present, generated squares otherwise; about 60,000 providers and
600,000 births a year), writes the area folders of a quarter, a half and all of England (whole
local authorities, in a fixed random order) into a temporary folder, and runs the pipeline on
each in a fresh process, so that each run's peak memory is its own:

1. **read**: ``load_area`` on the folder, as ``sufficiency run`` reads it: the wards
   (GeoPackage, EPSG:4326 to British National Grid), births and the providers' returns,
   locating 60,000 providers in 7,681 wards by point in polygon; the small areas (LSOA polygons
   to representative points, each in its ward) and the flow matrix;
2. for each of five shipped scenarios (baseline, closures, high_take_up, planned_on_time,
   staffing_crisis) over 12 funding terms, the run ``sufficiency run --scenario`` makes
   (``scenarios.compare.assess_scenario``): the **model** (the scenario's events, then
   ``assess`` with accessibility and flows on: children, demand, supply per provider, the
   E2SFCA for every term and age group, demand moved to setting wards, the gap), and **write
   gap.parquet** (as ``sufficiency run --parquet`` writes it: one part per scenario, joined
   into one ``gap.parquet`` with a row group per scenario; scenarios are in name order, so the
   file is in the contract's order without a national sort). With ``--workers 2`` the
   scenarios are shared between this process and one forked after the read: this one takes
   them from the first, the other from the last, each the next not yet taken.

Maps and the workbook are left out (a national gap table has more rows than a worksheet).
Each stage's wall time and peak memory (the process's peak resident memory while it ran, from
``/proc/self/status``, Linux) are printed, for each scale, with the cost per 1,000 wards; the
quarter also runs at 6 and 9 terms (the closures scenario needs 5). Then the 2SFCA alone on
every LSOA and 60,000 providers, and against PySAL access on 10,000 x 6,000
(``access_speed.measure``, in the same run). The last line is::

    national: total <s> s, peak <MiB> MiB, 2sfca <s> s, speedup <x>x

(all of England's pipeline, its peak memory, the national 2SFCA median, the speedup over
access). Run ``python benchmarks/national.py`` (about two minutes; ``--no-access`` skips the
access comparison, which needs about 3.5 GB). Targets on a 2-core machine: the pipeline in one
process (``--workers 1``) under 10 s and 1 GiB, in two under 7 s; 2SFCA under 0.5 s; 100 times
faster than access.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
REPOSITORY = HERE.parent
SCENARIOS = ["baseline", "closures", "high_take_up", "planned_on_time", "staffing_crisis"]
SCALES = {"quarter": 0.25, "half": 0.5, "all": 1.0}
TERMS = 12
WRITE = "write gap.parquet"
MODEL = "model"
"""``assess`` with accessibility and flows on: children, demand, supply, the E2SFCA, flows, gap."""
STAGES = ["read", MODEL, WRITE]


# --- Measuring ----------------------------------------------------------------------------------


def _status_mib(field: str) -> float:
    text = Path("/proc/self/status").read_text()
    match = re.search(rf"{field}:\s+(\d+) kB", text)
    return int(match.group(1)) / 1024 if match else float("nan")


class Stages:
    """Wall time and peak resident memory per stage, added up over repeated entries."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.peak_mib: dict[str, float] = {}
        self.process_peak = _status_mib("VmHWM")

    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[None]:
        self.process_peak = max(self.process_peak, _status_mib("VmHWM"))
        with contextlib.suppress(OSError):
            Path("/proc/self/clear_refs").write_text("5")  # peak resident memory from here
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - start
            peak = _status_mib("VmHWM")
            self.peak_mib[name] = max(self.peak_mib.get(name, 0.0), peak)
            self.process_peak = max(self.process_peak, peak)


# --- The pipeline (in a child process) ----------------------------------------------------------

_READ: dict[str, Any] = {}
"""What the read stage produced, for the scenario workers (inherited by fork, never copied)."""


def pipeline(folder: Path, out: Path, n_terms: int = TERMS, workers: int = 1) -> dict[str, Any]:
    """Read an area folder, run the five scenarios, write ``gap.parquet``; time every stage.

    With ``workers`` > 1 the scenarios are shared out between this process and ``workers - 1``
    forked ones (:func:`_shared_out`); stage times are then added up over the scenarios, and
    the total is the wall time.
    """
    stages = Stages()
    with stages.stage("import"):
        from sufficiency.area import load_area
        from sufficiency.outputs.tables import GapParquet
        from sufficiency.parameters import Parameters
        from sufficiency.scenarios.compare import load_scenarios

    started = time.perf_counter()
    with stages.stage("read"):
        area = load_area(folder)
        _READ.update(
            area=area,
            scenarios=sorted(
                load_scenarios([REPOSITORY / "scenarios" / f"{s}.toml" for s in SCENARIOS]),
                key=lambda s: s.name,  # the gap table is sorted by scenario first
            ),
            parameters=Parameters.defaults(),
            n_terms=n_terms,
            out=out,
        )
    wards, returns = area.wards, area.returns
    out.mkdir(parents=True, exist_ok=True)
    jobs = list(range(len(_READ["scenarios"])))
    if workers > 1:
        done = _shared_out(jobs, workers, out / "gap.parquet", stages)
    else:
        # One process: each scenario's table goes straight into gap.parquet as a row group.
        with GapParquet(out / "gap.parquet") as gap:
            done = [{**run_scenario(job, gap), "here": True} for job in jobs]
    for job in done:
        for name, seconds in job["seconds"].items():
            stages.seconds[name] = stages.seconds.get(name, 0.0) + seconds
            stages.peak_mib[name] = max(stages.peak_mib.get(name, 0.0), job["peak_mib"][name])
    # The process tree's peak: at most this process's, plus each worker's rise above the image
    # it was forked from (what a worker touches after the fork is its own), as if all peaked at
    # once.
    own_peak = max(max(job["peak_mib"].values()) for job in done if job["here"])
    worker_rise = sorted(
        max(job["peak_mib"].values()) - job["forked_mib"] for job in done if not job["here"]
    )
    tree_peak = own_peak + sum(worker_rise[-(workers - 1) :]) if workers > 1 else own_peak
    returns_term = returns["term"].max()
    return {
        "wards": len(wards),
        "providers": int(returns.loc[returns["term"] == returns_term, "ward_code"].notna().sum()),
        "small_areas": 0 if area.small_areas is None else len(area.small_areas),
        "terms": n_terms,
        "scenarios": len(done),
        "workers": workers,
        "rows": sum(job["rows"] for job in done),
        "gap_mib": (out / "gap.parquet").stat().st_size / 2**20,
        "seconds": stages.seconds,
        "peak_mib": stages.peak_mib,
        "total_seconds": time.perf_counter() - started,
        "process_peak_mib": max(stages.process_peak, _status_mib("VmHWM"), tree_peak),
    }


def _shared_out(jobs: list[int], workers: int, path: Path, stages: Stages) -> list[dict]:
    """The scenarios in ``workers`` processes: this one and ``workers - 1`` forked ones.

    This process takes the scenarios from the first, the forked ones from the last, each
    taking the next that nobody has taken when it is free, so the load evens out whatever each
    scenario costs. This process writes its own parts into ``path`` as it goes (they are the
    first ones), then the workers' (handed back as Arrow tables, text dictionary-encoded) in
    scenario order.
    """
    import multiprocessing

    from sufficiency.outputs.tables import GapParquet

    context = multiprocessing.get_context("fork")
    lock = context.Lock()
    ends = context.Array("i", [jobs[0], jobs[-1]], lock=False)  # next from the front, the back
    handed = context.Queue()  # a worker's parts go on from a thread of its own: no waiting

    def take(front: bool) -> int | None:
        with lock:
            if ends[0] > ends[1]:
                return None
            job = ends[0] if front else ends[1]
            ends[0 if front else 1] += 1 if front else -1
            return int(job)

    def work() -> None:
        while (job := take(front=False)) is not None:
            handed.put((job, run_scenario(job)))
        handed.put(None)

    forked_mib = _status_mib("VmRSS")
    processes = [context.Process(target=work) for _ in range(workers - 1)]
    for process in processes:
        process.start()
    done: list[dict] = []
    theirs: dict[int, dict] = {}
    with GapParquet(path) as gap:
        while (job := take(front=True)) is not None:
            done.append({**run_scenario(job, gap), "here": True})
        finished = 0
        while finished < len(processes):
            item = handed.get()
            if item is None:
                finished += 1
            else:
                theirs[item[0]] = item[1]
        for job in sorted(theirs):
            part = theirs.pop(job)
            with stages.stage(WRITE):
                gap.write(part.pop("table"))
            done.append({**part, "here": False, "forked_mib": forked_mib})
    for process in processes:
        process.join()
        if process.exitcode != 0:
            raise RuntimeError(f"a scenario worker failed (exit code {process.exitcode})")
    return done


def run_scenario(number: int, gap: Any = None) -> dict[str, Any]:
    """One scenario's run, as ``sufficiency run --scenario`` makes it (``assess_scenario``:
    the events, the model with accessibility and flows, the gap), and its part of
    ``gap.parquet``: into ``gap`` (a ``GapParquet``) when given, else as an Arrow table handed
    back to the parent (in a worker)."""
    from sufficiency.outputs.tables import arrow_gap
    from sufficiency.scenarios.compare import assess_scenario

    stages = Stages()
    area, scenario = _READ["area"], _READ["scenarios"][number]
    with stages.stage(MODEL):
        result = assess_scenario(
            area, _READ["parameters"], scenario, last_term=_last_term(area, _READ["n_terms"])
        )
    table = None
    with stages.stage(WRITE):
        if gap is None:
            table = arrow_gap(result.gap)
        else:
            gap.write(result.gap)
    done = {"seconds": stages.seconds, "peak_mib": stages.peak_mib, "rows": len(result.gap)}
    return done if table is None else {**done, "table": table}


def _last_term(area: Any, n_terms: int) -> Any:
    from sufficiency.assess import latest_return
    from sufficiency.parameters import Parameters

    share = Parameters.defaults().number("complete_return_share")
    return latest_return(area.returns, share) + n_terms


def run_child(folder: Path, n_terms: int = TERMS, workers: int = 1) -> dict[str, Any]:
    """The pipeline in a fresh Python process (its own imports and peak memory)."""
    with tempfile.TemporaryDirectory(prefix="national-out-") as out:
        done = subprocess.run(
            [sys.executable, __file__, "--child", str(folder), out, str(n_terms), str(workers)],
            check=True,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": _pythonpath()},
        )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _pythonpath() -> str:
    paths = [str(REPOSITORY), str(HERE), os.environ.get("PYTHONPATH", "")]
    return os.pathsep.join(p for p in paths if p)


# --- Building the areas -------------------------------------------------------------------------


def build_areas(root: Path) -> tuple[dict[str, Path], dict[str, dict[str, int]], bool]:
    """Write the quarter, half and all-of-England area folders under ``root``."""
    sys.path.insert(0, str(HERE))
    import _england

    england = _england.make_england()
    districts = england.districts()
    wards_per_district = england.wards.groupby("lad_code").size().reindex(districts).to_numpy()
    cumulative = np.cumsum(wards_per_district)
    folders, counts = {}, {}
    for name, share in SCALES.items():
        n = int(np.searchsorted(cumulative, share * cumulative[-1]) + 1)
        folders[name] = root / name
        counts[name] = _england.write_area(england, districts[:n], folders[name])
        counts[name]["districts"] = n
    return folders, counts, england.real


# --- Reporting ----------------------------------------------------------------------------------


def stage_table(runs: dict[str, dict[str, Any]]) -> list[str]:
    """Seconds per stage and scale, and seconds per 1,000 wards (flat when linear)."""
    names = list(runs)
    lines = [
        f"{'stage':<18}"
        + "".join(f"{n:>9}" for n in names)
        + "   s per 1,000 wards: "
        + " ".join(f"{n:>7}" for n in names)
        + f"  {'peak MiB':>9}"
    ]
    for stage in [*STAGES, "total"]:
        seconds = [
            runs[n]["total_seconds"] if stage == "total" else runs[n]["seconds"].get(stage, 0.0)
            for n in names
        ]
        per_1000 = [s / runs[n]["wards"] * 1000 for s, n in zip(seconds, names, strict=True)]
        peak = (
            runs[names[-1]]["process_peak_mib"]
            if stage == "total"
            else runs[names[-1]]["peak_mib"].get(stage, float("nan"))
        )
        lines.append(
            f"{stage:<18}"
            + "".join(f"{s:>8.2f}s" for s in seconds)
            + "                      "
            + " ".join(f"{p:>7.3f}" for p in per_1000)
            + f"  {peak:>9.0f}"
        )
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-access", action="store_true", help="skip the access comparison")
    parser.add_argument("--keep", type=Path, help="write the area folders here and keep them")
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="processes for the scenarios (default: one per CPU; 1 runs them in turn)",
    )
    args = parser.parse_args(argv)
    sys.path.insert(0, str(HERE))
    from access_speed import lsoa_centroids, measure

    started = time.perf_counter()
    with contextlib.ExitStack() as stack:
        root = args.keep or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="eng-")))
        folders, counts, real = build_areas(root)
        geography = "real 2013 wards and 2011 LSOAs" if real else "generated squares"
        print(
            f"Synthetic England on {geography}, built in {time.perf_counter() - started:.1f} s; "
            f"{os.cpu_count()} CPUs"
        )
        for name in SCALES:
            c = counts[name]
            print(
                f"  {name:>7}: {c['districts']} districts, {c['wards']:,} wards, "
                f"{c['providers']:,} providers, {c['small_areas']:,} small areas"
            )
        runs = {name: run_child(folder, TERMS, args.workers) for name, folder in folders.items()}
        by_terms = {f"{n} terms": run_child(folders["quarter"], n, args.workers) for n in (6, 9)}
    full = runs["all"]
    print(
        f"\nPipeline: {full['scenarios']} scenarios x {full['terms']} terms in "
        f"{full['workers']} process(es), {full['rows']:,} gap rows ({full['gap_mib']:.0f} MiB) "
        "for all of England; stage seconds are added up over the scenarios, total is wall time"
    )
    for line in stage_table(runs):
        print("  " + line)
    print("  The quarter at 6, 9 and 12 terms (seconds):")
    quarter_terms = {**by_terms, "12 terms": runs["quarter"]}
    for stage in [*STAGES, "total"]:
        seconds = [
            r["total_seconds"] if stage == "total" else r["seconds"].get(stage, 0.0)
            for r in quarter_terms.values()
        ]
        print(f"    {stage:<18}" + "".join(f"{s:>8.2f}" for s in seconds))

    centroids = lsoa_centroids()
    n_lsoa = len(centroids) if centroids is not None else 32_844
    national = measure(n_lsoa, 60_000, seed=1, catchment=3000.0, demand_xy=centroids)
    print(
        f"\n2SFCA, {n_lsoa:,} LSOAs x 60,000 providers, 3 km: {national['ours_seconds']:.3f} s "
        f"median, {national['pairs']:,} pairs (target < 0.5 s)"
    )
    speedup = float("nan")
    if not args.no_access:
        row = measure(
            10_000, 6_000, seed=2, catchment=3000.0, demand_xy=centroids, compare_access=True
        )
        speedup = row["speedup"]
        print(
            f"Against PySAL access {row['access_version']}, 10,000 x 6,000, 3 km: ours "
            f"{row['ours_seconds']:.4f} s, access {row['access_seconds']:.2f} s (cost table and "
            f"2SFCA), peak {row['access_peak_mb']:.0f} MB; largest relative difference "
            f"{row['max_relative_difference']:.1e} (target 100x)"
        )
    print(
        f"national: total {full['total_seconds']:.2f} s, peak {full['process_peak_mib']:.0f} MiB, "
        f"2sfca {national['ours_seconds']:.3f} s, speedup {speedup:.0f}x"
    )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        result = pipeline(Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
        print(json.dumps(result))
    else:
        main()
