"""``sufficiency import ofsted``: Ofsted's provider-level childcare file to the area's
ofsted.csv.

``data/ofsted_providers.csv`` is made up by hand in the published layout of "Childcare
providers and inspections" (a title row and a note row above the header on row 3; the
header's names as the 2025 edition writes them; childminders' names and postcodes
``REDACTED``). Eight providers; counted by hand against the tiny area (wards E05000001 and
E05000002, whose postcodes come from ``data/onspd_extract.csv``):

- EY100001 day nursery, SO14 1AA (ward 1), 40 places, grade 2: kept;
- EY100002 childminder, postcode withheld, Southampton, grade 1: kept by local authority, no ward;
- EY100003 sessional pre-school, ``so142aa`` (ward 2), 26 places, never inspected: kept;
- EY100004 not on the Early Years Register: dropped;
- EY100005 resigned: dropped;
- EY100006 Manchester, M1 1AE: outside, dropped;
- EY100007 domestic premises, SO14 2AD (ward 2), places empty, estimate 12, grade 3: kept;
- EY100008 childminder in Eastleigh: outside, dropped.

So 4 kept (3 in a ward, 1 not), 3 graded; dropped 1 + 1 + 2.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
from click.testing import CliRunner
from conftest import write_area

from sufficiency.cli.main import cli

DATA = Path(__file__).parent / "data"
OFSTED = DATA / "ofsted_providers.csv"
ONSPD = DATA / "onspd_extract.csv"


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def _area(tmp_path: Path, *, postcodes: bool = True) -> Path:
    area = write_area(tmp_path / "area")
    if postcodes:
        result = CliRunner().invoke(cli, ["import", "postcodes", str(ONSPD), "--area", str(area)])
        assert result.exit_code == 0, result.output
    return area


def _import(area: Path, file: Path = OFSTED, *extra: str):
    return CliRunner().invoke(cli, ["import", "ofsted", str(file), "--area", str(area), *extra])


def test_import_ofsted_keeps_the_areas_providers_and_says_why(tmp_path):
    area = _area(tmp_path)
    result = _import(area, OFSTED, "--local-authority", "Southampton")
    assert result.exit_code == 0, result.output
    written = pd.read_csv(area / "ofsted.csv", dtype=str).set_index("urn")
    assert written.index.tolist() == ["EY100001", "EY100002", "EY100003", "EY100007"]
    assert written["ward_code"].fillna("").tolist() == ["E05000001", "", "E05000002", "E05000002"]
    assert written["provider_type"].tolist() == [
        "day_nursery",
        "childminder",
        "pre_school",
        "other",
    ]
    assert written["registered_places"].tolist() == ["40", "6", "26", "12"]
    assert written["ofsted_grade"].fillna("").tolist() == ["2", "1", "", "3"]
    assert written.loc["EY100003", "postcode"] == "SO14 2AA"  # so142aa, in the pcds form
    assert pd.isna(written.loc["EY100002", "postcode"])  # withheld: never required
    assert pd.isna(written.loc["EY100002", "provider_name"])
    assert written.loc["EY100001", "inspection_date"] == "2023-05-12"
    lines = result.output.splitlines()
    assert lines[0] == "Read 8 provider(s) from ofsted_providers.csv (header found on row 3)"
    assert lines[1].startswith("Kept 4 of the area's: 3 placed in a ward by postcode, 1 by local")
    assert lines[1].endswith("3 with an inspection grade")
    assert lines[2] == (
        "Dropped 1 not on the Early Years Register, 1 whose registration has ended, "
        "2 outside the area"
    )
    assert "1 provider(s) with no registered places took Ofsted's estimate" in lines[3]


def test_without_the_local_authority_childminders_with_no_postcode_are_dropped(tmp_path):
    # No area.toml name and no --local-authority: only postcodes place providers (3 of 8).
    area = _area(tmp_path)
    result = _import(area)
    assert result.exit_code == 0, result.output
    written = pd.read_csv(area / "ofsted.csv", dtype=str)
    assert written["urn"].tolist() == ["EY100001", "EY100003", "EY100007"]
    assert "Dropped 1 not on the Early Years Register, 1 whose registration has ended, " in (
        result.output
    )
    assert "3 outside the area" in result.output
    # The two childminders (EY100002 in Southampton, EY100008 in Eastleigh) are among them,
    # and the summary says why.
    assert (
        "2 provider(s) with a withheld postcode (childminders) were dropped: no local "
        "authority was given (the file has Eastleigh, Manchester, Southampton, ...); give "
        "--local-authority"
    ) in result.output


def test_the_area_toml_name_is_the_local_authority(tmp_path):
    area = _area(tmp_path)
    (area / "area.toml").write_text('[area]\nname = "Southampton"\n')
    result = _import(area)
    assert result.exit_code == 0, result.output
    assert len(pd.read_csv(area / "ofsted.csv")) == 4


def test_an_older_edition_in_a_workbook_on_the_second_sheet(tmp_path):
    # Older names: URN, Registered places, Postcode, Overall effectiveness in words.
    area = _area(tmp_path)
    book = openpyxl.Workbook()
    book.active.title = "Cover"
    book.active.append(["Childcare providers and inspections as at 31 March 2019"])
    sheet = book.create_sheet("Providers")
    sheet.append(["Provider level data"])
    sheet.append(
        [
            "URN",
            "Provider type",
            "Provider name",
            "Postcode",
            "Local authority",
            "Registered places",
            "Inspection date",
            "Overall effectiveness",
        ]
    )
    sheet.append(["EY200001", "Childminder", "", "", "Southampton", 6, "2018-01-09", "Good"])
    sheet.append(
        [
            "EY200002",
            "Childcare on non-domestic premises",
            "Acorns",
            "SO14 1AD",
            "Southampton",
            "1,200",
            "2017-03-01",
            "Requires improvement",
        ]
    )
    path = tmp_path / "ofsted_2019.xlsx"
    book.save(path)
    result = _import(area, path, "--local-authority", "southampton")
    assert result.exit_code == 0, result.output
    assert "header found on row 2 of sheet 'Providers'" in result.output
    written = pd.read_csv(area / "ofsted.csv", dtype=str).set_index("urn")
    assert written["ofsted_grade"].tolist() == ["2", "3"]
    assert written["registered_places"].tolist() == ["6", "1200"]
    assert written.loc["EY200002", "ward_code"] == "E05000001"
    # 1,200 places in one setting is above the warning level (1,000): said, with the row.
    assert "row 4, column 'registered places': 1,200 is more than 1,000" in result.output


def test_an_unrecognised_file_lists_the_columns_expected(tmp_path):
    area = _area(tmp_path)
    before = _files(area)
    odd = tmp_path / "odd.csv"
    odd.write_text("code,name\nEY1,x\n")
    result = _import(area, odd)
    assert result.exit_code == 1
    assert "odd.csv: not recognised. It needs Ofsted's provider-level childcare columns" in (
        result.output
    )
    assert "Provider URN (or URN)" in result.output and "its first row has code, name" in (
        result.output
    )
    assert _files(area) == before


def test_without_a_postcode_lookup_it_names_import_postcodes(tmp_path):
    area = _area(tmp_path, postcodes=False)
    before = _files(area)
    result = _import(area)
    assert result.exit_code == 1
    assert "the area has no postcode lookup" in result.output
    assert "sufficiency import postcodes" in result.output
    assert _files(area) == before


def test_a_file_with_none_of_the_areas_providers_writes_nothing(tmp_path):
    area = _area(tmp_path)
    before = _files(area)
    far = tmp_path / "far.csv"
    far.write_text(
        "Provider URN,Provider Type,Provider Postcode,Local Authority,Places\n"
        "EY1,Childminder,M1 1AE,Manchester,6\n"
    )
    result = _import(area, far)
    assert result.exit_code == 1
    assert "none of its providers is in the area" in result.output
    assert "(it has Manchester, ...)" in result.output
    assert _files(area) == before


def test_places_that_are_not_a_number_name_the_row(tmp_path):
    area = _area(tmp_path)
    before = _files(area)
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "Provider URN,Provider Type,Provider Postcode,Local Authority,Places\n"
        "EY1,Childminder,SO14 1AA,Southampton,6\n"
        'EY2,Childminder,SO14 2AA,Southampton,"5,25"\n'
    )
    result = _import(area, bad)
    assert result.exit_code == 1
    assert "bad.csv, row 3, column 'places': not a number (found '5,25')" in result.output
    assert _files(area) == before


def test_returns_status_checks_against_the_imported_register(tmp_path):
    area = _area(tmp_path)
    assert _import(area, OFSTED, "--local-authority", "Southampton").exit_code == 0
    # The tiny area's one return (EY100001) is ingested; three registered have not returned.
    ingest = CliRunner().invoke(
        cli, ["ingest", str(area / "returns-2026-autumn.csv"), "--area", str(area)]
    )
    assert ingest.exit_code == 0, ingest.output
    status = CliRunner().invoke(cli, ["returns", "status", "--area", str(area)])
    assert status.exit_code == 0, status.output
    lines = status.output.splitlines()
    assert lines[0] == f"Register: {area / 'ofsted.csv'} (from sufficiency import ofsted)"
    assert lines[1] == "2026-autumn: 1 of 4 provider(s) returned (25%); 3 not returned"
    assert "  on the register: 4; returned but not on it: 0" in lines
    assert sum("register" in line and "EY1000" in line for line in lines) == 3


def test_the_grade_is_carried_into_the_areas_returns(tmp_path):
    # The tiny area's one return is EY100001, graded 2 in the Ofsted file.
    import sufficiency

    area = _area(tmp_path)
    assert _import(area, OFSTED, "--local-authority", "Southampton").exit_code == 0
    loaded = sufficiency.assess(area).area
    assert loaded.returns["urn"].tolist() == ["EY100001"]
    # As words, whichever source gave the grade (the supply step reads them so).
    assert loaded.returns["ofsted_grade"].tolist() == ["good"]
    assert "Ofsted grades from ofsted.csv for 1 of 1 return row(s) (by URN)" in loaded.notes


def test_a_grade_outside_1_to_4_in_ofsted_csv_names_the_row(tmp_path):
    from sufficiency.area import load_area
    from sufficiency.errors import InputError

    area = _area(tmp_path)
    (area / "ofsted.csv").write_text("urn,ofsted_grade\nEY100001,2\nEY100002,7\n")
    try:
        load_area(area)
    except InputError as exc:
        assert str(exc).startswith(
            f"{area / 'ofsted.csv'}, row 3, column 'ofsted_grade': an Ofsted grade is 1 to 4"
        )
    else:
        raise AssertionError("a grade of 7 was accepted")


def test_only_providers_on_the_early_years_register_are_kept_by_register_combinations(
    tmp_path,
):
    # Review: the editions that give "Individual register combinations" instead of the EYR
    # flag kept a holiday club on the Childcare Register only, and `returns status` chased it.
    # The fixture with its three register flags replaced by the combination and a holiday
    # club added: EY100009, CR only, SO14 1AA (ward 1), in Southampton. EY100004 (the
    # after-school club, flags N, Y, Y) is "Both Parts of the CR"; every other provider is
    # on the EYR. Kept: the same 4 as from the flags; dropped not on the EYR: 2 (EY100004,
    # EY100009); ended 1; outside 2.
    table = pd.read_csv(OFSTED, skiprows=2, dtype=str, keep_default_na=False)
    flags = [
        "Provider Early Years Register Flag",
        "Provider Compulsory Childcare Register Flag",
        "Provider Voluntary Childcare Register Flag",
    ]
    combination = {
        ("Y", "Y", "Y"): "EYR and Both Parts of the CR",
        ("Y", "N", "N"): "EYR only",
        ("N", "Y", "Y"): "Both Parts of the CR",
        ("Y", "Y", "N"): "EYR and Compulsory CR",
    }
    table.insert(5, "Individual Register Combinations", "")
    table["Individual Register Combinations"] = [
        combination[tuple(row)] for row in table[flags].itertuples(index=False)
    ]
    table = table.drop(columns=flags)
    club = table.iloc[0].copy()
    club["Provider URN"] = "EY100009"
    club["Provider Subtype"] = "Holiday scheme"
    club["Provider Name"] = "Summer Holiday Club"
    club["Individual Register Combinations"] = "CR only"
    table = pd.concat([table, club.to_frame().T], ignore_index=True)
    file = tmp_path / "providers.csv"
    table.to_csv(file, index=False)
    area = _area(tmp_path)
    result = _import(area, file, "--local-authority", "Southampton")
    assert result.exit_code == 0, result.output
    written = pd.read_csv(area / "ofsted.csv", dtype=str)
    assert written["urn"].tolist() == ["EY100001", "EY100002", "EY100003", "EY100007"]
    lines = result.output.splitlines()
    assert lines[0] == "Read 9 provider(s) from providers.csv"
    assert lines[2] == (
        "Dropped 2 not on the Early Years Register, 1 whose registration has ended, "
        "2 outside the area"
    )
