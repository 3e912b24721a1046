"""``sufficiency import postcodes``: an ONSPD-shaped file to the area's postcodes.csv.

``data/onspd_extract.csv`` has the ONS Postcode Directory's header (the ONSPD column names as
documented in its user guide; editions differ only in the later boundary columns) and ten rows:
seven live postcodes in the tiny area's two wards, one terminated in 2020-06 (SO14 3ZZ, in the
second ward), one outside the area (SO15 9XX) and one with no
grid reference (SO14 9NG: latitude 99.999999, as the directory writes it).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from click.testing import CliRunner
from conftest import inside, provider, write_area

import sufficiency
from sufficiency.cli.main import cli

ONSPD = Path(__file__).parent / "data" / "onspd_extract.csv"


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_import_postcodes_keeps_the_areas_rows_and_says_why(tmp_path):
    area = write_area(tmp_path / "area")
    result = CliRunner().invoke(cli, ["import", "postcodes", str(ONSPD), "--area", str(area)])
    assert result.exit_code == 0, result.output
    written = pd.read_csv(area / "postcodes.csv", dtype=str)
    # 10 rows: 8 in the two wards (one terminated), 1 outside, 1 without a grid reference.
    assert len(written) == 8
    assert "SO15 9XX" not in set(written["postcode"]) and "SO14 9NG" not in set(written["postcode"])
    assert written.set_index("postcode").loc["SO14 3ZZ", "terminated"] == "202006"
    assert written.set_index("postcode").loc["SO14 1AA", "ward_code"] == "E05000001"
    assert written.set_index("postcode").loc["SO14 2AA", "ward_code"] == "E05000002"
    assert "Read 10 postcode(s)" in result.output
    assert "Kept 8 in the area's wards, 1 of them terminated" in result.output
    assert "Dropped 1 outside the area's wards, 1 with no grid reference" in result.output


def test_postcodes_are_one_however_they_are_written(tmp_path):
    # SO14 1AA is in the first ward: a postcode-only return in three spellings is placed there.
    area = write_area(
        tmp_path / "area",
        returns={
            "2026-autumn": [
                provider(urn="EY000001", postcode="SO14 1AA"),
                provider(urn="EY000002", postcode="SO141AA"),
                provider(urn="EY000003", postcode="so14  1aa"),
            ]
        },
    )
    CliRunner().invoke(cli, ["import", "postcodes", str(ONSPD), "--area", str(area)])
    returns = sufficiency.assess(area).area.returns
    assert set(returns["ward_code"]) == {"E05000001"}
    assert set(returns["located_by"]) == {"postcode"}


def test_a_postcode_only_return_gives_the_supply_of_coordinates(tmp_path):
    # The same two providers, once with coordinates, once with postcodes and the directory.
    x0, y0 = 440500.0, 110500.0  # SO14 1AA
    x1, y1 = 441500.0, 110500.0  # SO14 2AA
    by_xy = write_area(
        tmp_path / "xy",
        returns={
            "2026-autumn": [
                provider(urn="EY000001", easting=x0, northing=y0),
                provider(urn="EY000002", easting=x1, northing=y1, places_2=7),
            ]
        },
    )
    by_pc = write_area(
        tmp_path / "pc",
        returns={
            "2026-autumn": [
                provider(urn="EY000001", postcode="SO14 1AA"),
                provider(urn="EY000002", postcode="SO14 2AA", places_2=7),
            ]
        },
    )
    imported = CliRunner().invoke(cli, ["import", "postcodes", str(ONSPD), "--area", str(by_pc)])
    assert imported.exit_code == 0, imported.output
    a, b = sufficiency.assess(by_xy).gap, sufficiency.assess(by_pc).gap
    pd.testing.assert_series_equal(a["supply_places"], b["supply_places"])
    assert a["supply_places"].sum() > 0


def test_an_unrecognised_file_lists_the_columns_expected(tmp_path):
    area = write_area(tmp_path / "area")
    before = _files(area)
    odd = tmp_path / "odd.csv"
    odd.write_text("code,name\nSO14 1AA,x\n")
    result = CliRunner().invoke(cli, ["import", "postcodes", str(odd), "--area", str(area)])
    assert result.exit_code == 1
    assert "not recognised as a postcode directory" in result.output
    assert "pcds" in result.output and "lat and long" in result.output
    assert _files(area) == before


def test_a_directory_with_none_of_the_areas_postcodes_writes_nothing(tmp_path):
    area = write_area(tmp_path / "area")
    before = _files(area)
    far = tmp_path / "far.csv"
    far.write_text("pcds,lat,long\nM1 1AE,53.47,-2.23\n")
    result = CliRunner().invoke(cli, ["import", "postcodes", str(far), "--area", str(area)])
    assert result.exit_code == 1
    assert "none of its 1 postcode(s) is in the area's wards" in result.output
    assert _files(area) == before


def test_nspl_names_and_easting_northing_only(tmp_path):
    # The NSPL's header names the ward "ward"; a file may give only grid references.
    area = write_area(tmp_path / "area")
    x, y = inside(1)
    nspl = tmp_path / "nspl.csv"
    nspl.write_text(
        f"PCD,PCDS,DOINTR,DOTERM,OSEAST1M,OSNRTH1M,WARD\nSO142AA,SO14 2AA,1998,,{x},{y},E\n"
    )
    result = CliRunner().invoke(cli, ["import", "postcodes", str(nspl), "--area", str(area)])
    assert result.exit_code == 0, result.output
    written = pd.read_csv(area / "postcodes.csv", dtype=str)
    assert written["postcode"].tolist() == ["SO14 2AA"]
    assert written["ward_code"].tolist() == ["E05000002"]


def test_the_directory_read_in_small_blocks_gives_the_same_file(tmp_path, monkeypatch):
    # The full directory is read a block at a time: blocks of 1 KiB (2 or 3 rows of the
    # 10-row extract) must give the same postcodes.csv, byte for byte, as one block.
    from sufficiency.importers import postcodes

    whole = write_area(tmp_path / "whole")
    CliRunner().invoke(cli, ["import", "postcodes", str(ONSPD), "--area", str(whole)])
    monkeypatch.setattr(postcodes, "BATCH_BYTES", 1024)
    blocks = write_area(tmp_path / "blocks")
    result = CliRunner().invoke(cli, ["import", "postcodes", str(ONSPD), "--area", str(blocks)])
    assert result.exit_code == 0, result.output
    assert "Kept 8 in the area's wards, 1 of them terminated" in result.output
    assert (blocks / "postcodes.csv").read_bytes() == (whole / "postcodes.csv").read_bytes()


def _return_shaped(path: Path) -> Path:
    # A provider return: urn, name, a plain postcode column and latitude, longitude.
    path.write_text(
        "urn,provider_name,provider_type,postcode,latitude,longitude,places_total\n"
        "EY000001,Acorns,nursery,SO14 1AA,50.892570,-1.425541,40\n"
    )
    return path


def test_a_provider_return_is_refused_and_the_lookup_is_kept(tmp_path):
    # Review: a return given as the directory was taken for one (postcode, latitude,
    # longitude) and replaced the area's postcodes.csv with its few rows, exit 0.
    area = write_area(tmp_path / "area")
    first = CliRunner().invoke(cli, ["import", "postcodes", str(ONSPD), "--area", str(area)])
    assert first.exit_code == 0, first.output
    before = _files(area)
    wrong = _return_shaped(tmp_path / "returns-2025-autumn.csv")
    result = CliRunner().invoke(cli, ["import", "postcodes", str(wrong), "--area", str(area)])
    assert result.exit_code == 1
    assert "returns-2025-autumn.csv" in result.output
    assert "not recognised as a postcode directory (it has urn: a provider return?)" in (
        result.output
    )
    assert "pcds, pcd, pcd2, pcd7 or pcd8" in result.output
    assert "urn, provider_name, provider_type, postcode, latitude" in result.output
    assert "Traceback" not in result.output
    assert _files(area) == before


def _directory_of(path: Path, written: pd.DataFrame) -> Path:
    rows = [f"{r.postcode},{r.latitude},{r.longitude}" for r in written.itertuples()]
    path.write_text("pcds,lat,long\n" + "\n".join(rows) + "\n")
    return path


def test_a_directory_keeping_under_half_the_postcodes_needs_replace(tmp_path):
    # The extract keeps 8 postcodes (the 7 live ones and the terminated SO14 3ZZ). A directory
    # with 3 of them keeps 3 < 8 / 2 = 4: refused, nothing written; with --replace it is
    # written. One with 4 of them (4 >= 4) replaces the file without being asked.
    area = write_area(tmp_path / "area")
    CliRunner().invoke(cli, ["import", "postcodes", str(ONSPD), "--area", str(area)])
    written = pd.read_csv(area / "postcodes.csv", dtype=str)
    assert len(written) == 8
    before = _files(area)
    three = _directory_of(tmp_path / "three.csv", written.head(3))
    result = CliRunner().invoke(cli, ["import", "postcodes", str(three), "--area", str(area)])
    assert result.exit_code == 1
    assert "three.csv" in result.output
    assert (
        "it would keep 3 postcode(s) in the area's wards, under 50% of the 8 in postcodes.csv"
        in result.output
    )
    assert "--replace" in result.output
    assert _files(area) == before
    replaced = CliRunner().invoke(
        cli, ["import", "postcodes", str(three), "--area", str(area), "--replace"]
    )
    assert replaced.exit_code == 0, replaced.output
    assert len(pd.read_csv(area / "postcodes.csv", dtype=str)) == 3
    fresh = write_area(tmp_path / "fresh")
    CliRunner().invoke(cli, ["import", "postcodes", str(ONSPD), "--area", str(fresh)])
    four = _directory_of(tmp_path / "four.csv", written.head(4))
    result = CliRunner().invoke(cli, ["import", "postcodes", str(four), "--area", str(fresh)])
    assert result.exit_code == 0, result.output
    assert pd.read_csv(fresh / "postcodes.csv", dtype=str)["postcode"].tolist() == (
        written["postcode"].head(4).tolist()
    )
