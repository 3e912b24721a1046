"""Published maps are one HTML file that draws with no network.

The unit tests read the HTML; the ``browser`` tests open it in headless Chromium with the
network cut off and count what was drawn. The ward map is a 4 x 4 grid of square wards (16
polygons), 300 providers in a marker cluster, a colour legend and three single markers, one
per icon kind (Leaflet's default image, a Glyphicon and a Font Awesome icon).
"""

from __future__ import annotations

import hashlib
import random
import re
import tomllib
from html.parser import HTMLParser
from pathlib import Path

import _browser
import branca.colormap
import folium
import folium.folium
import folium.plugins
import pytest

from sufficiency.outputs.offline import OfflineAssetError, inline_assets, save_offline

ROOT = Path(__file__).resolve().parents[1]
ASSETS = ROOT / "sufficiency" / "_assets"
ARTEFACTS = Path(__file__).resolve().parents[1] / "test-artefacts"
WEST, SOUTH = -1.17, 52.62  # a made-up grid near Leicester
WARD_WIDTH, WARD_HEIGHT = 0.012, 0.008  # degrees: about 0.8 km by 0.9 km
SIDE = 4
PROVIDERS = 300
SINGLE_MARKERS = 3
CAPTION = "Places minus funded children"
EXTERNAL_TAG = re.compile(
    r"<(?:script|link)\b[^>]*?\b(?:src|href)\s*=\s*[\"']?(?!data:)[^\"'\s>]+", re.IGNORECASE
)

needs_chromium = pytest.mark.skipif(_browser.find_chromium() is None, reason=_browser.SKIP_REASON)


def ward_features(side: int = SIDE) -> dict:
    """``side`` x ``side`` square wards; ``gap`` runs from -1 (short) to +1 (spare)."""
    features = []
    for row in range(side):
        for column in range(side):
            number = row * side + column
            west, south = WEST + column * WARD_WIDTH, SOUTH + row * WARD_HEIGHT
            ring = [
                [west, south],
                [west + WARD_WIDTH, south],
                [west + WARD_WIDTH, south + WARD_HEIGHT],
                [west, south + WARD_HEIGHT],
                [west, south],
            ]
            properties = {
                "ward_code": f"E05{number:06d}",
                "ward_name": f"Ward {number + 1}",
                "gap": round(-1 + 2 * number / (side * side - 1), 2),
            }
            features.append(
                {
                    "type": "Feature",
                    "properties": properties,
                    "geometry": {"type": "Polygon", "coordinates": [ring]},
                }
            )
    return {"type": "FeatureCollection", "features": features}


def _bounds(side: int = SIDE) -> list[list[float]]:
    return [[SOUTH, WEST], [SOUTH + side * WARD_HEIGHT, WEST + side * WARD_WIDTH]]


def _add_wards(
    parent: folium.Map | folium.plugins.DualMap, side: int
) -> branca.colormap.LinearColormap:
    colormap = branca.colormap.LinearColormap(
        ["#d7191c", "#ffffbf", "#1a9641"], vmin=-1, vmax=1, caption=CAPTION
    )
    folium.GeoJson(
        ward_features(side),
        name="Wards",
        style_function=lambda feature: {
            "fillColor": colormap(feature["properties"]["gap"]),
            "color": "#444444",
            "weight": 1,
            "fillOpacity": 0.7,
        },
        tooltip=folium.GeoJsonTooltip(["ward_name", "gap"], aliases=["Ward", "Gap"]),
    ).add_to(parent)
    return colormap


def ward_map(side: int = SIDE, providers: int = PROVIDERS) -> folium.Map:
    """A published-style ward map: no tiles, so Leaflet needs maxZoom for the cluster."""
    m = folium.Map(location=[SOUTH, WEST], zoom_start=13, tiles=None, maxZoom=18)
    _add_wards(m, side).add_to(m)
    cluster = folium.plugins.MarkerCluster(name="Providers").add_to(m)
    places = random.Random(5)
    (south, west), (north, east) = _bounds(side)
    for number in range(providers):
        location = [places.uniform(south, north), places.uniform(west, east)]
        folium.Marker(location, tooltip=f"Provider {number + 1}").add_to(cluster)
    middle_row = south + (north - south) / 2
    for column, icon in enumerate(
        (None, folium.Icon(icon="info-sign"), folium.Icon(icon="child", prefix="fa"))
    ):
        location = [middle_row, west + (column + 0.5) * (east - west) / 3]
        folium.Marker(location, icon=icon, tooltip=f"Single {column}").add_to(m)
    folium.LayerControl().add_to(m)
    m.fit_bounds(_bounds(side))
    return m


def dual_ward_map(side: int = SIDE) -> folium.plugins.DualMap:
    dual = folium.plugins.DualMap(location=[SOUTH, WEST], zoom_start=13, tiles=None, maxZoom=18)
    # One legend only: branca draws every legend into the first legend control on the page.
    _add_wards(dual, side).add_to(dual.m2)
    dual.m1.fit_bounds(_bounds(side))
    return dual


def _manifest() -> dict:
    return tomllib.loads((ASSETS / "MANIFEST.toml").read_text(encoding="utf-8"))


def _linked_urls(html: str) -> set[str]:
    return set(re.findall(r"(?:src|href)=[\"']([^\"']+)[\"']", html))


# --- the shipped files ---------------------------------------------------------------------


def test_shipped_files_are_those_listed_with_their_checksums_and_licences():
    manifest = _manifest()
    listed = {entry["path"]: entry["sha256"] for entry in manifest["file"]}
    for path, sha256 in listed.items():
        assert hashlib.sha256((ASSETS / path).read_bytes()).hexdigest() == sha256, path
    for package in manifest["package"]:
        licence = (ASSETS / package["licence_file"]).read_bytes()
        assert hashlib.sha256(licence).hexdigest() == package["licence_sha256"]
    on_disk = {
        p.relative_to(ASSETS).as_posix()
        for p in ASSETS.rglob("*")
        if p.is_file() and p.name != "MANIFEST.toml" and "LICENSES" not in p.parts
    }
    assert on_disk == set(listed)
    # The repository's .gitignore ignores dist/ and build/ folders: a file there is not committed.
    assert not [p for p in on_disk if {"dist", "build"} & set(p.split("/"))]
    # Trimmed: no source maps, unminified sources or font formats Chromium does not need.
    assert not [p for p in on_disk if p.endswith((".map", ".ttf", ".eot", ".woff", ".svg"))]


def test_folium_is_pinned_to_the_vendored_version():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    pins = [d for d in pyproject["project"]["dependencies"] if d.startswith(("folium", "branca"))]
    assert f"folium=={_manifest()['folium']}" in pins
    assert [p for p in pins if p.startswith("branca")] == [f"branca=={branca.__version__}"]
    assert folium.__version__ == _manifest()["folium"]


def test_every_link_folium_writes_is_shipped():
    """Fails on a folium or branca upgrade that adds or moves a CDN file."""
    known = {url for entry in _manifest()["file"] for url in entry.get("replaces", [])}
    linked = {url for _, url in folium.folium._default_js + folium.folium._default_css}
    linked |= {url for _, url in folium.plugins.MarkerCluster.default_js}
    linked |= {url for _, url in folium.plugins.MarkerCluster.default_css}
    linked |= {url for _, url in folium.plugins.DualMap.default_js}
    rendered = ward_map(side=2, providers=2).get_root().render()
    linked |= {url for url in _linked_urls(rendered) if url.startswith("http")}
    assert linked - known == set()


# --- inlining ------------------------------------------------------------------------------


@pytest.mark.parametrize("build", [ward_map, dual_ward_map], ids=["map", "dual-map"])
def test_inlined_map_links_nothing_outside_the_file(build):
    raw = build().get_root().render()
    assert EXTERNAL_TAG.search(raw)  # folium as it is links CDNs

    inlined = inline_assets(raw)

    assert EXTERNAL_TAG.findall(inlined) == []
    tags = re.findall(r"<(?:script|link)\b[^>]*>", inlined, re.IGNORECASE)
    assert not [tag for tag in tags if re.search(r"src=|href=|//cdn", tag)]


def test_stylesheets_carry_their_images_and_fonts_as_data_uris():
    inlined = inline_assets(ward_map(side=2, providers=2).get_root().render())
    styles = "".join(re.findall(r"<style>(.*?)</style>", inlined, re.DOTALL))
    references = re.findall(r"url\(\s*[\"']?([^\"')]*)", styles)

    assert [r for r in references if not r.startswith(("data:", "#"))] == []
    assert any(r.startswith("data:font/woff2;base64,") for r in references)
    assert any(r.startswith("data:image/png;base64,") for r in references)
    # Of each font's formats only woff2 is shipped, so the others are dropped.
    assert 'format("truetype")' not in styles
    assert "embedded-opentype" not in styles


def test_leaflet_default_icon_is_set_to_data_uris():
    inlined = inline_assets(ward_map(side=2, providers=2).get_root().render())
    icon = re.search(r"L\.Icon\.Default\.mergeOptions\(\{(.*?)\}\)", inlined)

    assert 'L.Icon.Default.imagePath = ""' in inlined
    assert icon
    for option in ("iconUrl", "iconRetinaUrl", "shadowUrl"):
        assert f'{option}: "data:image/png;base64,' in icon[1]


def test_inlined_blocks_name_package_version_and_licence():
    inlined = inline_assets(ward_map(side=2, providers=2).get_root().render())

    assert "<!-- leaflet 1.9.3 (BSD-2-Clause): leaflet-1.9.3/leaflet.js -->" in inlined
    assert "<!-- @fortawesome/fontawesome-free 6.2.0 (MIT AND OFL-1.1)" in inlined


@pytest.mark.parametrize(
    "tag",
    [
        '<script src="https://cdn.example.org/leaflet-heat.js"></script>',
        '<link rel="stylesheet" href="https://cdn.example.org/extra.css"/>',
        '<script src="//cdn.example.org/x.js" type="text/javascript"></script>',
        '<link rel="preload" href="https://cdn.example.org/font.woff2"/>',
    ],
)
def test_a_link_that_is_not_shipped_raises_naming_the_url(tag):
    page = ward_map(side=2, providers=2).get_root().render().replace("</head>", tag + "</head>")
    url = re.search(r"(?:src|href)=\"([^\"]+)\"", tag)[1]

    with pytest.raises(OfflineAssetError, match=re.escape(url)):
        inline_assets(page)


class _Scripts(HTMLParser):
    """Collects the text of each <script> element as a browser's parser would split it."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self._inside = False

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self._inside = True
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._inside = False

    def handle_data(self, data):
        if self._inside:
            self.scripts[-1] += data


def _asset_dir(folder: Path, name: str, content: str, url: str) -> Path:
    (folder / name).write_text(content, encoding="utf-8")
    sha256 = hashlib.sha256(content.encode()).hexdigest()
    (folder / "MANIFEST.toml").write_text(
        f'[[file]]\npath = "{name}"\nreplaces = ["{url}"]\npackage = "example"\n'
        f'version = "1.0.0"\nlicence = "MIT"\nsource = "{name}"\nsha256 = "{sha256}"\n',
        encoding="utf-8",
    )
    return folder


def test_a_closing_script_tag_inside_an_inlined_script_is_escaped(tmp_path):
    url = "https://cdn.example.org/writes-html.js"
    source = 'var a = "</script><b>bold</b>"; var b = "</SCRIPT >";'
    assets = _asset_dir(tmp_path, "writes-html.js", source, url)
    page = f'<html><head><script src="{url}"></script></head><body></body></html>'

    inlined = inline_assets(page, assets_dir=assets)

    parser = _Scripts()
    parser.feed(inlined)
    assert len(parser.scripts) == 1
    assert 'var a = "<\\/script><b>bold</b>"; var b = "<\\/SCRIPT >";' in parser.scripts[0]


def test_an_html_comment_opener_in_a_shipped_script_is_refused(tmp_path):
    url = "https://cdn.example.org/old.js"
    assets = _asset_dir(tmp_path, "old.js", 'var s = "<!--";', url)

    with pytest.raises(OfflineAssetError, match=re.escape("old.js")):
        inline_assets(f'<script src="{url}"></script>', assets_dir=assets)


def test_save_offline_writes_the_whole_file_in_one_step(tmp_path):
    target = tmp_path / "wards.html"
    target.write_text("an older map", encoding="utf-8")

    written = save_offline(ward_map(side=2, providers=2), target)

    assert written == target.stat().st_size
    assert target.read_text(encoding="utf-8").lstrip().startswith("<!DOCTYPE html>")
    assert [p.name for p in tmp_path.iterdir()] == ["wards.html"]


def test_save_offline_takes_a_dual_map_and_a_figure(tmp_path):
    dual = dual_ward_map(side=2)
    assert save_offline(dual, tmp_path / "dual.html") > 0
    assert save_offline(dual.get_root(), tmp_path / "figure.html") > 0


def test_published_ward_map_size(tmp_path):
    """16 wards, 300 providers and a legend come to about 1.5 MB, most of it libraries."""
    size = save_offline(ward_map(), tmp_path / "wards.html")

    assert 1_000_000 < size < 2_000_000


# --- in the browser, offline ---------------------------------------------------------------

COUNTS = """(async () => {
  const measure = () => {
    const overlay = document.querySelectorAll('.leaflet-overlay-pane path');
    const clusters = [...document.querySelectorAll('.marker-cluster span')];
    const markers = document.querySelectorAll('.leaflet-marker-pane > *');
    const images = [...document.querySelectorAll('img.leaflet-marker-icon')];
    const legend = document.querySelector('.legend.leaflet-control svg#legend');
    const awesome = document.querySelector('.awesome-marker');
    return {
      paths: overlay.length,
      clustered: clusters.reduce((sum, span) => sum + Number(span.textContent), 0),
      unclustered: markers.length - clusters.length,
      images: images.length,
      images_decoded: images.filter(i => i.src.startsWith('data:image/png') && i.naturalWidth > 0)
        .length,
      awesome_background: awesome ? getComputedStyle(awesome).backgroundImage.slice(0, 25) : null,
      legend: legend ? legend.textContent : null,
      fonts: [...document.fonts].filter(f => f.status === 'loaded').map(f => f.family),
      font_errors: [...document.fonts].filter(f => f.status === 'error').map(f => f.family),
    };
  };
  // Under load markers may still be clustering and images decoding: wait (at most 10 s) until
  // two readings 200 ms apart agree and every marker image has decoded.
  let last = null;
  for (let i = 0; i < 50; i++) {
    const now = measure();
    const text = JSON.stringify(now);
    if (text === last && now.images_decoded === now.images) { return now; }
    last = text;
    await new Promise(done => setTimeout(done, 200));
  }
  return measure();
})()"""

TOOLTIPS = """(() => {
  const hover = (path, type) => {
    const box = path.getBoundingClientRect();
    const at = {clientX: box.x + box.width / 2, clientY: box.y + box.height / 2};
    path.dispatchEvent(new MouseEvent(type, {bubbles: true, ...at}));
  };
  const paths = [...document.querySelectorAll('.leaflet-overlay-pane path')];
  const texts = paths.map(path => {
    hover(path, 'mouseover');
    const tip = document.querySelector('.leaflet-tooltip');
    hover(path, 'mouseout');
    return tip ? tip.innerText.replace(/\\s+/g, ' ').trim() : null;
  });
  hover(paths[5], 'mouseover');  // leave one showing for the screenshot
  return texts;
})()"""


@pytest.mark.browser
@needs_chromium
def test_offline_ward_map_draws_every_ward_marker_and_legend(tmp_path):
    page = tmp_path / "wards.html"
    save_offline(ward_map(), page)

    run = _browser.open_page(page, probes={"counts": COUNTS, "tooltips": TOOLTIPS})
    run.save_screenshot(ARTEFACTS / "offline-ward-map.png")

    counts = run.values["counts"]
    assert run.errors == ()
    assert run.requests == ()
    assert counts["paths"] == SIDE * SIDE
    assert counts["clustered"] + counts["unclustered"] == PROVIDERS + SINGLE_MARKERS
    assert counts["images"] >= 1
    assert counts["images_decoded"] == counts["images"]
    assert counts["awesome_background"].startswith('url("data:image/png')
    assert CAPTION in counts["legend"]
    assert {"Glyphicons Halflings", "Font Awesome 6 Free"} <= set(counts["fonts"])
    assert counts["font_errors"] == []
    tooltips = run.values["tooltips"]
    assert len(tooltips) == SIDE * SIDE
    # Each ward's tooltip names it once: "Ward Ward 7 Gap -0.2".
    named = sorted(int(re.fullmatch(r"Ward Ward (\d+) Gap -?[\d.]+", t)[1]) for t in tooltips)
    assert named == list(range(1, SIDE * SIDE + 1))


@pytest.mark.browser
@needs_chromium
def test_offline_dual_map_draws_the_wards_on_both_sides(tmp_path):
    page = tmp_path / "dual.html"
    save_offline(dual_ward_map(), page)

    run = _browser.open_page(
        page,
        probes={
            "paths": "document.querySelectorAll('.leaflet-overlay-pane path').length",
            "maps": "document.querySelectorAll('.leaflet-container').length",
            "synced": "typeof L.Map.prototype.sync === 'function'",
        },
    )
    run.save_screenshot(ARTEFACTS / "offline-dual-map.png")

    assert run.errors == ()
    assert run.requests == ()
    assert run.values == {"paths": 2 * SIDE * SIDE, "maps": 2, "synced": True}


@pytest.mark.browser
@needs_chromium
def test_folium_as_saved_draws_nothing_with_the_network_cut(tmp_path):
    """The control: proves the browser really is offline, and why inlining is needed."""
    page = tmp_path / "cdn.html"
    ward_map(side=2, providers=2).save(str(page))

    run = _browser.open_page(
        page, probes={"paths": "document.querySelectorAll('path').length"}, settle_ms=100
    )
    run.save_screenshot(ARTEFACTS / "cdn-map-offline.png")

    assert run.values["paths"] == 0
    assert any("L is not defined" in error for error in run.errors)
    assert "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js" in run.requests
