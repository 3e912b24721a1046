"""Make a folium map one self-contained HTML file that opens with no network.

Why: published maps go onto council intranets and into archived committee papers, where a
CDN may be blocked, gone or changed years later. A folium map as saved links about fifteen
scripts, stylesheets and fonts from CDNs, and offline it draws nothing.

What: :func:`inline_assets` replaces every ``<script src>`` and ``<link rel="stylesheet">``
that folium writes with the content of the same file, at the same version, shipped in
``sufficiency/_assets`` (listed, with licences and checksums, in ``_assets/MANIFEST.toml``).
Images and fonts a stylesheet refers to become ``data:`` URIs; of a font's alternative
formats only the shipped one (woff2) is kept. Leaflet finds its default marker image through
its stylesheet's URL, which fails once that is a ``data:`` URI, so the icon URLs are set
explicitly. A link to anything not shipped raises :class:`OfflineAssetError` naming the URL,
so a folium upgrade that adds or moves a file fails loudly instead of publishing a map that
breaks offline. Base map tiles are not assets: a map that keeps a tile layer still asks the
network for tiles (and draws without them offline), so published maps leave them out by
default. A map without tiles must set ``maxZoom`` itself (``folium.Map(tiles=None,
maxZoom=18)``), or Leaflet.markercluster stops with "Map has no maxZoom specified".

How to refresh the files (for a folium upgrade): ``python scripts/refresh_assets.py`` fetches
them from the npm registry at the versions pinned there and rewrites the manifest; the
script's docstring gives the steps.

>>> html = '<head><script src="https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js">'
>>> html += "</script></head>"
>>> inlined = inline_assets(html)
>>> "<script src=" in inlined, "<script>" in inlined, "L.Icon.Default.mergeOptions" in inlined
(False, True, True)
"""

from __future__ import annotations

import base64
import html as html_lib
import mimetypes
import os
import posixpath
import re
import tomllib
import uuid
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import SufficiencyError

if TYPE_CHECKING:
    import branca.element
    import folium
    import folium.plugins

__all__ = ["OfflineAssetError", "inline_assets", "save_offline"]

_MIME_TYPES = {
    ".png": "image/png",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ttf": "font/ttf",
}
# Leaflet's default marker icon: option name -> image file beside leaflet.js.
_LEAFLET_ICONS = {
    "iconUrl": "images/marker-icon.png",
    "iconRetinaUrl": "images/marker-icon-2x.png",
    "shadowUrl": "images/marker-shadow.png",
}
_HINT = (
    "Add it to scripts/refresh_assets.py and run that script, or leave the element that "
    "needs it out of the published map"
)

_SCRIPT_TAG = re.compile(
    r"<script\b(?P<attrs>[^>]*?\bsrc\s*=\s*(?P<q>[\"']?)(?P<url>[^\"'\s>]*)(?P=q)[^>]*)>"
    r"\s*</script\s*>",
    re.IGNORECASE,
)
_LINK_TAG = re.compile(r"<link\b[^>]*>", re.IGNORECASE)
_ATTRIBUTE = re.compile(r"([\w-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'>]+))")
_REMAINING_REFERENCE = re.compile(
    r"<(?:script|link)\b[^>]*?\b(?:src|href)\s*=\s*[\"']?(?P<url>[^\"'\s>]+)", re.IGNORECASE
)
_CSS_URL = re.compile(r"url\(\s*(?P<q>[\"']?)(?P<url>[^\"')]*?)(?P=q)\s*\)", re.IGNORECASE)
_FONT_FACE = re.compile(r"@font-face\s*\{(?P<body>[^{}]*)\}", re.IGNORECASE)
_SOURCE_LIST_ITEM = re.compile(r"(?:[^,(]|\([^)]*\))+")


class OfflineAssetError(SufficiencyError, RuntimeError):
    """A map refers to a script, stylesheet, font or image that is not shipped inline."""


@dataclass(frozen=True)
class _Asset:
    path: str
    package: str
    version: str
    licence: str


@dataclass(frozen=True)
class _Catalogue:
    root: Path
    by_url: dict[str, tuple[_Asset, ...]]
    paths: frozenset[str]

    def read_text(self, path: str) -> str:
        return (self.root / path).read_text(encoding="utf-8")

    def data_uri(self, path: str) -> str:
        suffix = posixpath.splitext(path)[1].lower()
        mime = _MIME_TYPES.get(suffix) or mimetypes.guess_type(path)[0]
        if mime is None:
            raise OfflineAssetError(f"no media type known for the shipped file {path}")
        payload = base64.b64encode((self.root / path).read_bytes()).decode("ascii")
        return f"data:{mime};base64,{payload}"


def _default_assets_dir() -> Path:
    return Path(str(resources.files("sufficiency") / "_assets"))


@cache
def _catalogue(root: Path) -> _Catalogue:
    manifest = tomllib.loads((root / "MANIFEST.toml").read_text(encoding="utf-8"))
    by_url: dict[str, list[_Asset]] = {}
    paths = set()
    for entry in manifest.get("file", []):
        asset = _Asset(entry["path"], entry["package"], entry["version"], entry["licence"])
        paths.add(asset.path)
        for url in entry.get("replaces", []):
            by_url.setdefault(url, []).append(asset)
    return _Catalogue(root, {url: tuple(a) for url, a in by_url.items()}, frozenset(paths))


def inline_assets(html: str, *, assets_dir: str | Path | None = None) -> str:
    """Replace the CDN scripts and stylesheets of a rendered folium page with inline copies.

    Parameters
    ----------
    html
        A whole page as folium renders it (``m.get_root().render()``).
    assets_dir
        A directory holding ``MANIFEST.toml`` and the files it lists; by default the
        package's own ``_assets``.

    Returns
    -------
    str
        The page with every known ``<script src>`` and stylesheet ``<link>`` replaced by an
        inline ``<script>`` or ``<style>``, preceded by a comment naming the package, version
        and licence, and with Leaflet's default marker icon set to ``data:`` URIs.

    Raises
    ------
    OfflineAssetError
        If a script or stylesheet link remains whose URL is not in the manifest, or a
        stylesheet refers to a file that is not shipped.
    """
    catalogue = _catalogue(Path(assets_dir) if assets_dir else _default_assets_dir())
    inline: list[str] = []
    unknown: list[str] = []

    def placeholder(content: str) -> str:
        inline.append(content)
        return f"\x00{len(inline) - 1}\x00"

    def script(match: re.Match[str]) -> str:
        assets = catalogue.by_url.get(html_lib.unescape(match["url"]))
        if assets is None or not _is_javascript(match["attrs"]):
            return match[0]
        return placeholder("\n".join(_inline_script(catalogue, asset) for asset in assets))

    def stylesheet(match: re.Match[str]) -> str:
        attributes = _attributes(match[0])
        assets = catalogue.by_url.get(attributes.get("href", ""))
        if assets is None or "stylesheet" not in attributes.get("rel", "").lower().split():
            return match[0]
        return placeholder("\n".join(_inline_style(catalogue, asset) for asset in assets))

    # Known tags become placeholders first, so that what is left to check is the page's
    # own markup and scripts, not the text of the libraries put in their place.
    page = _LINK_TAG.sub(stylesheet, _SCRIPT_TAG.sub(script, html.replace("\x00", "")))
    for match in _REMAINING_REFERENCE.finditer(page):
        url = html_lib.unescape(match["url"])
        if not url.startswith("data:"):
            unknown.append(url)
    if unknown:
        listed = ", ".join(dict.fromkeys(unknown))
        raise OfflineAssetError(
            f"the map links {listed}, which sufficiency does not ship for offline maps. {_HINT}"
        )
    return re.sub("\x00(\\d+)\x00", lambda m: inline[int(m[1])], page)


def _attributes(tag: str) -> dict[str, str]:
    return {
        m[1].lower(): html_lib.unescape(next(v for v in m.groups()[1:] if v is not None))
        for m in _ATTRIBUTE.finditer(tag)
    }


def _is_javascript(attrs: str) -> bool:
    kind = _attributes(attrs).get("type", "text/javascript").lower()
    return kind in {"", "text/javascript", "application/javascript", "module"}


def _banner(asset: _Asset) -> str:
    return f"<!-- {asset.package} {asset.version} ({asset.licence}): {asset.path} -->"


def _inline_script(catalogue: _Catalogue, asset: _Asset) -> str:
    source = catalogue.read_text(asset.path)
    if "<!--" in source:
        # Inside <script>, "<!--" can make the parser ignore the closing tag; no shipped
        # file has it, and it cannot be escaped without knowing where it stands in the code.
        raise OfflineAssetError(f"the shipped script {asset.path} contains '<!--'")
    source = re.sub(r"</(script)", r"<\\/\1", source, flags=re.IGNORECASE)
    if posixpath.basename(asset.path) == "leaflet.js":
        source += "\n" + _leaflet_icon_script(catalogue, posixpath.dirname(asset.path))
    return f"{_banner(asset)}\n<script>\n{source}\n</script>"


def _leaflet_icon_script(catalogue: _Catalogue, leaflet_dir: str) -> str:
    """Point Leaflet's default marker icon at ``data:`` URIs instead of a detected path."""
    options = ", ".join(
        f'{option}: "{catalogue.data_uri(posixpath.join(leaflet_dir, image))}"'
        for option, image in _LEAFLET_ICONS.items()
    )
    return f'L.Icon.Default.imagePath = "";\nL.Icon.Default.mergeOptions({{{options}}});'


def _inline_style(catalogue: _Catalogue, asset: _Asset) -> str:
    css = _embed_css_urls(catalogue, asset.path, catalogue.read_text(asset.path))
    css = re.sub(r"</(style)", r"<\\/\1", css, flags=re.IGNORECASE)
    return f"{_banner(asset)}\n<style>\n{css}\n</style>"


def _resolve(css_path: str, url: str) -> str | None:
    """The shipped path a stylesheet's relative URL points at; None for data: and #ids."""
    if url.startswith(("data:", "#")) or not url:
        return None
    if re.match(r"^[a-z][a-z0-9+.-]*:|^//", url, re.IGNORECASE):
        return url
    bare = re.split(r"[?#]", url, maxsplit=1)[0]
    return posixpath.normpath(posixpath.join(posixpath.dirname(css_path), bare))


def _embed_css_urls(catalogue: _Catalogue, css_path: str, css: str) -> str:
    """Keep only shipped font formats, then turn every ``url(...)`` into a ``data:`` URI."""

    def shipped(item: str) -> bool:
        found = _CSS_URL.search(item)
        target = _resolve(css_path, found["url"]) if found else None
        return target is None or target in catalogue.paths

    def font_face(match: re.Match[str]) -> str:
        declarations = []
        for declaration in match["body"].split(";"):
            name, _, value = declaration.partition(":")
            if name.strip().lower() != "src":
                declarations.append(declaration)
                continue
            items = [item for item in _SOURCE_LIST_ITEM.findall(value) if shipped(item)]
            if items:
                declarations.append(f"src:{','.join(item.strip() for item in items)}")
        if not any(d.strip().lower().startswith("src:") for d in declarations):
            raise OfflineAssetError(f"{css_path}: no shipped font in {match[0]}")
        return "@font-face{" + ";".join(declarations) + "}"

    def embed(match: re.Match[str]) -> str:
        target = _resolve(css_path, match["url"])
        if target is None:
            return match[0]
        if target not in catalogue.paths:
            raise OfflineAssetError(f"{css_path} refers to {match['url']}, which is not shipped")
        return f'url("{catalogue.data_uri(target)}")'

    return _CSS_URL.sub(embed, _FONT_FACE.sub(font_face, css))


def save_offline(
    m: folium.Map | folium.plugins.DualMap | branca.element.Figure,
    path: str | Path,
    *,
    assets_dir: str | Path | None = None,
) -> int:
    """Render a map, inline its assets and write it atomically as one HTML file.

    Parameters
    ----------
    m
        A folium ``Map``, a ``DualMap`` or the branca ``Figure`` holding either.
    path
        Where to write. The page is written to a temporary file beside it and renamed over
        it, so a reader never sees half a map.
    assets_dir
        As for :func:`inline_assets`.

    Returns
    -------
    int
        The size of the written file in bytes.
    """
    target = Path(path)
    content = inline_assets(m.get_root().render(), assets_dir=assets_dir).encode("utf-8")
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex[:12]}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return len(content)
