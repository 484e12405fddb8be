"""`vecinos bench alert`: from the dispatcher's click to every responder's text handed to the
provider, while a large bulk broadcast is already queued and being sent.

N responders (a third each in English, Spanish and Korean) are in one incident's cell, so one
click alerts them all. A bulk broadcast to ``--bulk`` alert-list subscribers is queued first, and
``--workers`` `vecinos worker` processes are sending it through one sender number paced at
``--rate`` messages per second to a loopback Twilio in a process of its own (it stands for a
remote provider). The pace is set in SMS segments, as carriers count it: ``--rate`` times the
alert's segments per message, so that alerts go at ``--rate`` messages per second.

The click is timed through ``do_alert_responders``, the function the panel's button calls. Then
the time from the click to the first and to the last alert text recorded as handed to the
provider (``sent_at``). The baseline, from the same run: the pace itself, i.e. the last of N
messages cannot go before (N - 1) / rate seconds.

Targets (issue 4): first ≤ 5 s, last ≤ 30 s for 500 responders at 20 messages per second.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import timedelta
from typing import Any

from django.db import connection
from django.db.models import Max, Min
from django.test import override_settings
from django.utils import timezone

from benchmarks.fanout import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    TEXTS,
    LoopbackTwilio,
    Workers,
    add_subscribers,
    numbers,
)
from vecinos.core.choices import Role
from vecinos.core.models import RoleAssignment, User
from vecinos.hotline.models import Incident
from vecinos.messaging.broadcasts import do_draft_broadcast, do_send_broadcast
from vecinos.messaging.choices import Audience, Channel, MessageStatus
from vecinos.messaging.models import OutboundMessage
from vecinos.messaging.text import sms_cost
from vecinos.organizing.models import Person
from vecinos.responders import services, texts
from vecinos.responders.models import Responder

CELL = "8829a1d63bfffff"  # Koreatown, Los Angeles
LANGUAGES = ["en", "es", "ko"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--responders", type=int, default=500)
    parser.add_argument("--bulk", type=int, default=100_000, help="bulk broadcast recipients")
    parser.add_argument("--rate", type=float, default=20, help="messages per second")
    parser.add_argument("--workers", type=int, default=2, help="worker processes")
    parser.add_argument("--concurrency", type=int, default=32, help="messages in flight per worker")
    parser.add_argument("--profile", default="", help=argparse.SUPPRESS)


def add_responders(count: int) -> None:
    """Eligible, available responders in the incident's cell (not timed)."""
    people = Person.objects.bulk_create(
        Person(
            full_name=f"Responder {n}",
            phone=f"+1310555{n:04d}",
            preferred_language=LANGUAGES[n % 3],
            languages=[LANGUAGES[n % 3]],
        )
        for n in range(count)
    )
    Responder.objects.bulk_create(
        Responder(
            person=person,
            cell=CELL,
            eligible=True,
            available=True,
            trained_until=timezone.now() + timedelta(days=200),
            vouches=2,
        )
        for person in people
    )


def alert_segments(incident: Incident) -> float:
    """Segments of one alert text, averaged over the responders' languages."""
    about = services.about(incident)
    return statistics.mean(sms_cost(texts.alert(code, about)).segments for code in LANGUAGES)


def run(options: dict[str, Any]) -> dict[str, Any]:
    count = options["responders"]
    dispatcher = User.objects.create_user("dispatcher", display_name="Dispatcher")
    RoleAssignment.objects.create(user=dispatcher, role=Role.COORDINATOR)
    add_responders(count)
    incident = Incident.objects.create(cell=CELL, place="3rd St & Vermont Ave", language="es")
    segments = alert_segments(incident)
    per_second = options["rate"] * segments

    add_subscribers(numbers(options["bulk"]))
    bulk = do_draft_broadcast(
        dispatcher, channel=Channel.SMS, audience=Audience.ALERT_LIST, areas=[],
        bodies=TEXTS, fallback="es",
    )  # fmt: skip
    with override_settings(VECINOS_PHONE_GATEWAYS=["twilio"]):
        do_send_broadcast(dispatcher, bulk)

    provider = LoopbackTwilio(ACCOUNT_SID, AUTH_TOKEN)
    sender = "+12135550100"
    workers = Workers(options, provider, [sender], round(per_second * 60), "alert")
    try:
        # The workers are sending the bulk broadcast before the click.
        deadline = time.monotonic() + 120
        while not provider.counts()["received"]:
            workers.check()
            if time.monotonic() > deadline:
                raise RuntimeError("the workers did not start sending the broadcast")
            time.sleep(0.1)
        time.sleep(2)
        clicked = timezone.now()
        start = time.perf_counter()
        services.do_alert_responders(dispatcher, incident)
        click_ms = (time.perf_counter() - start) * 1000
        alerts = OutboundMessage.objects.filter(kind=services.ALERT_KIND)
        deadline = time.monotonic() + count / options["rate"] * 3 + 60
        while alerts.filter(status__in=[MessageStatus.QUEUED, MessageStatus.SENDING]).exists():
            workers.check()
            if time.monotonic() > deadline:
                raise RuntimeError("the alerts were not all sent in time")
            time.sleep(0.1)
        bulk_sent_meanwhile = OutboundMessage.objects.filter(
            broadcast=bulk, sent_at__gte=clicked
        ).count()
    finally:
        workers.stop()
        provider.stop()
    times = alerts.aggregate(first=Min("sent_at"), last=Max("sent_at"))
    statuses = sorted(set(alerts.values_list("status", flat=True)))
    first = (times["first"] - clicked).total_seconds()
    last = (times["last"] - clicked).total_seconds()
    return {
        "benchmark": "alert",
        "database": connection.vendor,
        "responders": count,
        "bulk_queued": options["bulk"],
        "workers": options["workers"],
        "rate_messages_per_s": options["rate"],
        "alert_segments_per_message": round(segments, 2),
        "sender_segments_per_s": round(per_second, 2),
        "click_ms": round(click_ms, 1),
        "first_text_s": round(first, 2),
        "last_text_s": round(last, 2),
        "baseline_pace_last_s": round((count - 1) / options["rate"], 2),
        "last_vs_pace": round(last / ((count - 1) / options["rate"]), 3) if count > 1 else None,
        "alerts_sent": alerts.filter(status=MessageStatus.SENT).count(),
        "alert_statuses": statuses,
        "bulk_sent_while_alerting": bulk_sent_meanwhile,
    }
