"""The worker's unit of work: claim queued messages, hand each to a gateway, record the outcome.

A message moves QUEUED → SENDING (claimed by one worker) → SENT/DELIVERED/FAILED/EXPIRED/SKIPPED,
or back to QUEUED for a retry. Every move is conditional: a claim takes only rows it read as QUEUED
under lock, an outcome is written only while this worker's claim stands, a receipt only moves
SENT messages; so two workers (or a worker and a delivery receipt) never both move one message.

A worker handles what it claimed as a batch: one query re-checks opt-outs for the whole batch, one
re-checks consent, one transaction takes sender tokens, the gateways get the messages in parallel,
and a few UPDATEs (one per kind of outcome and round of completions) record what happened. A
worker killed mid-batch leaves the unrecorded ones SENDING, to be taken back after the lease: what
may go twice is bounded by the batch size, which is the worker's concurrency.
"""

from __future__ import annotations

import logging
import random
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, wait
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Field, TextField
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast
from django.utils import timezone

from vecinos.core.crypto import UndecryptableError, decrypt
from vecinos.messaging import health, rates
from vecinos.messaging.choices import MessageStatus, SkipReason
from vecinos.messaging.gateways import gateway_for
from vecinos.messaging.gateways.base import (
    Gateway,
    Outgoing,
    PermanentError,
    Sent,
    TransientError,
)
from vecinos.messaging.models import OutboundMessage
from vecinos.messaging.receipts import apply_early_receipts_for
from vecinos.messaging.services import PHONE_CHANNELS, consent_refused_among, opted_out_among

logger = logging.getLogger(__name__)

BACKOFF_BASE_SECONDS = 5
BACKOFF_MAX_SECONDS = 15 * 60
# How far ahead a more urgent queued message holds back less urgent ones (see _behind_urgent),
# and the least time they are held.
HOLD_HORIZON = timedelta(seconds=30)
HOLD_MINIMUM = timedelta(seconds=0.5)
# Confirmations of STOP go out although the number just opted out (carriers require them).
OPT_OUT_EXEMPT_KINDS = frozenset({"messaging.opt_out_confirmation"})


def claim(worker_id: str, limit: int) -> list[int]:
    """Take up to ``limit`` ready messages, most urgent first, for this worker alone.

    On PostgreSQL the rows are locked with SKIP LOCKED, so workers claim different messages in
    parallel; on SQLite the IMMEDIATE transaction serializes claims.
    """
    now = timezone.now()
    with transaction.atomic():
        ready = OutboundMessage.objects.filter(
            status=MessageStatus.QUEUED, not_before__lte=now
        ).order_by("priority", "not_before", "id")
        if connection.features.has_select_for_update_skip_locked:
            ready = ready.select_for_update(skip_locked=True)
        ids = list(ready.values_list("id", flat=True)[:limit])
        if ids:
            # By id alone: the rows are locked (or SQLite's write lock is held) since they were
            # read as queued. A status condition here would lead PostgreSQL's planner to the
            # partial queue index, whose dead entries it then reads all of during a broadcast.
            OutboundMessage.objects.filter(id__in=ids).update(
                status=MessageStatus.SENDING,
                claimed_by=worker_id,
                claimed_at=now,
                attempts=F("attempts") + 1,
            )
    return ids


def next_due() -> datetime | None:
    """When the earliest queued message becomes ready, or None when nothing is queued: a worker
    with nothing to do sleeps until then, so a paced message goes the moment its tokens are due."""
    return (
        OutboundMessage.objects.filter(status=MessageStatus.QUEUED)
        .order_by("not_before")
        .values_list("not_before", flat=True)
        .first()
    )


def recover_abandoned(now: datetime | None = None) -> int:
    """Put back messages whose worker died while sending. They may have reached the provider
    already: ``reclaimed`` counts how often that could have happened."""
    # A worker that has held a message this long without an outcome is taken to be dead.
    cutoff = (now or timezone.now()) - timedelta(seconds=settings.VECINOS_OUTBOX_LEASE_SECONDS)
    return OutboundMessage.objects.filter(
        status=MessageStatus.SENDING, claimed_at__lt=cutoff
    ).update(
        status=MessageStatus.QUEUED,
        claimed_by="",
        claimed_at=None,
        reclaimed=F("reclaimed") + 1,
    )


@dataclass(frozen=True)
class Outcome:
    """What to write on one claimed message: its new status and the fields that go with it."""

    status: str
    fields: dict[str, Any]
    # What the attempt says about the gateway: "ok", "failed" (transient), or "" (nothing).
    gateway_health: str = ""


@dataclass(frozen=True)
class Handover:
    """A message cleared to go, the gateway that carries it and the number it goes from."""

    message: OutboundMessage
    gateway: Gateway
    sender: str
    now: datetime


def deliver(message_id: int, worker_id: str) -> str:
    """Send one claimed message and record what happened. Returns the new status."""
    return deliver_batch([message_id], worker_id)[message_id]


def deliver_batch(
    message_ids: list[int], worker_id: str, pool: Executor | None = None
) -> dict[int, str]:
    """Send messages this worker claimed and record what happened to each. Returns the new
    status of each (or the status it has, for one that is not this worker's to send).

    Re-checks deadline, opt-out and consent first, because the world may have changed since the
    messages were queued. With a ``pool``, the messages are handed over in parallel, and
    outcomes are written as they come in: each UPDATE records every hand-over that finished
    while the previous one ran. One the provider accepted is thus recorded about one UPDATE
    later, not after the slowest of its batch, which keeps what a SIGKILL can send twice to
    what was really in flight.
    """
    now = timezone.now()
    messages, statuses, unreadable = _claimed(message_ids, worker_id)
    refusals = _refusals(messages)
    outcomes: dict[int, Outcome] = {}
    cleared: dict[str, list[OutboundMessage]] = defaultdict(list)
    for message in messages:
        if message.id in unreadable:
            outcomes[message.id] = _retry(message, "the address cannot be decrypted", now=now)
        elif message.deadline and now >= message.deadline:
            outcomes[message.id] = _finish(
                message, MessageStatus.EXPIRED, error="deadline passed in queue"
            )
        elif reason := refusals.get(message.id):
            outcomes[message.id] = _finish(message, MessageStatus.SKIPPED, skip_reason=reason)
        else:
            cleared[message.channel].append(message)

    handovers: list[Handover] = []
    for channel, group in cleared.items():
        gateway = gateway_for(channel)
        if gateway is None:
            for message in group:
                outcomes[message.id] = _retry(
                    message, f"no gateway is configured for {channel}", now=now
                )
            continue
        senders = gateway.senders(channel)
        paces = {s.number: (s.per_minute, s.per_day) for s in gateway.config.senders}
        if senders:
            group, held = _behind_urgent(channel, group, now)
            for message, until in held:
                outcomes[message.id] = _postpone(message, until - now, now)
            if not group:
                continue
        picks = (
            rates.take_batch(senders, [message.segments for message in group], now, paces)
            if senders
            else [rates.Pick("", timedelta(0))] * len(group)
        )
        for message, pick in zip(group, picks, strict=True):
            if pick.sender is None:
                outcomes[message.id] = _postpone(message, pick.wait, now)
            else:
                handovers.append(Handover(message, gateway, pick.sender, now))

    statuses.update(_record(worker_id, outcomes))
    sent: dict[int, Outcome] = {}
    for done in _hand_over_all(handovers, pool):
        statuses.update(_record(worker_id, done))
        sent.update(done)
    _apply_early_receipts(sent)
    _report_health(handovers, sent)
    return statuses


def _behind_urgent(
    channel: str, group: list[OutboundMessage], now: datetime
) -> tuple[list[OutboundMessage], list[tuple[OutboundMessage, datetime]]]:
    """Split ``group`` into the messages that may take sender tokens now, and those held back
    (with when to come back) because a more urgent message on ``channel`` waits for its turn at
    the senders' pace. A dispatch alert postponed for tokens is promised a turn; without this, a
    bulk text that comes due first would take it, and 500 alerts behind a broadcast would go out
    at a fraction of the pace. Only urgent messages due within :data:`HOLD_HORIZON` count: a
    retry backing off for minutes does not hold a broadcast."""
    least_urgent = max(message.priority for message in group)
    urgent = (
        OutboundMessage.objects.filter(
            status=MessageStatus.QUEUED,
            priority__lt=least_urgent,
            not_before__lte=now + HOLD_HORIZON,
            channel=channel,
        )
        .order_by("priority", "not_before")
        .values_list("priority", "not_before")
        .first()
    )
    if urgent is None:
        return group, []
    priority, due = urgent
    until = max(due, now + HOLD_MINIMUM)
    return (
        [message for message in group if message.priority <= priority],
        [(message, until) for message in group if message.priority > priority],
    )


def _report_health(handovers: list[Handover], outcomes: dict[int, Outcome]) -> None:
    """Tell :mod:`health` how each gateway did in this batch: one hand-over that went through
    means it works; only transient failures count against it (a permanent error is the number's)."""
    failures: dict[str, list[tuple[str, str]]] = defaultdict(list)
    working: set[str] = set()
    for handover in handovers:
        outcome = outcomes.get(handover.message.id)
        if outcome is None:
            continue
        if outcome.gateway_health == "ok":
            working.add(handover.gateway.name)
        elif outcome.gateway_health == "failed":
            error = str(outcome.fields.get("error", ""))
            failures[handover.gateway.name].append((error, handover.message.channel))
    for name in working:
        health.record_success(name)
    for name, failed in failures.items():
        if name not in working:
            error, channel = failed[-1]
            health.record_failure(name, error, channel, count=len(failed))


def _claimed(
    message_ids: list[int], worker_id: str
) -> tuple[list[OutboundMessage], dict[int, str], set[int]]:
    """The messages this worker holds, in claim order; the status of those it does not hold;
    and the ids of those whose address no configured key opens (they must not stop the batch)."""
    rows = (
        OutboundMessage.objects.filter(id__in=message_ids)
        .defer("address")
        .annotate(sealed_address=Cast("address", output_field=TextField()))
    )
    position = {message_id: n for n, message_id in enumerate(message_ids)}
    mine: list[OutboundMessage] = []
    others: dict[int, str] = {}
    unreadable: set[int] = set()
    for message in sorted(rows, key=lambda row: position[row.id]):
        if message.status != MessageStatus.SENDING or message.claimed_by != worker_id:
            others[message.id] = message.status
            continue
        try:
            sealed = message.sealed_address
            message.address = decrypt(sealed) if sealed else sealed
        except UndecryptableError:
            logger.exception("message %d: the address cannot be decrypted", message.id)
            message.address = ""
            unreadable.add(message.id)
        mine.append(message)
    return mine, others, unreadable


def _refusals(messages: list[OutboundMessage]) -> dict[int, str]:
    """Why each message that must not go is refused: the number texted STOP, or the person's
    newest answer for the channel is no. One query each for the whole batch."""
    phones = {
        message.id
        for message in messages
        if message.channel in PHONE_CHANNELS and message.kind not in OPT_OUT_EXEMPT_KINDS
    }
    opted_out = opted_out_among(
        [message.address for message in messages if message.id in phones and message.address]
    )
    refused = consent_refused_among(
        [(message.person_id, message.channel) for message in messages if message.person_id]
    )
    reasons: dict[int, str] = {}
    for message in messages:
        if message.id in phones and message.address in opted_out:
            reasons[message.id] = SkipReason.OPTED_OUT
        elif (message.person_id, message.channel) in refused:
            reasons[message.id] = SkipReason.NO_CONSENT
    return reasons


def _hand_over_all(
    handovers: list[Handover], pool: Executor | None
) -> Iterator[dict[int, Outcome]]:
    """Hand the messages over; yield the outcomes of those done since the last yield. A gateway
    that sends batches gets its messages in one call (while the threads carry the others)."""
    batches: dict[str, list[Handover]] = defaultdict(list)
    singles: list[Handover] = []
    for handover in handovers:
        if handover.message.channel in handover.gateway.batch_channels:
            batches[handover.gateway.name].append(handover)
        else:
            singles.append(handover)
    futures = {pool.submit(_hand_over, h): h for h in singles} if pool is not None else {}
    if pool is None and singles:
        yield {handover.message.id: _hand_over(handover) for handover in singles}
    for batch in batches.values():
        yield _hand_over_batch(batch)
    pending = set(futures)
    while pending:
        done, pending = wait(pending, return_when=FIRST_COMPLETED)
        yield {futures[future].message.id: future.result() for future in done}


def _outgoing(handover: Handover) -> Outgoing:
    message, now = handover.message, handover.now
    return Outgoing(
        to=message.address,
        body=message.body,
        subject=message.subject,
        validity_seconds=int((message.deadline - now).total_seconds())
        if message.deadline
        else None,
        sender=handover.sender,
        channel=message.channel,
        language=message.language,
    )


def _hand_over(handover: Handover) -> Outcome:
    """Give one message to its gateway and say what happened. Runs in the worker's threads, and
    touches no database: the outcomes of a batch are written together afterwards."""
    outgoing = _outgoing(handover)
    try:
        result: Sent | Exception = handover.gateway.send(**vars(outgoing))
    except Exception as exc:  # turned into the message's outcome by _outcome
        result = exc
    return _outcome(handover, result)


def _hand_over_batch(batch: list[Handover]) -> dict[int, Outcome]:
    """Give messages to a gateway that takes a batch at once (all of ``batch`` share it)."""
    gateway = batch[0].gateway
    try:
        results = gateway.send_batch([_outgoing(handover) for handover in batch])
    except Exception as exc:  # a bug in the adapter: every message of the batch is retried
        results = [exc] * len(batch)
    return {h.message.id: _outcome(h, result) for h, result in zip(batch, results, strict=True)}


def _outcome(handover: Handover, result: Sent | Exception) -> Outcome:
    """What one hand-over's result means for its message."""
    message, gateway, now = handover.message, handover.gateway, handover.now
    if isinstance(result, PermanentError):
        # Says nothing about the gateway either way: an invalid number, or a STOP at the provider.
        return _finish(message, MessageStatus.FAILED, error=str(result), gateway=gateway.name)
    if isinstance(result, TransientError):
        return _retry(message, str(result), gateway=gateway.name, now=now, health="failed")
    if isinstance(result, Exception):  # a bug in an adapter: bounded retries, error on the row
        logger.error("gateway %s raised unexpectedly", gateway.name, exc_info=result)
        error = f"unexpected {type(result).__name__}"
        return _retry(message, error, gateway=gateway.name, now=now, health="failed")
    sent = result
    return _finish(
        message,
        MessageStatus.DELIVERED if sent.delivered else MessageStatus.SENT,
        gateway=gateway.name,
        provider_message_id=sent.provider_message_id,
        sender=handover.sender,
        sent_at=now,
        delivered_at=now if sent.delivered else None,
        health="ok",
    )


def backoff(attempt: int) -> timedelta:
    """Exponential backoff with full jitter: spreads retries so a recovering provider is not hit
    by every message at the same second."""
    ceiling = min(BACKOFF_MAX_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(0, attempt - 1))
    return timedelta(seconds=random.uniform(ceiling / 2, ceiling))  # noqa: S311  # not security


def _postpone(message: OutboundMessage, wait: timedelta, now: datetime) -> Outcome:
    """Every sender number is at its pace or its daily limit: back in the queue until one should
    have room. Not an attempt. A message with a deadline comes back no later than the deadline,
    to be recorded as expired then rather than sit queued long after it stopped mattering."""
    not_before = now + wait
    if message.deadline and message.deadline < not_before:
        not_before = message.deadline
    return Outcome(
        MessageStatus.QUEUED,
        {
            "not_before": not_before,
            "claimed_by": "",
            "claimed_at": None,
            "attempts": message.attempts - 1,
        },
    )


def _retry(
    message: OutboundMessage, error: str, *, now: datetime, gateway: str = "", health: str = ""
) -> Outcome:
    if message.attempts >= message.max_attempts:
        return _finish(message, MessageStatus.FAILED, error=error, gateway=gateway, health=health)
    return Outcome(
        MessageStatus.QUEUED,
        {
            "not_before": now + backoff(message.attempts),
            "claimed_by": "",
            "claimed_at": None,
            "error": error,
            "gateway": gateway,
        },
        health,
    )


def _finish(message: OutboundMessage, status: str, health: str = "", **fields: Any) -> Outcome:
    return Outcome(status, {"claimed_by": "", **fields}, health)


def _record(worker_id: str, outcomes: dict[int, Outcome]) -> dict[int, str]:
    """Write the outcomes of a batch: one conditional UPDATE per kind of outcome, touching only
    messages still claimed by this worker (one taken back after the lease is not ours to record
    any more). Returns each message's status afterwards.

    ``claimed_by`` is set exactly while a message is SENDING (a constraint on the table), so it
    is the whole condition; a status condition would lead PostgreSQL's planner to the partial
    index of sending messages, whose dead entries it then reads all of during a broadcast."""
    groups: dict[tuple[str, tuple[str, ...]], dict[int, dict[str, Any]]] = defaultdict(dict)
    for message_id, outcome in outcomes.items():
        groups[outcome.status, tuple(sorted(outcome.fields))][message_id] = outcome.fields
    statuses: dict[int, str] = {}
    for (status, names), rows in groups.items():
        changes: dict[str, Any] = {"status": status}
        for name in names:
            values = {message_id: fields[name] for message_id, fields in rows.items()}
            changes[name] = _per_row(name, values)
        moved = OutboundMessage.objects.filter(id__in=list(rows), claimed_by=worker_id).update(
            **changes
        )
        if moved == len(rows):
            statuses.update(dict.fromkeys(rows, status))
        else:  # rare: the lease ran out; say what each message is now
            statuses.update(
                OutboundMessage.objects.filter(id__in=list(rows)).values_list("id", "status")
            )
    return statuses


def _per_row(name: str, values: dict[int, Any]) -> Any:
    """The value to SET ``name`` to: a constant when every row gets the same, else a CASE on id
    (written as one raw expression: Django builds and resolves two objects per row for a
    ``Case(When(...))``, which cost more than the UPDATE itself for a batch)."""
    distinct = set(values.values())
    if len(distinct) == 1:
        return distinct.pop()
    field = OutboundMessage._meta.get_field(name)
    assert isinstance(field, Field)  # noqa: S101  # outcomes name only concrete columns
    params: list[Any] = []
    for message_id, value in values.items():
        params += [message_id, field.get_db_prep_value(value, connection)]
    whens = " ".join(["WHEN %s THEN %s"] * len(values))
    return RawSQL(f"CASE id {whens} END", params, output_field=field)  # noqa: S611  # only %s


def _apply_early_receipts(outcomes: dict[int, Outcome]) -> None:
    """Delivery reports can arrive before the provider's id was written: apply those now."""
    sent: dict[str, list[str]] = defaultdict(list)
    for outcome in outcomes.values():
        if provider_message_id := outcome.fields.get("provider_message_id"):
            sent[outcome.fields["gateway"]].append(provider_message_id)
    for gateway, provider_message_ids in sent.items():
        apply_early_receipts_for(gateway, provider_message_ids)
