"""Ward maps of the gap in places: folium choropleths, scenario comparisons, one offline file each.

What a map shows and the choices behind it:

* **The gap** (``gap_places``: supply x utilisation - demand, in full-time places) per ward, one
  layer per age group (radio buttons in the layer control: one age group at a time) and the
  funding term picked from a drop-down. Each ward carries its figures for every term, and the
  drop-down restyles the wards and refreshes the tooltips in the page, so a forecast of twelve
  terms does not repeat the ward outlines twelve times.
* **Colours**: ColorBrewer's RdBu (colour-blind safe), with zero as a class break, so red
  always means short of places and blue spare. The breaks come from the data
  (:func:`gap_breaks`): symmetric about zero, at multiples of a step a reader can say aloud
  (1, 2, 2.5 or 5 x 10^k; a multiple of 5 where every figure is, as published ones are), with
  at most 5 classes a side, the step chosen so four steps come nearest the 95th percentile of
  the gap's size over every ward, term and age group of the map. The same breaks serve every
  layer and term, and both sides of a side-by-side map, so colours compare. Wards whose
  figures are held back (``--publish``) are grey.
* **Geometry** is simplified in British National Grid (EPSG:27700) with GEOS's coverage
  simplification (``shapely.coverage_simplify``), which moves each shared boundary once, so
  neighbouring wards keep meeting without gaps or slivers (per-polygon
  ``simplify(preserve_topology=True)`` where the wards are not a clean coverage). The tolerance
  is the area's larger side / 1,000, kept between 10 and 50 m: under a pixel at the zoom that
  fits the area on a screen. Coordinates are then projected to WGS84 and rounded to 5 decimal
  places (about 1 m).
* **Published maps** (``publish=True``) show ward aggregates only, with the rules of
  ``disclosure.py``; they have no provider layer at all and no base map tiles unless asked.
  **Internal** maps add a provider layer (clustered markers with type, places, vacancies and
  waiting lists) and say "Internal" in red on the title.
* **Housing sites** are a layer of circles sized by the dwellings in the trajectory.
* **Escaping**: every name and description that goes into the page is HTML-escaped
  (``html.escape``) before it is put in a property, a tooltip or the title; the provider
  markers' tooltips are built in the page with ``textContent``, which never parses HTML. Data
  goes into ``<script>`` as JSON with ``<``, ``>`` and ``&`` escaped (Jinja's ``tojson``).
* Every map is one HTML file that works offline (``offline.save_offline``). Without tiles a map
  sets ``maxZoom`` itself (marker clustering needs it).

Comparing scenarios: :func:`comparison_map` puts two scenarios side by side in synchronised maps
(folium's ``DualMap``; the term and the age group change on both sides together) and
:func:`difference_map` maps the change in the gap, second minus first.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import hashlib
import html
import itertools
import math
import types
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar, cast

import branca.element
import folium
import folium.plugins
import folium.utilities
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from folium.template import Template

from .. import __version__
from ..terms import AGE_GROUPS, Term
from ..terms import term_label as _term_label
from . import disclosure
from .fields import AGE_LABELS
from .offline import save_offline

if TYPE_CHECKING:
    from ..assess import Assessment

__all__ = [
    "MapOptions",
    "MapText",
    "assessment_map",
    "comparison_map",
    "difference_map",
    "gap_breaks",
    "gap_colours",
    "gap_map",
    "remove_stale_maps",
    "simplify_wards",
    "write_map",
    "write_maps",
    "write_run_maps",
]

# ColorBrewer RdBu, 8 classes: short of places (red) to spare (blue).
PALETTE = ("#b2182b", "#d6604d", "#f4a582", "#fddbc7", "#d1e5f0", "#92c5de", "#4393c3", "#2166ac")
# ColorBrewer RdBu by the number of classes (2 to 5 a side of zero).
RDBU = {
    4: ("#ca0020", "#f4a582", "#92c5de", "#0571b0"),
    6: ("#b2182b", "#ef8a62", "#fddbc7", "#d1e5f0", "#67a9cf", "#2166ac"),
    8: PALETTE,
    10: (
        "#67001f",
        "#b2182b",
        "#d6604d",
        "#f4a582",
        "#fddbc7",
        "#d1e5f0",
        "#92c5de",
        "#4393c3",
        "#2166ac",
        "#053061",
    ),
}
MAX_CLASSES_A_SIDE = 5
HELD_BACK = "#bdbdbd"
NO_CHANGE = "#f7f7f7"
NICE_STEPS = (1.0, 2.0, 2.5, 5.0)
# Okabe-Ito colours, one per provider type.
PROVIDER_COLOURS = {
    "childminder": "#E69F00",
    "day_nursery": "#56B4E9",
    "pre_school": "#009E73",
    "school_nursery": "#F0E442",
    "nursery_school": "#0072B2",
    "other": "#CC79A7",
}
PROVIDER_LABELS = {
    "childminder": "Childminder",
    "day_nursery": "Day nursery",
    "pre_school": "Pre-school",
    "school_nursery": "School nursery class",
    "nursery_school": "Nursery school",
    "other": "Other",
}
MAX_ZOOM = 18
# The wards are fitted between the controls: the title, term and source boxes on the left and
# the layer list and legend on the right are at most 340 px wide (see _CSS), so no ward sits
# under a control on a 1366 x 768 screen.
FIT_TOP_LEFT, FIT_BOTTOM_RIGHT = (370, 10), (370, 10)
# Side by side: the wards below the title and term boxes (at most 200 px), the legend and the
# source in a bar of this height below both maps.
DUAL_FIT_TOP_LEFT, DUAL_BAR_PX = (10, 200), 140
MAX_LABELLED = 40  # ward names shown from the start on maps of at most this many wards
COORDINATE_DECIMALS = 5
TOLERANCE_LIMITS = (10.0, 50.0)  # metres
GAP_FIELDS = ("term", "children", "demand", "supply", "gap", "per100", "status")
GAP_ALIASES = (
    "Term",
    "Children in the age group",
    "Demand (full-time places)",
    "Supply (full-time places)",
    "Gap (full-time places)",
    "Places per 100 children",
    "Status",
)
# Extra views of the same wards, when the gap table has their column: field, tooltip alias,
# the fill column and the layer's name after the age group.
VIEWS = {
    "reach": (
        "Places within reach per 100 (across ward lines)",
        "reach_fill",
        "places within reach per 100",
    ),
    "pdef": ("Chance of a deficit (Monte Carlo)", "pdef_fill", "chance of a deficit"),
    "quality": (
        "Places in settings judged good or outstanding",
        "quality_fill",
        "places judged good or outstanding",
    ),
    "take2": ("Disadvantaged 2s' take-up (DWP list)", "take2_fill", "disadvantaged 2s' take-up"),
}
VIEW_GROUPS = {"take2": ("2",)}
"""Views shown for some age groups only (the others' layers would repeat the same figure)."""
# Share of places in good or outstanding settings (ColorBrewer Greens, 5 classes).
QUALITY_BREAKS = (0.6, 0.8, 0.9, 0.95)
QUALITY_COLOURS = ("#edf8e9", "#bae4b3", "#74c476", "#31a354", "#006d2c")
# Take-up of the disadvantaged 2s' hours (ColorBrewer RdYlBu, 5 classes; the default target
# 80% is the edge between yellow and light blue).
TAKE2_BREAKS = (0.6, 0.7, 0.8, 0.9)
TAKE2_COLOURS = ("#d7191c", "#fdae61", "#ffffbf", "#abd9e9", "#2c7bb6")
# The chance of a deficit: a sequential palette (ColorBrewer Reds, 5 classes).
PDEF_BREAKS = (0.1, 0.3, 0.5, 0.7, 0.9)
PDEF_COLOURS = ("#fff5f0", "#fcbba1", "#fc9272", "#fb6a4a", "#de2d26", "#a50f15")
# Places within reach per 100 children: a sequential palette (ColorBrewer YlGnBu, 5 classes).
REACH_BREAKS = (20.0, 40.0, 60.0, 80.0)
REACH_COLOURS = ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494")
CHANGE_FIELDS = ("term", "gap_first", "gap_second", "change", "status_first", "status_second")


@dataclass(frozen=True)
class MapText:
    """The words around a map. Plain text: they are escaped when the map is built.

    Attributes
    ----------
    title
        The map's heading.
    area
        The area's name.
    scenario
        The scenario's name (and, for a comparison, "first and second").
    data_date
        What the figures are as at, e.g. "provider returns to 2026-autumn".
    source
        The source note at the foot of the map.
    made
        The date the map was made.
    utilisation
        The utilisation factor, for the legend's note on how the gap is worked out.
    """

    title: str
    area: str
    scenario: str
    data_date: str
    source: str
    made: str = field(default_factory=lambda: dt.date.today().isoformat())
    utilisation: float | None = None


@dataclass(frozen=True)
class MapOptions:
    """How a map is made.

    Attributes
    ----------
    publish
        Apply ``disclosure.py`` (ward aggregates only, small numbers held back) and leave
        providers out; ``False`` for an internal map, which says so on it.
    tiles
        Add OpenStreetMap tiles under the wards (they need the network); off by default.
    threshold
        Counts above zero and below this are held back on published maps.
    """

    publish: bool = False
    tiles: bool = False
    threshold: float = disclosure.THRESHOLD


# --- element ids -----------------------------------------------------------------------------

_P = ParamSpec("_P")
_R = TypeVar("_R")


@contextlib.contextmanager
def seeded_ids(seed: str) -> Iterator[None]:
    """Give every branca/folium element made inside the block an id from ``seed`` and a count.

    folium names each element (``map_<id>``, ``geo_json_<id>``) from 16 random bytes, so the
    same map written twice differs; inside this block the ids are the first 32 hex digits of
    SHA-256 of ``"<seed>:<n>"`` for n = 0, 1, 2, ..., and the same inputs give the same file.
    Different seeds give different ids, so elements made in two blocks (a map, then the copies
    a DualMap makes as it renders) never share one.

    >>> with seeded_ids("x"):
    ...     a = branca.element.Element()
    >>> with seeded_ids("x"):
    ...     b = branca.element.Element()
    >>> a.get_name() == b.get_name()
    True
    """
    counter = itertools.count()

    def next_id() -> str:
        return hashlib.sha256(f"{seed}:{next(counter)}".encode()).hexdigest()[:32]

    element = branca.element.Element
    saved_generate, saved_uuid = element.__dict__["_generate_id"], folium.utilities.uuid
    element._generate_id = classmethod(lambda _cls: next_id())  # type: ignore[assignment,method-assign]
    # folium.utilities.deep_copy (DualMap's copies) names its copies with uuid.uuid4().hex.
    folium.utilities.uuid = types.SimpleNamespace(  # type: ignore[assignment]
        uuid4=lambda: types.SimpleNamespace(hex=next_id())
    )
    try:
        yield
    finally:
        element._generate_id = saved_generate  # type: ignore[method-assign]
        folium.utilities.uuid = saved_uuid


def _seeded(seed: str) -> Callable[[Callable[_P, _R]], Callable[_P, _R]]:
    """Build the decorated function's map inside :func:`seeded_ids`."""

    def decorate(build: Callable[_P, _R]) -> Callable[_P, _R]:
        @functools.wraps(build)
        def seeded(*args: _P.args, **kwargs: _P.kwargs) -> _R:
            with seeded_ids(seed):
                return build(*args, **kwargs)

        return seeded

    return decorate


# --- geometry --------------------------------------------------------------------------------


def simplification_tolerance(wards: gpd.GeoDataFrame) -> float:
    """Metres: the area's larger side / 1,000, kept within 10 to 50 m.

    >>> from shapely.geometry import box
    >>> square = gpd.GeoDataFrame(geometry=[box(0, 0, 15_000, 8_000)], crs="EPSG:27700")
    >>> simplification_tolerance(square)
    15.0
    """
    west, south, east, north = wards.to_crs("EPSG:27700").total_bounds
    return float(np.clip(max(east - west, north - south) / 1000, *TOLERANCE_LIMITS))


def simplify_wards(
    wards: gpd.GeoDataFrame, tolerance: float | None = None, *, crs: str = "EPSG:4326"
) -> gpd.GeoDataFrame:
    """Ward outlines simplified in EPSG:27700, then in WGS84 rounded to 5 decimal places.

    Parameters
    ----------
    wards
        ``ward_code, ward_name, geometry`` in any CRS.
    tolerance
        Metres; by default :func:`simplification_tolerance`.
    crs
        ``"EPSG:4326"`` (coordinates rounded to 5 decimal places) or ``"EPSG:27700"`` (rounded
        to whole metres, for drawing without a web map).

    Returns
    -------
    geopandas.GeoDataFrame
        The same rows in ``crs``, ``attrs["tolerance_m"]`` and ``attrs["vertices"]`` (before,
        after) recording what was done.
    """
    projected = wards.to_crs("EPSG:27700")
    metres = simplification_tolerance(projected) if tolerance is None else float(tolerance)
    shapes = projected.geometry.to_numpy()
    before = int(shapely.get_num_coordinates(shapes).sum())
    try:
        if not bool(shapely.coverage_is_valid(shapes)):
            raise ValueError("the wards overlap or have gaps")
        simple = shapely.coverage_simplify(shapes, metres, simplify_boundary=True)
    except (AttributeError, ValueError, shapely.errors.GEOSException):
        simple = shapely.simplify(shapes, metres, preserve_topology=True)
    out = gpd.GeoDataFrame(
        projected.drop(columns="geometry"), geometry=simple, crs="EPSG:27700"
    ).to_crs(crs)
    decimals = 0 if out.crs.is_projected else COORDINATE_DECIMALS
    out["geometry"] = shapely.transform(out.geometry.to_numpy(), lambda xy: np.round(xy, decimals))
    out.attrs["tolerance_m"] = metres
    out.attrs["vertices"] = (before, int(shapely.get_num_coordinates(out.geometry).sum()))
    return out


def _latlon(
    easting: Sequence[float] | pd.Series, northing: Sequence[float] | pd.Series
) -> np.ndarray:
    """(n, 2) latitude, longitude of British National Grid points, rounded to 5 places."""
    points = gpd.GeoSeries(gpd.points_from_xy(easting, northing), crs="EPSG:27700")
    points = points.to_crs("EPSG:4326")
    return np.round(np.column_stack([points.y, points.x]), COORDINATE_DECIMALS)


# --- colours ---------------------------------------------------------------------------------


def gap_breaks(values: Sequence[float] | np.ndarray | pd.Series) -> np.ndarray:
    """Class breaks from the data: symmetric about zero, at multiples of a round step, at most
    :data:`MAX_CLASSES_A_SIDE` classes a side.

    ``reach`` is the 95th percentile of ``|values|`` (finite ones), at least the unit. The step
    is the round number (1, 2, 2.5 or 5 x 10^k, and a multiple of 5 when every value is one, as
    published gaps are; never below that unit) nearest ``reach / 4`` on a log scale, so four
    closed classes and an open one ("... or more") span the data. The classes a side are
    ``floor(reach / step) + 1``, between 2 and 5: breaks at 0 and at +/- 1 .. (classes - 1)
    steps.

    >>> gap_breaks([-45.4, -12.0, 3.0, 35.5]).tolist()  # reach 43.9: step 10, 5 a side
    [-40.0, -30.0, -20.0, -10.0, 0.0, 10.0, 20.0, 30.0, 40.0]
    >>> gap_breaks([0.4, -0.2]).tolist()  # reach below a place: 1 place, 2 a side
    [-1.0, 0.0, 1.0]
    >>> gap_breaks([-15.0, -5.0, 0.0, 10.0, 20.0]).tolist()  # multiples of 5: step 5
    [-15.0, -10.0, -5.0, 0.0, 5.0, 10.0, 15.0]
    """
    array = np.asarray(values, dtype=float)
    size = np.abs(array[np.isfinite(array)])
    unit = 5.0 if size.size and np.allclose(size % 5, 0) and size.max() > 0 else 1.0
    reach = max(float(np.percentile(size, 95)) if size.size else unit, unit)
    step = max(_nice_step(reach / (MAX_CLASSES_A_SIDE - 1), unit), unit)
    a_side = int(np.clip(np.floor(reach / step + 1e-9) + 1, 2, MAX_CLASSES_A_SIDE))
    steps = np.arange(1, a_side, dtype=float) * step
    return np.concatenate([-steps[::-1], [0.0], steps])


def _nice_step(near: float, unit: float = 1.0) -> float:
    """The round number (1, 2, 2.5, 5 x 10^k, a multiple of ``unit``) nearest ``near`` on a
    log scale.

    >>> _nice_step(13.75), _nice_step(14.8), _nice_step(6.2), _nice_step(3.0, 5.0)
    (10.0, 20.0, 5.0, 5.0)
    """
    magnitude = 10.0 ** np.floor(np.log10(max(near, 1e-9)))
    candidates = [
        m * magnitude * scale
        for scale in (0.1, 1.0, 10.0)
        for m in (*NICE_STEPS, 10.0)
        if np.isclose((m * magnitude * scale) / unit, round((m * magnitude * scale) / unit))
        and m * magnitude * scale >= unit - 1e-9
    ]
    if not candidates:
        return unit
    return float(min(candidates, key=lambda c: (abs(np.log(c / near)), c)))


def palette(breaks: np.ndarray) -> tuple[str, ...]:
    """The RdBu colours for ``breaks`` (one more class than breaks).

    >>> len(palette(np.array([-10.0, 0.0, 10.0]))), palette(np.array([-1.0, 0.0, 1.0]))[0]
    (4, '#ca0020')
    """
    return RDBU[len(breaks) + 1]


def gap_colours(values: Sequence[float] | np.ndarray | pd.Series, breaks: np.ndarray) -> list[str]:
    """The palette colour of each value (grey where missing); zero counts as spare.

    >>> breaks = gap_breaks([-45.4, 35.5])
    >>> gap_colours([-61, -0.1, 0.0, 19.9, 75, float("nan")], breaks)
    ['#67001f', '#fddbc7', '#d1e5f0', '#92c5de', '#053061', '#bdbdbd']
    """
    array = np.asarray(values, dtype=float)
    classes = np.digitize(array, breaks, right=False)
    colours = palette(breaks)
    return [
        HELD_BACK if not np.isfinite(v) else colours[c] for v, c in zip(array, classes, strict=True)
    ]


def _break_text(value: float) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".").replace("-", "\u2212")


def legend_rows(breaks: np.ndarray) -> list[tuple[str, str]]:
    """(colour, label) from most short to most spare."""
    labels = [f"{_break_text(breaks[0])} or less"]
    labels += [f"{_break_text(low)} to {_break_text(high)}" for low, high in pairwise(breaks)]
    labels.append(f"{_break_text(breaks[-1])} or more")
    return list(zip(palette(breaks), labels, strict=True))


# --- page furniture --------------------------------------------------------------------------

_CSS = """<style>
.sufficiency-box { background: rgba(255,255,255,0.94); padding: 8px 10px; border-radius: 4px;
  box-shadow: 0 1px 5px rgba(0,0,0,0.4); font: 13px/1.35 Arial, Helvetica, sans-serif;
  color: #222; max-width: 340px; }
.sufficiency-title h1 { font-size: 17px; margin: 0 0 3px 0; }
.sufficiency-title p { margin: 1px 0; }
.sufficiency-internal { display: inline-block; background: #b2182b; color: #fff;
  font-weight: bold; padding: 1px 6px; border-radius: 3px; margin-bottom: 3px; }
.sufficiency-term select { font-size: 13px; margin-left: 4px; }
.sufficiency-legend h2 { font-size: 13px; margin: 0 0 4px 0; }
.sufficiency-legend h3 { font-size: 12px; margin: 5px 0 2px 0; font-weight: bold; }
.sufficiency-legend .sufficiency-row { display: flex; align-items: center; margin: 1px 0; }
.sufficiency-legend .swatch { width: 22px; height: 13px; border: 1px solid #777;
  margin-right: 6px; flex: none; }
.sufficiency-legend .dot { width: 10px; height: 10px; border-radius: 50%;
  border: 1px solid #333; margin: 0 12px 0 6px; flex: none; }
.sufficiency-legend .note { font-size: 11px; color: #444; margin-top: 4px; }
.sufficiency-source { font-size: 11px; max-width: 340px; }
.sufficiency-box.sufficiency-legend, .leaflet-control-layers { max-width: 340px; }
.leaflet-control-layers label { white-space: normal; }
.leaflet-control-layers-base { max-height: 25vh; overflow-y: auto; }
/* The layer list (top right) and the legend (bottom right) share the right edge: each keeps
   to its part of the height, scrolling within it, so that neither covers the other (1366 x
   768: the list's last layers and the housing overlay were under the legend). */
.leaflet-bottom.leaflet-right .sufficiency-legend { max-height: 52vh; overflow-y: auto; }
.sufficiency-legend [hidden] { display: none; }
.sufficiency-side { font-weight: bold; font-size: 14px; }
.provider-icon { border-radius: 50%; border: 1.5px solid #222; }
.ward-label { font: bold 11px Arial, sans-serif; color: #111; text-align: center;
  text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff; white-space: nowrap;
  pointer-events: none; }
.leaflet-tooltip table th { text-align: left; padding-right: 8px; font-weight: normal;
  color: #444; }
.leaflet-tooltip table td { font-weight: bold; }
.sufficiency-bar { position: absolute; left: 0; right: 0; bottom: 0; display: flex;
  gap: 8px; padding: 4px; box-sizing: border-box; background: #eee; overflow: auto; }
.sufficiency-bar .sufficiency-box { max-width: none; }
.sufficiency-bar .sufficiency-legend { flex: 0 1 auto; }
.sufficiency-bar .sufficiency-source { flex: 1 1 240px; }
.sufficiency-bar .sufficiency-legend h2 { display: inline; margin-right: 10px; }
.sufficiency-bar .sufficiency-legend .note { display: inline; }
.sufficiency-bar .sufficiency-legend .sufficiency-row { display: inline-flex;
  margin-right: 10px; }
@media print { .sufficiency-term select { border: none; } }
</style>"""


class _Control(branca.element.MacroElement):
    """A Leaflet control holding HTML that has already been escaped."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var control = L.control({position: {{ this.position|tojson }}});
            control.onAdd = function() {
                var div = L.DomUtil.create("div", {{ this.css_class|tojson }});
                div.innerHTML = {{ this.markup|tojson }};
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            control.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, markup: str, position: str, css_class: str) -> None:
        super().__init__()
        self._name = "SufficiencyControl"
        self.markup = markup
        self.position = position
        self.css_class = f"sufficiency-box {css_class}"


class _TermControl(branca.element.MacroElement):
    """A drop-down of terms that restyles every ward layer and refreshes its tooltip fields.

    Each ward feature carries ``properties.terms[term] = [field values..., fill colour]``. It
    also keeps the age-group layers of several maps in step (a DualMap's two sides) and
    thickens a ward's outline under the pointer.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var groups = {{ this.group_names }};
            var maps = {{ this.map_names }};
            var terms = {{ this.terms|tojson }};
            var fields = {{ this.fields|tojson }};
            function show(term) {
                groups.forEach(function(layers) {
                    layers.forEach(function(layer) {
                        layer.eachLayer(function(ward) {
                            var p = ward.feature.properties, row = p.terms[term];
                            fields.forEach(function(name, i) { p[name] = row[i]; });
                            ward.setStyle({fillColor: row[fields.length]});
                        });
                    });
                });
            }
            groups.forEach(function(layers) {
                layers.forEach(function(layer) {
                    layer.on("mouseover", function(e) {
                        e.layer.setStyle({weight: 3, color: "#000"});
                        e.layer.bringToFront();
                    });
                    layer.on("mouseout", function(e) {
                        e.layer.setStyle({weight: 1, color: "#555"});
                    });
                });
            });
            var syncing = false;
            maps.forEach(function(map, m) {
                map.on("baselayerchange", function(e) {
                    if (syncing) { return; }
                    var index = groups[m].indexOf(e.layer);
                    if (index < 0) { return; }
                    syncing = true;
                    maps.forEach(function(other, o) {
                        if (o === m) { return; }
                        groups[o].forEach(function(layer, i) {
                            if (i === index) { other.addLayer(layer); }
                            else { other.removeLayer(layer); }
                        });
                    });
                    syncing = false;
                });
            });
            var control = L.control({position: "topleft"});
            control.onAdd = function() {
                var div = L.DomUtil.create("div", "sufficiency-box sufficiency-term");
                var label = L.DomUtil.create("label", "", div);
                label.appendChild(document.createTextNode("Funding term"));
                var select = L.DomUtil.create("select", "", label);
                terms.forEach(function(term) {
                    var option = document.createElement("option");
                    option.value = term[0];
                    option.textContent = term[1];
                    select.appendChild(option);
                });
                select.addEventListener("change", function() { show(select.value); });
                L.DomEvent.disableClickPropagation(div);
                return div;
            };
            control.addTo({{ this.host.get_name() }});
            show(terms[0][0]);
        })();
        {% endmacro %}
        """
    )

    def __init__(
        self,
        groups: list[list[folium.GeoJson]],
        maps: list[folium.Map],
        terms: list[tuple[str, str]],
        fields: Sequence[str],
    ) -> None:
        super().__init__()
        self._name = "SufficiencyTermControl"
        self.group_names = "[{}]".format(
            ", ".join("[{}]".format(", ".join(x.get_name() for x in g)) for g in groups)
        )
        self.map_names = "[{}]".format(", ".join(m.get_name() for m in maps))
        self.host = maps[0]
        self.terms = [list(t) for t in terms]
        self.fields = list(fields)


class _Providers(folium.plugins.MarkerCluster):
    """Clustered provider markers built in the page; tooltips made with ``textContent``.

    Rows are ``[lat, lon, colour, name, type, places, vacancies, waiting]``; the text is not
    escaped because it is never parsed as HTML.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function() {
            var rows = {{ this.rows|tojson }};
            var labels = ["Type", "Places", "Vacancies", "Waiting list"];
            var cluster = L.markerClusterGroup({{ this.options|tojavascript }});
            rows.forEach(function(row) {
                var icon = L.divIcon({className: "provider-icon", iconSize: [12, 12],
                                      html: ""});
                var marker = L.marker([row[0], row[1]], {icon: icon});
                marker.on("add", function() {
                    if (marker._icon) { marker._icon.style.background = row[2]; }
                });
                marker.bindTooltip(function() {
                    var div = document.createElement("div");
                    var name = document.createElement("b");
                    name.textContent = row[3];
                    div.appendChild(name);
                    var table = document.createElement("table");
                    labels.forEach(function(label, i) {
                        var tr = table.insertRow();
                        var th = document.createElement("th");
                        th.textContent = label;
                        tr.appendChild(th);
                        tr.insertCell().textContent = row[4 + i];
                    });
                    div.appendChild(table);
                    return div;
                });
                cluster.addLayer(marker);
            });
            return cluster;
        })();
        {% endmacro %}
        """
    )

    def __init__(self, rows: list[list[Any]], name: str) -> None:
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "SufficiencyProviders"
        self.rows = rows


class _WardLabels(folium.map.Layer):
    """Ward names at a point inside each ward, as text (never parsed as HTML)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function() {
            var group = L.layerGroup();
            {{ this.rows|tojson }}.forEach(function(row) {
                var text = document.createElement("div");
                text.textContent = row[2];
                var icon = L.divIcon({className: "ward-label", html: text,
                                      iconSize: [120, 14], iconAnchor: [60, -5]});
                L.marker([row[0], row[1]], {icon: icon, interactive: false,
                                            keyboard: false}).addTo(group);
            });
            return group;
        })();
        {% endmacro %}
        """
    )

    def __init__(self, rows: list[list[Any]], show: bool) -> None:
        super().__init__(name="Ward names", overlay=True, control=True, show=show)
        self._name = "SufficiencyWardLabels"
        self.rows = rows


def _esc(value: object) -> str:
    return html.escape("" if value is None or value is pd.NA else str(value), quote=True)


def _new_map(tiles: bool, bounds: list[list[float]]) -> folium.Map:
    m = folium.Map(tiles=None, maxZoom=MAX_ZOOM, zoom_control="bottomleft", control_scale=True)
    _add_tiles(m, tiles)
    m.fit_bounds(bounds, padding_top_left=FIT_TOP_LEFT, padding_bottom_right=FIT_BOTTOM_RIGHT)
    root = cast(branca.element.Figure, m.get_root())  # a map's root is its figure
    root.header.add_child(branca.element.Element(_CSS), name="sufficiency_css")
    return m


def _add_tiles(m: folium.Map, tiles: bool) -> None:
    if tiles:
        folium.TileLayer("OpenStreetMap", control=False, max_zoom=MAX_ZOOM, opacity=0.6).add_to(m)


def _bounds(geometry: gpd.GeoDataFrame) -> list[list[float]]:
    west, south, east, north = geometry.total_bounds
    return [[float(south), float(west)], [float(north), float(east)]]


def _title_markup(text: MapText, publish: bool, side_note: str = "") -> str:
    badge = (
        "" if publish else '<div class="sufficiency-internal">Internal: not for publication</div>'
    )
    lines = [
        f"<h1>{_esc(text.title)}</h1>",
        f"<p>{_esc(text.area)}</p>",
        f"<p>Scenario: <b>{_esc(text.scenario)}</b></p>",
        f"<p>Data: {_esc(text.data_date)}. Made {_esc(text.made)}.</p>",
    ]
    if side_note:
        lines.append(f"<p>{_esc(side_note)}</p>")
    return badge + "".join(lines)


def _legend_markup(
    breaks: np.ndarray,
    *,
    heading: str,
    short: str,
    spare: str,
    note: str,
    middle: Sequence[str] = (),
    extra: Sequence[str] = (),
) -> str:
    """The legend: a heading, the short classes, ``middle`` rows, the spare classes, ``extra``
    rows (already escaped HTML) and a note."""
    rows = legend_rows(breaks)
    half = len(rows) // 2
    parts = ['<div class="legend-gap">', f"<h2>{_esc(heading)}</h2>", f"<h3>{_esc(short)}</h3>"]
    parts += [_swatch(colour, label) for colour, label in rows[:half]]
    parts += middle
    parts.append(f"<h3>{_esc(spare)}</h3>")
    parts += [_swatch(colour, label) for colour, label in rows[half:]]
    parts.append(f'<div class="note">{_esc(note)}</div></div>')
    parts += extra
    return "".join(parts)


def _extra_rows(*, publish: bool, housing: bool, providers: bool) -> list[str]:
    rows = (
        [_swatch(HELD_BACK, "Not shown: small numbers, or fewer than 3 providers' places change")]
        if publish
        else []
    )
    if housing:
        rows.append(
            _dot(
                "#542788",
                f"Housing site of {disclosure.MIN_PUBLISHED_DWELLINGS}+ dwellings (size: dwellings)"
                if publish
                else "Housing site (size: dwellings)",
            )
        )
    if providers:
        rows.append("<h3>Providers</h3>")
        rows += [_dot(colour, PROVIDER_LABELS[kind]) for kind, colour in PROVIDER_COLOURS.items()]
    return rows


def _class_rows(heading: str, edges: Sequence[str], colours: Sequence[str]) -> list[str]:
    """Legend rows of a sequential view: ``edges`` are the class breaks as text, from the
    lowest (``0``) up; the last class is "<last edge> or more"."""
    labels = [f"{a} to {b}" for a, b in itertools.pairwise(edges)]
    labels.append(f"{edges[-1]} or more")
    rows = [f"<h3>{_esc(heading)}</h3>"]
    rows += [_swatch(c, label) for c, label in zip(colours, labels, strict=True)]
    return rows


def _reach_rows() -> list[str]:
    edges = ["0", *(f"{b:g}" for b in REACH_BREAKS)]
    return _class_rows("Places within reach per 100 children (reach layers)", edges, REACH_COLOURS)


def _pdef_rows() -> list[str]:
    edges = ["0%", *(f"{b:.0%}" for b in PDEF_BREAKS)]
    return _class_rows("Chance of a deficit (chance layers)", edges, PDEF_COLOURS)


def _quality_rows() -> list[str]:
    edges = ["0%", *(f"{b:.0%}" for b in QUALITY_BREAKS)]
    return _class_rows(
        "Share of places in good or outstanding settings (quality layers)", edges, QUALITY_COLOURS
    )


def _take2_rows() -> list[str]:
    edges = ["0%", *(f"{b:.0%}" for b in TAKE2_BREAKS)]
    return _class_rows("Disadvantaged 2s' take-up of the 15 hours", edges, TAKE2_COLOURS)


def _section(view: str, rows: Sequence[str]) -> list[str]:
    """Legend rows of one of the ``VIEWS``, hidden until one of its layers is shown."""
    return [f'<div class="legend-view legend-{view}" hidden>', *rows, "</div>"]


class _LegendSwitch(branca.element.MacroElement):
    """Shows the legend's rows for the layer shown only: the gap classes with a gap layer, the
    reach or chance classes (and not the gap's) with one of those layers."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var names = {{ this.names|tojson }};
            {{ this._parent.get_name() }}.on("baselayerchange", function(e) {
                var view = null;
                Object.keys(names).forEach(function(key) {
                    if (e.name.indexOf(": " + names[key]) >= 0) { view = key; }
                });
                document.querySelectorAll(".sufficiency-legend .legend-view").forEach(
                    function(div) { div.hidden = !div.classList.contains("legend-" + view); });
                document.querySelectorAll(".sufficiency-legend .legend-gap").forEach(
                    function(div) { div.hidden = view !== null; });
            });
        })();
        {% endmacro %}
        """
    )

    def __init__(self, m: folium.Map) -> None:
        super().__init__()
        self._name = "SufficiencyLegendSwitch"
        self.names = {view: label for view, (_, _, label) in VIEWS.items()}


def _dot(colour: str, label: str) -> str:
    return (
        f'<div class="sufficiency-row"><span class="dot" style="background:{colour}"></span>'
        f"{_esc(label)}</div>"
    )


def _swatch(colour: str, label: str) -> str:
    return (
        f'<div class="sufficiency-row"><span class="swatch" style="background:{colour}"></span>'
        f"{_esc(label)}</div>"
    )


# --- layers ----------------------------------------------------------------------------------


def _ward_layer(
    geometry: gpd.GeoDataFrame,
    values: pd.DataFrame,
    *,
    name: str,
    age_group: str,
    fields: Sequence[str],
    aliases: Sequence[str],
    show: bool,
) -> folium.GeoJson:
    """One age group's wards; ``values`` has ``ward_code, term_key``, ``field_<name>`` for each
    field (escaped text) and ``fill``, rows in term order."""
    columns = [*(f"field_{f}" for f in fields), "fill"]
    by_ward: dict[str, dict[str, list[str]]] = {}
    for row in values[["ward_code", "term_key", *columns]].itertuples(index=False):
        by_ward.setdefault(row[0], {})[row[1]] = list(row[2:])
    first = values["term_key"].iloc[0]
    features = []
    for code, ward_name, shape in zip(
        geometry["ward_code"], geometry["ward_name"], geometry.geometry, strict=True
    ):
        terms = by_ward.get(code)
        if terms is None:
            continue
        properties: dict[str, Any] = {
            "ward_code": _esc(code),
            "ward_name": _esc(ward_name),
            "age_group": _esc(
                AGE_LABELS.get(age_group, SCHOOL_AGE_TOOLTIP.get(age_group, age_group))
            ),
            "terms": terms,
            "style": {
                "fillColor": terms[first][-1],
                "color": "#555",
                "weight": 1,
                "fillOpacity": 0.85,
            },
        }
        properties.update(zip(fields, terms[first][:-1], strict=True))
        features.append(
            {
                "type": "Feature",
                "id": str(code),
                "properties": properties,
                "geometry": shapely.geometry.mapping(shape),
            }
        )
    tooltip = folium.GeoJsonTooltip(
        fields=["ward_name", "age_group", *fields],
        aliases=["Ward", "Age group", *aliases],
        sticky=True,
    )
    return folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name=name,
        overlay=False,
        control=True,
        show=show,
        tooltip=tooltip,
        class_name=f"ward ward-{age_group}",
    )


def _gap_values(
    gap: pd.DataFrame, *, publish: bool, threshold: float
) -> tuple[pd.DataFrame, np.ndarray]:
    """Escaped tooltip texts and fill colours of each gap-table row, and the class breaks."""
    texts = disclosure.figure_texts(gap, publish=publish, threshold=threshold)
    breaks = gap_breaks(texts["gap_value"])
    out = pd.DataFrame(
        {
            "ward_code": gap["ward_code"].astype(str).to_numpy(),
            "term": gap["term"].astype(str).to_numpy(),
            "age_group": gap["age_group"].astype(str).to_numpy(),
            "term_label": [_term_label(t) for t in gap["term"].astype(str)],
            "children": texts["children"].to_numpy(),
            "demand": texts["demand_places"].to_numpy(),
            "supply": texts["supply_places"].to_numpy(),
            "gap": texts["gap_places"].to_numpy(),
            "per100": texts["places_per_100"].to_numpy(),
            "status": texts["status"].to_numpy(),
            "fill": gap_colours(texts["gap_value"], breaks),
            "gap_value": texts["gap_value"].to_numpy(),
        }
    )
    if "accessible_places_per_100" in gap.columns:
        reach = gap["accessible_places_per_100"].to_numpy(float)
        held = np.asarray(publish & texts["gap_value"].isna().to_numpy(), dtype=bool)
        out["reach"] = ["not shown" if h else f"{v:,.0f}" for v, h in zip(reach, held, strict=True)]
        out["reach_fill"] = np.where(
            held, HELD_BACK, np.take(REACH_COLOURS, np.searchsorted(REACH_BREAKS, reach))
        )
    for column in ("term_label", "children", "demand", "supply", "gap", "per100", "status"):
        out[column] = [_esc(v) for v in out[column]]
    if "p_deficit" in gap.columns:
        chance = gap["p_deficit"].to_numpy(float)
        held = np.asarray(publish & texts["gap_value"].isna().to_numpy(), dtype=bool)
        out["pdef"] = ["not shown" if h else f"{v:.0%}" for v, h in zip(chance, held, strict=True)]
        out["pdef_fill"] = np.where(
            held, HELD_BACK, np.take(PDEF_COLOURS, np.searchsorted(PDEF_BREAKS, chance))
        )
    _duty_values(gap, out, publish=publish, threshold=threshold, texts=texts)
    for column in ("reach", "pdef", "quality", "take2"):
        if column in out.columns:
            out[column] = [_esc(v) for v in out[column]]
    return out, breaks


def _duty_values(
    gap: pd.DataFrame,
    out: pd.DataFrame,
    *,
    publish: bool,
    threshold: float,
    texts: pd.DataFrame | None = None,
) -> None:
    """The quality and disadvantaged 2s views' texts and fills, where the gap table has their
    columns. Published take-up is held back where the eligible or the funded are small, and
    the quality share wherever the ward's supply is not shown (``texts``: its published
    figures; small, or held back between terms and scenarios), since share x supply would give
    the places judged good."""
    if "good_or_outstanding_share" in gap.columns:
        share = gap["good_or_outstanding_share"].to_numpy(float)
        known = np.isfinite(share)
        hidden = np.zeros(len(gap), dtype=bool)
        if publish and texts is not None:
            hidden = disclosure.supply_hidden(texts["supply_places"])
        out["quality"] = [
            "not shown" if h else f"{v:.0%}" if k else "no places"
            for v, k, h in zip(share, known, hidden, strict=True)
        ]
        out["quality_fill"] = np.where(
            known & ~hidden,
            np.take(QUALITY_COLOURS, np.searchsorted(QUALITY_BREAKS, share)),
            HELD_BACK,
        )
    if "disadvantaged_2_take_up" in gap.columns:
        rate = gap["disadvantaged_2_take_up"].to_numpy(float)
        eligible = gap["eligible_2s"].to_numpy(float)
        known = np.isfinite(rate)
        small = known & (
            disclosure.is_small(eligible, threshold)
            | disclosure.is_small(rate * eligible, threshold)
        )
        held = np.asarray(publish & small, dtype=bool)
        twos = gap["age_group"].astype(str).to_numpy() == "2"
        out["take2"] = [
            "2-year-olds only" if not two else "not shown" if h else f"{v:.0%}" if k else "no list"
            for v, k, h, two in zip(rate, known, held, twos, strict=True)
        ]
        colour = np.take(TAKE2_COLOURS, np.searchsorted(TAKE2_BREAKS, np.nan_to_num(rate)))
        out["take2_fill"] = np.where(known & ~held, colour, HELD_BACK)


def _layer_values(
    values: pd.DataFrame, group: str, fields: Sequence[str], fill: str = "fill"
) -> pd.DataFrame:
    part = values[values["age_group"] == group]
    return pd.DataFrame(
        {
            "ward_code": part["ward_code"].to_numpy(),
            "term_key": part["term"].to_numpy(),
            **{f"field_{f}": part[_SOURCE.get(f, f)].to_numpy() for f in fields},
            "fill": part[fill].to_numpy(),
        }
    )


_SOURCE = {"term": "term_label"}


def _one_scenario(gap: pd.DataFrame, what: str) -> pd.DataFrame:
    names: np.ndarray | list[str] = (
        gap["scenario"].astype(str).unique() if "scenario" in gap.columns else []
    )
    if len(names) > 1:
        raise ValueError(f"{what} maps one scenario; the table holds {', '.join(names)}")
    return gap.reset_index(drop=True)


def _terms(gap: pd.DataFrame) -> list[tuple[str, str]]:
    keys = sorted(gap["term"].astype(str).unique(), key=lambda t: Term.parse(t).index)
    return [(key, _term_label(key)) for key in keys]


def _housing_layer(housing: pd.DataFrame | None, wards: gpd.GeoDataFrame) -> folium.GeoJson | None:
    """One circle per site: its name, dwellings, years and type; at the ward's centre when the
    trajectory gives only a ward."""
    if housing is None or housing.empty:
        return None
    frame = housing.copy()
    if {"easting", "northing"} <= set(frame.columns):
        located = frame["easting"].notna() & frame["northing"].notna()
    else:
        located = pd.Series(False, index=frame.index)
        frame["easting"] = np.nan
        frame["northing"] = np.nan
    if not located.all() and "ward_code" in frame.columns:
        centres = wards.set_index("ward_code").geometry.representative_point()
        lost = ~located & frame["ward_code"].isin(centres.index)
        points = centres.reindex(frame.loc[lost, "ward_code"])
        frame.loc[lost, "easting"] = points.x.to_numpy()
        frame.loc[lost, "northing"] = points.y.to_numpy()
    frame = frame[frame["easting"].notna() & frame["northing"].notna()]
    if frame.empty:
        return None
    key = "site_id" if "site_id" in frame.columns else "site_name"
    sites = frame.groupby(key, sort=True).agg(
        site_name=("site_name", "first"),
        dwellings=("dwellings", "sum"),
        first_year=("year", "min"),
        last_year=("year", "max"),
        dwelling_type=("dwelling_type", lambda s: ", ".join(sorted(set(s.astype(str))))),
        easting=("easting", "first"),
        northing=("northing", "first"),
    )
    where = _latlon(sites["easting"], sites["northing"])
    features = []
    for (lat, lon), site in zip(where, sites.itertuples(), strict=True):
        first, last = cast(int, site.first_year), cast(int, site.last_year)  # min and max year
        years = str(first) if first == last else f"{first}\u2013{last}"
        radius = float(np.clip(3 + np.sqrt(max(cast(float, site.dwellings), 0)) / 3, 4, 16))
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "site_name": _esc(site.site_name),
                    "dwellings": _esc(f"{site.dwellings:,.0f}"),
                    "years": _esc(years),
                    "dwelling_type": _esc(site.dwelling_type),
                    "style": {"radius": radius},
                },
                "geometry": {"type": "Point", "coordinates": [float(lon), float(lat)]},
            }
        )
    return folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name="Housing sites",
        overlay=True,
        show=True,
        marker=folium.CircleMarker(
            radius=6,
            color="#2d004b",
            weight=1.5,
            fill=True,
            fill_color="#542788",
            fill_opacity=0.75,
            class_name="housing-site",
        ),
        tooltip=folium.GeoJsonTooltip(
            fields=["site_name", "dwellings", "years", "dwelling_type"],
            aliases=["Housing site", "Dwellings", "Completions", "Type"],
        ),
        class_name="housing-site",
    )


def _provider_rows(providers: pd.DataFrame) -> list[list[Any]]:
    """Rows for :class:`_Providers`: one per located provider (plain text, not escaped)."""
    frame = providers[providers["easting"].notna() & providers["northing"].notna()]
    if frame.empty:
        return []
    where = _latlon(frame["easting"], frame["northing"])

    def by_age(prefix: str) -> list[str]:
        columns = [f"{prefix}_{g}" for g in AGE_GROUPS]
        values = frame.reindex(columns=columns).to_numpy(dtype=float)
        return [
            ", ".join(
                f"{AGE_LABELS[g]} {v:,.0f}"
                for g, v in zip(AGE_GROUPS, row, strict=True)
                if np.isfinite(v) and v > 0
            )
            or "none"
            for row in values
        ]

    places, vacancies, waiting = by_age("places"), by_age("vacancies"), by_age("waiting")
    kinds = frame["provider_type"].astype(str).to_numpy()
    names = frame["provider_name"].astype(object).to_numpy()
    return [
        [
            float(lat),
            float(lon),
            PROVIDER_COLOURS.get(kind, PROVIDER_COLOURS["other"]),
            "" if pd.isna(name) else str(name),
            PROVIDER_LABELS.get(kind, kind),
            places[i],
            vacancies[i],
            waiting[i],
        ]
        for i, ((lat, lon), kind, name) in enumerate(zip(where, kinds, names, strict=True))
    ]


def _label_rows(geometry: gpd.GeoDataFrame) -> list[list[Any]]:
    points = geometry.to_crs("EPSG:27700").geometry.representative_point().to_crs("EPSG:4326")
    return [
        [round(float(p.y), COORDINATE_DECIMALS), round(float(p.x), COORDINATE_DECIMALS), str(n)]
        for p, n in zip(points, geometry["ward_name"], strict=True)
    ]


# --- maps ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MoreLayers:
    """Layers a gap map may carry beyond the gap's own."""

    school_age: pd.DataFrame | None = None
    """School-age childcare rows of the same scenario (``school_age.py``'s table, with
    ``settings``)."""
    overlays: Sequence[folium.map.Layer] = ()
    """Finished layers, added before the layer control (the plan's new places)."""


@_seeded("gap_map")
def gap_map(
    gap: pd.DataFrame,
    wards: gpd.GeoDataFrame,
    *,
    text: MapText,
    housing: pd.DataFrame | None = None,
    providers: pd.DataFrame | None = None,
    options: MapOptions = MapOptions(),
    geometry: gpd.GeoDataFrame | None = None,
    more: MoreLayers = MoreLayers(),
) -> folium.Map:
    """The ward choropleth of the gap in places, one layer per age group, a term drop-down.

    Parameters
    ----------
    gap
        Gap-table rows (DATA.md) of one scenario, any terms.
    wards
        ``ward_code, ward_name, geometry`` (any CRS).
    text
        Title, area, scenario, data date and source note.
    housing
        The housing trajectory (``site_id, site_name, year, dwellings, dwelling_type`` and a
        location); a layer of sites when given.
    providers
        One row per provider (``provider_name, provider_type, easting, northing, places_*,
        vacancies_*, waiting_*``); a clustered layer on internal maps. Ignored when publishing.
    options
        Published or internal, tiles, disclosure threshold.
    geometry
        Already simplified wards (:func:`simplify_wards`), to reuse between maps.
    more
        School-age childcare rows (one more layer per provision, on the same gap classes) and
        finished layers to add before the layer control (the plan's new places).
    """
    school_age, overlays = more.school_age, more.overlays
    gap = _one_scenario(gap, "gap_map")
    shapes = simplify_wards(wards) if geometry is None else geometry
    publish = options.publish
    values, breaks = _gap_values(gap, publish=publish, threshold=options.threshold)
    m = _new_map(options.tiles, _bounds(shapes))
    views = [v for v in VIEWS if v in values.columns]
    fields = (*GAP_FIELDS, *views)
    aliases = (*GAP_ALIASES, *(VIEWS[v][0] for v in views))
    school = None
    if school_age is not None and len(school_age):
        school = _school_age_values(school_age, values, publish=publish, options=options)
        breaks = gap_breaks(pd.concat([values["gap_value"], school["gap_value"]]))
        values["fill"] = gap_colours(values["gap_value"], breaks)
        school["fill"] = gap_colours(school["gap_value"], breaks)
    layers = _age_layers(m, shapes, values, fields, aliases)
    for view in views:
        shown = values[values["age_group"].isin(VIEW_GROUPS.get(view, AGE_GROUPS))]
        layers += _age_layers(m, shapes, shown, fields, aliases, view=view)
    if school is not None:
        layers += _school_age_layers(m, shapes, school, fields, aliases)
    if publish:  # major sites only (disclosure.published_housing)
        housing = disclosure.published_housing(housing)
    site_layer = _housing_layer(housing, wards.to_crs("EPSG:27700"))
    if site_layer is not None:
        site_layer.add_to(m)
    show_providers = providers is not None and not publish
    if show_providers and providers is not None:
        rows = _provider_rows(providers)
        show_providers = bool(rows)
        if rows:
            _Providers(rows, name=f"Providers ({len(rows):,})").add_to(m)
    for overlay in overlays:
        overlay.add_to(m)
    _WardLabels(_label_rows(shapes), show=len(shapes) <= MAX_LABELLED).add_to(m)
    folium.LayerControl(position="topright", collapsed=False).add_to(m)
    _Control(_title_markup(text, publish), "topleft", "sufficiency-title").add_to(m)
    _TermControl([layers], [m], _terms(gap), fields).add_to(m)
    share = f"{text.utilisation:.0%} of " if text.utilisation is not None else ""
    legend = _legend_markup(
        breaks,
        heading="Gap in full-time places",
        short="Short of places (deficit)",
        spare="Spare places",
        note=f"Gap = {share}supply places minus demand places, for the age group and term "
        "chosen. A full-time place is 50 hours a week in term time.",
        extra=_extra_rows(publish=publish, housing=site_layer is not None, providers=show_providers)
        + (_school_age_rows() if school is not None else [])
        + (_section("reach", _reach_rows()) if "reach" in views else [])
        + (_section("pdef", _pdef_rows()) if "pdef" in views else [])
        + (_section("quality", _quality_rows()) if "quality" in views else [])
        + (_section("take2", _take2_rows()) if "take2" in views else []),
    )
    _Control(legend, "bottomright", "sufficiency-legend").add_to(m)
    _LegendSwitch(m).add_to(m)
    _Control(_esc(text.source), "bottomleft", "sufficiency-source").add_to(m)
    return m


def _age_layers(
    m: folium.Map,
    shapes: gpd.GeoDataFrame,
    values: pd.DataFrame,
    fields: Sequence[str],
    aliases: Sequence[str],
    *,
    view: str | None = None,
) -> list[folium.GeoJson]:
    """One layer per age group coloured by the gap (or by one of the ``VIEWS``: places within
    reach per 100 children, the chance of a deficit)."""
    layers = []
    present = [g for g in AGE_GROUPS if (values["age_group"] == g).any()]
    for i, group in enumerate(present):
        label = AGE_LABELS.get(group, group)
        layer = _ward_layer(
            shapes,
            _layer_values(values, group, fields, VIEWS[view][1] if view else "fill"),
            name=f"{label}: {VIEWS[view][2]}" if view else label,
            age_group=group,
            fields=fields,
            aliases=aliases,
            show=i == 0 and view is None,
        )
        layer.add_to(m)
        layers.append(layer)
    return layers


# --- school-age childcare layers -----------------------------------------------------------------

NOT_FOR_SCHOOL_AGE = "not measured for school age"
SCHOOL_AGE_TOOLTIP = {
    "breakfast": "Primary (reception to year 6): breakfast clubs",
    "after_school": "Primary (reception to year 6): after-school clubs",
    "holiday": "Primary (reception to year 6): holiday care",
}
SCHOOL_AGE_LABELS = {
    "breakfast": "School age: breakfast clubs",
    "after_school": "School age: after-school clubs",
    "holiday": "School age: holiday care",
}


def _school_age_values(
    school_age: pd.DataFrame, like: pd.DataFrame, *, publish: bool, options: MapOptions
) -> pd.DataFrame:
    """Tooltip texts and gap values of school-age rows, in the columns of the early years'
    ``like`` (views they have none of, such as reach, are blank); published, each ward's
    supply is held back where fewer than 3 settings offer it (``disclosure.guard_school_age``).
    """
    table = _one_scenario(school_age, "gap_map").reset_index(drop=True)
    table = disclosure.guard_school_age(table) if publish else table.assign(places_per_100=np.nan)
    texts = disclosure.figure_texts(
        table,
        publish=publish,
        threshold=options.threshold,
        held_reason=disclosure.FEW_SETTINGS_NOT_SHOWN,
    )
    out = pd.DataFrame(
        {
            "ward_code": table["ward_code"].astype(str).to_numpy(),
            "term": table["term"].astype(str).to_numpy(),
            "age_group": table["provision"].astype(str).to_numpy(),
            "term_label": [_esc(_term_label(t)) for t in table["term"].astype(str)],
            "children": [_esc(v) for v in texts["children"]],
            "demand": [_esc(v) for v in texts["demand_places"]],
            "supply": [_esc(v) for v in texts["supply_places"]],
            "gap": [_esc(v) for v in texts["gap_places"]],
            "per100": NOT_FOR_SCHOOL_AGE,
            "status": [_esc(v) for v in texts["status"]],
            "gap_value": texts["gap_value"].to_numpy(float),
        }
    )
    for column in like.columns:
        if column not in out.columns:
            out[column] = HELD_BACK if column.endswith("_fill") else NOT_FOR_SCHOOL_AGE
    return out


def _school_age_layers(
    m: folium.Map,
    shapes: gpd.GeoDataFrame,
    values: pd.DataFrame,
    fields: Sequence[str],
    aliases: Sequence[str],
) -> list[folium.GeoJson]:
    """One layer per school-age provision, coloured by its gap on the early years' classes."""
    layers = []
    for provision, label in SCHOOL_AGE_LABELS.items():
        if not (values["age_group"] == provision).any():
            continue
        layer = _ward_layer(
            shapes,
            _layer_values(values, provision, fields),
            name=label,
            age_group=provision,
            fields=fields,
            aliases=aliases,
            show=False,
        )
        layer.add_to(m)
        layers.append(layer)
    return layers


def _school_age_rows() -> list[str]:
    return [
        "<h3>School-age layers</h3>",
        '<div class="note">Primary children (reception to year 6) of working families. A '
        "breakfast or after-school place is one child's session each school day; holiday care "
        "is the year's average over the weeks of school holidays (the returns give weeks a "
        "year, not which holidays). Their places are sessions, not full-time places, and "
        "their gap is supply minus demand (every place of a club can be filled).</div>",
    ]


@_seeded("comparison_map")
def comparison_map(
    first: pd.DataFrame,
    second: pd.DataFrame,
    wards: gpd.GeoDataFrame,
    *,
    text: MapText,
    options: MapOptions = MapOptions(),
    geometry: gpd.GeoDataFrame | None = None,
) -> folium.plugins.DualMap:
    """Two scenarios' gap maps side by side, synchronised (pan, zoom, term and age group).

    Both sides share one set of class breaks and one legend (on the right).
    """
    first, second = _one_scenario(first, "comparison_map"), _one_scenario(second, "comparison_map")
    shapes = simplify_wards(wards) if geometry is None else geometry
    publish, tiles = options.publish, options.tiles
    values_first, _ = _gap_values(first, publish=publish, threshold=options.threshold)
    values_second, _ = _gap_values(second, publish=publish, threshold=options.threshold)
    breaks = gap_breaks(pd.concat([values_first["gap_value"], values_second["gap_value"]]))
    for values in (values_first, values_second):
        values["fill"] = gap_colours(values["gap_value"], breaks)
    # Quarter zoom steps, so the wards fill the room a half-screen map leaves them.
    dual = folium.plugins.DualMap(
        tiles=None,
        maxZoom=MAX_ZOOM,
        zoom_control="bottomleft",
        control_scale=True,
        zoomSnap=0.25,
    )
    root = cast(branca.element.Figure, dual.get_root())  # a map's root is its figure
    root.header.add_child(branca.element.Element(_CSS), name="sufficiency_css")
    groups = []
    names = [_scenario_name(first), _scenario_name(second)]
    for side, values, name in (
        (dual.m1, values_first, names[0]),
        (dual.m2, values_second, names[1]),
    ):
        _add_tiles(side, tiles)
        groups.append(_age_layers(side, shapes, values, GAP_FIELDS, GAP_ALIASES))
        _WardLabels(_label_rows(shapes), show=len(shapes) <= MAX_LABELLED).add_to(side)
        folium.LayerControl(position="topright", collapsed=side is dual.m2).add_to(side)
        _Control(f"Scenario: {_esc(name)}", "topright", "sufficiency-side").add_to(side)
    # The legend and the source note sit in a bar below both maps (_dual_bar), so that on a
    # half-screen map neither covers a ward; the title and term are above the wards' top.
    dual.fit_bounds(
        _bounds(shapes), padding_top_left=DUAL_FIT_TOP_LEFT, padding_bottom_right=(10, 10)
    )
    _Control(_title_markup(text, publish), "topleft", "sufficiency-title").add_to(dual.m1)
    # A child of the DualMap itself, so that its script runs after both maps' layers exist
    # (DualMap.add_child would put a copy on each side).
    branca.element.Element.add_child(
        dual, _TermControl(groups, [dual.m1, dual.m2], _terms(first), GAP_FIELDS)
    )
    legend = _legend_markup(
        breaks,
        heading="Gap in full-time places",
        short="Short of places (deficit)",
        spare="Spare places",
        note="Left and right move together: pan, zoom, term and age group.",
        extra=_extra_rows(publish=publish, housing=False, providers=False),
    )
    root.html.add_child(_dual_bar(dual, legend, _esc(text.source)), name="sufficiency_bar")
    return dual


def _dual_bar(dual: folium.plugins.DualMap, legend: str, source: str) -> branca.element.Element:
    """The side-by-side page's bottom bar: the shared legend (its classes in two rows) and
    the source note, below both maps, which are shortened by its height."""
    ids = ", ".join(f"#{m.get_name()}" for m in (dual.m1, dual.m2))
    return branca.element.Element(
        f"<style>{ids} {{ height: calc(100% - {DUAL_BAR_PX}px) !important; }}</style>"
        f'<div class="sufficiency-bar" style="height: {DUAL_BAR_PX}px">'
        f'<div class="sufficiency-box sufficiency-legend">{legend}</div>'
        f'<div class="sufficiency-box sufficiency-source">{source}</div></div>'
    )


def _scenario_name(gap: pd.DataFrame) -> str:
    if "scenario" in gap.columns and len(gap):
        return str(gap["scenario"].iloc[0])
    return "baseline"


def change_in_gap(
    first: pd.DataFrame,
    second: pd.DataFrame,
    *,
    publish: bool = False,
    threshold: float = disclosure.THRESHOLD,
) -> pd.DataFrame:
    """One row per term, ward and age group: the gap of each scenario (as shown) and the change.

    The change is ``second - first`` of the gaps as they may be shown: published, whole places
    and NaN where either gap is held back.

    >>> one = pd.DataFrame({"scenario": ["a"], "term": ["2027-spring"], "ward_code": ["E1"],
    ...     "ward_name": ["X"], "age_group": ["2"], "children": [50.0], "demand_places": [20.0],
    ...     "supply_places": [30.0], "gap_places": [7.0], "places_per_100": [60.0],
    ...     "status": ["sufficient"]})
    >>> two = one.assign(scenario="b", supply_places=[20.0], gap_places=[-2.0],
    ...                  status=["deficit"])
    >>> change_in_gap(one, two)[["gap_first", "gap_second", "change"]].values.tolist()
    [[7.0, -2.0, -9.0]]
    """
    key = ["term", "ward_code", "ward_name", "age_group"]
    shown = []
    for gap in (first, second):
        texts = disclosure.figure_texts(gap, publish=publish, threshold=threshold)
        shown.append(
            gap[key].assign(gap=texts["gap_value"].to_numpy(), status=texts["status"].to_numpy())
        )
    both = shown[0].merge(shown[1], on=key, how="inner", suffixes=("_first", "_second"))
    both["change"] = both["gap_second"] - both["gap_first"]
    return both


@_seeded("difference_map")
def difference_map(
    first: pd.DataFrame,
    second: pd.DataFrame,
    wards: gpd.GeoDataFrame,
    *,
    text: MapText,
    options: MapOptions = MapOptions(),
    geometry: gpd.GeoDataFrame | None = None,
) -> folium.Map:
    """A map of the change in the gap, second scenario minus first (red: fewer spare places)."""
    first, second = _one_scenario(first, "difference_map"), _one_scenario(second, "difference_map")
    names = [_scenario_name(first), _scenario_name(second)]
    shapes = simplify_wards(wards) if geometry is None else geometry
    publish = options.publish
    both = change_in_gap(first, second, publish=publish, threshold=options.threshold)
    breaks = gap_breaks(both["change"])
    values = pd.DataFrame(
        {
            "ward_code": both["ward_code"].astype(str).to_numpy(),
            "term": both["term"].astype(str).to_numpy(),
            "age_group": both["age_group"].astype(str).to_numpy(),
            "term_label": [_esc(_term_label(t)) for t in both["term"].astype(str)],
            "gap_first": [_esc(_signed(v)) for v in both["gap_first"]],
            "gap_second": [_esc(_signed(v)) for v in both["gap_second"]],
            "change": [_esc(_signed(v)) for v in both["change"]],
            "status_first": [_esc(v) for v in both["status_first"]],
            "status_second": [_esc(v) for v in both["status_second"]],
            "fill": [
                NO_CHANGE if np.isfinite(v) and abs(v) < 0.5 else colour
                for v, colour in zip(
                    both["change"], gap_colours(both["change"], breaks), strict=True
                )
            ],
        }
    )
    aliases = (
        "Term",
        f"Gap, {names[0]} (places)",
        f"Gap, {names[1]} (places)",
        "Change (places)",
        f"Status, {names[0]}",
        f"Status, {names[1]}",
    )
    m = _new_map(options.tiles, _bounds(shapes))
    layers = _age_layers(m, shapes, values, CHANGE_FIELDS, tuple(_esc(a) for a in aliases))
    _WardLabels(_label_rows(shapes), show=len(shapes) <= MAX_LABELLED).add_to(m)
    folium.LayerControl(position="topright", collapsed=False).add_to(m)
    _Control(_title_markup(text, publish), "topleft", "sufficiency-title").add_to(m)
    _TermControl([layers], [m], _terms(both), CHANGE_FIELDS).add_to(m)
    legend = _legend_markup(
        breaks,
        heading=f"Change in the gap: {names[1]} minus {names[0]} (full-time places)",
        short=f"Fewer places to spare under {names[1]}",
        spare=f"More places to spare under {names[1]}",
        note="Each ward's gap under the second scenario minus its gap under the first.",
        middle=[_swatch(NO_CHANGE, "No change (less than half a place)")],
        extra=_extra_rows(publish=publish, housing=False, providers=False),
    )
    _Control(legend, "bottomright", "sufficiency-legend").add_to(m)
    _Control(_esc(text.source), "bottomleft", "sufficiency-source").add_to(m)
    return m


def _signed(value: float) -> str:
    return disclosure.NOT_SHOWN if pd.isna(value) else disclosure.whole_text(value, signed=True)


# --- from an assessment ----------------------------------------------------------------------


def map_text(result: Assessment, *, title: str = "Childcare places: gap by ward") -> MapText:
    """The title block and source note of an assessment's maps."""
    area = result.place
    first_year, last_year = area.births_years
    files = ", ".join(area.wards_files) or "the wards file"
    latest = _term_label(str(result.latest_return))
    source = (
        f"Sources: {area.name} provider returns to {latest}; births by ward "
        f"{first_year}\u2013{last_year}"
        + ("; housing trajectory" if area.housing is not None else "")
        + f"; ward boundaries from {files}. Figures are modelled forecasts (sufficiency "
        f"{__version__}): demand from births, eligibility and take-up; supply from the returns."
    )
    return MapText(
        title=title,
        area=area.name if area.council is None else f"{area.name}: {area.council}",
        scenario=result.scenario,
        data_date=f"provider returns to {latest}",
        source=source,
        utilisation=result.parameters.utilisation,
    )


def assessment_map(
    result: Assessment,
    options: MapOptions = MapOptions(),
    *,
    geometry: gpd.GeoDataFrame | None = None,
) -> folium.Map:
    """:func:`gap_map` of an assessment, with its housing sites and (internal) providers."""
    return gap_map(
        result.gap,
        result.place.wards,
        text=map_text(result),
        housing=result.place.housing,
        providers=None if options.publish else result.provider_returns,
        options=options,
        geometry=geometry,
        more=MoreLayers(school_age=result.school_age),
    )


def write_map(m: folium.Map | folium.plugins.DualMap, path: str | Path) -> int:
    """Write a map as one self-contained HTML file; return its size in bytes.

    Elements made while rendering (a DualMap's copies of its layers for the right-hand side)
    get seeded ids too, so the same map gives the same bytes.
    """
    with seeded_ids("render"):
        return save_offline(m, path)


def _file_name(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name).strip(".") or "scenario"


MAP_FILES = ("gap-map.html", "gap-map-*.html", "compare-*-*.html", "change-*-*.html")
"""The names :func:`write_maps` gives its maps in a folder; one not written this time (a
scenario an earlier run had) is removed, when it is one of the tool's maps (:func:`_is_map`)."""


def _is_map(path: Path) -> bool:
    """Whether ``path`` is a map this package wrote (its own style sheet is in the head)."""
    with path.open("rb") as handle:
        return b".sufficiency-box {" in handle.read(8192)


def remove_stale_maps(
    out_dir: str | Path, written: Sequence[Path] = (), removed: list[Path] | None = None
) -> list[Path]:
    """Remove the maps in ``out_dir`` that an earlier run wrote and this one did not."""
    from .tables import remove_stale

    stale = remove_stale(out_dir, MAP_FILES, written, ours=_is_map)
    if removed is not None:
        removed.extend(stale)
    return stale


def write_maps(
    results: Sequence[Assessment],
    out_dir: str | Path,
    options: MapOptions = MapOptions(),
    removed: list[Path] | None = None,
) -> list[Path]:
    """Write the maps of one or more scenario runs of the same area.

    Writes ``gap-map.html`` for the first result and ``gap-map-<scenario>.html`` for each other;
    with two or more, ``compare-<first>-<other>.html`` (side by side) and
    ``change-<first>-<other>.html`` (the change in the gap) for each other result against the
    first. Published, the results are first passed through :func:`disclosure.guard_releases`
    (no two published terms, of one run or of two, differ by one or two providers' places).
    Each map is written to a temporary file and renamed into place; then the maps of
    :data:`MAP_FILES` an earlier run left that this one did not write are removed (and added
    to ``removed`` when given).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    geometry = simplify_wards(results[0].place.wards)
    if options.publish:
        # Terms and scenarios differenced against each other must not give a provider's
        # places away.
        results = disclosure.guard_releases(results)
    written = []
    for i, result in enumerate(results):
        plain = i == 0 and (len(results) == 1 or result.scenario == "baseline")
        name = "gap-map.html" if plain else f"gap-map-{_file_name(result.scenario)}.html"
        m = assessment_map(result, options, geometry=geometry)
        write_map(m, out / name)
        written.append(out / name)
    base = results[0]
    for other in results[1:]:
        pair = f"{_file_name(base.scenario)}-{_file_name(other.scenario)}"
        text = map_text(base, title="Childcare places: two scenarios side by side")
        text = replace(text, scenario=f"{base.scenario} (left) and {other.scenario} (right)")
        dual = comparison_map(
            base.gap, other.gap, base.place.wards, text=text, options=options, geometry=geometry
        )
        write_map(dual, out / f"compare-{pair}.html")
        change_text = replace(
            map_text(base, title="Change in the gap between two scenarios"),
            scenario=f"{other.scenario} compared with {base.scenario}",
        )
        change = difference_map(
            base.gap,
            other.gap,
            base.place.wards,
            text=change_text,
            options=options,
            geometry=geometry,
        )
        write_map(change, out / f"change-{pair}.html")
        written += [out / f"compare-{pair}.html", out / f"change-{pair}.html"]
    remove_stale_maps(out, written, removed)
    return written


def with_draws(results: Sequence[Assessment], gap: pd.DataFrame) -> list[Assessment]:
    """Each result with the Monte Carlo columns (``p_deficit``...) of ``gap`` joined to its own
    gap table, so that its map can show the chance of a deficit."""
    extra = [c for c in ("gap_median", "gap_p05", "gap_p95", "p_deficit") if c in gap.columns]
    if not extra:
        return list(results)
    key = ["scenario", "term", "ward_code", "age_group"]
    out = []
    for result in results:
        missing = [c for c in extra if c not in result.gap.columns]
        if missing:
            joined = result.gap.merge(gap[key + missing], on=key, how="left", validate="one_to_one")
            result = dataclasses.replace(result, gap=joined)
        out.append(result)
    return out


def write_run_maps(
    result: Assessment | Sequence[Assessment],
    out_dir: str | Path,
    *,
    gap: pd.DataFrame | None = None,
    removed: list[Path] | None = None,
) -> list[Path]:
    """The internal maps ``run`` writes into ``OUT/maps/`` (``gap-map.html`` and, for several
    scenarios, one per scenario and the comparisons with the first). ``gap``: the run's whole
    gap table, whose Monte Carlo columns (when there are any) the maps show."""
    results = [result] if not isinstance(result, Sequence) else list(result)
    if gap is not None:
        results = with_draws(results, gap)
    return write_maps(
        results, Path(out_dir) / "maps", MapOptions(publish=False, tiles=False), removed
    )


# --- the plan layer (sufficiency plan) ----------------------------------------------------------


class _PlanPlaces(folium.map.Layer):
    """Where a plan puts new places: a circle per ward or site, its area in proportion to the
    places added, with a tooltip made with ``textContent`` (site ids come from a user's file
    and are never parsed as HTML).

    Rows are ``[lat, lon, radius_px, title, line, line, ...]``.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function() {
            var group = L.featureGroup();
            {{ this.rows|tojson }}.forEach(function(row) {
                var circle = L.circleMarker([row[0], row[1]], {radius: row[2],
                    color: "#000000", weight: 3, dashArray: "4 3",
                    fillColor: "#ffffff", fillOpacity: 0.85});
                circle.bindTooltip(function() {
                    var div = document.createElement("div");
                    var title = document.createElement("b");
                    title.textContent = row[3];
                    div.appendChild(title);
                    row.slice(4).forEach(function(line) {
                        var p = document.createElement("div");
                        p.textContent = line;
                        div.appendChild(p);
                    });
                    return div;
                });
                circle.addTo(group);
            });
            return group;
        })();
        {% endmacro %}
        """
    )

    def __init__(self, rows: list[list[Any]], name: str) -> None:
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "SufficiencyPlanPlaces"
        self.rows = rows


def plan_rows(plan: pd.DataFrame) -> list[list[Any]]:
    """The plan layer's rows from ``plan.csv`` (``planning.COLUMNS``): one circle per place
    (ward or site) that receives places, its age groups in its tooltip.

    >>> table = pd.DataFrame({"ward_code": ["E1", "E1"], "ward_name": ["Dock", "Dock"],
    ...     "site_id": ["", ""], "age_group": ["2", "3_4"], "places_added": [4, 12],
    ...     "deficit_before": [5.0, 20.0], "deficit_after": [1.0, 8.0],
    ...     "easting": [440500.0, 440500.0], "northing": [110500.0, 110500.0]})
    >>> plan_rows(table)[0][2:]
    [8.0, 'Dock: +16 places', 'Age 2: +4, deficit 5.0 -> 1.0', 'Age 3_4: +12, deficit 20.0 -> 8.0']
    """
    chosen = plan[plan["places_added"] > 0]
    if chosen.empty:
        return []
    keys = ["ward_code", "site_id", "easting", "northing"]
    rows = []
    for (_, site, x, y), part in chosen.groupby(keys, sort=False, dropna=False):
        total = int(part["places_added"].sum())
        name = str(part["ward_name"].iloc[0])
        title = f"{name}, site {site}: +{total} places" if site else f"{name}: +{total} places"
        lines = [
            f"Age {r['age_group']}: +{int(r['places_added'])}, deficit "
            f"{r['deficit_before']:.1f} -> {r['deficit_after']:.1f}"
            for r in part.to_dict("records")
        ]
        lat, lon = _latlon([float(x)], [float(y)])[0]  # type: ignore[arg-type]
        rows.append([float(lat), float(lon), round(2.0 * math.sqrt(total), 1), title, *lines])
    return rows


@_seeded("plan_map")
def plan_layer(plan: pd.DataFrame) -> _PlanPlaces | None:
    """The plan's layer for a map (``None`` when the plan adds no places)."""
    rows = plan_rows(plan)
    if not rows:
        return None
    total = int(plan["places_added"].sum())
    return _PlanPlaces(rows, name=f"New places in the plan ({total:,})")


def plan_map(result: Assessment, plan: pd.DataFrame) -> folium.Map:
    """The internal gap map of the assessment a plan was made on, with the plan's places.

    Takes the plan table as :func:`sufficiency.plan` gives it; nothing is recomputed.
    """
    layer = plan_layer(plan)
    return gap_map(
        result.gap,
        result.place.wards,
        text=map_text(result, title="Childcare places: gap by ward and the plan's new places"),
        housing=result.place.housing,
        providers=result.provider_returns,
        options=MapOptions(publish=False, tiles=False),
        more=MoreLayers(overlays=() if layer is None else (layer,)),
    )


def write_plan_map(result: Assessment, plan: pd.DataFrame, out_dir: str | Path) -> Path:
    """Write ``OUT/maps/plan-map.html`` (internal) and return its path."""
    path = Path(out_dir) / "maps" / "plan-map.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_map(plan_map(result, plan), path)
    return path
