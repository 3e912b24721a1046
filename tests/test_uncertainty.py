"""Distributions and the vectorised draws: zero width gives the deterministic run, a symmetric
gap gives a probability of deficit of a half, and the same seed gives the same numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import inside, provider, write_area

from sufficiency import Parameters, assess
from sufficiency.area import load_area
from sufficiency.errors import ParameterError
from sufficiency.parameters import default_table
from sufficiency.scenarios import apply, parse_scenario
from sufficiency.scenarios.uncertainty import (
    Distribution,
    distributions_for,
    draw_values,
    parse_distribution,
    summarise,
)


def test_distributions_by_hand():
    u = np.array([0.0, 0.25, 0.5, 1.0])
    assert Distribution("uniform", 0.8, 1.0).quantile(u).tolist() == pytest.approx(
        [0.8, 0.85, 0.9, 1.0]
    )
    # Triangular 0..1 with mode 0.5: F(x) = 2x^2 below the mode, so F^-1(0.25) = sqrt(0.125).
    tri = Distribution("triangular", 0.0, 1.0, mode=0.5)
    assert tri.quantile(u).tolist() == pytest.approx([0.0, 0.125**0.5, 0.5, 1.0])
    # Normal N(0.9, 0.1) truncated to [0.8, 1.0]: its median is the mean, and it stays inside.
    normal = Distribution("normal", 0.8, 1.0, mean=0.9, sd=0.1)
    values = normal.quantile(np.linspace(0, 1, 101))
    assert values[50] == pytest.approx(0.9)
    assert values.min() >= 0.8 and values.max() <= 1.0
    for zero in (
        Distribution("normal", 0, 1, mean=0.7, sd=0.0),
        Distribution("uniform", 0.7, 0.7),
        Distribution("triangular", 0.7, 0.7, mode=0.7),
    ):
        assert zero.quantile(u).tolist() == [0.7] * 4 and zero.central == 0.7


def test_defaults_carry_a_range_moved_with_a_fixed_value():
    params = Parameters.defaults()
    dists = distributions_for(params, {})
    for key in (
        "take_up.universal_3_4",
        "eligibility.working_2",
        "child_yield.house",
        "births_growth",
        "utilisation",
    ):
        assert dists[key].kind == "triangular"
        assert dists[key].central == params[key]
    # take_up.extended_3_4 is 0.91 in [0.87, 0.95]; fixed at 0.97 the range moves by +0.06 and
    # is clipped at 1: [0.93, 1.0].
    moved = distributions_for(params.override({"take_up": {"extended_3_4": 0.97}}, source="x"), {})
    assert (moved["take_up.extended_3_4"].low, moved["take_up.extended_3_4"].high) == (
        pytest.approx(0.93),
        1.0,
    )
    assert "tight_margin" not in dists  # no range: not drawn


def test_the_same_seed_gives_the_same_draws():
    dists = {
        "utilisation": Distribution("uniform", 0.8, 1.0),
        "births_growth": Distribution("normal", -0.1, 0.1, mean=0.0, sd=0.02),
    }
    first, again = draw_values(dists, 50, seed=3), draw_values(dists, 50, seed=3)
    assert all(np.array_equal(first[k], again[k]) for k in dists)
    assert not np.array_equal(first["utilisation"], draw_values(dists, 50, seed=4)["utilisation"])


def zero_width() -> dict:
    """Every key with a default range as a distribution of no width at its default value."""
    out: dict = {}
    for key, entry in default_table().items():
        if "range" in entry:
            section, _, name = key.partition(".")
            dist = {"distribution": "uniform", "low": entry["value"], "high": entry["value"]}
            if name:
                out.setdefault(section, {})[name] = dist
            else:
                out[key] = dist
    return out


@pytest.fixture
def area(tmp_path):
    housing = pd.DataFrame(
        {
            "site_id": ["S1"],
            "year": [2026],
            "dwellings": [120],
            "dwelling_type": ["house"],
            "ward_code": ["E05000001"],
        }
    )
    x, y = inside(0)
    folder = write_area(
        tmp_path / "a",
        returns={
            "2025-summer": [
                provider(easting=x, northing=y, funded_3_4_universal=30),
                provider(
                    urn="EY100002",
                    easting=inside(1)[0],
                    northing=y,
                    places_3_4=200,
                    places_2=10,
                    staff_total=30,
                ),
            ]
        },
        extra={"housing.csv": housing},
    )
    return load_area(folder)


def scenario_run(area, parameters: dict, **events):
    scenario = parse_scenario(
        {"name": "s", "description": "d", "parameters": parameters, **events}, source="s.toml"
    )
    applied = apply(scenario, area, Parameters.defaults())
    result = assess(applied.area, applied.parameters, rules=applied.rules, scenario="s")
    return result, scenario


@pytest.mark.parametrize("calibrate", [False, True])
def test_zero_width_medians_equal_the_deterministic_run(area, calibrate):
    parameters = {**zero_width(), "calibrate_take_up": calibrate}
    result, scenario = scenario_run(
        area,
        parameters,
        births={"projected": [{"year": 2026, "births": 3000}]},
        closures=[{"urn": "EY100001", "from": "first+2"}],
        policy=[{"entitlement": "working_2", "hours": 20, "from": "first+3"}],
    )
    out = summarise(result, scenario.distributions, draws=64, seed=5)
    assert list(out.index) == list(result.gap.index)
    for column in ("gap_median", "gap_p05", "gap_p95"):
        np.testing.assert_allclose(out[column], result.gap["gap_places"], rtol=1e-12, atol=1e-9)
    expected = (result.gap["gap_places"] < 0).astype(float)
    np.testing.assert_array_equal(out["p_deficit"], expected)
    assert out.attrs["drawn"] == []


def test_a_gap_symmetric_about_zero_has_a_half_chance_of_deficit(area):
    fixed, _ = scenario_run(area, zero_width())
    gap = fixed.gap
    row = gap[
        (gap["term"] == "2026-summer")
        & (gap["ward_code"] == "E05000002")
        & (gap["age_group"] == "3_4")
    ].iloc[0]
    # gap = supply x u - demand is linear in utilisation u: with u uniform and centred on
    # demand / supply the gap is symmetric about 0.
    centre = row["demand_places"] / row["supply_places"]
    assert 0.2 < centre < 0.8
    parameters = zero_width()
    parameters["utilisation"] = {
        "distribution": "uniform",
        "low": centre - 0.1,
        "high": centre + 0.1,
    }
    result, scenario = scenario_run(area, parameters)
    draws = 4000
    out = summarise(result, scenario.distributions, draws=draws, seed=11)
    p = out.loc[row.name, "p_deficit"]
    # Sampling error of a share of 0.5 in 4,000 draws: sqrt(0.25 / 4000) = 0.0079; allow 4 of it.
    assert abs(p - 0.5) < 4 * (0.25 / draws) ** 0.5
    # The median of n draws of a uniform of width w has a standard error of about w / (2 sqrt n):
    # here w = 0.2 x supply; allow 4 of it.
    width = 0.2 * row["supply_places"]
    assert out.loc[row.name, "gap_median"] == pytest.approx(0, abs=4 * width / (2 * draws**0.5))
    # The 90% interval of supply x (u - centre), u - centre uniform on +-0.1: +-0.09 x supply.
    assert out.loc[row.name, "gap_p95"] == pytest.approx(0.09 * row["supply_places"], rel=0.05)


def test_chunking_does_not_change_the_numbers(area):
    result = assess(area)
    whole = summarise(result, draws=200, seed=1)
    pieces = summarise(result, draws=200, seed=1, chunk_elements=1)  # one ward at a time
    pd.testing.assert_frame_equal(whole, pieces)
    assert (
        (whole["gap_p05"] <= whole["gap_median"]) & (whole["gap_median"] <= whole["gap_p95"])
    ).all()
    assert whole["p_deficit"].between(0, 1).all()


def test_distribution_mistakes():
    with pytest.raises(ParameterError, match="a triangular distribution needs mode"):
        parse_distribution(
            {"distribution": "triangular", "low": 0, "high": 1},
            key="k",
            source="f.toml",
            bounds=(0, 1),
        )
    with pytest.raises(ParameterError, match="unknown field 'sigma'"):
        parse_distribution(
            {"distribution": "normal", "mean": 0.5, "sigma": 1},
            key="k",
            source="f.toml",
            bounds=(0, 1),
        )
    with pytest.raises(ParameterError, match=r"low \(0.9\) is above high \(0.1\)"):
        parse_distribution(
            {"distribution": "uniform", "low": 0.9, "high": 0.1},
            key="k",
            source="f.toml",
            bounds=(0, 1),
        )
