"""Real ward boundaries (../shared/realdata): ONS field names, WGS84, point in polygon.

Skips with a reason where ../shared is absent (it is never copied into the project).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from conftest import SHARED, monthly_births, provider

import sufficiency

SOUTHAMPTON = SHARED / "realdata" / "southampton" / "wards.geojson"
pytestmark = [
    pytest.mark.realdata,
    pytest.mark.skipif(not SOUTHAMPTON.exists(), reason="../shared/realdata is not here"),
]


def test_southampton_wards_as_published(tmp_path):
    # The file as ONS publishes it: WD13CD / WD13NM fields, longitude and latitude.
    folder = tmp_path / "southampton"
    folder.mkdir()
    wards = gpd.read_file(SOUTHAMPTON)
    assert "WD13CD" in wards.columns and wards.crs.to_epsg() == 4326
    (folder / "wards.geojson").write_bytes(SOUTHAMPTON.read_bytes())
    codes = sorted(wards["WD13CD"])
    monthly_births(codes, 10.0).to_csv(folder / "births.csv", index=False)
    # One 40-place nursery at a point inside each ward, given as latitude and longitude.
    points = wards.to_crs(27700).representative_point().to_crs(4326)
    rows = [
        provider(urn=f"EY{100000 + i}", latitude=p.y, longitude=p.x, staff_total=5)
        for i, p in enumerate(points)
    ]
    pd.DataFrame(rows).to_csv(folder / "returns-2026-autumn.csv", index=False)

    result = sufficiency.assess(folder)
    located = result.area.returns.set_index("urn")["ward_code"]
    assert located.tolist() == wards["WD13CD"].tolist()  # each nursery in its own ward
    gap = result.gap
    assert len(gap) == 16 * 12 * 3
    first = gap[(gap["term"] == "2027-spring") & (gap["age_group"] == "3_4")]
    # 10 births a month: 160 children in spring; 40 places x 50 h / 50 = 40 places each.
    assert first["children"].tolist() == [160.0] * 16
    assert first["supply_places"].tolist() == [40.0] * 16
    assert set(first["ward_name"]) == set(wards["WD13NM"])


def test_southampton_postcode_only_return_through_an_imported_directory(tmp_path):
    # An ONSPD-shaped directory (its header's first columns and lat, long) with one postcode at
    # a point inside each real ward and one in Manchester; the same providers given by
    # postcode and by latitude and longitude must give the same supply in every ward.
    from click.testing import CliRunner

    from sufficiency.cli.main import cli

    wards = gpd.read_file(SOUTHAMPTON)
    points = wards.to_crs(27700).representative_point().to_crs(4326)
    codes = sorted(wards["WD13CD"])
    directory = tmp_path / "ONSPD_UK.csv"
    lines = ["pcd,pcd2,pcds,dointr,doterm,oslaua,osward,oseast1m,osnrth1m,lat,long,lsoa11,lsoa21"]
    for i, p in enumerate(points):
        lines.append(
            f"SO1{i:02d}AA,SO1{i:02d} AA,SO1{i:02d} 0AA,199801,,E06000045,,,,{p.y},{p.x},,"
        )
    lines.append("M1  1AE,M1   1AE,M1 1AE,199801,,E08000003,,,,53.47,-2.23,,")
    directory.write_text("\n".join(lines) + "\n")
    rows_pc, rows_xy = [], []
    for i, p in enumerate(points):
        common = {"urn": f"EY{100000 + i}", "staff_total": 5, "places_2": 10 + i}
        rows_pc.append(provider(postcode=f"so1{i:02d}0aa", **common))
        rows_xy.append(provider(latitude=p.y, longitude=p.x, **common))
    results = {}
    for name, rows in [("pc", rows_pc), ("xy", rows_xy)]:
        folder = tmp_path / name
        folder.mkdir()
        (folder / "wards.geojson").write_bytes(SOUTHAMPTON.read_bytes())
        monthly_births(codes, 10.0).to_csv(folder / "births.csv", index=False)
        pd.DataFrame(rows).to_csv(folder / "returns-2026-autumn.csv", index=False)
        if name == "pc":
            done = CliRunner().invoke(
                cli, ["import", "postcodes", str(directory), "--area", str(folder)]
            )
            assert done.exit_code == 0, done.output
            assert "Kept 16 in the area's wards" in done.output
            assert "Dropped 1 outside" in done.output
        results[name] = sufficiency.assess(folder)
    assert set(results["pc"].area.returns["located_by"]) == {"postcode"}
    pd.testing.assert_series_equal(
        results["pc"].gap["supply_places"], results["xy"].gap["supply_places"]
    )
    assert results["pc"].gap["supply_places"].sum() > 0


ENGLAND = SHARED / "realdata" / "england" / "wards.gpkg"


@pytest.mark.slow
@pytest.mark.skipif(not ENGLAND.exists(), reason="../shared/realdata/england is not here")
def test_the_exact_overlap_check_on_all_of_englands_wards():
    # The 7,681 real (generalised) wards pass: the exact check finds their slivers far below
    # 0.5% of a ward (no false alarm). The case, one ward buffered by 1.5 km, is
    # refused naming it. (The old point check for more than 2,000 wards also caught this one,
    # since neighbours' points fall inside it; test_bad_inputs has a case it missed.)
    from sufficiency import geography
    from sufficiency.errors import InputError

    wards = gpd.read_file(ENGLAND).to_crs(27700)
    wards = gpd.GeoDataFrame(
        {"ward_code": wards["WD13CD"], "ward_name": wards["WD13NM"]},
        geometry=wards.geometry.make_valid().values,
        crs=27700,
    ).sort_values("ward_code", ignore_index=True)
    geography.refuse_overlaps(wards, ENGLAND)  # no error
    grown = wards.copy()
    grown.loc[100, "geometry"] = grown.geometry[100].buffer(1500)
    code = grown["ward_code"][100]
    with pytest.raises(InputError, match=rf"{code} .*overlap by|overlap by .*{code}"):
        geography.refuse_overlaps(grown, ENGLAND)


def _southampton_with_small_areas(tmp_path):
    """Southampton's 16 wards and 148 LSOAs (as small areas, no population: evenly), 10 births
    a month in each ward, a 40-place nursery for 3-4s at a point inside each ward and a second
    of 20 places in the first two wards."""
    folder = tmp_path / "southampton"
    folder.mkdir()
    (folder / "wards.geojson").write_bytes(SOUTHAMPTON.read_bytes())
    (folder / "small_areas.geojson").write_bytes((SOUTHAMPTON.parent / "lsoa.geojson").read_bytes())
    wards = gpd.read_file(SOUTHAMPTON)
    monthly_births(sorted(wards["WD13CD"]), 10.0).to_csv(folder / "births.csv", index=False)
    points = wards.to_crs(27700).representative_point()
    rows = [
        provider(urn=f"EY{100000 + i}", easting=p.x, northing=p.y, staff_total=5)
        for i, p in enumerate(points)
    ]
    rows += [
        provider(
            urn=f"EY{200000 + i}",
            easting=points.iloc[i].x + 50,
            northing=points.iloc[i].y,
            places_3_4=20,
            staff_total=5,
        )
        for i in range(2)
    ]
    pd.DataFrame(rows).to_csv(folder / "returns-2026-autumn.csv", index=False)
    return folder, wards


def test_southampton_resilience_and_plan(tmp_path):
    folder, wards = _southampton_with_small_areas(tmp_path)
    result = sufficiency.resilience(folder)
    table = result.table.set_index("urn")
    gap = result.assessment.gap
    assert len(table) == 18
    # 14 wards have one setting for 3-4s (the first two have two).
    single = result.single_settings
    assert len(single) == 14 and set(single["age_group"]) == {"3_4"}
    # Within the ward, by hand from the gap table's demand d_t: closing a ward's only
    # 40-place nursery adds sum over terms of max(0, d_t) - max(0, d_t - 0.9 x 40).
    code = wards["WD13CD"].iloc[5]
    d = gap[(gap["ward_code"] == code) & (gap["age_group"] == "3_4")]["demand_places"]
    expected = (np.maximum(0, d) - np.maximum(0, d - 36.0)).sum()
    assert table.loc["EY100005", "deficit_places_added"] == pytest.approx(expected)

    # Across catchments, against re-running without the setting: the deficit on that basis
    # (0.9 x accessible places - demand) rises by the figure in the table.
    def across(frame):
        accessible = frame["accessible_places_per_100"] * frame["children"] / 100
        return float(np.maximum(0, -(0.9 * accessible - frame["demand_places"])).sum())

    returns = pd.read_csv(folder / "returns-2026-autumn.csv")
    returns[returns["urn"] != "EY200000"].to_csv(folder / "returns-2026-autumn.csv", index=False)
    without = sufficiency.assess(folder).gap
    returns.to_csv(folder / "returns-2026-autumn.csv", index=False)
    assert table.loc["EY200000", "deficit_places_added_access"] == pytest.approx(
        across(without) - across(gap)
    )

    # Candidate sites by latitude and longitude, placed in wards by point in polygon.
    inner = wards.to_crs(27700).representative_point().to_crs(4326)
    sites = tmp_path / "sites.csv"
    pd.DataFrame(
        {
            "site_id": ["S1", "S2", "S3"],
            "latitude": [inner.iloc[i].y for i in (3, 8, 12)],
            "longitude": [inner.iloc[i].x for i in (3, 8, 12)],
            "capacity": [30, 30, 30],
        }
    ).to_csv(sites, index=False)
    planned = sufficiency.plan(folder, places=45, candidates=sites, age_groups=["3_4"])
    placed = planned.table.drop_duplicates("site_id").set_index("site_id")["ward_code"]
    assert placed.to_dict() == {
        f"S{k + 1}": wards["WD13CD"].iloc[i] for k, i in enumerate((3, 8, 12))
    }
    assert planned.basis == "catchment"
    assert planned.places_added <= 45
    assert planned.deficit_left <= planned.greedy_left + 1e-9
    assert planned.deficit_left < planned.deficit_before
