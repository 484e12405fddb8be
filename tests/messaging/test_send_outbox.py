"""The outbox: one claim per message, alerts first, deadlines, opt-outs, retries and failures."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests.messaging.smtp import Mailbox
from vecinos.messaging import outbox
from vecinos.messaging.choices import Channel, ConsentMethod, MessageStatus, Priority, SkipReason
from vecinos.messaging.models import OutboundMessage
from vecinos.messaging.services import (
    MessageTooLongError,
    do_opt_out,
    do_record_consent,
    queue_message,
)
from vecinos.organizing.models import Person

pytestmark = pytest.mark.django_db
PHONE = "+12135550142"


def text(body: str = "Hola", **fields: Any) -> OutboundMessage:
    fields.setdefault("channel", Channel.SMS)
    fields.setdefault("address", PHONE)
    fields.setdefault("kind", "test.message")
    return queue_message(body=body, **fields)


def send_all(worker: str = "w1") -> dict[int, str]:
    results = {}
    while ids := outbox.claim(worker, limit=10):
        for message_id in ids:
            results[message_id] = outbox.deliver(message_id, worker)
    return results


def test_a_queued_text_is_delivered_through_the_simulator() -> None:
    message = text("Reunión el martes")
    assert send_all() == {message.id: MessageStatus.DELIVERED}
    message.refresh_from_db()
    assert message.gateway == "simulator" and message.provider_message_id.startswith("sim-")
    assert message.attempts == 1 and message.sent_at and message.delivered_at


def test_a_dispatch_alert_overtakes_bulk_messages_already_queued() -> None:
    bulk = [text(f"boletín {n}", priority=Priority.BULK) for n in range(5)]
    alert = text("ICE at 3rd and Vermont", priority=Priority.ALERT)
    assert outbox.claim("w1", limit=1) == [alert.id]
    assert outbox.claim("w1", limit=10) == [m.id for m in bulk]


def test_two_workers_never_claim_the_same_message() -> None:
    messages = [text(f"n{n}") for n in range(10)]
    first = outbox.claim("w1", limit=6)
    second = outbox.claim("w2", limit=6)
    assert not set(first) & set(second)
    assert sorted(first + second) == [m.id for m in messages]
    assert outbox.deliver(first[0], "w2") == MessageStatus.SENDING, "not w2's to send"


def test_an_alert_past_its_deadline_is_dropped_not_sent_late() -> None:
    message = text("ICE at the 7-Eleven", deadline=timezone.now() - timedelta(seconds=1))
    assert send_all() == {message.id: MessageStatus.EXPIRED}
    message.refresh_from_db()
    assert message.provider_message_id == ""


def test_a_number_that_texted_stop_gets_nothing_even_if_queued_before() -> None:
    message = text("queued before STOP")
    do_opt_out(PHONE, "stop")
    assert send_all() == {message.id: MessageStatus.SKIPPED}
    message.refresh_from_db()
    assert message.skip_reason == SkipReason.OPTED_OUT
    confirmation = text("you will get no more", kind="messaging.opt_out_confirmation")
    assert send_all() == {confirmation.id: MessageStatus.DELIVERED}


def test_a_person_who_said_no_to_a_channel_is_not_sent_on_it() -> None:
    person = Person.objects.create(full_name="Sabina Tapia", phone=PHONE)
    do_record_consent(person, Channel.SMS, granted=False, method=ConsentMethod.IN_PERSON)
    message = text(person=person)
    assert send_all() == {message.id: MessageStatus.SKIPPED}
    do_record_consent(person, Channel.SMS, granted=True, method=ConsentMethod.TEXT_MESSAGE)
    again = text(person=person)
    assert send_all() == {again.id: MessageStatus.DELIVERED}


def test_no_gateway_means_a_retry_later_and_then_a_recorded_failure(settings: Any) -> None:
    settings.VECINOS_PHONE_GATEWAYS = []
    message = text()
    OutboundMessage.objects.filter(id=message.id).update(max_attempts=2)
    assert send_all() == {message.id: MessageStatus.QUEUED}
    message.refresh_from_db()
    assert message.not_before > timezone.now()
    assert "no gateway" in message.error
    OutboundMessage.objects.filter(id=message.id).update(not_before=timezone.now())
    assert send_all() == {message.id: MessageStatus.FAILED}


def test_backoff_grows_and_is_capped() -> None:
    assert timedelta(seconds=2.5) <= outbox.backoff(1) <= timedelta(seconds=5)
    assert timedelta(seconds=20) <= outbox.backoff(4) <= timedelta(seconds=40)
    assert outbox.backoff(50) <= timedelta(minutes=15)


def test_a_message_abandoned_by_a_dead_worker_is_taken_back_and_counted(settings: Any) -> None:
    settings.VECINOS_OUTBOX_LEASE_SECONDS = 60
    message = text()
    outbox.claim("dead-worker", limit=1)
    assert outbox.recover_abandoned() == 0, "still within the lease"
    later = timezone.now() + timedelta(seconds=61)
    assert outbox.recover_abandoned(now=later) == 1
    message.refresh_from_db()
    assert (message.status, message.reclaimed, message.claimed_by) == ("queued", 1, "")
    assert outbox.deliver(message.id, "dead-worker") == MessageStatus.QUEUED
    assert send_all("w2") == {message.id: MessageStatus.DELIVERED}


def test_text_is_cleaned_and_costed() -> None:
    message = text("\u201cICE\u201d\xa0en la esquina\x00  ")
    assert message.body == '"ICE" en la esquina'
    assert message.segments == 1
    assert text("가" * 71).segments == 2
    with pytest.raises(MessageTooLongError):
        text("가" * 700)


def test_e_mail_goes_through_a_real_smtp_server(smtp: Mailbox) -> None:
    message = text(
        "Acta de la asamblea", channel=Channel.EMAIL, address="adela@example.org", subject="Acta"
    )
    assert send_all() == {message.id: MessageStatus.SENT}
    assert smtp.count_by_recipient() == {"adela@example.org": 1}
    assert b"Acta de la asamblea" in smtp.messages[0][1]


def test_an_address_the_server_refuses_fails_for_good(smtp: Mailbox) -> None:
    smtp.refuse.add("nobody@example.org")
    message = text("x", channel=Channel.EMAIL, address="nobody@example.org")
    assert send_all() == {message.id: MessageStatus.FAILED}
    message.refresh_from_db()
    assert message.attempts == 1
    assert "550" in message.error


def test_a_mail_server_that_is_down_means_a_retry(settings: Any, smtp: Mailbox) -> None:
    from tests.processes import free_port

    settings.EMAIL_PORT = free_port()  # nothing listens there
    message = text("x", channel=Channel.EMAIL, address="adela@example.org")
    assert send_all() == {message.id: MessageStatus.QUEUED}
    message.refresh_from_db()
    assert "could not be reached" in message.error
