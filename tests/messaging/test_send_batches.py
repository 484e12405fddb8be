"""A worker sends what it claimed as one batch: opt-outs and consent checked for the whole batch at
once, outcomes written together, and one message's trouble never spills onto the others."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.messaging.gateways.twilio.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio
from vecinos.core.crypto import keyed_hashes
from vecinos.messaging import outbox
from vecinos.messaging.choices import Channel, ConsentMethod, MessageStatus, Priority, SkipReason
from vecinos.messaging.gateways.twilio.gateway import TwilioGateway, client
from vecinos.messaging.models import OptOut, OutboundMessage
from vecinos.messaging.services import do_opt_out, do_record_consent, queue_message
from vecinos.messaging.worker import OutboxWorker
from vecinos.organizing.models import Person

pytestmark = pytest.mark.django_db
SENDER = "+12135550100"


def phone(n: int) -> str:
    return f"+1323555{n:04d}"


def text(n: int, **fields: Any) -> OutboundMessage:
    fields.setdefault("channel", Channel.SMS)
    fields.setdefault("kind", "test.batch")
    return queue_message(address=phone(n), body=f"Hola {n}", **fields)


def send_batch(worker: str = "w1", limit: int = 50) -> dict[int, str]:
    ids = outbox.claim(worker, limit=limit)
    with ThreadPoolExecutor(4) as pool:
        return outbox.deliver_batch(ids, worker, pool)


@pytest.fixture
def twilio(settings: Any) -> Iterator[FakeTwilio]:
    fake = FakeTwilio().start()
    settings.VECINOS_PHONE_GATEWAYS = ["twilio"]
    settings.VECINOS_TWILIO_ACCOUNT_SID = ACCOUNT_SID
    settings.VECINOS_TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.VECINOS_TWILIO_FROM = [SENDER]
    settings.VECINOS_SENDER_RATES = {SENDER: 60_000}  # pacing is tested on its own
    settings.VECINOS_TWILIO_API_BASE = fake.base_url
    try:
        yield fake
    finally:
        fake.stop()


def test_opted_out_numbers_in_a_batch_are_skipped_and_the_rest_sent(twilio: FakeTwilio) -> None:
    messages = [text(n) for n in range(6)]
    do_opt_out(phone(1), "stop")
    do_opt_out(phone(4), "para")
    # A STOP recorded under the older field key (before `rotate-keys` re-hashed it) still counts.
    older_key_hash = keyed_hashes(phone(5), "phone")[1]
    OptOut.objects.create(address=phone(5), keyword="stop")
    OptOut.objects.filter(address_hash=keyed_hashes(phone(5), "phone")[0]).update(
        address_hash=older_key_hash
    )
    statuses = send_batch()
    assert statuses == {
        m.id: MessageStatus.SKIPPED if n in {1, 4, 5} else MessageStatus.SENT
        for n, m in enumerate(messages)
    }
    assert sorted(form["To"] for form in twilio.received) == [phone(0), phone(2), phone(3)]
    skipped = OutboundMessage.objects.filter(status=MessageStatus.SKIPPED)
    assert set(skipped.values_list("skip_reason", flat=True)) == {SkipReason.OPTED_OUT}
    assert set(skipped.values_list("provider_message_id", flat=True)) == {""}


def test_people_who_said_no_are_skipped_in_a_batch(twilio: FakeTwilio) -> None:
    refused = Person.objects.create(full_name="Sabina Tapia", phone=phone(0))
    agreed = Person.objects.create(full_name="Tomás Ríos", phone=phone(1))
    changed = Person.objects.create(full_name="Jae Kim", phone=phone(2))
    unknown = Person.objects.create(full_name="Ana Cruz", phone=phone(3))
    do_record_consent(refused, Channel.SMS, granted=False, method=ConsentMethod.IN_PERSON)
    do_record_consent(agreed, Channel.SMS, granted=True, method=ConsentMethod.WEB_FORM)
    do_record_consent(changed, Channel.SMS, granted=True, method=ConsentMethod.WEB_FORM)
    do_record_consent(changed, Channel.SMS, granted=False, method=ConsentMethod.TEXT_MESSAGE)
    do_record_consent(unknown, Channel.EMAIL, granted=False, method=ConsentMethod.WEB_FORM)
    people = [refused, agreed, changed, unknown]
    messages = [text(n, person=person) for n, person in enumerate(people)]
    statuses = send_batch()
    assert [statuses[m.id] for m in messages] == [
        MessageStatus.SKIPPED,
        MessageStatus.SENT,
        MessageStatus.SKIPPED,  # the newest answer wins
        MessageStatus.SENT,  # a no on e-mail is not a no on SMS
    ]
    skipped = OutboundMessage.objects.filter(status=MessageStatus.SKIPPED)
    assert set(skipped.values_list("skip_reason", flat=True)) == {SkipReason.NO_CONSENT}


def test_one_failing_message_does_not_affect_the_rest_of_its_batch(twilio: FakeTwilio) -> None:
    twilio.errors[phone(1)] = (400, 21211)  # invalid number: permanent
    twilio.errors[phone(2)] = (503, 20500)  # Twilio overloaded: try again
    expired = text(3, deadline=timezone.now() - timedelta(seconds=1))
    messages = [text(n) for n in range(3)]
    statuses = send_batch()
    assert statuses == {
        messages[0].id: MessageStatus.SENT,
        messages[1].id: MessageStatus.FAILED,
        messages[2].id: MessageStatus.QUEUED,
        expired.id: MessageStatus.EXPIRED,
    }
    failed, retried = (OutboundMessage.objects.get(id=m.id) for m in messages[1:])
    assert "21211" in failed.error and failed.gateway == "twilio"
    assert "20500" in retried.error and retried.not_before > timezone.now()
    assert (retried.attempts, retried.claimed_by) == (1, "")
    sent = OutboundMessage.objects.get(id=messages[0].id)
    assert sent.provider_message_id.startswith("SM") and sent.sender == SENDER
    assert (sent.error, sent.claimed_by) == ("", "")


def test_retries_in_one_batch_each_get_their_own_backoff(twilio: FakeTwilio) -> None:
    for n in range(4):
        twilio.errors[phone(n)] = (503, 20500)
    messages = [text(n) for n in range(4)]
    before = timezone.now()
    assert set(send_batch().values()) == {MessageStatus.QUEUED}
    retries = OutboundMessage.objects.filter(id__in=[m.id for m in messages])
    times = set(retries.values_list("not_before", flat=True))
    assert len(times) == 4, "jitter spreads them"
    latest = timezone.now() + timedelta(seconds=outbox.BACKOFF_BASE_SECONDS)
    assert all(before + timedelta(seconds=2.5) <= t <= latest for t in times)


def test_an_address_no_key_opens_is_retried_without_stopping_the_batch(
    twilio: FakeTwilio,
) -> None:
    damaged, fine = text(0), text(1)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE messaging_outboundmessage SET address = %s WHERE id = %s",
            ["g1.00000000.AAAAAAAAAAAAAAAAAAAAAAAA", damaged.id],
        )
    statuses = send_batch()
    assert statuses == {damaged.id: MessageStatus.QUEUED, fine.id: MessageStatus.SENT}
    damaged = OutboundMessage.objects.defer("address").get(id=damaged.id)
    assert damaged.error == "the address cannot be decrypted"
    assert [form["To"] for form in twilio.received] == [phone(1)]


def test_a_batch_costs_the_same_queries_whatever_its_size(twilio: FakeTwilio) -> None:
    def queries_for(count: int, first: int) -> int:
        for n in range(first, first + count):
            text(n, person=Person.objects.create(full_name=f"Vecino {n}", phone=phone(n)))
        do_opt_out(phone(first), "stop")
        ids = outbox.claim("w1", limit=100)
        with CaptureQueriesContext(connection) as queries:
            statuses = outbox.deliver_batch(ids, "w1")
        assert list(statuses.values()).count(MessageStatus.SENT) == count - 1
        return len(queries)

    text(999)
    send_batch()  # the sender's pacing row exists from now on
    assert queries_for(3, first=0) == queries_for(30, first=100)


def test_outcomes_are_written_only_on_messages_still_held(twilio: FakeTwilio) -> None:
    message = text(0)
    outbox.claim("w1", limit=1)
    # w1 stalled past its lease; the message was taken back and claimed by w2.
    OutboundMessage.objects.filter(id=message.id).update(claimed_by="w2")
    outcome = outbox.Outcome(MessageStatus.FAILED, {"claimed_by": "", "error": "late"})
    assert outbox._record("w1", {message.id: outcome}) == {message.id: MessageStatus.SENDING}
    message.refresh_from_db()
    assert (message.status, message.claimed_by, message.error) == ("sending", "w2", "")


def test_the_worker_sends_alerts_first_and_everything_once(twilio: FakeTwilio) -> None:
    bulk = [text(n, priority=Priority.BULK) for n in range(12)]
    alert = text(99, priority=Priority.ALERT)
    worker = OutboxWorker("w1", concurrency=4, interval=0)
    with ThreadPoolExecutor(4) as pool:
        while worker.run_once(pool):
            pass
    assert phone(99) in [form["To"] for form in twilio.received[:4]], "in the first batch"
    assert sorted(form["To"] for form in twilio.received) == sorted(
        phone(n) for n in [*range(12), 99]
    )
    statuses = OutboundMessage.objects.filter(id__in=[alert.id, *(m.id for m in bulk)])
    assert set(statuses.values_list("status", flat=True)) == {MessageStatus.SENT}


def test_each_thread_keeps_its_twilio_client_until_a_setting_changes(
    twilio: FakeTwilio, settings: Any
) -> None:
    def current() -> object:
        return client(TwilioGateway().config)

    first = current()
    assert current() is first, "the HTTP session is reused between texts"
    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(current).result() is not first, "one per thread"
    other = FakeTwilio().start()
    try:
        with override_settings(VECINOS_TWILIO_API_BASE=other.base_url):
            assert current() is not first
            message = text(1)
            send_batch()
        assert [form["To"] for form in other.received] == [phone(1)]
        assert twilio.received == []
        message.refresh_from_db()
        assert message.status == MessageStatus.SENT
    finally:
        other.stop()
    settings.VECINOS_TWILIO_AUTH_TOKEN = "changed"  # a test value
    assert current() is not first


def test_an_idle_worker_wakes_when_the_next_message_is_due() -> None:
    worker = OutboxWorker("w1", concurrency=4, interval=0.5)
    assert worker.idle_seconds() == 0.5, "nothing queued: the usual interval"
    message = text(0)
    OutboundMessage.objects.filter(id=message.id).update(
        not_before=timezone.now() + timedelta(seconds=0.2)
    )
    assert 0 < worker.idle_seconds() <= 0.2
    OutboundMessage.objects.filter(id=message.id).update(
        not_before=timezone.now() + timedelta(hours=1)
    )
    assert worker.idle_seconds() == 0.5, "never longer than the interval: new messages come"


def test_a_message_is_claimed_only_while_it_is_being_sent() -> None:
    message = text(0)
    with pytest.raises(IntegrityError), transaction.atomic():
        OutboundMessage.objects.filter(id=message.id).update(claimed_by="w1")
    outbox.claim("w1", limit=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        OutboundMessage.objects.filter(id=message.id).update(status=MessageStatus.SENT)
