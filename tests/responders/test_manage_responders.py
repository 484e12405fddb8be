"""The coordinators' roster: list, make a person a responder, set their area and availability,
and see why someone is not eligible (eligibility follows trainings and vouches). Nobody else can
list responders."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from tests.conftest import MakePerson
from tests.responders.conftest import HOME, MakeResponder
from vecinos.core import audit
from vecinos.core.models import AuditEvent, User
from vecinos.places.models import Zone
from vecinos.responders import queries, services
from vecinos.responders.models import Responder

pytestmark = pytest.mark.django_db
LoggedIn = Callable[[User], Client]


def test_a_coordinator_lists_responders_and_the_listing_is_recorded(
    coordinator: User, logged_in: LoggedIn, make_responder: MakeResponder
) -> None:
    make_responder("Adela Ramos", cell=HOME, languages=["es", "mix"])
    make_responder("Bora Kim", eligible=False, language="ko", languages=["ko"])
    page = logged_in(coordinator).get("/responders/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Adela Ramos" in body and "Bora Kim" in body and HOME in body
    assert "+1213555" not in body  # never a number
    assert AuditEvent.objects.filter(actor=coordinator, action=audit.RESPONDERS_LISTED).exists()
    found = logged_in(coordinator).get("/responders/", {"name": "bora"}).content.decode()
    assert "Bora Kim" in found and "Adela Ramos" not in found


@pytest.mark.parametrize("persona", ["dispatcher", "organizer", "responder", "outsider"])
def test_nobody_but_a_coordinator_can_list_or_read_responders(
    persona: str, request: pytest.FixtureRequest, logged_in: LoggedIn,
    make_responder: MakeResponder,
) -> None:  # fmt: skip
    user = request.getfixturevalue(persona)
    responder = make_responder()
    client = logged_in(user)
    assert client.get("/responders/").status_code == 403
    assert client.get(f"/responders/{responder.id}/").status_code == 403
    assert client.post(f"/responders/{responder.id}/", {"available": "on"}).status_code == 403
    with pytest.raises(PermissionDenied):
        queries.responders_for(user)
    with pytest.raises(PermissionDenied):
        queries.access_responder(user, responder.id)
    with pytest.raises(PermissionDenied):
        services.do_update_responder(
            user, responder, cell="", available=False, available_until=None
        )
    assert not AuditEvent.objects.filter(actor=user).exclude(action=audit.USER_LOGGED_IN).exists()
    responder.refresh_from_db()
    assert responder.eligible and responder.available and responder.cell == HOME


def test_a_coordinator_makes_a_person_a_responder(
    coordinator: User, logged_in: LoggedIn, make_person: MakePerson
) -> None:
    person = make_person("Celestino Ortiz")
    make_person("Celestina No Phone", phone="")
    client = logged_in(coordinator)
    found = client.get("/responders/", {"person": "celest"}).content.decode()
    assert "Celestino Ortiz" in found and "Celestina No Phone" not in found
    response = client.post("/responders/", {"person_id": person.id})
    responder = Responder.objects.get(person=person)
    assert response["Location"] == f"/responders/{responder.id}/"
    assert not responder.eligible  # not before a training and vouches
    assert client.post("/responders/", {"person_id": "x"}).status_code == 400
    assert client.post("/responders/", {"person_id": "999999"}).status_code == 404


def test_a_point_becomes_a_cell_and_eligibility_cannot_be_set_by_hand(
    coordinator: User, logged_in: LoggedIn, make_responder: MakeResponder
) -> None:
    responder = make_responder(eligible=False, cell="")
    client = logged_in(coordinator)
    page = client.get(f"/responders/{responder.id}/").content.decode()
    assert "No first-responder training" in page and "0 of 2 vouches" in page
    response = client.post(
        f"/responders/{responder.id}/",
        {"latitude": "34.0617", "longitude": "-118.3005", "available": "on", "eligible": "on",
         "available_until": "2030-01-02T03:04"},
    )  # fmt: skip
    assert response.status_code == 302
    responder.refresh_from_db()
    assert responder.cell == HOME and responder.available and not responder.eligible
    assert responder.available_until is not None
    event = AuditEvent.objects.filter(action=audit.RESPONDER_CHANGED).get()
    assert set(event.detail["fields"]) == {"cell", "available_until"}


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"cell": "nowhere"}, "not a map cell"),
        ({"cell": "8029fffffffffff"}, "not a map cell"),  # a cell, but far too coarse
        ({"latitude": "34.06"}, "both a latitude and a longitude"),
        ({"latitude": "91", "longitude": "0"}, "less than or equal to 90"),
        ({"available_until": "soon"}, "valid date/time"),
    ],
)
def test_bad_input_is_explained_and_nothing_changes(
    data: dict[str, str], error: str, coordinator: User, logged_in: LoggedIn,
    make_responder: MakeResponder,
) -> None:  # fmt: skip
    responder = make_responder()
    response = logged_in(coordinator).post(f"/responders/{responder.id}/", data)
    assert response.status_code == 200
    assert error in response.content.decode()
    responder.refresh_from_db()
    assert responder.cell == HOME and responder.eligible


def test_the_service_refuses_a_bad_cell(coordinator: User, make_responder: MakeResponder) -> None:
    responder = make_responder()
    with pytest.raises(ValueError, match="H3 cell"):
        services.do_update_responder(
            coordinator, responder, cell="x" * 200, available=True, available_until=None
        )


def test_making_someone_a_responder_twice_keeps_one_profile(
    coordinator: User, make_person: MakePerson, db: Any
) -> None:
    person = make_person()
    first = services.do_create_responder(coordinator, person, cell=HOME)
    assert services.do_create_responder(coordinator, person) == first
    assert Responder.objects.count() == 1


def test_a_new_responders_area_starts_at_the_centre_of_their_zone(
    coordinator: User, make_person: MakePerson
) -> None:
    zone = Zone.objects.create(name="Koreatown", name_key="koreatown", centre_cell=HOME)
    person = make_person()
    person.zone = zone
    person.save(update_fields=["zone"])
    assert services.do_create_responder(coordinator, person).cell == HOME
