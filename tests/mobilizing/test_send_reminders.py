"""Reminders the day before and an hour before, each sent once, to everyone going, in their
language. The worker's chore takes the clock as an argument: no sleeping in tests."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from tests.mobilizing.conftest import MakeContact, MakeMobilization, texts_to
from vecinos.core import periodic
from vecinos.core.models import User
from vecinos.messaging.models import OutboundMessage
from vecinos.mobilizing import services
from vecinos.mobilizing.choices import Answer, RsvpSource
from vecinos.mobilizing.models import Mobilization
from vecinos.organizing.models import Person

pytestmark = pytest.mark.django_db

START = timezone.now().replace(microsecond=0) + timedelta(days=3)


def say(mobilization: Mobilization, person: Person, code: str) -> None:
    with transaction.atomic():
        services.answer_for(mobilization, person, code, source=RsvpSource.TEXT, now=timezone.now())


def reminders(kind: str) -> list[OutboundMessage]:
    return list(OutboundMessage.objects.filter(kind=kind).order_by("id"))


def test_the_chore_is_registered_with_the_worker() -> None:
    assert periodic.CHORES["mobilizing.reminders"].run is services.send_reminders


def test_each_reminder_goes_once_to_everyone_going_in_their_language(
    make_mobilization: MakeMobilization, make_contact: MakeContact
) -> None:
    bus = make_mobilization(capacity=2, starts_at=START)
    going = [make_contact(language="ko"), make_contact(language="en")]
    waiting, declined = make_contact(), make_contact()
    for person in (*going, waiting):
        say(bus, person, Answer.YES)
    say(bus, declined, Answer.NO)

    assert services.send_reminders(now=START - timedelta(hours=30)) == 0
    assert services.send_reminders(now=START - timedelta(hours=23)) == 2
    assert services.send_reminders(now=START - timedelta(hours=23)) == 0
    assert services.send_reminders(now=START - timedelta(hours=5)) == 0
    day = reminders(services.DAY_REMINDER_KIND)
    assert [(m.person, m.language) for m in day] == [(going[0], "ko"), (going[1], "en")]
    assert "NO BUS" in day[1].body

    assert services.send_reminders(now=START - timedelta(minutes=59)) == 2
    assert services.send_reminders(now=START - timedelta(minutes=30)) == 0
    assert services.send_reminders(now=START + timedelta(minutes=1)) == 0
    hour = reminders(services.HOUR_REMINDER_KIND)
    assert {m.person for m in hour} == set(going)
    assert not texts_to(waiting, services.DAY_REMINDER_KIND) and not texts_to(declined)


def test_a_mobilization_called_the_same_afternoon_gets_only_the_hour_reminder(
    make_mobilization: MakeMobilization, make_contact: MakeContact
) -> None:
    now = timezone.now()
    bus = make_mobilization(starts_at=now + timedelta(minutes=50))
    say(bus, make_contact(), Answer.YES)
    assert services.send_reminders(now=now) == 1
    assert services.send_reminders(now=now + timedelta(minutes=5)) == 0
    assert len(reminders(services.HOUR_REMINDER_KIND)) == 1
    assert not reminders(services.DAY_REMINDER_KIND)


def test_a_new_start_time_makes_the_reminders_due_again(
    make_mobilization: MakeMobilization, make_contact: MakeContact, organizer: User
) -> None:
    bus = make_mobilization(starts_at=START)
    say(bus, make_contact(), Answer.YES)
    assert services.send_reminders(now=START - timedelta(hours=20)) == 1
    later = START + timedelta(days=1)
    services.do_update_mobilization(
        organizer,
        bus,
        title=bus.title,
        starts_at=later,
        place=bus.place,
        capacity=bus.capacity,
        code=bus.code,
        now=START - timedelta(hours=20),
    )
    assert services.send_reminders(now=START - timedelta(hours=19)) == 0
    assert services.send_reminders(now=later - timedelta(hours=20)) == 1
    assert len(reminders(services.DAY_REMINDER_KIND)) == 2


def test_two_workers_claiming_the_same_reminder_send_it_once(
    make_mobilization: MakeMobilization, make_contact: MakeContact
) -> None:
    bus = make_mobilization(starts_at=START)
    say(bus, make_contact(), Answer.YES)
    at = START - timedelta(hours=2)
    # The second worker read the mobilization as due before the first claimed it.
    Mobilization.objects.filter(id=bus.id).update(day_reminder_at=at)
    assert services.send_reminders(now=at) == 0
    Mobilization.objects.filter(id=bus.id).update(day_reminder_at=None)
    assert services.send_reminders(now=at) == 1
    assert services.send_reminders(now=at) == 0
