"""How long ``sufficiency resilience`` and ``sufficiency plan`` take (issue 15's targets).

Three measurements, each after start-up (imports) and best of three where it is quick:

1. **resilience on the demo** (16 wards, about 290 providers, 12 terms), with accessibility and
   the demo's flows on: every open provider's closure alone, within the ward, across
   catchments and on the flows basis. Target: under 2 s. Given both with the assessment
   included (``sufficiency.resilience()`` from the area folder) and from an assessment already
   run (``sufficiency.resilience(assessment)``).
2. **resilience for all of England** (the synthetic England of ``_england.py``: 7,681 wards,
   about 60,000 providers, 12 terms), accessibility off, as the issue asks: one array operation
   over providers x terms x age groups, not 60,000 assessments. Target: under 60 s.
3. **plan for one local authority** with 150 candidate sites (by coordinates, placed in wards
   by the geography step) and accessibility on (the plan across catchments: each site's share
   in every ward from ``catchment.place_shares``), 12 terms. The authority is the English
   district with the most wards; the sites are spread over its small areas (seeded). Target:
   under 10 s.

Run ``python benchmarks/resilience_plan.py`` (about a minute and a half: building England takes
most of it; ``--no-national`` skips 2). The last line is::

    resilience-plan: demo <s> s, national <s> s, plan <s> s
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent


def _best(seconds: list[float]) -> float:
    return min(seconds)


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def demo() -> dict[str, float]:
    """Resilience on the bundled demo area, with and without the assessment."""
    import sufficiency

    whole, closures = [], []
    for _ in range(3):
        t = time.perf_counter()
        run = sufficiency.assess()
        assessed = time.perf_counter()
        result = sufficiency.resilience(run)
        done = time.perf_counter()
        whole.append(done - t)
        closures.append(done - assessed)
    print(
        f"demo: {len(result.table)} open settings, {len(run.terms)} terms, "
        f"{run.gap['ward_code'].nunique()} wards (accessibility and flows on)"
    )
    print(f"  resilience, assessment included  {_best(whole):6.2f} s (target < 2 s)")
    print(f"  resilience from an assessment    {_best(closures):6.2f} s")
    return {"whole": _best(whole), "closures": _best(closures)}


def national(folder: Path) -> dict[str, float]:
    """Resilience for every provider in England, accessibility off."""
    import sufficiency
    from sufficiency.area import load_area

    t = time.perf_counter()
    area = load_area(folder)
    read = time.perf_counter() - t
    t = time.perf_counter()
    run = sufficiency.assess(area, accessibility=False)
    model = time.perf_counter() - t
    t = time.perf_counter()
    result = sufficiency.resilience(run)
    closures = time.perf_counter() - t
    print(
        f"national: {len(area.ward_codes)} wards, {len(result.table)} open settings, "
        f"{len(run.terms)} terms (accessibility off)"
    )
    print(f"  read                             {read:6.2f} s")
    print(f"  assessment                       {model:6.2f} s")
    print(f"  resilience from the assessment   {closures:6.2f} s (target < 60 s)")
    print(f"  peak memory (this process)       {_peak_mib():6.0f} MiB")
    return {"read": read, "model": model, "closures": closures}


def candidates(area: object, n: int, seed: int = 15) -> pd.DataFrame:
    """``n`` candidate sites by coordinates, near seeded small areas of the area."""
    rng = np.random.default_rng(seed)
    small = area.small_areas  # type: ignore[attr-defined]
    pick = rng.choice(len(small), size=n, replace=len(small) < n)
    return pd.DataFrame(
        {
            "site_id": [f"S{i + 1:03d}" for i in range(n)],
            "easting": small["x"].to_numpy()[pick].round(1),
            "northing": small["y"].to_numpy()[pick].round(1),
            "age_groups": rng.choice(["", "3_4", "2;3_4", "under2;2"], size=n),
            "capacity": rng.integers(8, 60, size=n),
            "cost_per_place": rng.integers(8, 20, size=n) * 1000,
        }
    )


def plan(folder: Path, n_sites: int = 150) -> dict[str, float]:
    """A plan for one authority with ``n_sites`` candidate sites across catchments."""
    import sufficiency
    from sufficiency.area import load_area

    area = load_area(folder)
    sites = candidates(area, n_sites)
    with tempfile.TemporaryDirectory(prefix="plan-sites-") as tmp:
        path = Path(tmp) / "candidates.csv"
        sites.to_csv(path, index=False)
        t = time.perf_counter()
        run = sufficiency.assess(area)
        model = time.perf_counter() - t
        seconds = []
        for _ in range(3):
            t = time.perf_counter()
            result = sufficiency.plan(run, places=400, candidates=path, budget=5_000_000)
            seconds.append(time.perf_counter() - t)
    units = len(result.table)
    print(
        f"plan: one authority, {len(area.ward_codes)} wards, {n_sites} candidate sites, "
        f"{len(run.terms)} terms, basis {result.basis}"
    )
    print(f"  assessment (accessibility on)    {model:6.2f} s")
    print(f"  plan from the assessment         {_best(seconds):6.2f} s (target < 10 s)")
    print(
        f"  deficit {result.deficit_before:.0f} -> optimum {result.deficit_left:.0f} "
        f"({result.places_added} places), greedy {result.greedy_left:.0f} "
        f"({result.greedy_places_added} places); {units} rows in plan.csv"
    )
    return {"model": model, "plan": _best(seconds)}


def build(root: Path, *, everything: bool) -> tuple[Path | None, Path, bool]:
    """Write all of England (when ``everything``) and the district with the most wards."""
    sys.path.insert(0, str(HERE))
    import _england

    england = _england.make_england()
    biggest = england.wards.groupby("lad_code").size().sort_values(kind="stable").index[-1]
    _england.write_area(england, np.array([biggest]), root / "district")
    whole = None
    if everything:
        whole = root / "england"
        _england.write_area(england, england.districts(), whole)
    return whole, root / "district", england.real


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-national", action="store_true", help="skip all of England")
    args = parser.parse_args(argv)
    t = time.perf_counter()
    import sufficiency  # noqa: F401 - start-up, measured apart

    print(f"start-up (imports)                 {time.perf_counter() - t:6.2f} s")
    figures = {"demo": demo()}
    with tempfile.TemporaryDirectory(prefix="resilience-plan-") as tmp:
        whole, district, real = build(Path(tmp), everything=not args.no_national)
        print("geography: " + ("real (../shared/realdata)" if real else "generated squares"))
        if whole is not None:
            figures["national"] = national(whole)
        figures["plan"] = plan(district)
    national_s = figures["national"]["closures"] if "national" in figures else float("nan")
    print(
        f"resilience-plan: demo {figures['demo']['whole']:.2f} s, national {national_s:.2f} s, "
        f"plan {figures['plan']['plan']:.2f} s"
    )


if __name__ == "__main__":
    main()
