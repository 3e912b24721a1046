"""The ``resilience`` and ``plan`` commands: thin layers over ``closures.py`` and ``planning.py``.

Both run the model first (the baseline, or the ``--scenario`` given), write their table as CSV
and as a sheet of the workbook, and print a short summary. ``resilience`` is an internal output:
it names providers.
"""

from __future__ import annotations

from pathlib import Path

import click

from ._errors import user_errors

RESILIENCE_EXAMPLES = """
\b
Examples:
  sufficiency resilience                        # the demo area, every forecast term
  sufficiency resilience --area ~/eyc/area --term 2027-autumn --out results/resilience
  sufficiency resilience --scenario scenarios/closures.toml
"""


@click.command("resilience", epilog=RESILIENCE_EXAMPLES)
@click.option("--area", type=click.Path(path_type=Path), default=None, help="Area folder.")
@click.option(
    "--term",
    default=None,
    metavar="YYYY-season",
    help="Count deficit places added at this forecast term only. Default: every term.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=Path("output"),
    show_default=True,
    help="Folder to write resilience.csv and sufficiency.xlsx into.",
)
@click.option(
    "--scenario",
    type=click.Path(path_type=Path),
    default=None,
    metavar="FILE",
    help="Assess the area under this scenario TOML first.",
)
@user_errors()
def resilience_command(
    area: Path | None, term: str | None, out_dir: Path, scenario: Path | None
) -> None:
    """Which settings the area can least afford to lose (internal: names providers).

    For every open provider, the deficit places its closure alone from the first forecast term
    would add (summed over wards, age groups and terms, or at --term), the wards and age groups
    pushed into or deeper into deficit, the first term affected and fragility flags from its
    returns. Writes OUT/resilience.csv and a resilience sheet in OUT/sufficiency.xlsx.
    """
    from ..closures import least_affordable, resilience
    from ..outputs.tables import write_tables

    result = resilience(area, scenario=scenario, term=term)
    written = write_tables(
        result.assessment,
        out_dir,
        {"resilience": result.table, "single_setting": result.single_settings},
    )
    run = result.assessment
    basis = f"at {result.term}" if result.term else f"over {run.terms[0]} to {run.terms[-1]}"
    click.echo(f"{run.area.name} ({run.scenario}): {len(result.table)} open settings, {basis}")
    top = least_affordable(result.table)
    if len(top):
        click.echo("The settings the area can least afford to lose (deficit places added):")
        for row in top.to_dict("records"):
            flags = f" [{row['flags']}]" if row["flags"] else ""
            click.echo(
                f"  {row['urn']} {row['provider_name']} ({row['ward_name']}): "
                f"{row['deficit_places_added']:.1f}, from {row['first_term_affected']}{flags}"
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
    click.echo("Written: " + ", ".join(str(p) for p in written))


COMMANDS = [resilience_command]
