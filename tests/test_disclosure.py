"""Disclosure control: the rules of disclosure.py on cells worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sufficiency.outputs import disclosure


def rows(**columns) -> pd.DataFrame:
    base = {
        "children": [150.0],
        "demand_places": [60.0],
        "supply_places": [72.0],
        "gap_places": [4.8],
        "places_per_100": [48.0],
        "status": ["tight"],
    }
    base.update(columns)
    return pd.DataFrame(base)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (0.0, "0"),  # a true zero is shown: no places is the fact the map exists for
        (0.2, "<5"),  # above zero and below 5: suppressed, never rounded down to "0"
        (4.99, "<5"),
        (5.0, "5"),
        (7.49, "5"),  # nearest 5
        (7.5, "10"),  # halves round up
        (1283.0, "1,285"),
        (float("nan"), ""),
    ],
)
def test_count_text(value, shown):
    assert disclosure.count_text(value) == shown


def test_a_higher_threshold_holds_back_more():
    assert disclosure.count_text(7, threshold=10) == "<10"
    assert disclosure.count_text(12, threshold=10) == "10"


def test_counts_are_rounded_and_derived_figures_follow_them():
    out = disclosure.published_figures(rows())
    # 150 -> 150, 60 -> 60, 72 -> 70; gap 4.8 -> 5 whole places (not rounded to 5s: modelled)
    assert out.loc[0, ["children", "demand_places", "supply_places"]].tolist() == [150, 60, 70]
    assert out.loc[0, "gap_places"] == 5
    assert out.loc[0, "places_per_100"] == 48
    assert out.loc[0, "status"] == "tight"
    assert not out.loc[0, "suppressed"]


def test_small_supply_holds_back_gap_places_per_100_and_status():
    # A lone childminder: 3 places for 2-year-olds in a ward of 120 children.
    out = disclosure.published_figures(
        rows(supply_places=[3.0], gap_places=[-57.3], places_per_100=[2.5], status=["deficit"])
    )
    assert np.isnan(out.loc[0, "supply_places"])
    assert np.isnan(out.loc[0, "gap_places"])
    assert np.isnan(out.loc[0, "places_per_100"])
    assert out.loc[0, "status"] == disclosure.STATUS_NOT_SHOWN
    assert out.loc[0, "demand_places"] == 60  # the demand itself may still be shown
    assert out.loc[0, "suppressed"]


def test_small_children_holds_back_places_per_100_but_not_the_gap():
    out = disclosure.published_figures(
        rows(
            children=[3.0],
            demand_places=[20.0],
            supply_places=[30.0],
            gap_places=[7.0],
            places_per_100=[1000.0],
            status=["sufficient"],
        )
    )
    assert np.isnan(out.loc[0, "children"])
    assert np.isnan(out.loc[0, "places_per_100"])
    assert out.loc[0, "gap_places"] == 7
    assert out.loc[0, "status"] == "sufficient"


def test_zero_supply_is_shown_and_so_is_the_gap():
    out = disclosure.published_figures(
        rows(supply_places=[0.0], gap_places=[-60.0], places_per_100=[0.0], status=["deficit"])
    )
    assert out.loc[0, "supply_places"] == 0
    assert out.loc[0, "gap_places"] == -60
    assert out.loc[0, "status"] == "deficit"


def test_figure_texts_published_and_internal():
    table = rows(projected_vacancies=[3.0])
    published = disclosure.figure_texts(table, publish=True).iloc[0]
    internal = disclosure.figure_texts(table, publish=False).iloc[0]

    assert published[["children", "demand_places", "supply_places", "gap_places"]].tolist() == [
        "150",
        "60",
        "70",
        "+5",
    ]
    assert "projected_vacancies" not in published.index  # never published
    assert internal[["supply_places", "gap_places", "projected_vacancies"]].tolist() == [
        "72.0",
        "+5",
        "3.0",
    ]
