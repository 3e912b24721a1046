"""Tests for sufficiency.access: hand-worked cases, invariants, and PySAL access as a reference."""

from __future__ import annotations

import doctest
import warnings
from functools import partial

import numpy as np
import pandas as pd
import pytest

from sufficiency import access as fca

# Two small areas and two providers on a line, distances in metres:
#
#   area a (10 children)  provider P (20 places)  area b (30 children)  provider Q (6 places)
#   x = 0                 x = 1000                x = 3000              x = 5000
#
# With a 2,500 m catchment, a reaches P (1,000 m); b reaches P and Q (2,000 m each); a-Q is
# 5,000 m, out of reach.
AREAS_XY = np.array([[0.0, 0.0], [3000.0, 0.0]])
CHILDREN = np.array([10.0, 30.0])
PROVIDERS_XY = np.array([[1000.0, 0.0], [5000.0, 0.0]])
PLACES = np.array([20.0, 6.0])


def test_docstring_examples_hold() -> None:
    result = doctest.testmod(fca, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0


# --- Decay functions ----------------------------------------------------------------------------


def test_gaussian_is_one_at_zero_and_exp_minus_half_at_sigma() -> None:
    weight = fca.gaussian(np.array([0.0, 1500.0, 3000.0]), sigma=1500.0)
    np.testing.assert_allclose(weight, [1.0, np.exp(-0.5), np.exp(-2.0)], rtol=1e-15)


def test_gaussian_refuses_zero_sigma() -> None:
    with pytest.raises(ValueError, match="sigma"):
        fca.gaussian(np.array([1.0]), sigma=0.0)


def test_step_takes_the_band_the_distance_falls_in_and_zero_beyond() -> None:
    # Bands: (.., 1000] -> 1, (1000, 2000] -> 0.5, (2000, 3000] -> 0.25, beyond -> 0.
    steps = {2000: 0.5, 1000: 1.0, 3000: 0.25}  # order of the keys does not matter
    weight = fca.step(np.array([0.0, 1000.0, 1000.1, 2000.0, 2999.0, 3000.1]), steps)
    np.testing.assert_array_equal(weight, [1.0, 1.0, 0.5, 0.5, 0.25, 0.0])


def test_step_refuses_negative_weights_and_no_steps() -> None:
    with pytest.raises(ValueError, match="not negative"):
        fca.step(np.array([1.0]), {1000: -1.0})
    with pytest.raises(ValueError, match="at least one step"):
        fca.step(np.array([1.0]), {})


def test_uniform_weighs_everything_one() -> None:
    np.testing.assert_array_equal(fca.uniform(np.array([0.0, 5.0])), [1.0, 1.0])


# --- Pairs --------------------------------------------------------------------------------------


def test_pairs_include_the_catchment_edge_and_nothing_beyond() -> None:
    pairs = fca.catchment_pairs(AREAS_XY, PROVIDERS_XY, catchment=2000.0)
    found = sorted(zip(pairs.demand_index, pairs.supply_index, pairs.distance, strict=True))
    assert found == [(0, 0, 1000.0), (1, 0, 2000.0), (1, 1, 2000.0)]
    assert (pairs.n_demand, pairs.n_supply) == (2, 2)


def test_a_provider_exactly_on_a_centroid_is_kept() -> None:
    # Distance 0 would vanish from a sparse distance matrix; the pairs keep it.
    pairs = fca.catchment_pairs([[500.0, 500.0]], [[500.0, 500.0]], catchment=100.0)
    assert len(pairs) == 1
    assert pairs.distance[0] == 0.0
    # 12 places, 8 children, nobody else: 1.5 places a child, with or without decay.
    gauss = partial(fca.gaussian, sigma=50.0)
    assert fca.accessibility(pairs, [8.0], [12.0]) == pytest.approx([1.5])
    assert fca.accessibility(pairs, [8.0], [12.0], gauss) == pytest.approx([1.5])


def test_within_narrows_to_the_pairs_a_new_search_finds() -> None:
    rng = np.random.default_rng(3)
    areas, providers = rng.uniform(0, 10_000, (300, 2)), rng.uniform(0, 10_000, (200, 2))
    narrowed = fca.catchment_pairs(areas, providers, 3000.0).within(1000.0)
    searched = fca.catchment_pairs(areas, providers, 1000.0)
    assert set(zip(narrowed.demand_index, narrowed.supply_index, strict=True)) == set(
        zip(searched.demand_index, searched.supply_index, strict=True)
    )
    with pytest.raises(ValueError, match="cannot widen"):
        searched.within(2000.0)


def test_threads_find_the_same_pairs_and_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fca, "_POINTS_PER_STRIP", 100)  # so 1,000 points make 3 strips
    rng = np.random.default_rng(7)
    areas, providers = rng.uniform(0, 10_000, (1000, 2)), rng.uniform(0, 10_000, (400, 2))
    children, places = rng.uniform(0, 100, 1000), rng.uniform(0, 50, 400)
    alone = fca.catchment_pairs(areas, providers, 1200.0, workers=1)
    threaded = fca.catchment_pairs(areas, providers, 1200.0, workers=3)
    assert sorted(zip(alone.demand_index, alone.supply_index, alone.distance, strict=True)) == (
        sorted(zip(threaded.demand_index, threaded.supply_index, threaded.distance, strict=True))
    )
    np.testing.assert_allclose(
        fca.accessibility(threaded, children, places),
        fca.two_step_fca(areas, children, providers, places, 1200.0, workers=1),
        rtol=1e-13,
    )
    with pytest.raises(ValueError, match="workers"):
        fca.catchment_pairs(areas, providers, 1200.0, workers=0)


def test_to_sparse_gives_the_weight_matrix() -> None:
    pairs = fca.catchment_pairs(AREAS_XY, PROVIDERS_XY, catchment=2500.0)
    decay = partial(fca.step, steps={1000: 1.0, 2500: 0.5})
    np.testing.assert_array_equal(pairs.to_sparse(decay).toarray(), [[1.0, 0.0], [0.5, 0.5]])


def test_empty_inputs_give_empty_results() -> None:
    assert fca.two_step_fca(np.empty((0, 2)), [], PROVIDERS_XY, PLACES, 2500.0).shape == (0,)
    np.testing.assert_array_equal(
        fca.two_step_fca(AREAS_XY, CHILDREN, np.empty((0, 2)), [], 2500.0), [0.0, 0.0]
    )


# --- The two steps, by hand ---------------------------------------------------------------------


def test_two_step_fca_by_hand() -> None:
    # Step 1: P is shared by 10 + 30 children: R_P = 20 / 40 = 0.5; Q by 30: R_Q = 6 / 30 = 0.2.
    ratio = fca.supply_to_demand_ratio(
        fca.catchment_pairs(AREAS_XY, PROVIDERS_XY, 2500.0), CHILDREN, PLACES
    )
    np.testing.assert_allclose(ratio, [0.5, 0.2])
    # Step 2: a reaches P only, 0.5; b reaches both, 0.5 + 0.2 = 0.7.
    result = fca.two_step_fca(AREAS_XY, CHILDREN, PROVIDERS_XY, PLACES, 2500.0)
    np.testing.assert_allclose(result, [0.5, 0.7])


def test_enhanced_two_step_fca_with_steps_by_hand() -> None:
    # Weights: a-P at 1,000 m -> 1; b-P and b-Q at 2,000 m -> 0.5.
    # Step 1: P's weighted children 10 x 1 + 30 x 0.5 = 25, R_P = 20 / 25 = 0.8;
    #         Q's 30 x 0.5 = 15, R_Q = 6 / 15 = 0.4.
    # Step 2: a = 0.8 x 1 = 0.8; b = 0.8 x 0.5 + 0.4 x 0.5 = 0.6.
    decay = partial(fca.step, steps={1000: 1.0, 2000: 0.5})
    result = fca.two_step_fca(AREAS_XY, CHILDREN, PROVIDERS_XY, PLACES, 2500.0, decay)
    np.testing.assert_allclose(result, [0.8, 0.6])


def test_enhanced_two_step_fca_with_gaussian_by_hand() -> None:
    # sigma = 2,000 m: w(1000) = exp(-1/8), w(2000) = exp(-1/2).
    w1, w2 = np.exp(-1 / 8), np.exp(-1 / 2)
    r_p = 20 / (10 * w1 + 30 * w2)
    r_q = 6 / (30 * w2)
    decay = partial(fca.gaussian, sigma=2000.0)
    result = fca.two_step_fca(AREAS_XY, CHILDREN, PROVIDERS_XY, PLACES, 2500.0, decay)
    np.testing.assert_allclose(result, [r_p * w1, (r_p + r_q) * w2], rtol=1e-14)


def test_a_catchment_over_everything_gives_total_places_over_total_children() -> None:
    rng = np.random.default_rng(5)
    areas, providers = rng.uniform(0, 5000, (40, 2)), rng.uniform(0, 5000, (15, 2))
    children, places = rng.uniform(1, 100, 40), rng.uniform(0, 50, 15)
    result = fca.two_step_fca(areas, children, providers, places, catchment=10_000.0)
    np.testing.assert_allclose(result, places.sum() / children.sum(), rtol=1e-12)


def test_nothing_in_reach_gives_zero_not_nan() -> None:
    result = fca.two_step_fca(AREAS_XY, CHILDREN, PROVIDERS_XY + 50_000, PLACES, 2500.0)
    np.testing.assert_array_equal(result, [0.0, 0.0])


def test_a_provider_with_no_children_in_reach_shares_its_places_with_nobody() -> None:
    # Q's only neighbour has no children: R_Q = 0, not 6 / 0.
    ratio = fca.supply_to_demand_ratio(
        fca.catchment_pairs(AREAS_XY, PROVIDERS_XY, 2500.0), [10.0, 0.0], PLACES
    )
    np.testing.assert_array_equal(ratio, [2.0, 0.0])


@pytest.mark.parametrize(
    "decay",
    [None, partial(fca.gaussian, sigma=800.0), partial(fca.step, steps={500: 1, 1500: 0.3})],
    ids=["2sfca", "gaussian", "step"],
)
def test_places_are_shared_out_not_multiplied(decay: fca.Decay | None) -> None:
    # sum_i D_i A_i = sum_j S_j over providers with some children in reach, whatever the decay.
    # The last 20 providers are 100 km away, out of everyone's reach, so the check bites.
    rng = np.random.default_rng(11)
    areas = rng.uniform(0, 20_000, (2000, 2))
    providers = np.vstack([rng.uniform(0, 20_000, (780, 2)), rng.uniform(1e5, 1.1e5, (20, 2))])
    children, places = rng.uniform(0, 100, 2000), rng.uniform(0, 50, 800)
    pairs = fca.catchment_pairs(areas, providers, 1500.0)
    per_child = fca.accessibility(pairs, children, places, decay)
    weight = pairs.weights(decay)
    reached = np.bincount(
        pairs.supply_index, weights=children[pairs.demand_index] * weight, minlength=800
    )
    assert (reached[780:] == 0).all()
    assert (reached[:780] > 0).sum() > 700
    assert (children * per_child).sum() == pytest.approx(places[reached > 0].sum(), rel=1e-12)


@pytest.mark.parametrize(
    ("demand_xy", "demand", "message"),
    [
        (AREAS_XY, [10.0], "one value per point"),
        (AREAS_XY, [10.0, -1.0], "not negative"),
        (AREAS_XY, [10.0, np.nan], "not negative"),
        ([[0.0, np.nan], [3000.0, 0.0]], CHILDREN, "missing or infinite"),
        ([[0.0, 0.0, 0.0]], [10.0], "shape"),
    ],
)
def test_bad_arrays_are_refused(demand_xy: object, demand: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        fca.two_step_fca(demand_xy, demand, PROVIDERS_XY, PLACES, 2500.0)


@pytest.mark.parametrize("catchment", [0.0, -1.0, np.inf, np.nan])
def test_catchment_must_be_positive_and_finite(catchment: float) -> None:
    with pytest.raises(ValueError, match="catchment"):
        fca.catchment_pairs(AREAS_XY, PROVIDERS_XY, catchment)


# --- Wards --------------------------------------------------------------------------------------


# --- Against PySAL access -----------------------------------------------------------------------

CATCHMENT = 1500.0


@pytest.fixture(scope="module")
def random_case() -> dict[str, np.ndarray]:
    # 3,000 small areas and 2,000 providers over 20 km x 20 km, plus 40 areas 100 km away with
    # nothing in reach. Every area has at least one child, so no provider divides by zero.
    rng = np.random.default_rng(2024)
    areas = np.vstack([rng.uniform(0, 20_000, (3000, 2)), rng.uniform(1e5, 1.1e5, (40, 2))])
    return {
        "areas": areas,
        "children": rng.integers(1, 200, len(areas)).astype(float),
        "providers": rng.uniform(0, 20_000, (2000, 2)),
        "places": rng.integers(0, 60, 2000).astype(float),
    }


@pytest.fixture(scope="module")
def pysal(random_case: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The same case through PySAL access: 2SFCA and E2SFCA (Gaussian and stepped)."""
    access = pytest.importorskip(
        "access", reason="PySAL access (pip install access) is the reference for the 2SFCA"
    )
    gpd = pytest.importorskip("geopandas", reason="PySAL access needs geopandas for distances")
    areas, providers = random_case["areas"], random_case["providers"]
    demand = gpd.GeoDataFrame(
        {"children": random_case["children"]},
        geometry=gpd.points_from_xy(areas[:, 0], areas[:, 1]),
        index=pd.RangeIndex(len(areas), name="area"),
    )
    supply = gpd.GeoDataFrame(
        {"places": random_case["places"]},
        geometry=gpd.points_from_xy(providers[:, 0], providers[:, 1]),
        index=pd.RangeIndex(len(providers), name="provider"),
    )
    with warnings.catch_warnings():
        # access 1.1.10 uses pandas' inplace= keyword, deprecated in pandas 3.1.
        warnings.filterwarnings(
            "ignore", message="The inplace keyword", category=DeprecationWarning, module="access"
        )
        model = access.Access(
            demand_df=demand, demand_value="children", supply_df=supply, supply_value="places"
        )
        model.create_euclidean_distance(threshold=CATCHMENT)
        gaussian = access.weights.gaussian(CATCHMENT / 2)
        stepped = access.weights.step_fn({500: 1.0, 1000: 0.6, 1500: 0.2})
        results = {
            "2sfca": model.two_stage_fca(name="plain", max_cost=CATCHMENT),
            "gaussian": model.enhanced_two_stage_fca(
                name="gauss", max_cost=CATCHMENT, weight_fn=gaussian
            ),
            "step": model.enhanced_two_stage_fca(
                name="step", max_cost=CATCHMENT, weight_fn=stepped
            ),
        }
    return {
        kind: frame.iloc[:, 0].reindex(range(len(areas))).to_numpy(dtype=float)
        for kind, frame in results.items()
    }


@pytest.mark.parametrize(
    ("kind", "decay"),
    [
        ("2sfca", None),
        ("gaussian", partial(fca.gaussian, sigma=CATCHMENT / 2)),
        ("step", partial(fca.step, steps={500: 1.0, 1000: 0.6, 1500: 0.2})),
    ],
)
def test_matches_pysal_access(
    random_case: dict[str, np.ndarray],
    pysal: dict[str, np.ndarray],
    kind: str,
    decay: fca.Decay | None,
) -> None:
    ours = fca.two_step_fca(
        random_case["areas"],
        random_case["children"],
        random_case["providers"],
        random_case["places"],
        CATCHMENT,
        decay,
    )
    theirs = pysal[kind]
    # access gives NaN where no provider is in reach; we give 0. Exactly the 40 far areas.
    out_of_reach = np.isnan(theirs)
    assert out_of_reach.sum() == 40
    assert (ours[out_of_reach] == 0).all()
    np.testing.assert_allclose(ours[~out_of_reach], theirs[~out_of_reach], rtol=1e-9, atol=0)
