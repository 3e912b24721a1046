"""``sufficiency import births`` and ``import population``: ONS layouts to births.csv and
population.csv, LSOAs added up into wards by a best-fit lookup, counted by hand.

``data/births_by_lsoa.csv`` (made up, one column per year below a title row) has four LSOAs;
``data/lsoa21_ward24_lookup.csv`` (the ONS best-fit lookup's columns) puts E01000001 and
E01000002 in ward E05000001 and E01000003 in E05000002; E01000009 is in no ward of the area.
So ward E05000001 has 12 + 5 = 17 births in 2022, 10 + 6 = 16 in 2023, 11 + 7 = 18 in 2024;
ward E05000002 has 20, 21, 22; E01000009's three years are dropped.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import SHARED, ward_polygons, write_area

from sufficiency.cli.main import cli

DATA = Path(__file__).parent / "data"
BIRTHS = DATA / "births_by_lsoa.csv"
LOOKUP = DATA / "lsoa21_ward24_lookup.csv"
ONSPD = DATA / "onspd_extract.csv"


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def _run(*args: str):
    return CliRunner().invoke(cli, ["import", *args])


def test_births_by_lsoa_are_added_up_into_wards_by_the_lookup(tmp_path):
    area = write_area(tmp_path / "area")
    result = _run("births", str(BIRTHS), "--area", str(area), "--lookup", str(LOOKUP))
    assert result.exit_code == 0, result.output
    births = pd.read_csv(area / "births.csv")
    assert births.columns.tolist() == ["ward_code", "year", "births"]
    assert births.to_dict("list") == {
        "ward_code": ["E05000001"] * 3 + ["E05000002"] * 3,
        "year": [2022, 2023, 2024] * 2,
        "births": [17.0, 16.0, 18.0, 20.0, 21.0, 22.0],
    }
    lines = result.output.splitlines()
    assert lines[0].startswith(
        "Read 4 row(s) from births_by_lsoa.csv, 12 figures (a column per year) (LSOAs added up "
        "into wards by the best-fit lookup"
    )
    assert "header found on row 2" in lines[0]
    # 17 + 16 + 18 + 20 + 21 + 22 = 114
    assert lines[1] == "Kept 114 births in 2 ward(s), 2022 to 2024, by year"
    assert lines[2] == (
        "Dropped 3 figure(s) outside the area's wards (an LSOA that the lookup or the small areas "
        "put in no ward of the area)"
    )


def _monthly(tmp_path: Path, drop: tuple[str, int, int] | None) -> Path:
    # Ward 1: 10 a month. Ward 2: 6 a month, but March 4 in 2022 and 10 in 2023.
    rows = []
    for ward in ["E05000001", "E05000002"]:
        for year in (2022, 2023, 2024):
            for month in range(1, 13):
                n = 10 if ward == "E05000001" else 6
                if ward == "E05000002" and month == 3:
                    n = {2022: 4, 2023: 10, 2024: 6}[year]
                if (ward, year, month) != drop:
                    rows.append({"WD24CD": ward, "Year": year, "Month": month, "Births": n})
    path = tmp_path / "monthly.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_a_missing_month_is_an_error_that_names_the_ward_and_the_option(tmp_path):
    area = write_area(tmp_path / "area")
    before = _files(area)
    result = _run("births", str(_monthly(tmp_path, ("E05000002", 2024, 3))), "--area", str(area))
    assert result.exit_code == 1
    assert "no births for ward E05000002 in 2024, month(s) 3" in result.output
    assert "--project-missing" in result.output and "nothing was written" in result.output
    assert _files(area) == before


def test_project_missing_fills_a_month_with_the_same_month_of_other_years(tmp_path):
    area = write_area(tmp_path / "area")
    monthly = _monthly(tmp_path, ("E05000002", 2024, 3))
    result = _run("births", str(monthly), "--area", str(area), "--project-missing")
    assert result.exit_code == 0, result.output
    births = pd.read_csv(area / "births.csv").set_index(["ward_code", "year", "month"])
    # March 2024 in ward 2: the mean of its Marches of 2022 and 2023, (4 + 10) / 2 = 7.
    assert births.loc[("E05000002", 2024, 3), "births"] == 7.0
    assert births.loc[("E05000002", 2024, 3), "projected"] == 1
    assert births["projected"].sum() == 1
    assert births.loc[("E05000002", 2023, 3), "births"] == 10.0
    assert "Projected 1 missing ward-month(s) (marked projected = 1)" in result.output
    assert "mean of that ward's births in the same calendar month" in result.output


def test_project_missing_fills_a_year_with_the_mean_of_the_others(tmp_path):
    area = write_area(tmp_path / "area")
    yearly = tmp_path / "yearly.csv"
    yearly.write_text(
        "ward_code,year,births\n"
        "E05000001,2022,120\nE05000001,2023,130\nE05000001,2024,140\n"
        "E05000002,2022,60\nE05000002,2024,90\n"
    )
    refused = _run("births", str(yearly), "--area", str(area))
    assert refused.exit_code == 1
    assert "no births for ward E05000002 in 2023" in refused.output
    result = _run("births", str(yearly), "--area", str(area), "--project-missing")
    assert result.exit_code == 0, result.output
    births = pd.read_csv(area / "births.csv").set_index(["ward_code", "year"])
    assert births.loc[("E05000002", 2023), "births"] == 75.0  # (60 + 90) / 2
    assert births.loc[("E05000002", 2023), "projected"] == 1


def test_one_row_per_child_by_postcode_and_date_of_birth(tmp_path):
    # Child health records: SO14 1AA and SO14 1AB are ward 1, SO14 2AA ward 2, M1 1AE outside.
    area = write_area(tmp_path / "area")
    assert _run("postcodes", str(ONSPD), "--area", str(area)).exit_code == 0
    rows = ["Postcode,Date of birth"]
    for month in range(1, 13):
        rows += [f"SO14 1AA,2024-{month:02d}-03", f"so141ab,15/{month:02d}/2024"]
        rows += [f"SO14 2AA,2024-{month:02d}-20", "M1 1AE,2024-01-01"]
    records = tmp_path / "child_health.csv"
    records.write_text("\n".join(rows) + "\n")
    result = _run("births", str(records), "--area", str(area))
    assert result.exit_code == 0, result.output
    births = pd.read_csv(area / "births.csv")
    assert births.groupby("ward_code")["births"].sum().to_dict() == {
        "E05000001": 24.0,
        "E05000002": 12.0,
    }
    assert births["month"].tolist() == list(range(1, 13)) * 2
    assert (
        "Dropped 12 row(s) outside the area's wards (a postcode not in the area's postcodes.csv"
        in result.output
    )
    assert "each row is one child" in result.output


def test_ward_codes_of_another_year_are_listed_not_dropped(tmp_path):
    area = write_area(tmp_path / "area")
    before = _files(area)
    old = tmp_path / "births_wd23.csv"
    old.write_text("WD23CD,Year,Births\nE05000001,2024,100\nE05012001,2024,50\nE05012002,2024,40\n")
    result = _run("births", str(old), "--area", str(area))
    assert result.exit_code == 1
    assert (
        "births_wd23.csv, row 3, column 'wd23cd': 2 ward code(s) are not in the area's wards "
        "file: E05012001, E05012002 (the wards file has 2 wards, e.g. E05000001)"
    ) in result.output
    assert "Ward (2023) to Ward (2024) Lookup" in result.output
    assert _files(area) == before


def _wd24_area(tmp_path: Path) -> Path:
    """The tiny area with its wards as ONS publishes 2024 wards: fields WD24CD, WD24NM."""
    area = write_area(tmp_path / "area")
    wards = ward_polygons(["E05000001", "E05000002"]).rename(
        columns={"ward_code": "WD24CD", "ward_name": "WD24NM"}
    )
    (area / "wards.geojson").unlink()
    wards.to_file(area / "wards.geojson", driver="GeoJSON")
    return area


def test_ward_codes_of_2023_against_2024_wards_name_the_ward_to_ward_lookup(tmp_path):
    area = _wd24_area(tmp_path)
    before = _files(area)
    old = tmp_path / "births_wd23.csv"
    old.write_text("WD23CD,Year,Births\nE05000001,2024,100\nE05012002,2024,40\n")
    result = _run("births", str(old), "--area", str(area))
    assert result.exit_code == 1
    assert "(the file's are 2023 wards, the wards file's 2024 wards)" in result.output
    assert "Map the codes with ONS's 'Ward (2023) to Ward (2024) Lookup', or give" in (
        result.output
    )
    assert _files(area) == before


def test_a_lookup_to_2023_wards_against_2024_wards_is_refused_though_codes_match(tmp_path):
    # Most wards keep their codes through a boundary review: the lookup's codes match, but its
    # year does not, and the LSOAs of the changed wards would be lost.
    area = _wd24_area(tmp_path)
    before = _files(area)
    lookup = tmp_path / "lsoa21_wd23.csv"
    lookup.write_text(
        "LSOA21CD,WD23CD\nE01000001,E05000001\nE01000002,E05000001\nE01000003,E05000002\n"
    )
    result = _run("births", str(BIRTHS), "--area", str(area), "--lookup", str(lookup))
    assert result.exit_code == 1
    assert (
        "lsoa21_wd23.csv, row 1, column 'wd23cd': the lookup is to 2023 wards (wd23cd) and the "
        "wards file has 2024 wards (WD24CD)"
    ) in result.output
    assert "'LSOA (2021) to Electoral Ward (2024) Best Fit Lookup'" in result.output
    assert _files(area) == before


def test_a_lookup_of_another_years_wards_is_refused_naming_it(tmp_path):
    area = write_area(tmp_path / "area")
    before = _files(area)
    lookup = tmp_path / "lsoa21_wd23.csv"
    lookup.write_text("LSOA21CD,WD23CD\nE01000001,E05011111\nE01000003,E05011112\n")
    result = _run("births", str(BIRTHS), "--area", str(area), "--lookup", str(lookup))
    assert result.exit_code == 1
    assert "lsoa21_wd23.csv, row 2, column 'wd23cd': 2 ward code(s) are not in the area's" in (
        result.output
    )
    assert "E05011111, E05011112" in result.output
    assert _files(area) == before


def test_lsoas_without_a_lookup_or_small_areas_are_refused(tmp_path):
    area = write_area(tmp_path / "area")
    result = _run("births", str(BIRTHS), "--area", str(area))
    assert result.exit_code == 1
    assert "no way to put LSOAs into wards" in result.output
    assert "--lookup" in result.output


def test_an_unrecognised_births_file_lists_the_columns_expected(tmp_path):
    area = write_area(tmp_path / "area")
    odd = tmp_path / "odd.csv"
    odd.write_text("place,when,n\nx,2024,3\n")
    result = _run("births", str(odd), "--area", str(area))
    assert result.exit_code == 1
    assert "odd.csv: not recognised. It needs a ward code" in result.output
    assert "its first row has place, when, n" in result.output


# --- population --------------------------------------------------------------------------------

LSOA_BASE = {"E01000001": 10, "E01000002": 5, "E01000003": 20, "E01000009": 50}


def _sape_workbook(path: Path) -> Path:
    """ONS's mid-year LSOA estimates in their published layout: a cover sheet, then a sheet a
    year named "Mid-YYYY LSOA 2021" with three rows above the header and F0..F90, M0..M90.

    Females at each age are the LSOA's base b (plus 1 in 2023), males b + age.
    """
    book = openpyxl.Workbook()
    book.active.title = "Cover_sheet"
    book.active.append(["Lower layer Super Output Area population estimates (made up)"])
    ages = [*range(90), "90"]
    for year in (2022, 2023):
        sheet = book.create_sheet(f"Mid-{year} LSOA 2021")
        sheet.append([f"Mid-{year} population estimates for LSOAs in England and Wales"])
        sheet.append(["This worksheet contains one table."])
        sheet.append(["Source: made up for the project's tests"])
        header = ["LAD 2021 Code", "LAD 2021 Name", "LSOA 2021 Code", "LSOA 2021 Name", "Total"]
        sheet.append(header + [f"F{a}" for a in ages] + [f"M{a}" for a in ages])
        for lsoa, base in LSOA_BASE.items():
            b = base + (year - 2022)
            females = [b for _ in ages]
            males = [b + (a if isinstance(a, int) else 90) for a in ages]
            sheet.append(
                ["E06099999", "Testtown", lsoa, lsoa, sum(females) + sum(males), *females, *males]
            )
    book.save(path)
    return path


def test_population_by_lsoa_sheets_per_year_added_up_by_the_lookup(tmp_path):
    area = write_area(tmp_path / "area")
    workbook = _sape_workbook(tmp_path / "sapelsoasyoa20222023.xlsx")
    result = _run("population", str(workbook), "--area", str(area), "--lookup", str(LOOKUP))
    assert result.exit_code == 0, result.output
    pop = pd.read_csv(area / "population.csv").set_index(["ward_code", "year", "age"])
    # Age a, ward 1 (LSOAs with b = 10 and 5), 2022: (10 + 10 + a) + (5 + 5 + a) = 30 + 2a.
    assert pop.loc["E05000001"].loc[2022, "population"].tolist() == [30, 32, 34, 36, 38]
    # 2023: b + 1: (11 + 11 + a) + (6 + 6 + a) = 34 + 2a.
    assert pop.loc["E05000001"].loc[2023, "population"].tolist() == [34, 36, 38, 40, 42]
    # Ward 2 (b = 20): 40 + a in 2022.
    assert pop.loc["E05000002"].loc[2022, "population"].tolist() == [40, 41, 42, 43, 44]
    assert sorted(pop.index.get_level_values("age").unique()) == [0, 1, 2, 3, 4]
    assert (
        "Read 8 row(s) from sapelsoasyoa20222023.xlsx (sheets Mid-2022 LSOA 2021, Mid-2023 LSOA "
        "2021; header on row 4); LSOAs added up into wards by the best-fit lookup"
    ) in result.output
    assert result.output.count("Females and males added up (f0, m0, f4, m4, ...)") == 1
    # 2022: ward 1 30+32+34+36+38 = 170, ward 2 40+...+44 = 210: 380 children.
    assert "mid-2022 (380 children)" in result.output
    assert "Dropped 2 row(s) outside the area's wards" in result.output  # E01000009, twice


def test_ward_estimates_need_a_year_when_the_file_does_not_say(tmp_path):
    area = write_area(tmp_path / "area")
    ages = ",".join(str(a) for a in range(90)) + ",90+"
    csv = tmp_path / "ward_estimates.csv"
    rows = [f"Ward Code 1,Ward Name 1,All Ages,{ages}"]
    for ward, base in [("E05000001", 7), ("E05000002", 3)]:
        rows.append(f"{ward},x,999," + ",".join(str(base + a) for a in range(91)))
    csv.write_text("\n".join(rows) + "\n")
    before = _files(area)
    refused = _run("population", str(csv), "--area", str(area))
    assert refused.exit_code == 1
    assert "which mid-year the estimates are for is not in the file" in refused.output
    assert "--year" in refused.output
    assert _files(area) == before
    result = _run("population", str(csv), "--area", str(area), "--year", "2021")
    assert result.exit_code == 0, result.output
    pop = pd.read_csv(area / "population.csv")
    assert pop[pop["ward_code"] == "E05000002"]["population"].tolist() == [3, 4, 5, 6, 7]
    assert set(pop["year"]) == {2021}


def test_a_ward_left_out_of_the_estimates_is_an_error(tmp_path):
    area = write_area(tmp_path / "area")
    csv = tmp_path / "one_ward.csv"
    csv.write_text(
        "ward_code,year,age,population\n" + "".join(f"E05000001,2023,{a},10\n" for a in range(5))
    )
    result = _run("population", str(csv), "--area", str(area))
    assert result.exit_code == 1
    assert "no estimates for ward E05000002" in result.output


@pytest.mark.skipif(
    not (SHARED / "realdata" / "southampton" / "lsoa.geojson").is_file(),
    reason="needs ../shared/realdata (the real Southampton wards and LSOAs)",
)
def test_real_southampton_lsoas_go_whole_to_wards_by_their_point(tmp_path):
    # 148 real LSOAs (2011) and 16 real wards (2013); each LSOA has 1 child aged 0, so a
    # ward's age-0 population counts its LSOAs and the total is 148 (none lost, none twice).
    import geopandas as gpd

    real = SHARED / "realdata" / "southampton"
    area = tmp_path / "soton"
    area.mkdir()
    (area / "wards.geojson").write_bytes((real / "wards.geojson").read_bytes())
    (area / "small_areas.geojson").write_bytes((real / "lsoa.geojson").read_bytes())
    lsoas = gpd.read_file(real / "lsoa.geojson")["LSOA11CD"].tolist()
    csv = tmp_path / "sape_mid2020.csv"
    csv.write_text(
        "LSOA Code,LSOA Name,All Ages,0,1,2,3,4,5\n"
        + "".join(f"{code},x,9,1,0,0,0,0,0\n" for code in lsoas)
    )
    result = _run("population", str(csv), "--area", str(area), "--year", "2020")
    assert result.exit_code == 0, result.output
    pop = pd.read_csv(area / "population.csv")
    age0 = pop[pop["age"] == 0].set_index("ward_code")["population"]
    assert len(age0) == 16 and age0.sum() == 148 and (age0 > 0).all()
    assert "best fit: the ward holding each LSOA's representative point" in result.output


def test_imported_births_and_population_are_what_the_area_reads(tmp_path):
    # The yearly births by LSOA become 12 equal months when the area is read: ward 1's 17
    # births of 2022 are 17/12 a month; the population is read as imported (ages 0-4).
    from sufficiency.area import load_area

    area = write_area(tmp_path / "area")
    assert _run("births", str(BIRTHS), "--area", str(area), "--lookup", str(LOOKUP)).exit_code == 0
    workbook = _sape_workbook(tmp_path / "sape.xlsx")
    assert (
        _run("population", str(workbook), "--area", str(area), "--lookup", str(LOOKUP)).exit_code
        == 0
    )
    loaded = load_area(area)
    monthly = loaded.births.set_index(["ward_code", "year", "month"])["births"]
    assert monthly.loc[("E05000001", 2022, 1)] == pytest.approx(17 / 12)
    assert monthly.groupby(level=["ward_code", "year"]).sum().loc[("E05000002", 2024)] == (
        pytest.approx(22.0)
    )
    assert loaded.population is not None
    pop = loaded.population.set_index(["ward_code", "year", "age"])["population"]
    assert pop.loc[("E05000001", 2023, 4)] == 42.0  # 34 + 2 * 4


def test_an_empty_ward_code_is_an_error_not_a_dropped_row(tmp_path):
    area = write_area(tmp_path / "area")
    before = _files(area)
    gap = tmp_path / "births.csv"
    gap.write_text("ward_code,year,births\nE05000001,2024,100\n,2024,50\nE05000002,2024,40\n")
    result = _run("births", str(gap), "--area", str(area))
    assert result.exit_code == 1
    assert "births.csv, row 3, column 'ward_code': empty cell" in result.output
    assert _files(area) == before


def test_a_child_with_no_date_of_birth_is_an_error_not_a_lost_row(tmp_path):
    area = write_area(tmp_path / "area")
    assert _run("postcodes", str(ONSPD), "--area", str(area)).exit_code == 0
    before = _files(area)
    records = tmp_path / "child_health.csv"
    records.write_text("Postcode,Date of birth\nSO14 1AA,2024-01-03\nSO14 2AA,\n")
    result = _run("births", str(records), "--area", str(area))
    assert result.exit_code == 1
    assert "child_health.csv, row 3, column 'date of birth': empty cell" in result.output
    assert _files(area) == before


def test_a_wards_year_of_births_beyond_the_limits(tmp_path):
    # Monthly rows each under the limits, but ward 1's year adds up to 12 x 2,500 = 30,000
    # (above the 20,000 refused); 12 x 200 = 2,400 in ward 2 is above the 2,000 noted.
    area = write_area(tmp_path / "area")
    rows = ["ward_code,year,month,births"]
    for month in range(1, 13):
        rows += [f"E05000001,2024,{month},2500", f"E05000002,2024,{month},200"]
    big = tmp_path / "big.csv"
    big.write_text("\n".join(rows) + "\n")
    before = _files(area)
    refused = _run("births", str(big), "--area", str(area))
    assert refused.exit_code == 1
    assert "ward E05000001 has 30,000 births in 2024, more than 20,000" in refused.output
    assert _files(area) == before
    big.write_text("\n".join(r for r in rows if not r.startswith("E05000001")) + "\n")
    big.write_text(big.read_text() + "".join(f"E05000001,2024,{m},10\n" for m in range(1, 13)))
    noted = _run("births", str(big), "--area", str(area))
    assert noted.exit_code == 0, noted.output
    assert "Check big.csv: ward E05000002 has 2,400 births in 2024, more than 2,000" in (
        noted.output
    )


def test_one_row_per_child_a_month_in_the_files_range_without_a_child_is_zero(tmp_path):
    # Review: with one row per child, a month with no child was read as missing, and
    # --project-missing filled it with the mean. Counted by hand: the file runs from 2023-03
    # to 2024-12 (22 months). Ward 1 (SO14 1AA) has 2 children a month except none in 2023-05
    # and 2024-07 (real zeros); ward 2 (SO14 2AA) 1 a month except none in 2024-02. Jan and
    # Feb 2023 are outside the range: missing.
    area = write_area(tmp_path / "area")
    assert _run("postcodes", str(ONSPD), "--area", str(area)).exit_code == 0
    months = [(2023, m) for m in range(3, 13)] + [(2024, m) for m in range(1, 13)]
    rows = ["Postcode,Date of birth"]
    for year, month in months:
        if (year, month) not in {(2023, 5), (2024, 7)}:
            rows += [f"SO14 1AA,{year}-{month:02d}-03", f"SO14 1AA,{year}-{month:02d}-17"]
        if (year, month) != (2024, 2):
            rows.append(f"SO14 2AA,{year}-{month:02d}-09")
    records = tmp_path / "child_health.csv"
    records.write_text("\n".join(rows) + "\n")
    before = _files(area)
    refused = _run("births", str(records), "--area", str(area))
    assert refused.exit_code == 1
    # Only the months outside the range are gaps (not 2023-05 too).
    assert "no births for ward E05000001 in 2023, month(s) 1, 2 (" in refused.output
    assert _files(area) == before
    result = _run("births", str(records), "--area", str(area), "--project-missing")
    assert result.exit_code == 0, result.output
    births = pd.read_csv(area / "births.csv").set_index(["ward_code", "year", "month"])
    assert len(births) == 2 * 24
    # The real zeros are 0 and not projected.
    for at in [("E05000001", 2023, 5), ("E05000001", 2024, 7), ("E05000002", 2024, 2)]:
        assert births.loc[at, "births"] == 0.0
        assert births.loc[at, "projected"] == 0
    # Jan and Feb 2023 are projected from the one year that has them, 2024:
    # ward 1: 2 and 2; ward 2: 1 and 0 (2024-02 is a real zero).
    assert births.loc[("E05000001", 2023, 1), "births"] == 2.0
    assert births.loc[("E05000001", 2023, 2), "births"] == 2.0
    assert births.loc[("E05000002", 2023, 1), "births"] == 1.0
    assert births.loc[("E05000002", 2023, 2), "births"] == 0.0
    assert births["projected"].sum() == 4
    # Ward 1: 20 months x 2 children = 40, + 2 + 2 projected = 44; ward 2: 21 + 1 + 0 = 22.
    assert births.groupby(level="ward_code")["births"].sum().to_dict() == {
        "E05000001": 44.0,
        "E05000002": 22.0,
    }
    assert (
        "3 ward-month(s) with no child, inside the file's range (2023-03 to 2024-12), "
        "counted as 0 births" in result.output
    )
    assert "Projected 4 missing ward-month(s)" in result.output
