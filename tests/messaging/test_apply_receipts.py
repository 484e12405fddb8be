"""Delivery reports, including one that arrives before the worker recorded the provider's id."""

from __future__ import annotations

import pytest

from vecinos.messaging.choices import Channel, MessageStatus
from vecinos.messaging.models import EarlyReceipt, OutboundMessage
from vecinos.messaging.receipts import apply_early_receipts, apply_receipt
from vecinos.messaging.services import queue_message

pytestmark = pytest.mark.django_db


def sent(provider_id: str) -> OutboundMessage:
    message = queue_message(channel=Channel.SMS, address="+13235550170", body="x", kind="t")
    OutboundMessage.objects.filter(id=message.id).update(
        status=MessageStatus.SENT, gateway="twilio", provider_message_id=provider_id
    )
    return message


def test_a_report_for_a_sent_message_marks_it_delivered() -> None:
    message = sent("SM1")
    assert apply_receipt("twilio", "SM1", delivered=True)
    message.refresh_from_db()
    assert message.status == MessageStatus.DELIVERED
    assert not EarlyReceipt.objects.exists()


def test_an_early_report_is_kept_and_applied_once_the_id_is_recorded() -> None:
    assert not apply_receipt("twilio", "SM2", delivered=False, error="30003: undelivered")
    assert EarlyReceipt.objects.count() == 1
    message = sent("SM2")
    apply_early_receipts("twilio", "SM2")
    message.refresh_from_db()
    assert (message.status, message.error) == (MessageStatus.FAILED, "30003: undelivered")
    assert not EarlyReceipt.objects.exists()


def test_a_report_for_a_message_in_another_state_is_not_kept() -> None:
    message = sent("SM3")
    OutboundMessage.objects.filter(id=message.id).update(status=MessageStatus.FAILED)
    assert not apply_receipt("twilio", "SM3", delivered=True)
    assert not EarlyReceipt.objects.exists()
