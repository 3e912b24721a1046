"""Demand allocated by a flow matrix: hand-worked moves, conservation and the file's checks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sufficiency.area import check_flows, read_flows
from sufficiency.errors import InputError
from sufficiency.flows import allocate, flow_columns, flow_matrix
from sufficiency.terms import Term

WARDS = pd.Index(["E05000001", "E05000002", "E05000003"])


def flows(*rows: tuple[str, str, float]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["home_ward_code", "setting_ward_code", "share"])


def test_all_of_a_wards_demand_next_door_moves_its_gap_exactly():
    # Ward 1 needs 30 places and has none; ward 2 needs 10 and has 60 (x 0.9 utilisation = 54).
    # Within wards: gaps -30 and +44. With every ward-1 child attending in ward 2: ward 1 has
    # no demand left (gap 0), ward 2 meets 40 (gap 54 - 40 = 14). Ward 3 is not in the file.
    terms = [Term.parse("2027-spring")]
    demand = np.zeros((3, 1, 3))
    supply = np.zeros((3, 1, 3))
    demand[0, 0, 2], demand[1, 0, 2], demand[2, 0, 2] = 30.0, 10.0, 5.0
    supply[1, 0, 2], supply[2, 0, 2] = 60.0, 5.0
    table = flow_columns(
        terms=terms,
        wards=WARDS,
        demand_places=demand,
        supply_places=supply,
        flows=flows(("E05000001", "E05000002", 1.0)),
        utilisation=0.9,
        margin=0.05,
    )
    three_four = table[table["age_group"] == "3_4"].set_index("ward_code")
    assert three_four["demand_places_flows"].tolist() == [0.0, 40.0, 5.0]
    assert three_four["gap_places_flows"].tolist() == pytest.approx([0.0, 14.0, -0.5])
    assert three_four["status_flows"].tolist() == ["sufficient", "sufficient", "deficit"]
    assert table.columns.tolist() == [
        "term",
        "ward_code",
        "age_group",
        "demand_places_flows",
        "gap_places_flows",
        "status_flows",
    ]
    assert table["age_group"].tolist()[:3] == ["under2", "2", "3_4"]


def test_a_share_moves_that_share():
    # Ward 1: 40 places of demand, a quarter attends in ward 3: 30 stay, 10 move.
    moved = allocate(
        np.array([40.0, 0.0, 2.0]),
        flows(("E05000001", "E05000001", 0.75), ("E05000001", "E05000003", 0.25)),
        WARDS,
    )
    assert moved.tolist() == [30.0, 0.0, 12.0]


def test_total_demand_is_kept_and_absent_wards_keep_their_own():
    rng = np.random.default_rng(3)
    codes = pd.Index([f"E05{i:06d}" for i in range(50)])
    share = rng.dirichlet(np.ones(4), 40)  # 40 home wards, 4 setting wards each
    setting = np.stack([rng.choice(50, 4, replace=False) for _ in range(40)])
    table = pd.DataFrame(
        {
            "home_ward_code": np.repeat(codes[:40], 4),
            "setting_ward_code": codes[setting.reshape(-1)],
            "share": share.reshape(-1),
        }
    )
    table = check_flows(table, codes)
    demand = rng.uniform(0, 100, (50, 12, 3))
    moved = allocate(demand, table, codes)
    assert moved.shape == demand.shape
    np.testing.assert_allclose(moved.sum(axis=0), demand.sum(axis=0), rtol=1e-12)
    # Wards 40-49 send nothing anywhere: what is left of them is their own demand plus inflows.
    inflow = allocate(np.where(np.arange(50)[:, None, None] < 40, demand, 0), table, codes)
    np.testing.assert_allclose(moved[40:], demand[40:] + inflow[40:], rtol=1e-12)
    rows = flow_matrix(table, codes).sum(axis=1)
    np.testing.assert_allclose(rows, 1.0)


def test_shares_not_adding_to_one_name_the_ward():
    bad = flows(
        ("E05000001", "E05000001", 1.0),
        ("E05000002", "E05000002", 0.5),
        ("E05000002", "E05000001", 0.4),
    )
    with pytest.raises(InputError, match=r"home ward E05000002 add up to 0\.9, not 1"):
        check_flows(bad, WARDS)
    # Within the tolerance is fine.
    check_flows(
        flows(("E05000002", "E05000002", 0.6), ("E05000002", "E05000001", 0.4 + 5e-7)), WARDS
    )


def test_unknown_wards_name_the_row_and_column(tmp_path: Path):
    path = tmp_path / "flows.csv"
    flows(
        ("E05000001", "E05000001", 0.5),
        ("E05000001", "E05999999", 0.5),
    ).to_csv(path, index=False)
    with pytest.raises(InputError) as error:
        read_flows(path, WARDS)
    assert (error.value.row, error.value.column, error.value.value) == (
        3,
        "setting_ward_code",
        "E05999999",
    )
    flows(("E05999999", "E05000001", 1.0)).to_csv(path, index=False)
    with pytest.raises(InputError) as error:
        read_flows(path, WARDS)
    assert (error.value.row, error.value.column) == (2, "home_ward_code")


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([("E05000001", "E05000002", 1.5)], "a share above 1"),
        ([("E05000001", "E05000002", -0.5), ("E05000001", "E05000001", 1.5)], "negative"),
        ([("E05000001", "E05000002", 0.5), ("E05000001", "E05000002", 0.5)], "given twice"),
    ],
)
def test_impossible_shares_are_errors(rows, message):
    with pytest.raises(InputError, match=message):
        check_flows(flows(*rows), WARDS)


def test_missing_column_is_an_error(tmp_path: Path):
    path = tmp_path / "flows.csv"
    pd.DataFrame({"home_ward_code": ["E05000001"], "share": [1.0]}).to_csv(path, index=False)
    with pytest.raises(InputError, match="missing column") as error:
        read_flows(path, WARDS)
    assert error.value.column == "setting_ward_code"


def test_file_with_spaces_and_text_shares_reads(tmp_path: Path):
    path = tmp_path / "flows.csv"
    path.write_text(
        "home_ward_code,setting_ward_code,share\n"
        " E05000001 ,E05000001,0.8\n"
        "E05000001,E05000002, 0.2\n",
        encoding="utf-8",
    )
    table = read_flows(path, WARDS)
    assert table["home_ward_code"].tolist() == ["E05000001", "E05000001"]
    assert allocate(np.array([10.0, 0.0, 0.0]), table, WARDS).tolist() == [8.0, 2.0, 0.0]
