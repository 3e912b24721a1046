"""Neutralising text for the medium it is written to.

Spreadsheet programs run a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula (CSV
injection); such text cells get a leading apostrophe. Numbers are left alone: only text is
touched.
"""

from __future__ import annotations

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell_text(value: object) -> object:
    """``"=1+1"`` -> ``"'=1+1"``; other values unchanged.

    >>> cell_text("=HYPERLINK(1)"), cell_text("Harbourside"), cell_text(-3.5)
    ("'=HYPERLINK(1)", 'Harbourside', -3.5)
    """
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def frame_for_spreadsheet(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with every text cell neutralised (column names too)."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or isinstance(out[column].dtype, pd.StringDtype):
            out[column] = out[column].map(cell_text, na_action="ignore")
    out.columns = [cell_text(str(c)) for c in out.columns]
    return out
