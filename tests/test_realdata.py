"""Real ward boundaries (../shared/realdata): ONS field names, WGS84, point in polygon.

Skips with a reason where ../shared is absent (it is never copied into the project).
"""

from __future__ import annotations

import geopandas as gpd
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
