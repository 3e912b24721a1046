"""Children by month of birth, cohort change ratios and projected births."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import monthly_births

from sufficiency.errors import InputError
from sufficiency.population import birth_months, children_by_group, cohort_change_ratios
from sufficiency.terms import Term, month_index

WARDS = pd.Index(["A"])


def children(terms, births=None, ratios=None):
    births = monthly_births(["A"], 10.0) if births is None else births
    until = max(t.start_month for t in terms)
    months = birth_months(births, WARDS, until)
    ratios = np.ones((1, 5)) if ratios is None else ratios
    return children_by_group(months, ratios, terms)


def test_ten_births_every_month():
    # The hand count: 190 in `3_4` in summer, 120 in autumn, 160 in spring;
    # 120 in `2` and 150 in `under2` in every term.
    terms = [Term.parse(t) for t in ["2025-summer", "2025-autumn", "2026-spring"]]
    got = children(terms)[0]
    assert got.tolist() == [[150, 120, 190], [150, 120, 120], [150, 120, 160]]


def test_future_births_repeat_the_last_year_with_growth():
    births = monthly_births(["A"], 10.0, years=[2024])
    births.loc[births["month"] == 3, "births"] = 20.0
    months = birth_months(births, WARDS, until=month_index(2026, 3), growth=0.5)
    # March 2025: March 2024's 20 x 1.5; March 2026: 20 x 1.5^2; June 2025: 10 x 1.5.
    assert months.columns(month_index(2025, 3), month_index(2025, 3))[0, 0] == pytest.approx(30)
    assert months.columns(month_index(2026, 3), month_index(2026, 3))[0, 0] == pytest.approx(45)
    assert months.columns(month_index(2025, 6), month_index(2025, 6))[0, 0] == pytest.approx(15)


def test_cohort_change_ratio_scales_by_age():
    births = monthly_births(["A"], 10.0)
    months = birth_months(births, WARDS, until=month_index(2026, 12))
    # 2025 mid-year estimate: 96 aged 3 (born Jul 2021-Jun 2022: 120 births) -> ratio 0.8.
    pop = pd.DataFrame({"ward_code": ["A"], "year": [2025], "age": [3], "population": [96.0]})
    ratios = cohort_change_ratios(pop, months)
    assert ratios[0].tolist() == pytest.approx([1.0, 1.0, 1.0, 0.8, 1.0])
    # Autumn 2026: `3_4` is born Sep 2022-Aug 2023, all aged 3 on 1 September 2026 -> 120 x 0.8.
    got = children_by_group(months, ratios, [Term.parse("2026-autumn")])
    assert got[0, 0].tolist() == pytest.approx([150, 120, 96])


def test_ratio_pools_three_latest_years():
    months = birth_months(monthly_births(["A"], 10.0), WARDS, until=month_index(2026, 12))
    pop = pd.DataFrame(
        {
            "ward_code": "A",
            "year": [2021, 2023, 2024, 2025],
            "age": 0,
            "population": [999.0, 108.0, 120.0, 132.0],  # 2021 is outside the latest three years
        }
    )
    assert cohort_change_ratios(pop, months)[0, 0] == pytest.approx(360 / 360)


def test_births_that_start_too_late_are_an_error():
    births = monthly_births(["A"], 10.0, years=[2024, 2025])
    with pytest.raises(InputError, match="the 2 group in 2026-spring needs births from 01/2023"):
        children([Term.parse("2026-spring")], births=births)


def test_a_run_notes_from_when_it_rests_on_projected_births(tmp_path):
    from conftest import write_area

    from sufficiency.area import load_area
    from sufficiency.assess import assess

    # Births 2016-2025 (conftest), so the last observed month is December 2025. Under 2s at a
    # term starting in month s were born s-24 .. s-10: at 2027-spring (January 2027) up to
    # March 2026, projected already. 2-year-olds (s-36 .. s-25): first past December 2025 at
    # 2028-summer (April 2028 - 25 = March 2026). 3-4s (to s-37): 2029-summer (April 2029 -
    # 37 = March 2026). Every child projected once the oldest 3-4s (born from September four
    # years before the term's latest reception September) are born after December 2025:
    # 2030-autumn (September 2026 on).
    result = assess(load_area(write_area(tmp_path / "a")), last_term="2040-autumn")
    assert [n for n in result.notes if n.startswith("Births are observed")] == [
        "Births are observed to December 2025 (births.csv); later months are projected (each "
        "repeats the same month of the last observed year, births_growth 0.0% a year) and "
        "counted in: under 2s from 2027-spring, 2-year-olds from 2028-summer, 3-4s from "
        "2029-summer; from 2030-autumn every child modelled was born after December 2025, so "
        "the forecast rests wholly on the projection"
    ]
