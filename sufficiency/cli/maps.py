"""The ``map`` and ``report`` commands: thin layers over ``maps.py`` and ``report.py``.

Register them on the main group with ``cli.add_command(map_command)`` and
``cli.add_command(report_command)``. Both run the model first (the baseline, or the scenarios
given) and default to **internal** outputs; ``--publish`` applies the disclosure rules of
``disclosure.py``. Base map tiles are off unless ``--tiles`` is given, so every file opens with
no network.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..outputs.disclosure import THRESHOLD
from ._errors import user_errors
from ._options import AREA_OPTIONS, MIN_QUALITY_OPTION, apply_options, out_option
from ._progress import stages

if TYPE_CHECKING:
    from ..assess import Assessment

MAP_EXAMPLES = """
\b
Examples:
  sufficiency map                                   # internal map of the demo area
  sufficiency map --publish --out published/maps    # ward aggregates only, for the website
  sufficiency map --scenario scenarios/closures.toml
                 # baseline and closures maps, side by side, and the change in the gap
"""

REPORT_EXAMPLES = """
\b
Examples:
  sufficiency report --publish --out published      # the panel's report, disclosure-controlled
  sufficiency report --area ~/eyc/area --term 2027-autumn
"""


def _area_options(command: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        *AREA_OPTIONS,
        click.option(
            "--publish/--internal",
            default=False,
            show_default=True,
            help="--publish: ward aggregates only, small numbers held back, no providers "
            "(for parents and the panel). --internal: every figure, marked internal.",
        ),
        click.option(
            "--threshold",
            type=click.FloatRange(min=1),
            default=THRESHOLD,
            show_default=True,
            help="Published outputs show counts above 0 and below this as '<N'.",
        ),
        MIN_QUALITY_OPTION,
    ]
    return apply_options(command, options)


def _scenario_runs(
    area: Path | None,
    parameters: Path | None,
    scenario_files: Sequence[Path],
    first_term: str | None,
    last_term: str | None,
    progress: Callable[[str], None] | None = None,
    min_quality: str | None = None,
) -> tuple[list[Assessment], list[str]]:
    """The assessments to draw (the baseline first when scenarios are given) and each one's
    description; ``progress`` is told each step (a terminal's status line); ``min_quality``
    as ``run --min-quality`` takes it."""
    from ..scenarios.compare import assess_scenarios, load_scenarios

    # One run path: no scenario file is a run of the baseline alone, as for ``run``.
    runs = assess_scenarios(
        area,
        parameters,
        load_scenarios(scenario_files),
        first_term=first_term,
        last_term=last_term,
        with_baseline=True,
        progress=progress,
        min_quality=min_quality,
    )
    if not scenario_files:
        return runs.results, [""]
    return runs.results, [s.description for s in runs.scenarios]


def _size(path: Path) -> str:
    return f"{path.stat().st_size / 1_000_000:.1f} MB"


@click.command("map", epilog=MAP_EXAMPLES)
@_area_options
@click.option(
    "--scenario",
    "scenario_files",
    multiple=True,
    type=click.Path(path_type=Path),
    metavar="FILE",
    help="A scenario TOML; repeat for several. Each is mapped, and compared with the baseline "
    "side by side and as a map of the change in the gap.",
)
@click.option(
    "--tiles/--no-tiles",
    default=False,
    show_default=True,
    help="Draw OpenStreetMap tiles under the wards (they need the network when opened).",
)
@out_option("the maps", default="output/maps")
def map_command(
    area: Path | None,
    parameters: Path | None,
    first_term: str | None,
    last_term: str | None,
    publish: bool,
    threshold: float,
    min_quality: str | None,
    scenario_files: tuple[Path, ...],
    tiles: bool,
    out_dir: Path,
) -> None:
    """Write ward maps of the gap in places: one self-contained HTML file each.

    OUT/gap-map.html is the baseline (or the only scenario): one layer per age group, the term
    chosen from a list, housing sites and, on internal maps, providers. With --scenario, also
    OUT/gap-map-<name>.html, OUT/compare-baseline-<name>.html (side by side) and
    OUT/change-baseline-<name>.html (the change in the gap) for each scenario.
    """
    from ..outputs.maps import MapOptions, write_maps

    with user_errors(), stages() as say:
        results, _ = _scenario_runs(
            area, parameters, scenario_files, first_term, last_term, say, min_quality
        )
        if say is not None:
            say(f"writing the maps into {out_dir}")
        removed: list[Path] = []
        written = write_maps(
            results,
            out_dir,
            MapOptions(publish=publish, tiles=tiles, threshold=threshold),
            removed,
        )
    kind = "Published (ward aggregates, disclosure-controlled)" if publish else "Internal"
    click.echo(f"{kind} maps of {results[0].place.name}:")
    for path in written:
        click.echo(f"  {path} ({_size(path)})")
    for path in removed:
        click.echo(f"  removed {path} (left by an earlier run, not written by this one)")


@click.command("report", epilog=REPORT_EXAMPLES)
@_area_options
@click.option(
    "--scenario",
    "scenario_file",
    type=click.Path(path_type=Path),
    default=None,
    metavar="FILE",
    help="A scenario TOML to report on instead of the baseline.",
)
@click.option(
    "--term",
    default=None,
    metavar="YYYY-season",
    help="The term of the headline figures, maps and table. Default: the first forecast term.",
)
@out_option("report.html")
@click.option(
    "--plan-places",
    type=int,
    default=None,
    metavar="N",
    help="Add a section on where N new places would close the most deficit (sufficiency plan "
    "with --places N on the same run).",
)
def report_command(
    area: Path | None,
    parameters: Path | None,
    first_term: str | None,
    last_term: str | None,
    publish: bool,
    threshold: float,
    min_quality: str | None,
    scenario_file: Path | None,
    term: str | None,
    out_dir: Path,
    plan_places: int | None,
) -> None:
    """Write the termly report for the scrutiny panel: OUT/report.html, one file that prints.

    Headline figures, maps and the ward gap table for the term, charts of supply against
    demand (city-wide and for each ward short of places), places per 100 children against
    deprivation, workforce trends, resilience (internal: the settings the area can least afford
    to lose; published: how many wards depend on one setting), with --plan-places where new
    places would go, and a note on methods and data.
    """
    from ..closures import resilience
    from ..outputs.report import ReportOptions, write_report
    from ..planning import plan

    with user_errors(), stages() as say:
        files = (scenario_file,) if scenario_file else ()
        results, descriptions = _scenario_runs(
            area, parameters, files, first_term, last_term, say, min_quality
        )
        result, description = results[-1], descriptions[-1]
        if term is not None:
            from ..terms import Term

            term = str(Term.parse(term, column="--term"))
        path = Path(out_dir) / "report.html"
        if say is not None:
            say(f"writing {path} (with the closures each setting's loss would make)")
        planned = None if plan_places is None else plan(result, places=plan_places)
        size = write_report(
            result,
            path,
            ReportOptions(publish=publish, term=term, threshold=threshold),
            description=description,
            baseline=results[0] if len(results) > 1 else None,
            resilience=resilience(result),
            plan=planned,
        )
    kind = "Published (disclosure-controlled)" if publish else "Internal"
    click.echo(f"{kind} report on {result.place.name}, scenario {result.scenario}:")
    click.echo(f"  {path} ({size / 1_000_000:.1f} MB)")
