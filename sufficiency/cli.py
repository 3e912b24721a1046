"""The ``sufficiency`` command: a thin layer over the library (``assess``, ``outputs``).

It parses options, calls the library and prints; it computes nothing itself. A user's mistake
(an :class:`~sufficiency.errors.SufficiencyError`) is one clear line and exit status 1, never a
traceback.
"""

from __future__ import annotations

from pathlib import Path

import click

from .errors import SufficiencyError

EXAMPLES = """
\b
Examples:
  sufficiency run                              # the bundled demo area, 12 terms
  sufficiency run --area ~/eyc/southampton --out results/2026-autumn
  sufficiency run --first-term 2027-spring --last-term 2028-autumn
"""


class _Group(click.Group):
    """Turns the package's errors (and file-system errors) into one clear line."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except SufficiencyError as exc:
            raise click.ClickException(str(exc)) from None
        except PermissionError as exc:
            raise click.ClickException(f"{exc.filename}: permission denied") from None


@click.group(cls=_Group, epilog=EXAMPLES)
@click.version_option(package_name="sufficiency")
def cli() -> None:
    """Childcare sufficiency for an English local authority, ward by ward and term by term.

    Reads an area folder (wards, births, provider returns and optional population, housing,
    postcodes, deprivation and parameters) and writes the gap between childcare places and the
    demand the funded entitlements create, for every ward, funding term and age group.
    """


@cli.command(epilog=EXAMPLES)
@click.option("--area", "area", type=click.Path(path_type=Path), default=None,
              help="Area folder (or its area.toml). Default: the bundled demo area.")
@click.option("--parameters", type=click.Path(path_type=Path), default=None,
              help="Parameters TOML. Default: the area's parameters.toml, else package defaults.")
@click.option("--first-term", default=None, metavar="YYYY-season",
              help="First term to forecast. Default: the term after the latest return.")
@click.option("--last-term", default=None, metavar="YYYY-season",
              help="Last term to forecast. Default: 12 terms from the first.")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("output"),
              show_default=True, help="Folder to write gap.csv and sufficiency.xlsx into.")
def run(area: Path | None, parameters: Path | None, first_term: str | None,
        last_term: str | None, out_dir: Path) -> None:
    """Forecast places against demand and write the gap table.

    Writes OUT/gap.csv (the gap table: one row per term, ward and age group) and
    OUT/sufficiency.xlsx (the gap, a ward summary, the take-up fit and notes), then prints
    which wards are in deficit, for which age groups and from which term.
    """
    from .assess import assess
    from .outputs import write_assessment
    from .summary import summary_lines

    result = assess(area, parameters, first_term=first_term, last_term=last_term)
    written = write_assessment(result, out_dir)
    for line in summary_lines(result):
        click.echo(line)
    click.echo("")
    click.echo("Written: " + ", ".join(str(p) for p in written))


def main() -> None:
    cli(prog_name="sufficiency")
