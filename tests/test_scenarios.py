"""Scenario files: each event checked by hand on a tiny area, and every mistake one clear error.

The area (``conftest.write_area``): square wards E05000001 and E05000002, 10 births a month in
each, providers of 40 places for 3-4s open 10 hours a day, 5 days a week (so 40 supply places at
50 hours a place) with 5 staff. The latest return is 2025-summer, so the run is 2025-autumn to
2028-summer.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import inside, provider, write_area

from sufficiency import Parameters, assess
from sufficiency.area import load_area
from sufficiency.errors import ParameterError
from sufficiency.scenarios import apply, parse_scenario, read_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def located(ward: int, **changes) -> dict:
    x, y = inside(ward)
    return provider(easting=x, northing=y, **changes)


@pytest.fixture
def area(tmp_path):
    folder = write_area(
        tmp_path / "area",
        returns={
            "2025-summer": [
                located(0),
                located(
                    1, urn="EY100002", places_2=10, places_3_4=30, staff_total=6, staff_vacancies=1
                ),
            ]
        },
    )
    return load_area(folder)


def run(area, events: dict, name: str = "test"):
    scenario = parse_scenario({"name": name, "description": "a test", **events}, source="test.toml")
    applied = apply(scenario, area, Parameters.defaults())
    return assess(applied.area, applied.parameters, scenario=name, rules=applied.rules)


def cell(result, term: str, ward: str, group: str, column: str = "supply_places") -> float:
    gap = result.gap
    row = gap[(gap["term"] == term) & (gap["ward_code"] == ward) & (gap["age_group"] == group)]
    return float(row[column].iloc[0])


def test_closure_by_urn_removes_its_places_from_that_term_on_and_not_before(area):
    base = assess(area)
    closed = run(area, {"closures": [{"urn": "EY100001", "from": "2026-spring"}]})
    # 40 places x 10 h x 5 d / 50 h a place = 40 supply places, until the closure.
    assert cell(closed, "2025-autumn", "E05000001", "3_4") == pytest.approx(40)
    for term in ["2026-spring", "2026-summer", "2028-summer"]:
        assert cell(closed, term, "E05000001", "3_4") == 0
        # The gap falls by exactly 40 x utilisation 0.9 = 36 places.
        assert cell(base, term, "E05000001", "3_4", "gap_places") - cell(
            closed, term, "E05000001", "3_4", "gap_places"
        ) == pytest.approx(36)
    # Nothing else moves: the other ward keeps its 30.
    assert cell(closed, "2026-spring", "E05000002", "3_4") == pytest.approx(30)
    assert closed.gap["scenario"].unique().tolist() == ["test"]


def test_a_date_inside_a_term_counts_from_the_next_term(area):
    closed = run(area, {"closures": [{"urn": "EY100001", "from": "2026-02-15"}]})
    assert cell(closed, "2026-spring", "E05000001", "3_4") == pytest.approx(40)
    assert cell(closed, "2026-summer", "E05000001", "3_4") == 0


def test_closures_by_share_are_reproducible_and_round_half_up(tmp_path):
    # Ten open day nurseries; 25% of 10 = 2.5, rounded half up: 3 close.
    rows = [located(i % 2, urn=f"EY2000{i:02d}") for i in range(10)]
    area = load_area(write_area(tmp_path / "a", returns={"2025-summer": rows}))
    events = {
        "seed": 7,
        "closures": [{"provider_type": "day_nursery", "share": 0.25, "from": "first+1"}],
    }
    first = run(area, events)
    again = run(area, events)
    pd.testing.assert_frame_equal(first.gap, again.gap)
    total = first.gap.groupby("term", sort=False)["supply_places"].sum()
    assert total["2025-autumn"] == pytest.approx(400)
    assert total["2026-spring"] == pytest.approx(280)  # 7 of 10 left, 40 places each
    # A second wave never picks a provider already closed: 3 + round(0.5 x 7 = 3.5) = 4 more.
    two = run(
        area,
        {
            "closures": [
                {"provider_type": "day_nursery", "share": 0.25, "from": "first+1"},
                {"provider_type": ["day_nursery"], "share": 0.5, "from": "first+2"},
            ]
        },
    )
    total = two.gap.groupby("term", sort=False)["supply_places"].sum()
    assert total["2026-summer"] == pytest.approx(120)


def test_new_setting_by_location_and_an_expansion_split_like_its_places(area):
    result = run(
        area,
        {
            "openings": [
                {
                    "name": "Oak Tree",
                    "easting": inside(1)[0],
                    "northing": inside(1)[1],
                    "places_2": 10,
                    "places_under2": 6,
                    "from": "2026-summer",
                }
            ],
            # EY100002 offers 10 places for 2s and 30 for 3-4s: 8 more split 2 and 6.
            "expansions": [{"urn": "EY100002", "places": 8, "from": "first+3"}],
        },
    )
    assert cell(result, "2026-spring", "E05000002", "2") == pytest.approx(10)
    assert cell(result, "2026-summer", "E05000002", "2") == pytest.approx(20)
    assert cell(result, "2026-summer", "E05000002", "under2") == pytest.approx(6)
    assert cell(result, "2026-summer", "E05000002", "3_4") == pytest.approx(30)
    assert cell(result, "2026-autumn", "E05000002", "2") == pytest.approx(22)
    assert cell(result, "2026-autumn", "E05000002", "3_4") == pytest.approx(36)
    # The new rows are not counted as providers of the latest return's vacancies.
    assert cell(result, "2025-autumn", "E05000002", "2", "projected_vacancies") == pytest.approx(
        cell(assess(area), "2025-autumn", "E05000002", "2", "projected_vacancies")
    )


def test_staff_vacancy_rate_reduces_places_staff_cannot_cover(area):
    result = run(area, {"workforce": {"staff_vacancy_rate": 0.4, "from": "2026-summer"}})
    # EY100001: 5 staff, no vacancies: 5 posts x 0.6 = 3 staff for 40 3-4s needing 40/8 = 5:
    # 3/5 of its places, 24.
    assert cell(result, "2026-spring", "E05000001", "3_4") == pytest.approx(40)
    assert cell(result, "2026-summer", "E05000001", "3_4") == pytest.approx(24)
    # EY100002: 6 staff + 1 vacancy = 7 posts x 0.6 = 4.2 for 10/5 + 30/8 = 5.75 needed
    # (6 staff covered all of them before).
    assert cell(result, "2026-spring", "E05000002", "3_4") == pytest.approx(30)
    assert cell(result, "2026-summer", "E05000002", "3_4") == pytest.approx(30 * 4.2 / 5.75)
    # The latest return's term (t0) keeps its own staff: the projection falls with supply.
    assert cell(result, "2025-autumn", "E05000001", "3_4") == pytest.approx(40)


def test_staff_vacancy_rate_by_type_leaves_other_types(area):
    result = run(area, {"workforce": {"by_type": {"childminder": 0.5}}})
    assert cell(result, "2025-autumn", "E05000001", "3_4") == pytest.approx(40)


def test_housing_delivery_rate_and_extra_sites(tmp_path):
    housing = pd.DataFrame(
        {
            "site_id": ["S1"],
            "site_name": ["Mill"],
            "year": [2026],
            "dwellings": [120],
            "dwelling_type": ["house"],
            "ward_code": ["E05000001"],
        }
    )
    folder = write_area(
        tmp_path / "a", returns={"2025-summer": [located(0)]}, extra={"housing.csv": housing}
    )
    area = load_area(folder)
    base = assess(area)
    half = run(
        area,
        {
            "housing": {
                "delivery_rate": 0.5,
                "sites": [
                    {
                        "site_id": "X",
                        "year": 2027,
                        "dwellings": 60,
                        "dwelling_type": "flat",
                        "ward_code": "E05000002",
                    }
                ],
            }
        },
    )
    # By 2027-spring all 120 houses are done: 120 x 0.06 = 7.2 children of each year of age,
    # so 7.2 more 2-year-olds (12 birth months); at 60% delivery... at 50%: 3.6.
    assert cell(base, "2027-spring", "E05000001", "2", "children") == pytest.approx(127.2)
    assert cell(half, "2027-spring", "E05000001", "2", "children") == pytest.approx(123.6)
    # 60 flats in 2027 x 0.02 = 1.2 children a year of age once all are built (2028-spring).
    assert cell(half, "2028-spring", "E05000002", "2", "children") == pytest.approx(121.2)


def test_births_growth_and_projected_births(area):
    grown = run(area, {"births": {"growth": 0.1}})
    assert grown.parameters["births_growth"] == 0.1
    # LA-wide 3,600 births in 2026: shared like 2025 (half each), 150 a month a ward.
    projected = run(area, {"births": {"projected": [{"year": 2026, "births": 3600}]}})
    # Under 2s at 2028-spring were born January 2026 to March 2027 (15 months): 12 x 150 in
    # 2026, then 3 months of 2027 repeating 2026's: 15 x 150 = 2,250.
    assert cell(projected, "2028-spring", "E05000001", "under2", "children") == pytest.approx(2250)
    assert cell(projected, "2025-autumn", "E05000001", "under2", "children") == pytest.approx(150)


def test_policy_new_entitlement_for_all_two_year_olds(area):
    result = run(
        area,
        {
            "policy": [
                {
                    "entitlement": "universal_2",
                    "label": "30 hours for all 2-year-olds",
                    "age_group": "2",
                    "eligibility": "all",
                    "take_up": 0.8,
                    "hours": 30,
                    "from": "2027-09-01",
                    "replaces": ["working_2", "disadvantaged_2"],
                }
            ]
        },
    )
    # Before: 120 x (0.45 x 0.85 + 0.21 x 0.72) = 120 x 0.5337 = 64.044 funded.
    assert cell(result, "2027-summer", "E05000001", "2", "funded_children") == pytest.approx(64.044)
    # From 2027-autumn: 120 x 0.8 = 96 funded, 96 x 30 (a new entitlement: every hour used)
    # + 120 x 3 paid = 3,240 hours.
    assert cell(result, "2027-autumn", "E05000001", "2", "funded_children") == pytest.approx(96)
    assert cell(result, "2027-autumn", "E05000001", "2", "demand_hours") == pytest.approx(3240)


def test_policy_changes_hours_start_and_take_up(area):
    result = run(
        area,
        {
            "policy": [
                {"entitlement": "working_2", "hours": 15, "from": "2026-autumn", "take_up": 0.5},
                {"entitlement": "disadvantaged_2", "end": "2026-autumn"},
            ]
        },
    )
    # 2026-autumn: working_2 only, 120 x 0.45 x 0.5 = 27 children x 15 h x 0.90 used = 364.5
    # + 360 paid.
    assert cell(result, "2026-autumn", "E05000001", "2", "demand_hours") == pytest.approx(724.5)
    delayed = run(area, {"policy": [{"entitlement": "working_under2", "start": "2027-spring"}]})
    assert cell(delayed, "2026-autumn", "E05000001", "under2", "funded_children") == 0
    # From 2027-spring: 150 x 0.49 x 0.70 = 51.45 at the 30 hours then in force.
    assert cell(delayed, "2027-spring", "E05000001", "under2", "funded_children") == pytest.approx(
        51.45
    )


def test_parameters_by_ward_and_distribution_centres(area):
    result = run(
        area,
        {
            "parameters": {
                "take_up": {
                    "universal_3_4": {
                        "distribution": "triangular",
                        "low": 0.8,
                        "mode": 0.85,
                        "high": 0.9,
                    }
                },
                "utilisation": {"distribution": "uniform", "low": 0.8, "high": 1.0},
            },
            "ward_parameters": {"E05000002": {"take_up": {"universal_3_4": 0.5}}},
        },
    )
    assert result.parameters["utilisation"] == pytest.approx(0.9)
    # 3-4s in autumn: 12 birth months, 120 children; universal 120 x 0.85 = 102, ward 2 60.
    assert cell(result, "2025-autumn", "E05000001", "3_4", "funded_children") == pytest.approx(102)
    assert cell(result, "2025-autumn", "E05000002", "3_4", "funded_children") == pytest.approx(60)


@pytest.mark.parametrize(
    ("events", "message"),
    [
        ({"colsures": []}, "unknown key 'colsures'; allowed: name, description"),
        (
            {"parameters": {"take_up": {"universal_3_4": 1.2}}},
            "take_up.universal_3_4 is a share and must be between 0 and 1",
        ),
        ({"parameters": {"utilisation": "high"}}, "utilisation must be a number"),
        ({"parameters": {"take_up": {"everyone": 0.5}}}, "unknown key 'everyone' in [take_up]"),
        (
            {"closures": [{"urn": "EY999999", "from": "first"}]},
            "closures[0].urn: EY999999 is not a provider in the area's returns",
        ),
        (
            {"closures": [{"urn": "EY100001", "from": "2031-spring"}]},
            "closures[0].from: 2031-spring is outside the run; allowed: a date after 2025-04-01",
        ),
        ({"closures": [{"urn": "EY100001", "from": "2025-summer"}]}, "is outside the run"),
        ({"closures": [{"urn": "EY100001", "from": "soon"}]}, "'soon' is not a date"),
        (
            {"closures": [{"provider_type": "castle", "share": 0.1, "from": "first"}]},
            "'castle' is not allowed; allowed: childminder, day_nursery",
        ),
        ({"closures": [{"urn": "EY100001"}]}, "'from' is missing"),
        (
            {"openings": [{"ward_code": "E05999999", "places_2": 5, "from": "first"}]},
            "is in no ward of the area",
        ),
        ({"openings": [{"ward_code": "E05000001", "from": "first"}]}, "a new setting needs places"),
        (
            {"ward_parameters": {"E05999999": {"take_up": {"working_2": 0.5}}}},
            "ward E05999999 is not in the area",
        ),
        ({"workforce": {"staff_vacancy_rate": 1.5}}, "must be from 0 to 0.99 (found 1.5)"),
        (
            {
                "policy": [
                    {"entitlement": "universal_2", "age_group": "2", "hours": 15, "from": "first"}
                ]
            },
            "it needs eligibility, take_up",
        ),
        (
            {
                "policy": [
                    {
                        "entitlement": "universal_2",
                        "age_group": "2",
                        "hours": 15,
                        "eligibility": "all",
                        "take_up": 0.9,
                        "from": "first",
                    }
                ]
            },
            "eligibility shares add to 1.66, above 1",  # 1 + 0.45 working_2 + 0.21
        ),
        (
            {"parameters": {"utilisation": {"distribution": "beta", "low": 0, "high": 1}}},
            "unknown distribution 'beta'; allowed: normal, uniform, triangular",
        ),
        (
            {
                "parameters": {
                    "take_up": {
                        "working_2": {"distribution": "normal", "mean": 0.9, "sd": 0.1, "high": 1.2}
                    }
                }
            },
            "go outside what take_up.working_2 allows [0, 1]",
        ),
        (
            {"births": {"projected": [{"year": 2027, "births": 100}]}},
            "projected births need every year from 2026",
        ),
    ],
)
def test_mistakes_name_the_file_the_key_and_what_is_allowed(area, events, message):
    with pytest.raises(ParameterError) as caught:
        run(area, events)
    assert message in str(caught.value)
    assert str(caught.value).startswith("test.toml")


def test_a_scenario_needs_a_name_and_description(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text('name = "x"\n')
    with pytest.raises(ParameterError, match="'description' is missing"):
        read_scenario(path)
    path.write_text('name = "x y"\ndescription = "d"\n')
    with pytest.raises(ParameterError, match="use letters, digits"):
        read_scenario(path)
    with pytest.raises(ParameterError, match="no such scenario file"):
        read_scenario(tmp_path / "none.toml")


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.toml")), ids=lambda p: p.stem)
def test_shipped_scenarios_read_and_apply_to_any_area(area, path):
    scenario = read_scenario(path)
    assert scenario.name == path.stem
    assert len(scenario.description) > 80  # written for a councillor, not a code
    applied = apply(scenario, area, Parameters.defaults())
    result = assess(applied.area, applied.parameters, scenario=scenario.name, rules=applied.rules)
    assert len(result.gap) == 72
