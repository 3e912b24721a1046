"""User errors as one clear line and exit status 1: the one translation every command uses.

A :class:`~sufficiency.errors.SufficiencyError` (a mistake in an input, a parameter or a
scenario) is printed as its message; a file-system error (an output path that cannot be written,
a full disk) names the path and what to check; a store that cannot be written (a read-only
area folder) says so. Output piped into a command that stops reading (``| head``) ends quietly,
with status 1 as Python's own recipe has it, not as a path error. Anything else is a bug and
keeps its traceback.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from ..errors import SufficiencyError


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn the package's errors (and file-system ones) into a :class:`click.ClickException`.

    Use it as ``with user_errors():`` or as a decorator, ``@user_errors()``, under a command's
    click decorators.
    """
    try:
        yield
    except SufficiencyError as exc:
        raise click.ClickException(str(exc)) from None
    except BrokenPipeError:
        # The reader of our output (``| head``) has gone: stop writing, say nothing.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise click.exceptions.Exit(1) from None
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        reason = exc.strerror or str(exc)
        raise click.ClickException(
            f"{where}{reason}. Check the path exists, is a folder where one is expected, "
            "and can be written"
        ) from None
    except Exception as error:
        if not _store_operational(error):
            raise
        orig = getattr(error, "orig", None)
        reason = str(orig).strip().splitlines()[0] if orig else str(error)
        raise click.ClickException(
            f"the area's store cannot be opened or written ({reason}). Check the area folder "
            "and the store (sufficiency.sqlite) can be written (not read-only), or for "
            "--store postgresql://..., that the server is up, then run it again"
        ) from None


def _store_operational(error: Exception) -> bool:
    """Whether ``error`` is the store's database failing (SQLAlchemy's ``OperationalError``:
    a read-only file, a server gone); SQLAlchemy is imported only by commands that use it."""
    found = sys.modules.get("sqlalchemy.exc")
    return found is not None and isinstance(error, found.OperationalError)


class UserErrorGroup(click.Group):
    """A command group whose commands' user errors are one line (:func:`user_errors`)."""

    def invoke(self, ctx: click.Context) -> Any:
        with user_errors():
            return super().invoke(ctx)
