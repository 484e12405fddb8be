"""Each sender number sends at most at its carrier's pace; a broadcast spreads over all numbers."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests.messaging.gateways.twilio.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio
from vecinos.messaging import outbox, rates
from vecinos.messaging.choices import Channel, MessageStatus
from vecinos.messaging.models import OutboundMessage
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
