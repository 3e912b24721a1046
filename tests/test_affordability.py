"""Affordability: fee medians, the typical package's weekly cost and its share of income."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from conftest import inside, provider, write_area

from sufficiency import affordability
from sufficiency.area import load_area
from sufficiency.assess import assess
from sufficiency.errors import InputError

# Ward 1: five providers giving fee_hourly_2 and charges_weekly; ward 2: two, one with no
# charges given.
FEES_1 = [(6.00, 10), (6.50, 0), (7.00, 15), (8.00, 5), (9.50, 20)]
FEES_2 = [(5.00, 0), (6.00, "")]


def _rows():
    rows = []
    for ward, fees in ((0, FEES_1), (1, FEES_2)):
        x, y = inside(ward)
        for i, (fee, charges) in enumerate(fees):
            rows.append(
                provider(
                    urn=f"EY{ward + 1}0000{i}",
                    easting=x + i,
                    northing=y,
                    fee_hourly_2=fee,
                    fee_hourly_3_4=4.0 + i,
                    charges_weekly=charges,
                )
            )
    return rows


def _area(tmp_path, extra=None):
    return write_area(tmp_path / "area", returns={"2026-autumn": _rows()}, extra=extra)


def test_median_fee_and_the_typical_package_by_hand(tmp_path):
    income = pd.DataFrame(
        {
            "ward_code": ["E05000001", "E05000001", "E05000002"],
            "msoa_code": ["E02000001", "E02000002", "E02000003"],
            "income": [30_000, 40_000, 26_000],
        }
    )
    result = assess(_area(tmp_path, {"income.csv": income}))
    table = result.affordability.set_index("ward_code")
    one, two = table.loc["E05000001"], table.loc["E05000002"]
    # Fees 6.00, 6.50, 7.00, 8.00, 9.50: the median is 7.00, from 5 providers.
    assert (one["fee_median_2"], one["fee_providers_2"]) == (7.0, 5)
    assert (two["fee_median_2"], two["fee_providers_2"]) == (5.5, 2)
    # 3-4 fees 4, 5, 6, 7, 8: median 6; none for under 2s (empty, 0 providers).
    assert one["fee_median_3_4"] == 6.0
    assert np.isnan(one["fee_median_under2"]) and one["fee_providers_under2"] == 0
    # 50 hours with 30 funded: 20 paid hours x fee + charges:
    # 130, 130, 155, 165, 210 -> median 155.
    assert (one["package_weekly_cost"], one["package_providers"]) == (155.0, 5)
    # Ward 2: the provider with no charges given is left out (a blank is not no charge):
    # 20 x 5.00 + 0 = 100 from 1 provider.
    assert (two["package_weekly_cost"], two["package_providers"]) == (100.0, 1)
    # Income: ward 1's MSOAs average 35,000 a year = 673.08 a week; 155 / 673.08 = 0.2303.
    assert one["income_annual"] == 35_000.0
    assert one["cost_share_of_income"] == pytest.approx(155 / (35_000 / 52))
    assert two["cost_share_of_income"] == pytest.approx(100 / (26_000 / 52))
    # The funding rate in force at the latest return's term (2026-autumn): 2025-04-01 steps.
    assert (one["funding_rate_2"], one["funding_rate_3_4"]) == (8.53, 6.12)


def test_an_area_funding_rates_file_overrides_the_national_defaults(tmp_path):
    rates = tmp_path / "area" / "funding_rates.toml"
    area = _area(tmp_path)
    rates.write_text(
        '[working_2]\nsource = "Demotown formula 2026-27"\n'
        '[working_2.rates]\n"2026-04-01" = 9.10\n',
        encoding="utf-8",
    )
    table = assess(area).affordability
    assert table["funding_rate_2"].tolist() == [9.10, 9.10]
    assert np.isnan(table["funding_rate_3_4"]).all()  # the area gave no 3-4 rate
    rates.write_text('[working_2]\nsource = "x"\n[working_2.rates]\n"2026-04-01" = 910\n')
    with pytest.raises(InputError, match="above 0 and below 100"):
        assess(area)
    rates.write_text('[twos]\nsource = "x"\n[twos.rates]\n"2026-04-01" = 9.1\n')
    with pytest.raises(InputError, match=r"unknown entitlement \[twos\]"):
        assess(area)


def test_rates_are_dated_steps():
    rates = affordability.funding_rates()
    assert affordability.rate_at(rates, "working_under2", dt.date(2025, 3, 31)) == 11.16
    assert affordability.rate_at(rates, "working_under2", dt.date(2025, 4, 1)) == 11.54
    assert np.isnan(affordability.rate_at(rates, "working_under2", dt.date(2024, 1, 1)))


def test_bad_income_files_name_the_row_and_column(tmp_path):
    weekly = pd.DataFrame({"ward_code": ["E05000001"], "income": [650]})
    with pytest.raises(InputError) as caught:
        load_area(_area(tmp_path / "a", {"income.csv": weekly}))
    assert (caught.value.row, caught.value.column) == (2, "income")
    twice = pd.DataFrame({"ward_code": ["E05000001"] * 2, "income": [30_000, 31_000]})
    with pytest.raises(InputError, match="this ward is given twice") as caught:
        load_area(_area(tmp_path / "b", {"income.csv": twice}))
    assert caught.value.row == 3


def test_income_by_msoa_goes_into_wards_by_the_areas_lookup(tmp_path):
    # ONS income by MSOA, no ward_code: three MSOAs, one (E02000002) across both wards.
    income = pd.DataFrame(
        {"msoa_code": ["E02000001", "E02000002", "E02000003"], "income": [30_000, 42_000, 24_000]}
    )
    # The lookup: one row per LSOA with its MSOA and ward (an England-wide file: a ward of
    # another area, E05999999, is left out). Ward 1 holds two LSOAs of E02000001 and one of
    # E02000002; ward 2 one of E02000002 and two of E02000003.
    lookup = pd.DataFrame(
        {
            "LSOA21CD": [f"E0100000{i}" for i in range(1, 8)],
            "MSOA21CD": ["E02000001"] * 2 + ["E02000002"] * 2 + ["E02000003"] * 2 + ["E02000009"],
            "WD24CD": ["E05000001"] * 3 + ["E05000002"] * 3 + ["E05999999"],
        }
    )
    result = assess(_area(tmp_path, {"income.csv": income, "msoa_lookup.csv": lookup}))
    table = result.affordability.set_index("ward_code")
    # Ward 1: (30,000 + 30,000 + 42,000) / 3 = 34,000 (each LSOA about as many people);
    # ward 2: (42,000 + 24,000 + 24,000) / 3 = 30,000.
    assert table.loc["E05000001", "income_annual"] == pytest.approx(34_000.0)
    assert table.loc["E05000002", "income_annual"] == pytest.approx(30_000.0)
    # Package 155 a week in ward 1: 155 / (34,000 / 52).
    assert table.loc["E05000001", "cost_share_of_income"] == pytest.approx(155 / (34_000 / 52))


def test_income_by_msoa_without_a_ward_or_a_lookup_is_refused(tmp_path):
    income = pd.DataFrame({"msoa_code": ["E02000001"], "income": [30_000]})
    with pytest.raises(InputError, match="no MSOA to ward lookup") as caught:
        load_area(_area(tmp_path / "a", {"income.csv": income}))
    assert (caught.value.row, caught.value.column) == (1, "msoa_code")
    assert "msoa_lookup.csv" in caught.value.hint
    # An MSOA the lookup does not place in the area's wards: its row named.
    lookup = pd.DataFrame({"MSOA21CD": ["E02000001"], "WD24CD": ["E05000001"]})
    other = pd.DataFrame({"msoa_code": ["E02000001", "E02000777"], "income": [30_000, 31_000]})
    with pytest.raises(InputError, match=r"MSOA not in msoa_lookup\.csv") as caught:
        load_area(_area(tmp_path / "b", {"income.csv": other, "msoa_lookup.csv": lookup}))
    assert (caught.value.row, caught.value.column) == (3, "msoa_code")
    # A file with neither ward_code nor msoa_code: the columns it needs.
    neither = pd.DataFrame({"area": ["E02000001"], "income": [30_000]})
    with pytest.raises(InputError, match="ward_code"):
        load_area(_area(tmp_path / "c", {"income.csv": neither}))


def test_without_fees_there_is_no_affordability_table(tmp_path):
    assert assess(write_area(tmp_path / "area")).affordability is None


def test_an_unreadable_rates_file_is_an_input_error(tmp_path):
    area = _area(tmp_path)
    (area / "funding_rates.toml").write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(InputError, match="cannot be read"):
        assess(area)
