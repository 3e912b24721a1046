"""The command line from a user's seat: outputs, summary and errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import SHARED, write_area

from sufficiency.cli.main import cli
from sufficiency.gap import COLUMNS

CHECK_GAP = SHARED / "tools" / "check_gap.py"
SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def invoke(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_run_writes_the_contract_and_a_summary(tiny_area, tmp_path):
    out = tmp_path / "out"
    result = invoke("run", "--area", str(tiny_area), "--out", str(out))
    assert result.exit_code == 0, result.output
    gap = pd.read_csv(out / "gap.csv", dtype={"age_group": str})
    assert list(gap.columns[:14]) == COLUMNS
    assert list(gap.columns[14:]) == [
        "accessible_places_per_100",
        "accessibility_from",
        "demand_points",
        "waiting_list",
        "send_expected",
        "send_on_roll",
    ]
    # 12 terms x 2 wards x 3 age groups, from the term after the 2026-autumn return.
    assert len(gap) == 72
    assert gap["term"].iloc[0] == "2027-spring" and gap["term"].iloc[-1] == "2030-autumn"
    row = gap[
        (gap["term"] == "2027-summer")
        & (gap["ward_code"] == "E05000001")
        & (gap["age_group"] == "3_4")
    ].iloc[0]
    # 10 births a month: 190 children in summer. Funded 0.9 x 190 = 171.
    # Hours: 171 x 15 + 190 x 0.30 x 0.91 x 15 + 2 x 190 = 2565 + 778.05 + 380 = 3723.05
    # (74.461 places). Supply 40; gap 40 x 0.9 - 74.461 = -38.461. Projection: 2 vacancies in
    # autumn 2026, demand then 120 children: (108 x 15 + 120 x 0.30 x 0.91 x 15 + 240) / 50 =
    # (1620 + 491.4 + 240) / 50 = 47.028; 2 + 0 - (74.461 - 47.028) = -25.433.
    assert row["children"] == pytest.approx(190)
    assert row["funded_children"] == pytest.approx(171)
    assert row["demand_hours"] == pytest.approx(3723.05)
    assert row["gap_places"] == pytest.approx(-38.461)
    assert row["places_per_100"] == pytest.approx(100 * 40 / 190)
    assert row["projected_vacancies"] == pytest.approx(-25.433)
    assert row["status"] == "deficit"
    # Accessibility (E2SFCA, Gaussian, sigma = 0.5 x the 3 km catchment = 1,500 m) from the two
    # ward centroids, 1,000 m apart; the nursery sits on ward 1's. Weight next door:
    # w = exp(-1000^2 / (2 x 1500^2)) = 0.800737. In summer 190 children in each ward:
    # R = 40 / (190 + 190 w) = 0.1169112; ward 1: 100 R = 11.6911; ward 2: 100 R w = 9.3615.
    summer = gap[(gap["term"] == "2027-summer") & (gap["age_group"] == "3_4")]
    assert summer["accessible_places_per_100"].tolist() == pytest.approx(
        [11.6911, 9.3615], abs=1e-4
    )
    assert set(summer["accessibility_from"]) == {"ward_centroid"}
    # No provider offers places to under-2s or 2s: 0 within reach, first of them ward 1's.
    assert (
        "Fewest places within reach across ward lines in 2027-spring: Ward E05000001, "
        "under 2s, 0 per 100 children" in result.output
    )
    assert "In deficit" in result.output and "Ward E05000001" in result.output
    assert (out / "sufficiency.xlsx").exists()
    sheets = pd.read_excel(out / "sufficiency.xlsx", sheet_name=None)
    assert list(sheets) == [
        "About",
        "Gap by ward",
        "Ward summary",
        "Take-up fit",
        "SEND",
        "Notes",
        "Parameters",
        "Data dictionary",
    ]


@pytest.mark.skipif(not CHECK_GAP.exists(), reason="../shared/tools/check_gap.py is not here")
def test_gap_csv_passes_the_shared_checker(tiny_area, tmp_path):
    invoke("run", "--area", str(tiny_area), "--out", str(tmp_path / "out"))
    checked = subprocess.run(
        [sys.executable, str(CHECK_GAP), str(tmp_path / "out" / "gap.csv")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout
    assert "gap table holds the contract" in checked.stdout


def test_terms_and_parameters_options(tiny_area, tmp_path):
    params = tmp_path / "p.toml"
    params.write_text("utilisation = 1.0\nhours_per_place = 40\n")
    result = invoke(
        "run",
        "--area",
        str(tiny_area),
        "--out",
        str(tmp_path / "o"),
        "--first-term",
        "2027-summer",
        "--last-term",
        "2027-autumn",
        "--parameters",
        str(params),
    )
    assert result.exit_code == 0, result.output
    gap = pd.read_csv(tmp_path / "o" / "gap.csv", dtype={"age_group": str})
    assert gap["term"].unique().tolist() == ["2027-summer", "2027-autumn"]
    row = gap[(gap["ward_code"] == "E05000001") & (gap["age_group"] == "3_4")].iloc[0]
    # 2,000 place-hours / 40 = 50 places, all usable.
    assert row["supply_places"] == pytest.approx(50)
    assert row["gap_places"] == pytest.approx(50 - row["demand_hours"] / 40)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--first-term", "2027-winter"], "not a funding term (found '2027-winter')"),
        (["--first-term", "2028-spring", "--last-term", "2027-spring"], "is before the first"),
        (["--area", "/no/such/folder"], "no such area folder"),
    ],
)
def test_mistakes_are_one_clear_line(tiny_area, tmp_path, args, message):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("earlier work")
    base = ["run", "--out", str(out)]
    if "--area" not in args:
        base += ["--area", str(tiny_area)]
    result = CliRunner().invoke(cli, base + args)
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]


def test_failed_write_leaves_output_folder_as_it_was(tiny_area, tmp_path, monkeypatch):
    import sufficiency.outputs.tables as outputs

    out = tmp_path / "out"
    invoke("run", "--area", str(tiny_area), "--out", str(out))
    before = (out / "gap.csv").read_bytes()

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(outputs, "write_workbook", broken)
    with pytest.raises(OSError):
        outputs.write_assessment(__import__("sufficiency").assess(tiny_area), out)
    assert (out / "gap.csv").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["area", "out"]


def test_formula_text_is_neutralised(tmp_path):
    folder = write_area(tmp_path / "a")
    import geopandas as gpd

    wards = gpd.read_file(folder / "wards.geojson")
    wards.loc[0, "ward_name"] = '=HYPERLINK("http://x")'
    wards.to_file(folder / "wards.geojson", driver="GeoJSON")
    invoke("run", "--area", str(folder), "--out", str(tmp_path / "o"))
    gap = pd.read_csv(tmp_path / "o" / "gap.csv")
    assert gap["ward_name"].iloc[0] == '\'=HYPERLINK("http://x")'
    sheet = pd.read_excel(tmp_path / "o" / "sufficiency.xlsx", sheet_name="Gap by ward")
    assert sheet["Ward"].iloc[0].startswith("'=")


def test_help_explains_with_an_example():
    for args in (["--help"], ["run", "--help"]):
        result = invoke(*args)
        assert result.exit_code == 0
        assert "Examples:" in result.output and "sufficiency run" in result.output


def test_an_output_path_that_cannot_be_written_is_one_line(tiny_area, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = CliRunner().invoke(cli, ["run", "--area", str(tiny_area), "--out", str(blocker)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "a-file: File exists" in result.output
    assert blocker.read_text() == "not a folder"


def test_closed_providers_are_not_counted_as_missing_returns(tmp_path):
    from conftest import inside, provider

    import sufficiency

    x, y = inside(0)
    rows = {
        "2026-summer": [
            provider(easting=x, northing=y),
            provider(
                urn="EY100002", easting=x, northing=y, status="closed", status_date="2026-07-31"
            ),
            provider(urn="EY100003", easting=x, northing=y),
        ],
        "2026-autumn": [provider(easting=x, northing=y)],
    }
    result = sufficiency.assess(write_area(tmp_path / "a", returns=rows))
    notes = [n for n in result.notes if "made no return" in n]
    assert notes == [
        "1 provider(s) made no return for 2026-autumn; their last return was carried forward "
        "(EY100003)"
    ]


def _same_as_the_csv(out: Path) -> pd.DataFrame:
    """gap.parquet holds what gap.csv holds, column for column, with the CSV's types."""
    from_csv = pd.read_csv(out / "gap.csv")
    from_parquet = pd.read_parquet(out / "gap.parquet")
    pd.testing.assert_frame_equal(from_parquet, from_csv, check_exact=True)
    assert list(from_parquet.columns) == list(from_csv.columns)
    return from_parquet


def test_run_parquet_writes_the_gap_table_with_its_types(tmp_path):
    pytest.importorskip("pyarrow", reason="pyarrow is a dependency: pip install -e . again")
    out = tmp_path / "out"
    result = invoke("run", "--parquet", "--no-maps", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "gap.parquet" in result.output.splitlines()[-1]
    gap = _same_as_the_csv(out)
    assert list(gap.columns[:14]) == COLUMNS
    assert len(gap) == 12 * 16 * 3  # the demo: 12 terms, 16 wards, 3 age groups
    text = ["scenario", "term", "ward_code", "ward_name", "age_group", "status"]
    assert all(pd.api.types.is_string_dtype(gap[c]) for c in text)
    assert gap["age_group"].unique().tolist() == ["under2", "2", "3_4"]  # "2" stays text
    numbers = gap.columns[5:13]
    assert (gap.dtypes[numbers] == "float64").all()
    assert gap["demand_points"].dtype == "int64"


def test_run_parquet_with_scenarios_and_draws(tmp_path):
    pytest.importorskip("pyarrow", reason="pyarrow is a dependency: pip install -e . again")
    out = tmp_path / "out"
    closures, staffing = SCENARIOS / "closures.toml", SCENARIOS / "staffing_crisis.toml"
    args = ["--scenario", str(closures), "--scenario", str(staffing), "--draws", "20"]
    result = invoke("run", "--parquet", "--no-maps", "--out", str(out), *args)
    assert result.exit_code == 0, result.output
    gap = _same_as_the_csv(out)
    assert gap["scenario"].nunique() == 2
    assert {"gap_median", "gap_p05", "gap_p95", "p_deficit"} <= set(gap.columns)
    assert (gap.dtypes[["gap_median", "p_deficit"]] == "float64").all()


def test_run_writes_no_parquet_unless_asked(tiny_area, tmp_path):
    out = tmp_path / "out"
    assert invoke("run", "--area", str(tiny_area), "--no-maps", "--out", str(out)).exit_code == 0
    assert not (out / "gap.parquet").exists()


def test_run_help_names_the_parquet_option():
    result = invoke("run", "--help")
    assert "--parquet" in result.output
    assert "OUT/gap.parquet" in " ".join(result.output.split())
