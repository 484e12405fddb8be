"""The worker's unit of work: claim queued messages, hand each to a gateway, record the outcome.

A message moves QUEUED → SENDING (claimed by one worker) → SENT/DELIVERED/FAILED/EXPIRED/SKIPPED,
or back to QUEUED for a retry. Every move is a conditional UPDATE on the status it expects, so two
workers (or a worker and a delivery receipt) can never both move the same message.
"""

from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from vecinos.messaging import health, rates
from vecinos.messaging.choices import MessageStatus, SkipReason
from vecinos.messaging.gateways import gateway_for
from vecinos.messaging.gateways.base import PermanentError, TransientError
from vecinos.messaging.models import OutboundMessage
from vecinos.messaging.receipts import apply_early_receipts
from vecinos.messaging.services import PHONE_CHANNELS, consent_refused, is_opted_out

logger = logging.getLogger(__name__)

BACKOFF_BASE_SECONDS = 5
BACKOFF_MAX_SECONDS = 15 * 60
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
            OutboundMessage.objects.filter(id__in=ids, status=MessageStatus.QUEUED).update(
                status=MessageStatus.SENDING,
                claimed_by=worker_id,
                claimed_at=now,
                attempts=F("attempts") + 1,
            )
    return ids


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


def deliver(message_id: int, worker_id: str) -> str:
    """Send one claimed message and record what happened. Returns the new status.

    Call only for a message this worker claimed; re-checks deadline and opt-out first, because the
    world may have changed since the message was queued.
    """
    message = OutboundMessage.objects.get(id=message_id)
    if message.status != MessageStatus.SENDING or message.claimed_by != worker_id:
        return message.status
    now = timezone.now()
    if message.deadline and now >= message.deadline:
        return _finish(message, worker_id, MessageStatus.EXPIRED, error="deadline passed in queue")
    if (
        message.channel in PHONE_CHANNELS
        and message.kind not in OPT_OUT_EXEMPT_KINDS
        and is_opted_out(message.address)
    ):
        return _finish(message, worker_id, MessageStatus.SKIPPED, skip_reason=SkipReason.OPTED_OUT)
    if consent_refused(message.person, message.channel):
        return _finish(message, worker_id, MessageStatus.SKIPPED, skip_reason=SkipReason.NO_CONSENT)
    gateway = gateway_for(message.channel)
    if gateway is None:
        return _retry(message, worker_id, f"no gateway is configured for {message.channel}")
    sender = ""
    if senders := gateway.senders(message.channel):
        pick = rates.take(senders, message.segments)
        if pick.sender is None:
            return _postpone(message, worker_id, pick.wait)
        sender = pick.sender
    validity = int((message.deadline - now).total_seconds()) if message.deadline else None
    try:
        sent = gateway.send(
            to=message.address,
            body=message.body,
            subject=message.subject,
            validity_seconds=validity,
            sender=sender,
            channel=message.channel,
            language=message.language,
        )
    except PermanentError as exc:
        return _finish(
            message, worker_id, MessageStatus.FAILED, error=str(exc), gateway=gateway.name
        )
    except TransientError as exc:
        health.record_failure(gateway.name, str(exc), message.channel)
        return _retry(message, worker_id, str(exc), gateway=gateway.name)
    except Exception as exc:  # a bug in an adapter: bounded retries, and the error kept on the row
        logger.exception("gateway %s raised unexpectedly", gateway.name)
        error = f"unexpected {type(exc).__name__}"
        health.record_failure(gateway.name, error, message.channel)
        return _retry(message, worker_id, error, gateway=gateway.name)
    health.record_success(gateway.name)
    status = MessageStatus.DELIVERED if sent.delivered else MessageStatus.SENT
    outcome = _finish(
        message,
        worker_id,
        status,
        gateway=gateway.name,
        provider_message_id=sent.provider_message_id,
        sender=sender,
        sent_at=now,
        delivered_at=now if sent.delivered else None,
    )
    apply_early_receipts(gateway.name, sent.provider_message_id)
    return outcome


def backoff(attempt: int) -> timedelta:
    """Exponential backoff with full jitter: spreads retries so a recovering provider is not hit
    by every message at the same second."""
    ceiling = min(BACKOFF_MAX_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(0, attempt - 1))
    return timedelta(seconds=random.uniform(ceiling / 2, ceiling))  # noqa: S311  # not security


def _postpone(message: OutboundMessage, worker_id: str, wait: timedelta) -> str:
    """Every sender number is at its pace: try again when one has room. Not an attempt."""
    moved = OutboundMessage.objects.filter(
        id=message.id, status=MessageStatus.SENDING, claimed_by=worker_id
    ).update(
        status=MessageStatus.QUEUED,
        not_before=timezone.now() + wait,
        claimed_by="",
        claimed_at=None,
        attempts=F("attempts") - 1,
    )
    return MessageStatus.QUEUED if moved else message.status


def _retry(message: OutboundMessage, worker_id: str, error: str, gateway: str = "") -> str:
    if message.attempts >= message.max_attempts:
        return _finish(message, worker_id, MessageStatus.FAILED, error=error, gateway=gateway)
    moved = OutboundMessage.objects.filter(
        id=message.id, status=MessageStatus.SENDING, claimed_by=worker_id
    ).update(
        status=MessageStatus.QUEUED,
        not_before=timezone.now() + backoff(message.attempts),
        claimed_by="",
        claimed_at=None,
        error=error,
        gateway=gateway,
    )
    return MessageStatus.QUEUED if moved else message.status


def _finish(message: OutboundMessage, worker_id: str, status: str, **fields: object) -> str:
    moved = OutboundMessage.objects.filter(
        id=message.id, status=MessageStatus.SENDING, claimed_by=worker_id
    ).update(status=status, claimed_by="", **fields)
    return status if moved else message.status
