"""Circles: where people come from, who vouches for them, and who brought whom."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from tests.conftest import MakePerson
from vecinos.core.models import AuditEvent, User
from vecinos.organizing.choices import CircleKind
from vecinos.organizing.models import Circle, CircleMembership
from vecinos.organizing.services import (
    do_add_to_circle,
    do_create_circle,
    do_set_brought_by,
    do_set_vouching,
)

pytestmark = pytest.mark.django_db


def test_a_person_can_be_in_several_circles_and_vouch_for_one(
    organizer: User, make_person: MakePerson
) -> None:
    church = do_create_circle(organizer, name="Parroquia San Judas", kind=CircleKind.CHURCH)
    club = do_create_circle(organizer, name="Club Tlaxiaco", kind=CircleKind.HOMETOWN_CLUB)
    ana = make_person("Ana Rendón", phone="+12135550111")
    do_add_to_circle(organizer, church, ana, vouches=True)
    do_add_to_circle(organizer, club, ana)
    do_add_to_circle(organizer, club, ana)  # twice: still once
    assert set(ana.circles.values_list("name", flat=True)) == {
        "Parroquia San Judas",
        "Club Tlaxiaco",
    }
    assert CircleMembership.objects.get(circle=church, person=ana).vouches_for_circle
    membership = CircleMembership.objects.get(circle=club, person=ana)
    do_set_vouching(organizer, membership, vouches=True)
    assert CircleMembership.objects.get(id=membership.id).vouches_for_circle
    assert AuditEvent.objects.filter(action="organizing.circle.member_added").count() == 2


def test_who_brought_whom_is_recorded_and_a_loop_is_refused(
    organizer: User, make_person: MakePerson
) -> None:
    ana = make_person("Ana Rendón", phone="+12135550111")
    beto = make_person("Beto Lozano", phone="+12135550112")
    do_set_brought_by(organizer, beto, ana)
    beto.refresh_from_db()
    assert beto.brought_by == ana and list(ana.brought.all()) == [beto]
    with pytest.raises(ValueError, match="loop"):
        do_set_brought_by(organizer, ana, beto)
    with pytest.raises(ValueError, match="loop"):
        do_set_brought_by(organizer, ana, ana)


def test_those_who_may_not_edit_people_cannot_change_circles(
    dispatcher: User, organizer: User, make_person: MakePerson
) -> None:
    with pytest.raises(PermissionDenied):
        do_create_circle(dispatcher, name="Nope")
    circle = do_create_circle(organizer, name="Local 11", kind=CircleKind.UNION_LOCAL)
    with pytest.raises(PermissionDenied):
        do_add_to_circle(dispatcher, circle, make_person())
    assert not CircleMembership.objects.exists()


def test_the_circle_pages_add_a_circle_and_a_member_by_name(
    organizer: User, make_person: MakePerson, logged_in
) -> None:
    ana = make_person("Ana Rendón", phone="+12135550111")
    client: Client = logged_in(organizer)
    response = client.post("/people/circles/new/", {"name": "Escuela Norte", "kind": "school"})
    circle = Circle.objects.get(name="Escuela Norte")
    assert response.status_code == 302 and circle.kind == CircleKind.SCHOOL_COUNCIL
    response = client.post(
        f"/people/circles/{circle.id}/", {"person": "ana rendón", "vouches": "on"}
    )
    assert response.status_code == 302
    assert CircleMembership.objects.get(circle=circle, person=ana).vouches_for_circle
    page = client.get(f"/people/circles/{circle.id}/").content.decode()
    assert "Ana Rendón" in page and "Depends on one person" in page
    listing = client.get("/people/circles/").content.decode()
    assert "Escuela Norte" in listing


def test_circle_forms_explain_bad_input(
    organizer: User, make_person: MakePerson, logged_in
) -> None:
    make_person("Ana Rendón", phone="+12135550111")
    make_person("Ana Rendón", phone="+12135550112")
    client: Client = logged_in(organizer)
    client.post("/people/circles/new/", {"name": "Escuela Norte", "kind": "school"})
    response = client.post("/people/circles/new/", {"name": "escuela norte", "kind": "school"})
    assert "There is already a circle with this name." in response.content.decode()
    response = client.post("/people/circles/new/", {"name": "  ", "kind": "school"})
    assert "This field is required." in response.content.decode()
    circle = Circle.objects.get()
    response = client.post(f"/people/circles/{circle.id}/", {"person": "Nadie Nunca"})
    assert "No one has this name" in response.content.decode()
    response = client.post(f"/people/circles/{circle.id}/", {"person": "Ana Rendón"})
    assert "Several people have this name" in response.content.decode()
    response = client.post(f"/people/circles/{circle.id}/", {"person": "#999999"})
    assert "No one has the number #999999." in response.content.decode()
    assert not CircleMembership.objects.exists()


def test_the_brought_by_form_takes_a_number_and_refuses_a_loop(
    organizer: User, make_person: MakePerson, logged_in
) -> None:
    ana = make_person("Ana Rendón", phone="+12135550111")
    beto = make_person("Beto Lozano", phone="+12135550112")
    client: Client = logged_in(organizer)
    response = client.post(f"/people/{beto.id}/brought-by/", {"brought_by": f"#{ana.id}"})
    assert response.status_code == 302
    response = client.post(f"/people/{ana.id}/brought-by/", {"brought_by": "Beto Lozano"})
    assert "That would make a loop" in response.content.decode()
    ana.refresh_from_db()
    assert ana.brought_by is None


def test_a_member_is_marked_as_vouching_and_taken_out(
    organizer: User, make_person: MakePerson, logged_in
) -> None:
    ana = make_person("Ana Rendón", phone="+12135550111")
    circle = do_create_circle(organizer, name="Local 11", kind=CircleKind.UNION_LOCAL)
    do_add_to_circle(organizer, circle, ana)
    client: Client = logged_in(organizer)
    url = f"/people/circles/{circle.id}/members/{ana.id}/"
    assert client.get(url).status_code == 200
    client.post(url, {"action": "vouch"})
    assert CircleMembership.objects.get().vouches_for_circle
    client.post(url, {"action": "remove"})
    assert not CircleMembership.objects.exists()
    assert client.get(url).status_code == 404
