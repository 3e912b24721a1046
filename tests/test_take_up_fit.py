"""The take-up fit warns when the returns' funded children are far from the model's.

Two wards of 10 births a month; at 2026-autumn the 3-4 window holds 12 birth months (terms.py),
so 2 x 12 x 10 = 240 children aged 3-4, and the model expects 0.9 x 240 = 216 taking the
universal entitlement (eligibility 1, take-up 0.9). One nursery reports the universal funded
children; no other entitlement is reported.
"""

from __future__ import annotations

import pytest
from conftest import inside, provider, write_area

from sufficiency.area import load_area
from sufficiency.assess import assess
from sufficiency.outputs.summary import summary_lines

LABEL = "Universal 15 hours, 3- and 4-year-olds"


def _run(tmp_path, funded: int, parameters=None):
    x, y = inside(0)
    row = provider(easting=x, northing=y, funded_3_4_universal=funded)
    area = load_area(write_area(tmp_path / "area", returns={"2026-autumn": [row]}))
    return assess(area, parameters, accessibility=False)


@pytest.mark.parametrize(
    ("funded", "ratio"),
    [(30, "0.14"), (280, "1.30")],  # 30 / 216 = 0.139; 280 / 216 = 1.296
)
def test_a_fit_far_off_is_said_plainly(tmp_path, funded, ratio):
    result = _run(tmp_path, funded)
    fit = result.calibration.set_index("entitlement")
    assert fit.loc["universal_3_4", "funded_model"] == pytest.approx(216)
    assert fit.loc["universal_3_4", "ratio"] == pytest.approx(funded / 216)
    warning = (
        "Take-up fit far off: the funded children in the 2026-autumn returns are far from what "
        "the model expects (returns / model outside 0.80-1.25) for "
        f"{LABEL} {ratio}. Check the eligibility and take-up defaults (or the area's "
        "parameters.toml), the births, and the returns' funded_* counts (blank, or hours rather "
        "than children) before relying on the demand figures."
    )
    assert result.fit_warning == warning
    assert warning in result.notes
    lines = summary_lines(result)
    assert f"  WARNING: {warning}" in lines
    assert lines.count(f"  - {warning}") == 0  # said once on the terminal, under the fit


@pytest.mark.parametrize("funded", [173, 200, 270])  # 173 / 216 = 0.801; 270 / 216 = 1.25
def test_a_fit_within_the_bounds_is_not_warned_of(tmp_path, funded):
    result = _run(tmp_path, funded)
    assert result.fit_warning is None
    assert not any("far off" in line for line in summary_lines(result))


def test_the_bounds_are_parameters_and_calibrating_is_named(tmp_path):
    # 200 / 216 = 0.926: inside the defaults, outside bounds of 0.95-1.05.
    params = tmp_path / "parameters.toml"
    params.write_text("take_up_fit_low = 0.95\ntake_up_fit_high = 1.05\ncalibrate_take_up = true\n")
    result = _run(tmp_path, 200, params)
    assert result.fit_warning is not None
    assert "outside 0.95-1.05) for " + LABEL + " 0.93." in result.fit_warning
    assert result.fit_warning.endswith(
        "calibrate_take_up is on, so take-up was rescaled by these ratios."
    )
