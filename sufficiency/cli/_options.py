"""Command-line options that several commands share, declared once."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

AREA_HELP = (
    "Area folder (or its area.toml). Default: the current folder when it is an area folder "
    "(it has area.toml or wards.geojson/.gpkg/.shp), else the bundled demo area."
)


def _default_area(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path:
    """``--area`` as given, else :func:`sufficiency.area.default_area` (one rule for all)."""
    from ..area import default_area

    return value if value is not None else default_area()


def _choose_store(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    """``--store`` (or ``SUFFICIENCY_STORE``): the store every part of this command uses.

    The choice is the process's (``returns.store.locate`` reads ``SUFFICIENCY_STORE``), so the
    web app's worker threads and every library call that reads the area's returns use it too;
    a bad URL is refused here, before any work.
    """
    if value:
        from ..returns import database

        database.locate(value)  # a bad URL is one line now, not half-way through a run
        os.environ[database.ENV] = value
    else:
        os.environ.pop("SUFFICIENCY_STORE", None)


STORE_HELP = (
    "The returns store: a PostgreSQL URL (postgresql://USER@HOST/DATABASE) for a team's shared "
    "database, or a SQLite file. Default: $SUFFICIENCY_STORE, else sufficiency.sqlite in the "
    "area folder."
)


def store_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--store URL``: where the returns and accounts are kept (see :data:`STORE_HELP`)."""
    return click.option(
        "--store",
        metavar="URL",
        envvar="SUFFICIENCY_STORE",
        expose_value=False,
        callback=_choose_store,
        help=STORE_HELP,
    )(command)


def area_option(
    help_extra: str = "", *, store: bool = True
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The ``--area`` option every command takes, with the same default; with ``store``,
    ``--store`` too (every command that reads or writes the returns store)."""
    area = click.option(
        "--area",
        "area",
        type=click.Path(path_type=Path),
        default=None,
        callback=_default_area,
        help=AREA_HELP + help_extra,
    )
    if not store:
        return area
    return lambda command: store_option(area(command))


def out_option(
    writes: str, default: str = "output"
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--out``: the folder a command writes ``writes`` into (default ./output)."""
    return click.option(
        "--out",
        "out_dir",
        type=click.Path(path_type=Path),
        default=Path(default),
        show_default=True,
        help=f"Folder to write {writes} into.",
    )


SCENARIO_OPTION = click.option(
    "--scenario",
    type=click.Path(path_type=Path),
    default=None,
    metavar="FILE",
    help="Assess the area under this scenario TOML first.",
)


MIN_QUALITY_OPTION = click.option(
    "--min-quality",
    type=click.Choice(["any", "good", "outstanding"]),
    default=None,
    help="Count as supply only the places in settings whose latest Ofsted grade is at least "
    "this good (good: good or outstanding; a setting with no grade does not count). Default: "
    "the parameters' min_quality (any).",
)


AREA_OPTIONS = [
    area_option(),
    click.option(
        "--parameters",
        type=click.Path(path_type=Path),
        default=None,
        help="Parameters TOML: any default by its key, e.g. 'utilisation = 0.85', or "
        "'universal_3_4 = 0.95' under '[take_up]' (the keys of sufficiency/data/defaults.toml). "
        "Default: the area's parameters.toml, else package defaults.",
    ),
    click.option(
        "--first-term",
        default=None,
        metavar="YYYY-season",
        help="First term to forecast. Default: the term after the latest return.",
    ),
    click.option(
        "--last-term",
        default=None,
        metavar="YYYY-season",
        help="Last term to forecast. Default: 12 terms from the first.",
    ),
]


def apply_options(command: Callable[..., Any], options: list) -> Callable[..., Any]:
    """Decorate ``command`` with ``options`` so that ``--help`` lists them in this order."""
    for option in reversed(options):
        command = option(command)
    return command
