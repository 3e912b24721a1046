"""Disclosure control: the rules of disclosure.py on cells worked out by hand."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd
import pytest

import sufficiency
from sufficiency.errors import ParameterError
from sufficiency.outputs import disclosure, maps, report
from sufficiency.scenarios.compare import assess_scenario
from sufficiency.scenarios.schema import Closure, Scenario, When
from sufficiency.terms import AGE_GROUPS


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
    # The gap from the published figures: 27 usable places rounded to 25, minus 20.
    assert out.loc[0, "gap_places"] == 5
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


# --- differencing: close each provider of the demo in turn -----------------------------------

FIGURES = ("children", "demand_places", "supply_places", "gap_places")


def _headline_numbers(result: sufficiency.Assessment, term: str) -> np.ndarray:
    """The published city-wide figures of the report's cards, (age groups, 5), NaN if held."""
    gap = result.gap.reset_index(drop=True)
    texts = disclosure.figure_texts(gap, publish=True)
    cards = report.headline(gap, texts, term, publish=True, threshold=5)
    keys = ("children", "demand", "supply", "gap", "short")

    def number(text: str) -> float:
        cleaned = text.replace(",", "").replace("+", "")
        return float(cleaned) if cleaned.lstrip("-").isdigit() else np.nan

    return np.array([[number(card[k]) for k in keys] for card in cards])


def _closed(base: sufficiency.Assessment, urn: str, terms: dict) -> sufficiency.Assessment:
    """The run with ``urn`` closed from the first term (a new setting: from its opening)."""
    when = When("first", offset=0)
    for _ in range(2):
        closure = Closure(where="closures[0]", when=when, urn=urn)
        scenario = Scenario(name=f"close-{urn}", description="", closures=(closure,))
        try:
            return assess_scenario(base.area, base.parameters, scenario, **terms)
        except ParameterError as error:
            opening = re.search(r"opening on (\d{4}-\d\d-\d\d)", str(error))
            if opening is None:
                raise
            day = dt.date.fromisoformat(opening[1])
            when = When(str(day), date=day)
    raise AssertionError(urn)  # pragma: no cover


@pytest.mark.slow
def test_closing_any_one_provider_moves_no_published_figure_by_its_places():
    """Every provider of the demo closed in turn (a scenario closure by URN from the first
    term): no published figure of the scenario's maps, change map or report moves from the
    baseline's by exactly that provider's places (or its places rounded to a whole number)."""
    terms = {"first_term": "2027-spring", "last_term": "2027-summer"}
    base = sufficiency.assess(None, **terms)
    key = ["term", "ward_code", "age_group"]
    shown_base = disclosure.published_figures(base.gap)[list(FIGURES)].to_numpy(float)
    headline_base = {t: _headline_numbers(base, t) for t in terms.values()}
    places = disclosure._provider_places(base)  # (urn, ward) x (term, age group)
    by_urn = places.groupby(level="urn").sum()
    by_urn = by_urn[by_urn.sum(axis=1) > 0]  # providers open in the forecast
    assert len(by_urn) > 250
    moved = []
    for urn, row in by_urn.iterrows():
        other = _closed(base, str(urn), terms)
        guarded = disclosure.guard_scenario(base, other)
        assert (guarded.gap[key].to_numpy() == base.gap[key].to_numpy()).all()
        shown = disclosure.published_figures(guarded.gap)[list(FIGURES)].to_numpy(float)
        change = maps.change_in_gap(base.gap, guarded.gap, publish=True)["change"].to_numpy()
        own = row.to_numpy(float).reshape(len(base.terms), len(AGE_GROUPS))
        for t, term in enumerate(terms.values()):
            for g, group in enumerate(AGE_GROUPS):
                p = own[t, g]
                if p <= 0:
                    continue
                at = ((base.gap["term"] == term) & (base.gap["age_group"] == group)).to_numpy()
                moves = np.abs(np.concatenate([(shown - shown_base)[at].ravel(), change[at]]))
                city = np.abs(_headline_numbers(guarded, term)[g] - headline_base[term][g])
                for value in (p, round(p)):
                    hits = np.isclose(np.concatenate([moves, city]), value, rtol=0, atol=1e-6)
                    if value > 0 and hits.any():
                        moved.append((urn, term, group, p))
    assert moved == []
