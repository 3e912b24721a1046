"""Issue 12: inputs that once gave wrong numbers with exit status 0, each now refused clearly.

Every case runs the command as a user would and asserts the message, exit status 1 and that
the output folder (or the area folder and its store) is as it was.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import inside, monthly_births, provider, ward_polygons, write_area
from shapely.geometry import Polygon

from sufficiency.cli.main import cli


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def _run_refused(tmp_path: Path, area: Path, *needles: str) -> str:
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    (out / "gap.csv").write_text("old\n")
    before, area_before = _snapshot(out), _snapshot(area)
    result = CliRunner().invoke(cli, ["run", "--area", str(area), "--out", str(out), "--no-maps"])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    for needle in needles:
        assert needle in result.output, result.output
    assert _snapshot(out) == before and _snapshot(area) == area_before
    return result.output


def test_postcodes_without_coordinates_or_a_lookup_are_refused(tmp_path):
    area = write_area(tmp_path / "a", returns={"2026-autumn": [provider(postcode="SO14 1AA")]})
    _run_refused(
        tmp_path,
        area,
        "returns-2026-autumn.csv, row 2, column 'postcode'",
        "no postcode lookup (postcodes.csv)",
        "sufficiency import postcodes",
    )


def test_ingest_of_postcodes_without_a_lookup_names_the_lookup(tmp_path):
    area = write_area(tmp_path / "a")
    ret = tmp_path / "returns-2026-autumn.csv"
    pd.DataFrame([provider(postcode="SO14 1AA")] * 1).to_csv(ret, index=False)
    before = _snapshot(area)
    result = CliRunner().invoke(cli, ["ingest", str(ret), "--area", str(area)])
    assert result.exit_code == 1
    assert "postcode lookup" in result.output and "import postcodes" in result.output
    assert result.output.count("\n") == 1  # one line, not one per provider
    assert _snapshot(area) == before


@pytest.mark.parametrize(
    ("births", "message"),
    [
        # A whole year missing for every ward.
        (
            monthly_births(["E05000001", "E05000002"], 10.0).query("year != 2020"),
            "no births for ward E05000001 in 2020",
        ),
        # One ward-year missing.
        (
            monthly_births(["E05000001", "E05000002"], 10.0).query(
                "not (ward_code == 'E05000002' and year == 2024)"
            ),
            "no births for ward E05000002 in 2024",
        ),
        # Six months missing.
        (
            monthly_births(["E05000001", "E05000002"], 10.0).query(
                "not (ward_code == 'E05000001' and year == 2025 and month > 6)"
            ),
            "no births for ward E05000001 in 2025, month(s) 7, 8, 9, 10, 11, 12",
        ),
    ],
    ids=["year", "ward-year", "months"],
)
def test_gaps_in_births_are_errors_not_zeros(tmp_path, births, message):
    area = write_area(tmp_path / "a")
    births.to_csv(area / "births.csv", index=False)
    text = _run_refused(tmp_path, area, "births.csv", message, "0 where there were none")
    assert "a gap would be read as no births" in text
    assert "sufficiency import births FILE --project-missing" in text


def test_births_of_a_trillion_are_refused(tmp_path):
    area = write_area(tmp_path / "a")
    births = monthly_births(["E05000001", "E05000002"], 10.0)
    births.loc[5, "births"] = 1e12
    births.to_csv(area / "births.csv", index=False)
    _run_refused(tmp_path, area, "births.csv, row 7, column 'births'", "1,000,000,000,000")


def test_a_trillion_places_are_refused_and_a_thousand_noted(tmp_path):
    x, y = inside(0)
    area = write_area(
        tmp_path / "a",
        returns={
            "2026-autumn": [provider(easting=x, northing=y, places_3_4=1e12, registered_places=40)]
        },
    )
    _run_refused(tmp_path, area, "column 'places_3_4'", "far beyond")


@pytest.mark.parametrize("value", ["5,25", "1,5"])
def test_commas_only_as_thousands_separators(tmp_path, value):
    x, y = inside(0)
    area = write_area(
        tmp_path / "a", returns={"2026-autumn": [provider(easting=x, northing=y, places_2=value)]}
    )
    _run_refused(tmp_path, area, "column 'places_2': not a number", repr(value))


def test_term_given_against_the_file_name_is_refused(tmp_path):
    area = write_area(tmp_path / "a")
    x, y = inside(0)
    ret = tmp_path / "returns-2026-spring.csv"
    pd.DataFrame([provider(easting=x, northing=y)]).to_csv(ret, index=False)
    before = _snapshot(area)
    result = CliRunner().invoke(
        cli, ["ingest", str(ret), "--term", "2026-autumn", "--area", str(area)]
    )
    assert result.exit_code == 1
    assert "the file name says 2026-spring, but --term is 2026-autumn" in result.output
    assert _snapshot(area) == before


def test_a_term_column_against_the_file_name_is_refused(tmp_path):
    x, y = inside(0)
    area = write_area(
        tmp_path / "a",
        returns={"2026-autumn": [provider(easting=x, northing=y, term="2026-spring")]},
    )
    _run_refused(
        tmp_path, area, "column 'term'", "says 2026-spring, but the return is for 2026-autumn"
    )


def test_a_column_given_twice_is_refused(tmp_path):
    x, y = inside(0)
    area = write_area(tmp_path / "a", returns={"2026-autumn": [provider(easting=x, northing=y)]})
    path = area / "returns-2026-autumn.csv"
    lines = path.read_text().splitlines()
    path.write_text(f"{lines[0]},places_3_4\n{lines[1]},99\n")
    _run_refused(tmp_path, area, "row 1, column 'places_3_4': the column is given twice")


def test_formulas_without_saved_values_are_refused(tmp_path):
    x, y = inside(0)
    area = write_area(tmp_path / "a", returns={})
    row = provider(easting=x, northing=y)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(row))
    values = list(row.values())
    values[list(row).index("places_3_4")] = "=10+20"  # openpyxl saves no cached value
    sheet.append(values)
    book.save(area / "returns-2026-autumn.xlsx")
    _run_refused(tmp_path, area, "holds a formula with no saved value (=10+20)", "save it")


def _wards_with(area: Path, shapes: dict[str, object]) -> None:
    wards = ward_polygons(list(shapes))
    wards["geometry"] = list(shapes.values())
    wards.to_file(area / "wards.geojson", driver="GeoJSON")


def test_overlapping_wards_are_refused_naming_both(tmp_path):
    area = write_area(tmp_path / "a")
    squares = ward_polygons(["E05000001", "E05000002"])
    _wards_with(
        area,
        {"E05000001": squares.geometry[0].buffer(300), "E05000002": squares.geometry[1]},
    )
    _run_refused(tmp_path, area, "wards E05000001", "and E05000002", "overlap by")


def test_overlapping_wards_come_first_when_the_returns_are_wrong_too(tmp_path):
    # The overlap check runs beside the reading of the other files; its error is still the
    # one shown, as when it ran first.
    area = write_area(tmp_path / "a", returns={"2026-autumn": [provider(postcode="SO14 1AA")]})
    squares = ward_polygons(["E05000001", "E05000002"])
    _wards_with(
        area,
        {"E05000001": squares.geometry[0].buffer(300), "E05000002": squares.geometry[1]},
    )
    output = _run_refused(tmp_path, area, "wards E05000001", "and E05000002", "overlap by")
    assert "postcode" not in output


def test_a_ward_inside_another_is_refused(tmp_path):
    area = write_area(tmp_path / "a")
    big = ward_polygons(["E05000001", "E05000002"]).geometry[0]
    _wards_with(area, {"E05000001": big, "E05000002": big.buffer(-200)})
    _run_refused(tmp_path, area, "lie one inside the other")


def test_a_bow_tie_ward_is_refused(tmp_path):
    area = write_area(tmp_path / "a")
    x0, y0 = 440000.0, 110000.0
    bow = Polygon([(x0, y0), (x0 + 1000, y0 + 1000), (x0 + 1000, y0), (x0, y0 + 1000)])
    _wards_with(area, {"E05000001": bow, "E05000002": ward_polygons(["A", "B"]).geometry[1]})
    _run_refused(tmp_path, area, "ward E05000001", "invalid polygon", "Check Validity")


def test_a_ward_with_null_geometry_is_an_error_not_a_traceback(tmp_path):
    area = write_area(tmp_path / "a")
    text = (area / "wards.geojson").read_text()
    import json

    data = json.loads(text)
    data["features"][1]["geometry"] = None
    (area / "wards.geojson").write_text(json.dumps(data))
    _run_refused(tmp_path, area, "ward E05000002", "has no geometry")


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write to a read-only folder")
def test_ingest_into_a_read_only_area_is_one_line(tmp_path):
    area = write_area(tmp_path / "a")
    x, y = inside(0)
    ret = tmp_path / "returns-2026-autumn.csv"
    pd.DataFrame([provider(easting=x, northing=y)]).to_csv(ret, index=False)
    area.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        result = CliRunner().invoke(cli, ["ingest", str(ret), "--area", str(area)])
    finally:
        area.chmod(stat.S_IRWXU)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "can be written" in result.output


def test_utf16_and_cp1252_returns_are_read(tmp_path):
    x, y = inside(0)
    for encoding in ["utf-16", "cp1252"]:
        area = write_area(tmp_path / encoding, returns={})
        frame = pd.DataFrame([provider(provider_name="Café Tots", easting=x, northing=y)])
        frame.to_csv(area / "returns-2026-autumn.csv", index=False, encoding=encoding)
        result = CliRunner().invoke(
            cli, ["run", "--area", str(area), "--out", str(tmp_path / "o"), "--no-maps"]
        )
        assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("suffix", "name"), [(".xls", "old Excel (.xls)"), (".ods", "OpenDocument")]
)
def test_xls_and_ods_are_refused_by_name(tmp_path, suffix, name):
    area = write_area(tmp_path / "a", returns={})
    (area / "returns-2026-autumn.csv").unlink(missing_ok=True)
    (area / f"returns-2026-autumn{suffix}").write_bytes(b"\xd0\xcf\x11\xe0 not really")
    config = 'returns = ["returns-*"]\n'
    (area / "area.toml").write_text("[files]\n" + config)
    _run_refused(tmp_path, area, name, "save it as .xlsx or CSV")


def test_a_semicolon_delimited_file_is_explained(tmp_path):
    x, y = inside(0)
    area = write_area(tmp_path / "a", returns={})
    pd.DataFrame([provider(easting=x, northing=y)]).to_csv(
        area / "returns-2026-autumn.csv", index=False, sep=";"
    )
    _run_refused(tmp_path, area, "separated by semicolons", "comma delimited")


def test_the_area_default_is_the_current_folder_when_it_is_an_area(tmp_path, monkeypatch):
    area = write_area(tmp_path / "myarea")
    monkeypatch.chdir(area)
    result = CliRunner().invoke(cli, ["run", "--out", str(tmp_path / "o"), "--no-maps"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].startswith("myarea:")
    monkeypatch.chdir(tmp_path)  # not an area folder: the bundled demo
    result = CliRunner().invoke(cli, ["run", "--out", str(tmp_path / "o2"), "--no-maps"])
    assert result.output.splitlines()[0].startswith("Demotown")


def test_piping_into_head_is_not_a_path_error(tmp_path):
    import subprocess
    import sys

    area = write_area(tmp_path / "a")
    command = (
        f"{sys.executable} -m sufficiency run --area {area} --out {tmp_path / 'o'} --no-maps "
        "| head -c 1 > /dev/null"
    )
    done = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command], capture_output=True, text=True, check=False
    )
    assert "Broken pipe" not in done.stderr and "check the path" not in done.stderr.lower()
    assert "Traceback" not in done.stderr


def test_a_header_on_row_3_is_found_and_said(tmp_path):
    x, y = inside(0)
    area = write_area(tmp_path / "a", returns={"2026-autumn": [provider(easting=x, northing=y)]})
    path = area / "returns-2026-autumn.csv"
    path.write_text("Termly return,,\nExported 2026-10-01,,\n" + path.read_text())
    _run_refused(tmp_path, area, "the header is on row 3, not on row 1", "Delete the rows above")


def test_returns_on_the_second_sheet_are_found_and_said(tmp_path):
    x, y = inside(0)
    area = write_area(tmp_path / "a", returns={})
    row = provider(easting=x, northing=y)
    book = openpyxl.Workbook()
    book.active.title = "Instructions"
    book.active.append(["Fill in one row per provider"])
    sheet = book.create_sheet("Returns")
    sheet.append(list(row))
    sheet.append(list(row.values()))
    book.save(area / "returns-2026-autumn.xlsx")
    _run_refused(tmp_path, area, "the header is on sheet 'Returns', row 1")
    ingest = CliRunner().invoke(
        cli, ["ingest", str(area / "returns-2026-autumn.xlsx"), "--area", str(area)]
    )
    assert ingest.exit_code == 1
    assert "R001" in ingest.output and "sheet 'Returns'" in ingest.output


def test_a_store_that_cannot_be_written_is_one_line(tmp_path, monkeypatch):
    # What SQLite raises in a read-only folder (tests may run as root, who can write anywhere).
    import sqlite3

    def read_only(*args, **kwargs):
        raise sqlite3.OperationalError("attempt to write a readonly database")

    monkeypatch.setattr(sqlite3, "connect", read_only)
    monkeypatch.setattr(sqlite3.dbapi2, "connect", read_only)  # as SQLAlchemy calls it
    area = write_area(tmp_path / "a")
    x, y = inside(0)
    ret = tmp_path / "returns-2026-autumn.csv"
    pd.DataFrame([provider(easting=x, northing=y)]).to_csv(ret, index=False)
    result = CliRunner().invoke(cli, ["ingest", str(ret), "--area", str(area)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "can be written" in result.output


def test_a_ward_code_given_to_two_wards_is_blamed_on_the_wards_file(tmp_path):
    # Once blamed on births.csv (the third ward's births had no ward).
    area = write_area(tmp_path / "a", codes=("E05000001", "E05000002", "E05000003"))
    wards = ward_polygons(["E05000001", "E05000002", "E05000001"])
    wards.loc[2, "ward_name"] = "Other Ward"
    wards.to_file(area / "wards.geojson", driver="GeoJSON")
    output = _run_refused(
        tmp_path, area, "wards.geojson, row 3: ward code E05000001 is given to two different"
    )
    assert "row 1 (Ward E05000001) and row 3 (Other Ward)" in output
    assert "births.csv" not in output


def test_parts_of_one_ward_are_joined_with_a_note(tmp_path):
    # Two halves of ward 1 under one code and name: one ward of the whole square's area.
    from shapely.geometry import box

    area = write_area(tmp_path / "a")
    wards = ward_polygons(["E05000001", "E05000001", "E05000002"])
    wards["ward_name"] = ["Ward E05000001", "Ward E05000001", "Ward E05000002"]
    wards["geometry"] = [
        box(440000, 110000, 440500, 111000),
        box(440500, 110000, 441000, 111000),
        box(441000, 110000, 442000, 111000),
    ]
    wards.to_file(area / "wards.geojson", driver="GeoJSON")
    from sufficiency import geography

    notes: list[str] = []
    read = geography.read_wards(area / "wards.geojson", notes)
    assert read["ward_code"].tolist() == ["E05000001", "E05000002"]
    assert read.geometry.area.round().tolist() == [1_000_000.0, 1_000_000.0]
    assert notes == [
        "wards.geojson: 1 ward(s) given in several parts (E05000001) were joined into one "
        "polygon each"
    ]


def _shapefile_without_crs(area: Path, epsg: int) -> None:
    (area / "wards.geojson").unlink()
    import warnings

    wards = ward_polygons(["E05000001", "E05000002"]).to_crs(epsg)
    with warnings.catch_warnings():  # geopandas warns that it writes no .prj: that is the case
        warnings.simplefilter("ignore", UserWarning)
        wards.set_crs(None, allow_override=True).to_file(area / "wards.shp")


def test_wards_with_no_crs_and_foreign_coordinates_are_blamed_on_the_wards_file(tmp_path):
    # Web Mercator metres without a .prj: once guessed as British National Grid, so every
    # provider fell outside every ward (and a traceback); now the wards file is named.
    area = write_area(tmp_path / "a")
    _shapefile_without_crs(area, 3857)
    output = _run_refused(
        tmp_path, area, "wards.shp: the wards file has no coordinate reference system"
    )
    assert "neither longitude/latitude nor British National Grid" in output
    assert ".prj" in output and "housing" not in output


def test_wards_with_no_crs_in_british_national_grid_are_read_with_a_note(tmp_path):
    import sufficiency

    area = write_area(tmp_path / "a")
    _shapefile_without_crs(area, 27700)
    result = sufficiency.assess(area)
    assert any(
        n.startswith("wards.shp has no coordinate reference system: read as EPSG:27700")
        for n in result.area.notes
    )
    assert result.gap["supply_places"].sum() > 0


def test_a_return_with_no_provider_in_any_ward_is_refused(tmp_path):
    # Every provider 100 km away: a run would count no places; it names the return file.
    area = write_area(
        tmp_path / "a", returns={"2026-autumn": [provider(easting=340500.0, northing=10500.0)]}
    )
    _run_refused(
        tmp_path,
        area,
        "returns-2026-autumn.csv: none of its 1 provider(s) is in a ward of the area (e.g. "
        "EY100001)",
        "wards.geojson",
    )


def test_the_overlap_check_is_exact_for_more_than_2000_wards(tmp_path):
    # 2,025 square wards (45 x 45 of 1 km, codes row by row); ward 1,000 (column 10, row 22)
    # grown by 100 m overlaps its four side neighbours by 100 m x 1 km = 10 ha and its four
    # diagonal ones by 100 m x 100 m = 1 ha (1% of a ward: above the 0.5% allowed), though its
    # centre is in no other ward: the old point test for large files missed it. The first pair
    # in code order is the south-west diagonal, ward 954 (column 9, row 21).
    from shapely.geometry import box

    from sufficiency import geography

    cells = [(i % 45, i // 45) for i in range(2025)]
    wards = ward_polygons([f"E05{i:06d}" for i in range(2025)])
    wards["geometry"] = [
        box(440000 + 1000 * c, 110000 + 1000 * r, 441000 + 1000 * c, 111000 + 1000 * r)
        for c, r in cells
    ]
    path = tmp_path / "wards.gpkg"
    wards.to_file(path)
    assert len(geography.read_wards(path)) == 2025  # a clean grid is accepted
    wards.loc[1000, "geometry"] = wards.geometry[1000].buffer(100, join_style="mitre")
    wards.to_file(path)
    with pytest.raises(Exception, match=r"wards E05000954 .* and E05001000 .*overlap by 1\.0 ha"):
        geography.read_wards(path)


# A run on return files (no store) once skipped the rules `ingest` runs: each of these gave
# exit status 0 and a changed gap. Now the first error names its file, row, column and rule.
X0, Y0 = inside(0)
RULE_BROKEN = [
    # 40 + 500 places offered at one time against 52 registered: R113.
    (
        {"places_3_4": 500, "registered_places": 52},
        "returns-2026-autumn.csv, row 3, column 'registered_places': error R113: places "
        "offered at one time (places_under2 + places_2 + places_3_4) must not be more than "
        "registered_places (found '52')",
    ),
    # 400 vacancies for the 3-4s against 26 places: R110.
    (
        {"places_3_4": 26, "registered_places": 26, "children_3_4": 26, "vacancies_3_4": 400},
        "returns-2026-autumn.csv, row 3, column 'vacancies_3_4': error R110: vacancies_3_4 "
        "must not be more than the places offered to that age group (found '400')",
    ),
    # A misspelt ward code and no coordinates: R151 (it was dropped with a note).
    (
        {"easting": "", "northing": "", "postcode": "", "ward_code": "E0500001"},
        "returns-2026-autumn.csv, row 3, column 'ward_code': error R151: ward_code does not "
        "place the provider in any ward of the area (found 'E0500001')",
    ),
    # A postcode the lookup does not hold and no coordinates: R151.
    (
        {"easting": "", "northing": "", "postcode": "ZT9 9ZZ"},
        "returns-2026-autumn.csv, row 3, column 'postcode': error R151: postcode does not "
        "place the provider in any ward of the area (found 'ZT9 9ZZ')",
    ),
]


@pytest.mark.parametrize(("changes", "message"), RULE_BROKEN, ids=["R113", "R110", "ward", "pc"])
def test_a_run_on_return_files_refuses_what_ingest_refuses(tmp_path, changes, message):
    # The lookup holds ZT1 1AA (in the first ward), not ZT9 9ZZ.
    lookup = pd.DataFrame({"pcds": ["ZT1 1AA"], "lat": [50.9], "long": [-1.4]})
    lookup["osward"] = "E05000001"
    rows = [
        provider(easting=X0, northing=Y0),
        provider(**{"urn": "EY100002", "easting": X0, "northing": Y0, **changes}),
    ]
    area = write_area(
        tmp_path / "a", returns={"2026-autumn": rows}, extra={"postcodes.csv": lookup}
    )
    output = _run_refused(tmp_path, area, message, "Correct the return and run again")
    assert len(output.strip().splitlines()) == 1, output


def test_a_run_on_return_files_notes_warnings_and_counts_every_error(tmp_path):
    # Two rows break R113 and R110: the first is named, the other counted.
    rows = [
        provider(easting=X0, northing=Y0, places_3_4=500, registered_places=40),
        provider(urn="EY100002", easting=X0, northing=Y0, vacancies_3_4=400),
    ]
    area = write_area(tmp_path / "a", returns={"2026-autumn": rows})
    _run_refused(tmp_path, area, "row 2, column 'registered_places': error R113", "1 more error")
    # A warning (R111: 45 children on roll against 40 registered) is a note and the run goes on.
    from sufficiency.area import load_area

    rows = [provider(easting=X0, northing=Y0, children_3_4=45)]
    area = write_area(tmp_path / "b", returns={"2026-autumn": rows})
    notes = load_area(area).notes
    assert [n for n in notes if "R111" in n] == [
        "returns-2026-autumn.csv: warning R111 on 1 row(s) (2): children on roll (children_under2"
        " + children_2 + children_3_4) must not be more than registered_places; normal with "
        "part-time children, check the figures"
    ]


# The fresh reviewer's unclear messages (issue 12): each one line naming file, row, column
# and the fix, exit status 1, nothing written.


def test_births_with_n_a_say_so_and_how_to_fill_the_gap(tmp_path):
    area = write_area(tmp_path / "a")
    births = monthly_births(["E05000001", "E05000002"], 10.0).astype({"births": object})
    births.loc[3, "births"] = "n/a"  # the fourth data row: spreadsheet row 5
    births.to_csv(area / "births.csv", index=False)
    text = _run_refused(
        tmp_path,
        area,
        "births.csv, row 5, column 'births': no number: the cell is empty or says n/a, na, -, "
        "none or null. Write the number of births (0 where there were none); where it is not "
        "known, delete the row and fill the gap by a stated method: sufficiency import births "
        "FILE --project-missing",
    )
    assert len(text.strip().splitlines()) == 1


def test_births_without_a_month_column_say_the_month_is_missing(tmp_path):
    area = write_area(tmp_path / "a")
    births = monthly_births(["E05000001", "E05000002"], 10.0).drop(columns="month")
    births.to_csv(area / "births.csv", index=False)
    # Rows 2 and 3 are both ward E05000001 in 2016 (months 1 and 2 before the column went):
    # twelve rows for that ward and year.
    _run_refused(
        tmp_path,
        area,
        "births.csv, row 3, column 'month': births for ward E05000001 in 2016 given 12 times, "
        "and the file has no month column. Monthly births need a month column (1 to 12)",
    )


def test_a_housing_site_with_a_bad_ward_code_names_the_code_not_the_site_id(tmp_path):
    area = write_area(tmp_path / "a")
    housing = pd.DataFrame(
        {
            "site_id": ["S1", "S2"],
            "site_name": ["Good", "Bad"],
            "year": [2027, 2027],
            "dwellings": [50, 40],
            "dwelling_type": ["house", "flat"],
            "ward_code": ["E05000001", "E0500002"],  # a digit missing on row 3
        }
    )
    housing.to_csv(area / "housing.csv", index=False)
    _run_refused(
        tmp_path,
        area,
        "housing.csv, row 3, column 'ward_code': ward code not in the wards file (site S2) "
        "(found 'E0500002'). Give one of the 2 ward codes of the wards file (such as "
        "E05000001), or leave ward_code empty",
    )


def test_an_option_is_named_as_an_option_not_a_column(tmp_path):
    area = write_area(tmp_path / "a")
    result = CliRunner().invoke(
        cli, ["run", "--area", str(area), "--first-term", "2026-foo", "--out", str(tmp_path)]
    )
    ingest = CliRunner().invoke(
        cli, ["ingest", str(area / "returns-2026-autumn.csv"), "--area", str(area), "--term", "x"]
    )
    for refused in (result, ingest):
        assert refused.exit_code == 1, refused.output
        assert "column '--" not in refused.output
    assert "Error: option --term: not a funding term (found 'x')" in ingest.output


def test_a_refused_return_says_how_to_fix_it_in_a_user_s_area_and_in_the_demo(
    tmp_path, monkeypatch
):
    rows = [provider(easting=X0, northing=Y0, vacancies_3_4=400)]  # R110: 400 against 40
    area = write_area(tmp_path / "a", returns={"2026-autumn": rows})
    # A user's own area: ingest that file, with --area, lists every problem.
    text = _run_refused(tmp_path, area, "error R110")
    assert text.rstrip().endswith(
        f"Correct the return and run again (`sufficiency ingest "
        f"{area / 'returns-2026-autumn.csv'} --area {area} --report problems.xlsx` lists every "
        "problem in a workbook and loads nothing while there are errors)"
    )
    # The same folder as the bundled demo (package data, which ingest refuses to write to):
    # copy it first.
    monkeypatch.setattr("sufficiency._demo_area.DEMO_AREA", area)
    text = _run_refused(tmp_path, area, "error R110")
    assert text.rstrip().endswith(
        f"The bundled demo area is not written to: copy it first (cp -r {area} my-area), "
        "correct my-area/returns-2026-autumn.csv and run sufficiency run --area my-area"
    )


def test_a_run_warns_where_a_ward_code_contradicts_the_coordinates(tmp_path):
    # Three providers: one placed by its coordinates alone, one by a ward code that agrees
    # with its coordinates, one by a ward code its coordinates contradict (R209, a warning;
    # it is counted in the ward code's ward). Only the third is noted.
    from sufficiency.area import load_area

    x0, y0 = inside(0)
    x1, y1 = inside(1)
    area = write_area(
        tmp_path / "a",
        returns={
            "2026-autumn": [
                provider(urn="EY100001", easting=x0, northing=y0),
                provider(urn="EY100002", easting=x1, northing=y1, ward_code="E05000002"),
                provider(urn="EY100003", easting=x0, northing=y0, ward_code="E05000002"),
            ]
        },
    )
    loaded = load_area(area)
    warned = [n for n in loaded.notes if "R209" in n]
    assert warned == [
        "returns-2026-autumn.csv: warning R209 on 1 row(s) (4): ward_code is not the ward the "
        "provider's coordinates fall in (E05000001 Ward E05000001; the code given is "
        "E05000002 Ward E05000002): "
        "the provider is counted in the ward_code's ward; correct whichever is wrong"
    ], loaded.notes
    wards = dict(zip(loaded.returns["urn"], loaded.returns["ward_code"], strict=True))
    assert wards == {"EY100001": "E05000001", "EY100002": "E05000002", "EY100003": "E05000002"}
