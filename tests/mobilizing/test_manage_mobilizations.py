"""Organizers add and change mobilizations on the web, and record answers given in person;
members see the coming ones and answer for themselves. Bad input gets a clear error."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from tests.conftest import MakeAccount
from tests.mobilizing.conftest import MakeContact, MakeMobilization, texts_to
from vecinos.core import audit
from vecinos.core.choices import Role
from vecinos.core.models import AuditEvent, User
from vecinos.mobilizing import services
from vecinos.mobilizing.choices import Answer, RsvpSource, RsvpStatus
from vecinos.mobilizing.models import Mobilization, Rsvp
from vecinos.organizing.models import Person

pytestmark = pytest.mark.django_db


def local(dt: timezone.datetime) -> str:  # type: ignore[name-defined]
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def form_data(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "title": "Bus to the rally in Sacramento",
        "starts_at": local(timezone.now() + timedelta(days=4)),
        "place": "Parque MacArthur",
        "capacity": "40",
        "code": "bus",
    }
    data.update(changes)
    return data


def test_an_organizer_adds_a_mobilization_and_it_is_audited(
    organizer: User,
    logged_in,  # type: ignore[no-untyped-def]
) -> None:
    client: Client = logged_in(organizer)
    response = client.post("/mobilizations/new/", form_data())
    bus = Mobilization.objects.get()
    assert response["Location"] == f"/mobilizations/{bus.id}/people/"
    assert (bus.code, bus.capacity, bus.created_by) == ("BUS", 40, organizer)
    assert AuditEvent.objects.filter(action=audit.MOBILIZATION_CREATED, actor=organizer).exists()
    page = client.get(f"/mobilizations/{bus.id}/people/").content.decode()
    assert "Bus to the rally in Sacramento" in page and "YES BUS" in page


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"title": "   "}, "This field is required."),
        ({"place": ""}, "This field is required."),
        ({"starts_at": "tomorrow"}, "Enter a valid date/time."),
        ({"starts_at": "2001-01-01T10:00"}, "Choose a time in the future."),
        ({"capacity": "0"}, "Ensure this value is greater than or equal to 1."),
        ({"code": "bus stop"}, "Use 2 to 12 letters or digits, without spaces."),
        ({"code": "!"}, "Use 2 to 12 letters or digits, without spaces."),
        ({"code": "stop"}, "This word already means something in a text; choose another."),
        ({"code": "si"}, "This word already means something in a text; choose another."),
    ],
)
def test_bad_input_gets_a_clear_error_and_saves_nothing(
    changes: dict[str, object],
    error: str,
    organizer: User,
    logged_in,  # type: ignore[no-untyped-def]
) -> None:
    client: Client = logged_in(organizer)
    response = client.post("/mobilizations/new/", form_data(**changes))
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Mobilization.objects.exists()


def test_a_text_code_in_use_is_refused(
    make_mobilization: MakeMobilization,
    organizer: User,
    logged_in,  # type: ignore[no-untyped-def]
) -> None:
    make_mobilization(code="BUS")
    other = make_mobilization(code="MARCH")
    client: Client = logged_in(organizer)
    response = client.post("/mobilizations/new/", form_data(code="Bus"))
    assert "Another mobilization already uses this text code." in response.content.decode()
    edit = client.post(f"/mobilizations/{other.id}/edit/", form_data(code="BUS"))
    assert "Another mobilization already uses this text code." in edit.content.decode()
    assert Mobilization.objects.count() == 2


def test_an_organizer_records_an_answer_given_by_phone_and_the_person_is_texted(
    make_mobilization: MakeMobilization,
    make_contact: MakeContact,
    organizer: User,
    logged_in,  # type: ignore[no-untyped-def]
) -> None:
    bus = make_mobilization(capacity=1)
    first, second = make_contact("Eulalia Rendón"), make_contact("Macario Solís", language="ko")
    client: Client = logged_in(organizer)
    url = f"/mobilizations/{bus.id}/people/"
    found = client.get(url, {"name": "Rend"}, headers={"HX-Request": "true"}).content.decode()
    assert "Eulalia Rendón" in found and "Macario" not in found
    assert "at least two letters" in client.get(url, {"name": "E"}).content.decode()
    client.post(url, {"person": first.id, "answer": Answer.YES})
    page = client.post(url, {"person": second.id, "answer": Answer.YES}, follow=True)
    assert "Macario Solís is number 1 on the waitlist." in page.content.decode()
    assert texts_to(second, services.WAITLISTED_KIND)[0].language == "ko"
    page = client.post(url, {"person": first.id, "answer": Answer.NO}, follow=True)
    assert "1 person moved up from the waitlist and was texted." in page.content.decode()
    assert Rsvp.objects.get(person=second).status == RsvpStatus.GOING
    assert Rsvp.objects.get(person=first).source == RsvpSource.ORGANIZER
    bad = client.post(url, {"person": "x", "answer": "MAYBE"}, follow=True)
    assert "Choose a person and an answer." in bad.content.decode()
    gone = client.post(url, {"person": 999999, "answer": Answer.YES}, follow=True)
    assert "This person is no longer on the list." in gone.content.decode()


def test_a_member_answers_on_the_web_for_themselves_only(
    make_mobilization: MakeMobilization,
    make_account: MakeAccount,
    make_contact: MakeContact,
    logged_in,  # type: ignore[no-untyped-def]
) -> None:
    bus = make_mobilization(capacity=1)
    someone = make_contact()
    services.answer_for(bus, someone, Answer.YES, source=RsvpSource.TEXT, now=timezone.now())
    user = make_account("vecina", Role.MEMBER, person=True)
    client: Client = logged_in(user)
    listing = client.get("/mobilizations/").content.decode()
    assert "Bus to the rally" in listing and "Not answered" in listing
    page = client.post(f"/mobilizations/{bus.id}/", {"answer": Answer.YES}, follow=True)
    assert "It is full: you are number 1 on the waitlist." in page.content.decode()
    rsvp = Rsvp.objects.get(person=user.person)
    assert (rsvp.status, rsvp.source) == (RsvpStatus.WAITLISTED, RsvpSource.WEB)
    assert not texts_to(user.person)  # they see it on the page
    assert client.post(f"/mobilizations/{bus.id}/", {}).status_code == 200
    assert (
        "This field is required." in client.post(f"/mobilizations/{bus.id}/", {}).content.decode()
    )
    with pytest.raises(PermissionDenied):
        services.do_answer(user, bus, someone, Answer.NO)
    assert Rsvp.objects.get(person=someone).status == RsvpStatus.GOING


def test_an_account_without_a_contact_is_told_to_ask_an_organizer(
    make_mobilization: MakeMobilization,
    member: User,
    logged_in,  # type: ignore[no-untyped-def]
) -> None:
    bus = make_mobilization()
    client: Client = logged_in(member)
    page = client.post(f"/mobilizations/{bus.id}/", {"answer": Answer.YES}).content.decode()
    assert "ask an organizer" in page
    assert not Rsvp.objects.exists() and not Person.objects.exists()


def test_answers_on_the_web_close_at_the_start(
    make_mobilization: MakeMobilization,
    make_account: MakeAccount,
    logged_in,  # type: ignore[no-untyped-def]
) -> None:
    bus = make_mobilization(starts_at=timezone.now() - timedelta(minutes=1))
    user = make_account("vecino", Role.MEMBER, person=True)
    client: Client = logged_in(user)
    page = client.post(f"/mobilizations/{bus.id}/", {"answer": Answer.YES}, follow=True)
    assert "answers are closed" in page.content.decode()
    assert not Rsvp.objects.exists()
