"""Ward maps: geometry, colours, escaping, published versus internal, and (``browser``) what
headless Chromium draws with the network cut off.

The tiny area (``hostile_area``): three 1 km square wards, the first named like a script, a
day nursery in the first ward and a childminder in the second whose names are HTML; the third
ward has so few births that its counts are held back when published.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import _browser
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import inside, monthly_births, provider, ward_polygons, write_area
from shapely.geometry import box

import sufficiency
from sufficiency.cli.maps import map_command
from sufficiency.outputs import maps

ARTEFACTS = Path(__file__).resolve().parents[1] / "test-artefacts"
CODES = ("E05000001", "E05000002", "E05000003")
SCRIPT_NAME = "<script>alert(1)</script>"
IMG_NAME = "<img src=x onerror=alert(1)>"
# For the browser: payloads that would leave a mark instead of blocking on a dialog.
MARK_SCRIPT = "<script>window.pwned = 1</script>"
MARK_IMG = '<img src=x onerror="window.pwned = 2">'
NURSERY = f"Acorns {MARK_IMG} & Co"
CHILDMINDER = f"Jane {MARK_SCRIPT} Smith"

needs_chromium = pytest.mark.skipif(_browser.find_chromium() is None, reason=_browser.SKIP_REASON)


def hostile_area(folder: Path) -> Path:
    """Three wards; ward 1 named with a script, ward 3 with 0.2 births a month."""
    x0, y0 = inside(0)
    x1, y1 = inside(1)
    returns = {
        "2026-autumn": [
            provider(urn="EY100001", provider_name=NURSERY, easting=x0, northing=y0),
            provider(
                urn="EY100002",
                provider_name=CHILDMINDER,
                provider_type="childminder",
                easting=x1,
                northing=y1,
                registered_places=6,
                places_under2=2,
                places_2=1,
                places_3_4=0,
                children_3_4=0,
                vacancies_3_4=0,
                vacancies_under2=1,
                staff_total=1,
                staff_level2=0,
                staff_level3=1,
            ),
        ]
    }
    write_area(folder, codes=CODES, returns=returns)
    wards = ward_polygons(list(CODES))
    wards["ward_name"] = [SCRIPT_NAME, IMG_NAME, "Quiet End"]
    wards.to_file(folder / "wards.geojson", driver="GeoJSON")
    births = pd.concat(
        [monthly_births(list(CODES[:2]), 10.0), monthly_births([CODES[2]], 0.2)],
        ignore_index=True,
    )
    births.to_csv(folder / "births.csv", index=False)
    pd.DataFrame(
        {
            "site_id": ["H1"],
            "site_name": [f"Meadow {SCRIPT_NAME}"],
            "year": [2027],
            "dwellings": [120],
            "dwelling_type": ["house"],
            "ward_code": [CODES[0]],
        }
    ).to_csv(folder / "housing.csv", index=False)
    return folder


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> sufficiency.Assessment:
    return sufficiency.assess(hostile_area(tmp_path_factory.mktemp("hostile") / "area"))


@pytest.fixture(scope="module")
def demo() -> sufficiency.Assessment:
    return sufficiency.assess()


def rendered(m) -> str:
    from sufficiency.outputs.offline import inline_assets

    return inline_assets(m.get_root().render())


# --- geometry and colours --------------------------------------------------------------------


def test_simplified_wards_still_meet_and_are_rounded(demo):
    simple = maps.simplify_wards(demo.area.wards)

    before, after = simple.attrs["vertices"]
    assert simple.crs.to_epsg() == 4326
    assert after < before
    assert 10 <= simple.attrs["tolerance_m"] <= 50
    coords = np.concatenate([np.asarray(p.exterior.coords) for p in simple.geometry])
    assert np.allclose(coords, np.round(coords, 5))
    # Neighbours share their boundary: the union has no holes (no slivers between wards).
    union = simple.to_crs("EPSG:27700").union_all()
    assert union.geom_type == "Polygon"
    assert len(union.interiors) == 0
    # Each ward keeps its area to within 1% (a 12 m tolerance on wards of several km2).
    ratio = simple.to_crs("EPSG:27700").area.to_numpy() / demo.area.wards.area.to_numpy()
    assert np.all(np.abs(ratio - 1) < 0.01)


def test_tolerance_is_a_thousandth_of_the_area_within_10_to_50_m():
    def tolerance(width: float) -> float:
        frame = gpd.GeoDataFrame(geometry=[box(0, 0, width, 1000)], crs="EPSG:27700")
        return maps.simplification_tolerance(frame)

    assert [tolerance(w) for w in (3_000, 25_000, 90_000)] == [10.0, 25.0, 50.0]


def test_colours_diverge_at_zero():
    breaks = maps.gap_breaks([-45.0, -10.0, 5.0, 30.0])
    # 95th percentile of |gap|: 45 - 0.15 x (45 - 30) = 42.75; a quarter is 10.7, nearest
    # round step 10; floor(42.75 / 10) + 1 = 5 classes a side.
    assert breaks.tolist() == [-40, -30, -20, -10, 0, 10, 20, 30, 40]
    colours = maps.gap_colours([-0.4, 0.0, 0.4, np.nan], breaks)
    assert colours[0] in maps.RDBU[10][:5]  # any shortfall is red
    assert colours[1] in maps.RDBU[10][5:]  # zero is not short
    assert colours[2] in maps.RDBU[10][5:]
    assert colours[3] == maps.HELD_BACK


def test_breaks_come_from_the_data_on_hand_made_gaps():
    # The city: 16 wards, under-2 deficits of -6 to -31 beside spare places up to +40.
    # Fixed breaks of 100 put every deficit in one class.
    under2 = [-31, -24, -18, -12, -9, -6, 3, 8, 12, 15, 19, 22, 26, 30, 35, 40]
    breaks = maps.gap_breaks(under2)
    # |gap| sorted: 3 6 8 9 12 12 15 18 19 22 24 26 30 31 35 40; the 95th percentile is at
    # rank 0.95 x 15 = 14.25: 35 + 0.25 x 5 = 36.25; / 4 = 9.06 -> step 10; 4 classes a side.
    assert breaks.tolist() == [-30, -20, -10, 0, 10, 20, 30]
    colours = maps.gap_colours(under2[:6], breaks)
    # -31 "30 or less", -24 and -18 "-30 to -20"/"-20 to -10", -12 and -9 and -6 nearer 0:
    assert (
        colours
        == [maps.RDBU[8][0], maps.RDBU[8][1], maps.RDBU[8][2], maps.RDBU[8][2]]
        + [maps.RDBU[8][3]] * 2
    )
    assert len(set(colours)) == 4  # four shades of red, not one
    # Published gaps are multiples of 5: the step is too (5, not 2 or 2.5).
    assert maps.gap_breaks([-15, -10, -5, 0, 5, 10, 20]).tolist() == [
        -15,
        -10,
        -5,
        0,
        5,
        10,
        15,
    ]
    # Never more than 5 classes a side, however spread; never fewer than 2.
    # 55 / 4 = 13.75 -> step 10; 55 / 10 + 1 = 6.5 classes would fit, capped at 5.
    assert maps.gap_breaks([-55.1, 55.1, 1.3]).tolist() == [-40, -30, -20, -10, 0, 10, 20, 30, 40]
    # Multiples of 50 up to 1,000: 95th percentile 950, / 4 = 237.5 -> 250; 4 a side.
    assert maps.gap_breaks(np.linspace(-1000, 1000, 41)).tolist() == [
        -750,
        -500,
        -250,
        0,
        250,
        500,
        750,
    ]
    assert maps.gap_breaks([0.2, -0.3]).tolist() == [-1, 0, 1]
    assert maps.gap_breaks([]).tolist() == [-1, 0, 1]
    # Symmetric about zero whichever side is larger.
    lopsided = maps.gap_breaks([-200, 5, 10])
    assert lopsided.tolist() == (-lopsided[::-1]).tolist()
    assert len(maps.legend_rows(breaks)) == len(breaks) + 1


def test_both_sides_of_a_comparison_share_one_set_of_breaks(hostile):
    from sufficiency.outputs.maps import MapText

    # A second scenario whose gaps are five times the first's: a wider range of gaps.
    closed = hostile.gap.assign(scenario="wider", gap_places=5 * hostile.gap["gap_places"])
    text = MapText(title="t", area="a", scenario="s", data_date="d", source="x")
    page = rendered(maps.comparison_map(hostile.gap, closed, hostile.area.wards, text=text))
    first, _ = maps._gap_values(hostile.gap, publish=False, threshold=5)
    second, _ = maps._gap_values(closed, publish=False, threshold=5)
    shared = maps.gap_breaks(pd.concat([first["gap_value"], second["gap_value"]]))
    alone = maps.gap_breaks(first["gap_value"])
    assert alone.tolist() != shared.tolist()  # the second side widens the range
    # One legend, with the shared breaks' labels (not those of either side alone).
    for _, label in maps.legend_rows(shared):
        assert label in page  # in the bar below both maps
    assert maps.legend_rows(alone)[0][1] not in page
    # Every ward of both sides is coloured from the shared classes.
    fills = set(re.findall(r'"fillColor": "(#[0-9a-f]{6})"', page))
    assert fills <= set(maps.palette(shared)) | {maps.HELD_BACK}
    assert page.count("legend-gap") == 1  # one legend, in the bar below both maps


def test_legend_labels_carry_units_and_signs():
    labels = [label for _, label in maps.legend_rows(np.array([-30, -20, -10, 0, 10, 20, 30]))]
    assert labels == [
        "\u221230 or less",
        "\u221230 to \u221220",
        "\u221220 to \u221210",
        "\u221210 to 0",
        "0 to 10",
        "10 to 20",
        "20 to 30",
        "30 or more",
    ]


# --- escaping and disclosure -----------------------------------------------------------------


def test_names_are_escaped_everywhere(hostile):
    page = rendered(maps.assessment_map(hostile, maps.MapOptions(publish=False)))

    for raw in (SCRIPT_NAME, IMG_NAME, MARK_SCRIPT, MARK_IMG, "<img", "<script>alert"):
        assert raw not in page
    # Ward names go into properties escaped (shown by innerHTML as text) ...
    data = _ward_features(page)
    assert data["E05000001"]["2"]["ward_name"] == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert data["E05000002"]["2"]["ward_name"] == "&lt;img src=x onerror=alert(1)&gt;"
    # (and in the page's JSON, & < > are written \u0026 \u003c \u003e)
    assert "\\u0026lt;script\\u0026gt;alert(1)" in page
    # ... provider names go in as JSON (never parsed as HTML), with < and > as \u003c, \u003e.
    assert "Jane \\u003cscript\\u003ewindow.pwned = 1\\u003c/script\\u003e Smith" in page


def test_area_and_scenario_names_are_escaped_in_the_title(hostile):
    text = maps.MapText(
        title="Gap", area=SCRIPT_NAME, scenario=IMG_NAME, data_date="2026", source=SCRIPT_NAME
    )
    m = maps.gap_map(hostile.gap, hostile.area.wards, text=text)
    page = rendered(m)

    assert SCRIPT_NAME not in page
    assert IMG_NAME not in page


def test_published_map_has_no_providers_and_holds_back_small_numbers(hostile):
    # The page as folium writes it, without the inlined libraries' own text.
    page = maps.assessment_map(hostile, maps.MapOptions(publish=True)).get_root().render()

    assert "Jane" not in page and "Acorns" not in page
    assert "markerClusterGroup" not in page
    assert "Internal: not for publication" not in page
    assert "Projected" not in page and "Vacancies" not in page
    # Quiet End: 0.2 births a month, so 2.4 two-year-olds: shown as <5, its gap not shown.
    data = _ward_features(page)
    quiet = data["E05000003"]["2"]
    first = min(quiet["terms"])
    children, demand, supply, gap = quiet["terms"][first][1:5]
    assert (children, demand, supply, gap) == ("&lt;5", "&lt;5", "0", "not shown")
    assert quiet["terms"][first][-1] == maps.HELD_BACK


def test_internal_map_shows_providers_and_says_internal(hostile):
    page = rendered(maps.assessment_map(hostile, maps.MapOptions(publish=False)))

    assert "Internal: not for publication" in page
    assert "Providers (2)" in page
    assert "Childminder" in page
    data = _ward_features(page)
    first = min(data["E05000003"]["2"]["terms"])
    assert data["E05000003"]["2"]["terms"][first][1] == "2.4"  # 12 months x 0.2 births


def test_tiles_only_when_asked(hostile):
    without = rendered(maps.assessment_map(hostile, maps.MapOptions(publish=True)))
    with_tiles = maps.assessment_map(hostile, maps.MapOptions(publish=True, tiles=True))

    assert "tile.openstreetmap.org" not in without
    assert "tile.openstreetmap.org" in with_tiles.get_root().render()


def _ward_features(page: str) -> dict[str, dict[str, dict]]:
    """ward code -> age group -> properties, from the GeoJSON embedded in the page."""
    found: dict[str, dict[str, dict]] = {}
    for blob in re.findall(r"_add\((\{\"features\".*?\})\);\n", page):
        collection = json.loads(blob)
        for feature in collection["features"]:
            properties = feature["properties"]
            if "terms" not in properties:
                continue
            if properties["age_group"] in maps.SCHOOL_AGE_TOOLTIP.values():
                continue  # school-age layers: tests/test_school_age.py
            group = {v: k for k, v in maps.AGE_LABELS.items()}[properties["age_group"]]
            found.setdefault(feature["id"], {})[group] = properties
    return found


def test_every_term_and_age_group_is_carried(demo):
    page = rendered(maps.assessment_map(demo, maps.MapOptions(publish=True)))
    data = _ward_features(page)

    assert len(data) == 16
    assert all(set(groups) == {"under2", "2", "3_4"} for groups in data.values())
    assert all(len(p["terms"]) == len(demo.terms) for g in data.values() for p in g.values())
    # The gap shown is made from the published supply and demand: usable supply (the row's
    # utilisation x supply rounded to 5) rounded to 5, minus demand rounded to 5.
    row = demo.gap.iloc[0]
    cells = data[row["ward_code"]][row["age_group"]]["terms"][row["term"]]
    share = (row["gap_places"] + row["demand_places"]) / row["supply_places"]
    supply, demand = (float(cells[i].replace(",", "")) for i in (3, 2))
    assert supply == 5 * round(row["supply_places"] / 5)
    assert cells[4] == f"{5 * round(share * supply / 5) - demand:+.0f}"


# The views of issue 16 (quality, disadvantaged 2s), drawn after reach and chance: left out
# where a test reads the layer drawn last.
DUTY_VIEWS = ["good_or_outstanding_share", "eligible_2s", "disadvantaged_2_take_up"]


def test_places_within_reach_are_a_layer_and_in_the_tooltip(demo):
    import dataclasses

    demo = dataclasses.replace(demo, gap=demo.gap.drop(columns=DUTY_VIEWS))
    page = rendered(maps.assessment_map(demo, maps.MapOptions(publish=False)))
    assert page.count(": places within reach per 100") == 3  # one layer per age group
    assert "Places within reach per 100 (across ward lines)" in page
    row = demo.gap.iloc[5]
    shown = _ward_features(page)[row["ward_code"]][row["age_group"]]["terms"][row["term"]]
    # The reach layers are drawn last: their fill is the sequential class of the value.
    value = row["accessible_places_per_100"]
    assert shown[7] == f"{value:,.0f}"
    klass = int(np.searchsorted(maps.REACH_BREAKS, value))
    assert shown[-1] == maps.REACH_COLOURS[klass]


def test_the_chance_of_a_deficit_is_a_layer_when_draws_were_run(demo):
    import dataclasses

    demo = dataclasses.replace(demo, gap=demo.gap.drop(columns=DUTY_VIEWS))
    gap = demo.gap.assign(p_deficit=np.linspace(0.0, 1.0, len(demo.gap)))
    [with_chance] = maps.with_draws([dataclasses.replace(demo, gap=demo.gap)], gap)
    page = rendered(maps.assessment_map(with_chance, maps.MapOptions(publish=False)))
    assert page.count(": chance of a deficit") == 3
    row = gap.iloc[200]
    shown = _ward_features(page)[row["ward_code"]][row["age_group"]]["terms"][row["term"]]
    # Fields: term, children, demand, supply, gap, per100, status, reach, chance, then the fill
    # of the layer drawn last (the chance layer): the class of p_deficit in PDEF_BREAKS.
    assert shown[8] == f"{row['p_deficit']:.0%}"
    klass = int(np.searchsorted(maps.PDEF_BREAKS, row["p_deficit"]))
    assert shown[-1] == maps.PDEF_COLOURS[klass]


# --- scenarios -------------------------------------------------------------------------------


def test_change_in_gap_is_second_minus_first(hostile):
    second = hostile.gap.assign(
        scenario="more", gap_places=hostile.gap["gap_places"] + 10.4, status="sufficient"
    )
    change = maps.change_in_gap(hostile.gap, second, publish=False)

    assert np.allclose(change["change"], 10.4)
    published = maps.change_in_gap(hostile.gap, second, publish=True)
    quiet = published[published["ward_code"] == "E05000003"]
    assert quiet["change"].isna().any()  # held back where either gap is held back


def test_write_maps_with_a_scenario_writes_four_files(demo, tmp_path):
    other = sufficiency.assess(scenario="other")
    other.gap = other.gap.assign(gap_places=other.gap["gap_places"] - 5)

    written = maps.write_maps([demo, other], tmp_path, maps.MapOptions(publish=True))

    assert [p.name for p in written] == [
        "gap-map.html",
        "gap-map-other.html",
        "compare-baseline-other.html",
        "change-baseline-other.html",
    ]
    assert all(p.stat().st_size < 3_000_000 for p in written)


def test_write_run_maps_writes_the_internal_map(hostile, tmp_path):
    written = maps.write_run_maps(hostile, tmp_path)

    assert written == [tmp_path / "maps" / "gap-map.html"]
    assert "Internal: not for publication" in written[0].read_text(encoding="utf-8")


def test_map_command(tmp_path):
    area = hostile_area(tmp_path / "area")
    result = CliRunner().invoke(
        map_command, ["--area", str(area), "--publish", "--out", str(tmp_path / "out")]
    )

    assert result.exit_code == 0, result.output
    assert "Published" in result.output
    assert (tmp_path / "out" / "gap-map.html").exists()


def test_map_command_reports_a_bad_scenario_in_one_line(tmp_path):
    area = hostile_area(tmp_path / "area")
    scenario = tmp_path / "bad.toml"
    scenario.write_text('name = "bad"\nunknown_key = 1\n', encoding="utf-8")
    result = CliRunner().invoke(
        map_command, ["--area", str(area), "--scenario", str(scenario), "--out", str(tmp_path)]
    )

    assert result.exit_code == 1
    assert result.output.startswith("Error: ")
    assert "Traceback" not in result.output


# --- in the browser, offline -----------------------------------------------------------------

PROBE = """(() => {
  const wards = [...document.querySelectorAll('.leaflet-overlay-pane path.ward')];
  const hover = (element, type) => {
    const box = element.getBoundingClientRect();
    element.dispatchEvent(new MouseEvent(type, {bubbles: true,
      clientX: box.x + box.width / 2, clientY: box.y + box.height / 2}));
  };
  const tips = wards.map(path => {
    hover(path, 'mouseover');
    const tip = document.querySelector('.leaflet-tooltip');
    const text = tip ? tip.innerText.replace(/\\s+/g, ' ').trim() : null;
    hover(path, 'mouseout');
    return text;
  });
  const legend = document.querySelector('.sufficiency-legend');
  const title = document.querySelector('.sufficiency-title');
  if (wards.length > 6) { hover(wards[6], 'mouseover'); }
  return {wards: wards.length, tips: tips, fills: wards.map(w => w.getAttribute('fill')),
          legend: legend ? legend.innerText : null, title: title ? title.innerText : null,
          pwned: window.pwned === undefined ? null : window.pwned,
          images: document.querySelectorAll('.leaflet-tooltip img, .leaflet-pane img').length};
})()"""


@pytest.mark.browser
@needs_chromium
def test_published_demo_map_draws_every_ward_offline(demo, tmp_path):
    page = tmp_path / "gap-map.html"
    size = maps.write_map(maps.assessment_map(demo, maps.MapOptions(publish=True)), page)

    run = _browser.open_page(page, probes={"map": PROBE})
    run.save_screenshot(ARTEFACTS / "published-gap-map.png")

    values = run.values["map"]
    assert run.errors == ()
    assert run.requests == ()
    assert values["wards"] == len(demo.area.wards) == 16
    assert "Gap in full-time places" in values["legend"]
    assert "Short of places" in values["legend"] and "Spare places" in values["legend"]
    assert "Demotown" in values["title"] and "Internal" not in values["title"]
    names = set(demo.area.wards["ward_name"])
    assert {re.match(r"Ward (.+?) Age group", t)[1] for t in values["tips"]} == names
    assert all("Gap (full-time places)" in t and "Status" in t for t in values["tips"])
    assert size < 2_000_000


@pytest.mark.browser
@needs_chromium
def test_hostile_names_show_as_text_and_run_nothing(hostile, tmp_path):
    page = tmp_path / "hostile.html"
    maps.write_map(maps.assessment_map(hostile, maps.MapOptions(publish=False)), page)
    provider_tip = """(() => {
      const markers = [...document.querySelectorAll('.provider-icon')];
      return markers.map(m => {
        m.dispatchEvent(new MouseEvent('mouseover', {bubbles: true}));
        const tips = [...document.querySelectorAll('.leaflet-tooltip')];
        const text = tips.map(t => t.innerText).join(' | ');
        m.dispatchEvent(new MouseEvent('mouseout', {bubbles: true}));
        return text;
      });
    })()"""

    run = _browser.open_page(page, probes={"map": PROBE, "providers": provider_tip}, timeout=30)
    run.save_screenshot(ARTEFACTS / "hostile-names-map.png")

    values = run.values["map"]
    assert run.errors == ()
    assert run.requests == ()  # an <img src=x> drawn as an element would ask for "x"
    assert values["pwned"] is None
    assert values["images"] == 0
    assert values["wards"] == 3
    assert any(SCRIPT_NAME in t for t in values["tips"])
    assert any(IMG_NAME in t for t in values["tips"])
    tips = " ".join(run.values["providers"])
    assert CHILDMINDER in tips and NURSERY in tips


@pytest.mark.browser
@needs_chromium
def test_scenario_maps_side_by_side_move_together(demo, tmp_path):
    other = sufficiency.assess(scenario="fewer")
    other.gap = other.gap.assign(gap_places=other.gap["gap_places"] - 20)
    maps.write_maps([demo, other], tmp_path, maps.MapOptions(publish=True))
    switch = """(() => {
      const select = document.querySelector('.sufficiency-term select');
      select.value = select.options[select.options.length - 1].value;
      select.dispatchEvent(new Event('change'));
      document.querySelectorAll('.leaflet-control-layers-base input')[2].click();
      const checked = [...document.querySelectorAll('.leaflet-control-layers-base input')]
        .map(input => input.checked);
      return {maps: document.querySelectorAll('.leaflet-container').length,
              wards: document.querySelectorAll('path.ward').length,
              third: document.querySelectorAll('path.ward-3_4').length, checked: checked};
    })()"""

    run = _browser.open_page(tmp_path / "compare-baseline-fewer.html", probes={"dual": switch})
    run.save_screenshot(ARTEFACTS / "compare-map.png")

    assert run.errors == ()
    assert run.requests == ()
    dual = run.values["dual"]
    assert dual["maps"] == 2
    assert dual["wards"] == dual["third"] == 32  # both sides switched to 3- and 4-year-olds
    assert dual["checked"] == [False, False, True, False, False, True]


LAYOUT_PROBE = """(() => {
  const boxes = [...document.querySelectorAll('.leaflet-control')].map(c => {
    const b = c.getBoundingClientRect();
    return [b.left, b.top, b.right, b.bottom, c.className];
  });
  // A label's icon is anchored 60 px left of and 5 px above its ward's point.
  const points = [...document.querySelectorAll('.ward-label')].map(l => {
    const b = l.getBoundingClientRect();
    return [b.left + 60, b.top - 5, l.innerText];
  });
  const under = points.filter(([x, y]) => boxes.some(
    ([l, t, r, b]) => x >= l && x <= r && y >= t && y <= b)).map(p => p[2]);
  const visible = () => [...document.querySelectorAll('.sufficiency-legend > div')]
    .filter(d => d.offsetParent !== null && d.querySelector('h2, h3'))
    .map(d => d.querySelector('h2, h3').innerText);
  const before = visible();
  const radio = [...document.querySelectorAll('.leaflet-control-layers-base label')]
    .find(l => l.innerText.includes('places within reach'));
  if (radio) { radio.querySelector('input').click(); }
  return {points: points.length, under: under, before: before, reach: visible(),
          age: document.querySelector('.leaflet-control-layers').innerText};
})()"""


@pytest.mark.browser
@needs_chromium
@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)])
def test_no_ward_under_a_control_and_the_legend_is_the_layers(demo, tmp_path, size):
    page = tmp_path / "gap-map.html"
    maps.write_map(maps.assessment_map(demo, maps.MapOptions(publish=True)), page)
    run = _browser.open_page(page, probes={"layout": LAYOUT_PROBE}, width=size[0], height=size[1])
    run.save_screenshot(ARTEFACTS / f"published-map-{size[0]}.png")
    layout = run.values["layout"]

    assert run.errors == ()
    assert layout["points"] == 16
    assert layout["under"] == []
    assert layout["before"] == ["Gap in full-time places"]
    assert layout["reach"] == ["Places within reach per 100 children (reach layers)"]
    assert "Under 2s (birth to 23 months)" in layout["age"]


def test_published_maps_draw_major_housing_sites_only(hostile):
    # Meadow (H1): 120 dwellings, drawn; Plot (H2): 4 dwellings in 2027 and 5 in 2028, 9 in
    # all, below the 10 of a "major development": left off the published map.
    housing = pd.concat(
        [
            hostile.area.housing,
            pd.DataFrame(
                {
                    "site_id": ["H2", "H2"],
                    "site_name": ["Plot at 3 Lane End", "Plot at 3 Lane End"],
                    "year": [2027, 2028],
                    "dwellings": [4, 5],
                    "dwelling_type": ["house", "house"],
                    "ward_code": [CODES[1], CODES[1]],
                }
            ),
        ],
        ignore_index=True,
    )
    text = maps.map_text(hostile)

    def page(publish: bool) -> str:
        options = maps.MapOptions(publish=publish)
        return rendered(
            maps.gap_map(
                hostile.gap, hostile.area.wards, text=text, housing=housing, options=options
            )
        )

    published, internal = page(True), page(False)
    assert "Meadow" in published and "Plot at 3 Lane End" not in published
    assert "Housing site of 10+ dwellings" in published
    assert "Meadow" in internal and "Plot at 3 Lane End" in internal
    assert '"dwellings": "9"' in internal


SIDE_PROBE = """(() => {
  // Each map's controls and its ward labels: no label's point under a control of its own map.
  const maps = [...document.querySelectorAll('.leaflet-container')];
  return maps.map(map => {
    const boxes = [...map.querySelectorAll('.leaflet-control')].map(c => {
      const b = c.getBoundingClientRect();
      return [b.left, b.top, b.right, b.bottom];
    });
    const frame = map.getBoundingClientRect();
    const points = [...map.querySelectorAll('.ward-label')].map(l => {
      const b = l.getBoundingClientRect();
      return [b.left + 60, b.top - 5, l.innerText];
    });
    const under = points.filter(([x, y]) => boxes.some(
      ([l, t, r, b]) => x >= l && x <= r && y >= t && y <= b)).map(p => p[2]);
    const outside = points.filter(([x, y]) => x < frame.left || x > frame.right
      || y < frame.top || y > frame.bottom).map(p => p[2]);
    const legend = [...map.querySelectorAll('.sufficiency-legend .legend-gap .sufficiency-row')]
      .map(r => r.innerText.trim());
    const age = map.querySelector('.leaflet-control-layers');
    return {points: points.length, under: under, outside: outside, legend: legend,
            age: age ? age.innerText : '', bottom: frame.bottom};
  }).concat([{bar: [...document.querySelectorAll(
      '.sufficiency-bar .legend-gap .sufficiency-row')].map(r => r.innerText.trim()),
    top: (document.querySelector('.sufficiency-bar') || {getBoundingClientRect: () => ({})})
      .getBoundingClientRect().top}]);
})()"""


@pytest.mark.browser
@needs_chromium
@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)])
def test_side_by_side_and_change_maps_hide_no_ward(demo, tmp_path, size):
    other = sufficiency.assess(scenario="fewer")
    maps.write_maps([demo, other], tmp_path, maps.MapOptions(publish=True))
    for name in ("compare-baseline-fewer", "change-baseline-fewer"):
        run = _browser.open_page(
            tmp_path / f"{name}.html", probes={"sides": SIDE_PROBE}, width=size[0], height=size[1]
        )
        run.save_screenshot(ARTEFACTS / f"{name}-{size[0]}.png")
        assert run.errors == ()
        *sides, bar = run.values["sides"]
        for side in sides:
            assert side["under"] == [], (name, side["under"])
            assert side["outside"] == [], (name, side["outside"])
        assert any("Under 2s (birth to 23 months)" in s["age"] for s in sides)
        if name.startswith("compare"):
            # Both sides labelled (16 wards each); one legend for the pair, in the bar below
            # both maps (so it covers neither), with the shared classes.
            assert [s["points"] for s in sides] == [16, 16]
            assert [s["legend"] for s in sides] == [[], []]
            assert bar["bar"][0] == "\u2212" + bar["bar"][0][1:]  # most short first
            assert all(s["bottom"] <= bar["top"] + 0.5 for s in sides)
            assert len(bar["bar"]) == len(set(bar["bar"])) >= 5
        else:
            assert [s["points"] for s in sides] == [16]
            assert sides[0]["legend"] and bar["bar"] == []


def test_quality_and_disadvantaged_2s_are_layers(demo):
    page = rendered(maps.assessment_map(demo, maps.MapOptions(publish=False)))
    assert page.count(": places judged good or outstanding") == 3  # one per age group
    assert page.count(": disadvantaged 2s") == 1  # the 2-year-olds' only
    row = demo.gap[(demo.gap["age_group"] == "2")].iloc[0]
    shown = _ward_features(page)[row["ward_code"]]["2"]["terms"][row["term"]]
    # Fields: the gap's 7, reach, quality, take-up; then the fill of the take-up layer.
    assert shown[8] == f"{row['good_or_outstanding_share']:.0%}"
    assert shown[9] == f"{row['disadvantaged_2_take_up']:.0%}"
    klass = int(np.searchsorted(maps.TAKE2_BREAKS, row["disadvantaged_2_take_up"]))
    assert shown[-1] == maps.TAKE2_COLOURS[klass]


def test_published_take_up_is_held_back_where_the_eligible_are_few(demo):
    import dataclasses

    gap = demo.gap.copy()
    twos = gap["age_group"] == "2"
    # One ward with 4 eligible (fewer than 5): its take-up is not shown when published.
    small = twos & (gap["ward_code"] == gap["ward_code"].iloc[0])
    gap.loc[small, "eligible_2s"] = 4.0
    gap.loc[small, "disadvantaged_2_take_up"] = 0.75
    one = dataclasses.replace(demo, gap=gap)
    published = rendered(maps.assessment_map(one, maps.MapOptions(publish=True)))
    internal = rendered(maps.assessment_map(one, maps.MapOptions(publish=False)))
    row = gap[small].iloc[0]
    shown = _ward_features(published)[row["ward_code"]]["2"]["terms"][row["term"]]
    assert "not shown" in shown and shown[-1] == maps.HELD_BACK
    shown = _ward_features(internal)[row["ward_code"]]["2"]["terms"][row["term"]]
    assert "75%" in shown
