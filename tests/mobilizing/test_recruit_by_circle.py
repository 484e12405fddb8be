"""Recruiting by circle: pick circles, see who has not been asked yet, send the invitation in
each person's language on their channel; people who opted out get nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from tests.mobilizing.conftest import MakeContact, MakeMobilization, TextIn, texts_to
from vecinos.core import audit
from vecinos.core.models import AuditEvent, User
from vecinos.messaging.choices import Channel, ConsentMethod
from vecinos.messaging.models import Consent, OptOut, OutboundMessage
from vecinos.mobilizing import queries, services
from vecinos.mobilizing.choices import RsvpStatus
from vecinos.mobilizing.models import Invitation, Mobilization, Rsvp
from vecinos.organizing.choices import CircleKind
from vecinos.organizing.models import Circle, CircleMembership, Person

pytestmark = pytest.mark.django_db


def circle(name: str, people: list[Person], kind: str = CircleKind.CHURCH) -> Circle:
    made = Circle.objects.create(name=name, kind=kind)
    CircleMembership.objects.bulk_create(CircleMembership(circle=made, person=p) for p in people)
    return made


@pytest.fixture
def church_and_club(make_contact: MakeContact) -> tuple[Circle, Circle, dict[str, Person]]:
    people = {
        "es": make_contact("Amparo Solís", language="es"),
        "ko": make_contact("Kim Min-ji", language="ko", channel=Channel.SIGNAL),
        "mail": make_contact("Otis Bellamy", language="en", channel=Channel.EMAIL, email="o@x.org"),
        "stop": make_contact("Severo Nava", language="es"),
        "no": make_contact("Dalia Cruz", language="es"),
        "none": make_contact("Nadie Telefono", phone=""),
    }
    OptOut.objects.create(address=people["stop"].phone, keyword="stop")
    Consent.objects.create(
        person=people["no"], channel=Channel.SMS, granted=False, method=ConsentMethod.IN_PERSON
    )
    church = circle("San Judas", [people[k] for k in ("es", "ko", "stop", "none")])
    club = circle(
        "Club Oaxaca", [people[k] for k in ("es", "mail", "no")], kind=CircleKind.HOMETOWN_CLUB
    )
    return church, club, people


def test_who_has_not_been_asked_yet_per_circle(
    make_mobilization: MakeMobilization,
    church_and_club: tuple[Circle, Circle, dict[str, Person]],
    organizer: User,
) -> None:
    church, club, people = church_and_club
    bus = make_mobilization()
    Invitation.objects.create(mobilization=bus, person=people["ko"], channel=Channel.SIGNAL)
    found = queries.recruiting(organizer, bus, [church, club])
    church_row, club_row = found.circles
    assert (church_row.members, church_row.asked) == (4, 1)
    assert [p.full_name for p in church_row.not_asked] == [
        "Amparo Solís",
        "Nadie Telefono",
        "Severo Nava",
    ]
    assert (club_row.members, club_row.asked) == (3, 0)
    # Amparo is in both circles: listed under each, invited once, through the first picked.
    assert len(found.people) == 5 and found.circle_of[people["es"].id] == church.id
    assert found.opted_out == {people["stop"].id, people["no"].id}


def test_the_invitation_goes_in_each_language_on_each_channel_and_opt_outs_get_nothing(
    make_mobilization: MakeMobilization,
    church_and_club: tuple[Circle, Circle, dict[str, Person]],
    organizer: User,
) -> None:
    church, club, people = church_and_club
    bus = make_mobilization(code="BUS")
    found = queries.recruiting(organizer, bus, [church, club])
    result = services.do_invite(organizer, bus, found.people, circle_of=found.circle_of)
    assert (result.invited, result.opted_out, result.unreachable) == (3, 2, 1)
    sent = {m.person: m for m in OutboundMessage.objects.filter(kind=services.INVITATION_KIND)}
    assert set(sent) == {people["es"], people["ko"], people["mail"]}
    assert (sent[people["es"]].channel, sent[people["es"]].language) == (Channel.SMS, "es")
    assert "SI BUS" in sent[people["es"]].body
    assert (sent[people["ko"]].channel, sent[people["ko"]].language) == (Channel.SIGNAL, "ko")
    assert "네 BUS" in sent[people["ko"]].body
    mail = sent[people["mail"]]
    assert (mail.channel, mail.address) == (Channel.EMAIL, "o@x.org") and mail.subject
    assert "text YES BUS to the number" in mail.body
    assert not texts_to(people["stop"]) and not texts_to(people["no"])
    invited = Invitation.objects.filter(mobilization=bus)
    assert {i.person for i in invited} == {people["es"], people["ko"], people["mail"]}
    assert invited.get(person=people["es"]).circle == church
    assert AuditEvent.objects.filter(action=audit.INVITATIONS_SENT).count() == 1
    # Asked once: the next round finds only those who could not be asked.
    again = queries.recruiting(organizer, bus, [church, club])
    assert {p.id for p in again.people} == {people[k].id for k in ("stop", "no", "none")}
    assert services.do_invite(organizer, bus, list(sent)).already == 3


def test_the_invited_answer_with_a_plain_yes(
    make_mobilization: MakeMobilization,
    church_and_club: tuple[Circle, Circle, dict[str, Person]],
    organizer: User,
    text_in: TextIn,
) -> None:
    church, _club, people = church_and_club
    bus = make_mobilization(capacity=1)
    found = queries.recruiting(organizer, bus, [church])
    services.do_invite(organizer, bus, found.invitable, circle_of=found.circle_of)
    text_in("si", sender=people["es"].phone)
    text_in("네", sender=people["ko"].phone)
    assert Rsvp.objects.get(person=people["es"]).status == RsvpStatus.GOING
    assert Rsvp.objects.get(person=people["ko"]).status == RsvpStatus.WAITLISTED
    [told] = texts_to(people["ko"], services.WAITLISTED_KIND)
    assert told.channel == Channel.SMS or told.channel == Channel.SIGNAL
    assert told.language == "ko"


def test_only_organizers_recruit_and_nothing_is_sent_after_the_start(
    make_mobilization: MakeMobilization,
    church_and_club: tuple[Circle, Circle, dict[str, Person]],
    organizer: User,
    member: User,
) -> None:
    church, _club, people = church_and_club
    bus = make_mobilization()
    with pytest.raises(PermissionDenied):
        queries.recruiting(member, bus, [church])
    with pytest.raises(PermissionDenied):
        services.do_invite(member, bus, [people["es"]])
    Mobilization.objects.filter(id=bus.id).update(starts_at=timezone.now() - timedelta(hours=1))
    bus.refresh_from_db()
    with pytest.raises(services.MobilizationError):
        services.do_invite(organizer, bus, [people["es"]])
    assert not OutboundMessage.objects.exists()


def test_the_recruit_page_shows_who_was_not_asked_and_sends_the_invitations(
    make_mobilization: MakeMobilization,
    church_and_club: tuple[Circle, Circle, dict[str, Person]],
    organizer: User,
    logged_in,  # type: ignore[no-untyped-def]
) -> None:
    church, club, _people = church_and_club
    bus = make_mobilization()
    client: Client = logged_in(organizer)
    url = f"/mobilizations/{bus.id}/recruit/"
    assert "San Judas" in client.get(url).content.decode()
    shown = client.get(url, {"circles": [church.id, club.id]}).content.decode()
    assert "Amparo Solís" in shown and "opted out: gets nothing" in shown
    assert "Invite 3 people" in shown
    empty = client.post(url, {})
    assert empty.status_code == 200 and "Choose at least one circle." in empty.content.decode()
    bogus = client.get(url, {"circles": ["999999"]})
    assert "Select a valid choice" in bogus.content.decode()
    response = client.post(url, {"circles": [church.id, club.id]}, follow=True)
    page = response.content.decode()
    assert "3 invitations sent." in page and "2 people opted out and got nothing." in page
    assert Invitation.objects.filter(mobilization=bus).count() == 3
