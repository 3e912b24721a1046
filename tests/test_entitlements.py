"""The dated rule table: every phase from the regulations."""

from __future__ import annotations

import datetime as dt

import pytest

from sufficiency.entitlements import default_rules

D = dt.date


@pytest.mark.parametrize(
    ("key", "day", "hours"),
    [
        ("universal_3_4", D(2024, 1, 1), 15.0),
        ("extended_3_4", D(2017, 8, 31), 0.0),
        ("extended_3_4", D(2017, 9, 1), 15.0),
        ("disadvantaged_2", D(2014, 9, 1), 15.0),
        ("working_2", D(2024, 3, 31), 0.0),  # April 2024 phase
        ("working_2", D(2024, 4, 1), 15.0),
        ("working_2", D(2025, 9, 1), 30.0),  # September 2025 phase
        ("working_under2", D(2024, 4, 1), 0.0),
        ("working_under2", D(2024, 9, 1), 15.0),  # September 2024 phase
        ("working_under2", D(2025, 8, 31), 15.0),
        ("working_under2", D(2025, 9, 1), 30.0),
    ],
)
def test_hours_by_date(key, day, hours):
    rules = {r.key: r for r in default_rules()}
    assert rules[key].hours_at(day) == hours


def test_five_entitlements_and_their_groups():
    rules = {r.key: r for r in default_rules()}
    assert {k: (r.age_group, r.eligibility, r.top_up) for k, r in rules.items()} == {
        "universal_3_4": ("3_4", "all", None),
        "extended_3_4": ("3_4", "extended_3_4", "universal_3_4"),
        "disadvantaged_2": ("2", "disadvantaged_2", None),
        "working_2": ("2", "working_2", None),
        "working_under2": ("under2", "working_under2", None),
    }
