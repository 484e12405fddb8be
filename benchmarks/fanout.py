"""`vecinos bench fanout`: enqueue one broadcast to N recipients, drain it to a loopback Twilio with
pacing off, and compare enqueueing with a plain bulk INSERT of as many rows into the same database.

The recipients are N alert-list subscribers (a third each in English, Spanish and Korean), created
first and not timed. The enqueue is timed through `do_send_broadcast`, the function the broadcast
page calls: the draft-to-sending move, one INSERT … SELECT of the outbox rows, and the audit entry.

Run inside a throwaway database (the `bench` command sets one up).
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from django.db import connection, transaction
from django.test import override_settings

from benchmarks.loopback_twilio import LoopbackTwilio
from vecinos.core.choices import Role
from vecinos.core.models import RoleAssignment, User
from vecinos.messaging.broadcasts import do_draft_broadcast, do_send_broadcast
from vecinos.messaging.choices import Audience, Channel, MessageStatus
from vecinos.messaging.models import AlertSubscription, OutboundMessage
from vecinos.messaging.worker import OutboxWorker

TEXTS = {
    "en": "Assembly on Tuesday at 7 at the church",
    "es": "Asamblea el martes a las 7 en la iglesia",
    "ko": "화요일 7시 교회에서 총회",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=16)


def numbers(count: int) -> list[str]:
    # +1 213 555 0000…, spread over area codes: valid-looking, fictional numbers.
    return [f"+1{213 + n // 10_000_000:03d}{5_550_000 + n % 10_000_000:07d}" for n in range(count)]


def baseline_insert(count: int) -> float:
    """Rows per second for a bulk INSERT of the same number of comparable rows, no model code."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_plain (id INTEGER PRIMARY KEY, address TEXT, body TEXT)")
        rows = [(n, f"g1.xxxxxxxx.{'A' * 60}", "Asamblea el martes a las 7") for n in range(count)]
        start = time.perf_counter()
        with transaction.atomic():
            for offset in range(0, count, 1000):
                cursor.executemany(
                    "INSERT INTO bench_plain (id, address, body) VALUES (%s, %s, %s)",
                    rows[offset : offset + 1000],
                )
        elapsed = time.perf_counter() - start
        cursor.execute("DROP TABLE bench_plain")
    return count / elapsed


def add_subscribers(addresses: list[str], batch: int = 5000) -> None:
    """Alert-list subscribers, sealed and hashed as JOIN stores them (not timed)."""
    languages = list(TEXTS)
    for offset in range(0, len(addresses), batch):
        AlertSubscription.objects.bulk_create(
            AlertSubscription(address=address, area="90005", language=languages[n % 3])
            for n, address in enumerate(addresses[offset : offset + batch], start=offset)
        )


def enqueue(count: int) -> float:
    """Messages per second for queueing one broadcast to ``count`` subscribers."""
    coordinator = User.objects.create_user("bench", display_name="Bench")
    RoleAssignment.objects.create(user=coordinator, role=Role.COORDINATOR)
    add_subscribers(numbers(count))
    broadcast = do_draft_broadcast(
        coordinator,
        channel=Channel.SMS,
        audience=Audience.ALERT_LIST,
        areas=[],
        bodies=TEXTS,
        fallback="es",
    )
    # Sending refuses a channel no gateway carries; the drain below points Twilio at loopback.
    with override_settings(VECINOS_PHONE_GATEWAYS=["twilio"]):
        start = time.perf_counter()
        queued = do_send_broadcast(coordinator, broadcast)
        elapsed = time.perf_counter() - start
    if queued != count:
        raise AssertionError(f"queued {queued} messages for {count} recipients")
    return count / elapsed


def run(options: dict[str, Any]) -> dict[str, Any]:
    count = options["recipients"]
    plain_rate = baseline_insert(count)
    enqueue_rate = enqueue(count)

    provider = LoopbackTwilio()
    try:
        with override_settings(
            VECINOS_PHONE_GATEWAYS=["twilio"],
            VECINOS_TWILIO_ACCOUNT_SID="AC" + "0" * 32,
            VECINOS_TWILIO_AUTH_TOKEN="bench",  # noqa: S106  # loopback only
            VECINOS_TWILIO_FROM=["+12135550100"],
            VECINOS_TWILIO_API_BASE=provider.url,
            VECINOS_SENDER_RATES={"+12135550100": 10**9},  # pacing off
        ):
            worker = OutboxWorker("bench", options["concurrency"], interval=0)
            start = time.perf_counter()
            worker.run(until_empty=True)
            send_rate = count / (time.perf_counter() - start)
    finally:
        provider.stop()
    sent = OutboundMessage.objects.filter(status=MessageStatus.SENT).count()
    return {
        "benchmark": "fanout",
        "database": connection.vendor,
        "recipients": count,
        "concurrency": options["concurrency"],
        "baseline_bulk_insert_rows_per_s": round(plain_rate),
        "enqueue_messages_per_s": round(enqueue_rate),
        "enqueue_vs_bulk_insert": round(enqueue_rate / plain_rate, 3),
        "send_messages_per_s": round(send_rate),
        "sent": sent,
        "provider_received": provider.count,
    }
