"""Eligibility, take-up and demand hours checked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import write_area

from sufficiency.assess import assess
from sufficiency.demand import calibrated_ward_values, calibration, demand
from sufficiency.entitlements import default_rules
from sufficiency.parameters import Parameters, ward_values
from sufficiency.terms import Term

WARDS = pd.Index(["A", "B"])
A = "E05000001"


def values(overrides=None, **changes):
    params = Parameters.defaults()
    if changes:
        params = params.override(changes, source="test")
    table = None
    if overrides:
        table = pd.DataFrame(overrides, columns=["ward_code", "key", "value"])
    return params, ward_values(params, table, WARDS)


def test_demand_hours_by_hand():
    _, table = values(
        eligibility={
            "working_under2": 0.5,
            "working_2": 0.4,
            "disadvantaged_2": 0.2,
            "extended_3_4": 0.5,
        },
        take_up={
            "working_under2": 0.8,
            "working_2": 0.75,
            "disadvantaged_2": 0.5,
            "universal_3_4": 0.9,
            "extended_3_4": 0.8,
        },
    )
    # 100 children in each group, ward A; ward B none. Autumn 2026: 30 hours for working parents.
    children = np.zeros((2, 1, 3))
    children[0, 0] = [100, 100, 100]
    got = demand(children, [Term.parse("2026-autumn")], table, default_rules(), 0.0)
    # under2: 100 x 0.5 x 0.8 = 40 funded x 30 h x 0.90 used (hours_used) = 1080, + 4 paid h x
    #    100 = 400, + babies under 9 months 100 x 9/15 = 60 x 0.5 paid h = 30 -> 1510.
    # 2: working 100 x 0.4 x 0.75 = 30 x 30 h x 0.90 = 810; disadvantaged 100 x 0.2 x 0.5 = 10 x
    #    15 x 1.0 = 150; 40 funded; + 3 x 100 = 300 -> 1260.
    # 3_4: universal 90 x 15 = 1350; extended 100 x 0.5 x 0.8 = 40 x 15 = 600 (not counted
    #    again in funded children), every hour used; + 2 x 100 -> 2150; 90 funded.
    assert got.funded_children[0, 0].tolist() == pytest.approx([40, 40, 90])
    assert got.demand_hours[0, 0].tolist() == pytest.approx([1510, 1260, 2150])
    assert got.demand_hours[1, 0].tolist() == [0, 0, 0]


def test_entitlement_not_in_force_adds_nothing():
    _, table = values()
    children = np.full((2, 2, 3), 100.0)
    terms = [Term.parse("2024-spring"), Term.parse("2024-summer")]
    got = demand(children, terms, table, default_rules(), 0.0)
    # Spring 2024: no working-parent offer for under-2s or 2s yet; summer: 2s get 15 hours.
    assert got.funded["working_under2"][0].tolist() == [0.0, 0.0]
    assert got.funded["working_2"][0, 0] == 0.0
    assert got.funded["working_2"][0, 1] == pytest.approx(100 * 0.45 * 0.85)
    # under2 demand in spring 2024 is paid hours only: 4 h x 100 + 0.5 h x 100 x 9/15 = 430.
    assert got.demand_hours[0, 0, 0] == pytest.approx(430.0)


def test_hours_used_scales_each_entitlement_and_defaults_to_all_hours():
    # 100 under-2s, all eligible and registered, 30 h funded; 80% of the hours used: 2,400 h.
    _, table = values(
        eligibility={"working_under2": 1.0},
        take_up={"working_under2": 1.0},
        hours_used={"working_under2": 0.8},
        paid_hours={"under2": 0.0, "under9m": 0.0},
    )
    children = np.zeros((2, 1, 3))
    children[0, 0, 0] = 100.0
    got = demand(children, [Term.parse("2026-autumn")], table, default_rules(), 0.0)
    assert got.demand_hours[0, 0, 0] == pytest.approx(2400.0)
    # A key missing (an entitlement a scenario adds) means every funded hour used.
    got = demand(
        children,
        [Term.parse("2026-autumn")],
        table.drop(columns=["hours_used.working_under2"]),
        default_rules(),
        0.0,
    )
    assert got.demand_hours[0, 0, 0] == pytest.approx(3000.0)


def test_a_steady_ward_by_hand(tmp_path):
    # The hand case: a ward with 10 births a month (no population estimates: cohort
    # change 1) and one nursery, 40 places for 3-4s, open 10 h x 5 days, 5 staff (40/8 = 5).
    # Spring 2027 windows: under2 15 birth months = 150 children; 2: 12 = 120; 3_4: September
    # 2022 to December 2023, 16 = 160.
    # The under-2 funded share is eligibility x the window-average take-up worked out from the
    # by-age figures: (3 x 0.46 + 12 x 0.76) / 15 = 0.70, x 0.49 = 0.343; 150 x 0.343 = 51.45.
    result = assess(write_area(tmp_path / "area", codes=(A,)), accessibility=False)
    row = result.gap.set_index(["term", "age_group"]).loc[("2027-spring", "under2")]
    assert row["funded_children"] / row["children"] == pytest.approx(0.49 * (10.5 / 15))
    assert row["funded_children"] == pytest.approx(51.45)
    # under2 hours: 51.45 x 30 x 0.90 = 1,389.15 + 4 x 150 = 600 + 0.5 x 150 x 9/15 = 45
    #   = 2,034.15 -> 40.683 places; no under-2 places: gap -40.683.
    # 2: 120 x 0.45 x 0.85 = 45.9 x 30 x 0.90 = 1,239.3; 120 x 0.21 x 0.72 = 18.144 x 15 =
    #   272.16; + 3 x 120 = 360 -> 1,871.46 -> 37.4292 places.
    # 3_4: 160 x 0.90 = 144 x 15 = 2,160; 160 x 0.30 x 0.91 = 43.68 x 15 = 655.2; + 2 x 160 = 320
    #   -> 3,135.2 -> 62.704 places; supply 40 x 50 / 50 = 40; gap 40 x 0.9 - 62.704 = -26.704.
    spring = result.gap[result.gap["term"] == "2027-spring"].set_index("age_group")
    assert spring["children"].tolist() == pytest.approx([150, 120, 160])
    assert spring["demand_places"].tolist() == pytest.approx([40.683, 37.4292, 62.704])
    assert spring["supply_places"].tolist() == pytest.approx([0.0, 0.0, 40.0])
    assert spring.loc["3_4", "gap_places"] == pytest.approx(-26.704)


def test_stretched_share_takes_38_51sts():
    _, table = values(
        take_up={"universal_3_4": 1.0}, eligibility={"extended_3_4": 0.0}, paid_hours={"3_4": 0.0}
    )
    children = np.zeros((2, 1, 3))
    children[0, 0, 2] = 51.0
    full = demand(children, [Term.parse("2026-autumn")], table, default_rules(), 0.0)
    half = demand(children, [Term.parse("2026-autumn")], table, default_rules(), 0.5)
    # 51 children x 15 h = 765; half stretched: 25.5 x 15 + 25.5 x 15 x 38/51 = 382.5 + 285.
    assert full.demand_hours[0, 0, 2] == pytest.approx(765.0)
    assert half.demand_hours[0, 0, 2] == pytest.approx(667.5)


def test_ward_overrides_apply_to_their_ward_only():
    _, table = values([("B", "take_up.disadvantaged_2", 0.5)])
    children = np.full((2, 1, 3), 100.0)
    got = demand(children, [Term.parse("2026-autumn")], table, default_rules(), 0.0)
    # 100 x 0.21 eligible x 0.72 take-up = 15.12 in A; B's own take-up: 100 x 0.21 x 0.5 = 10.5.
    assert got.funded["disadvantaged_2"][:, 0].tolist() == pytest.approx([15.12, 10.5])


def test_top_up_never_exceeds_its_base():
    _, table = values(take_up={"universal_3_4": 0.3}, eligibility={"extended_3_4": 1.0})
    children = np.full((2, 1, 3), 100.0)
    got = demand(children, [Term.parse("2026-autumn")], table, default_rules(), 0.0)
    assert got.funded["extended_3_4"][0, 0] == pytest.approx(30.0)


def test_calibration_reports_and_rescales():
    fit = calibration(
        {"universal_3_4": np.array([50.0, 50.0]), "working_2": np.array([20.0, 20.0])},
        {"universal_3_4": 90.0},
        {"universal_3_4": 0.9, "working_2": 0.85},
    )
    row = fit.set_index("entitlement").loc["universal_3_4"]
    assert row["ratio"] == pytest.approx(0.9)
    assert row["take_up_calibrated"] == pytest.approx(0.81)
    assert np.isnan(fit.set_index("entitlement").loc["working_2", "ratio"])
    _, table = values([("B", "take_up.universal_3_4", 0.5)])
    new = calibrated_ward_values(table, fit)
    assert new["take_up.universal_3_4"].tolist() == pytest.approx([0.81, 0.45])
    assert new["take_up.working_2"].tolist() == table["take_up.working_2"].tolist()
