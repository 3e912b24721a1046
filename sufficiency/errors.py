"""The few exceptions the package raises for a user's mistake.

Each carries where the problem is (file, row, column, value) and how to fix it, so the CLI
can print one clear line instead of a traceback. Rows are counted as a spreadsheet user
counts them: the header is row 1, the first data row is row 2.
"""

from __future__ import annotations

from pathlib import Path


class SufficiencyError(Exception):
    """Base class for errors a user can act on."""


class InputError(SufficiencyError, ValueError):
    """A problem in an input file.

    Parameters
    ----------
    message
        What is wrong, in a data officer's words.
    file
        The file that holds the problem.
    row
        The spreadsheet row (header is row 1), where there is one.
    column
        The column, where there is one.
    value
        The offending value, where there is one.
    hint
        What to do about it.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        row: int | None = None,
        column: str | None = None,
        value: object = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.file = str(file) if file is not None else None
        self.row = row
        self.column = column
        self.value = value
        self.hint = hint
        super().__init__(self.describe())

    def for_file(self, file: str | Path) -> InputError:
        """The same problem named by ``file`` (the name a user knows a copy by)."""
        return InputError(
            self.message,
            file=file,
            row=self.row,
            column=self.column,
            value=self.value,
            hint=self.hint,
        )

    def describe(self) -> str:
        where = []
        if self.file:
            where.append(self.file)
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column and self.column.startswith("--"):
            where.append(f"option {self.column}")  # a command's option, not a file's column
        elif self.column:
            where.append(f"column {self.column!r}")
        text = (", ".join(where) + ": " if where else "") + self.message
        if self.value is not None:
            text += f" (found {self.value!r})"
        if self.hint:
            text += f". {self.hint}"
        return text


class ParameterError(SufficiencyError, ValueError):
    """A parameter or scenario file names an unknown key or an impossible value."""
