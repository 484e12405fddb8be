"""Maps need no tile server; a coordinator may set one, and only map pages may load from it."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client

from tests.places.conftest import MakeZone
from vecinos.core import audit
from vecinos.core.models import AuditEvent, User
from vecinos.places.geo import cell_for_point
from vecinos.places.maps import TileSource, check_tile_url
from vecinos.places.models import MapSettings

pytestmark = pytest.mark.django_db

Login = Callable[[User], Client]
TILES = "https://tile.example.org/{z}/{x}/{y}.png"


def img_src(response: object) -> list[str]:
    header = response["Content-Security-Policy"]  # type: ignore[index]
    directive = next(d for d in header.split(";") if d.strip().startswith("img-src"))
    return directive.split()[1:]


def map_pages(zone_id: int) -> list[str]:
    cell = cell_for_point(34.0522, -118.2437)
    return ["/places/", f"/places/zones/{zone_id}/", f"/places/zones/{zone_id}/cells/{cell}/"]


def test_without_a_tile_address_no_page_mentions_any_tile_host(
    coordinator: User, logged_in: Login, make_zone: MakeZone
) -> None:
    zone = make_zone("El Centro")
    client = logged_in(coordinator)
    for url in map_pages(zone.id):
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 200, url
        assert "<svg" in html and "<image" not in html, url
        assert img_src(response) == ["'self'", "data:"], url
        # Nothing on the page points at another host: no http(s) address but the SVG namespace.
        assert set(re.findall(r"https?://[^\"'\s<]+", html)) == {"http://www.w3.org/2000/svg"}


def test_a_coordinator_sets_tiles_and_map_pages_allow_exactly_that_host(
    coordinator: User, logged_in: Login, make_zone: MakeZone
) -> None:
    zone = make_zone("El Centro")
    client = logged_in(coordinator)
    response = client.post(
        "/places/settings/", {"tile_url": TILES, "tile_attribution": "© OpenStreetMap"}
    )
    assert response.status_code == 302
    entry = AuditEvent.objects.get(action=audit.MAP_SETTINGS_CHANGED)
    assert entry.actor == coordinator
    assert entry.detail == {"fields": ["tile_url", "tile_attribution"], "tiles": True}
    for url in map_pages(zone.id):
        response = client.get(url)
        html = response.content.decode()
        assert img_src(response) == ["'self'", "data:", "https://tile.example.org"], url
        images = re.findall(r'<image href="([^"]+)"', html)
        assert images, url
        assert all(re.fullmatch(r"https://tile\.example\.org/\d+/\d+/\d+\.png", i) for i in images)
        assert "© OpenStreetMap" in html
    # Every other page keeps images to our own origin.
    for url in ("/", "/places/zones/", "/places/settings/", "/people/"):
        assert img_src(client.get(url)) == ["'self'", "data:"], url


def test_the_tiles_cover_the_drawing_at_one_zoom(
    coordinator: User, logged_in: Login, make_zone: MakeZone
) -> None:
    make_zone("El Centro", rings=3)
    MapSettings.objects.create(id=1, tile_url=TILES)
    html = logged_in(coordinator).get("/places/").content.decode()
    tiles = [tuple(map(int, t)) for t in re.findall(r"org/(\d+)/(\d+)/(\d+)\.png", html)]
    zooms = {z for z, _x, _y in tiles}
    assert len(zooms) == 1 and 10 <= zooms.pop() <= 18
    xs = sorted({x for _z, x, _y in tiles})
    ys = sorted({y for _z, _x, y in tiles})
    assert xs == list(range(xs[0], xs[-1] + 1)) and ys == list(range(ys[0], ys[-1] + 1))
    assert len(tiles) == len(xs) * len(ys) <= 48


def test_turning_tiles_off_again(coordinator: User, logged_in: Login, make_zone: MakeZone) -> None:
    make_zone("El Centro")
    MapSettings.objects.create(id=1, tile_url=TILES)
    client = logged_in(coordinator)
    client.post("/places/settings/", {"tile_url": "", "tile_attribution": ""})
    response = client.get("/places/")
    assert "<image" not in response.content.decode()
    assert img_src(response) == ["'self'", "data:"]
    assert MapSettings.load().tile_url == ""


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("ftp://tile.example.org/{z}/{x}/{y}.png", "https://"),
        ("https://tile.example.org/{z}/{x}.png", "{z}, {x} and {y}"),
        ("https://tile.example.org/{z}/{x}/{y}/{s}.png", "Only {z}, {x} and {y}"),
        ("https://*.example.org/{z}/{x}/{y}.png", "letters, digits"),
        ("https://tile.example.org;script-src *;/{z}/{x}/{y}", "letters, digits"),
        ("https://user:secret@tile.example.org/{z}/{x}/{y}.png", "user name or password"),
        ("https://tile.example.org/{z}/{x}/{y}.png?a='b'", "quotes"),
        ("tile.example.org/{z}/{x}/{y}.png", "https://"),
    ],
)
def test_a_bad_tile_address_is_refused(
    coordinator: User, logged_in: Login, url: str, fragment: str
) -> None:
    response = logged_in(coordinator).post(
        "/places/settings/", {"tile_url": url, "tile_attribution": ""}
    )
    assert response.status_code == 200
    assert fragment in " ".join(response.context["form"].errors["tile_url"])
    assert not MapSettings.objects.exists()
    assert not AuditEvent.objects.filter(action=audit.MAP_SETTINGS_CHANGED).exists()


def test_a_port_and_a_key_in_the_address_are_kept() -> None:
    url = "http://127.0.0.1:8081/tiles/{z}/{x}/{y}.png?key=abc"
    assert check_tile_url(url) == url
    source = TileSource(url)
    assert source.origin == "http://127.0.0.1:8081"
    assert source.tile(3, 1, 2) == "http://127.0.0.1:8081/tiles/3/1/2.png?key=abc"


def test_a_bad_address_stored_by_other_means_is_ignored(
    coordinator: User, logged_in: Login, make_zone: MakeZone
) -> None:
    make_zone("El Centro")
    MapSettings.objects.create(id=1, tile_url="https://evil.example;img-src */{z}/{x}/{y}")
    response = logged_in(coordinator).get("/places/")
    assert "<image" not in response.content.decode()
    assert img_src(response) == ["'self'", "data:"]


def test_only_coordinators_change_the_map_settings(
    organizer: User, dispatcher: User, logged_in: Login
) -> None:
    for user in (organizer, dispatcher):
        response = logged_in(user).post("/places/settings/", {"tile_url": TILES})
        assert response.status_code == 403
    assert not MapSettings.objects.exists()
