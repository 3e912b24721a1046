"""Accessibility across ward boundaries: the two-step floating catchment area (2SFCA).

Families do not stop at ward lines, so beside the strict within-ward gap each ward gets the
places its children can reach (METHOD.md, step 8). Children sit at small-area centroids
(LSOAs or output areas; a ward's own centroid where nothing smaller is given) and places at
providers. With ``W(d)`` the weight of a pair at distance ``d`` (1 within the catchment in the
plain 2SFCA, a distance decay in the enhanced 2SFCA, 0 beyond the catchment), ``D_i`` the
children at small area ``i`` and ``S_j`` the places at provider ``j``:

1. each provider shares its places among the children who can reach it,
   ``R_j = S_j / Σ_i D_i W(d_ij)`` (places per child in its catchment);
2. each small area adds up the shares of the providers it can reach,
   ``A_i = Σ_j R_j W(d_ij)`` (accessible places per child).

Places are shared out, not multiplied: ``Σ_i D_i A_i = Σ_j S_j`` over the providers that have
some children in reach, whatever the decay. A ward's value is the children-weighted mean of its
small areas' ``A_i``, times 100: accessible places per 100 children.

Choices, as PySAL ``access`` makes them (the tests check we agree with it to 1e-9):

- distance is straight-line distance between projected coordinates (metres in British National
  Grid, EPSG:27700); a pair is in reach when ``d <= catchment``;
- the decay is applied in both steps (Luo and Qi's enhanced 2SFCA); ``gaussian`` is access's
  ``weights.gaussian`` and ``step`` its ``weights.step_fn``;
- a small area with no provider in reach gets 0, not NaN as in access: no places are reachable
  from it. A provider whose children in reach number 0 shares its places with nobody
  (``R_j = 0``, where access divides by zero).

Pairs come from a k-d tree search (``scipy.spatial.cKDTree``) and are kept as sparse
(demand, provider, distance) triplets; both steps are sparse matrix products
(:func:`two_steps`), for every term at once. No all-pairs distance matrix is ever built, so all
of England (33,000 LSOAs, 60,000 providers) takes a fraction of a second.

What it leaves out: travel time, roads, rivers and public transport (straight lines only);
where in a small area children live (all sit at its centroid); which setting parents prefer
(no 3SFCA or Huff model); and everything outside the points given. Providers and children just
over the local authority's boundary compete for the same places, so include those within one
catchment distance of the boundary, or wards at the edge look better or worse than they are.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.spatial import cKDTree

__all__ = [
    "CatchmentPairs",
    "Decay",
    "accessibility",
    "catchment_pairs",
    "gaussian",
    "step",
    "supply_to_demand_ratio",
    "two_step_fca",
    "two_steps",
    "uniform",
]

Decay = Callable[[np.ndarray], np.ndarray]
"""A distance decay: takes distances, returns weights (1 at distance 0 for the usual ones)."""


# --- Distance decay -----------------------------------------------------------------------------


def uniform(distance: np.ndarray) -> np.ndarray:
    """Weight 1 at every distance: the plain 2SFCA, where everything in the catchment counts.

    Examples
    --------
    >>> uniform(np.array([0.0, 1500.0, 3000.0]))
    array([1., 1., 1.])
    """
    return np.ones(np.shape(distance), dtype=float)


def gaussian(distance: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian decay ``exp(-d² / (2 σ²))``, 1 at distance 0, as access's ``weights.gaussian``.

    It is not normalised as a probability density, and it does not reach 0 at the catchment
    edge: the catchment cuts it off there. A common choice is ``sigma = catchment / 2``, which
    gives a weight of 0.135 at the edge.

    Parameters
    ----------
    distance
        Distances, in the units of the coordinates (metres).
    sigma
        The width of the bell, in the same units; must be positive.

    Examples
    --------
    Half a catchment of 2 km away a place counts 0.61 times, at the edge 0.14 times:

    >>> gaussian(np.array([0.0, 1000.0, 2000.0, 3000.0]), sigma=1000.0)
    array([1.        , 0.60653066, 0.13533528, 0.011109  ])

    To use it in ``two_step_fca``, fix sigma first:

    >>> from functools import partial
    >>> decay = partial(gaussian, sigma=1000.0)
    """
    if not sigma > 0:
        raise ValueError(f"the Gaussian's sigma must be positive, got {sigma!r}")
    distance = np.asarray(distance, dtype=float)
    weight: np.ndarray = np.exp(-distance * distance / (2 * sigma**2))
    return weight


def step(distance: np.ndarray, steps: Mapping[float, float]) -> np.ndarray:
    """Stepped decay: the weight of the first step whose distance is at least ``d``; 0 beyond.

    As access's ``weights.step_fn``: ``{20: 1, 40: 0.68, 60: 0.22}`` weighs a place 1 up to
    and including 20, 0.68 above 20 up to 40, 0.22 above 40 up to 60 and 0 beyond.

    Parameters
    ----------
    distance
        Distances, in the units of the coordinates (metres).
    steps
        Upper distance of each band -> its weight; weights must not be negative.

    Examples
    --------
    Luo and Qi's weights, with distances in minutes as in access's example:

    >>> step(np.arange(0, 71, 10), {20: 1, 40: 0.68, 60: 0.22})
    array([1.  , 1.  , 1.  , 0.68, 0.68, 0.22, 0.22, 0.  ])

    The same in metres, for a 3 km catchment in three bands:

    >>> step(np.array([0.0, 1000.0, 1500.0, 3000.0]), {1000: 1, 2000: 0.5, 3000: 0.25})
    array([1.  , 1.  , 0.5 , 0.25])
    """
    if not steps:
        raise ValueError("a stepped decay needs at least one step")
    bounds = np.array(sorted(steps), dtype=float)
    weights = np.array([steps[bound] for bound in sorted(steps)], dtype=float)
    if (weights < 0).any() or not np.isfinite(weights).all():
        raise ValueError(f"step weights must be finite and not negative, got {dict(steps)!r}")
    band = np.searchsorted(bounds, np.asarray(distance, dtype=float), side="left")
    return np.append(weights, 0.0)[band]


# --- Pairs in reach -----------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class CatchmentPairs:
    """Every (small area, provider) pair within a catchment, as sparse triplets.

    Pair ``k`` joins demand point ``demand_index[k]`` to provider ``supply_index[k]`` at
    ``distance[k]``. Kept as arrays rather than a ``scipy.sparse`` distance matrix, because a
    sparse matrix would drop a provider that sits exactly on a centroid (distance 0).

    Attributes
    ----------
    demand_index, supply_index
        Positions of the pair's demand point and provider in the arrays given.
    distance
        Straight-line distance of the pair, ``<= catchment``.
    n_demand, n_supply
        How many demand points and providers there were (not only those with pairs).
    catchment
        The catchment distance the pairs were searched with.
    """

    demand_index: np.ndarray
    supply_index: np.ndarray
    distance: np.ndarray
    n_demand: int
    n_supply: int
    catchment: float

    def __len__(self) -> int:
        return len(self.distance)

    def within(self, catchment: float) -> CatchmentPairs:
        """The pairs within a smaller catchment: search once at the largest, then narrow.

        Examples
        --------
        >>> pairs = catchment_pairs([[0, 0]], [[1, 0], [2, 0], [4, 0]], catchment=3)
        >>> len(pairs), len(pairs.within(1.5))
        (2, 1)
        """
        if catchment > self.catchment:
            raise ValueError(
                f"cannot widen a catchment from {self.catchment} to {catchment}: "
                "search again with catchment_pairs"
            )
        keep = self.distance <= catchment
        return CatchmentPairs(
            self.demand_index[keep],
            self.supply_index[keep],
            self.distance[keep],
            self.n_demand,
            self.n_supply,
            float(catchment),
        )

    def weights(self, decay: Decay | None = None) -> np.ndarray:
        """The weight of each pair: 1 without a decay, ``decay(distance)`` with one."""
        if decay is None:
            return np.ones(len(self.distance))
        weight = np.asarray(decay(self.distance), dtype=float)
        if weight.shape != self.distance.shape:
            raise ValueError("a decay must return one weight per distance")
        return weight

    def to_sparse(self, decay: Decay | None = None) -> sparse.csr_array:
        """The weights as a sparse ``n_demand x n_supply`` matrix (zero weights dropped).

        Examples
        --------
        >>> pairs = catchment_pairs([[0, 0], [3, 0]], [[0, 0], [2, 0]], catchment=1.5)
        >>> pairs.to_sparse().toarray()
        array([[1., 0.],
               [0., 1.]])
        """
        matrix = sparse.coo_array(
            (self.weights(decay), (self.demand_index, self.supply_index)),
            shape=(self.n_demand, self.n_supply),
        ).tocsr()
        matrix.eliminate_zeros()
        return matrix


def catchment_pairs(
    demand_xy: np.ndarray, supply_xy: np.ndarray, catchment: float, *, workers: int = -1
) -> CatchmentPairs:
    """Find every demand point and provider no further apart than ``catchment``.

    A k-d tree pair search: the time and memory grow with the number of pairs in reach, not
    with ``n_demand x n_supply``. Large searches are split into strips of demand points, one
    per thread.

    Parameters
    ----------
    demand_xy
        ``(n_demand, 2)`` projected coordinates of the small-area centroids (metres).
    supply_xy
        ``(n_supply, 2)`` projected coordinates of the providers, in the same system.
    catchment
        The largest straight-line distance a family travels, in the same units; > 0.
    workers
        Threads for the search, as in scipy: -1 for one per CPU, 1 for none.

    Returns
    -------
    CatchmentPairs
        The pairs, in no particular order; pairs at distance 0 are kept.

    Examples
    --------
    A provider on the first centroid, one 1 away, one 2 away from the second centroid (the
    catchment's edge counts) and one out of reach:

    >>> pairs = catchment_pairs([[0, 0], [3, 0]], [[0, 0], [1, 0], [5, 0], [9, 0]], catchment=2)
    >>> len(pairs), np.sort(pairs.distance)
    (4, array([0., 1., 2., 2.]))
    """
    demand_xy = _points(demand_xy, "demand_xy")
    supply_xy = _points(supply_xy, "supply_xy")
    if not (np.isfinite(catchment) and catchment > 0):
        raise ValueError(f"the catchment distance must be positive, got {catchment!r}")
    supply_tree = cKDTree(supply_xy)
    strips = _strips(demand_xy, workers)
    if len(strips) == 1:
        demand_index, supply_index, distance = _search(demand_xy, supply_tree, catchment)
    else:
        # Each thread searches a west-to-east strip of demand points; the search releases the
        # GIL. Positions within a strip are mapped back to positions in demand_xy.
        def search_strip(strip: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            within, supply_index, distance = _search(demand_xy[strip], supply_tree, catchment)
            return strip[within], supply_index, distance

        with ThreadPoolExecutor(len(strips)) as pool:
            found = list(pool.map(search_strip, strips))
        demand_index, supply_index, distance = (
            np.concatenate(part) for part in zip(*found, strict=True)
        )
    return CatchmentPairs(
        demand_index=demand_index,
        supply_index=supply_index,
        distance=distance,
        n_demand=len(demand_xy),
        n_supply=len(supply_xy),
        catchment=float(catchment),
    )


_POINTS_PER_STRIP = 5_000
"""Fewest demand points worth a thread of their own."""


def _strips(demand_xy: np.ndarray, workers: int) -> list[np.ndarray]:
    """Positions of the demand points, cut into west-to-east strips, one per thread."""
    if workers == -1:
        workers = os.cpu_count() or 1
    if workers < 1:
        raise ValueError(f"workers must be -1 or at least 1, got {workers}")
    n_strips = max(1, min(workers, len(demand_xy) // _POINTS_PER_STRIP))
    if n_strips == 1:
        return [np.arange(len(demand_xy))]
    return np.array_split(np.argsort(demand_xy[:, 0], kind="stable"), n_strips)


def _search(
    demand_xy: np.ndarray, supply_tree: cKDTree, catchment: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(demand position, provider position, distance) of every pair within the catchment."""
    found = cKDTree(demand_xy).sparse_distance_matrix(
        supply_tree, float(catchment), output_type="ndarray"
    )
    return (
        np.ascontiguousarray(found["i"], dtype=np.intp),
        np.ascontiguousarray(found["j"], dtype=np.intp),
        np.ascontiguousarray(found["v"], dtype=float),
    )


# --- The two steps ------------------------------------------------------------------------------


def two_steps(weight: sparse.csr_array, demand: np.ndarray, supply: np.ndarray) -> np.ndarray:
    """The 2SFCA's two steps, for one or many columns at once: ``A = W (S / (Wᵀ D))``.

    ``weight`` holds the pairs' weights as a sparse (points x providers) matrix
    (:meth:`CatchmentPairs.to_sparse`); ``demand`` is (points, k) and ``supply`` (providers, k),
    one column per term (or draw). Step 1 is :func:`shares`; 0 where no provider is in reach,
    and a provider with no children in reach shares its places with nobody. The model's one
    2SFCA: :func:`accessibility` and ``catchment.accessibility_columns`` both call it.

    Examples
    --------
    As :func:`accessibility`'s example, for two terms (the places halve in the second):

    >>> pairs = catchment_pairs([[0, 0], [3, 0]], [[1, 0], [5, 0]], catchment=2.5)
    >>> two_steps(pairs.to_sparse(), np.array([[10.0, 10], [30, 30]]),
    ...           np.array([[20.0, 10], [6, 3]]))
    array([[0.5 , 0.25],
           [0.7 , 0.35]])
    """
    return np.asarray(weight @ shares(weight, demand, supply))


def shares(weight: sparse.csr_array, demand: np.ndarray, supply: np.ndarray) -> np.ndarray:
    """Step 1: each provider's places per child in reach, ``R_j = S_j / Σ_i D_i W(d_ij)``.

    ``R_j`` depends on provider ``j``'s own places and the children in its reach only, so one
    provider's closure (or a new one) leaves every other provider's ``R`` as it is.
    """
    in_reach = np.asarray(weight.T @ demand)
    share: np.ndarray = np.divide(supply, in_reach, out=np.zeros_like(in_reach), where=in_reach > 0)
    return share


def supply_to_demand_ratio(
    pairs: CatchmentPairs,
    demand: np.ndarray,
    supply: np.ndarray,
    decay: Decay | None = None,
) -> np.ndarray:
    """Step 1 alone: ``R_j = S_j / Σ_i D_i W(d_ij)``, 0 for a provider with no children in reach.

    Examples
    --------
    Provider 0 is reached by 10 and 30 children, provider 1 by the 30 only:

    >>> pairs = catchment_pairs([[0, 0], [3, 0]], [[1, 0], [5, 0]], catchment=2.5)
    >>> supply_to_demand_ratio(pairs, demand=[10, 30], supply=[20, 6])
    array([0.5, 0.2])
    """
    demand = _amounts(demand, pairs.n_demand, "demand")
    supply = _amounts(supply, pairs.n_supply, "supply")
    return shares(pairs.to_sparse(decay), demand[:, None], supply[:, None])[:, 0]


def accessibility(
    pairs: CatchmentPairs,
    demand: np.ndarray,
    supply: np.ndarray,
    decay: Decay | None = None,
) -> np.ndarray:
    """Accessible places per child at each demand point, ``A_i = Σ_j R_j W(d_ij)``.

    :func:`two_steps` for one column. 0 where no provider is in reach (PySAL access gives NaN).

    Examples
    --------
    Area 0 reaches provider 0 only (0.5 places a child), area 1 both (0.5 + 0.2):

    >>> pairs = catchment_pairs([[0, 0], [3, 0]], [[1, 0], [5, 0]], catchment=2.5)
    >>> accessibility(pairs, demand=[10, 30], supply=[20, 6])
    array([0.5, 0.7])
    """
    demand = _amounts(demand, pairs.n_demand, "demand")
    supply = _amounts(supply, pairs.n_supply, "supply")
    return two_steps(pairs.to_sparse(decay), demand[:, None], supply[:, None])[:, 0]


def two_step_fca(
    demand_xy: np.ndarray,
    demand: np.ndarray,
    supply_xy: np.ndarray,
    supply: np.ndarray,
    catchment: float,
    decay: Decay | None = None,
    *,
    workers: int = -1,
) -> np.ndarray:
    """Accessible supply per unit of demand at each demand point: the 2SFCA, or E2SFCA.

    Parameters
    ----------
    demand_xy
        ``(n_demand, 2)`` projected coordinates of the small-area centroids (metres).
    demand
        Children at each small area (not negative).
    supply_xy
        ``(n_supply, 2)`` projected coordinates of the providers.
    supply
        Places at each provider (not negative).
    catchment
        Largest straight-line distance counted, in the coordinates' units.
    decay
        ``None`` for the plain 2SFCA (every pair in the catchment weighs 1); a decay such as
        ``functools.partial(gaussian, sigma=1500)`` for the enhanced 2SFCA, applied in both
        steps.
    workers
        Threads for the pair search: -1 for one per CPU, 1 for none.

    Returns
    -------
    numpy.ndarray
        ``A_i`` for each demand point: places per child, 0 where no provider is in reach.

    Examples
    --------
    Two areas (10 and 30 children) and two providers (20 and 6 places) on a line:

    >>> two_step_fca([[0, 0], [3, 0]], [10, 30], [[1, 0], [5, 0]], [20, 6], catchment=2.5)
    array([0.5, 0.7])

    With a catchment that takes in everything, total places / total children everywhere:

    >>> two_step_fca([[0, 0], [3, 0]], [10, 30], [[1, 0], [5, 0]], [20, 6], catchment=100)
    array([0.65, 0.65])
    """
    pairs = catchment_pairs(demand_xy, supply_xy, catchment, workers=workers)
    return accessibility(pairs, demand, supply, decay)


# --- Checks -------------------------------------------------------------------------------------


def _points(xy: np.ndarray, name: str) -> np.ndarray:
    points = np.asarray(xy, dtype=float)
    if points.size == 0:
        return points.reshape(0, 2)
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(f"{name} must have shape (n, 2), got {points.shape}")
    if not np.isfinite(points).all():
        raise ValueError(f"{name} has missing or infinite coordinates")
    return points


def _amounts(values: np.ndarray, n: int, name: str) -> np.ndarray:
    amounts = np.asarray(values, dtype=float)
    if amounts.shape != (n,):
        raise ValueError(f"{name} must have one value per point ({n}), got shape {amounts.shape}")
    if not np.isfinite(amounts).all() or (amounts < 0).any():
        raise ValueError(f"{name} must be finite and not negative")
    return amounts
