"""Workers killed with SIGKILL in the middle of a broadcast lose nothing when restarted: every
recipient gets the message, and only messages that were in flight at the kill may go twice."""

from __future__ import annotations

import signal
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import override_settings

from tests.messaging.gateways.twilio.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio
from tests.messaging.smtp import Mailbox, start_smtp
from tests.processes import free_port, start_vecinos, vecinos_env
from vecinos.core.choices import Role
from vecinos.messaging import broadcasts
from vecinos.messaging.choices import Channel, MessageStatus, Priority
from vecinos.messaging.models import AlertSubscription, OutboundMessage
from vecinos.messaging.services import queue_message

pytestmark = pytest.mark.django_db(transaction=True)
RECIPIENTS = 600
CONCURRENCY = 8
WORKERS = 2


@pytest.fixture
def mail_server() -> Iterator[tuple[int, Mailbox]]:
    port = free_port()
    controller, mailbox = start_smtp(port)
    try:
        yield port, mailbox
    finally:
        controller.stop()


def test_killed_workers_lose_nothing_and_send_twice_only_what_was_in_flight(
    mail_server: tuple[int, Mailbox],
) -> None:
    port, mailbox = mail_server
    for n in range(RECIPIENTS):
        queue_message(
            channel=Channel.EMAIL,
            address=f"vecino{n}@example.org",
            body="Asamblea el martes a las 7",
            kind="test.broadcast",
            priority=Priority.BULK,
        )
    env = vecinos_env(
        VECINOS_SMTP_HOST="127.0.0.1",
        VECINOS_SMTP_PORT=str(port),
        VECINOS_SMTP_TLS="false",
        VECINOS_OUTBOX_LEASE_SECONDS="2",
        VECINOS_OUTBOX_CONCURRENCY=str(CONCURRENCY),
    )

    workers = [start_vecinos("worker", env=env, stdout=subprocess.DEVNULL) for _ in range(WORKERS)]
    deadline = time.monotonic() + 120
    while sum(mailbox.count_by_recipient().values()) < RECIPIENTS // 4:
        assert time.monotonic() < deadline, "the workers sent too little"
        assert all(w.poll() is None for w in workers), "a worker died by itself"
        time.sleep(0.02)
    for worker in workers:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    in_flight = OutboundMessage.objects.filter(status=MessageStatus.SENDING).count()
    sent_before_restart = sum(mailbox.count_by_recipient().values())
    assert sent_before_restart < RECIPIENTS, "killed too late to test anything"

    time.sleep(2.5)  # let the dead workers' lease run out
    restarted = [
        start_vecinos("worker", "--batch", env=env, stdout=subprocess.DEVNULL)
        for _ in range(WORKERS)
    ]
    for worker in restarted:
        assert worker.wait(timeout=180) == 0

    received = mailbox.count_by_recipient()
    assert set(received) == {f"vecino{n}@example.org" for n in range(RECIPIENTS)}
    twice = sum(count - 1 for count in received.values())
    reclaimed = sum(OutboundMessage.objects.values_list("reclaimed", flat=True))
    print(
        f"killed after {sent_before_restart} sent; {in_flight} claimed at the kill; "
        f"{reclaimed} reclaimed; {twice} delivered twice"
    )
    assert twice <= WORKERS * CONCURRENCY, "more duplicates than messages can be in flight"
    assert twice <= reclaimed, "every possible duplicate is counted on its message"
    assert reclaimed <= in_flight
    assert set(OutboundMessage.objects.values_list("status", flat=True)) == {MessageStatus.SENT}


BROADCAST = 5000


@pytest.mark.parametrize("workers", [1, 2])
def test_a_broadcast_survives_killed_workers_and_only_what_was_in_flight_goes_twice(
    workers: int, make_account: Any
) -> None:
    """The issue's case: a 5,000-message broadcast through the broadcast page's own path, to a
    loopback Twilio that counts what each phone received; workers SIGKILLed mid-way, restarted."""
    coordinator = make_account("coordinator", Role.COORDINATOR)
    numbers = [f"+1213555{n:04d}" for n in range(BROADCAST)]
    AlertSubscription.objects.bulk_create(
        AlertSubscription(address=number, area="90005", language="es") for number in numbers
    )
    twilio = FakeTwilio().start()
    env = vecinos_env(
        VECINOS_PHONE_GATEWAYS="twilio",
        VECINOS_TWILIO_ACCOUNT_SID=ACCOUNT_SID,
        VECINOS_TWILIO_AUTH_TOKEN=AUTH_TOKEN,
        VECINOS_TWILIO_FROM="+12135550100",
        VECINOS_TWILIO_API_BASE=twilio.base_url,
        VECINOS_SENDER_RATES="+12135550100=100000000",
        VECINOS_SENDER_DAILY_LIMITS="+12135550100=0",
        VECINOS_OUTBOX_LEASE_SECONDS="2",
        VECINOS_OUTBOX_CONCURRENCY=str(CONCURRENCY),
    )
    try:
        with override_settings(VECINOS_PHONE_GATEWAYS=["twilio"]):
            draft = broadcasts.do_draft_broadcast(
                coordinator,
                channel=Channel.SMS,
                audience="alert_list",
                areas=[],
                bodies={"es": "Asamblea el martes a las 7"},
                fallback="es",
            )
            assert broadcasts.do_send_broadcast(coordinator, draft) == BROADCAST

        running = [
            start_vecinos("worker", env=env, stdout=subprocess.DEVNULL) for _ in range(workers)
        ]
        deadline = time.monotonic() + 180
        while len(twilio.received) < BROADCAST // 3:
            assert time.monotonic() < deadline, "the workers sent too little"
            assert all(w.poll() is None for w in running), "a worker died by itself"
            time.sleep(0.01)
        for worker in running:
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=30)
        before = Counter(form["To"] for form in list(twilio.received))
        in_flight = OutboundMessage.objects.filter(status=MessageStatus.SENDING).count()
        assert sum(before.values()) < BROADCAST, "killed too late to test anything"
        assert max(before.values()) == 1, "two live workers never send one message twice"

        time.sleep(2.5)  # let the dead workers' lease run out
        for worker in [
            start_vecinos("worker", "--batch", env=env, stdout=subprocess.DEVNULL)
            for _ in range(workers)
        ]:
            assert worker.wait(timeout=300) == 0
    finally:
        twilio.stop()

    received = Counter(form["To"] for form in twilio.received)
    assert set(received) == set(numbers), "every recipient got the message"
    twice = sum(count - 1 for count in received.values())
    reclaimed = sum(OutboundMessage.objects.values_list("reclaimed", flat=True))
    print(f"{in_flight} in flight at the kill; {reclaimed} reclaimed; {twice} received twice")
    assert twice <= in_flight <= workers * CONCURRENCY
    assert twice <= reclaimed
    statuses = OutboundMessage.objects.filter(broadcast=draft).values_list("status", flat=True)
    assert set(statuses) == {MessageStatus.SENT}
