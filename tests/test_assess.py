"""The Assessment: what a run keeps of its area and the model's arrays, for every reader."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
from conftest import inside, provider, write_area

import sufficiency
from sufficiency.assess import RunArea
from sufficiency.gap import long_table

CODES = ("E05000001", "E05000002", "E05000003")


def _three_wards(tmp_path, returns=None):
    """Three 1 km wards in a row; settings in the first and third; everyone in ward 2 attends
    in ward 1 (flows.csv)."""
    rows = [
        provider(urn="EY000001", easting=inside(0)[0], northing=inside(0)[1], places_3_4=30),
        provider(urn="EY000002", easting=inside(2)[0], northing=inside(2)[1], places_3_4=25),
    ]
    flows = pd.DataFrame(
        {"home_ward_code": ["E05000002"], "setting_ward_code": ["E05000001"], "share": [1.0]}
    )
    return write_area(
        tmp_path / "area",
        codes=CODES,
        returns=returns or {"2026-autumn": rows},
        extra={"flows.csv": flows},
    )


def test_the_run_keeps_what_its_readers_need_of_the_area(tmp_path):
    result = sufficiency.assess(_three_wards(tmp_path))
    place = result.place
    assert isinstance(place, RunArea)
    assert place.ward_codes.tolist() == list(CODES)
    assert place.wards["ward_name"].tolist() == [
        "Ward E05000001",
        "Ward E05000002",
        "Ward E05000003",
    ]
    assert place.births_years == (2016, 2025)  # conftest.monthly_births: 2016 to 2025
    assert place.wards_files == ("wards.geojson",)
    assert place.housing is None and place.small_areas is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        place.name = "elsewhere"  # type: ignore[misc]


def test_the_model_arrays_are_the_gap_tables_columns(tmp_path):
    result = sufficiency.assess(_three_wards(tmp_path))
    wards = result.place.ward_codes
    arrays = {
        "children": result.children,
        "demand_places": result.demand_places,
        "supply_places": result.supply_places,
        "demand_places_flows": result.demand_places_flows,
        "gap_places_flows": result.gap_places_flows,
    }
    assert all(a is not None and a.shape == (3, len(result.terms), 3) for a in arrays.values())
    table = long_table(result.terms, wards, arrays)
    for column in arrays:
        assert table[column].tolist() == result.gap[column].tolist(), column
    # Ward 2's children all attend in ward 1: demand where met is ward 1's and ward 2's in
    # ward 1, none in ward 2, ward 3's own in ward 3.
    demand, moved = result.demand_places, result.demand_places_flows
    assert moved is not None
    assert moved[0] == pytest.approx(demand[0] + demand[1])
    assert (moved[1] == 0).all()
    assert moved[2] == pytest.approx(demand[2])
    # 3-4s' supply: 30 places in ward 1, 25 in ward 3 (at the run's hours a place); the gap
    # where children attend is utilisation x supply - demand where met.
    u = result.parameters.utilisation
    assert result.gap_places_flows == pytest.approx(u * result.supply_places - moved)


def test_the_accessible_places_are_the_places_in_reach(tmp_path):
    # Every ward's children reach both settings (wards 1 km wide, catchments of 2 km or more
    # for 3-4s): over the wards the accessible places add up to all the places, 30 + 25 = 55
    # 3-4 places a term in the run's units, and the per-100 column is 100 x them / children.
    result = sufficiency.assess(_three_wards(tmp_path))
    accessible = result.accessible_places
    assert accessible is not None
    totals = accessible[:, :, 2].sum(axis=0)
    assert totals == pytest.approx(result.supply_places[:, :, 2].sum(axis=0))
    per_100 = long_table(
        result.terms, result.place.ward_codes, {"x": 100 * accessible / result.children}
    )["x"]
    assert per_100.to_numpy() == pytest.approx(result.gap["accessible_places_per_100"].to_numpy())


def test_without_accessibility_no_cross_boundary_arrays(tmp_path):
    result = sufficiency.assess(_three_wards(tmp_path), accessibility=False)
    assert result.accessible_places is None
    assert result.demand_places_flows is None and result.gap_places_flows is None


def test_the_area_alias_is_the_area_read_and_read_only(tmp_path):
    result = sufficiency.assess(_three_wards(tmp_path))
    assert result.area is not None
    assert result.area.name == result.place.name
    assert result.area.wards is result.place.wards
    with pytest.raises(AttributeError):
        result.area = None  # type: ignore[misc]


def test_funded_children_reported_are_kept_for_the_draws(tmp_path):
    # Two 3-4 providers with 12 and 7 universal funded children in the 2026-autumn returns.
    x0, y0 = inside(0)
    rows = [
        provider(urn="EY000001", easting=x0, northing=y0, funded_3_4_universal=12),
        provider(urn="EY000002", easting=x0, northing=y0, funded_3_4_universal=7),
    ]
    result = sufficiency.assess(write_area(tmp_path / "a", returns={"2026-autumn": rows}))
    assert result.funded_reported["universal_3_4"] == 19.0


def test_workforce_is_the_city_wide_staff_by_term(tmp_path):
    # One setting: 5 staff in the spring return, 7 in the summer's: the city-wide staff in
    # post by term are 5 and 7; one term of returns has no trend.
    x, y = inside(0)
    one = sufficiency.assess(write_area(tmp_path / "one"))
    assert one.workforce() is None
    returns = {
        "2026-spring": [provider(easting=x, northing=y, staff_total=5)],
        "2026-summer": [provider(easting=x, northing=y, staff_total=7)],
    }
    two = sufficiency.assess(write_area(tmp_path / "two", returns=returns))
    city = two.workforce()
    assert city is not None
    assert city["term"].astype(str).tolist() == ["2026-spring", "2026-summer"]
    assert city["staff_total"].tolist() == [5.0, 7.0]
    assert two.workforce() is city  # worked out once
