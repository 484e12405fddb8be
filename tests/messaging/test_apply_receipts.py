"""Delivery reports, including one that arrives before the worker recorded the provider's id."""

from __future__ import annotations

import pytest

from vecinos.messaging.choices import Channel, MessageStatus
from vecinos.messaging.models import EarlyReceipt, OutboundMessage
from vecinos.messaging.receipts import apply_early_receipts_for, apply_receipt
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
    apply_early_receipts_for("twilio", ["SM2"])
    message.refresh_from_db()
    assert (message.status, message.error) == (MessageStatus.FAILED, "30003: undelivered")
    assert not EarlyReceipt.objects.exists()


def test_a_report_for_a_message_in_another_state_is_not_kept() -> None:
    message = sent("SM3")
    OutboundMessage.objects.filter(id=message.id).update(status=MessageStatus.FAILED)
    assert not apply_receipt("twilio", "SM3", delivered=True)
    assert not EarlyReceipt.objects.exists()


def test_early_reports_for_a_whole_batch_are_applied_in_one_go() -> None:
    assert not apply_receipt("twilio", "SM4", delivered=True)
    assert not apply_receipt("twilio", "SM5", delivered=False, error="30005: unknown number")
    assert not apply_receipt("kannel", "SM6", delivered=True)  # another gateway's id
    messages = [sent(provider_id) for provider_id in ("SM4", "SM5", "SM6", "SM7")]
    apply_early_receipts_for("twilio", ["SM4", "SM5", "SM6", "SM7"])
    statuses = [OutboundMessage.objects.get(id=m.id).status for m in messages]
    assert statuses == [
        MessageStatus.DELIVERED,
        MessageStatus.FAILED,
        MessageStatus.SENT,  # its report came through kannel, not twilio
        MessageStatus.SENT,
    ]
    assert list(EarlyReceipt.objects.values_list("provider_message_id", flat=True)) == ["SM6"]
