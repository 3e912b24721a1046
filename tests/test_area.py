"""Reading an area folder, and clear errors for bad input."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import inside, monthly_births, provider, ward_polygons, write_area

from sufficiency.area import load_area
from sufficiency.errors import InputError


def test_ons_field_names_and_any_crs(tmp_path):
    folder = write_area(tmp_path / "a")
    wards = (
        ward_polygons(["E05000001", "E05000002"])
        .rename(columns={"ward_code": "WD13CD", "ward_name": "WD13NM"})
        .to_crs("EPSG:4326")
    )
    (folder / "wards.geojson").unlink()
    wards.to_file(folder / "wards.gpkg", driver="GPKG")
    area = load_area(folder)
    assert area.wards["ward_code"].tolist() == ["E05000001", "E05000002"]
    assert area.wards.crs.to_epsg() == 27700
    assert area.returns["ward_code"].tolist() == ["E05000001"]


def test_providers_placed_by_code_then_coordinates_then_postcode(tmp_path):
    x1, y1 = inside(1)
    rows = [
        provider(urn="EY000001", ward_code="E05000002", easting=None, northing=None),
        provider(urn="EY000002", easting=x1, northing=y1),
        provider(urn="EY000003", postcode="zt9 9zz", easting=None, northing=None),
        provider(urn="EY000004", postcode="ZT1 1ZZ", easting=None, northing=None),
    ]
    lon, lat = 0.0, 0.0
    import geopandas as gpd
    from shapely.geometry import Point

    point = gpd.GeoSeries([Point(*inside(0))], crs="EPSG:27700").to_crs("EPSG:4326")[0]
    lon, lat = point.x, point.y
    postcodes = pd.DataFrame(
        {
            "pcds": ["ZT9 9ZZ", "ZT1 1ZZ"],
            "lat": [lat, lat],
            "long": [lon, lon],
            "osward": ["E05000002", None],
        }
    )
    folder = write_area(
        tmp_path / "a", returns={"2026-autumn": rows}, extra={"postcodes.csv": postcodes}
    )
    area = load_area(folder)
    got = area.returns.set_index("urn")[["ward_code", "located_by"]]
    assert got.loc["EY000001"].tolist() == ["E05000002", "ward_code"]
    assert got.loc["EY000002"].tolist() == ["E05000002", "coordinates"]
    assert got.loc["EY000003"].tolist() == ["E05000002", "postcode"]
    assert got.loc["EY000004"].tolist() == ["E05000001", "postcode"]


def test_yearly_births_spread_over_months(tmp_path):
    folder = write_area(tmp_path / "a")
    pd.DataFrame(
        {"ward_code": ["E05000001", "E05000002"], "year": [2025, 2025], "births": [120, 0]}
    ).to_csv(folder / "births.csv", index=False)
    births = load_area(folder).births
    assert len(births) == 24
    assert births["births"].tolist() == [10.0] * 12 + [0.0] * 12


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: (f / "births.csv").unlink(), "the area has no births file"),
        (
            lambda f: (f / "births.csv").write_text("ward_code,year\nE05000001,2020\n"),
            "births.csv, column 'births': missing column. The file needs the columns "
            "ward_code, year, births",
        ),
        (
            lambda f: (f / "births.csv").write_text("ward_code,year,births\nE05999999,2020,3\n"),
            "births.csv, row 2, column 'ward_code': ward code not in the wards file",
        ),
        (
            lambda f: (f / "births.csv").write_text("ward_code,year,births\nE05000001,2020,-3\n"),
            "births.csv, row 2, column 'births': negative count",
        ),
        (
            lambda f: (f / "births.csv").write_text("ward_code,year,births\nE05000001,2020,ten\n"),
            "births.csv, row 2, column 'births': not a number (found 'ten')",
        ),
        (lambda f: (f / "wards.geojson").write_text("not json"), "cannot be read as ward"),
        (
            lambda f: (f / "returns-2026-autumn.csv").rename(f / "returns-2026-fall.csv"),
            "the return's term is not known",
        ),
    ],
)
def test_bad_input_names_file_row_and_column(tmp_path, change, message):
    folder = write_area(tmp_path / "a")
    change(folder)
    with pytest.raises(InputError) as info:
        load_area(folder)
    assert message in str(info.value)


def test_bad_return_values(tmp_path):
    rows = [provider(), provider(urn="EY100002", provider_type="creche")]
    folder = write_area(tmp_path / "a", returns={"2026-autumn": rows})
    with pytest.raises(InputError) as info:
        load_area(folder)
    assert str(info.value).startswith(
        f"{folder / 'returns-2026-autumn.csv'}, row 3, column 'provider_type': unknown "
        "provider_type (found 'creche'). Use one of childminder"
    )


def test_ward_parameters_checked(tmp_path):
    bad = pd.DataFrame(
        {"ward_code": ["E05000001"], "key": ["take_up.universal_3_4"], "value": [1.5]}
    )
    folder = write_area(tmp_path / "a", extra={"ward_parameters.csv": bad})
    with pytest.raises(InputError, match="is a share and must be between 0 and 1"):
        load_area(folder)
    bad["key"] = ["take_up.everyone"]
    bad.to_csv(folder / "ward_parameters.csv", index=False)
    with pytest.raises(InputError, match="row 2, column 'key': unknown parameter key"):
        load_area(folder)


def test_cp1252_and_bom_csv(tmp_path):
    folder = write_area(tmp_path / "a")
    text = "ward_code,year,month,births\n" + "".join(
        f"{w},{y},{m},10\n"
        for w in ["E05000001", "E05000002"]
        for y in range(2016, 2026)
        for m in range(1, 13)
    )
    (folder / "births.csv").write_bytes("\ufeff".encode() + text.encode())
    assert load_area(folder).births["births"].sum() == 2400
    frame = pd.DataFrame(
        [provider(provider_name="Café Tots", easting=inside(0)[0], northing=inside(0)[1])]
    )
    frame.to_csv(folder / "returns-2026-autumn.csv", index=False, encoding="cp1252")
    assert load_area(folder).returns["provider_name"].tolist() == ["Café Tots"]


def test_monthly_births_fixture_is_flat():
    assert monthly_births(["A"], 10.0)["births"].sum() == 1200


def test_optional_date_columns_may_be_left_out(tmp_path):
    row = provider(easting=inside(0)[0], northing=inside(0)[1])
    for column in ["status", "status_date", "planned_places_change", "planned_change_date"]:
        row.pop(column)
    area = load_area(write_area(tmp_path / "a", returns={"2026-autumn": [row]}))
    assert area.returns["status"].tolist() == ["open"]
    assert area.returns["status_date"].isna().all()


def test_a_return_with_no_rows_is_an_error(tmp_path):
    folder = write_area(tmp_path / "a")
    header = (folder / "returns-2026-autumn.csv").read_text().splitlines()[0]
    (folder / "returns-2026-autumn.csv").write_text(header + "\n")
    with pytest.raises(InputError, match=r"returns-2026-autumn\.csv: the return has no rows"):
        load_area(folder)


def test_unknown_file_key_in_area_toml(tmp_path):
    folder = write_area(tmp_path / "a")
    (folder / "area.toml").write_text('[files]\nbirth = "births.csv"\n')
    with pytest.raises(InputError, match="unknown key 'birth' under \\[files\\]"):
        load_area(folder)


def test_unknown_ward_code_in_a_return_is_noted(tmp_path):
    x, y = inside(1)
    rows = [provider(ward_code="E05999999", easting=x, northing=y)]
    area = load_area(write_area(tmp_path / "a", returns={"2026-autumn": rows}))
    assert area.returns["ward_code"].tolist() == ["E05000002"]
    assert any("not in the wards file (e.g. E05999999)" in n for n in area.notes)
