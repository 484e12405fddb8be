"""Coordinators add, draw (hex by hex, with htmx or without JavaScript), rename and delete zones;
others see the map or nothing."""

from __future__ import annotations

import re
from collections.abc import Callable

import h3
import pytest
from django.test import Client

from tests.conftest import MakePerson
from tests.places.conftest import CENTRE, WEST, MakeZone
from vecinos.core import audit
from vecinos.core.models import AuditEvent, User
from vecinos.places.geo import cell_for_point, locate
from vecinos.places.models import ZipCode, Zone, ZoneCell

pytestmark = pytest.mark.django_db

Login = Callable[[User], Client]
HTMX = {"HTTP_HX_REQUEST": "true"}


def cells(zone: Zone) -> set[str]:
    return set(ZoneCell.objects.filter(zone=zone).values_list("cell", flat=True))


def test_a_coordinator_adds_a_zone_and_is_sent_to_draw_it(
    coordinator: User, logged_in: Login
) -> None:
    client = logged_in(coordinator)
    response = client.post("/places/zones/new/", {"name": " Los   Álamos ", "zip_codes": "90004"})
    zone = Zone.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/places/zones/{zone.id}/"
    assert zone.name == "Los Álamos"
    assert zone.zip_code_list() == ["90004"]
    assert AuditEvent.objects.filter(action=audit.ZONE_CREATED, actor=coordinator).count() == 1
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Add the hex at a point" in page.content.decode()


@pytest.mark.parametrize(
    ("data", "field", "fragment"),
    [
        ({"name": "el centro", "zip_codes": ""}, "name", "El Centro already has this name"),
        ({"name": "Nuevo", "zip_codes": "90005"}, "zip_codes", "90005 already belongs"),
        ({"name": "Nuevo", "zip_codes": "9000"}, "zip_codes", "not a 5-digit ZIP code"),
        ({"name": "!!!", "zip_codes": ""}, "name", "letters or digits"),
        ({"name": "", "zip_codes": ""}, "name", "required"),
    ],
)
def test_clashing_or_bad_zones_are_refused_on_the_form(
    coordinator: User,
    logged_in: Login,
    make_zone: MakeZone,
    data: dict[str, str],
    field: str,
    fragment: str,
) -> None:
    make_zone("El Centro", zips=["90005"])
    response = logged_in(coordinator).post("/places/zones/new/", data)
    assert response.status_code == 200
    assert fragment in " ".join(response.context["form"].errors[field])
    assert Zone.objects.count() == 1


def test_renaming_and_changing_zip_codes(
    coordinator: User, logged_in: Login, make_zone: MakeZone
) -> None:
    zone = make_zone("El Centro", zips=["90005"])
    client = logged_in(coordinator)
    response = client.post(
        f"/places/zones/{zone.id}/", {"name": "Centro Viejo", "zip_codes": "90010, 90005 90010"}
    )
    assert response.status_code == 302
    zone.refresh_from_db()
    assert zone.name == "Centro Viejo"
    assert zone.zip_code_list() == ["90005", "90010"]
    assert locate("centro viejo").zone == zone
    entry = AuditEvent.objects.get(action=audit.ZONE_CHANGED)
    assert entry.detail == {"fields": ["name", "zip_codes"]}
    # Saving the same again changes nothing and records nothing.
    client.post(f"/places/zones/{zone.id}/", {"name": "Centro Viejo", "zip_codes": "90005,90010"})
    assert AuditEvent.objects.filter(action=audit.ZONE_CHANGED).count() == 1


def test_the_drawing_map_links_every_hex_around_the_network(
    coordinator: User, logged_in: Login, make_zone: MakeZone
) -> None:
    zone = make_zone("El Centro")
    other = make_zone("Westlake", at=WEST)
    html = logged_in(coordinator).get(f"/places/zones/{zone.id}/").content.decode()
    links = re.findall(r'<a href="/places/zones/\d+/cells/(\w+)/"', html)
    assert len(links) == len(set(links))
    # The network's cells and two rings around them are all drawable.
    expected = set()
    for cell in cells(zone) | cells(other):
        expected |= set(h3.grid_disk(cell, 2))
    assert set(links) == expected
    centre = cell_for_point(*CENTRE)
    url = f"/places/zones/{zone.id}/cells/{centre}/"
    assert f'aria-label="Remove this hex from El Centro" hx-post="{url}"' in html
    assert "Add this hex to El Centro" in html
    assert 'hx-target="this"' in html and "X-CSRFToken" in html
    assert "Westlake" in html and "El Centro has 7 hexes." in html


def test_htmx_adds_and_removes_a_hex_and_gets_the_new_map(
    coordinator: User, logged_in: Login, make_zone: MakeZone
) -> None:
    zone = make_zone("El Centro")
    client = logged_in(coordinator)
    outside = sorted(set(h3.grid_ring(cell_for_point(*CENTRE), 2)))[0]
    url = f"/places/zones/{zone.id}/cells/{outside}/"

    response = client.post(url, {"inside": "1"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<div id="zone-map"') and "<html" not in html
    assert "El Centro has 8 hexes." in html
    assert f'aria-label="Remove this hex from El Centro" hx-post="{url}"' in html
    assert outside in cells(zone)
    zone.refresh_from_db()
    assert zone.outline["type"] == "Polygon"  # traced around the hexes now

    # A double click sends the same answer twice: the second changes nothing.
    client.post(url, {"inside": "1"}, **HTMX)
    assert AuditEvent.objects.filter(action=audit.ZONE_CELLS_CHANGED).count() == 1

    response = client.post(url, {"inside": "0"}, **HTMX)
    assert "El Centro has 7 hexes." in response.content.decode()
    assert outside not in cells(zone)
    entries = AuditEvent.objects.filter(action=audit.ZONE_CELLS_CHANGED).order_by("id")
    assert [e.detail for e in entries] == [
        {"cell": outside, "inside": True},
        {"cell": outside, "inside": False},
    ]


def test_without_javascript_a_hex_link_opens_a_form_that_adds_it(
    coordinator: User, logged_in: Login, make_zone: MakeZone
) -> None:
    zone = make_zone("El Centro")
    other = make_zone("Westlake", at=WEST)
    client = logged_in(coordinator)
    theirs = cell_for_point(*WEST)
    page = client.get(f"/places/zones/{zone.id}/cells/{theirs}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "This hex is part of Westlake." in html
    assert '<input type="hidden" name="inside" value="1">' in html
    assert "Add it to El Centro" in html
    response = client.post(f"/places/zones/{zone.id}/cells/{theirs}/", {"inside": "1"})
    assert response.status_code == 302
    assert response["Location"] == f"/places/zones/{zone.id}/#zone-map"
    assert theirs in cells(zone) and theirs not in cells(other)
    entry = AuditEvent.objects.get(action=audit.ZONE_CELLS_CHANGED)
    assert entry.detail["taken_from"] == "Westlake"
    # Now the page offers to take it out again.
    assert (
        "Remove it from El Centro"
        in client.get(f"/places/zones/{zone.id}/cells/{theirs}/").content.decode()
    )


def test_the_last_hex_of_a_zone_can_go(
    coordinator: User, logged_in: Login, make_zone: MakeZone
) -> None:
    zone = make_zone("El Centro", rings=0)
    only = cell_for_point(*CENTRE)
    logged_in(coordinator).post(f"/places/zones/{zone.id}/cells/{only}/", {"inside": "0"})
    zone.refresh_from_db()
    assert not cells(zone)
    assert zone.centre_cell == "" and zone.outline == {}


@pytest.mark.parametrize("cell", ["nonsense", "8829a1d757ffff0", h3.latlng_to_cell(*CENTRE, 9)])
def test_a_bad_cell_is_not_found(
    coordinator: User, logged_in: Login, make_zone: MakeZone, cell: str
) -> None:
    zone = make_zone("El Centro")
    client = logged_in(coordinator)
    assert client.get(f"/places/zones/{zone.id}/cells/{cell}/").status_code == 404
    assert client.post(f"/places/zones/{zone.id}/cells/{cell}/", {"inside": "1"}).status_code == 404
    assert len(cells(zone)) == 7


def test_a_bad_answer_changes_nothing(
    coordinator: User, logged_in: Login, make_zone: MakeZone
) -> None:
    zone = make_zone("El Centro")
    far = cell_for_point(*WEST)
    response = logged_in(coordinator).post(f"/places/zones/{zone.id}/cells/{far}/", {"inside": "2"})
    assert response.status_code == 200
    assert far not in cells(zone)


def test_a_zone_starts_from_a_point(coordinator: User, logged_in: Login) -> None:
    client = logged_in(coordinator)
    client.post("/places/zones/new/", {"name": "Lejos", "zip_codes": ""})
    zone = Zone.objects.get()
    empty = client.get(f"/places/zones/{zone.id}/").content.decode()
    assert "Nothing on the map yet." in empty
    response = client.post(
        f"/places/zones/{zone.id}/point/", {"latitude": "34.0522", "longitude": "-118.2437"}
    )
    assert response.status_code == 302
    assert cells(zone) == {cell_for_point(*CENTRE)}
    zone.refresh_from_db()
    assert zone.centre_cell == cell_for_point(*CENTRE)
    assert locate("lejos").cell == cell_for_point(*CENTRE)


@pytest.mark.parametrize(
    ("latitude", "longitude", "fragment"),
    [("91", "0", "between -90 and 90"), ("x", "0", "Enter a number"), ("nan", "1", "number")],
)
def test_a_point_out_of_range_is_refused(
    coordinator: User,
    logged_in: Login,
    make_zone: MakeZone,
    latitude: str,
    longitude: str,
    fragment: str,
) -> None:
    zone = make_zone("El Centro")
    response = logged_in(coordinator).post(
        f"/places/zones/{zone.id}/point/", {"latitude": latitude, "longitude": longitude}
    )
    assert response.status_code == 200
    assert fragment in response.content.decode()
    assert len(cells(zone)) == 7


def test_deleting_a_zone_leaves_its_people_without_one(
    coordinator: User, logged_in: Login, make_zone: MakeZone, make_person: MakePerson
) -> None:
    zone = make_zone("El Centro", zips=["90005"])
    person = make_person()
    person.zone = zone
    person.save(update_fields=["zone"])
    client = logged_in(coordinator)
    confirm = client.get(f"/places/zones/{zone.id}/delete/").content.decode()
    assert "1 person has this zone" in confirm
    response = client.post(f"/places/zones/{zone.id}/delete/")
    assert response["Location"] == "/places/zones/"
    assert not Zone.objects.exists() and not ZoneCell.objects.exists()
    assert not ZipCode.objects.exists()
    person.refresh_from_db()
    assert person.zone is None
    assert AuditEvent.objects.get(action=audit.ZONE_DELETED).detail == {"name": "El Centro"}


def test_the_zone_list_counts_hexes_and_people_in_a_fixed_number_of_queries(
    coordinator: User,
    logged_in: Login,
    make_zone: MakeZone,
    make_person: MakePerson,
    django_assert_max_num_queries: Callable[[int], object],
) -> None:
    client = logged_in(coordinator)
    zone = make_zone("El Centro", zips=["90005", "90010"])
    make_zone("Westlake", at=WEST)
    for name in ("Ana", "Bea"):
        person = make_person(name, phone="")
        person.zone = zone
        person.save(update_fields=["zone"])
    with django_assert_max_num_queries(12):  # type: ignore[operator]  # pytest-django's fixture
        html = client.get("/places/zones/").content.decode()
    row = re.search(r"El Centro</a></td>(.*?)</tr>", html, re.S)
    assert row is not None
    assert "90005, 90010" in row.group(1) and ">7<" in row.group(1) and ">2<" in row.group(1)
    for _ in range(5):
        make_zone(f"Zona {_}", at=(CENTRE[0] + 0.05 * (_ + 1), CENTRE[1]))
    with django_assert_max_num_queries(12):  # type: ignore[operator]
        client.get("/places/zones/")


def test_organizers_and_dispatchers_see_the_map_but_cannot_change_zones(
    organizer: User, dispatcher: User, logged_in: Login, make_zone: MakeZone
) -> None:
    zone = make_zone("El Centro")
    for user in (organizer, dispatcher):
        client = logged_in(user)
        page = client.get("/places/")
        assert page.status_code == 200
        html = page.content.decode()
        assert "El Centro" in html and 'role="img"' in html
        assert "/cells/" not in html and "Map settings" not in html
        cell = cell_for_point(*WEST)
        assert (
            client.post(f"/places/zones/{zone.id}/cells/{cell}/", {"inside": "1"}).status_code
            == 403
        )
        assert client.post("/places/zones/new/", {"name": "X"}).status_code == 403
        assert client.post(f"/places/zones/{zone.id}/delete/").status_code == 403
    assert len(cells(zone)) == 7 and Zone.objects.count() == 1
    assert not AuditEvent.objects.filter(action__startswith="places.").exists()


def test_responders_members_and_outsiders_see_no_map(
    responder: User, member: User, outsider: User, logged_in: Login, make_zone: MakeZone
) -> None:
    make_zone("El Centro")
    for user in (responder, member, outsider):
        client = logged_in(user)
        assert client.get("/places/").status_code == 403
        assert "/places/" not in client.get("/").content.decode()


def test_the_services_refuse_without_the_capability(organizer: User, make_zone: MakeZone) -> None:
    from django.core.exceptions import PermissionDenied

    from vecinos.places import services

    zone = make_zone("El Centro")
    for change in (
        lambda: services.do_create_zone(organizer, name="X"),
        lambda: services.do_update_zone(organizer, zone, name="X", zip_codes=[]),
        lambda: services.do_delete_zone(organizer, zone),
        lambda: services.do_set_zone_cell(organizer, zone, cell_for_point(*WEST), inside=True),
        lambda: services.do_import_zones(organizer, []),
        lambda: services.do_save_map_settings(organizer, tile_url="", tile_attribution="x"),
    ):
        with pytest.raises(PermissionDenied):
            change()
    assert Zone.objects.get() == zone and zone.name == "El Centro"
