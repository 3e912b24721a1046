"""Accessibility for the gap table: small areas, providers' places and their catchments.

This module builds what the 2SFCA (``access.py``) needs from an assessment, runs it for every
term and age group and returns the columns that go beside the strict within-ward gap
(METHOD.md, step 8):

- **Children** sit at small areas (LSOAs or output areas from ``small_areas.geojson`` or
  ``.gpkg``). A small area belongs to the ward holding its representative point; each ward's
  children in an age group are spread over its small areas in proportion to their
  ``population`` (evenly where there is none, or where the ward's small areas add up to 0). A
  ward with no small area is one demand point at its centroid.
- **Places** sit at providers: each provider's supply places per term and age group, from
  ``supply.provider_supply``, the same array whose sum by ward is the ward's ``supply_places``.
- **Catchment and decay** per age group come from the ``[catchment]`` parameters
  (``data/defaults.toml``; the stepped decay's bands in ``data/catchment.toml``): the distance
  in metres for ``under2``, ``2`` and ``3_4``, a decay ``gaussian`` (sigma a share of the
  catchment), ``step`` (bands of the catchment) or ``none``.

Each provider's places are shared among all the children in its catchment, in any ward, so the
measure is **accessible places per 100 children**: a ward's children-weighted mean of its
small areas' ``100 x A_i``. It compares with ``places_per_100`` (places in the ward per 100
children in it): the same where no family crosses a ward line. Where no provider is in reach
of any of a ward's demand points the value is 0, not empty: no place is reachable from there.
A ward with no children in the age group gets the plain mean of its points' values.

Pairs are searched once, at the widest catchment (a k-d tree, ``access.catchment_pairs``),
into one sparse (points x providers) matrix; each age group weighs them by its own catchment
and decay, and both steps run for every term at once as sparse matrix products
(``access.two_steps``). No all-pairs matrix is built: all of England
(32,844 LSOAs, 60,000 providers, 12 terms, 3 age groups) takes about a second. What it leaves
out is what ``access.py`` leaves out: straight lines, not journeys; children at small-area
points; no preference between settings; nothing outside the area's own wards and providers
(include the wards and providers within a catchment of the boundary to avoid edge effects).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache, partial
from importlib import resources
from typing import Any, Self

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import sparse

from . import access
from ._lookup import positions
from .errors import ParameterError
from .gap import long_table
from .supply import ProviderSupply
from .terms import AGE_GROUPS, Term

__all__ = [
    "COLUMNS",
    "DECAYS",
    "CatchmentSettings",
    "DemandPoints",
    "accessibility",
    "accessibility_columns",
    "default_settings",
    "demand_points",
    "place_shares",
]

COLUMNS = ["accessible_places_per_100", "accessibility_from", "demand_points"]
"""The columns for the gap table, after the contract's (:func:`accessibility_columns` also gives
``accessible_places``, the ward's share of the places, for checks and sums)."""
DECAYS = ("gaussian", "step", "none")


# --- Settings -----------------------------------------------------------------------------------


@cache
def _settings_file() -> dict[str, Any]:
    text = resources.files("sufficiency").joinpath("data/catchment.toml").read_text("utf-8")
    return tomllib.loads(text)


@dataclass(frozen=True)
class CatchmentSettings:
    """Catchment distance per age group and the distance decay.

    Attributes
    ----------
    catchment
        Metres (straight line) per age group: ``{"under2": 2000.0, "2": 3000.0, "3_4": ...}``.
    decay
        ``gaussian``, ``step`` or ``none``.
    sigma_share
        The Gaussian's sigma as a share of the catchment.
    step_bands
        The stepped decay: (upper edge as a share of the catchment, weight) per band.
    """

    catchment: Mapping[str, float]
    decay: str = "gaussian"
    sigma_share: float = 0.5
    step_bands: tuple[tuple[float, float], ...] = ((1 / 3, 1.0), (2 / 3, 0.68), (1.0, 0.22))

    @classmethod
    def from_values(cls, values: Mapping[str, Any], *, source: str = "catchment") -> Self:
        """Settings from flat keys (``under2``, ``2``, ``3_4``, ``decay``, ``sigma_share``),
        as ``Parameters.section("catchment")`` would give them; missing keys take the defaults.

        Examples
        --------
        >>> CatchmentSettings.from_values({"under2": 1500, "decay": "none"}).catchment["under2"]
        1500.0
        """
        base = default_settings()
        unknown = set(values) - {*AGE_GROUPS, "decay", "sigma_share"}
        if unknown:
            raise ParameterError(
                f"{source}: unknown key {sorted(unknown)[0]!r} in [catchment]; allowed: "
                + ", ".join([*AGE_GROUPS, "decay", "sigma_share"])
            )
        catchment = {}
        for group in AGE_GROUPS:
            metres = values.get(group, base.catchment[group])
            if isinstance(metres, bool) or not isinstance(metres, int | float) or not metres > 0:
                raise ParameterError(
                    f"{source}: catchment.{group} must be a distance in metres above 0 "
                    f"(found {metres!r})"
                )
            catchment[group] = float(metres)
        decay = values.get("decay", base.decay)
        if decay not in DECAYS:
            raise ParameterError(
                f"{source}: catchment.decay must be one of {', '.join(DECAYS)} (found {decay!r})"
            )
        sigma_share = values.get("sigma_share", base.sigma_share)
        if (
            isinstance(sigma_share, bool)
            or not isinstance(sigma_share, int | float)
            or not sigma_share > 0
        ):
            raise ParameterError(
                f"{source}: catchment.sigma_share must be above 0 (found {sigma_share!r})"
            )
        return cls(catchment, str(decay), float(sigma_share), base.step_bands)

    def decay_for(self, age_group: str) -> access.Decay | None:
        """The decay function for one age group's catchment (``None`` for the plain 2SFCA).

        Examples
        --------
        >>> settings = CatchmentSettings({"under2": 3000.0, "2": 3000.0, "3_4": 3000.0}, "step")
        >>> settings.decay_for("2")(np.array([500.0, 1500.0, 2500.0]))
        array([1.  , 0.68, 0.22])
        """
        catchment = self.catchment[age_group]
        if self.decay == "gaussian":
            return partial(access.gaussian, sigma=self.sigma_share * catchment)
        if self.decay == "step":
            return partial(
                access.step, steps={share * catchment: w for share, w in self.step_bands}
            )
        return None


@cache
def default_settings() -> CatchmentSettings:
    """The package's settings, from ``data/catchment.toml``."""
    from .parameters import default_table

    values = {
        key.split(".", 1)[1]: entry["value"]
        for key, entry in default_table().items()
        if key.startswith("catchment.")
    }
    bands = _settings_file()["step_bands"]
    steps = tuple(
        (float(s), float(w))
        for s, w in zip(bands["share_of_catchment"], bands["weight"], strict=True)
    )
    return CatchmentSettings(
        catchment={group: float(values[group]) for group in AGE_GROUPS},
        decay=str(values["decay"]),
        sigma_share=float(values["sigma_share"]),
        step_bands=steps,
    )


# --- Small areas --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemandPoints:
    """Where each ward's children sit: small areas, else the ward's centroid.

    Point ``i`` is at ``xy[i]`` in ward ``ward[i]`` (a position in the wards) and holds the
    share ``weight[i]`` of that ward's children; the weights of a ward add up to 1.
    ``from_small_areas[w]`` says whether ward ``w`` has small areas.
    """

    ward: np.ndarray
    xy: np.ndarray
    weight: np.ndarray
    from_small_areas: np.ndarray

    def per_ward(self, n_wards: int) -> np.ndarray:
        """How many points each ward has."""
        return np.bincount(self.ward, minlength=n_wards)


def demand_points(wards: gpd.GeoDataFrame, small_areas: pd.DataFrame | None = None) -> DemandPoints:
    """The demand points of the wards (``ward_code, geometry`` in EPSG:27700).

    ``small_areas`` as :func:`read_small_areas` returns them; small areas of wards not in
    ``wards`` are ignored.

    Examples
    --------
    Ward A has two small areas of 30 and 10 children, ward B none (its centroid):

    >>> from shapely.geometry import box
    >>> wards = gpd.GeoDataFrame({"ward_code": ["A", "B"]},
    ...                          geometry=[box(0, 0, 10, 10), box(10, 0, 20, 10)], crs=27700)
    >>> small = pd.DataFrame({"ward_code": ["A", "A"], "x": [2.0, 8.0], "y": [5.0, 5.0],
    ...                       "population": [30.0, 10.0]})
    >>> points = demand_points(wards, small)
    >>> points.weight.tolist(), points.xy.tolist()
    ([0.75, 0.25, 1.0], [[2.0, 5.0], [8.0, 5.0], [15.0, 5.0]])
    """
    codes = pd.Index(wards["ward_code"].to_numpy(dtype=object))
    if small_areas is None or small_areas.empty:
        small_ward = np.zeros(0, dtype=np.intp)
        small_xy = np.zeros((0, 2))
        population = np.zeros(0)
    else:
        small_ward = positions(codes, small_areas["ward_code"])
        keep = small_ward >= 0
        small_ward = small_ward[keep]
        small_xy = small_areas[["x", "y"]].to_numpy(float)[keep]
        population = small_areas["population"].to_numpy(float)[keep]
    n_wards = len(codes)
    has_small = np.bincount(small_ward, minlength=n_wards) > 0
    # Population shares within a ward; evenly where a ward's areas give none or add up to 0.
    known = np.isfinite(population)
    ward_known = np.bincount(small_ward, weights=known.astype(float), minlength=n_wards)
    ward_count = np.bincount(small_ward, minlength=n_wards)
    ward_total = np.bincount(small_ward, weights=np.where(known, population, 0), minlength=n_wards)
    by_population = (ward_known == ward_count) & (ward_total > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        weight = np.where(
            by_population[small_ward],
            population / ward_total[small_ward],
            1.0 / ward_count[small_ward],
        )
    lonely = np.flatnonzero(~has_small)
    centroid = shapely.centroid(np.asarray(wards.geometry.values)[lonely])
    return DemandPoints(
        ward=np.concatenate([small_ward, lonely]).astype(np.intp),
        xy=np.concatenate(
            [small_xy, np.column_stack([shapely.get_x(centroid), shapely.get_y(centroid)])]
        ),
        weight=np.concatenate([weight, np.ones(len(lonely))]),
        from_small_areas=has_small,
    )


# --- The columns --------------------------------------------------------------------------------


def accessibility_columns(
    wards: gpd.GeoDataFrame,
    terms: Sequence[Term],
    children: np.ndarray,
    providers: ProviderSupply,
    settings: CatchmentSettings | None = None,
    *,
    small_areas: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """:func:`accessibility` as a table: ``term, ward_code, age_group``, then its columns
    (:data:`COLUMNS` and ``accessible_places``), rows in the gap table's order."""
    arrays = accessibility(wards, terms, children, providers, settings, small_areas=small_areas)
    return long_table(terms, wards["ward_code"], arrays)


def accessibility(
    wards: gpd.GeoDataFrame,
    terms: Sequence[Term],
    children: np.ndarray,
    providers: ProviderSupply,
    settings: CatchmentSettings | None = None,
    *,
    small_areas: pd.DataFrame | None = None,
) -> dict[str, np.ndarray]:
    """Accessible places per 100 children by ward, term and age group.

    Parameters
    ----------
    wards
        ``ward_code, geometry`` (EPSG:27700), in the order of ``children``'s first axis.
    terms
        The terms of ``children``'s second axis (the gap table's terms).
    children
        Children per ward, term and age group, ``(wards, terms, 3)``.
    providers
        Supply places per provider for the same terms (``supply.provider_supply``).
    settings
        Catchments and decay; ``None`` for the package's (``data/catchment.toml``).
    small_areas
        As :func:`read_small_areas` returns them; ``None``: every ward at its centroid.

    Returns
    -------
    dict
        :data:`COLUMNS` as arrays for ``gap.long_table``: ``accessible_places_per_100``
        (wards, terms, 3; 0 where no provider is in reach), ``accessibility_from``
        (``small_areas`` or ``ward_centroid``, by ward) and ``demand_points`` (by ward); then
        ``accessible_places`` (the ward's share of the places in reach, ``Σ D_i A_i``: over all
        wards it adds up to the places that have children in reach).
    """
    settings = default_settings() if settings is None else settings
    n_wards, n_terms = len(wards), len(terms)
    if children.shape != (n_wards, n_terms, len(AGE_GROUPS)):
        raise ValueError(f"children must be (wards, terms, 3), got {children.shape}")
    if providers.places.shape[1:] != (n_terms, len(AGE_GROUPS)):
        raise ValueError("providers' places must be for the same terms as the children")
    points = demand_points(wards, small_areas)
    # One sparse structure (points x providers) for the widest catchment; each age group
    # gives its pairs their weight, 0 beyond its own catchment.
    distance = _distances(points.xy, providers.xy, max(settings.catchment.values()))
    # Points to wards, to add points up by ward for every term at once.
    to_ward = sparse.csr_array(
        (np.ones(len(points.ward)), (points.ward, np.arange(len(points.ward)))),
        shape=(n_wards, len(points.ward)),
    )
    per_ward = np.maximum(points.per_ward(n_wards), 1)[:, None]
    accessible = np.zeros((n_wards, n_terms, len(AGE_GROUPS)))
    per_child = np.zeros((n_wards, n_terms, len(AGE_GROUPS)))
    weights = _LAST_SEARCH["weights"]  # kept with the search, like the distances
    for g, group in enumerate(AGE_GROUPS):
        # Age groups with the same catchment and decay share their weights.
        same = (
            settings.catchment[group],
            settings.decay,
            settings.sigma_share,
            settings.step_bands,
        )
        if same not in weights:
            weight = sparse.csr_array(
                (_weights(distance.data, settings, group), distance.indices, distance.indptr),
                shape=distance.shape,
            )
            if not weight.data.all():
                # Pairs beyond this group's catchment (weight 0) are dropped, not multiplied
                # through both steps: the same sums, in the same order, without their zeros.
                weight = weight.copy()  # the pairs' indices are the distances' own
                weight.eliminate_zeros()
            weights[same] = weight
        weight = weights[same]
        point_children = children[points.ward, :, g] * points.weight[:, None]
        reach = access.two_steps(weight, point_children, providers.places[:, :, g])
        ward_children = to_ward @ point_children
        accessible[:, :, g] = to_ward @ (point_children * reach)
        plain_mean = (to_ward @ reach) / per_ward
        per_child[:, :, g] = np.divide(
            accessible[:, :, g], ward_children, out=plain_mean, where=ward_children > 0
        )
    return {
        "accessible_places_per_100": 100.0 * per_child,
        "accessibility_from": np.where(points.from_small_areas, "small_areas", "ward_centroid"),
        "demand_points": points.per_ward(n_wards),
        "accessible_places": accessible,
    }


def place_shares(
    wards: gpd.GeoDataFrame,
    terms: Sequence[Term],
    children: np.ndarray,
    sites: np.ndarray,
    settings: CatchmentSettings | None = None,
    *,
    small_areas: pd.DataFrame | None = None,
) -> dict[str, list[sparse.csr_array]]:
    """Where one place at each site is felt: the share of it each ward's children have.

    In the 2SFCA a site's places are shared by the children in its reach (step 1,
    ``access.shares``: ``R_j = S_j / Σ_i D_i W(d_ij)``), and ward ``w``'s accessible places
    (``accessible_places`` of :func:`accessibility`) are ``Σ_j S_j x M[w, j]`` with::

        M[w, j] = Σ_{i in w} D_i W(d_ij) / Σ_i D_i W(d_ij)

    the share of site ``j``'s places that ward ``w``'s children have (0 for a site with no
    children in reach). Step 1 depends on a site's own places only, so one provider's closure,
    or a new site, changes the wards' accessible places by ``M[:, j]`` times its places and
    nothing else: this is how ``closures`` and ``planning`` follow the catchments.

    Parameters
    ----------
    wards, terms, children, settings, small_areas
        As :func:`accessibility` takes them.
    sites
        ``(sites, 2)`` coordinates (EPSG:27700) of the providers or candidate sites.

    Returns
    -------
    dict
        Per age group, one sparse ``(wards, sites)`` matrix ``M`` per term.

    Examples
    --------
    Wards A, B, C in a row, 10 children each at their centres 2 km apart; a catchment of
    2.5 km without decay: a site at B's centre is shared by all three, one at A's by A and B.

    >>> from shapely.geometry import box
    >>> wards = gpd.GeoDataFrame({"ward_code": ["A", "B", "C"]},
    ...     geometry=[box(2000 * i, 0, 2000 * (i + 1), 2000) for i in range(3)], crs=27700)
    >>> settings = CatchmentSettings(dict.fromkeys(AGE_GROUPS, 2500.0), "none")
    >>> shares = place_shares(wards, [Term.parse("2027-spring")], np.full((3, 1, 3), 10.0),
    ...                       np.array([[1000.0, 1000.0], [3000.0, 1000.0]]), settings)
    >>> shares["3_4"][0].toarray().round(3).tolist()
    [[0.5, 0.333], [0.5, 0.333], [0.0, 0.333]]
    """
    settings = default_settings() if settings is None else settings
    n_wards, n_terms = len(wards), len(terms)
    points = demand_points(wards, small_areas)
    sites = np.asarray(sites, dtype=float).reshape(-1, 2)
    distance = _distances(points.xy, sites, max(settings.catchment.values()))
    to_ward = sparse.csr_array(
        (np.ones(len(points.ward)), (points.ward, np.arange(len(points.ward)))),
        shape=(n_wards, len(points.ward)),
    )
    one_place = np.ones((len(sites), n_terms))
    out: dict[str, list[sparse.csr_array]] = {}
    for g, group in enumerate(AGE_GROUPS):
        weight = sparse.csr_array(
            (_weights(distance.data, settings, group), distance.indices, distance.indptr),
            shape=distance.shape,
        )
        point_children = children[points.ward, :, g] * points.weight[:, None]
        per_child = access.shares(weight, point_children, one_place)
        out[group] = [
            sparse.csr_array(
                to_ward
                @ sparse.diags_array(point_children[:, t])
                @ weight
                @ sparse.diags_array(per_child[:, t])
            )
            for t in range(n_terms)
        ]
    return out


_LAST_SEARCH: dict[str, Any] = {}
"""The last pair search: its points, providers and catchment, the distances found, and the
pairs' weights by catchment and decay."""


def _distances(points: np.ndarray, providers: np.ndarray, catchment: float) -> sparse.csr_array:
    """Distances of every pair within ``catchment`` as a sparse (points x providers) matrix,
    indices sorted. Scenarios of one area mostly share their points and providers' places, so
    the last search is kept and reused when both are the same."""
    key = (points.tobytes(), providers.tobytes(), float(catchment))
    if _LAST_SEARCH.get("key") != key:
        pairs = access.catchment_pairs(points, providers, catchment)
        distance = sparse.csr_array(
            (pairs.distance, (pairs.demand_index, pairs.supply_index)),
            shape=(pairs.n_demand, pairs.n_supply),
        )
        distance.sum_duplicates()  # sorts the indices; there are no duplicates to add
        _LAST_SEARCH.update(key=key, distance=distance, weights={})
    return _LAST_SEARCH["distance"]


def _weights(distance: np.ndarray, settings: CatchmentSettings, group: str) -> np.ndarray:
    """Each pair's weight for an age group: its decay within the group's catchment, else 0."""
    within = distance <= settings.catchment[group]
    decay = settings.decay_for(group)
    if decay is None:
        return within.astype(float)
    return np.where(within, decay(distance), 0.0)
