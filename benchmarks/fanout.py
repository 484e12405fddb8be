"""`vecinos bench fanout`: enqueue one broadcast to N recipients, drain it to a loopback Twilio with
pacing off, and compare enqueueing with a plain bulk INSERT of as many rows into the same database.
With ``--rate``, also send a second broadcast paced over ``--senders`` numbers and compare the pace
the provider saw with the configured total.

Messages are sent by ``--workers`` `vecinos worker` processes, as production runs them, to a
loopback Twilio in a process of its own (it stands for a remote provider, so it must not share the
workers' CPU slice), which counts what it received so duplicates show.

The recipients are N alert-list subscribers (a third each in English, Spanish and Korean), created
first and not timed. The enqueue is timed through `do_send_broadcast`, the function the broadcast
page calls: the draft-to-sending move, one INSERT … SELECT of the outbox rows, and the audit entry.

Run inside a throwaway database (the `bench` command sets one up).
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from benchmarks.loopback_twilio import LoopbackTwilio
from vecinos.core.choices import Role
from vecinos.core.models import RoleAssignment, User
from vecinos.messaging.broadcasts import do_draft_broadcast, do_send_broadcast
from vecinos.messaging.choices import Audience, Channel, MessageStatus
from vecinos.messaging.models import AlertSubscription, OutboundMessage, SenderBucket
from vecinos.messaging.services import queue_broadcast

ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "bench"  # noqa: S105  # loopback only
BODY = "Asamblea el martes a las 7 en la iglesia"  # one GSM-7 segment

TEXTS = {
    "en": "Assembly on Tuesday at 7 at the church",
    "es": "Asamblea el martes a las 7 en la iglesia",
    "ko": "화요일 7시 교회에서 총회",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--recipients", type=int, default=10_000)
    # The send half: `vecinos worker` processes, as production runs them.
    parser.add_argument("--workers", type=int, default=2, help="worker processes")
    parser.add_argument(
        "--concurrency", type=int, default=128, help="messages in flight per worker"
    )
    parser.add_argument(
        "--rate",
        type=float,
        default=0,
        help="also send a paced broadcast at this many segments/s in all (0: skip)",
    )
    parser.add_argument(
        "--senders", type=int, default=3, help="sender numbers sharing --rate equally"
    )
    parser.add_argument(
        "--paced-recipients", type=int, default=0, help="size of the paced broadcast (20 s' worth)"
    )
    parser.add_argument("--profile", default="", help="write each worker's cProfile data here")


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

    figures = send_unpaced(options, count)
    if options["rate"]:
        figures.update(send_paced(options, count))
    return {
        "benchmark": "fanout",
        "database": connection.vendor,
        "recipients": count,
        "workers": options["workers"],
        "concurrency": options["concurrency"],
        "baseline_bulk_insert_rows_per_s": round(plain_rate),
        "enqueue_messages_per_s": round(enqueue_rate),
        "enqueue_vs_bulk_insert": round(enqueue_rate / plain_rate, 3),
        **figures,
    }


# --- The send half -------------------------------------------------------------------------------


class Workers:
    """``vecinos worker`` processes sending through ``provider`` from ``senders``, each number at
    ``per_minute`` segments (None: pacing off) and with no daily limit."""

    def __init__(
        self,
        options: dict[str, Any],
        provider: LoopbackTwilio,
        senders: list[str],
        per_minute: int | None,
        name: str,
    ) -> None:
        env = {
            **os.environ,
            "VECINOS_PHONE_GATEWAYS": "twilio",
            "VECINOS_TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "VECINOS_TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "VECINOS_TWILIO_FROM": ",".join(senders),
            "VECINOS_TWILIO_API_BASE": provider.url,
            "VECINOS_SENDER_RATES": ",".join(f"{s}={per_minute or 10**9}" for s in senders),
            "VECINOS_SENDER_DAILY_LIMITS": ",".join(f"{s}=0" for s in senders),
        }
        # In the data folder, which the `bench` command removes afterwards.
        self.logs = Path(
            tempfile.mkdtemp(prefix="workers-", dir=os.environ.get("VECINOS_DATA_DIR"))
        )
        self.processes = []
        for n in range(options["workers"]):
            python = [sys.executable]
            if options["profile"]:
                Path(options["profile"]).mkdir(parents=True, exist_ok=True)
                profile = Path(options["profile"]).resolve() / f"{name}-worker-{n}.prof"
                python += ["-m", "cProfile", "-o", str(profile)]
            command = [*python, "-m", "vecinos", "worker", "--interval", "0.05"]
            command += ["--concurrency", str(options["concurrency"])]
            with (self.logs / f"worker-{n}.log").open("w") as log:
                self.processes.append(
                    subprocess.Popen(command, env=env, stdout=log, stderr=log)  # noqa: S603
                )

    def check(self) -> None:
        for n, process in enumerate(self.processes):
            if process.poll() is not None:
                log = (self.logs / f"worker-{n}.log").read_text()[-3000:]
                raise RuntimeError(f"worker {n} stopped with {process.returncode}:\n{log}")

    def stop(self) -> None:
        for process in self.processes:
            process.send_signal(signal.SIGTERM)  # finishes the batch in hand, then exits
        for process in self.processes:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()


def wait_until_sent(workers: Workers, timeout: float) -> float:
    """Poll until no message is queued or being sent; returns that moment (time.time())."""
    deadline = time.monotonic() + timeout
    # Two queries, each served by its partial index, rather than one that reads the table.
    queued = OutboundMessage.objects.filter(status=MessageStatus.QUEUED)
    sending = OutboundMessage.objects.filter(status=MessageStatus.SENDING)
    while queued.exists() or sending.exists():
        workers.check()
        if time.monotonic() > deadline:
            raise RuntimeError("the workers did not finish in time")
        time.sleep(0.05)
    return time.time()


def sender_numbers(count: int) -> list[str]:
    return [f"+1213555{100 + n:04d}" for n in range(count)]


def send_unpaced(options: dict[str, Any], count: int) -> dict[str, Any]:
    """Drain the queued broadcast with pacing off: sends per second from the provider's first
    receipt (so worker start-up is not counted) until every message has its outcome recorded."""
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    size_before = outbox_size()
    provider = LoopbackTwilio(ACCOUNT_SID, AUTH_TOKEN)
    workers = Workers(options, provider, sender_numbers(1), None, "unpaced")
    try:
        done = wait_until_sent(workers, timeout=3600)
        received = provider.counts()
        grown = outbox_size() - size_before
    finally:
        workers.stop()
        provider.stop()
    elapsed = done - received["times"][0]
    # CPU time of the workers and the provider (start-up included), which other programs on the
    # machine do not inflate as they do the elapsed time.
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (children.ru_utime + children.ru_stime) - (
        children_before.ru_utime + children_before.ru_stime
    )
    return {
        "send_messages_per_s": round(count / elapsed),
        "send_seconds": round(elapsed, 2),
        "send_cpu_ms_per_message": round(cpu / count * 1000, 3),
        "sent": OutboundMessage.objects.filter(status=MessageStatus.SENT).count(),
        "provider_received": received["received"],
        "provider_duplicates": received["duplicates"],
        # How much the outbox table and its indexes grew per message sent (PostgreSQL only):
        # unlike seconds, it does not change with what else the machine is doing, so changes
        # to the row or its indexes are compared by it.
        **({"send_outbox_bytes_per_message": round(grown / count)} if grown else {}),
    }


def outbox_size() -> int:
    """Bytes of the outbox table, its TOAST and its indexes (0 off PostgreSQL)."""
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_total_relation_size(%s)", [OutboundMessage._meta.db_table])
        return int(cursor.fetchone()[0])


def send_paced(options: dict[str, Any], offset: int) -> dict[str, Any]:
    """Send a second broadcast over ``--senders`` numbers whose per-minute rates add up to
    ``--rate`` per second, and compare the pace the provider saw with that total.

    The workers are started first and proven awake by one message; the broadcast is then queued
    with every number's bucket emptied in the same transaction, so the ideal schedule is exactly
    one segment every 1/rate seconds from that moment, with no start-up burst to flatter it.
    """
    senders = sender_numbers(options["senders"])
    per_minute = round(options["rate"] * 60 / len(senders))
    configured = per_minute * len(senders) / 60
    count = options["paced_recipients"] or round(configured * 20)
    provider = LoopbackTwilio(ACCOUNT_SID, AUTH_TOKEN)
    workers = Workers(options, provider, senders, per_minute, "paced")
    try:
        with transaction.atomic():
            queue_broadcast(channel=Channel.SMS, addresses=["+12135559999"], body=BODY, kind="b")
        wait_until_sent(workers, timeout=120)
        time.sleep(1)  # the other workers are up by now too
        with transaction.atomic():
            queue_broadcast(
                channel=Channel.SMS,
                addresses=numbers(offset + count)[offset:],
                body=BODY,
                kind="bench.paced",
            )
            emptied_at = timezone.now()
            SenderBucket.objects.filter(sender__in=senders).update(tokens=0, refilled_at=emptied_at)
        drained = wait_until_sent(workers, timeout=count / configured * 3 + 60)
        received = provider.counts()
    finally:
        workers.stop()
        provider.stop()
    paced = OutboundMessage.objects.filter(kind="bench.paced")
    segments = sum(paced.values_list("segments", flat=True))
    last = max(received["times"])
    achieved = segments / (last - emptied_at.timestamp())
    return {
        "paced_senders": len(senders),
        "paced_configured_segments_per_s": round(configured, 2),
        "paced_segments": segments,
        "paced_achieved_segments_per_s": round(achieved, 2),
        "paced_achieved_vs_configured": round(achieved / configured, 4),
        "paced_drain_seconds": round(drained - emptied_at.timestamp(), 2),
        "paced_by_sender": {
            sender: count for sender, count in received["by_sender"].items() if sender in senders
        },
        "paced_provider_duplicates": received["duplicates"],
    }
