"""Sending pace per sender number, and the choice of which number sends a message.

Defaults follow what US carriers allow (docs/field/limits-and-threats.md): a 10DLC long code about
1 segment per second, toll-free 3, a short code 100; a Twilio messaging service (MG…) paces its own
pool, so it gets the short-code rate. VECINOS_SENDER_RATES overrides per number.

Carriers also cap 10DLC traffic per day (T-Mobile: 2,000 segments a day for the lowest brand tier,
about a third of all recipients), so a long code defaults to 6,000 segments a day;
VECINOS_SENDER_DAILY_LIMITS overrides per number, 0 meaning no daily limit. The day is counted in
settings.TIME_ZONE.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

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


def local_day(now: datetime) -> date:
    """The day ``now`` falls on where the network is (settings.TIME_ZONE), whatever time zone
    the current request or thread has activated."""
    return now.astimezone(ZoneInfo(settings.TIME_ZONE)).date()


def next_day_starts(now: datetime) -> datetime:
    """Midnight after ``now`` in settings.TIME_ZONE: when daily counts start again."""
    zone = ZoneInfo(settings.TIME_ZONE)
    return datetime.combine(local_day(now) + timedelta(days=1), time.min, tzinfo=zone)


@dataclass(frozen=True)
class Pick:
    sender: str | None  # None: every number is at its limit for now
    wait: timedelta  # when sender is None: how long until a number should have room


def take(senders: list[str], segments: int, now: datetime | None = None) -> Pick:
    """Spend ``segments`` tokens from the sender with the most left, or say how long to wait."""
    return take_batch(senders, [segments], now)[0]


def take_batch(
    senders: list[str],
    demands: list[int],
    now: datetime | None = None,
    paces: Mapping[str, tuple[int, int | None]] | None = None,
) -> list[Pick]:
    """Spend tokens for several messages at once (``demands``: the segments of each, in sending
    order), in one transaction on the shared buckets. Each message gets the sender with the most
    tokens that still has room today, spreading a broadcast over all the network's numbers at their
    combined pace.

    A message that finds no tokens gets the time its turn comes, counting the messages before it
    that also wait, so a postponed batch comes back spread out as tokens become due rather than
    all at once. When every number has used its daily allowance, the wait runs to the next day.
    """
    now = now or timezone.now()
    today = local_day(now)
    tomorrow = next_day_starts(now) - now
    with transaction.atomic():
        buckets = _lock(senders, now)
        # Paces set on the gateways page win over the defaults for the kind of number.
        paces = paces or {}
        pace = {
            b.sender: paces.get(b.sender, (per_minute(b.sender), per_day(b.sender)))
            for b in buckets
        }
        per_second = {sender: minute / 60 for sender, (minute, _day) in pace.items()}
        limits = {sender: day for sender, (_minute, day) in pace.items()}
        for bucket in buckets:
            rate = per_second[bucket.sender]
            elapsed = max(0.0, (now - bucket.refilled_at).total_seconds())
            bucket.tokens = min(max(rate, MAX_SEGMENTS), bucket.tokens + elapsed * rate)
            # Never back: a worker whose clock reading is older than another's last refill (it
            # waited for the lock) would otherwise make the next refill count that time twice.
            bucket.refilled_at = max(bucket.refilled_at, now)
            if bucket.day != today:
                bucket.day, bucket.segments_today = today, 0
        # Tokens and daily counts including the turns promised to waiting messages.
        promised_tokens = {bucket.sender: bucket.tokens for bucket in buckets}
        promised_today = {bucket.sender: bucket.segments_today for bucket in buckets}
        picks = []
        for segments in demands:
            open_today = [
                bucket
                for bucket in buckets
                if limits[bucket.sender] is None
                or promised_today[bucket.sender] + segments <= (limits[bucket.sender] or 0)
            ]
            ready = [bucket for bucket in open_today if bucket.tokens >= segments]
            if ready:
                best = max(ready, key=lambda bucket: bucket.tokens)
                best.tokens -= segments
                best.segments_today += segments
                promised_tokens[best.sender] -= segments
                promised_today[best.sender] += segments
                picks.append(Pick(best.sender, timedelta(0)))
            elif not open_today:
                picks.append(Pick(None, tomorrow))
            else:
                due = {
                    bucket.sender: (segments - promised_tokens[bucket.sender])
                    / per_second[bucket.sender]
                    for bucket in open_today
                }
                first = min(due, key=lambda sender: due[sender])
                promised_tokens[first] -= segments
                promised_today[first] += segments
                picks.append(Pick(None, timedelta(seconds=max(0.0, due[first]))))
        SenderBucket.objects.bulk_update(
            buckets, ["tokens", "refilled_at", "day", "segments_today"]
        )
    return picks


def _lock(senders: list[str], now: datetime) -> list[SenderBucket]:
    """The buckets of ``senders``, locked until the transaction ends; creates missing ones.
    Locked in a fixed order so workers never deadlock on them."""
    buckets = list(
        SenderBucket.objects.select_for_update().filter(sender__in=senders).order_by("sender")
    )
    if len(buckets) == len(set(senders)):
        return buckets
    known = {bucket.sender for bucket in buckets}
    for sender in sorted(set(senders) - known):
        try:
            with transaction.atomic():  # a savepoint: another worker may create it first
                SenderBucket.objects.create(
                    # A new number starts with one second's worth of tokens, not a full burst.
                    sender=sender,
                    tokens=max(1.0, per_minute(sender) / 60),
                    refilled_at=now,
                    day=local_day(now),
                )
        except IntegrityError:
            pass
    return list(
        SenderBucket.objects.select_for_update().filter(sender__in=senders).order_by("sender")
    )
