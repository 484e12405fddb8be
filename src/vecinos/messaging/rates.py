"""Sending pace per sender number, and the choice of which number sends a message.

Defaults follow what US carriers allow (docs/field/limits-and-threats.md): a 10DLC long code about
1 segment per second, toll-free 3, a short code 100; a Twilio messaging service (MG…) paces its own
pool, so it gets the short-code rate. VECINOS_SENDER_RATES overrides per number.

Carriers also cap 10DLC traffic per day (T-Mobile: 2,000 segments a day for the lowest brand tier,
about a third of all recipients), so a long code defaults to 6,000 segments a day;
VECINOS_SENDER_DAILY_LIMITS overrides per number, 0 meaning no daily limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from vecinos.messaging.models import SenderBucket
from vecinos.messaging.text import MAX_SEGMENTS

TOLL_FREE_PREFIXES = ("+1800", "+1833", "+1844", "+1855", "+1866", "+1877", "+1888")


LONG_CODE_DAILY_LIMIT = 6000


def is_short_code(sender: str) -> bool:
    return sender.startswith("MG") or (sender.isdigit() and len(sender) <= 6)


def per_minute(sender: str) -> int:
    """Segments per minute allowed for ``sender``."""
    override = settings.VECINOS_SENDER_RATES.get(sender)
    if override:
        return override
    if is_short_code(sender):
        return 6000
    if sender.startswith(TOLL_FREE_PREFIXES):
        return 180
    return 60


def per_day(sender: str) -> int | None:
    """Segments per day allowed for ``sender``, or None when no daily limit applies."""
    override = settings.VECINOS_SENDER_DAILY_LIMITS.get(sender)
    if override is not None:
        return override or None
    if is_short_code(sender) or sender.startswith(TOLL_FREE_PREFIXES):
        return None
    return LONG_CODE_DAILY_LIMIT


@dataclass(frozen=True)
class Pick:
    sender: str | None  # None: every number is at its limit for now
    wait: timedelta


def take(senders: list[str], segments: int, now: datetime | None = None) -> Pick:
    """Spend ``segments`` tokens from the sender with the most left, or say how long to wait.
    Spreads a broadcast over all the network's numbers at their combined pace."""
    now = now or timezone.now()
    _ensure(senders, now)
    with transaction.atomic():
        buckets = list(SenderBucket.objects.select_for_update().filter(sender__in=senders))
        best: SenderBucket | None = None
        wait = timedelta.max
        for bucket in buckets:
            rate = per_minute(bucket.sender) / 60
            capacity = max(rate, MAX_SEGMENTS)
            elapsed = max(0.0, (now - bucket.refilled_at).total_seconds())
            bucket.tokens = min(capacity, bucket.tokens + elapsed * rate)
            bucket.refilled_at = now
            if bucket.tokens >= segments:
                if best is None or bucket.tokens > best.tokens:
                    best = bucket
            else:
                wait = min(wait, timedelta(seconds=(segments - bucket.tokens) / rate))
        if best is not None:
            best.tokens -= segments
        for bucket in buckets:
            bucket.save(update_fields=["tokens", "refilled_at"])
    if best is None:
        return Pick(None, wait)
    return Pick(best.sender, timedelta(0))


def _ensure(senders: list[str], now: datetime) -> None:
    """A new number starts with one second's worth of tokens, not a full burst."""
    known = set(SenderBucket.objects.filter(sender__in=senders).values_list("sender", flat=True))
    for sender in senders:
        if sender in known:
            continue
        try:
            with transaction.atomic():
                SenderBucket.objects.create(
                    sender=sender, tokens=max(1.0, per_minute(sender) / 60), refilled_at=now
                )
        except IntegrityError:
            pass  # another worker created it first
