"""The termly report for the scrutiny panel: one HTML file that opens offline and prints.

What it holds, in the order a panel reads it: headline figures (city-wide children, demand,
supply and gap for the report's term, and how many wards are short of places then and at any
term of the forecast); maps of the gap by ward for each age group; the ward gap table; charts of
supply against demand by term, city-wide and for each ward and age group in deficit; places per
100 children against ward deprivation (when the area has ``deprivation.csv``); workforce trends
(when the returns cover two or more terms); school-age childcare (breakfast clubs, after-school
clubs and holiday care for primary children, when the area carries school-age places); and a
note on methods and data.

The choices:

* **Maps are inline SVG**, drawn from the same simplified ward outlines and colour classes as
  the interactive map (``maps.py``): they print sharply, need no script, and each ward is one
  ``<path>`` with a ``<title>`` that the browser shows on hover. The interactive map is a
  separate file (``sufficiency map``).
* **Charts are PNG images** drawn with matplotlib's Agg renderer (no display, no pyplot state)
  and embedded as ``data:`` URIs, at 150 dpi so they print well. Colours follow the maps:
  demand in red, usable supply (supply x utilisation) in blue.
* **Escaping**: the page is a Jinja2 template (``templates/report.html.j2``, package data)
  with autoescaping on, so every name, description and note is escaped as it goes into the
  page; only the SVG maps and images built here are marked safe, and the text inside those is
  escaped when they are built.
* **Published** reports (``publish=True``) follow ``disclosure.py``: ward figures rounded to 5
  with small numbers shown as ``<5``, derived figures held back with them, no vacancy
  projections and no provider-level figures; the ward charts plot the rounded figures and
  leave out wards and age groups with any figure held back. City-wide totals are rounded to 5
  from unrounded sums. Internal reports show the model's figures and say "Internal" at the top.
* The ward charts are capped at :data:`MAX_WARD_CHARTS` (the deepest deficits first); the table
  lists every ward.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import jinja2
import numpy as np
import pandas as pd

from .. import __version__
from ..terms import AGE_GROUPS, Term
from ..terms import term_label as _term_label
from . import disclosure, duty, maps

if TYPE_CHECKING:
    import geopandas as gpd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from ..assess import Assessment
    from ..closures import Resilience
    from ..planning import Plan

__all__ = ["MAX_WARD_CHARTS", "ReportOptions", "render_report", "write_report"]

MAX_WARD_CHARTS = 24
DPI = 150
DEMAND_COLOUR = "#b2182b"
SUPPLY_COLOUR = "#2166ac"
SVG_WIDTH = 300.0
LABELLED_POINTS = 3  # wards named on each deprivation panel: those with fewest places
MAX_NUMBERED = 40  # wards numbered on the report's maps when there are at most this many


@dataclass(frozen=True)
class ReportOptions:
    """How a report is made.

    Attributes
    ----------
    publish
        Apply ``disclosure.py``; ``False`` for an internal report, which says so.
    term
        The term of the headline figures, maps and table (``YYYY-season``); by default the first
        forecast term.
    threshold
        The disclosure threshold.
    """

    publish: bool = False
    term: str | None = None
    threshold: float = disclosure.THRESHOLD


# --- figures ---------------------------------------------------------------------------------


def _count(value: float, publish: bool, threshold: float = disclosure.THRESHOLD) -> str:
    if publish:
        return disclosure.count_text(value, threshold)
    return "" if pd.isna(value) else f"{value:,.0f}"


def headline(
    gap: pd.DataFrame, texts: pd.DataFrame, term: str, *, publish: bool, threshold: float
) -> list[dict[str, str]]:
    """City-wide figures per age group at ``term``, leading with the deficits.

    The deficits come first: how many wards are short of places and by how many places in all
    (the sum of the shortfalls of the wards short, as shown), then the net city-wide gap, which
    nets spare places in one ward against a shortfall in another and so hides deficits.
    Published, the totals are rounded to 5 from unrounded sums and the net gap is the rounded
    usable supply minus the rounded demand; a scenario's totals are held back for an age group
    where any ward's supply is (``held_back``). Wards in deficit are counted from the statuses
    as shown (a held-back status does not count).

    Returns
    -------
    list of dict
        One per age group: ``age_group, children, demand, supply, short, gap,
        wards_in_deficit, wards_ever_in_deficit`` as text.
    """
    rows = []
    deficit = gap.assign(shown_status=texts["status"].to_numpy())
    shown_gap = texts["gap_value"].to_numpy(float)
    held_back = (
        gap[disclosure.HELD_COLUMN].fillna(False).to_numpy(bool)
        if publish and disclosure.HELD_COLUMN in gap.columns
        else np.zeros(len(gap), dtype=bool)
    )
    for group in AGE_GROUPS:
        at = ((gap["age_group"] == group) & (gap["term"] == term)).to_numpy()
        part = gap[at]
        if part.empty:
            continue
        every = deficit[(deficit["age_group"] == group) & (deficit["shown_status"] == "deficit")]
        now = every[every["term"] == term]
        short_now, wards = now["ward_code"].nunique(), part["ward_code"].nunique()
        gaps = shown_gap[at] if publish else part["gap_places"].to_numpy(float)
        in_deficit = (deficit["shown_status"].to_numpy()[at] == "deficit") & np.isfinite(gaps)
        short = float(-np.minimum(gaps[in_deficit], 0).sum())
        demand = float(part["demand_places"].sum())
        supply = float(part["supply_places"].sum())
        usable = demand + float(part["gap_places"].sum())
        if publish:
            net = float(disclosure.round_to_base(usable) - disclosure.round_to_base(demand))
            net_text = "0" if net == 0 else f"{net:+,.0f}"
        else:
            net_text = disclosure.whole_text(usable - demand, signed=True)
        held = bool(held_back[at].any())
        rows.append(
            {
                "age_group": maps.AGE_LABELS[group],
                "children": _count(part["children"].sum(), publish, threshold),
                "demand": _count(demand, publish, threshold),
                "supply": disclosure.NOT_SHOWN if held else _count(supply, publish, threshold),
                "short": disclosure.NOT_SHOWN if held else f"{short:,.0f}",
                "gap": disclosure.NOT_SHOWN if held else net_text,
                "wards_in_deficit": f"{short_now} of {wards}",
                "wards_ever_in_deficit": str(every["ward_code"].nunique()),
            }
        )
    return rows


def ward_table(gap: pd.DataFrame, texts: pd.DataFrame, term: str) -> list[dict[str, Any]]:
    """One row per ward and age group at ``term``, figures as text, with the first term of the
    forecast in which the ward is short of places (from the statuses as shown)."""
    frame = gap[["term", "ward_code", "ward_name", "age_group"]].join(texts)
    deficits = frame[frame["status"] == "deficit"]
    first_deficit = deficits.groupby(["ward_code", "age_group"], sort=False)["term"].first()
    now = frame[frame["term"] == term]
    number = {code: i + 1 for i, code in enumerate(sorted(gap["ward_code"].astype(str).unique()))}
    rows = []
    for row in now.itertuples(index=False):
        first = first_deficit.get((row.ward_code, row.age_group))
        rows.append(
            {
                "ward": row.ward_name,
                "number": number[str(row.ward_code)],
                "code": row.ward_code,
                "age_group": maps.AGE_LABELS[str(row.age_group)],
                "children": row.children,
                "demand": row.demand_places,
                "supply": row.supply_places,
                "gap": row.gap_places,
                "per100": row.places_per_100,
                "status": row.status,
                "vacancies": getattr(row, "projected_vacancies", ""),
                "first_deficit": _term_label(first) if isinstance(first, str) else "none",
                "deficit": row.status == "deficit",
            }
        )
    return rows


# --- SVG maps --------------------------------------------------------------------------------


def _ring_path(coords: np.ndarray, x0: float, y1: float, scale: float) -> str:
    xy = np.column_stack([(coords[:, 0] - x0) * scale, (y1 - coords[:, 1]) * scale])
    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in xy[:-1])
    return f"M{points}Z"


def _path_data(shape: Any, x0: float, y1: float, scale: float) -> str:
    polygons = getattr(shape, "geoms", [shape])
    parts = []
    for polygon in polygons:
        for ring in [polygon.exterior, *polygon.interiors]:
            parts.append(_ring_path(np.asarray(ring.coords), x0, y1, scale))
    return "".join(parts)


def svg_maps(
    gap: pd.DataFrame, texts: pd.DataFrame, shapes: gpd.GeoDataFrame, term: str, *, publish: bool
) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
    """One SVG map per age group at ``term`` and the legend rows (colour, label).

    ``shapes`` are simplified wards in EPSG:27700 (``maps.simplify_wards(..., crs=...)``).
    The class breaks are those of the interactive map: all terms and age groups together.
    """
    breaks = maps.gap_breaks(texts["gap_value"])
    west, south, east, north = shapes.total_bounds
    scale = SVG_WIDTH / max(east - west, 1.0)
    height = (north - south) * scale
    paths = {
        code: _path_data(shape, west, north, scale)
        for code, shape in zip(shapes["ward_code"], shapes.geometry, strict=True)
    }
    numbers = []
    if len(shapes) <= MAX_NUMBERED:
        points = shapes.geometry.representative_point()
        numbers = [
            {"x": f"{(p.x - west) * scale:.1f}", "y": f"{(north - p.y) * scale:.1f}", "n": i + 1}
            for i, p in enumerate(points)
        ]
    frame = gap[["term", "ward_code", "ward_name", "age_group"]].join(texts)
    out = []
    for group in AGE_GROUPS:
        part = frame[(frame["term"] == term) & (frame["age_group"] == group)]
        if part.empty:
            continue
        colours = maps.gap_colours(part["gap_value"], breaks)
        wards = [
            {
                "d": paths[row.ward_code],
                "fill": colour,
                "code": row.ward_code,
                "title": f"{row.ward_name}: gap {row.gap_places} places ({row.status})",
            }
            for row, colour in zip(part.itertuples(index=False), colours, strict=True)
            if row.ward_code in paths
        ]
        out.append(
            {
                "label": maps.AGE_LABELS[group],
                "width": f"{SVG_WIDTH:.0f}",
                "height": f"{height:.0f}",
                "wards": wards,
                "numbers": numbers,
            }
        )
    legend = [(colour, label.replace("\u2212", "-")) for colour, label in maps.legend_rows(breaks)]
    if publish:
        legend.append((maps.HELD_BACK, "not shown: small numbers"))
    return out, legend


# --- charts ----------------------------------------------------------------------------------


def _figure(
    width: float, height: float, *, layout: Literal["constrained"] | None = "constrained"
) -> Figure:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=DPI, layout=layout)
    figure.set_facecolor("white")
    return figure


def _png(figure: Figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _term_axis(axes: Axes, labels: Sequence[str], *, every: int | None = None) -> None:
    """A tick at every term, labelled at each (up to six terms) or every third: "Spr 27"."""
    if every is None:
        every = 1 if len(labels) <= 6 else 3
    axes.set_xticks(range(len(labels)))
    axes.set_xticklabels([_short_term(t) if i % every == 0 else "" for i, t in enumerate(labels)])
    axes.tick_params(axis="x", labelsize=7, length=2)
    axes.grid(axis="y", color="#dddddd", linewidth=0.6)
    axes.spines[["top", "right"]].set_visible(False)
    axes.tick_params(axis="y", labelsize=7)


def _chart_title(label: str) -> str:
    r"""An age group's label on two lines, so that a third of the page's width holds it:
    "3- and 4-year-olds (3 years to school)" -> "3- and 4-year-olds\n(3 years to school)".

    >>> _chart_title("2-year-olds (24 to 35 months)")
    '2-year-olds\n(24 to 35 months)'
    """
    return label.replace(" (", "\n(", 1)


def _short_term(term: str) -> str:
    parsed = Term.parse(term)
    return f"{parsed.season[:3].capitalize()} {parsed.year % 100:02d}"


def _ordered_terms(gap: pd.DataFrame) -> list[str]:
    return sorted(gap["term"].astype(str).unique(), key=lambda t: Term.parse(t).index)


def chart_city(gap: pd.DataFrame, *, publish: bool) -> str:
    """Usable supply (demand + gap) against demand by term, city-wide, one panel per age group."""
    terms = _ordered_terms(gap)
    sums = gap.groupby(["age_group", "term"])[["demand_places", "gap_places"]].sum()
    figure = _figure(7.5, 2.6)
    panels = figure.subplots(1, len(AGE_GROUPS), sharey=False)
    for axes, group in zip(np.atleast_1d(panels), AGE_GROUPS, strict=True):
        part = sums.loc[group].reindex(terms)
        demand = part["demand_places"].to_numpy(float)
        usable = demand + part["gap_places"].to_numpy(float)
        if publish:
            demand, usable = disclosure.round_to_base(demand), disclosure.round_to_base(usable)
            usable = np.where(_held_terms(gap, group, terms), np.nan, usable)
        x = np.arange(len(terms))
        axes.plot(x, demand, color=DEMAND_COLOUR, linewidth=1.8, label="Demand")
        axes.plot(x, usable, color=SUPPLY_COLOUR, linewidth=1.8, label="Usable supply")
        axes.fill_between(
            x, demand, usable, where=demand > usable, color=DEMAND_COLOUR, alpha=0.15, linewidth=0
        )
        axes.set_title(_chart_title(maps.AGE_LABELS[group]), fontsize=9)
        axes.set_ylim(bottom=0)
        _term_axis(axes, terms)
    np.atleast_1d(panels)[0].set_ylabel("Full-time places", fontsize=8)
    np.atleast_1d(panels)[0].legend(fontsize=7, frameon=False, loc="lower left")
    return _png(figure)


def _held_terms(gap: pd.DataFrame, group: str, terms: Sequence[str]) -> np.ndarray:
    """True for each term whose city-wide supply for ``group`` is held back
    (``disclosure.guard_releases``: it differs from a city total already shown by one or two
    providers' places)."""
    if disclosure.CITY_HELD_COLUMN not in gap.columns:
        return np.zeros(len(terms), dtype=bool)
    part = gap[gap["age_group"] == group]
    held = part.groupby("term")[disclosure.CITY_HELD_COLUMN].any()
    return held.reindex(list(terms)).fillna(False).to_numpy(bool)


def deficit_cells(gap: pd.DataFrame, texts: pd.DataFrame) -> pd.DataFrame:
    """Ward and age groups short of places at some term, deepest deficit first.

    Published: only cells whose every term can be shown. Columns ``ward_code, ward_name,
    age_group, worst_gap``.
    """
    frame = gap[["ward_code", "ward_name", "age_group"]].assign(
        gap=texts["gap_value"].to_numpy(), status=texts["status"].to_numpy()
    )
    cells = frame.groupby(["ward_code", "ward_name", "age_group"], sort=False).agg(
        worst_gap=("gap", "min"),
        held=("gap", lambda s: bool(s.isna().any())),
        deficit=("status", lambda s: bool((s == "deficit").any())),
    )
    cells = cells[cells["deficit"] & ~cells["held"]].reset_index()
    return cells.sort_values("worst_gap", kind="stable")[
        ["ward_code", "ward_name", "age_group", "worst_gap"]
    ].reset_index(drop=True)


def chart_wards(gap: pd.DataFrame, cells: pd.DataFrame, *, publish: bool) -> str | None:
    """Usable supply (demand + gap) against demand by term for each ward and age group in
    ``cells``."""
    if cells.empty:
        return None
    cells = cells.head(MAX_WARD_CHARTS)
    terms = _ordered_terms(gap)
    columns = 4
    rows = math.ceil(len(cells) / columns)
    # A fixed grid: constrained layout costs seconds with two dozen panels.
    # Three title lines (ward, age group, ages) above each panel.
    height = 2.1 * rows + 0.3
    figure = _figure(7.5, height, layout=None)
    figure.subplots_adjust(
        left=0.06,
        right=0.99,
        bottom=0.35 / height,
        top=1 - 0.6 / height,
        wspace=0.3,
        hspace=1.05,
    )
    panels = np.atleast_1d(figure.subplots(rows, columns, squeeze=False)).ravel()
    by_cell = dict(list(gap.groupby(["ward_code", "age_group"], sort=False)))
    x = np.arange(len(terms))
    for axes, cell in zip(panels, cells.itertuples(index=False), strict=False):
        part = by_cell[(cell.ward_code, cell.age_group)].set_index("term").reindex(terms)
        demand = part["demand_places"].to_numpy(float)
        usable = demand + part["gap_places"].to_numpy(float)
        if publish:
            demand = disclosure.round_to_base(demand)
            usable = disclosure.round_to_base(usable)
        axes.plot(x, demand, color=DEMAND_COLOUR, linewidth=1.5, label="Demand")
        axes.plot(x, usable, color=SUPPLY_COLOUR, linewidth=1.5, label="Usable supply")
        axes.fill_between(
            x, demand, usable, where=demand > usable, color=DEMAND_COLOUR, alpha=0.18, linewidth=0
        )
        label = _chart_title(maps.AGE_LABELS[str(cell.age_group)])
        axes.set_title(f"{cell.ward_name}\n{label}", fontsize=7.5)
        axes.set_ylim(bottom=0)
        # A quarter of the page: a label every fourth term, so that "Spr 27" labels don't touch.
        _term_axis(axes, terms, every=1 if len(terms) <= 4 else 4)
    for axes in panels[len(cells) :]:
        axes.set_visible(False)
    panels[0].legend(fontsize=6, frameon=False, loc="lower left")
    return _png(figure)


def chart_deprivation(
    gap: pd.DataFrame, texts: pd.DataFrame, deprivation: pd.DataFrame | None, term: str
) -> str | None:
    """Places per 100 children at ``term`` against the ward's IMD score, per age group."""
    if deprivation is None or deprivation.empty:
        return None
    frame = gap[["term", "ward_code", "ward_name", "age_group"]].assign(
        per100=pd.to_numeric(texts["places_per_100"].str.replace(",", ""), errors="coerce")
    )
    frame = frame[frame["term"] == term].merge(
        deprivation[["ward_code", "imd_score"]], on="ward_code", how="inner"
    )
    frame = frame.dropna(subset=["per100", "imd_score"])
    if frame.empty:
        return None
    figure = _figure(7.5, 2.8)
    panels = np.atleast_1d(figure.subplots(1, len(AGE_GROUPS), sharex=True))
    for axes, group in zip(panels, AGE_GROUPS, strict=True):
        part = frame[frame["age_group"] == group]
        x, y = part["imd_score"].to_numpy(float), part["per100"].to_numpy(float)
        axes.scatter(x, y, s=14, color="#542788", zorder=3)
        if len(part) >= 3 and np.ptp(x) > 0:
            slope, intercept = np.polyfit(x, y, 1)
            line = np.array([x.min(), x.max()])
            r = float(np.corrcoef(x, y)[0, 1])
            axes.plot(
                line,
                intercept + slope * line,
                color="#777777",
                linewidth=1,
                linestyle="--",
                label=f"trend (r = {r:.2f})",
            )
            axes.legend(fontsize=6.5, frameon=False, loc="lower left")
        # Name the wards with the fewest places per child, where equity questions start.
        for i in np.argsort(y, kind="stable")[:LABELLED_POINTS]:
            axes.annotate(
                str(part["ward_name"].iloc[i]),
                (x[i], y[i]),
                fontsize=6,
                xytext=(-3, -3),
                textcoords="offset points",
                ha="right",
                va="top",
                color="#333333",
            )
        axes.set_title(_chart_title(maps.AGE_LABELS[group]), fontsize=9)
        axes.set_xlabel("IMD score (higher: more deprived)", fontsize=7)
        axes.set_ylim(bottom=0)
        axes.grid(color="#eeeeee", linewidth=0.6)
        axes.spines[["top", "right"]].set_visible(False)
        axes.tick_params(labelsize=7)
    panels[0].set_ylabel("Places per 100 children", fontsize=8)
    return _png(figure)


def chart_workforce(city: pd.DataFrame | None, *, publish: bool) -> str | None:
    """Staff in post and vacant posts; the staff vacancy rate; leavers and recruits; the
    qualification mix; by term, city-wide."""
    if city is None or city.empty:
        return None
    terms = list(city["term"].astype(str))
    x = np.arange(len(terms))

    def counts(column: str) -> np.ndarray:
        values = city[column].to_numpy(float)
        return disclosure.round_to_base(values) if publish else values

    figure = _figure(7.5, 4.8)
    (posts, rate), (flows, mix) = figure.subplots(2, 2)
    posts.plot(x, counts("staff_total"), marker="o", color=SUPPLY_COLOUR, label="Staff in post")
    posts.plot(x, counts("staff_vacancies"), marker="o", color=DEMAND_COLOUR, label="Vacant posts")
    posts.set_title("Staff working with children", fontsize=9)
    posts.legend(fontsize=7, frameon=False)
    posts.set_ylim(bottom=0)
    rate.plot(x, 100 * city["staff_vacancy_rate"].to_numpy(float), marker="o", color="#542788")
    rate.set_title("Staff vacancy rate (% of posts)", fontsize=9)
    rate.set_ylim(0, max(5.0, 1.2 * float(np.nanmax(100 * city["staff_vacancy_rate"]))))
    flows.plot(x, counts("staff_leavers"), marker="o", color=DEMAND_COLOUR, label="Leavers")
    flows.plot(x, counts("staff_recruits"), marker="o", color=SUPPLY_COLOUR, label="Recruits")
    flows.set_title("Staff leaving and joining in the term", fontsize=9)
    flows.legend(fontsize=7, frameon=False)
    flows.set_ylim(bottom=0)
    bottom = np.zeros(len(terms))
    shares = (
        ("staff_unqualified", "Unqualified", "#d9d9d9"),
        ("staff_level2", "Level 2", "#9ecae1"),
        ("staff_level3", "Level 3", "#4292c6"),
        ("staff_level6", "Level 6 (graduate)", "#08306b"),
    )
    for column, label, colour in shares:
        values = 100 * city[f"{column}_share"].fillna(0).to_numpy(float)
        mix.bar(x, values, bottom=bottom, color=colour, label=label, width=0.6)
        bottom += values
    mix.set_title("Qualification mix (% of staff)", fontsize=9)
    mix.set_ylim(0, 100)
    mix.legend(fontsize=6, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncols=4)
    for axes in (posts, rate, flows, mix):
        _term_axis(axes, terms)
    return _png(figure)


# --- the page --------------------------------------------------------------------------------

#: The page's template: package data beside this module, ``templates/report.html.j2``.
_TEMPLATE_NAME = "report.html.j2"


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("sufficiency.outputs", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )


def _calibration_rows(
    calibration: pd.DataFrame, labels: dict[str, str], *, publish: bool, threshold: float
) -> list[dict[str, str]]:
    rows = []
    for row in calibration.to_dict("records"):
        model, reported = row.get("funded_model"), row.get("funded_returns")
        ratio = row.get("ratio")
        rows.append(
            {
                "entitlement": labels.get(str(row["entitlement"]), str(row["entitlement"])),
                "model": "" if model is None else _count(model, publish, threshold),
                "reported": "" if reported is None else _count(reported, publish, threshold),
                "ratio": "" if ratio is None or pd.isna(ratio) else f"{ratio:.2f}",
            }
        )
    return rows


def report_context(
    result: Assessment,
    options: ReportOptions = ReportOptions(),
    *,
    description: str = "",
    baseline: Assessment | None = None,
    resilience: Resilience | None = None,
    plan: Plan | None = None,
) -> dict[str, Any]:
    """Everything the template needs, as plain values (text is escaped by the template).

    ``baseline``: the run a published scenario report can be differenced against. Published,
    the figures are guarded against it and against the run's other terms
    (:func:`disclosure.guard_scenario`). ``resilience`` and ``plan``: the results of
    :func:`sufficiency.resilience` and :func:`sufficiency.plan` on the same run, whose tables
    the resilience and plan sections show (none is recomputed here).
    """
    if options.publish:
        result = disclosure.guard_scenario(result if baseline is None else baseline, result)
    gap = result.gap.reset_index(drop=True)
    publish = options.publish
    term = options.term or str(result.terms[0])
    if term not in set(gap["term"].astype(str)):
        from ..errors import InputError

        raise InputError(
            f"the report term {term} is not in the forecast ({result.terms[0]} to "
            f"{result.terms[-1]})",
            hint="Give --term a term of the forecast, or leave it out for the first",
        )
    utilisation = result.parameters.utilisation
    shapes = maps.simplify_wards(result.place.wards, crs="EPSG:27700")
    texts = disclosure.figure_texts(gap, publish=publish, threshold=options.threshold)
    svg, legend = svg_maps(gap, texts, shapes, term, publish=publish)
    cells = deficit_cells(gap, texts)
    area = result.place
    text = maps.map_text(result)
    sources = [
        f"Area: {area.name}" + (f" ({area.code})" if area.code else ""),
        f"Ward boundaries: {len(area.wards)} wards; births "
        f"{area.births_years[0]} to {area.births_years[1]}",
        "Parameters: " + "; ".join(result.parameters.sources),
        f"Utilisation {utilisation:.0%}; {result.parameters.hours_per_place:g} hours "
        "a week per full-time place",
    ]
    notes = [] if publish else list(result.notes)
    return {
        "title": "Childcare sufficiency: termly report",
        "publish": publish,
        "area": area.name,
        "council": area.council or "",
        "scenario": result.scenario,
        "scenario_description": description,
        "term_label": _term_label(term),
        "latest_label": _term_label(str(result.latest_return)),
        "first_label": _term_label(str(result.terms[0])),
        "last_label": _term_label(str(result.terms[-1])),
        "made": dt.date.today().isoformat(),
        "version": __version__,
        "threshold": f"{options.threshold:g}",
        "utilisation": f"{utilisation:.0%}",
        "tight": f"{result.parameters.tight_margin:.0%}",
        "tolerance": f"{result.parameters.deficit_tolerance:g}",
        "hours_per_place": f"{result.parameters.hours_per_place:g}",
        "headline": headline(gap, texts, term, publish=publish, threshold=options.threshold),
        "svg_maps": svg,
        "legend": legend,
        "table": ward_table(gap, texts, term),
        "chart_city": chart_city(gap, publish=publish),
        "city_held": publish
        and bool(gap.get(disclosure.CITY_HELD_COLUMN, pd.Series(False)).fillna(False).any()),
        "chart_wards": chart_wards(gap, cells, publish=publish),
        "more_wards": max(0, len(cells) - MAX_WARD_CHARTS),
        "chart_deprivation": chart_deprivation(gap, texts, area.deprivation, term),
        "chart_workforce": chart_workforce(result.workforce(), publish=publish),
        "calibration": _calibration_rows(
            result.calibration,
            {e.key: e.label for e in result.rules},
            publish=publish,
            threshold=options.threshold,
        ),
        "sources": sources,
        "notes": notes,
        "source": text.source,
        **duty.duty_context(result, term=term, publish=publish, threshold=options.threshold),
        "resilience": resilience_section(
            None if resilience is None else resilience.table,
            None if resilience is None else resilience.single_settings,
            publish=publish,
            threshold=options.threshold,
        ),
        "plan": plan_section(
            None if plan is None else plan.table,
            None if plan is None else _plan_totals(plan),
            publish=publish,
            threshold=options.threshold,
        ),
        "school_age": school_age_context(
            result.school_age, term, publish=publish, threshold=options.threshold
        ),
    }


def _plan_totals(plan: Plan) -> dict[str, Any]:
    return {
        "basis": plan.basis,
        "places_added": plan.places_added,
        "deficit_before": plan.deficit_before,
        "deficit_left": plan.deficit_left,
        "greedy_left": plan.greedy_left,
        "greedy_places_added": plan.greedy_places_added,
    }


# --- School-age childcare -------------------------------------------------------------------------

SCHOOL_AGE_PROVISIONS = {
    "breakfast": "Breakfast clubs",
    "after_school": "After-school clubs",
    "holiday": "Holiday care",
}


def school_age_context(
    table: pd.DataFrame | None, term: str, *, publish: bool, threshold: float
) -> dict[str, Any] | None:
    """The report's school-age section at ``term``: city-wide figures per provision and one
    row per ward and provision, as text; ``None`` when the area has no school-age places.

    Published: the disclosure rules, with each ward's supply (and its gap and status) held
    back where fewer than 3 settings offer it, and a city-wide supply held back where the
    wards held back together have fewer than 3 (``disclosure.guard_school_age``,
    ``disclosure.held_totals``).
    """
    if table is None:
        return None
    rows = table[table["term"].astype(str) == term].reset_index(drop=True)
    shown = disclosure.guard_school_age(rows) if publish else rows.assign(places_per_100=np.nan)
    texts = disclosure.figure_texts(
        shown, publish=publish, threshold=threshold, held_reason=disclosure.FEW_SETTINGS_NOT_SHOWN
    )
    held = disclosure.held_totals(rows) if publish else None
    city = []
    for provision, label in SCHOOL_AGE_PROVISIONS.items():
        part = rows[rows["provision"] == provision]
        in_deficit = int((texts.loc[part.index, "status"] == "deficit").sum())
        supply, demand = part["supply_places"].sum(), part["demand_places"].sum()
        withheld = bool(held is not None and held.get((term, provision), False))
        if publish:
            gap_value = float(disclosure.round_to_base(supply) - disclosure.round_to_base(demand))
        else:
            gap_value = float(part["gap_places"].sum())
        city.append(
            {
                "provision": label,
                "children": _count(part["children"].sum(), publish),
                "demand": _count(demand, publish),
                "supply": disclosure.NOT_SHOWN if withheld else _count(supply, publish),
                "gap": disclosure.NOT_SHOWN
                if withheld
                else disclosure.whole_text(gap_value, signed=True),
                "wards_short": in_deficit,
            }
        )
    ward_rows = [
        {
            "ward": row.ward_name,
            "provision": SCHOOL_AGE_PROVISIONS[str(row.provision)],
            "children": texts.at[i, "children"],
            "demand": texts.at[i, "demand_places"],
            "supply": texts.at[i, "supply_places"],
            "gap": texts.at[i, "gap_places"],
            "status": texts.at[i, "status"],
            "deficit": texts.at[i, "status"] == "deficit",
        }
        for i, row in enumerate(rows.itertuples(index=False))
    ]
    return {"city": city, "wards": ward_rows, "n_wards": int(rows["ward_code"].nunique())}


def render_report(
    result: Assessment,
    options: ReportOptions = ReportOptions(),
    *,
    description: str = "",
    baseline: Assessment | None = None,
    resilience: Resilience | None = None,
    plan: Plan | None = None,
) -> str:
    """The report as one HTML page (see the module docstring)."""
    context = report_context(
        result,
        options,
        description=description,
        baseline=baseline,
        resilience=resilience,
        plan=plan,
    )
    return _environment().get_template(_TEMPLATE_NAME).render(**context)


def write_report(
    result: Assessment,
    path: str | Path,
    options: ReportOptions = ReportOptions(),
    *,
    description: str = "",
    baseline: Assessment | None = None,
    resilience: Resilience | None = None,
    plan: Plan | None = None,
) -> int:
    """Write the report to ``path`` (atomically); return its size in bytes."""
    from .tables import write_atomically

    text = render_report(
        result,
        options,
        description=description,
        baseline=baseline,
        resilience=resilience,
        plan=plan,
    )
    page = text.encode("utf-8")
    target = Path(path)
    write_atomically(target.parent, {target.name: lambda p: p.write_bytes(page)})
    return len(page)


# --- resilience and plan sections (sufficiency resilience / plan) -------------------------------

TOP_SETTINGS = 10
"""Settings listed in the internal report's resilience section."""


def resilience_section(
    table: pd.DataFrame | None,
    single: pd.DataFrame | None,
    *,
    publish: bool,
    threshold: float = disclosure.THRESHOLD,
) -> dict[str, Any] | None:
    """The report's resilience section from ``resilience.csv`` and ``single_setting.csv`` (as
    :func:`sufficiency.resilience` gives them); ``None`` without them.

    Internal: the settings whose closure alone adds the most deficit places (named), and the
    wards that depend on one setting for an age group. Published: only how many wards depend on
    one setting for each age group, as a disclosure-controlled count (no ward or provider is
    named, so no one provider's places can be read from the ward table).

    >>> single = pd.DataFrame({"ward_code": ["A", "B", "C"], "ward_name": ["A", "B", "C"],
    ...     "age_group": ["2", "2", "3_4"], "urn": ["P1", "P2", "P3"],
    ...     "supply_places": [5.0, 6.0, 7.0], "demand_places": [4.0, 4.0, 4.0]})
    >>> resilience_section(None, single, publish=True)["single_counts"]
    [{'age_group': 'Under 2s', 'wards': '0'}, {'age_group': '2-year-olds', 'wards': '<5'}, \
{'age_group': '3- and 4-year-olds', 'wards': '<5'}]
    """
    if single is None:
        return None
    labels = dict(zip(AGE_GROUPS, ("Under 2s", "2-year-olds", "3- and 4-year-olds"), strict=True))
    counts = single.groupby("age_group").size().reindex(AGE_GROUPS, fill_value=0)
    single_counts = [
        {
            "age_group": labels[str(g)],
            "wards": _count(float(n), publish, threshold) if publish else f"{n:,}",
        }
        for g, n in counts.items()
    ]
    section: dict[str, Any] = {"single_counts": single_counts, "settings": [], "single": []}
    if publish or table is None:
        return section
    across = "deficit_places_added_access" in table.columns and bool(
        table["deficit_places_added_access"].notna().any()
    )
    top = table[table["deficit_places_added"] > 0].head(TOP_SETTINGS)
    section["across"] = across
    section["settings"] = [
        {
            "urn": str(r["urn"]),
            "name": str(r["provider_name"]),
            "ward": str(r["ward_name"]),
            "places": f"{r['supply_places']:,.0f}",
            "added": f"{r['deficit_places_added']:,.0f}",
            "added_access": (
                f"{r['deficit_places_added_access']:,.0f}"
                if across and pd.notna(r["deficit_places_added_access"])
                else ""
            ),
            "first": _term_label(str(r["first_term_affected"])) if r["first_term_affected"] else "",
            "flags": str(r["flags"]),
        }
        for r in top.to_dict("records")
    ]
    section["single"] = [
        {
            "ward": str(r["ward_name"]),
            "age_group": labels[str(r["age_group"])],
            "urn": str(r["urn"]),
        }
        for r in single.to_dict("records")
    ]
    return section


def plan_section(
    table: pd.DataFrame | None,
    totals: Mapping[str, Any] | None,
    *,
    publish: bool,
    threshold: float = disclosure.THRESHOLD,
) -> dict[str, Any] | None:
    """The report's plan section from ``plan.csv`` and the plan's totals (``places_added,
    deficit_before, deficit_left, greedy_left, greedy_places_added, basis``); ``None``
    without a plan.

    Published, only the new places by ward and age group are shown (they are the plan's own,
    not a provider's): deficits summed over a dozen terms, even rounded to 5, would give a ward's
    supply to within a place where one setting offers it, by differencing against the
    published ward table."""
    if table is None or totals is None:
        return None
    labels = dict(zip(AGE_GROUPS, ("Under 2s", "2-year-olds", "3- and 4-year-olds"), strict=True))
    chosen = table[table["places_added"] > 0]
    bases = {
        "ward": "within each ward",
        "catchment": "across catchments, each new place serving the children within its reach",
        "flows": "where children attend (flows)",
    }
    if publish:
        return {
            "basis": bases.get(str(totals["basis"]), str(totals["basis"])),
            "places": f"{int(totals['places_added']):,}",
            "rows": [
                {
                    "ward": str(r["ward_name"]),
                    "site": str(r["site_id"]),
                    "age_group": labels[str(r["age_group"])],
                    "places": f"{int(r['places_added']):,}",
                }
                for r in chosen.to_dict("records")
            ],
        }
    return {
        "basis": bases.get(str(totals["basis"]), str(totals["basis"])),
        "places": f"{int(totals['places_added']):,}",
        "before": _count(float(totals["deficit_before"]), publish, threshold),
        "left": _count(float(totals["deficit_left"]), publish, threshold),
        "greedy_places": f"{int(totals['greedy_places_added']):,}",
        "greedy_left": _count(float(totals["greedy_left"]), publish, threshold),
        "rows": [
            {
                "ward": str(r["ward_name"]),
                "site": str(r["site_id"]),
                "age_group": labels[str(r["age_group"])],
                "places": f"{int(r['places_added']):,}",
                "before": _count(float(r["deficit_before"]), publish, threshold),
                "after": _count(float(r["deficit_after"]), publish, threshold),
            }
            for r in chosen.to_dict("records")
        ],
    }
