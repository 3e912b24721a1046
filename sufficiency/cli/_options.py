"""Command-line options that several commands share, declared once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

AREA_OPTIONS = [
    click.option(
        "--area",
        "area",
        type=click.Path(path_type=Path),
        default=None,
        help="Area folder (or its area.toml). Default: the bundled demo area.",
    ),
    click.option(
        "--parameters",
        type=click.Path(path_type=Path),
        default=None,
        help="Parameters TOML. Default: the area's parameters.toml, else package defaults.",
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
