"""Each sender number sends at most at its carrier's pace and daily limit; a broadcast spreads over
all numbers."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests.messaging.gateways.twilio.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio
from vecinos.messaging import outbox, rates
from vecinos.messaging.choices import Channel, MessageStatus, Priority
from vecinos.messaging.models import OutboundMessage, SenderBucket
from vecinos.messaging.services import queue_message

pytestmark = pytest.mark.django_db
LONG_CODES = ["+12135550100", "+12135550101", "+12135550102"]


def test_default_paces_follow_the_kind_of_number(settings: Any) -> None:
    assert rates.per_minute("+12135550100") == 60
    assert rates.per_minute("+18005550100") == 180
    assert rates.per_minute("72345") == 6000
    assert rates.per_minute("MG" + "0" * 32) == 6000
    settings.VECINOS_SENDER_RATES = {"+12135550100": 240}
    assert rates.per_minute("+12135550100") == 240


def test_a_number_spends_tokens_and_refills_at_its_pace() -> None:
    start = timezone.now()
    assert rates.take(["+12135550100"], 1, now=start).sender == "+12135550100"
    pick = rates.take(["+12135550100"], 1, now=start)
    assert pick.sender is None
    assert timedelta(seconds=0.9) <= pick.wait <= timedelta(seconds=1)
    later = start + timedelta(seconds=1)
    assert rates.take(["+12135550100"], 1, now=later).sender == "+12135550100"


def test_the_fullest_number_is_chosen() -> None:
    start = timezone.now()
    used = Counter(rates.take(LONG_CODES, 1, now=start).sender for _ in range(3))
    assert used == Counter(dict.fromkeys(LONG_CODES, 1))
    assert rates.take(LONG_CODES, 1, now=start).sender is None


@pytest.fixture
def twilio(settings: Any) -> Iterator[FakeTwilio]:
    fake = FakeTwilio().start()
    settings.VECINOS_PHONE_GATEWAYS = ["twilio"]
    settings.VECINOS_TWILIO_ACCOUNT_SID = ACCOUNT_SID
    settings.VECINOS_TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.VECINOS_TWILIO_FROM = LONG_CODES
    settings.VECINOS_TWILIO_API_BASE = fake.base_url
    try:
        yield fake
    finally:
        fake.stop()


def test_a_broadcast_goes_out_at_the_combined_pace_of_all_numbers(twilio: FakeTwilio) -> None:
    for n in range(7):
        queue_message(channel=Channel.SMS, address=f"+1323555{n:04d}", body="Hola", kind="t")
    statuses = Counter()
    for message_id in outbox.claim("w", limit=10):
        statuses[outbox.deliver(message_id, "w")] += 1
    assert statuses == {MessageStatus.SENT: 3, MessageStatus.QUEUED: 4}
    assert Counter(form["From"] for form in twilio.received) == Counter(
        dict.fromkeys(LONG_CODES, 1)
    )
    waiting = OutboundMessage.objects.filter(status=MessageStatus.QUEUED)
    assert all(m.attempts == 0 and m.error == "" for m in waiting), "waiting is not a failure"
    assert all(m.not_before > timezone.now() for m in waiting)
    sent = OutboundMessage.objects.filter(status=MessageStatus.SENT)
    assert set(sent.values_list("sender", flat=True)) == set(LONG_CODES)


def test_a_postponed_batch_comes_back_spread_over_the_times_tokens_are_due() -> None:
    start = timezone.now()
    picks = rates.take_batch(LONG_CODES, [1] * 7, now=start)
    assert sorted(pick.sender for pick in picks[:3]) == LONG_CODES  # one token each at first
    waits = [pick.wait.total_seconds() for pick in picks[3:]]
    assert [pick.sender for pick in picks[3:]] == [None] * 4
    assert waits == pytest.approx([1, 1, 1, 2]), "three numbers at 1/s: three next second"


def test_several_numbers_together_send_exactly_their_combined_pace() -> None:
    start = timezone.now()
    granted = 0
    for step in range(1, 201):  # 20 simulated seconds, a look every 0.1 s, always more to send
        picks = rates.take_batch(LONG_CODES, [1] * 10, now=start + timedelta(seconds=step / 10))
        granted += sum(pick.sender is not None for pick in picks)
    # The one second's worth each number starts with, then 3 numbers at 1 segment/s for the
    # 19.9 s after the first look: never more, and less only by the fraction not yet whole.
    assert 3 + 3 * 19 <= granted <= 3 + 3 * 19.9


def test_daily_limits_follow_the_kind_of_number(settings: Any) -> None:
    assert rates.per_day("+12135550100") == rates.LONG_CODE_DAILY_LIMIT
    assert rates.per_day("+18005550100") is None
    assert rates.per_day("72345") is None
    settings.VECINOS_SENDER_DAILY_LIMITS = {"+12135550100": 2000, "+12135550101": 0}
    assert rates.per_day("+12135550100") == 2000
    assert rates.per_day("+12135550101") is None, "0 means no daily limit"


@pytest.fixture
def fast_numbers(settings: Any) -> list[str]:
    """Two numbers whose per-minute pace never gets in the way, with small daily limits."""
    settings.VECINOS_SENDER_RATES = dict.fromkeys(LONG_CODES[:2], 60_000)
    settings.VECINOS_SENDER_DAILY_LIMITS = {LONG_CODES[0]: 3, LONG_CODES[1]: 5}
    settings.TIME_ZONE = "America/Los_Angeles"
    return LONG_CODES[:2]


def test_a_number_at_its_daily_limit_is_not_used_again_that_day(fast_numbers: list[str]) -> None:
    # 23:00 in Los Angeles: the day ends in an hour although it is 07:00 the next day in UTC.
    night = datetime(2026, 11, 22, 7, 0, tzinfo=UTC)
    picks = rates.take_batch(fast_numbers, [1] * 7 + [2, 1], now=night)
    used = Counter(pick.sender for pick in picks)
    assert used == {fast_numbers[0]: 3, fast_numbers[1]: 5, None: 1}
    assert picks[7].sender is None, "two segments no longer fit the day's allowance"
    assert picks[8].sender == fast_numbers[1], "one more still fits"
    bucket = SenderBucket.objects.get(sender=fast_numbers[1])
    assert (bucket.day, bucket.segments_today) == (date(2026, 11, 21), 5)
    assert picks[7].wait == timedelta(hours=1), "until midnight where the network is"

    refused = rates.take(fast_numbers, 1, now=night + timedelta(minutes=59))
    assert refused.sender is None and refused.wait == timedelta(minutes=1)
    morning = night + timedelta(hours=1)
    assert rates.take(fast_numbers, 1, now=morning).sender is not None, "a new day"
    bucket.refresh_from_db()
    assert bucket.day == date(2026, 11, 22)


def test_when_every_number_is_at_its_daily_limit_messages_wait_for_the_next_day(
    twilio: FakeTwilio, fast_numbers: list[str], settings: Any
) -> None:
    settings.VECINOS_TWILIO_FROM = fast_numbers
    for n in range(10):
        queue_message(channel=Channel.SMS, address=f"+1323555{n:04d}", body="Hola", kind="t")
    statuses = Counter(outbox.deliver_batch(outbox.claim("w", limit=20), "w").values())
    assert statuses == {MessageStatus.SENT: 8, MessageStatus.QUEUED: 2}
    assert len(twilio.received) == 8
    waiting = OutboundMessage.objects.filter(status=MessageStatus.QUEUED)
    tomorrow = rates.next_day_starts(timezone.now())
    assert all(m.not_before == tomorrow for m in waiting)
    assert all(m.attempts == 0 and m.error == "" for m in waiting), "waiting is not a failure"
    assert outbox.claim("w", limit=20) == [], "nothing more goes today"


def test_an_alert_that_cannot_go_before_its_deadline_still_expires(
    twilio: FakeTwilio, fast_numbers: list[str], settings: Any
) -> None:
    settings.VECINOS_TWILIO_FROM = fast_numbers
    settings.VECINOS_SENDER_DAILY_LIMITS = dict.fromkeys(fast_numbers, 1)
    for n in range(2):
        queue_message(channel=Channel.SMS, address=f"+1323555{n:04d}", body="Hola", kind="t")
    outbox.deliver_batch(outbox.claim("w", limit=5), "w")
    alert = queue_message(
        channel=Channel.SMS,
        address="+13235559999",
        body="ICE en la esquina",
        kind="t.alert",
        deadline=timezone.now() + timedelta(minutes=15),
    )
    assert outbox.deliver(outbox.claim("w", limit=5)[0], "w") == MessageStatus.QUEUED
    alert.refresh_from_db()
    assert alert.not_before == alert.deadline, "back at its deadline, not at midnight"
    assert alert.attempts == 0
    OutboundMessage.objects.filter(id=alert.id).update(
        deadline=timezone.now(), not_before=timezone.now()
    )
    assert outbox.deliver(outbox.claim("w", limit=5)[0], "w") == MessageStatus.EXPIRED
    assert len(twilio.received) == 2


def test_every_segment_counts_against_the_day(
    twilio: FakeTwilio, fast_numbers: list[str], settings: Any
) -> None:
    settings.VECINOS_TWILIO_FROM = fast_numbers[:1]
    long_text = "가" * 100  # two UCS-2 segments
    for n in range(2):
        queue_message(channel=Channel.SMS, address=f"+1323555{n:04d}", body=long_text, kind="t")
    statuses = Counter(outbox.deliver_batch(outbox.claim("w", limit=5), "w").values())
    assert statuses == {MessageStatus.SENT: 1, MessageStatus.QUEUED: 1}, "3 a day: 2 + 2 > 3"
    assert SenderBucket.objects.get(sender=fast_numbers[0]).segments_today == 2


def test_a_worker_that_waited_for_the_lock_does_not_make_time_count_twice() -> None:
    start = timezone.now()
    assert rates.take(LONG_CODES[:1], 1, now=start).sender is not None
    assert rates.take(LONG_CODES[:1], 1, now=start + timedelta(seconds=1)).sender is not None
    # A worker that read the clock at 0.5 s got the lock only now: nothing is due to it.
    assert rates.take(LONG_CODES[:1], 1, now=start + timedelta(seconds=0.5)).sender is None
    # Half a second after the last refill there is half a token, not one and a half.
    assert rates.take(LONG_CODES[:1], 1, now=start + timedelta(seconds=1.5)).sender is None
    assert rates.take(LONG_CODES[:1], 1, now=start + timedelta(seconds=2)).sender is not None


def test_bulk_texts_never_take_the_turns_of_alerts_waiting_at_the_pace(twilio: FakeTwilio) -> None:
    """Alerts postponed for tokens are promised their turns: a bulk text that comes due first is
    held back instead of spending them (500 alerts behind a broadcast went at 2/3 of the pace)."""
    for n in range(4):
        queue_message(
            channel=Channel.SMS, address=f"+1323555{n:04d}", body="ICE", kind="alert",
            priority=Priority.ALERT,
        )  # fmt: skip
    for message_id in outbox.claim("w", limit=10):
        outbox.deliver(message_id, "w")  # 3 go (one per number), 1 waits for a token
    [waiting] = OutboundMessage.objects.filter(status=MessageStatus.QUEUED)
    for n in range(5):
        queue_message(channel=Channel.SMS, address=f"+1818555{n:04d}", body="Bulk", kind="bulk",
                      priority=Priority.BULK)  # fmt: skip
    bulk = OutboundMessage.objects.filter(kind="bulk")
    # The alert is not due yet, so only bulk texts are ready: they are held, tokens untouched.
    tokens = {b.sender: b.tokens for b in SenderBucket.objects.all()}
    claimed = outbox.claim("w", limit=10)
    assert set(claimed) == set(bulk.values_list("id", flat=True))
    for message_id in claimed:
        assert outbox.deliver(message_id, "w") == MessageStatus.QUEUED
    assert {b.sender: b.tokens for b in SenderBucket.objects.all()} == tokens
    assert all(m.not_before >= waiting.not_before and m.attempts == 0 for m in bulk.all())
    assert len(twilio.received) == 3
    # With no alert waiting, bulk texts take tokens again.
    OutboundMessage.objects.filter(id=waiting.id).update(status=MessageStatus.SKIPPED)
    OutboundMessage.objects.filter(kind="bulk").update(not_before=timezone.now())
    SenderBucket.objects.update(tokens=5)
    for message_id in outbox.claim("w", limit=10):
        outbox.deliver(message_id, "w")
    assert bulk.filter(status=MessageStatus.SENT).count() == 5
