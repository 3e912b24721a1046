"""The ``resilience`` and ``plan`` commands: thin layers over ``closures.py`` and ``planning.py``.

Both run the model first (the baseline, or the ``--scenario`` given), write their table as CSV
and as a sheet of the workbook, and print a short summary. ``resilience`` is an internal output:
it names providers.
"""

from __future__ import annotations

from pathlib import Path

import click

from ._errors import user_errors
from ._options import MIN_QUALITY_OPTION, SCENARIO_OPTION, area_option, out_option

RESILIENCE_EXAMPLES = """
\b
Examples:
  sufficiency resilience                        # the demo area, every forecast term
  sufficiency resilience --area ~/eyc/area --term 2027-autumn --out results/resilience
  sufficiency resilience --scenario scenarios/closures.toml
"""


@click.command("resilience", epilog=RESILIENCE_EXAMPLES)
@area_option()
@click.option(
    "--term",
    default=None,
    metavar="YYYY-season",
    help="Count deficit places added at this forecast term only. Default: every term.",
)
@out_option("resilience.csv and sufficiency.xlsx")
@SCENARIO_OPTION
@MIN_QUALITY_OPTION
@user_errors()
def resilience_command(
    area: Path | None,
    term: str | None,
    out_dir: Path,
    scenario: Path | None,
    min_quality: str | None,
) -> None:
    """Which settings the area can least afford to lose (internal: names providers).

    For every open provider, the deficit places its closure alone from the first forecast term
    would add (summed over wards, age groups and terms, or at --term), the wards and age groups
    pushed into or deeper into deficit, the first term affected and fragility flags from its
    returns. Writes OUT/resilience.csv and a resilience sheet in OUT/sufficiency.xlsx.
    """
    from ..closures import least_affordable, resilience
    from ..outputs.tables import write_tables

    result = resilience(area, scenario=scenario, term=term, min_quality=min_quality)
    written = write_tables(
        result.assessment,
        out_dir,
        {"resilience": result.table, "single_setting": result.single_settings},
    )
    click.echo(result.headline)
    top = least_affordable(result.table)
    if len(top):
        click.echo(
            "The settings the area can least afford to lose (deficit places added within the "
            "ward; across ward lines where measured):"
        )
        for row in top.to_dict("records"):
            flags = f" [{row['flags']}]" if row["flags"] else ""
            click.echo(
                f"  {row['urn']} {row['provider_name']} ({row['ward_name']}): "
                f"{row['deficit_places_added']:.1f}{_across(row)}, "
                f"from {row['first_term_affected']}{flags}"
            )
    else:
        click.echo("No single closure pushes a ward into deficit or deeper.")
    single = result.single_settings
    if len(single):
        click.echo("Wards that depend on a single setting for an age group:")
        for row in single.to_dict("records"):
            click.echo(
                f"  {row['ward_name']} ({row['ward_code']}) {row['age_group']}: {row['urn']}"
            )
    else:
        click.echo("No ward depends on a single setting for an age group.")
    reach = result.table[result.table["sole_in_reach_for"] != ""]
    if len(reach):
        click.echo("Wards whose children reach one setting's places only (catchments):")
        for row in reach.sort_values("urn").to_dict("records"):
            click.echo(f"  {row['urn']} {row['provider_name']}: {row['sole_in_reach_for']}")
    click.echo("Written: " + ", ".join(str(p) for p in written))


def _across(row: dict) -> str:
    """The closure's effect across ward lines, where the run has it: ``(catchments 12.0,
    flows 3.0)``."""
    parts = [
        f"{label} {row[column]:.1f}"
        for label, column in [
            ("catchments", "deficit_places_added_access"),
            ("flows", "deficit_places_added_flows"),
        ]
        if row[column] == row[column]  # not NaN
    ]
    return f" ({', '.join(parts)})" if parts else ""


PLAN_EXAMPLES = """
\b
Examples:
  sufficiency plan --places 60 --max-per-ward 30
  sufficiency plan --area ~/eyc/area --places 40 --age-group 2 --term 2027-autumn
  sufficiency plan --candidates sites.csv --cost-per-place 12000 --budget 500000
  sufficiency plan --places 60 --scenario scenarios/closures.toml
"""


@click.command("plan", epilog=PLAN_EXAMPLES)
@area_option()
@click.option("--places", type=int, default=None, help="New places to place (at most).")
@click.option(
    "--age-group",
    "age_groups",
    multiple=True,
    metavar="A",
    help="Place only this age group (under2, 2, 3_4); repeat for several. Default: all.",
)
@click.option(
    "--term",
    default=None,
    metavar="YYYY-season",
    help="Count the deficit at this forecast term only. Default: summed over every term.",
)
@click.option(
    "--candidates",
    type=click.Path(path_type=Path),
    default=None,
    metavar="FILE",
    help="Candidate sites CSV: site_id, capacity, a location (ward_code, or easting and "
    "northing, or latitude and longitude, or postcode), age_groups (';'-separated, blank: "
    "all) and cost_per_place (optional). Default: any ward.",
)
@click.option("--max-per-ward", type=int, default=None, help="At most K new places in a ward.")
@click.option("--cost-per-place", type=float, default=None, help="Cost of one new place.")
@click.option("--budget", type=float, default=None, help="Capital to spend (needs a cost).")
@click.option(
    "--basis",
    type=click.Choice(["ward", "catchment", "flows"]),
    default=None,
    help="The gap to close: within the ward, across catchments (a new place serves the "
    "children within its catchment) or where children attend (flows.csv). Default: catchment.",
)
@out_option("plan.csv, sufficiency.xlsx and maps/plan-map.html")
@SCENARIO_OPTION
@MIN_QUALITY_OPTION
@user_errors()
def plan_command(
    area: Path | None,
    places: int | None,
    age_groups: tuple[str, ...],
    term: str | None,
    candidates: Path | None,
    max_per_ward: int | None,
    cost_per_place: float | None,
    budget: float | None,
    basis: str | None,
    out_dir: Path,
    scenario: Path | None,
    min_quality: str | None,
) -> None:
    """Where new places (or a budget) close the most deficit.

    Solves an integer programme (scipy milp, HiGHS) for the places per ward and age group (or
    per candidate site) that leave the least deficit over the forecast terms (or at --term),
    and compares it with the greedy answer (largest deficit first). Writes OUT/plan.csv, a
    plan sheet in OUT/sufficiency.xlsx and OUT/maps/plan-map.html (the internal gap map with
    the plan's new places as a layer).
    """
    from ..outputs.maps import write_plan_map
    from ..outputs.tables import write_tables
    from ..planning import plan

    result = plan(
        area,
        places=places,
        age_groups=age_groups,
        term=term,
        candidates=candidates,
        max_per_ward=max_per_ward,
        cost_per_place=cost_per_place,
        budget=budget,
        scenario=scenario,
        basis=basis,
        min_quality=min_quality,
    )
    written = write_tables(result.assessment, out_dir, {"plan": result.table})
    written.append(write_plan_map(result.assessment, result.table, out_dir))
    run = result.assessment
    when = f"at {result.term}" if result.term else f"over {run.terms[0]} to {run.terms[-1]}"
    from ..planning import BASIS_WORDS

    click.echo(f"{run.place.name} ({run.scenario}), {when}")
    click.echo(f"  basis: {result.basis}, the deficit {BASIS_WORDS[result.basis]}")
    click.echo(f"  deficit places on this basis: {result.deficit_before:.1f} before")
    click.echo(
        f"  optimum: {result.places_added} new places leave {result.deficit_left:.1f} "
        "(scipy milp, HiGHS)"
    )
    if result.ward_deficit_before is not None and result.ward_deficit_after is not None:
        click.echo(
            "  for comparison, within each ward (the run's headline gap): "
            f"{result.ward_deficit_before:.1f} before, {result.ward_deficit_after:.1f} after "
            "the optimum's places (--basis ward plans for that gap)"
        )
    if result.places_not_needed:
        why = (
            f"{result.places_added} close all the deficit on this basis"
            if result.deficit_left < 0.05
            else "more would close no more deficit on this basis within the limits given "
            "(--max-per-ward, the sites' capacity, --budget)"
        )
        click.echo(
            f"  {result.places_not_needed} of the {result.places_asked} places asked for were "
            f"not needed: {why}"
        )
    click.echo(
        f"  greedy (largest deficit first): {result.greedy_places_added} new places leave "
        f"{result.greedy_left:.1f}"
    )
    chosen = result.table[result.table["places_added"] > 0]
    for row in chosen.to_dict("records"):
        site = f" site {row['site_id']}" if row["site_id"] else ""
        click.echo(
            f"  {row['ward_name']} ({row['ward_code']}){site} {row['age_group']}: "
            f"+{row['places_added']}, deficit {row['deficit_before']:.1f} -> "
            f"{row['deficit_after']:.1f}"
        )
    click.echo("Written: " + ", ".join(str(p) for p in written))


COMMANDS = [resilience_command, plan_command]
