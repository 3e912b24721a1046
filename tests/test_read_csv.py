"""CSV files read by Arrow's reader give what pandas' reader gives, cell for cell.

``_io._read_csv`` reads with Arrow when it can and leaves the rest to pandas; these cases are
the layouts council files come in (quotes, commas and line breaks inside cells, blanks, short
rows, spaces after commas), each read both ways.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sufficiency import _io

CASES = {
    "plain": "urn,name,places\n1,Little Acorns,30\n2,Oak Tree,24\n",
    "windows line ends": "urn,name\r\n1,A\r\n2,B\r\n",
    "quoted comma and quote": 'urn,name\n1,"Acorns, Ltd"\n2,"The ""Oak"" Tree"\n',
    "line break in a cell": 'urn,address\n1,"1 High St\nLeeds"\n2,x\n',
    "blanks and quoted blank": 'urn,name,places\n1,,30\n2,"",\n',
    "leading zeros stay text": "urn,postcode,places\n007,LS1 1AA,030\n",
    "blank lines": "urn,name\n1,A\n\n2,B\n\n",
    "spaces after commas": "urn, name, places\n1, A, 30\n",
    "unicode": "urn,name\n1,Café Zoë\n2,Nursery – Ōtautahi\n",
    "no trailing line end": "urn,name\n1,A",
    # pandas' own reading: Arrow would keep the quotes, or refuse short rows.
    "space before a quote": 'urn,name\n1, "Acorns, Ltd"\n',
    "short row": "urn,name,places\n1,A\n2,B,3\n",
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_two_readers_agree(name, tmp_path, monkeypatch):
    path = tmp_path / "returns-2026-autumn.csv"
    path.write_bytes(CASES[name].encode("utf-8"))
    by_arrow = _io._read_csv_arrow(CASES[name]) is not None
    assert by_arrow == (name not in {"space before a quote", "short row"})
    read = _io.read_table(path)
    monkeypatch.setattr(_io, "_read_csv_arrow", lambda text: None)  # pandas' reading only
    pd.testing.assert_frame_equal(read, _io.read_table(path))


def test_cells_read_by_arrow_are_the_text_given(tmp_path):
    path = tmp_path / "returns-2026-autumn.csv"
    path.write_text('urn,name,places\n007,"Acorns, Ltd",30\n8,,\n', encoding="utf-8")
    assert _io._read_csv_arrow(path.read_text()) is not None  # this file takes Arrow's path
    table = _io.read_table(path)
    assert table["urn"].tolist() == ["007", "8"]
    assert table["name"].iloc[0] == "Acorns, Ltd"
    assert pd.isna(table["name"].iloc[1]) and pd.isna(table["places"].iloc[1])
    assert table["places"].iloc[0] == "30"


def test_a_quoted_cell_after_a_space_is_read_by_pandas(tmp_path):
    path = tmp_path / "returns-2026-autumn.csv"
    path.write_text('urn, name\n1, "Acorns, Ltd"\n', encoding="utf-8")
    table = _io.read_table(path)
    assert table["name"].tolist() == ["Acorns, Ltd"]


def test_a_short_row_is_filled_as_pandas_fills_it(tmp_path):
    path = tmp_path / "returns-2026-autumn.csv"
    path.write_text("urn,name,places\n1,A\n2,B,3\n", encoding="utf-8")
    table = _io.read_table(path)
    assert table["places"].isna().tolist() == [True, False]
    assert table["places"].iloc[1] == "3"


def test_isin_matches_pandas_on_arrow_and_python_text():
    known = {"E05000001", "E05000003"}
    for dtype in ["string", pd.StringDtype("python"), object]:
        values = pd.Series(["E05000001", None, "E05000002", "E05000003"], dtype=dtype)
        assert _io.isin(values, known).tolist() == [True, False, False, True]
        assert _io.isin(values, known).dtype == np.bool_
