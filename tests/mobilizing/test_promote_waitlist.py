"""The waitlist: a freed seat goes to the first in line, who is texted in their language; two
cancellations at once free two seats for two people, never one seat twice."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from tests.mobilizing.conftest import MakeContact, MakeMobilization, texts_to
from vecinos.core.models import User
from vecinos.mobilizing import services
from vecinos.mobilizing.choices import Answer, RsvpSource, RsvpStatus
from vecinos.mobilizing.models import Mobilization, Rsvp
from vecinos.organizing.models import Person


def answer(mobilization: Mobilization, person: Person, code: str) -> services.Outcome:
    with transaction.atomic():
        return services.answer_for(
            mobilization, person, code, source=RsvpSource.TEXT, now=timezone.now()
        )


def status_of(person: Person) -> str:
    return Rsvp.objects.get(person=person).status


@pytest.mark.django_db
def test_a_freed_seat_goes_to_the_first_in_line_who_is_texted_in_their_language(
    make_mobilization: MakeMobilization, make_contact: MakeContact
) -> None:
    bus = make_mobilization(capacity=2)
    seated = [make_contact(), make_contact()]
    first, second = make_contact(language="ko"), make_contact(language="en")
    for person in [*seated, first, second]:
        answer(bus, person, Answer.YES)
    assert [status_of(p) for p in (first, second)] == [RsvpStatus.WAITLISTED] * 2
    outcome = answer(bus, seated[0], Answer.NO)
    assert [r.person for r in outcome.promoted] == [first]
    assert (status_of(first), status_of(second)) == (RsvpStatus.GOING, RsvpStatus.WAITLISTED)
    [text] = texts_to(first, services.PROMOTED_KIND)
    assert text.language == "ko" and text.address == first.phone
    assert not texts_to(second, services.PROMOTED_KIND)
    assert services.waitlist_position(Rsvp.objects.get(person=second)) == 1


@pytest.mark.django_db
def test_leaving_the_waitlist_or_saying_no_twice_frees_nothing(
    make_mobilization: MakeMobilization, make_contact: MakeContact
) -> None:
    bus = make_mobilization(capacity=1)
    seated, first, second = make_contact(), make_contact(), make_contact()
    for person in (seated, first, second):
        answer(bus, person, Answer.YES)
    assert answer(bus, first, Answer.NO).promoted == []
    assert not answer(bus, first, Answer.NO).changed
    assert status_of(seated) == RsvpStatus.GOING
    assert services.waitlist_position(Rsvp.objects.get(person=second)) == 1
    # Someone who said no and comes back joins the end of the line.
    answer(bus, first, Answer.YES)
    assert services.waitlist_position(Rsvp.objects.get(person=first)) == 2


@pytest.mark.django_db
def test_more_seats_move_people_up_and_fewer_take_no_place_away(
    make_mobilization: MakeMobilization, make_contact: MakeContact, organizer: User
) -> None:
    bus = make_mobilization(capacity=1)
    people = [make_contact() for _ in range(4)]
    for person in people:
        answer(bus, person, Answer.YES)
    fields = {"title": bus.title, "starts_at": bus.starts_at, "place": bus.place, "code": bus.code}
    promoted = services.do_update_mobilization(organizer, bus, capacity=3, **fields)
    assert [r.person for r in promoted] == people[1:3]
    assert len(texts_to(people[1], services.PROMOTED_KIND)) == 1
    services.do_update_mobilization(organizer, bus, capacity=1, **fields)
    assert [status_of(p) for p in people].count(RsvpStatus.GOING) == 3
    answer(bus, people[0], Answer.NO)  # still over capacity: nobody moves up
    assert status_of(people[3]) == RsvpStatus.WAITLISTED


@pytest.mark.django_db
def test_nobody_moves_up_once_the_mobilization_has_started(
    make_mobilization: MakeMobilization, make_contact: MakeContact
) -> None:
    bus = make_mobilization(capacity=1)
    seated, waiting = make_contact(), make_contact()
    answer(bus, seated, Answer.YES)
    answer(bus, waiting, Answer.YES)
    Mobilization.objects.filter(id=bus.id).update(starts_at=timezone.now() - timedelta(minutes=1))
    answer(bus, seated, Answer.NO)
    assert status_of(waiting) == RsvpStatus.WAITLISTED
    assert not texts_to(waiting, services.PROMOTED_KIND)


@pytest.mark.django_db(transaction=True)
def test_two_cancellations_at_once_promote_two_people_in_order(
    make_mobilization: MakeMobilization, make_contact: MakeContact
) -> None:
    bus = make_mobilization(capacity=4)
    seated = [make_contact() for _ in range(4)]
    waiting = [make_contact() for _ in range(3)]
    for person in seated + waiting:
        answer(bus, person, Answer.YES)
    leaving = seated[:2]
    start = threading.Barrier(len(leaving))

    def cancel(person: Person) -> int:
        try:
            start.wait(timeout=30)
            return len(answer(bus, person, Answer.NO).promoted)
        finally:
            connection.close()

    with ThreadPoolExecutor(len(leaving)) as pool:
        promoted = list(pool.map(cancel, leaving))
    assert promoted == [1, 1]
    assert Rsvp.objects.filter(mobilization=bus, status=RsvpStatus.GOING).count() == 4
    assert [status_of(p) for p in waiting] == [
        RsvpStatus.GOING,
        RsvpStatus.GOING,
        RsvpStatus.WAITLISTED,
    ]
    assert sum(len(texts_to(p, services.PROMOTED_KIND)) for p in waiting) == 2


@pytest.mark.django_db(transaction=True)
def test_many_yeses_at_once_for_the_last_seats_never_overfill_the_bus(
    make_mobilization: MakeMobilization, make_contact: MakeContact
) -> None:
    bus = make_mobilization(capacity=3)
    people = [make_contact() for _ in range(6)]
    start = threading.Barrier(len(people))

    def say_yes(person: Person) -> str:
        try:
            start.wait(timeout=30)
            return answer(bus, person, Answer.YES).rsvp.status
        finally:
            connection.close()

    with ThreadPoolExecutor(len(people)) as pool:
        statuses = sorted(pool.map(say_yes, people))
    assert statuses == [RsvpStatus.GOING] * 3 + [RsvpStatus.WAITLISTED] * 3
    assert Rsvp.objects.filter(mobilization=bus, status=RsvpStatus.GOING).count() == 3
