"""Several scenarios run side by side, the comparison table and the wards that change status.

:func:`assess_scenarios` checks and applies every scenario first (so a mistake in the third file
stops the run before anything is computed or written), then runs :func:`~sufficiency.assess.assess`
once per scenario and, with ``draws``, adds the Monte Carlo columns (``uncertainty.py``) to each
gap table. Every scenario uses the same seed, so the draws of a parameter are the same in every
scenario (common random numbers): differences between scenarios are not sampling noise.

The comparison table has one row per term, ward and age group (sorted as the gap table) and, for
each scenario, its ``gap_<name>``, its ``change_<name>`` from the baseline (``gap_<name> -
gap_baseline``), its ``status_<name>`` and, with draws, its ``p_deficit_<name>``. The baseline is
the scenario named ``baseline`` when one is given, otherwise a run with no scenario, added first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import numpy as np
import pandas as pd

from ..area import Area
from ..assess import Assessment, as_area, as_parameters, assess
from ..errors import ParameterError
from ..parameters import Parameters
from ..terms import AGE_GROUPS, Term
from .events import apply
from .schema import BASELINE, Scenario, read_scenario
from .uncertainty import SUMMARY_COLUMNS, summarise

KEY = ["term", "ward_code", "ward_name", "age_group"]


@dataclass
class ScenarioRuns:
    """The result of :func:`assess_scenarios`."""

    results: list[Assessment]
    scenarios: list[Scenario]
    gap: pd.DataFrame
    draws: int = 0
    seed: int = 0

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.scenarios]

    def table(self) -> pd.DataFrame:
        """One row per scenario: its name, description and file."""
        return pd.DataFrame(
            {
                "scenario": self.names,
                "description": [s.description for s in self.scenarios],
                "file": [s.source for s in self.scenarios],
            }
        )


def load_scenarios(paths: Sequence[str | Path]) -> list[Scenario]:
    """Read scenario files; two with the same name are an error."""
    scenarios = [read_scenario(p) for p in paths]
    seen: dict[str, str] = {}
    for scenario in scenarios:
        if scenario.name in seen:
            raise ParameterError(
                f"{scenario.source}: name {scenario.name!r} is also the name of "
                f"{seen[scenario.name]}; each scenario needs its own name"
            )
        seen[scenario.name] = scenario.source
    return scenarios


def assess_scenarios(  # noqa: PLR0913 - keyword-only options of one run path
    area: Area | str | Path | None = None,
    parameters: Parameters | str | Path | None = None,
    scenarios: Sequence[Scenario] = (),
    *,
    first_term: Term | str | None = None,
    last_term: Term | str | None = None,
    draws: int = 0,
    seed: int = 0,
    with_baseline: bool = False,
    min_quality: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> ScenarioRuns:
    """Run each scenario on the area (the baseline alone when none is given).

    Parameters
    ----------
    progress
        Told each step in words as it starts (reading the area, each scenario and its
        draws), for a terminal's status line; ``None``: nothing is said.
    with_baseline
        Add a run with no scenario first unless a scenario is named ``baseline``.
    min_quality
        ``any``, ``good`` or ``outstanding``: the ``min_quality`` parameter for every run (the
        ``--min-quality`` option); ``None`` keeps the parameters' own.
    draws, seed
        Monte Carlo draws per scenario (0: none) and the seed of their generator.
    """

    def say(step: str) -> None:
        if progress is not None:
            progress(step)

    say("reading and checking the area's files")
    area = as_area(area)
    params = as_parameters(parameters, area, min_quality)
    scenarios = list(scenarios)
    if not scenarios or (with_baseline and "baseline" not in {s.name for s in scenarios}):
        scenarios.insert(0, BASELINE)
    results = []
    for i, s in enumerate(scenarios, 1):
        with_draws = f" with {draws:,} draws" if draws else ""
        say(f"scenario {s.name} ({i} of {len(scenarios)}): {len(area.wards):,} wards{with_draws}")
        results.append(
            assess_scenario(
                area, params, s, first_term=first_term, last_term=last_term, draws=draws, seed=seed
            )
        )
    # Each run's table is in the contract's order already: joined in scenario-name order, the
    # whole is too.
    by_name = sorted(range(len(results)), key=lambda i: results[i].scenario)
    gap = pd.concat([results[i].gap for i in by_name], ignore_index=True)
    return ScenarioRuns(results=results, scenarios=scenarios, gap=gap, draws=draws, seed=seed)


def assess_scenario(
    area: Area,
    params: Parameters,
    scenario: Scenario,
    *,
    first_term: Term | str | None = None,
    last_term: Term | str | None = None,
    draws: int = 0,
    seed: int = 0,
) -> Assessment:
    """One scenario's run: its events applied to the area, the assessment, and (with
    ``draws``) the Monte Carlo columns after the contract's."""
    one = apply(scenario, area, params, first_term=first_term, last_term=last_term)
    result = assess(
        one.area,
        one.parameters,
        first_term=first_term,
        last_term=last_term,
        scenario=one.scenario.name,
        rules=one.rules,
    )
    if draws:
        summary = summarise(result, one.scenario.distributions, draws=draws, seed=seed)
        result.gap = pd.concat([result.gap, summary], axis=1)
        result.notes.append(
            f"uncertainty: {draws} draws, seed {seed}; parameters drawn: "
            + ", ".join(summary.attrs.get("drawn", []))
        )
    return result


def comparison_table(
    gap: pd.DataFrame, names: Sequence[str], baseline: str = "baseline"
) -> pd.DataFrame:
    """Each scenario's gap side by side, with the change from the baseline and the status.

    >>> gap = pd.DataFrame({"scenario": ["baseline", "low"], "term": "2027-spring",
    ...     "ward_code": "A", "ward_name": "Ay", "age_group": "2", "gap_places": [5.0, -1.0],
    ...     "status": ["sufficient", "deficit"]})
    >>> table = comparison_table(gap, ["baseline", "low"])
    >>> list(table.columns[4:])
    ['gap_baseline', 'gap_low', 'change_low', 'status_baseline', 'status_low']
    >>> float(table.loc[0, "change_low"]), table.loc[0, "status_low"]
    (-6.0, 'deficit')
    """
    base = gap[gap["scenario"] == baseline]
    if base.empty:
        raise ParameterError(f"no scenario named {baseline!r} to compare against")
    table = base[KEY].reset_index(drop=True)
    keyed = gap.set_index(["scenario", "term", "ward_code", "age_group"])
    index = pd.MultiIndex.from_frame(table[["term", "ward_code", "age_group"]])
    columns: dict[str, np.ndarray] = {}
    for name in names:
        part = keyed.loc[name].reindex(index)
        columns[f"gap_{name}"] = part["gap_places"].to_numpy(float)
    for name in names:
        if name != baseline:
            columns[f"change_{name}"] = columns[f"gap_{name}"] - columns[f"gap_{baseline}"]
    for name in names:
        columns[f"status_{name}"] = keyed.loc[name].reindex(index)["status"].to_numpy(object)
    if "p_deficit" in gap.columns:
        for name in names:
            columns[f"p_deficit_{name}"] = (
                keyed.loc[name].reindex(index)["p_deficit"].to_numpy(float)
            )
    out = pd.concat([table, pd.DataFrame(columns)], axis=1)
    for name in names:
        out[f"status_{name}"] = out[f"status_{name}"].astype("string")
    return out


def status_changes(
    gap: pd.DataFrame,
    baseline: str = "baseline",
    *,
    group_column: str = "age_group",
    groups: Sequence[str] = AGE_GROUPS,
) -> pd.DataFrame:
    """Per scenario, ward and age group whose status differs from the baseline's in some term:
    the first such term, the statuses then, and the largest fall in the gap.

    ``group_column`` and ``groups`` name the groups otherwise: school-age rows
    (``Assessment.school_age``) by ``provision``, ``school_age.PROVISIONS``."""
    key = ["term", "ward_code", group_column]
    base = gap[gap["scenario"] == baseline].set_index(key)
    rows = []
    for name, part in gap[gap["scenario"] != baseline].groupby("scenario", sort=False):
        other = part.set_index(key)
        joined = other[["ward_name", "status", "gap_places"]].join(
            base[["status", "gap_places"]].add_suffix("_baseline")
        )
        changed = joined[joined["status"] != joined["status_baseline"]]
        if changed.empty:
            continue
        change = joined["gap_places"] - joined["gap_places_baseline"]
        for (ward, group), cells in changed.groupby(level=["ward_code", group_column], sort=True):
            first = cells.iloc[0]
            # pandas-stubs: xs's level is typed as one level; pandas takes a list of them.
            moved = change.xs((ward, group), level=["ward_code", group_column])  # type: ignore[arg-type]
            rows.append(
                {
                    "scenario": name,
                    "ward_code": ward,
                    "ward_name": first["ward_name"],
                    group_column: group,
                    "first_term": cells.index[0][0],
                    "status_baseline": first["status_baseline"],
                    "status": first["status"],
                    "terms_changed": len(cells),
                    # pandas-stubs: idxmax returns Hashable, which no .loc overload takes.
                    "largest_change": float(moved.loc[moved.abs().idxmax()]),  # type: ignore[call-overload]
                }
            )
    out = pd.DataFrame(
        rows,
        columns=[
            "scenario",
            "ward_code",
            "ward_name",
            group_column,
            "first_term",
            "status_baseline",
            "status",
            "terms_changed",
            "largest_change",
        ],
    )
    if out.empty:
        return out
    order = {g: i for i, g in enumerate(groups)}
    return (
        out.assign(_g=out[group_column].map(order))
        .sort_values(["scenario", "ward_code", "_g"], kind="stable")
        .drop(columns="_g")
        .reset_index(drop=True)
    )


def change_lines(runs: ScenarioRuns, baseline: str = "baseline") -> list[str]:
    """Plain lines: for each scenario, which wards change status against the baseline."""
    from ..outputs.summary import GROUP_LABEL
    from ..outputs.summary import places as places_text

    changes = status_changes(runs.gap, baseline)
    lines = [
        f"Against the baseline ({len(runs.names) - 1} scenario(s), "
        f"{runs.gap['ward_code'].nunique()} wards):"
    ]
    for scenario in runs.scenarios:
        if scenario.name == baseline:
            continue
        part = changes[changes["scenario"] == scenario.name]
        sub = runs.gap[runs.gap["scenario"] == scenario.name]
        total = float(
            sub["gap_places"].sum()
            - runs.gap.loc[runs.gap["scenario"] == baseline, "gap_places"].sum()
        ) / max(sub["term"].nunique(), 1)
        lines.append(
            f"  {scenario.name}: {part['ward_code'].nunique()} ward(s) change status; "
            f"gap {total:+,.0f} places a term on average across the area"
        )
        width = max((len(str(n)) for n in part["ward_name"]), default=0)
        for r in part.itertuples():
            lines.append(
                f"    {r.ward_name!s:<{width}}  {GROUP_LABEL[str(r.age_group)]:<12} "
                f"{r.status_baseline} -> {r.status} from {r.first_term} "
                f"({r.terms_changed} term(s); gap moves "
                f"{places_text(cast(float, r.largest_change))} at most)"
            )
        lines += _school_age_change_lines(runs, scenario.name, baseline)
    return lines


def _school_age_change_lines(runs: ScenarioRuns, name: str, baseline: str) -> list[str]:
    """The scenario's school-age wards whose status differs from the baseline's, by
    provision, as :func:`change_lines` gives the early years'."""
    from ..outputs.summary import places as places_text
    from ..outputs.tables import school_age_rows
    from ..school_age import PROVISIONS

    rows = school_age_rows(runs.results)
    if rows is None:
        return []
    changes = status_changes(
        rows[rows["scenario"].isin([name, baseline])],
        baseline,
        group_column="provision",
        groups=PROVISIONS,
    )
    mine = rows[rows["scenario"] == name]
    base = rows[rows["scenario"] == baseline]
    moved = (mine["gap_places"].sum() - base["gap_places"].sum()) / max(mine["term"].nunique(), 1)
    lines = [
        f"    school age: {changes['ward_code'].nunique()} ward(s) change status; gap "
        f"{moved:+,.0f} places a term on average (breakfast, after-school and holiday together)"
    ]
    if changes.empty:
        return lines
    width = max(len(str(n)) for n in changes["ward_name"])
    labels = {"breakfast": "breakfast", "after_school": "after school", "holiday": "holiday"}
    for r in changes.itertuples():
        lines.append(
            f"      {r.ward_name!s:<{width}}  {labels[str(r.provision)]:<12} "
            f"{r.status_baseline} -> {r.status} from {r.first_term} "
            f"({r.terms_changed} term(s); gap moves "
            f"{places_text(cast(float, r.largest_change))} at most)"
        )
    return lines


def draws_lines(gap: pd.DataFrame, threshold: float = 0.5) -> list[str]:
    """Plain lines on the probability of a deficit, per scenario."""
    from ..outputs.summary import GROUP_LABEL

    if "p_deficit" not in gap.columns:
        return []
    lines = []
    for name, part in gap.groupby("scenario", sort=False):
        risky = part[part["p_deficit"] >= threshold]
        # pandas-stubs: idxmax returns Hashable, which no .loc overload takes.
        worst = part.loc[part["p_deficit"].idxmax()] if len(part) else None  # type: ignore[call-overload]
        line = (
            f"  {name}: {risky['ward_code'].nunique()} ward(s) with a deficit in at least "
            f"{threshold:.0%} of draws in some term"
        )
        if worst is not None and np.isfinite(worst["p_deficit"]):
            line += (
                f"; highest {worst['p_deficit']:.0%} ({worst['ward_name']}, "
                f"{GROUP_LABEL.get(worst['age_group'], worst['age_group'])}, {worst['term']})"
            )
        lines.append(line)
    return ["Probability of a deficit:", *lines]


__all__ = [
    "SUMMARY_COLUMNS",
    "ScenarioRuns",
    "assess_scenarios",
    "change_lines",
    "comparison_table",
    "draws_lines",
    "load_scenarios",
    "status_changes",
]
