"""The SVG map other pages reuse (the dispatcher console draws incidents and zones with it)."""

from __future__ import annotations

import math
import re
from xml.etree import ElementTree

import h3
import pytest

from tests.places.conftest import WEST, MakeZone
from vecinos.places.geo import cell_for_point, rings
from vecinos.places.maps import CellCount, HexLink, Marker, TileSource, render_map_svg

pytestmark = pytest.mark.django_db
SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg)  # noqa: S314  # our own output, in a test


def test_zones_are_drawn_with_hexes_outlines_and_labels(make_zone: MakeZone) -> None:
    centro = make_zone("El Centro")
    westlake = make_zone("Westlake", at=WEST, rings=0)
    svg = render_map_svg(zones=[centro, westlake], title="Zones")
    root = parse(svg)
    assert root.get("role") == "img" and root.find(f"{SVG}title").text == "Zones"  # type: ignore[union-attr]
    assert root.get("aria-labelledby") == "map-title"
    hexes = root.findall(f".//{SVG}polygon[@class='map-hex map-hex-zone']")
    assert len(hexes) == 7 + 1
    assert len(root.findall(f".//{SVG}path[@class='map-outline']")) == 2
    labels = [t.text for t in root.findall(f".//{SVG}text[@class='map-label']")]
    assert labels == ["El Centro", "Westlake"]
    # Scales to any width: a viewBox, no fixed size, and no style attributes (CSP forbids them).
    assert re.fullmatch(r"0 0 [\d.]+ [\d.]+", root.get("viewBox", ""))
    assert root.get("width") is None and root.get("height") is None
    assert "style=" not in svg and "<script" not in svg


def test_the_incident_and_the_responders_zones(make_zone: MakeZone) -> None:
    """What the console will draw: zones, the incident's cell and the first ring, a marker."""
    centro = make_zone("El Centro")
    incident = cell_for_point(*WEST)
    svg = render_map_svg(
        zones=[centro],
        cells=rings(incident, 1)[1],
        highlight_cells=[incident],
        markers=[Marker(WEST[0], WEST[1], "Report #12 <b>", kind="incident")],
        map_id="console-map",
    )
    root = parse(svg)
    assert root.get("aria-labelledby") == "console-map-title"
    assert len(root.findall(f".//{SVG}polygon[@class='map-highlight']")) == 1
    assert len(root.findall(f".//{SVG}polygon[@class='map-hex']")) == 6
    marker = root.find(f".//{SVG}g[@class='map-marker map-marker-incident']")
    assert marker is not None
    assert marker.find(f"{SVG}title").text == "Report #12 <b>"  # type: ignore[union-attr]
    assert "<b>" not in svg


def test_names_are_escaped(make_zone: MakeZone) -> None:
    zone = make_zone('<script>alert("x")</script> & Co')
    svg = render_map_svg(
        zones=[zone], links={zone.centre_cell: HexLink("/x/?a=1&b=2", 'Say "hi"', {"k": "v"})}
    )
    assert "<script>" not in svg
    root = parse(svg)
    assert [t.text for t in root.findall(f".//{SVG}text")] == ['<script>alert("x")</script> & Co']
    link = root.find(f".//{SVG}a")
    assert link is not None
    assert link.get("href") == "/x/?a=1&b=2" and link.get("hx-vals") == '{"k": "v"}'
    assert link.get("aria-label") == 'Say "hi"'
    assert root.get("role") == "group"


def test_a_map_with_nothing_on_it_says_so() -> None:
    root = parse(render_map_svg())
    assert root.get("role") == "img"
    assert "Nothing on the map yet." in ElementTree.tostring(root, encoding="unicode")


def test_tiles_are_laid_under_the_hexes_in_the_same_projection(make_zone: MakeZone) -> None:
    zone = make_zone("El Centro", rings=2)
    root = parse(
        render_map_svg(zones=[zone], tiles=TileSource("https://t.example/{z}/{x}/{y}.png"))
    )
    children = [child.get("class") for child in root]
    assert children.index("map-tiles") < children.index("map-hex map-hex-zone")
    images = root.findall(f".//{SVG}image")
    z = int(re.findall(r"\d+", images[0].get("href", ""))[0])
    # The tile holding the zone's centre is among them, at the place the projection puts it.
    lat, lng = h3.cell_to_latlng(zone.centre_cell)
    n = 2**z

    tile_x = int((lng + 180) / 360 * n)
    tile_y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    hrefs = {image.get("href") for image in images}
    assert f"https://t.example/{z}/{tile_x}/{tile_y}.png" in hrefs


def test_a_large_area_still_draws_with_few_tiles() -> None:
    cells = [cell_for_point(34.0, -118.0), cell_for_point(37.7, -122.4)]
    root = parse(render_map_svg(cells=cells, tiles=TileSource("https://t.example/{z}/{x}/{y}.png")))
    assert 1 <= len(root.findall(f".//{SVG}image")) <= 48


def test_counts_shade_their_hexes_and_the_labels_keep_clear_of_a_marker(
    make_zone: MakeZone,
) -> None:
    centro = make_zone("El Centro")
    lat, lng = h3.cell_to_latlng(centro.centre_cell)
    ring = rings(centro.centre_cell, 1)[1]
    svg = render_map_svg(
        zones=[centro],
        counts={
            centro.centre_cell: CellCount(3, "3 <b>available</b>"),
            ring[0]: CellCount(1, "1 available"),
            ring[1]: CellCount(0, "nobody"),
        },
        markers=[Marker(lat, lng, "Incident #4")],
    )
    root = parse(svg)
    counts = root.findall(f".//{SVG}g[@class='map-count']")
    assert sorted(g.find(f"{SVG}text").text for g in counts) == ["1", "3"]  # type: ignore[union-attr,type-var]
    assert "3 <b>available</b>" in [g.find(f"{SVG}title").text for g in counts]  # type: ignore[union-attr]
    assert "<b>" not in svg and "nobody" not in svg
    marker = root.find(f".//{SVG}g[@class='map-marker map-marker-incident']/{SVG}circle")
    label = root.find(f".//{SVG}text[@class='map-label']")
    assert marker is not None and label is not None
    # The zone's name is written above the incident's marker, not over it.
    assert float(label.get("y", 0)) < float(marker.get("cy", 0)) - float(marker.get("r", 0))
