"""Answers to invitations by text: YES or NO in English, Spanish or Korean, with or without the
mobilization's code, from people on the list and from numbers nobody knows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.mobilizing.conftest import MakeContact, MakeMobilization, TextIn, texts_to
from vecinos.core import audit
from vecinos.core.models import AuditEvent
from vecinos.hotline.models import Report
from vecinos.messaging.choices import Channel, ConsentMethod
from vecinos.messaging.models import Consent, InboundMessage, OutboundMessage
from vecinos.mobilizing import services
from vecinos.mobilizing.choices import RsvpSource, RsvpStatus
from vecinos.mobilizing.models import Invitation, Rsvp, RsvpText
from vecinos.organizing.models import Person

pytestmark = pytest.mark.django_db

STRANGER = "+13235550177"


def invite(mobilization, person) -> Invitation:  # type: ignore[no-untyped-def]
    return Invitation.objects.create(mobilization=mobilization, person=person, channel=Channel.SMS)


def test_a_number_not_on_the_list_rsvps_and_becomes_a_contact_with_consent_by_text(
    make_mobilization: MakeMobilization, text_in: TextIn
) -> None:
    bus = make_mobilization(code="BUS")
    stored = text_in("Sí bus", sender="(323) 555-0177")
    stored.refresh_from_db()
    assert stored.handled_as == services.REPLY_HANDLER
    [person] = Person.objects.all()
    assert person.phone == STRANGER and stored.person == person
    assert (person.preferred_language, person.preferred_channel) == ("es", Channel.SMS)
    [consent] = Consent.objects.filter(person=person)
    assert consent.granted and consent.channel == Channel.SMS
    assert consent.method == ConsentMethod.TEXT_MESSAGE and consent.recorded_by is None
    [rsvp] = Rsvp.objects.filter(mobilization=bus)
    assert (rsvp.person, rsvp.status, rsvp.source) == (person, RsvpStatus.GOING, RsvpSource.TEXT)
    [reply] = texts_to(person, services.GOING_KIND)
    assert reply.language == "es" and reply.address == STRANGER
    assert "Bus to the rally" in reply.body and "NO BUS" in reply.body
    assert AuditEvent.objects.filter(action=audit.PERSON_CREATED, actor=None).count() == 1
    assert not Report.objects.exists()


def test_a_korean_yes_from_a_stranger_is_answered_in_korean(
    make_mobilization: MakeMobilization, text_in: TextIn
) -> None:
    make_mobilization(code="BUS")
    text_in("네 BUS", sender=STRANGER)
    person = Person.objects.get()
    assert person.preferred_language == "ko"
    [reply] = texts_to(person, services.GOING_KIND)
    assert reply.language == "ko" and "아니요 BUS" in reply.body


def test_a_stranger_saying_no_is_thanked_and_nothing_about_them_is_kept(
    make_mobilization: MakeMobilization, text_in: TextIn
) -> None:
    make_mobilization(code="BUS")
    stored = text_in("NO BUS", sender=STRANGER)
    stored.refresh_from_db()
    assert stored.handled_as == services.REPLY_HANDLER
    assert not Person.objects.exists() and not Rsvp.objects.exists()
    [reply] = OutboundMessage.objects.filter(kind=services.CLOSED_KIND)
    assert reply.address == STRANGER


def test_a_plain_yes_from_someone_never_asked_is_left_to_the_hotline(
    make_mobilization: MakeMobilization, make_contact: MakeContact, text_in: TextIn
) -> None:
    make_mobilization(code="BUS")
    known = make_contact()
    for body, sender in (("yes", STRANGER), ("si", known.phone)):
        stored = text_in(body, sender=sender)
        stored.refresh_from_db()
        assert stored.handled_as != services.REPLY_HANDLER
    assert not Rsvp.objects.exists()
    assert Report.objects.count() == 2


def test_an_invited_person_answers_with_a_plain_yes_in_their_language(
    make_mobilization: MakeMobilization, make_contact: MakeContact, text_in: TextIn
) -> None:
    bus = make_mobilization()
    hana = make_contact("Hana Seo", language="ko")
    invite(bus, hana)
    text_in("응", sender=hana.phone)
    rsvp = Rsvp.objects.get(person=hana)
    assert rsvp.status == RsvpStatus.GOING
    [reply] = texts_to(hana, services.GOING_KIND)
    assert reply.language == "ko"


def test_a_yes_when_the_bus_is_full_goes_to_the_waitlist_and_is_told_so(
    make_mobilization: MakeMobilization, make_contact: MakeContact, text_in: TextIn
) -> None:
    bus = make_mobilization(capacity=2)
    people = [make_contact(language=code) for code in ("es", "en", "es", "en")]
    for person in people:
        invite(bus, person)
        text_in("1", sender=person.phone)
    statuses = [Rsvp.objects.get(person=p).status for p in people]
    assert statuses == [RsvpStatus.GOING] * 2 + [RsvpStatus.WAITLISTED] * 2
    [third] = texts_to(people[2], services.WAITLISTED_KIND)
    # The Spanish catalogue is merged later; the position and the reply words are there anyway.
    assert third.language == "es" and " 1 " in third.body and "NO BUS" in third.body
    [fourth] = texts_to(people[3], services.WAITLISTED_KIND)
    assert "number 2 on the waitlist" in fourth.body
    assert not texts_to(people[3], services.GOING_KIND)


def test_no_cancels_and_the_first_on_the_waitlist_gets_the_place_and_a_text(
    make_mobilization: MakeMobilization, make_contact: MakeContact, text_in: TextIn
) -> None:
    bus = make_mobilization(capacity=1)
    going, waiting = make_contact(language="en"), make_contact(language="ko")
    for person in (going, waiting):
        invite(bus, person)
        text_in("yes", sender=person.phone)
    text_in("No, sorry", sender=going.phone)
    assert Rsvp.objects.get(person=going).status == RsvpStatus.NOT_GOING
    moved = Rsvp.objects.get(person=waiting)
    assert moved.status == RsvpStatus.GOING and moved.promoted_at is not None
    [told] = texts_to(waiting, services.PROMOTED_KIND)
    assert told.language == "ko" and "Bus to the rally" in told.body
    assert texts_to(going, services.NOT_GOING_KIND)


def test_a_text_delivered_twice_counts_once_and_a_second_yes_changes_nothing(
    make_mobilization: MakeMobilization, make_contact: MakeContact, text_in: TextIn
) -> None:
    bus = make_mobilization(capacity=5)
    text_in("YES BUS", sender=STRANGER, message_id="SM1")
    assert text_in("YES BUS", sender=STRANGER, message_id="SM1") is None  # the provider retried
    text_in("yes bus", sender=STRANGER, message_id="SM2")  # the person, again
    assert Person.objects.count() == 1
    assert Rsvp.objects.filter(mobilization=bus, status=RsvpStatus.GOING).count() == 1
    assert RsvpText.objects.count() == 2
    assert OutboundMessage.objects.filter(kind=services.GOING_KIND).count() == 1


def test_processing_a_text_again_after_a_crash_changes_nothing(
    make_mobilization: MakeMobilization, text_in: TextIn
) -> None:
    make_mobilization(code="BUS")
    stored = text_in("YES BUS", sender=STRANGER)
    InboundMessage.objects.filter(id=stored.id).update(processed_at=None)
    stored.refresh_from_db()
    assert services.take_reply_text(stored) is True
    assert Rsvp.objects.count() == 1 and OutboundMessage.objects.count() == 1


def test_a_caller_with_an_open_report_saying_yes_stays_with_the_hotline(
    make_mobilization: MakeMobilization, make_contact: MakeContact, text_in: TextIn
) -> None:
    bus = make_mobilization()
    caller = make_contact()
    invite(bus, caller)
    text_in("Agentes en la esquina de Vermont y 3", sender=caller.phone)
    stored = text_in("yes", sender=caller.phone)
    stored.refresh_from_db()
    assert stored.handled_as != services.REPLY_HANDLER
    assert not Rsvp.objects.exists()
    # With the code there is no doubt: it is an answer.
    text_in("yes BUS", sender=caller.phone)
    assert Rsvp.objects.get().status == RsvpStatus.GOING


def test_answers_after_the_start_are_closed(
    make_mobilization: MakeMobilization, text_in: TextIn
) -> None:
    make_mobilization(code="BUS", starts_at=timezone.now() - timedelta(minutes=5))
    stored = text_in("si bus", sender=STRANGER)
    stored.refresh_from_db()
    assert stored.handled_as == services.REPLY_HANDLER
    assert not Rsvp.objects.exists() and not Person.objects.exists()
    [reply] = OutboundMessage.objects.filter(kind=services.CLOSED_KIND)
    assert reply.language == "es"


def test_stop_is_still_an_opt_out_and_not_an_answer(
    make_mobilization: MakeMobilization, make_contact: MakeContact, text_in: TextIn
) -> None:
    bus = make_mobilization()
    person = make_contact()
    invite(bus, person)
    text_in("yes", sender=person.phone)
    stored = text_in("cancelar", sender=person.phone)
    stored.refresh_from_db()
    assert stored.handled_as == "keyword.stop"
    assert Rsvp.objects.get().status == RsvpStatus.GOING


def test_a_late_yes_from_someone_invited_is_told_answers_are_closed(
    make_mobilization: MakeMobilization, make_contact: MakeContact, text_in: TextIn
) -> None:
    bus = make_mobilization(starts_at=timezone.now() - timedelta(hours=2))
    person = make_contact(language="ko")
    invite(bus, person)
    stored = text_in("네", sender=person.phone)
    stored.refresh_from_db()
    assert stored.handled_as == services.REPLY_HANDLER
    assert not Rsvp.objects.exists() and not Report.objects.exists()
    [reply] = texts_to(person, services.CLOSED_KIND)
    assert reply.language == "ko"


@pytest.mark.parametrize(
    ("body", "status", "language"),
    [
        ("YES BUS", RsvpStatus.GOING, "en"), ("Sí BUS", RsvpStatus.GOING, "es"),
        ("claro que sí bus", RsvpStatus.GOING, "es"), ("네 bus", RsvpStatus.GOING, "ko"),
        ("갈게요 BUS", RsvpStatus.GOING, "ko"), ("1 BUS", RsvpStatus.GOING, "en"),
    ],
)  # fmt: skip
def test_yes_is_read_in_every_language_and_tells_the_stranger_s_language(
    body: str, status: str, language: str, make_mobilization: MakeMobilization, text_in: TextIn
) -> None:
    make_mobilization(code="BUS")
    text_in(body, sender=STRANGER)
    rsvp = Rsvp.objects.get()
    assert rsvp.status == status and rsvp.person.preferred_language == language


@pytest.mark.parametrize("body", ["no", "No puedo", "아니요", "못 가요", "2", "can't, sorry"])
def test_no_is_read_in_every_language(
    body: str, make_mobilization: MakeMobilization, make_contact: MakeContact, text_in: TextIn
) -> None:
    bus = make_mobilization()
    person = make_contact()
    invite(bus, person)
    text_in("yes", sender=person.phone)
    text_in(body, sender=person.phone)
    assert Rsvp.objects.get().status == RsvpStatus.NOT_GOING


def test_answers_are_read_after_responders_alerts_and_before_the_hotline() -> None:
    from vecinos.hotline.services import TEXT_HANDLER
    from vecinos.messaging.inbound import HANDLERS
    from vecinos.responders.services import REPLY_HANDLER as RESPONDERS

    order = [name for name, _handler in HANDLERS]
    assert order.index(RESPONDERS) < order.index(services.REPLY_HANDLER) < order.index(TEXT_HANDLER)
