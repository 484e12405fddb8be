"""Check-in at the door and no-show counts, for a mobilization and for each person."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.test import Client
from django.utils import timezone

from tests.mobilizing.conftest import MakeContact, MakeMobilization
from vecinos.core import audit
from vecinos.core.models import AuditEvent, User
from vecinos.mobilizing import queries, services
from vecinos.mobilizing.choices import Answer, RsvpSource, RsvpStatus
from vecinos.mobilizing.models import Mobilization, Rsvp
from vecinos.organizing.models import Person

pytestmark = pytest.mark.django_db


def say(mobilization: Mobilization, person: Person, code: str) -> Rsvp:
    with transaction.atomic():
        return services.answer_for(
            mobilization, person, code, source=RsvpSource.TEXT, now=timezone.now()
        ).rsvp


def start(mobilization: Mobilization, ago: timedelta = timedelta(minutes=10)) -> None:
    mobilization.starts_at = timezone.now() - ago
    Mobilization.objects.filter(id=mobilization.id).update(starts_at=mobilization.starts_at)


def test_checked_in_and_no_shows_are_counted_once_check_in_was_done(
    make_mobilization: MakeMobilization, make_contact: MakeContact, organizer: User
) -> None:
    bus = make_mobilization(capacity=3)
    people = [make_contact() for _ in range(4)]
    rsvps = [say(bus, person, Answer.YES) for person in people]
    assert rsvps[3].status == RsvpStatus.WAITLISTED
    start(bus)
    assert queries.counts_of(bus, timezone.now()).no_shows is None  # nobody checked in yet
    assert services.do_check_in(organizer, rsvps[0])
    assert not services.do_check_in(organizer, rsvps[0])  # a second tap changes nothing
    assert services.do_check_in(organizer, rsvps[3])  # from the waitlist: came anyway
    counts = queries.counts_of(bus, timezone.now())
    assert (counts.going, counts.checked_in, counts.no_shows) == (3, 2, 2)
    assert services.do_check_in(organizer, rsvps[0], present=False)
    assert queries.counts_of(bus, timezone.now()).checked_in == 1
    assert AuditEvent.objects.filter(action=audit.RSVP_CHECKED_IN).count() == 3


def test_a_person_who_missed_earlier_mobilizations_shows_how_many(
    make_mobilization: MakeMobilization, make_contact: MakeContact, organizer: User
) -> None:
    came, missed = make_contact("Came"), make_contact("Missed")
    for days in (9, 5):
        past = make_mobilization(capacity=None)
        for person in (came, missed):
            say(past, person, Answer.YES)
        start(past, timedelta(days=days))
        services.do_check_in(organizer, Rsvp.objects.get(mobilization=past, person=came))
    unchecked = make_mobilization(capacity=None)  # check-in never done: no one is a no-show
    say(unchecked, missed, Answer.YES)
    start(unchecked, timedelta(days=2))
    bus = make_mobilization()
    say(bus, came, Answer.YES)
    say(bus, missed, Answer.YES)
    rows = queries.roster(organizer, bus, timezone.now())[RsvpStatus.GOING]
    assert {row.rsvp.person.full_name: row.missed_before for row in rows} == {
        "Came": 0,
        "Missed": 2,
    }


def test_only_organizers_check_people_in(
    make_mobilization: MakeMobilization, make_contact: MakeContact, member: User
) -> None:
    rsvp = say(make_mobilization(), make_contact(), Answer.YES)
    with pytest.raises(PermissionDenied):
        services.do_check_in(member, rsvp)
    assert Rsvp.objects.get(id=rsvp.id).checked_in_at is None


def test_the_check_in_page_marks_someone_here_with_and_without_htmx(
    make_mobilization: MakeMobilization,
    make_contact: MakeContact,
    organizer: User,
    logged_in,  # type: ignore[no-untyped-def]
) -> None:
    bus = make_mobilization()
    rsvp = say(bus, make_contact("Dalia Nava"), Answer.YES)
    client: Client = logged_in(organizer)
    url = f"/mobilizations/{bus.id}/check-in/"
    page = client.get(url)
    assert page.status_code == 200 and "Dalia Nava" in page.content.decode()
    fragment = client.post(url, {"rsvp": rsvp.id}, headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "Undo" in fragment.content.decode()
    assert client.post(url, {"rsvp": rsvp.id, "present": "0"}).status_code == 302
    assert Rsvp.objects.get(id=rsvp.id).checked_in_at is None
    assert client.post(url, {"rsvp": "not-a-number"}).status_code == 302
    other = make_mobilization()
    assert client.post(f"/mobilizations/{other.id}/check-in/", {"rsvp": rsvp.id}).status_code == 404
