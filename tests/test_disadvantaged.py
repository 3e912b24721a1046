"""Disadvantaged 2-year-olds: take-up against the DWP list of eligible families."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import inside, provider, write_area

from sufficiency.area import load_area
from sufficiency.assess import assess
from sufficiency.errors import InputError


def _rows(funded_1, funded_2):
    (x1, y1), (x2, y2) = inside(0), inside(1)
    return [
        provider(urn="EY100001", easting=x1, northing=y1, funded_2_disadvantaged=funded_1[0]),
        provider(urn="EY100002", easting=x1 + 5, northing=y1, funded_2_disadvantaged=funded_1[1]),
        provider(urn="EY100003", easting=x2, northing=y2, funded_2_disadvantaged=funded_2),
    ]


def test_take_up_of_eligible_2s_by_hand(tmp_path):
    eligible = pd.DataFrame(
        {
            "ward_code": ["E05000001", "E05000002", "E05000001", "E05000002"],
            "term": ["2026-summer", "2026-summer", "2026-autumn", "2026-autumn"],
            "eligible": [40, 10, 50, 20],
        }
    )
    area = write_area(
        tmp_path / "area",
        returns={"2026-summer": _rows((12, 14), 9), "2026-autumn": _rows((20, 22), "")},
        extra={"eligible_2s.csv": eligible},
    )
    table = assess(area).disadvantaged_2s
    got = table.set_index(["term", "ward_code"])
    # Summer: ward 1 (12 + 14) / 40 = 0.65, below 0.80; ward 2 9 / 10 = 0.90, above.
    assert got.loc[("2026-summer", "E05000001"), "take_up"] == pytest.approx(0.65)
    assert got.loc[("2026-summer", "E05000002"), "take_up"] == pytest.approx(0.90)
    # Autumn: ward 1 (20 + 22) / 50 = 0.84; ward 2 gave no figure: empty, not 0.
    assert got.loc[("2026-autumn", "E05000001"), "take_up"] == pytest.approx(0.84)
    assert np.isnan(got.loc[("2026-autumn", "E05000002"), "take_up"])
    assert table["below_target"].tolist() == [True, False, False, False]
    assert set(table["target"]) == {0.80}
    assert list(table["term"]) == ["2026-summer"] * 2 + ["2026-autumn"] * 2


def test_published_city_take_up_holds_back_a_term_one_provider_changes(tmp_path):
    """City-wide funded 2s in summer and autumn: summer 12 + 14 + 9 = 35, autumn 12 + 14 + 19
    = 45 (only EY100003 changed, by 10): published, autumn's funded and take-up are not shown
    (45 - 35 would be that provider's change); internally both are."""
    from sufficiency.outputs import duty

    eligible = pd.DataFrame(
        {
            "ward_code": ["E05000001", "E05000002"] * 2,
            "term": ["2026-summer"] * 2 + ["2026-autumn"] * 2,
            "eligible": [40, 10, 40, 20],
        }
    )
    area = write_area(
        tmp_path / "area",
        returns={"2026-summer": _rows((12, 14), 9), "2026-autumn": _rows((12, 14), 19)},
        extra={"eligible_2s.csv": eligible},
    )
    result = assess(area)
    internal = duty.take_up_context(result, publish=False, threshold=5)["city"]
    published = duty.take_up_context(result, publish=True, threshold=5)["city"]
    # Take-up: summer 35 / 50 = 70%; autumn 45 / 60 = 75%.
    assert [(r["funded"], r["take_up"]) for r in internal] == [("35", "70%"), ("45", "75%")]
    assert [(r["funded"], r["take_up"]) for r in published] == [
        ("35", "70%"),
        ("not shown", "not shown"),
    ]


def test_bad_eligible_2s_files_name_the_row_and_column(tmp_path):
    for name, frame, column in [
        ("a", {"ward_code": ["E05000009"], "term": ["2026-autumn"], "eligible": [5]}, "ward_code"),
        ("b", {"ward_code": ["E05000001"], "term": ["autumn 2026"], "eligible": [5]}, "term"),
        ("c", {"ward_code": ["E05000001"], "term": ["2026-autumn"], "eligible": [-5]}, "eligible"),
    ]:
        area = write_area(tmp_path / name, extra={"eligible_2s.csv": pd.DataFrame(frame)})
        with pytest.raises(InputError) as caught:
            load_area(area)
        assert (caught.value.row, caught.value.column) == (2, column), caught.value
    twice = pd.DataFrame(
        {"ward_code": ["E05000001"] * 2, "term": ["2026-autumn"] * 2, "eligible": [5, 6]}
    )
    area = write_area(tmp_path / "d", extra={"eligible_2s.csv": twice})
    with pytest.raises(InputError, match="given twice") as caught:
        load_area(area)
    assert caught.value.row == 3


def test_without_the_list_there_is_no_take_up_table(tmp_path):
    assert assess(write_area(tmp_path / "area")).disadvantaged_2s is None


def test_a_bad_list_is_one_line_and_exit_1_on_the_command_line(tmp_path):
    from click.testing import CliRunner

    from sufficiency.cli.main import cli

    bad = pd.DataFrame({"ward_code": ["E05000001"], "term": ["2026-autumn"], "eligible": ["x"]})
    area = write_area(tmp_path / "area", extra={"eligible_2s.csv": bad})
    result = CliRunner().invoke(cli, ["run", "--area", str(area), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "eligible_2s.csv" in result.output and "row 2" in result.output
    assert "eligible" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "o").exists()  # nothing written
