"""User errors as one clear line and exit status 1: the one translation every command uses.

A :class:`~sufficiency.errors.SufficiencyError` (a mistake in an input, a parameter or a
scenario) is printed as its message; a file-system error (an output path that cannot be written,
a full disk) names the path and what to check. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

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
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        reason = exc.strerror or str(exc)
        raise click.ClickException(
            f"{where}{reason}. Check the path exists, is a folder where one is expected, "
            "and can be written"
        ) from None


class UserErrorGroup(click.Group):
    """A command group whose commands' user errors are one line (:func:`user_errors`)."""

    def invoke(self, ctx: click.Context) -> Any:
        with user_errors():
            return super().invoke(ctx)
