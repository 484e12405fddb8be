"""`vecinos bench fanout`: enqueue one broadcast to N recipients, drain it to a loopback Twilio with
pacing off, and compare enqueueing with a plain bulk INSERT of as many rows into the same database.

Run inside a throwaway database (the `bench` command sets one up).
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from django.db import connection, transaction
from django.test import override_settings

from benchmarks.loopback_twilio import LoopbackTwilio
from vecinos.messaging.choices import Channel, MessageStatus
from vecinos.messaging.models import OutboundMessage
from vecinos.messaging.services import queue_broadcast
from vecinos.messaging.worker import OutboxWorker


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


def run(options: dict[str, Any]) -> dict[str, Any]:
    count = options["recipients"]
    addresses = numbers(count)
    plain_rate = baseline_insert(count)

    start = time.perf_counter()
    with transaction.atomic():
        queue_broadcast(
            channel=Channel.SMS,
            addresses=addresses,
            body="Asamblea el martes a las 7 en la iglesia",
            kind="bench.broadcast",
        )
    enqueue_rate = count / (time.perf_counter() - start)

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
