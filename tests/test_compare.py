"""Runs of several scenarios and their comparison, from a user's seat (the command line)."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import SHARED, inside, provider, write_area

from sufficiency.catchment import COLUMNS as ACCESS_COLUMNS
from sufficiency.cli.main import cli
from sufficiency.gap import COLUMNS
from sufficiency.scenarios.uncertainty import SUMMARY_COLUMNS

CHECK_GAP = SHARED / "tools" / "check_gap.py"
CLOSE = """
name = "close_acorns"
description = "Little Acorns closes from 2027-summer."
[[closures]]
urn = "EY100001"
from = "2027-summer"
"""
TAKE_UP = """
name = "low_take_up"
description = "Take-up of the universal 15 hours falls to 50%."
[parameters.take_up]
universal_3_4 = 0.5
"""


@pytest.fixture
def area(tmp_path):
    x, y = inside(0)
    return write_area(
        tmp_path / "area",
        returns={
            "2026-autumn": [
                provider(easting=x, northing=y, places_3_4=140, staff_total=20),
            ]
        },
    )


@pytest.fixture
def files(tmp_path):
    close, take_up = tmp_path / "close.toml", tmp_path / "take_up.toml"
    close.write_text(CLOSE)
    take_up.write_text(TAKE_UP)
    return close, take_up


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def read_gap(path):
    return pd.read_csv(path, dtype={"age_group": str, "ward_code": str})


def test_run_with_several_scenarios_writes_one_sorted_gap_table(area, files, tmp_path):
    out = tmp_path / "out"
    result = invoke(
        "run", "--area", area, "--out", out, "--scenario", files[1], "--scenario", files[0]
    )
    assert result.exit_code == 0, result.output
    gap = read_gap(out / "gap.csv")
    assert list(gap.columns) == [
        *COLUMNS,
        *ACCESS_COLUMNS,
        "waiting_list",
        "send_expected",
        "send_on_roll",
    ]
    assert gap["scenario"].unique().tolist() == ["close_acorns", "low_take_up"]  # sorted
    assert len(gap) == 2 * 72
    if CHECK_GAP.exists():
        checked = subprocess.run(
            [sys.executable, str(CHECK_GAP), str(out / "gap.csv")],
            capture_output=True,
            text=True,
            check=False,
        )
        assert checked.returncode == 0, checked.stdout
    sheets = pd.read_excel(out / "sufficiency.xlsx", sheet_name=None)
    assert {"Gap by ward", "Ward summary", "Take-up fit", "Scenarios", "Notes"} <= set(sheets)
    assert "Scenario close_acorns" in result.output and "Scenario low_take_up" in result.output


def test_compare_puts_gaps_side_by_side_with_the_change_from_the_baseline(area, files, tmp_path):
    out = tmp_path / "out"
    result = invoke("compare", *files, "--area", area, "--out", out)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "comparison.csv", dtype={"age_group": str})
    assert list(table.columns[:4]) == ["term", "ward_code", "ward_name", "age_group"]
    assert {"gap_baseline", "gap_close_acorns", "change_close_acorns", "status_low_take_up"} <= set(
        table.columns
    )
    assert len(table) == 72
    row = table[(table["ward_code"] == "E05000001") & (table["age_group"] == "3_4")]
    change = row.set_index("term")["change_close_acorns"]
    # 140 places x 0.9 utilisation = 126 places lost from 2027-summer, none before.
    assert change["2027-spring"] == 0
    assert change["2027-summer"] == pytest.approx(-126)
    # 3-4s in summer: 190 children; universal take-up 0.9 -> 0.5 is 76 fewer children x 15 h
    # = 1,140 hours = 22.8 places more gap.
    assert row.set_index("term").loc["2027-summer", "change_low_take_up"] == pytest.approx(22.8)
    assert "close_acorns: 1 ward(s) change status" in result.output
    assert "sufficient -> deficit from 2027-summer" in result.output
    # The largest move in whole places, as every figure of the terminal is (126 = 140 x 0.9).
    assert "gap moves -126 places at most" in result.output
    gap = read_gap(out / "gap.csv")
    assert gap["scenario"].unique().tolist() == ["baseline", "close_acorns", "low_take_up"]
    assert "Scenario comparison" in pd.read_excel(out / "sufficiency.xlsx", sheet_name=None)


def test_draws_add_columns_after_the_contract_and_the_same_seed_gives_the_same_bytes(
    area, files, tmp_path
):
    args = ["run", "--area", area, "--scenario", files[0], "--draws", 300, "--seed", 9]
    assert invoke(*args, "--out", tmp_path / "a").exit_code == 0
    assert invoke(*args, "--out", tmp_path / "b").exit_code == 0
    first = (tmp_path / "a" / "gap.csv").read_bytes()
    assert first == (tmp_path / "b" / "gap.csv").read_bytes()
    gap = read_gap(tmp_path / "a" / "gap.csv")
    assert list(gap.columns) == [
        *COLUMNS,
        *ACCESS_COLUMNS,
        "waiting_list",
        "send_expected",
        "send_on_roll",
        *SUMMARY_COLUMNS,
    ]
    assert gap["p_deficit"].between(0, 1).all()
    assert invoke(*args[:-1], 10, "--out", tmp_path / "c").exit_code == 0
    assert (tmp_path / "c" / "gap.csv").read_bytes() != first
    sheet = pd.read_excel(tmp_path / "a" / "sufficiency.xlsx", sheet_name="Gap by ward")
    assert list(sheet.columns[-4:]) == [
        "Gap, median of draws",
        "Gap, 5th percentile",
        "Gap, 95th percentile",
        "Chance of a deficit",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('name = "x"\ndescription = "d"\nspeed = 3\n', "unknown key 'speed'"),
        (
            'name = "x"\ndescription = "d"\n[parameters.take_up]\nuniversal_3_4 = 1.5\n',
            "take_up.universal_3_4 is a share and must be between 0 and 1",
        ),
        (
            'name = "x"\ndescription = "d"\n[[closures]]\nurn = "EY123456"\nfrom = "first"\n',
            "closures[0].urn: EY123456 is not a provider",
        ),
        (
            'name = "x"\ndescription = "d"\n[[closures]]\nurn = "EY100001"\nfrom = 2040-01-01\n',
            "2040-01-01 is outside the run",
        ),
        ('name = "close_acorns"\ndescription = "d"\n', "is also the name of"),
        ("name = [", "not valid TOML"),
    ],
)
def test_a_bad_scenario_is_one_line_and_nothing_is_written(area, files, tmp_path, text, message):
    bad = tmp_path / "bad.toml"
    bad.write_text(text)
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("earlier work")
    for command in (["compare", files[0], bad], ["run", "--scenario", files[0], "--scenario", bad]):
        result = invoke(*command, "--area", area, "--out", out)
        assert result.exit_code == 1
        assert message in result.output and str(bad) in result.output
        assert "Traceback" not in result.output
        assert len(result.output.strip().splitlines()) == 1
        assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]


def test_help_shows_the_scenario_options():
    result = invoke("run", "--help")
    for option in (
        "--scenario",
        "--draws",
        "--seed",
        "--area",
        "--parameters",
        "--first-term",
        "--last-term",
        "--out",
    ):
        assert option in result.output
    assert "sufficiency compare" in invoke("compare", "--help").output


def test_school_age_status_changes_by_provision_in_the_ward_section():
    """compare's ward section covers school-age provision: a ward whose breakfast clubs go from
    sufficient (+5) to deficit (-10, then -12) under a scenario, after-school unchanged."""
    from sufficiency.scenarios.compare import status_changes
    from sufficiency.school_age import PROVISIONS

    rows = pd.DataFrame(
        {
            "scenario": ["baseline"] * 4 + ["wrap"] * 4,
            "term": ["2027-spring", "2027-spring", "2027-summer", "2027-summer"] * 2,
            "ward_code": ["A"] * 8,
            "ward_name": ["Ay"] * 8,
            "provision": ["breakfast", "after_school"] * 4,
            "gap_places": [5.0, 8.0, 5.0, 8.0, -10.0, 8.0, -12.0, 8.0],
            "status": ["sufficient"] * 4 + ["deficit", "sufficient"] * 2,
        }
    )
    changes = status_changes(rows, group_column="provision", groups=PROVISIONS)
    assert changes[["ward_code", "provision", "first_term", "terms_changed"]].values.tolist() == [
        ["A", "breakfast", "2027-spring", 2]
    ]
    # The largest fall: -12 - 5 = -17 places (summer).
    assert changes.loc[0, "largest_change"] == -17.0
    assert (changes.loc[0, "status_baseline"], changes.loc[0, "status"]) == (
        "sufficient",
        "deficit",
    )
