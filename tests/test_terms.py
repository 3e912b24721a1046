"""Funding terms and the term-after rule, checked by counting birth months by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from sufficiency.errors import InputError
from sufficiency.terms import AGE_GROUPS, Term, month_index, term_range, window, window_size


def test_parse_and_format():
    term = Term.parse("2026-Autumn")
    assert str(term) == "2026-autumn"
    assert term.start == dt.date(2026, 9, 1)
    assert str(term + 1) == "2027-spring"
    assert [str(t) for t in term_range(Term.parse("2026-summer"), Term.parse("2027-spring"))] == [
        "2026-summer",
        "2026-autumn",
        "2027-spring",
    ]


@pytest.mark.parametrize("text", ["2026-winter", "26-autumn", "autumn 2026", ""])
def test_bad_term_names_where_it_came_from(text):
    with pytest.raises(InputError, match="not a funding term") as info:
        Term.parse(text, file="returns.csv", row=3, column="term")
    assert "returns.csv, row 3, column 'term'" in str(info.value)
    assert "YYYY-season" in str(info.value)


def test_window_sizes_follow_the_method():
    # METHOD.md: `2` spans 12 birth months, `under2` 15, `3_4` 12 in autumn, 16 spring, 19 summer.
    sizes = {
        season: [window_size(Term.of(2026, season), g) for g in AGE_GROUPS]
        for season in ("spring", "summer", "autumn")
    }
    assert sizes == {"spring": [15, 12, 16], "summer": [15, 12, 19], "autumn": [15, 12, 12]}


def test_term_after_rule_at_the_edges():
    summer = Term.parse("2026-summer")  # starts 1 April 2026
    first, last = window(summer, "3_4")
    # Born March 2023: turns 3 in March 2026, funded from 1 April 2026.
    assert last == month_index(2023, 3)
    # Born April 2023: turns 3 in April, funded only from September.
    assert month_index(2023, 4) > last
    # Born August 2021 started reception in September 2025; September 2021 has not.
    assert first == month_index(2021, 9)
    u_first, u_last = window(summer, "under2")
    # 9 months reached in June 2025 by a child born September 2024: funded from 1 September.
    # Born June 2025: 9 months in March 2026 -> funded from 1 April 2026.
    assert u_last == month_index(2025, 6)
    # Born March 2024: 2 in March 2026 -> moves to the `2` group from 1 April 2026.
    assert u_first == month_index(2024, 4)
    assert window(summer, "2") == (month_index(2023, 4), month_index(2024, 3))


def test_starting_on_or_after_and_containing():
    assert str(Term.starting_on_or_after(dt.date(2026, 9, 1))) == "2026-autumn"
    assert str(Term.starting_on_or_after(dt.date(2026, 9, 2))) == "2027-spring"
    assert str(Term.containing(dt.date(2026, 8, 31))) == "2026-summer"
