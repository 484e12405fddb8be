"""Maps drawn on the server as SVG: hexes, zone outlines, labels and markers, in Web Mercator so
that optional map tiles line up underneath. No JavaScript library and no tile server are needed.

Pages that draw a map call :func:`render_map_svg`, and :func:`allow_tiles` on their response so
that the Content-Security-Policy lets the browser fetch the configured tiles (and nothing else).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

import h3
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from vecinos.places.models import MapSettings, Zone, ZoneCell

if TYPE_CHECKING:
    from django.http import HttpResponseBase

TILE_SIZE = 256
# The drawing is about this many units wide, so tiles show at about their own size on a laptop.
TARGET_WIDTH = 1024
MIN_ZOOM, MAX_ZOOM = 3, 18
MAX_TILES = 48
PADDING = 0.06
BACKGROUND = "#f4f3ee"
# Fill colours for zones, told apart also by their labels and outlines (not colour alone).
PALETTE = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#1f78b4")
# A tile address's origin, as it goes into the Content-Security-Policy: nothing that could end
# the directive or widen it (no wildcards, spaces, semicolons or quotes).
ORIGIN = re.compile(r"https?://[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?")


@dataclass(frozen=True)
class Marker:
    """A point to mark, e.g. an incident. ``kind`` picks its look (CSS class map-marker-<kind>)."""

    lat: float
    lng: float
    label: str
    kind: str = "incident"


@dataclass(frozen=True)
class CellCount:
    """A number written on a shaded hex, e.g. how many responders could go from there: a count,
    never who or where exactly. ``label`` says what it counts (hover text, screen readers)."""

    count: int
    label: str


@dataclass(frozen=True)
class HexLink:
    """Makes a hex a link: ``href`` for a plain click (no JavaScript), and with ``post`` htmx
    POSTs those values to the same address instead (the map's container sets hx-target)."""

    href: str
    label: str
    post: Mapping[str, str] | None = None


@dataclass(frozen=True)
class TileSource:
    """Map tiles from a coordinator-configured server, e.g. https://tile.example.org/{z}/{x}/{y}.png."""

    url: str
    attribution: str = ""

    @property
    def origin(self) -> str:
        """scheme://host[:port]: what the page's img-src allows."""
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc}".lower()

    def tile(self, z: int, x: int, y: int) -> str:
        return self.url.replace("{z}", str(z)).replace("{x}", str(x)).replace("{y}", str(y))


def check_tile_url(url: str) -> str:
    """The tile address, if usable: http(s), a plain host name, {z}, {x} and {y} in it.

    Raises:
        ValueError: with a translated message saying what is wrong.
    """
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValueError(_("Give an address starting with https:// and a host name."))
    if parts.username or parts.password:
        raise ValueError(_("The address must not contain a user name or password."))
    if not ORIGIN.fullmatch(f"{parts.scheme}://{parts.netloc}".lower()):
        raise ValueError(_("The host name may use only letters, digits, dots and dashes."))
    if any(placeholder not in url for placeholder in ("{z}", "{x}", "{y}")):
        raise ValueError(_("The address must contain {z}, {x} and {y}."))
    if re.sub(r"\{[zxy]\}", "", url).count("{") or re.sub(r"\{[zxy]\}", "", url).count("}"):
        raise ValueError(_("Only {z}, {x} and {y} may stand between braces."))
    if any(c.isspace() or c in "\"'<>" for c in url):
        raise ValueError(_("The address must not contain spaces, quotes or angle brackets."))
    return url


def tile_source() -> TileSource | None:
    """The tiles a coordinator configured, or None (maps then need no server but ours)."""
    current = MapSettings.load()
    if not current.tile_url:
        return None
    try:
        url = check_tile_url(current.tile_url)
    except ValueError:
        return None
    return TileSource(url=url, attribution=current.tile_attribution)


ResponseT = TypeVar("ResponseT", bound="HttpResponseBase")


def allow_tiles(response: ResponseT, tiles: TileSource | None) -> ResponseT:
    """Let this one response's page load images from the tile server, if any (django-csp reads
    the attribute when it writes the header). Other pages keep img-src to our own origin."""
    if tiles is not None and ORIGIN.fullmatch(tiles.origin):
        response._csp_update = {"img-src": [tiles.origin]}  # type: ignore[attr-defined]
    return response


@dataclass
class _Projection:
    """Web Mercator pixels at ``zoom``, shifted so the drawing starts at (0, 0)."""

    zoom: int
    left: float
    top: float
    width: float
    height: float

    @staticmethod
    def world(lat: float, lng: float, zoom: float) -> tuple[float, float]:
        lat = max(-85.05112878, min(85.05112878, lat))
        scale = TILE_SIZE * 2**zoom
        x = (lng + 180) / 360 * scale
        sin = math.sin(math.radians(lat))
        y = (0.5 - math.log((1 + sin) / (1 - sin)) / (4 * math.pi)) * scale
        return x, y

    @classmethod
    def fitting(cls, points: Sequence[tuple[float, float]]) -> _Projection:
        xs, ys = zip(*(cls.world(lat, lng, 0) for lat, lng in points), strict=True)
        span = max(max(xs) - min(xs), max(ys) - min(ys), 1e-9)
        zoom = math.floor(math.log2(TARGET_WIDTH / span))
        zoom = max(MIN_ZOOM, min(MAX_ZOOM, zoom))
        factor = 2**zoom
        width = (max(xs) - min(xs)) * factor
        height = (max(ys) - min(ys)) * factor
        pad = max(width, height, 64) * PADDING
        return cls(
            zoom=zoom,
            left=min(xs) * factor - pad,
            top=min(ys) * factor - pad,
            width=width + 2 * pad,
            height=height + 2 * pad,
        )

    def xy(self, lat: float, lng: float) -> tuple[float, float]:
        x, y = self.world(lat, lng, self.zoom)
        return x - self.left, y - self.top

    def points(self, latlngs: Iterable[tuple[float, float]]) -> str:
        return " ".join("{:.1f},{:.1f}".format(*self.xy(lat, lng)) for lat, lng in latlngs)


@dataclass
class _ZoneDrawing:
    zone: Zone
    colour: str
    cells: list[str] = field(default_factory=list)


def render_map_svg(
    *,
    zones: Iterable[Zone] = (),
    cells: Iterable[str] = (),
    highlight_cells: Iterable[str] = (),
    markers: Iterable[Marker] = (),
    counts: Mapping[str, CellCount] | None = None,
    links: Mapping[str, HexLink] | Callable[[str], HexLink | None] | None = None,
    tiles: TileSource | None = None,
    title: str = "",
    map_id: str = "map",
    zone_colours: Mapping[int, str] | None = None,
    zone_labels: Mapping[int, str] | None = None,
) -> SafeString:
    """An SVG map that scales to its container (a 360px phone included).

    Draws, bottom to top: a plain background (or ``tiles``), ``cells`` as empty hexes (e.g. the
    area around the network where zones can be drawn), each of ``zones`` as filled hexes with
    its outline, ``counts`` as shaded hexes with their number, ``highlight_cells`` with a thick
    border, ``markers``, and zone labels. ``links``
    (a mapping or a function of the cell) turns hexes into links. Reads the zones' cells in one
    query. ``map_id`` keeps element ids unique when a page has several maps. ``zone_colours``
    and ``zone_labels`` (by zone id) replace a zone's palette colour and its name as label (the
    coverage map writes the count next to the name, so colour never carries meaning alone).
    """
    zones = list(zones)
    # A zone keeps its colour from one map to the next.
    colours = zone_colours or {}
    drawings = {
        zone.id: _ZoneDrawing(zone, colours.get(zone.id) or PALETTE[zone.id % len(PALETTE)])
        for zone in zones
    }
    owner: dict[str, _ZoneDrawing] = {}
    for cell, zone_id in ZoneCell.objects.filter(zone_id__in=list(drawings)).values_list(
        "cell", "zone_id"
    ):
        drawings[zone_id].cells.append(cell)
        owner[cell] = drawings[zone_id]
    plain = sorted(set(cells) - set(owner))
    highlights = sorted(set(highlight_cells))
    counted = {cell: value for cell, value in (counts or {}).items() if value.count > 0}
    markers = list(markers)
    link_for = links.get if isinstance(links, Mapping) else links

    boundaries = {
        cell: h3.cell_to_boundary(cell) for cell in [*owner, *plain, *highlights, *counted]
    }
    extent = [point for boundary in boundaries.values() for point in boundary]
    extent += [(m.lat, m.lng) for m in markers]
    for drawing in drawings.values():
        extent += [(lat, lng) for lng, lat in _outline_points(drawing.zone.outline)]
    title_id = f"{map_id}-title"
    if not extent:
        return format_html(
            '<svg xmlns="http://www.w3.org/2000/svg" class="map" viewBox="0 0 320 60" '
            'role="img" aria-labelledby="{}"><title id="{}">{}</title>'
            '<rect width="320" height="60" fill="{}"/>'
            '<text x="160" y="35" text-anchor="middle" class="map-empty">{}</text></svg>',
            title_id,
            title_id,
            title or _("Map"),
            BACKGROUND,
            _("Nothing on the map yet."),
        )
    view = _Projection.fitting(extent)
    font = max(view.width, view.height) / 32

    parts: list[SafeString] = [
        format_html(
            '<rect class="map-bg" x="0" y="0" width="{}" height="{}" fill="{}"/>',
            _n(view.width),
            _n(view.height),
            BACKGROUND,
        )
    ]
    if tiles is not None:
        parts.append(_tiles(view, tiles))

    def hex_shape(cell: str, **attributes: str) -> SafeString:
        attrs = format_html_join(" ", '{}="{}"', sorted(attributes.items()))
        polygon = format_html(
            '<polygon points="{}" {} vector-effect="non-scaling-stroke"/>',
            view.points(boundaries[cell]),
            attrs,
        )
        link = link_for(cell) if link_for is not None else None
        if link is None:
            return polygon
        hx = (
            format_html(
                ' hx-post="{}" hx-vals="{}"', link.href, json.dumps(dict(link.post), sort_keys=True)
            )
            if link.post is not None
            else ""
        )
        return format_html(
            '<a href="{}" class="map-link" aria-label="{}"{}><title>{}</title>{}</a>',
            link.href,
            link.label,
            hx,
            link.label,
            polygon,
        )

    parts += [
        hex_shape(cell, **{"class": "map-hex", "fill": "#ffffff", "fill-opacity": "0.35"})
        for cell in plain
    ]
    for drawing in drawings.values():
        parts += [
            hex_shape(
                cell,
                **{
                    "class": "map-hex map-hex-zone",
                    "fill": drawing.colour,
                    "fill-opacity": "0.45",
                },
            )
            for cell in sorted(drawing.cells)
        ]
    for drawing in drawings.values():
        path = _outline_path(view, drawing.zone.outline)
        if path:
            parts.append(
                format_html(
                    '<path class="map-outline" d="{}" fill="none" stroke="{}" stroke-width="3" '
                    'vector-effect="non-scaling-stroke"/>',
                    path,
                    drawing.colour,
                )
            )
    marked = [view.xy(m.lat, m.lng) for m in markers]

    def near_marker(x: float, y: float, distance: float) -> bool:
        return any(abs(mx - x) < distance and abs(my - y) < distance for mx, my in marked)

    for cell in sorted(counted):
        x, y = view.xy(*h3.cell_to_latlng(cell))
        corners = [view.xy(lat, lng) for lat, lng in boundaries[cell]]
        # The number is sized to its hex, so it stays readable on a map of any extent.
        size = (max(cy for _cx, cy in corners) - min(cy for _cx, cy in corners)) * 0.4
        if near_marker(x, y, size):
            y += size * 0.75  # below the marker, which sits in the middle of its hex
        parts.append(
            format_html(
                '<g class="map-count"><title>{}</title>'
                '<polygon class="map-count-hex" points="{}" fill="#0b5394" fill-opacity="0.35" '
                'stroke="#0b5394" stroke-width="2" vector-effect="non-scaling-stroke"/>'
                '<text class="map-count-number" x="{}" y="{}" font-size="{}" '
                'text-anchor="middle" dominant-baseline="middle" fill="#0b2a4a" '
                'stroke="#ffffff" stroke-width="{}" paint-order="stroke">{}</text></g>',
                counted[cell].label,
                view.points(boundaries[cell]),
                _n(x),
                _n(y),
                _n(size),
                _n(size / 6),
                counted[cell].count,
            )
        )
    parts += [
        format_html(
            '<polygon class="map-highlight" points="{}" fill="none" stroke="#a50e0e" '
            'stroke-width="4" vector-effect="non-scaling-stroke"/>',
            view.points(boundaries[cell]),
        )
        for cell in highlights
    ]
    for marker in markers:
        x, y = view.xy(marker.lat, marker.lng)
        parts.append(
            format_html(
                '<g class="map-marker map-marker-{}"><title>{}</title>'
                '<circle cx="{}" cy="{}" r="{}" fill="#a50e0e" stroke="#ffffff" '
                'stroke-width="2" vector-effect="non-scaling-stroke"/></g>',
                re.sub(r"[^a-z0-9-]", "", marker.kind.lower()),
                marker.label,
                _n(x),
                _n(y),
                _n(font / 2),
            )
        )
    for drawing in drawings.values():
        spot = _label_spot(view, drawing)
        if spot is not None and near_marker(*spot, font):
            spot = (spot[0], spot[1] - font * 1.2)  # above the marker, not over it
        if spot is not None:
            parts.append(
                format_html(
                    '<text class="map-label" x="{}" y="{}" font-size="{}" '
                    'text-anchor="middle" dominant-baseline="middle" fill="#1a1a1a" '
                    'stroke="#ffffff" stroke-width="{}" paint-order="stroke">{}</text>',
                    _n(spot[0]),
                    _n(spot[1]),
                    _n(font),
                    _n(font / 5),
                    (zone_labels or {}).get(drawing.zone.id, drawing.zone.name),
                )
            )
    role = "group" if link_for is not None else "img"
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="map" viewBox="0 0 {} {}" '
        'preserveAspectRatio="xMidYMid meet" role="{}" aria-labelledby="{}">'
        '<title id="{}">{}</title>{}</svg>',
        _n(view.width),
        _n(view.height),
        role,
        title_id,
        title_id,
        title or _("Map"),
        mark_safe("".join(parts)),  # noqa: S308  # every part was built with format_html
    )


def _n(value: float) -> str:
    """A coordinate in the drawing: a tenth of a unit is finer than any screen shows."""
    return f"{value:.1f}"


def _tiles(view: _Projection, tiles: TileSource) -> SafeString:
    last = 2**view.zoom - 1
    first_x = max(0, int(view.left // TILE_SIZE))
    first_y = max(0, int(view.top // TILE_SIZE))
    last_x = min(last, int((view.left + view.width) // TILE_SIZE))
    last_y = min(last, int((view.top + view.height) // TILE_SIZE))
    images: list[tuple[str, str, str, int, int]] = []
    for ty in range(first_y, last_y + 1):
        for tx in range(first_x, last_x + 1):
            if len(images) >= MAX_TILES:
                break
            images.append(
                (
                    tiles.tile(view.zoom, tx, ty),
                    _n(tx * TILE_SIZE - view.left),
                    _n(ty * TILE_SIZE - view.top),
                    TILE_SIZE,
                    TILE_SIZE,
                )
            )
    return format_html(
        '<g class="map-tiles">{}</g>',
        format_html_join(
            "",
            '<image href="{}" x="{}" y="{}" width="{}" height="{}" preserveAspectRatio="none"/>',
            images,
        ),
    )


def _outline_rings(outline: Mapping[str, Any]) -> list[list[list[float]]]:
    coordinates = outline.get("coordinates") or []
    if outline.get("type") == "Polygon":
        return list(coordinates)
    if outline.get("type") == "MultiPolygon":
        return [ring for polygon in coordinates for ring in polygon]
    return []


def _outline_points(outline: Mapping[str, Any]) -> list[tuple[float, float]]:
    """(lng, lat) of every corner of an outline."""
    return [(p[0], p[1]) for ring in _outline_rings(outline) for p in ring]


def _outline_path(view: _Projection, outline: Mapping[str, Any]) -> str:
    commands = []
    for ring in _outline_rings(outline):
        if len(ring) < 3:
            continue
        points = [view.xy(p[1], p[0]) for p in ring]
        commands.append("M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in points) + " Z")
    return " ".join(commands)


def _label_spot(view: _Projection, drawing: _ZoneDrawing) -> tuple[float, float] | None:
    """The zone's centre cell (inside the zone even for odd shapes), or its outline's middle."""
    if drawing.zone.centre_cell and drawing.zone.centre_cell in drawing.cells:
        return view.xy(*h3.cell_to_latlng(drawing.zone.centre_cell))
    corners = _outline_points(drawing.zone.outline)
    if not corners:
        return None
    return view.xy(
        sum(p[1] for p in corners) / len(corners), sum(p[0] for p in corners) / len(corners)
    )
