"""What a long command is doing, on a terminal only: one status line on standard error.

A national run or many draws takes tens of seconds; on a terminal the user sees which step it is
in (``reading the area``, ``scenario 2 of 3: 1,000 draws``, ``writing the maps``) and how long it
has taken, on one line that is rewritten and cleared at the end. Piped or redirected (standard
error not a terminal), nothing is written, so the output a script reads is the same.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click


def on_terminal() -> bool:
    """Whether standard error is a terminal (a person watching), not a pipe or a file."""
    return sys.stderr.isatty()


@contextmanager
def stages() -> Iterator[Callable[[str], None] | None]:
    """Yield a ``say(step)`` for a terminal, or ``None`` when standard error is not one; the
    line is cleared when the block ends (also on an error, so the error line reads clean)."""
    if not on_terminal():
        yield None
        return
    start = time.monotonic()

    def say(step: str) -> None:
        click.echo(f"\r\x1b[K{step} ({time.monotonic() - start:.0f} s) ...", nl=False, err=True)

    try:
        yield say
    finally:
        click.echo("\r\x1b[K", nl=False, err=True)
