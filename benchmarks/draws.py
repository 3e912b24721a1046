"""How fast are the Monte Carlo draws, and how much memory do they take?

Two cases, as issue #7 asks:

- demo: ``sufficiency run --draws 1000 --seed 1`` on the bundled demo area (12 terms), timed as
  a user sees it, start-up included, in a subprocess; target under 3 seconds;
- national: a synthetic England of 7,681 wards (ten years of monthly births in each, 60,000
  providers, 2,000 housing rows) held in memory, 12 terms, 1,000 draws of every uncertain
  parameter; the deterministic ``assess`` and the draws (``uncertainty.summarise``) are timed
  apart; target under 60 seconds for the draws.

Peak memory is each subprocess's peak resident set size (``getrusage``, Linux kilobytes).
Run ``python benchmarks/draws.py`` from the repository (or with the package installed);
``--draws`` and ``--wards`` change the sizes.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPOSITORY = Path(__file__).resolve().parents[1]
NATIONAL_WARDS = 7_681
NATIONAL_PROVIDERS = 60_000


def _peak_mb_of_children() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0


def demo(draws: int = 1000) -> dict[str, float]:
    """Time ``sufficiency run --draws`` on the demo area in a fresh Python, start-up included."""
    with tempfile.TemporaryDirectory() as out:
        command = [
            sys.executable,
            "-m",
            "sufficiency",
            "run",
            "--draws",
            str(draws),
            "--seed",
            "1",
            "--out",
            out,
        ]
        start = time.perf_counter()
        done = subprocess.run(command, cwd=REPOSITORY, capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - start
        if done.returncode:
            raise SystemExit(f"the demo run failed:\n{done.stdout}\n{done.stderr}")
        rows = len(pd.read_csv(Path(out) / "gap.csv"))
    return {"seconds": seconds, "peak_mb": _peak_mb_of_children(), "rows": rows}


def synthetic_area(
    n_wards: int = NATIONAL_WARDS, n_providers: int = NATIONAL_PROVIDERS, seed: int = 0
):
    """An in-memory :class:`~sufficiency.area.Area` the size of England (no geometry)."""
    from sufficiency.area import Area
    from sufficiency.returns.reader import RETURN_COLUMNS
    from sufficiency.terms import Term

    rng = np.random.default_rng(seed)
    codes = np.array([f"E05{i:06d}" for i in range(n_wards)], dtype=object)
    wards = pd.DataFrame({"ward_code": codes, "ward_name": [f"Ward {i}" for i in range(n_wards)]})
    years, months = np.arange(2016, 2026), np.arange(1, 13)
    per_ward = len(years) * 12
    births = pd.DataFrame(
        {
            "ward_code": np.repeat(codes, per_ward),
            "year": np.tile(np.repeat(years, 12), n_wards),
            "month": np.tile(months, n_wards * len(years)),
            "births": rng.poisson(7.0, n_wards * per_ward).astype(float),
        }
    )
    term = Term.parse("2026-autumn")
    returns = pd.DataFrame(dict.fromkeys(RETURN_COLUMNS, np.nan), index=range(n_providers))
    kinds = np.array(["childminder", "day_nursery", "pre_school", "school_nursery"], dtype=object)
    returns["urn"] = [f"EY{i:06d}" for i in range(n_providers)]
    returns["provider_type"] = kinds[rng.integers(0, 4, n_providers)]
    returns["ward_code"] = codes[rng.integers(0, n_wards, n_providers)]
    for column, high in [("places_under2", 12), ("places_2", 16), ("places_3_4", 40)]:
        returns[column] = rng.integers(0, high, n_providers).astype(float)
    returns["hours_per_day"], returns["days_per_week"] = 10.0, 5.0
    returns["staff_total"] = rng.integers(1, 15, n_providers).astype(float)
    returns["vacancies_3_4"] = rng.integers(0, 4, n_providers).astype(float)
    returns["funded_3_4_universal"] = rng.integers(0, 30, n_providers).astype(float)
    returns["status"] = "open"
    for column in ("status_date", "planned_change_date"):
        returns[column] = pd.Series(pd.NaT, index=returns.index, dtype="datetime64[ns]")
    returns["term"], returns["term_index"] = str(term), term.index
    returns["source_file"], returns["source_row"] = "synthetic", 0
    housing = pd.DataFrame(
        {
            "site_id": [f"S{i}" for i in range(2000)],
            "year": rng.integers(2026, 2030, 2000),
            "dwellings": rng.integers(10, 200, 2000).astype(float),
            "dwelling_type": np.array(["house", "flat"], dtype=object)[rng.integers(0, 2, 2000)],
            "ward_code": codes[rng.integers(0, n_wards, 2000)],
        }
    )
    return Area(
        path=Path("synthetic"),
        name="synthetic England",
        code=None,
        wards=wards,
        births=births,
        returns=returns,
        housing=housing,
    )


def national(draws: int = 1000, n_wards: int = NATIONAL_WARDS) -> dict[str, float]:
    """Time the deterministic run and the draws on a synthetic England (in this process)."""
    from sufficiency import assess
    from sufficiency.scenarios.uncertainty import summarise

    area = synthetic_area(n_wards)
    start = time.perf_counter()
    result = assess(area, accessibility=False)  # wards without geometry: the gap only
    deterministic = time.perf_counter() - start
    start = time.perf_counter()
    summary = summarise(result, draws=draws, seed=1)
    seconds = time.perf_counter() - start
    return {
        "assess_seconds": deterministic,
        "draws_seconds": seconds,
        "rows": len(summary),
        "numbers": float(len(summary) * draws),
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--wards", type=int, default=NATIONAL_WARDS)
    parser.add_argument("--national-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.national_only:
        found = national(args.draws, args.wards)
        print(" ".join(f"{k}={v}" for k, v in found.items()))
        return
    found = demo(args.draws)
    print(
        f"demo: {args.draws} draws x 12 terms, {found['rows']} gap rows: "
        f"{found['seconds']:.2f} s wall clock, start-up included (target < 3 s); "
        f"peak memory {found['peak_mb']:.0f} MB"
    )
    done = subprocess.run(
        [
            sys.executable,
            __file__,
            "--national-only",
            "--draws",
            str(args.draws),
            "--wards",
            str(args.wards),
        ],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        check=True,
    )
    values = dict(item.split("=") for item in done.stdout.split())
    print(
        f"national: {args.wards:,} wards x 12 terms x 3 age groups x {args.draws} draws "
        f"({float(values['numbers']):,.0f} gaps): draws {float(values['draws_seconds']):.1f} s "
        f"(target < 60 s), deterministic assess {float(values['assess_seconds']):.1f} s; "
        f"peak memory {float(values['peak_mb']):.0f} MB"
    )


if __name__ == "__main__":
    sys.path.insert(0, str(REPOSITORY))
    main()
