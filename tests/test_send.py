"""SEND in early years: expected children with SEND in funded places against those on roll."""

from __future__ import annotations

import numpy as np
import pandas as pd
from conftest import inside, provider, write_area

from sufficiency.assess import assess

CODES = ("E05000001", "E05000002", "E05000003")


def _rows():
    rows = []
    for i, send in enumerate([10, 0, ""]):
        x, y = inside(i)
        # 0 under 2s, 10 2-year-olds and 30 3-4s on roll; 10 places for 2s, 30 for 3-4s.
        rows.append(
            provider(
                urn=f"EY10000{i + 1}",
                easting=x,
                northing=y,
                places_2=10,
                places_3_4=30,
                children_2=10,
                children_3_4=30,
                staff_total=6,
                staff_level3=5,
                send_children=send,
            )
        )
    return rows


def test_send_expected_and_on_roll_by_hand(tmp_path):
    overrides = pd.DataFrame(
        {"ward_code": ["E05000002"], "key": ["send.share_3_4"], "value": [0.10]}
    )
    area = write_area(
        tmp_path / "area",
        codes=CODES,
        returns={"2026-autumn": _rows()},
        extra={"ward_parameters.csv": overrides},
    )
    result = assess(area)
    gap = result.gap
    first = gap[gap["term"] == "2027-spring"].set_index(["ward_code", "age_group"])
    # 10 births a month; at a spring term the 3_4 window holds 16 birth months = 160 children,
    # 90% take the universal 15 hours: 144 funded; 8% of them expected with SEND = 11.52.
    assert first.loc[("E05000001", "3_4"), "funded_children"] == 144.0
    assert np.isclose(first.loc[("E05000001", "3_4"), "send_expected"], 11.52)
    # The ward override: 10% in E05000002, 14.4.
    assert np.isclose(first.loc[("E05000002", "3_4"), "send_expected"], 14.4)
    # 2-year-olds: 120 children x (0.45 x 0.85 + 0.21 x 0.72) = 64.044 funded; x 4.9% = 3.138.
    assert np.isclose(first.loc[("E05000001", "2"), "send_expected"], 64.044 * 0.049)
    # under 2s: 150 children x 0.49 x 0.70 = 51.45 funded; x 2% = 1.029.
    assert np.isclose(first.loc[("E05000001", "under2"), "send_expected"], 1.029)
    # On roll: 10 children with SEND split as the roll (10 2s, 30 3-4s): 2.5 and 7.5.
    assert first.loc[("E05000001", "2"), "send_on_roll"] == 2.5
    assert first.loc[("E05000001", "3_4"), "send_on_roll"] == 7.5
    assert first.loc[("E05000001", "under2"), "send_on_roll"] == 0.0
    assert first.loc[("E05000002", "3_4"), "send_on_roll"] == 0.0
    # No figure given in E05000003: empty, not 0.
    assert first.loc["E05000003", "send_on_roll"].isna().all()
    # Every term carries the latest return's figure.
    assert set(gap.loc[gap["ward_code"] == "E05000001", "send_on_roll"]) == {0.0, 2.5, 7.5}
    # Flag: on roll below half of expected (all age groups). E05000001: 10 against
    # 1.029 + 3.138 + 11.52 = 15.69, half is 7.84: not flagged. E05000002: 0 against about
    # 18.6: flagged. E05000003: no figure, not flagged.
    table = result.send.set_index("ward_code")
    assert np.isclose(table.loc["E05000001", "send_expected"], 1.029 + 64.044 * 0.049 + 11.52)
    assert table["flagged"].tolist() == [False, True, False]
    assert any(
        "1 ward(s) have fewer children with SEND" in n and "Ward E05000002" in n
        for n in result.notes
    )


def test_send_columns_follow_the_contract_and_waiting_list(tmp_path):
    gap = assess(write_area(tmp_path / "area")).gap
    columns = list(gap.columns)
    assert columns[columns.index("waiting_list") + 1 :][:2] == ["send_expected", "send_on_roll"]
    # The default provider gives no send_children: empty on roll, never 0.
    assert gap["send_on_roll"].isna().all()
    assert (gap["send_expected"] > 0).all()
