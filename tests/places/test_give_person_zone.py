"""A person (a responder above all) has a coarse zone, never a home address."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client

from tests.conftest import MakePerson
from tests.places.conftest import WEST, MakeZone
from vecinos.core import audit
from vecinos.core.models import AuditEvent, User
from vecinos.organizing.forms import PersonForm
from vecinos.organizing.models import Person

pytestmark = pytest.mark.django_db

Login = Callable[[User], Client]
FIELDS = {
    "full_name": "Teodora Lozano",
    "phone": "(213) 555-0177",
    "preferred_language": "es",
    "preferred_channel": "sms",
    "languages": ["es"],
}


def test_the_person_form_offers_the_zones(
    organizer: User, logged_in: Login, make_zone: MakeZone
) -> None:
    make_zone("El Centro")
    make_zone("Westlake", at=WEST)
    html = logged_in(organizer).get("/people/new/").content.decode()
    assert re.search(r'<select name="zone"[^>]* id="id_zone"', html)
    assert ">El Centro</option>" in html and ">Westlake</option>" in html
    assert "Never write down a home address" in html
    assert list(PersonForm.base_fields)[-1] == "zone"


def test_adding_a_person_with_a_zone(
    organizer: User, logged_in: Login, make_zone: MakeZone
) -> None:
    zone = make_zone("El Centro")
    response = logged_in(organizer).post("/people/new/", {**FIELDS, "zone": zone.id})
    assert response.status_code == 302
    person = Person.objects.get(full_name="Teodora Lozano")
    assert person.zone == zone
    assert "El Centro" in logged_in(organizer).get(f"/people/{person.id}/").content.decode()


def test_the_zone_is_optional_and_can_change(
    organizer: User, logged_in: Login, make_zone: MakeZone, make_person: MakePerson
) -> None:
    centro = make_zone("El Centro")
    westlake = make_zone("Westlake", at=WEST)
    client = logged_in(organizer)
    client.post("/people/new/", FIELDS)
    person = Person.objects.get(full_name="Teodora Lozano")
    assert person.zone is None
    edit = client.get(f"/people/{person.id}/edit/").content.decode()
    assert '<option value="" selected>' in edit
    client.post(f"/people/{person.id}/edit/", {**FIELDS, "zone": centro.id})
    person.refresh_from_db()
    assert person.zone == centro
    assert (
        f'<option value="{centro.id}" selected>'
        in client.get(f"/people/{person.id}/edit/").content.decode()
    )
    client.post(f"/people/{person.id}/edit/", {**FIELDS, "zone": westlake.id})
    person.refresh_from_db()
    assert person.zone == westlake
    changes = AuditEvent.objects.filter(action=audit.PERSON_CHANGED, target_id=str(person.id))
    assert [e.detail["fields"] for e in changes.order_by("id")] == [["zone"], ["zone"]]


def test_an_unknown_zone_is_refused(organizer: User, logged_in: Login, make_zone: MakeZone) -> None:
    make_zone("El Centro")
    response = logged_in(organizer).post("/people/new/", {**FIELDS, "zone": "999999"})
    assert response.status_code == 200
    assert "zone" in response.context["form"].errors
    assert not Person.objects.filter(full_name="Teodora Lozano").exists()


def test_deleting_the_zone_keeps_the_person(make_zone: MakeZone, make_person: MakePerson) -> None:
    zone = make_zone("El Centro")
    person = make_person()
    person.zone = zone
    person.save(update_fields=["zone"])
    zone.delete()
    person.refresh_from_db()
    assert person.zone is None
