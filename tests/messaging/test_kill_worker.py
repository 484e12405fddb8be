"""Workers killed with SIGKILL in the middle of a broadcast lose nothing when restarted: every
recipient gets the message, and only messages that were in flight at the kill may go twice."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Iterator

import pytest

from tests.messaging.smtp import Mailbox, start_smtp
from tests.processes import free_port, start_vecinos, vecinos_env
from vecinos.messaging.choices import Channel, MessageStatus, Priority
from vecinos.messaging.models import OutboundMessage
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
