"""Which term an assessment is as at: the latest term whose returns are complete enough.

Four nurseries in ward 1 return for 2026-autumn; one of them returns early for 2027-spring.
"""

from __future__ import annotations

import pytest
from conftest import inside, provider, write_area

from sufficiency.area import load_area
from sufficiency.assess import assess, return_coverage
from sufficiency.outputs.summary import summary_lines
from sufficiency.returns.tracking import return_status
from sufficiency.terms import Term

URNS = ["EY100001", "EY100002", "EY100003", "EY100004"]


def _area(tmp_path, early: int):
    """Four providers in 2026-autumn (30 universal 3-4s funded each); the first ``early`` of
    them also return for 2027-spring, with 60 places for 3-4s (and the staff for them) and 1
    funded child each."""
    x, y = inside(0)
    autumn = [provider(urn=u, easting=x, northing=y, funded_3_4_universal=30) for u in URNS]
    spring = [
        provider(
            urn=u,
            easting=x,
            northing=y,
            registered_places=60,
            places_3_4=60,
            staff_total=8,
            staff_level3=7,
            funded_3_4_universal=1,
        )
        for u in URNS[:early]
    ]
    returns = {"2026-autumn": autumn, "2027-spring": spring}
    return load_area(write_area(tmp_path / "area", returns=returns))


def test_one_early_return_does_not_move_the_assessment(tmp_path):
    area = _area(tmp_path, early=1)
    latest, pending = return_coverage(area.returns, 0.5)
    assert latest == Term.parse("2026-autumn")
    # Expected in 2027-spring: the 4 providers open by their autumn returns; 1 returned.
    assert [(str(p.term), p.returned, p.expected) for p in pending] == [("2027-spring", 1, 4)]
    result = assess(area, accessibility=False)
    assert result.latest_return == Term.parse("2026-autumn")
    assert str(result.terms[0]) == "2027-spring"
    assert (
        "2027-spring: 1 of 4 providers have returned; the assessment is as at 2026-autumn "
        "until more do (their 2027-spring returns count in supply from 2027-spring)"
    ) in result.notes
    # The take-up fit reads the complete term: 4 x 30 = 120 universal 3-4s, not the early 1.
    fit = result.calibration.set_index("entitlement")
    assert fit.loc["universal_3_4", "funded_returns"] == 120
    # The early return is that provider's latest in supply: 2027-spring ward 1 3-4 places are
    # 3 x 40 + 60 = 180 (each open 50 hours a week, a full-time place).
    spring = result.gap[(result.gap["term"] == "2027-spring") & (result.gap["age_group"] == "3_4")]
    assert spring["supply_places"].tolist() == pytest.approx([180.0, 0.0])
    lines = summary_lines(result)
    assert lines[0].endswith("4 provider(s) in the 2026-autumn return")
    # returns status still counts the early term as it is: 1 of 4 returned.
    status = return_status(area.returns, Term.parse("2027-spring"))
    assert (status.returned, len(status.missing)) == (1, 3)


def test_half_the_providers_returning_completes_a_term(tmp_path):
    # 2 of 4 expected is the share 0.5: complete, so the run is as at 2027-spring (funded 2 x 1).
    area = _area(tmp_path, early=2)
    result = assess(area, accessibility=False)
    assert result.latest_return == Term.parse("2027-spring")
    assert str(result.terms[0]) == "2027-summer"
    assert not any("providers have returned" in n for n in result.notes)
    fit = result.calibration.set_index("entitlement")
    assert fit.loc["universal_3_4", "funded_returns"] == 2


def test_a_closure_in_the_last_complete_term_is_not_expected_to_return(tmp_path):
    # Of the four, three say in autumn that they close before 2027-spring: 1 expected, 1
    # returned, so 2027-spring is complete.
    x, y = inside(0)
    autumn = [provider(urn=URNS[0], easting=x, northing=y)] + [
        provider(urn=u, easting=x, northing=y, status="closing", status_date="2026-12-31")
        for u in URNS[1:]
    ]
    spring = [provider(urn=URNS[0], easting=x, northing=y)]
    returns = {"2026-autumn": autumn, "2027-spring": spring}
    area = load_area(write_area(tmp_path / "area", returns=returns))
    latest, pending = return_coverage(area.returns, 0.5)
    assert (latest, pending) == (Term.parse("2027-spring"), [])
