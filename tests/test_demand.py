"""Eligibility, take-up and demand hours checked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sufficiency.demand import calibrated_ward_values, calibration, demand
from sufficiency.entitlements import default_rules
from sufficiency.parameters import Parameters, ward_values
from sufficiency.terms import Term

WARDS = pd.Index(["A", "B"])


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
    # under2: 100 x 0.5 x 0.8 = 40 funded x 30 h = 1200, + 4 paid h x 100 = 1600.
    # 2: working 100 x 0.4 x 0.75 = 30 x 30 h = 900; disadvantaged 100 x 0.2 x 0.5 = 10 x 15 = 150;
    #    40 funded; + 3 x 100 = 300 -> 1350.
    # 3_4: universal 90 x 15 = 1350; extended 100 x 0.5 x 0.8 = 40 x 15 = 600 (not counted
    #    again in funded children); + 2 x 100 -> 2150; 90 funded.
    assert got.funded_children[0, 0].tolist() == pytest.approx([40, 40, 90])
    assert got.demand_hours[0, 0].tolist() == pytest.approx([1600, 1350, 2150])
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
    # under2 demand in spring 2024 is paid hours only: 4 h x 100.
    assert got.demand_hours[0, 0, 0] == pytest.approx(400.0)


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
    assert got.funded["disadvantaged_2"][:, 0].tolist() == pytest.approx([18.0, 12.5])


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
