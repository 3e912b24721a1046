"""Return status and trends, counted by hand on a tiny store of three terms.

Two wards side by side (E05000001 west, E05000002 east) and five providers:

=========  ==============  =====  ========================  ========================  ==============
provider   type            ward   2026-spring               2026-summer               2026-autumn
=========  ==============  =====  ========================  ========================  ==============
A EY100001 day_nursery     west   open                      open                      open
B 123456   childminder     east   open                      open                      (no return)
C EY100003 pre_school      west   open                      closed from 2026-07-31    (no return)
D EY100004 day_nursery     east   -                         new from 2026-09-01       open
E EY100005 other           west   -                         -                         open (new)
=========  ==============  =====  ========================  ========================  ==============
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import inside, provider, ward_polygons

from sufficiency.returns import store
from sufficiency.returns.reader import CHILDREN, PLACES, VACANCIES
from sufficiency.returns.tracking import leaver_reasons, return_status, trends
from sufficiency.returns.validation import check_files
from sufficiency.terms import Term

WARDS = ward_polygons(["E05000001", "E05000002"])
WEST, EAST = inside(0), inside(1)
ZERO = dict.fromkeys(
    [
        *PLACES,
        *CHILDREN,
        *VACANCIES,
        "staff_unqualified",
        "staff_level2",
        "staff_level3",
        "staff_level6",
        "staff_vacancies",
        "staff_leavers",
        "staff_recruits",
        "send_children",
    ],
    0,
)


def _row(urn: str, kind: str, where: tuple[float, float], **figures) -> dict:
    return provider(
        **{
            "urn": urn,
            "provider_type": kind,
            "easting": where[0],
            "northing": where[1],
            "leaver_reasons": "",
            **ZERO,
            **figures,
        }
    )


A = {
    "registered_places": 50,
    "places_2": 10,
    "places_3_4": 40,
    "children_2": 10,
    "children_3_4": 40,
    "vacancies_2": 1,
    "vacancies_3_4": 2,
    "waiting_3_4": 5,
    "staff_total": 10,
    "staff_unqualified": 1,
    "staff_level2": 2,
    "staff_level3": 6,
    "staff_level6": 1,
    "staff_vacancies": 2,
    "staff_leavers": 2,
    "staff_recruits": 1,
    "leaver_reasons": "pay; hours",
    "send_children": 3,
}
B = {
    "registered_places": 6,
    "places_under2": 1,
    "places_2": 2,
    "places_3_4": 3,
    "children_under2": 1,
    "children_2": 2,
    "children_3_4": 3,
    "vacancies_3_4": 1,
    "staff_total": 1,
    "staff_level3": 1,
}
C = {
    "registered_places": 20,
    "places_3_4": 20,
    "children_3_4": 16,
    "vacancies_3_4": 4,
    "staff_total": 4,
    "staff_level2": 2,
    "staff_level3": 2,
    "staff_vacancies": 1,
    "staff_leavers": 1,
    "leaver_reasons": "Pay",
    "send_children": 1,
}
D = {
    "registered_places": 30,
    "places_3_4": 30,
    "staff_total": 5,
    "staff_level3": 5,
    "staff_vacancies": 3,
    "staff_recruits": 5,
}
E = {
    "registered_places": 8,
    "places_3_4": 8,
    "children_3_4": 8,
    "staff_total": 2,
    "staff_level3": 2,
}

THREE_TERMS = {
    "2026-spring": [
        _row("EY100001", "day_nursery", WEST, **A),
        _row("123456", "childminder", EAST, **B),
        _row("EY100003", "pre_school", WEST, **C),
    ],
    "2026-summer": [
        _row(
            "EY100001",
            "day_nursery",
            WEST,
            **{
                **A,
                "vacancies_3_4": 3,
                "staff_leavers": 1,
                "staff_recruits": 2,
                "leaver_reasons": "pay",
            },
        ),
        _row("123456", "childminder", EAST, **B),
        _row(
            "EY100003",
            "pre_school",
            WEST,
            **{
                **C,
                "status": "closed",
                "status_date": "2026-07-31",
                "staff_leavers": 4,
                "leaver_reasons": "closure; pay",
            },
        ),
        _row(
            "EY100004", "day_nursery", EAST, **{**D, "status": "new", "status_date": "2026-09-01"}
        ),
    ],
    "2026-autumn": [
        _row("EY100001", "day_nursery", WEST, **{**A, "vacancies_3_4": 3}),
        _row("EY100004", "day_nursery", EAST, **{**D, "children_3_4": 20, "vacancies_3_4": 10}),
        _row("EY100005", "other", WEST, **E),
    ],
}


def build_store(folder: Path) -> Path:
    """The three terms above, checked and ingested in order."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "sufficiency.sqlite"
    for term, rows in THREE_TERMS.items():
        file = folder / f"returns-{term}.csv"
        pd.DataFrame(rows).to_csv(file, index=False)
        checked = check_files([file], Term.parse(term), wards=WARDS)
        assert checked.ok, checked.problems
        store.ingest(path, checked)
    return path


@pytest.fixture(scope="module")
def three_terms(tmp_path_factory) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The store's returns, and the same located in wards."""
    folder = tmp_path_factory.mktemp("three")
    path = build_store(folder)
    located, _ = store.area_returns(folder, WARDS, None, [])
    return store.load_returns(path), located


def test_status_against_last_term(three_terms):
    returns, _ = three_terms
    status = return_status(returns, Term.parse("2026-autumn"))
    # Expected from summer: A, B and D (C closed on 31 July, before 1 September; D, new from
    # 1 September, is open). Returned: A, D and E. Missing: B. Rate 3 / (3 + 1).
    assert status.previous == Term.parse("2026-summer")
    assert status.expected_from_last == 3
    assert status.returned == 3
    assert status.rate == pytest.approx(0.75)
    assert status.missing.to_dict("records") == [
        {
            "urn": "123456",
            "provider_name": "Little Acorns",
            "provider_type": "childminder",
            "postcode": "ZT1 1AA",
            "last_return": "2026-summer",
            "expected_from": "last term",
        }
    ]


def test_status_against_a_register(three_terms):
    returns, _ = three_terms
    register = pd.DataFrame(
        {
            "urn": ["EY100001", "123456", "EY100004", "EY100006"],
            "provider_name": ["A", "B", "D", "F"],
        }
    )
    status = return_status(returns, Term.parse("2026-autumn"), register)
    # Missing: B (last term and register) and F (register only); E returned but is not on it.
    assert list(status.missing["urn"]) == ["123456", "EY100006"]
    assert list(status.missing["expected_from"]) == ["last term and register", "register"]
    assert list(status.missing["provider_name"]) == ["Little Acorns", "F"]
    assert status.missing["last_return"].iloc[1] is None or pd.isna(
        status.missing["last_return"].iloc[1]
    )
    assert status.rate == pytest.approx(3 / 5)
    assert status.not_on_register == ["EY100005"]


def test_status_of_the_first_term_and_of_a_term_not_loaded_yet(three_terms):
    returns, _ = three_terms
    first = return_status(returns, Term.parse("2026-spring"))
    assert (first.previous, first.returned, first.rate, len(first.missing)) == (None, 3, 1.0, 0)
    # Before any 2027-spring return: A, D and E (open in autumn) are missing, and B, whose
    # summer return is its last, is not expected (only the latest term counts).
    ahead = return_status(returns, Term.parse("2027-spring"))
    assert list(ahead.missing["urn"]) == ["EY100001", "EY100004", "EY100005"]
    assert ahead.rate == 0.0


def _at(table: pd.DataFrame, term: str, ward: str) -> pd.Series:
    return table[(table["term"] == term) & (table["ward_code"] == ward)].iloc[0]


def test_trends_city_wide_by_hand(three_terms):
    _, located = three_terms
    table = trends(located, WARDS)
    assert list(table["ward_code"]) == ["all", "E05000001", "E05000002"] * 3
    spring = _at(table, "2026-spring", "all")
    # Open: A, B, C. Places 3-4: 40 + 3 + 20; vacancies 3-4: 2 + 1 + 4. Staff 10 + 1 + 4 = 15,
    # vacant 2 + 0 + 1 = 3: rate 3 / 18. Leavers 2 + 1, recruits 1. Level 3: 6 + 1 + 2 of 15.
    assert spring[["providers", "returns_made", "carried_forward"]].tolist() == [3, 3, 0]
    assert pd.isna(spring["openings"]) and pd.isna(spring["closures"])
    assert spring[["places_under2", "places_2", "places_3_4"]].tolist() == [1, 12, 63]
    assert spring[["vacancies_2", "vacancies_3_4", "waiting_3_4"]].tolist() == [1, 7, 5]
    assert spring[["staff_total", "staff_vacancies"]].tolist() == [15, 3]
    assert spring["staff_vacancy_rate"] == pytest.approx(3 / 18)
    assert spring[["staff_leavers", "staff_recruits"]].tolist() == [3, 1]
    assert spring["leavers_per_recruit"] == pytest.approx(3.0)
    assert spring["staff_level3_share"] == pytest.approx(9 / 15)
    assert spring["staff_unqualified_share"] == pytest.approx(1 / 15)
    assert spring["send_children"] == 4
    assert spring[
        [
            "providers_day_nursery",
            "providers_childminder",
            "providers_pre_school",
            "providers_other",
        ]
    ].tolist() == [1, 1, 1, 0]

    summer = _at(table, "2026-summer", "all")
    # D's return says new from 1 September: not open in summer, but its recruits count.
    # C says closed from 31 July: still open on 1 April.
    assert summer[["providers", "returns_made", "openings", "closures"]].tolist() == [3, 4, 0, 0]
    assert summer["vacancies_3_4"] == 3 + 1 + 4
    assert summer[["staff_leavers", "staff_recruits"]].tolist() == [1 + 4, 2 + 5]
    assert summer["leavers_per_recruit"] == pytest.approx(5 / 7)
    assert summer["staff_total"] == 15  # D's 5 are not in post until it opens

    autumn = _at(table, "2026-autumn", "all")
    # Open: A, B (carried forward from summer), D, E. Opened: D, E. Closed: C.
    assert autumn[["providers", "returns_made", "carried_forward"]].tolist() == [4, 3, 1]
    assert autumn[["openings", "closures"]].tolist() == [2, 1]
    assert autumn["places_3_4"] == 40 + 3 + 30 + 8
    assert autumn["vacancies_3_4"] == 3 + 1 + 10 + 0
    assert autumn[["staff_total", "staff_vacancies"]].tolist() == [10 + 1 + 5 + 2, 2 + 0 + 3]
    assert autumn["staff_vacancy_rate"] == pytest.approx(5 / 23)
    assert autumn[["staff_leavers", "staff_recruits"]].tolist() == [2, 1 + 5]
    assert autumn[["providers_day_nursery", "providers_other"]].tolist() == [2, 1]


def test_trends_by_ward_add_up_and_place_openings_and_closures(three_terms):
    _, located = three_terms
    table = trends(located, WARDS)
    west, east = _at(table, "2026-autumn", "E05000001"), _at(table, "2026-autumn", "E05000002")
    assert west["ward_name"] == "Ward E05000001"
    # West: A and E open, E opened, C closed. East: B (carried forward) and D, D opened.
    assert west[["providers", "openings", "closures", "places_3_4"]].tolist() == [2, 1, 1, 48]
    assert east[["providers", "openings", "closures", "places_3_4"]].tolist() == [2, 1, 0, 33]
    assert east["carried_forward"] == 1
    numbers = [
        c
        for c in table.columns
        if c not in ("term", "ward_code", "ward_name")
        and not c.endswith(("_rate", "_share", "_per_recruit"))
    ]
    for term in THREE_TERMS:
        wards = table[(table["term"] == term) & (table["ward_code"] != "all")]
        city = _at(table, term, "all")
        assert wards[numbers].sum(min_count=1).fillna(0).tolist() == pytest.approx(
            city[numbers].fillna(0).astype(float).tolist()
        )


def test_leaver_reasons_ranked(three_terms):
    _, located = three_terms
    reasons = leaver_reasons(located, WARDS)
    city = reasons[reasons["ward_code"] == "all"]
    # Spring: A "pay; hours", C "Pay" -> pay 2, hours 1. Summer: A "pay", C "closure; pay".
    # Autumn: A "pay; hours" again -> a tie, both ranked 1, in alphabetical order.
    assert city[["term", "reason", "mentions", "rank"]].values.tolist() == [
        ["2026-spring", "pay", 2, 1],
        ["2026-spring", "hours", 1, 2],
        ["2026-summer", "pay", 2, 1],
        ["2026-summer", "closure", 1, 2],
        ["2026-autumn", "hours", 1, 1],
        ["2026-autumn", "pay", 1, 1],
    ]
    east = reasons[reasons["ward_code"] == "E05000002"]
    assert east.empty  # B and D gave no reasons
