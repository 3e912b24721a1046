"""Writing the gap table: gap.parquet reads back as gap.csv does, the same bytes every time."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sufficiency.outputs.tables import write_gap_csv, write_gap_parquet

pq = pytest.importorskip(
    "pyarrow.parquet", reason="pyarrow is a dependency: reinstall the package (pip install -e .)"
)


def awkward_gap() -> pd.DataFrame:
    """A few gap rows with what a writer gets wrong: nulls, commas, quotes, accents, ints."""
    return pd.DataFrame(
        {
            "scenario": ["baseline", "closures", "closures"],
            "term": ["2027-spring", "2027-spring", "2027-summer"],
            "ward_code": ["E05000001", "E05000002", "E05000002"],
            "ward_name": ['St Mary\'s, "Docks"', "Crèche Row", "Crèche Row"],
            "age_group": ["under2", "2", "3_4"],
            "children": [0.0, 12.5, 190.0],
            "places_per_100": [np.nan, 80.0, 21.052631578947366],
            "demand_points": [1, 2, 3],
            "status_flows": ["deficit", None, "tight"],
        }
    ).astype({"scenario": "string", "ward_name": "string"})


def test_parquet_reads_back_as_the_csv_does(tmp_path):
    gap = awkward_gap()
    write_gap_csv(gap, tmp_path / "gap.csv")
    write_gap_parquet(gap, tmp_path / "gap.parquet")

    from_csv = pd.read_csv(tmp_path / "gap.csv")
    from_parquet = pd.read_parquet(tmp_path / "gap.parquet")

    pd.testing.assert_frame_equal(from_parquet, from_csv)
    schema = pq.read_schema(tmp_path / "gap.parquet")
    assert [str(t) for t in schema.types] == [
        *["string"] * 5, "double", "double", "int64", "string",
    ]  # fmt: skip
    # The empty places per 100 children (no children) and the missing status are nulls.
    table = pq.read_table(tmp_path / "gap.parquet")
    assert table.column("places_per_100").null_count == 1
    assert table.column("status_flows").null_count == 1
    assert schema.metadata is None  # no pandas metadata: the same in any pandas


def test_parquet_keeps_text_as_it_is(tmp_path):
    # The formula guard is for spreadsheets, which open the CSV, not the Parquet file.
    gap = awkward_gap().assign(ward_name="=1+1")
    write_gap_parquet(gap, tmp_path / "gap.parquet")
    assert set(pd.read_parquet(tmp_path / "gap.parquet")["ward_name"]) == {"=1+1"}


def test_two_writes_give_the_same_bytes(tmp_path):
    gap = awkward_gap()
    write_gap_parquet(gap, tmp_path / "first.parquet")
    write_gap_parquet(gap.copy(), tmp_path / "second.parquet")
    first = (tmp_path / "first.parquet").read_bytes()
    assert first == (tmp_path / "second.parquet").read_bytes()
    assert first[:4] == first[-4:] == b"PAR1"


def test_run_writes_gap_gpkg_with_the_gap_rows_and_ward_polygons(tmp_path):
    # One layer, "gap": the rows and columns of gap.csv, each with its ward's polygon, BNG.
    import geopandas as gpd
    from click.testing import CliRunner
    from conftest import write_area

    from sufficiency.cli.main import cli

    area = write_area(tmp_path / "a")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["run", "--area", str(area), "--out", str(out), "--no-maps"])
    assert result.exit_code == 0, result.output
    layer = gpd.read_file(out / "gap.gpkg", layer="gap")
    gap = pd.read_csv(out / "gap.csv")
    assert layer.crs.to_epsg() == 27700
    assert len(layer) == len(gap)
    assert list(layer.columns[:-1]) == list(gap.columns)
    assert layer["ward_code"].tolist() == gap["ward_code"].tolist()
    assert layer.geometry.notna().all()
    assert abs(layer.geometry.iloc[0].area - 1e6) < 1  # the tiny area's 1 km squares


def test_the_terminal_summary_shows_whole_places_only():
    import re

    import sufficiency
    from sufficiency.outputs.summary import summary_lines

    result = sufficiency.assess()
    lines = summary_lines(result)
    rows = [line for line in lines if re.search(r" places? \(\d{4}-", line)]
    assert rows  # the demo has wards in deficit
    for line in rows:
        figure = re.search(r"([+-][\d,]+) places? \(", line)
        assert figure is not None, line  # signed whole places, never "-0.2"
        assert int(figure.group(1).replace(",", "")) <= -1
    # The worst under-2 gap of the first ward listed, rounded by hand from the table.
    summary = result.ward_summary()
    first = summary[summary["terms_in_deficit"] > 0].iloc[0]
    whole = int(np.sign(first["worst_gap"]) * np.floor(abs(first["worst_gap"]) + 0.5))
    assert any(f"{whole:+,d} place" in line and first["worst_term"] in line for line in rows)
