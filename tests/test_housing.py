"""Children in new housing: a stock of children per dwelling per single year of age."""

from __future__ import annotations

import pandas as pd
import pytest

from sufficiency.housing import housing_children
from sufficiency.terms import Term

WARDS = pd.Index(["A", "B"])
YIELD = {"house": 0.06, "flat": 0.02}


def test_hundred_houses_add_six_children_a_year_of_age():
    # 100 houses completed in 2026 (after births end in 2025), 0.06 per house per year of age:
    # 6 children per single year of age once all are built: `2` (12 months) 6, `under2`
    # (15 months) 7.5, `3_4` in summer (19 months) 9.5.
    h = pd.DataFrame(
        {"ward_code": ["A"], "year": [2026], "dwellings": [100.0], "dwelling_type": ["house"]}
    )
    got = housing_children(h, WARDS, [Term.parse("2027-summer")], 2025, YIELD)
    assert got[0, 0].tolist() == pytest.approx([7.5, 6.0, 9.5])
    assert got[1, 0].tolist() == [0.0, 0.0, 0.0]


def test_completions_spread_over_the_year_and_before_births_end_ignored():
    h = pd.DataFrame(
        {
            "ward_code": ["A", "A", "B"],
            "year": [2026, 2025, 2026],
            "dwellings": [120.0, 500.0, 120.0],
            "dwelling_type": ["house", "house", "flat"],
        }
    )
    # 1 April 2026: Jan-Mar built, 30 of 120. A: 30 x 0.06 x 12/12 = 1.8 two-year-olds.
    # B: 30 flats x 0.02 = 0.6. The 2025 row is already in the births.
    got = housing_children(h, WARDS, [Term.parse("2026-summer")], 2025, YIELD)
    assert got[:, 0, 1].tolist() == pytest.approx([1.8, 0.6])


def test_delivery_rate_scales_completions():
    h = pd.DataFrame(
        {"ward_code": ["A"], "year": [2026], "dwellings": [100.0], "dwelling_type": ["house"]}
    )
    got = housing_children(h, WARDS, [Term.parse("2027-autumn")], 2025, YIELD, delivery_rate=0.5)
    assert got[0, 0, 1] == pytest.approx(3.0)
