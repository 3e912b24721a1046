"""Accessibility columns: settings, small areas, providers' places and hand-worked 2SFCA cases."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from conftest import ORIGIN_X, ORIGIN_Y, inside, provider, ward_polygons, write_area
from shapely.geometry import box

from sufficiency import access, supply
from sufficiency.area import load_area
from sufficiency.assess import assess
from sufficiency.catchment import (
    COLUMNS,
    CatchmentSettings,
    accessibility,
    accessibility_columns,
    default_settings,
    demand_points,
    place_shares,
)
from sufficiency.errors import InputError, ParameterError
from sufficiency.geography import read_small_areas
from sufficiency.supply import ProviderSupply, provider_supply
from sufficiency.terms import AGE_GROUPS, Term

CODES = ["E05000001", "E05000002"]
TERMS = [Term.parse("2027-spring"), Term.parse("2027-summer")]
PLAIN = CatchmentSettings({"under2": 600.0, "2": 600.0, "3_4": 600.0}, decay="none")


def wards(codes: list[str] = CODES) -> gpd.GeoDataFrame:
    return ward_polygons(codes)


def one_provider(ward_number: int, places: float, n_terms: int = 2) -> ProviderSupply:
    """A provider at the middle of a ward, with ``places`` for 3-4s in every term."""
    x, y = inside(ward_number)
    per_term = np.zeros((1, n_terms, 3))
    per_term[0, :, 2] = places
    return ProviderSupply(
        np.array(["EY000001"], dtype=object),
        np.array([CODES[ward_number]], dtype=object),
        np.array([[x, y]]),
        per_term,
    )


def children(per_ward: list[float], n_terms: int = 2) -> np.ndarray:
    out = np.zeros((len(per_ward), n_terms, 3))
    out[:, :, 2] = np.array(per_ward)[:, None]
    return out


# --- Settings ---------------------------------------------------------------------------------


def test_default_settings_come_from_the_data_file():
    settings = default_settings()
    assert settings.catchment == {"under2": 2000.0, "2": 3000.0, "3_4": 3000.0}
    assert settings.decay == "gaussian"
    assert settings.sigma_share == 0.5
    # Gaussian of sigma = half the catchment: 0.135 at the edge.
    weight = settings.decay_for("under2")(np.array([0.0, 2000.0]))
    np.testing.assert_allclose(weight, [1.0, np.exp(-2.0)])


def test_step_and_none_decays():
    settings = CatchmentSettings.from_values({"3_4": 3000, "decay": "step"})
    # Thirds of 3 km: 1 up to 1 km, 0.68 to 2 km, 0.22 to 3 km.
    weight = settings.decay_for("3_4")(np.array([1000.0, 1000.1, 2000.0, 2999.0]))
    np.testing.assert_allclose(weight, [1.0, 0.68, 0.68, 0.22])
    assert CatchmentSettings.from_values({"decay": "none"}).decay_for("2") is None


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"decay": "linear"}, "decay must be one of gaussian, step, none"),
        ({"under2": 0}, "catchment.under2 must be a distance"),
        ({"2": "far"}, "catchment.2 must be a distance"),
        ({"sigma_share": -1}, "sigma_share must be above 0"),
        ({"walk": 1}, "unknown key 'walk'"),
    ],
)
def test_impossible_settings_are_errors(values, message):
    with pytest.raises(ParameterError, match=message):
        CatchmentSettings.from_values(values, source="my.toml")


# --- Small areas and demand points ------------------------------------------------------------


def small_area_file(path: Path, *, population: list[float] | None = None, field="LSOA21CD"):
    """Four 500 m x 1 km small areas: two in each of the two wards, and one outside them all."""
    shapes = [
        box(ORIGIN_X + 500 * i, ORIGIN_Y, ORIGIN_X + 500 * (i + 1), ORIGIN_Y + 1000)
        for i in range(4)
    ] + [box(ORIGIN_X - 5000, ORIGIN_Y, ORIGIN_X - 4000, ORIGIN_Y + 1000)]
    table = {field: [f"E0100000{i}" for i in range(5)]}
    if population is not None:
        table["population"] = population
    gpd.GeoDataFrame(table, geometry=shapes, crs="EPSG:27700").to_crs(4326).to_file(
        path, driver="GeoJSON"
    )
    return path


def test_small_areas_go_to_the_ward_holding_them(tmp_path: Path):
    path = small_area_file(tmp_path / "small_areas.geojson", population=[10, 30, 0, 0, 5])
    table = read_small_areas(path, wards())
    assert table["area_code"].tolist() == [f"E0100000{i}" for i in range(4)]  # 5th outside
    assert table["ward_code"].tolist() == ["E05000001"] * 2 + ["E05000002"] * 2
    np.testing.assert_allclose(table["x"], ORIGIN_X + np.array([250, 750, 1250, 1750]), atol=0.01)
    points = demand_points(wards(), table)
    # Ward 1 by population (10, 30); ward 2's areas add up to 0: evenly.
    assert points.weight.tolist() == [0.25, 0.75, 0.5, 0.5]
    assert points.from_small_areas.tolist() == [True, True]


def test_small_areas_without_population_share_evenly(tmp_path: Path):
    path = small_area_file(tmp_path / "small_areas.geojson", field="OA21CD")
    table = read_small_areas(path, wards(["E05000001"]))
    assert table["population"].isna().all()
    points = demand_points(wards(["E05000001", "E05000002"]), table)
    # Ward 2 gets no small area here (its file had the other ward): its centroid, weight 1.
    assert points.weight.tolist() == [0.5, 0.5, 1.0]
    np.testing.assert_allclose(points.xy[-1], [ORIGIN_X + 1500, ORIGIN_Y + 500])
    assert points.from_small_areas.tolist() == [True, False]


def test_small_area_file_errors(tmp_path: Path):
    with pytest.raises(InputError, match="no small-area code field"):
        read_small_areas(small_area_file(tmp_path / "a.geojson", field="name"), wards())
    with pytest.raises(InputError, match="population must be a number") as error:
        read_small_areas(
            small_area_file(tmp_path / "b.geojson", population=[1, -2, 3, 4, 5]), wards()
        )
    assert error.value.row == 3
    with pytest.raises(InputError, match="file not found"):
        read_small_areas(tmp_path / "none.gpkg", wards())


# --- Hand-worked accessibility ----------------------------------------------------------------


def test_no_crossing_gives_the_within_ward_places_per_100_and_0_out_of_reach():
    # Centroids 1 km apart, catchment 600 m: the provider's 40 places serve ward 1's 80
    # children only (50 per 100); ward 2 reaches nothing: 0, not empty.
    table = accessibility_columns(
        wards(), TERMS, children([80.0, 20.0]), one_provider(0, 40.0), PLAIN
    )
    three_four = table[table["age_group"] == "3_4"]
    assert three_four["accessible_places_per_100"].tolist() == [50.0, 0.0, 50.0, 0.0]
    assert three_four["accessible_places"].tolist() == [40.0, 0.0, 40.0, 0.0]
    assert table.columns.tolist() == [
        "term",
        "ward_code",
        "age_group",
        *COLUMNS,
        "accessible_places",
    ]
    assert set(table["accessibility_from"]) == {"ward_centroid"}
    assert (table["demand_points"] == 1).all()
    # No places for under-2s anywhere: 0 accessible places.
    assert (table.loc[table["age_group"] == "under2", "accessible_places_per_100"] == 0).all()


def test_a_catchment_over_both_wards_pools_their_places():
    # Catchment 1.5 km, no decay: both wards' 100 children share the 40 places: 40 per 100
    # everywhere; ward 1 holds 80 of the children, so 32 of the places, ward 2 holds 8.
    settings = CatchmentSettings({"under2": 1500.0, "2": 1500.0, "3_4": 1500.0}, "none")
    table = accessibility_columns(
        wards(), TERMS[:1], children([80.0, 20.0], 1), one_provider(0, 40.0, 1), settings
    )
    three_four = table[table["age_group"] == "3_4"]
    assert three_four["accessible_places_per_100"].tolist() == pytest.approx([40.0, 40.0])
    assert three_four["accessible_places"].tolist() == pytest.approx([32.0, 8.0])


def test_gaussian_decay_by_hand():
    # Catchment 1.5 km, sigma 750 m: ward 2's centroid is 1 km from the provider, weight
    # w = exp(-1000² / (2 x 750²)) = exp(-8/9). Step 1: R = 40 / (80 + 20 w). Step 2: ward 1
    # gets R, ward 2 gets R w.
    settings = CatchmentSettings({"under2": 1500.0, "2": 1500.0, "3_4": 1500.0}, "gaussian")
    table = accessibility_columns(
        wards(), TERMS[:1], children([80.0, 20.0], 1), one_provider(0, 40.0, 1), settings
    )
    w = np.exp(-8 / 9)
    ratio = 40 / (80 + 20 * w)
    three_four = table[table["age_group"] == "3_4"]
    np.testing.assert_allclose(
        three_four["accessible_places_per_100"], [100 * ratio, 100 * ratio * w]
    )
    # Places are shared out, not multiplied: the wards' shares add up to the 40 places.
    assert three_four["accessible_places"].sum() == pytest.approx(40.0)


def test_ward_with_no_children_gets_what_a_child_there_would_find():
    settings = CatchmentSettings({"under2": 1500.0, "2": 1500.0, "3_4": 1500.0}, "none")
    table = accessibility_columns(
        wards(), TERMS[:1], children([80.0, 0.0], 1), one_provider(0, 40.0, 1), settings
    )
    three_four = table[table["age_group"] == "3_4"]
    assert three_four["accessible_places_per_100"].tolist() == [50.0, 50.0]
    assert three_four["accessible_places"].tolist() == [40.0, 0.0]


def test_ward_values_by_hand():
    # Three wards; W1 has two small areas, W2 and W3 none (their centroids stand in):
    #
    #   b (4 children)   a (6)   P (20 places)   W2 centroid (30)   Q (6 places)
    #   x = -2000        x = 0   x = 1000        x = 3000           x = 5000
    #
    # and W3's centroid (no children) at (1000, 100). Plain 2SFCA, 2,500 m catchment.
    # P is reached by a (6), W2 (30) and W3 (0): R_P = 20 / 36 = 5/9; Q by W2 only: 6/30 = 0.2.
    # a = 5/9, b = 0; W2 = 5/9 + 0.2; W3 = 5/9.
    # W1: (6 x 5/9 + 4 x 0) / 10 = 1/3 -> 33.3 per 100 children.
    # W2: 5/9 + 0.2 -> 75.6. W3 has no children: the plain mean of its points, 5/9 -> 55.6.
    codes = ["E05000001", "E05000002", "E05000003"]
    centres = [(0.0, 0.0), (3000.0, 0.0), (1000.0, 100.0)]
    geo = gpd.GeoDataFrame(
        {"ward_code": codes},
        geometry=[box(x - 10, y - 10, x + 10, y + 10) for x, y in centres],
        crs=27700,
    )
    small = pd.DataFrame(
        {
            "ward_code": ["E05000001", "E05000001"],
            "x": [0.0, -2000.0],
            "y": [0.0, 0.0],
            "population": [6.0, 4.0],
        }
    )
    kids = np.repeat(np.array([10.0, 30.0, 0.0])[:, None, None], 3, axis=2)
    places = np.repeat(np.array([20.0, 6.0])[:, None, None], 3, axis=2)
    providers = ProviderSupply(
        np.array(["P", "Q"], dtype=object),
        np.full(2, None),
        np.array([[1000.0, 0], [5000, 0]]),
        places,
    )
    settings = CatchmentSettings(dict.fromkeys(AGE_GROUPS, 2500.0), "none")
    table = accessibility_columns(geo, TERMS[:1], kids, providers, settings, small_areas=small)
    for group in AGE_GROUPS:
        ours = table[table["age_group"] == group]
        assert ours["ward_code"].tolist() == codes
        assert ours["accessibility_from"].tolist() == [
            "small_areas",
            "ward_centroid",
            "ward_centroid",
        ]
        assert ours["demand_points"].tolist() == [2, 1, 1]
        np.testing.assert_allclose(
            ours["accessible_places_per_100"], [100 / 3, 100 * (5 / 9 + 0.2), 500 / 9]
        )
        np.testing.assert_allclose(ours["accessible_places"], [10 / 3, 30 * (5 / 9 + 0.2), 0.0])
        # Both providers have children in reach, so the wards share out all 26 places.
        assert ours["accessible_places"].sum() == pytest.approx(26.0)


def test_agrees_with_the_point_level_2sfca_on_a_random_case():
    # Ten wards in a row, 30 small areas, 25 providers, Gaussian decay: each ward's value is the
    # children-weighted mean of access.two_step_fca at its points (which is cross-checked
    # against PySAL access), the plain mean where the ward has no children.
    rng = np.random.default_rng(11)
    codes = [f"E05{i:06d}" for i in range(10)]
    geo = ward_polygons(codes)
    small = pd.DataFrame(
        {
            "ward_code": np.array(codes)[np.r_[np.arange(8), rng.integers(0, 8, 22)]],
            "population": rng.uniform(0, 50, 30),
        }
    )
    ward_number = np.array([codes.index(c) for c in small["ward_code"]])
    small["x"] = ORIGIN_X + 1000 * ward_number + rng.uniform(0, 1000, 30)
    small["y"] = ORIGIN_Y + rng.uniform(0, 1000, 30)
    xy = np.column_stack(
        [ORIGIN_X + rng.uniform(0, 10_000, 25), ORIGIN_Y + rng.uniform(0, 1000, 25)]
    )
    places = rng.uniform(0, 30, (25, 1, 3))
    kids = rng.uniform(0, 100, (10, 1, 3))
    kids[9] = 0.0  # a ward without children (and without small areas: its centroid)
    providers = ProviderSupply(np.arange(25).astype(object), np.full(25, None), xy, places)
    settings = CatchmentSettings({"under2": 1200.0, "2": 2000.0, "3_4": 2500.0}, "gaussian")
    table = accessibility_columns(geo, TERMS[:1], kids, providers, settings, small_areas=small)
    points = demand_points(geo, small)
    for g, group in enumerate(AGE_GROUPS):
        point_children = kids[points.ward, 0, g] * points.weight
        per_child = access.two_step_fca(
            points.xy,
            point_children,
            xy,
            places[:, 0, g],
            settings.catchment[group],
            partial(access.gaussian, sigma=settings.catchment[group] / 2),
        )
        accessible = np.bincount(points.ward, weights=point_children * per_child, minlength=10)
        children_in = np.bincount(points.ward, weights=point_children, minlength=10)
        plain = np.bincount(points.ward, weights=per_child, minlength=10) / points.per_ward(10)
        expected = np.divide(accessible, children_in, out=plain, where=children_in > 0)
        ours = table[table["age_group"] == group]
        np.testing.assert_allclose(ours["accessible_places_per_100"], 100 * expected, rtol=1e-12)
        np.testing.assert_allclose(ours["accessible_places"], accessible, rtol=1e-12, atol=1e-12)
        assert ours["demand_points"].tolist() == points.per_ward(10).tolist()


def test_place_shares_by_hand():
    # Wards 1 km wide; one child each at the centres (500, 1500, 2500 m east); catchment 1.2 km,
    # no decay: a site at ward 1's centre reaches all three (1/3 each), one at ward 0's centre
    # reaches wards 0 and 1 (1/2 each); with 30 children in ward 2 instead: 1/32, 1/32, 30/32.
    geo = ward_polygons(["A", "B", "C"])
    settings = CatchmentSettings(dict.fromkeys(AGE_GROUPS, 1200.0), "none")
    sites = np.array([inside(1), inside(0)])
    kids = np.ones((3, 2, 3))
    kids[2, 1] = 30.0
    shares = place_shares(geo, TERMS, kids, sites, settings)
    first, second = (m.toarray() for m in shares["2"])
    np.testing.assert_allclose(first, [[1 / 3, 1 / 2], [1 / 3, 1 / 2], [1 / 3, 0]])
    np.testing.assert_allclose(second, [[1 / 32, 1 / 2], [1 / 32, 1 / 2], [30 / 32, 0]])


def test_place_shares_times_places_are_the_accessible_places():
    # The same random case as above, two terms: Σ_j S_j M[w, j] is accessibility()'s
    # accessible_places for every ward, term and age group (one 2SFCA, not a second one).
    rng = np.random.default_rng(5)
    codes = [f"E05{i:06d}" for i in range(10)]
    geo = ward_polygons(codes)
    small = pd.DataFrame({"ward_code": np.array(codes)[rng.integers(0, 10, 30)]})
    ward_number = np.array([codes.index(c) for c in small["ward_code"]])
    small["x"] = ORIGIN_X + 1000 * ward_number + rng.uniform(0, 1000, 30)
    small["y"] = ORIGIN_Y + rng.uniform(0, 1000, 30)
    small["population"] = rng.uniform(0, 50, 30)
    xy = np.column_stack(
        [ORIGIN_X + rng.uniform(0, 10_000, 25), ORIGIN_Y + rng.uniform(0, 1000, 25)]
    )
    places = rng.uniform(0, 30, (25, 2, 3))
    kids = rng.uniform(0, 100, (10, 2, 3))
    providers = ProviderSupply(np.arange(25).astype(object), np.full(25, None), xy, places)
    settings = CatchmentSettings({"under2": 1200.0, "2": 2000.0, "3_4": 2500.0}, "gaussian")
    expected = accessibility(geo, TERMS, kids, providers, settings, small_areas=small)
    shares = place_shares(geo, TERMS, kids, xy, settings, small_areas=small)
    for g, group in enumerate(AGE_GROUPS):
        for t in range(2):
            np.testing.assert_allclose(
                shares[group][t] @ places[:, t, g],
                expected["accessible_places"][:, t, g],
                rtol=1e-12,
            )


def test_shape_mismatch_is_an_error():
    with pytest.raises(ValueError, match="children must be"):
        accessibility_columns(wards(), TERMS, children([1.0]), one_provider(0, 1.0), PLAIN)


# --- From an area: providers' places and the gap table ----------------------------------------


def area_with_events(tmp_path: Path) -> Path:
    x0, y0 = inside(0)
    x1, y1 = inside(1)
    rows = [
        provider(urn="EY000001", easting=x0, northing=y0),
        provider(urn="EY000002", easting=x1, northing=y1, places_3_4=20, staff_total=2),
        provider(
            urn="EY000003",
            easting=x1,
            northing=y1,
            status="closing",
            status_date="2027-03-15",
            places_2=10,
            staff_total=7,  # 10 / 5 + 40 / 8 = 7 needed
        ),
        provider(
            urn="EY000004",
            ward_code="E05000002",
            status="new",
            status_date="2027-09-01",
            places_under2=9,
            staff_total="",
        ),
        provider(
            urn="EY000005",
            easting=x0,
            northing=y0,
            planned_places_change=12,
            planned_change_date="2027-01-01",
            staff_total=7,  # 52 / 8 = 6.5 needed
        ),
    ]
    return write_area(tmp_path / "area", returns={"2026-autumn": rows})


def test_providers_add_up_to_the_wards_supply(tmp_path: Path):
    area = load_area(area_with_events(tmp_path))
    terms = [Term.parse(t) for t in ["2026-autumn", "2027-spring", "2027-summer", "2027-autumn"]]
    providers = provider_supply(area.returns, terms, 50.0)
    by_ward = supply.supply_places(area.returns, area.ward_codes, terms, 50.0)
    summed = np.zeros_like(by_ward)
    np.add.at(summed, area.ward_codes.get_indexer(providers.ward_code), providers.places)
    np.testing.assert_array_equal(summed, by_ward)
    np.testing.assert_array_equal(providers.by_ward(area.ward_codes), by_ward)
    assert sorted(providers.urn) == [f"EY00000{i}" for i in range(1, 6)]
    places = dict(zip(providers.urn, providers.places, strict=True))
    assert places["EY000003"][:, 1].tolist() == [10.0, 10.0, 0.0, 0.0]  # closes 15 March 2027
    assert places["EY000004"][:, 0].tolist() == [0.0, 0.0, 0.0, 9.0]  # opens September 2027
    assert places["EY000005"][:, 2].tolist() == [40.0, 52.0, 52.0, 52.0]  # +12 from January
    assert places["EY000002"][:, 2].tolist() == [16.0] * 4  # 2 staff cover 16 of 20 places


def test_columns_line_up_with_the_gap_table(tmp_path: Path):
    area = load_area(area_with_events(tmp_path))
    result = assess(area)
    children_by_term = _children(result)
    providers = provider_supply(area.returns, result.terms, 50.0)
    table = accessibility_columns(area.wards, result.terms, children_by_term, providers)
    keys = ["term", "ward_code", "age_group"]
    pd.testing.assert_frame_equal(table[keys], result.gap[keys].reset_index(drop=True))
    # A catchment too small to cross a ward line gives back the within-ward places per 100.
    table = accessibility_columns(area.wards, result.terms, children_by_term, providers, PLAIN)
    np.testing.assert_allclose(
        table["accessible_places_per_100"],
        result.gap["places_per_100"].fillna(0.0),
        rtol=1e-12,
    )


def _children(result) -> np.ndarray:
    """The gap table's children back as (wards, terms, 3)."""
    n_terms, n_wards = len(result.terms), result.gap["ward_code"].nunique()
    return result.gap["children"].to_numpy(float).reshape(n_terms, n_wards, 3).transpose(1, 0, 2)
