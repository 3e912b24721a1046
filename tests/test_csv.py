"""The fast gap-table writer gives the bytes pandas writes, awkward values included."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

from sufficiency.outputs._csv import write_gap_csv
from sufficiency.outputs._escape import frame_for_spreadsheet


def pandas_bytes(frame: pd.DataFrame) -> str:
    return frame_for_spreadsheet(frame).to_csv(index=False, lineterminator="\n")


def ours(frame: pd.DataFrame) -> str:
    out = io.StringIO()
    write_gap_csv(frame, out)
    return out.getvalue()


def test_awkward_values_match_pandas():
    frame = pd.DataFrame(
        {
            "ward_name": pd.array(
                ["St Mary's & Docks", "=HYPERLINK(1)", 'Say "hi", then', "Two\nlines", None],
                dtype="string",
            ),
            "age_group": pd.array(["under2", "2", "3_4", "2", "3_4"], dtype="string"),
            "gap_places": [-0.1, 1e-17, 40.0, np.nan, 1234567.125],
            "terms": [1, 2, 3, 4, 5],
            "mixed": pd.array([1, None, 3, 4, 5], dtype="Int64"),
            "flag": [True, False, True, False, True],
        }
    )
    assert ours(frame) == pandas_bytes(frame)


def test_the_demo_gap_table_matches_pandas():
    import sufficiency

    gap = sufficiency.assess().gap
    assert ours(gap) == pandas_bytes(gap)


def test_an_empty_table_is_its_header():
    frame = pd.DataFrame({"a": pd.array([], dtype="string"), "b": np.array([], dtype=float)})
    assert ours(frame) == pandas_bytes(frame) == "a,b\n"
