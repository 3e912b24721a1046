"""Positions of codes (ward codes, URNs) in a list of codes.

pandas looks text up fastest when both sides hold Python strings: a ward Index of Arrow text
converts each of 60,000 providers' codes to Arrow first, at four times the cost. The model's
look-ups go through :func:`positions`, which gives both sides as Python strings.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd


def positions(keys: pd.Index | pd.Series | Sequence[str] | np.ndarray, codes: object) -> np.ndarray:
    """Where each of ``codes`` is in ``keys`` (unique), ``-1`` where it is not (or missing).

    >>> positions(pd.Index(["E1", "E2"]), np.array(["E2", None, "E9", "E1"], dtype=object))
    array([ 1, -1, -1,  0])
    """
    index = pd.Index(np.asarray(keys, dtype=object), dtype=object)
    wanted = pd.Index(np.asarray(codes, dtype=object), dtype=object)
    return np.asarray(index.get_indexer(wanted), dtype=np.intp)
