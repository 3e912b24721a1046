"""The ``sufficiency`` command: a thin layer over the library (``assess``, ``outputs``).

It parses options, calls the library and prints; it computes nothing itself. A user's mistake
(an :class:`~sufficiency.errors.SufficiencyError`) is one clear line and exit status 1, never a
traceback.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from ._errors import UserErrorGroup
from ._options import AREA_OPTIONS, MIN_QUALITY_OPTION, apply_options, out_option
from ._progress import stages

EXAMPLES = """
\b
Examples:
  sufficiency run                              # the bundled demo area, 12 terms
  sufficiency run --area ~/eyc/southampton --out results/2026-autumn
  sufficiency run --first-term 2027-spring --last-term 2028-autumn
  sufficiency run --parquet                    # gap.parquet too, with column types
  sufficiency run --scenario scenarios/closures.toml --draws 1000 --seed 1
  sufficiency run --min-quality good           # only places judged good or outstanding
  sufficiency compare scenarios/*.toml --out results/compare
  sufficiency ingest returns-2026-autumn.xlsx --term 2026-autumn --area ~/eyc/southampton
  sufficiency returns status --term 2026-autumn --area ~/eyc/southampton
  sufficiency import postcodes ONSPD_FEB_2025_UK.csv --area ~/eyc/southampton
  sufficiency resilience --area ~/eyc/southampton   # the settings the area can least lose
  sufficiency plan --places 60 --max-per-ward 30    # where 60 new places close most deficit
  sufficiency users add alex --role officer --area ~/eyc/southampton
  sufficiency serve --area ~/eyc/southampton        # the web app on http://127.0.0.1:8000
"""


@click.group(cls=UserErrorGroup, epilog=EXAMPLES)
@click.version_option(package_name="sufficiency")
def cli() -> None:
    """Childcare sufficiency for an English local authority, ward by ward and term by term.

    Reads an area folder (wards, births, provider returns and optional population, housing,
    postcodes, deprivation and parameters) and writes the gap between childcare places and the
    demand the funded entitlements create, for every ward, funding term and age group.
    """


def _common(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options ``run`` and ``compare`` share, in the order ``--help`` shows them."""
    options = [
        *AREA_OPTIONS,
        out_option("gap.csv and sufficiency.xlsx"),
        click.option(
            "--draws",
            type=click.IntRange(min=0),
            default=0,
            show_default=True,
            help="Monte Carlo draws of the uncertain parameters (0: none). Adds "
            "gap_median, gap_p05, gap_p95 and p_deficit to the gap table.",
        ),
        click.option(
            "--seed",
            type=int,
            default=1,
            show_default=True,
            help="Seed of the draws: the same seed gives the same numbers.",
        ),
        MIN_QUALITY_OPTION,
    ]
    return apply_options(command, options)


@cli.command(epilog=EXAMPLES)
@_common
@click.option(
    "--scenario",
    "scenario_files",
    multiple=True,
    type=click.Path(path_type=Path),
    metavar="FILE",
    help="A scenario TOML (scenarios/README.md); repeat for several. Default: baseline.",
)
@click.option(
    "--maps/--no-maps",
    default=True,
    show_default=True,
    help="Also write the internal gap map(s) into OUT/maps/.",
)
@click.option(
    "--parquet",
    is_flag=True,
    default=False,
    help="Also write OUT/gap.parquet: the rows and columns of gap.csv with their types "
    "(text, float64, int64; empty cells as nulls), for pandas, R, DuckDB or Arrow.",
)
def run(
    area: Path | None,
    parameters: Path | None,
    first_term: str | None,
    last_term: str | None,
    out_dir: Path,
    draws: int,
    seed: int,
    min_quality: str | None,
    scenario_files: tuple[Path, ...],
    maps: bool,
    parquet: bool,
) -> None:
    """Forecast places against demand and write the gap table.

    Writes OUT/gap.csv (the gap table: one row per scenario, term, ward and age group; with
    --parquet also OUT/gap.parquet), OUT/gap.gpkg (the same rows with their ward polygons, one
    layer, EPSG:27700), OUT/sufficiency.xlsx (the gap, a ward summary, the take-up
    fit and notes) and the internal gap map OUT/maps/gap-map.html, then prints which wards are
    in deficit, for which age groups and from which term. An area with school-age places (return
    columns places_breakfast, places_after_school, places_holiday, holiday_weeks, or a
    schools.csv) also gets OUT/school_age.csv: breakfast, after-school and holiday care for
    primary children, by scenario, term and ward.
    """
    from ..outputs.maps import remove_stale_maps, write_run_maps
    from ..outputs.summary import summary_lines
    from ..outputs.tables import WORKBOOK, write_runs
    from ..scenarios.compare import assess_scenarios, draws_lines, load_scenarios

    with stages() as say:
        # One run path: no scenario file is a run of the baseline alone.
        runs = assess_scenarios(
            area,
            parameters,
            load_scenarios(scenario_files),
            first_term=first_term,
            last_term=last_term,
            draws=draws,
            seed=seed,
            min_quality=min_quality,
            progress=say,
        )
        scenarios = runs.table() if scenario_files else None  # no sheet for the baseline alone
        if say is not None:
            say(f"writing gap.csv, gap.gpkg and {WORKBOOK} into {out_dir}")
        removed: list[Path] = []
        written = write_runs(
            runs.results,
            out_dir,
            gap=runs.gap,
            scenarios=scenarios,
            parquet=parquet,
            gpkg=True,
            removed=removed,
        )
        if maps:
            if say is not None:
                say(f"writing the maps into {out_dir / 'maps'}")
            written += write_run_maps(runs.results, out_dir, gap=runs.gap, removed=removed)
        else:  # an earlier run's maps beside this run's tables would be read as this run's
            remove_stale_maps(out_dir / "maps", removed=removed)
    for result in runs.results:
        for line in summary_lines(result):
            click.echo(line)
        click.echo("")
    for line in draws_lines(runs.gap):
        click.echo(line)
    click.echo("Written: " + ", ".join(str(p) for p in written))
    echo_removed(removed)


def echo_removed(removed: list[Path]) -> None:
    """Say which outputs of an earlier run were removed (they no longer matched)."""
    if removed:
        click.echo(
            "Removed (left by an earlier run, not written by this one): "
            + ", ".join(str(p) for p in removed)
        )


@cli.command(epilog=EXAMPLES)
@click.argument(
    "scenario_files", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="FILE..."
)
@_common
def compare(
    scenario_files: tuple[Path, ...],
    area: Path | None,
    parameters: Path | None,
    first_term: str | None,
    last_term: str | None,
    out_dir: Path,
    draws: int,
    seed: int,
    min_quality: str | None,
) -> None:
    """Run scenarios side by side and compare each with the baseline.

    The baseline is the scenario named "baseline" if one is given, else a run with no scenario.
    Writes OUT/gap.csv (every scenario), OUT/comparison.csv (one row per term, ward and age
    group: each scenario's gap, its change from the baseline and its status) and
    OUT/sufficiency.xlsx with a comparison sheet, then prints which wards change status under
    which scenario.
    """
    from ..outputs.tables import write_runs
    from ..scenarios.compare import (
        assess_scenarios,
        change_lines,
        comparison_table,
        draws_lines,
        load_scenarios,
    )

    with stages() as say:
        runs = assess_scenarios(
            area,
            parameters,
            load_scenarios(scenario_files),
            first_term=first_term,
            last_term=last_term,
            draws=draws,
            seed=seed,
            with_baseline=True,
            min_quality=min_quality,
            progress=say,
        )
        table = comparison_table(runs.gap, runs.names)
        if say is not None:
            say(f"writing gap.csv, comparison.csv and sufficiency.xlsx into {out_dir}")
        removed: list[Path] = []
        written = write_runs(
            runs.results,
            out_dir,
            gap=runs.gap,
            scenarios=runs.table(),
            comparison=table,
            removed=removed,
        )
    first = runs.results[0]
    click.echo(
        f"{first.place.name}: {len(runs.names)} scenario(s), {len(first.terms)} funding "
        f"terms, {first.terms[0]} to {first.terms[-1]}"
    )
    for scenario in runs.scenarios:
        click.echo(
            textwrap.fill(
                f"{scenario.name}: {scenario.description}",
                width=100,
                initial_indent="  ",
                subsequent_indent="    ",
            )
        )
    click.echo("")
    for line in change_lines(runs):
        click.echo(line)
    for line in draws_lines(runs.gap):
        click.echo(line)
    click.echo("")
    click.echo("Written: " + ", ".join(str(p) for p in written))
    echo_removed(removed)


def _register() -> None:
    """Commands that live in their own modules (returns and store; maps and report;
    imports; resilience and plan)."""
    from .imports import import_group
    from .maps import map_command, report_command
    from .planning import COMMANDS as PLANNING_COMMANDS
    from .returns import COMMANDS as RETURNS_COMMANDS
    from .web import COMMANDS as WEB_COMMANDS

    for command in [
        *RETURNS_COMMANDS,
        map_command,
        report_command,
        import_group,
        *PLANNING_COMMANDS,
        *WEB_COMMANDS,
    ]:
        cli.add_command(command)


_register()


def main() -> None:
    cli(prog_name="sufficiency")
