"""Signal through signal-cli-rest-api's HTTP API (a loopback stand-in speaking its format)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.messaging.gateways.signal.fake_signal import FakeSignal
from tests.processes import free_port
from vecinos.messaging import inbound, outbox
from vecinos.messaging.choices import Channel, MessageStatus
from vecinos.messaging.models import InboundMessage, OutboundMessage
from vecinos.messaging.services import queue_message

pytestmark = pytest.mark.django_db
OURS = "+12135550101"
RESPONDER = "+13235550160"


@pytest.fixture
def signal(settings: Any) -> Iterator[FakeSignal]:
    fake = FakeSignal(OURS).start()
    settings.VECINOS_PHONE_GATEWAYS = ["signal", "simulator"]
    settings.VECINOS_SIGNAL_API = fake.base_url
    settings.VECINOS_SIGNAL_NUMBER = OURS
    try:
        yield fake
    finally:
        fake.stop()


def send(address: str, channel: str = Channel.SIGNAL) -> OutboundMessage:
    message = queue_message(
        channel=channel, address=address, body="Alerta: 3rd y Vermont", kind="t"
    )
    for message_id in outbox.claim("w", limit=5):
        outbox.deliver(message_id, "w")
    message.refresh_from_db()
    return message


def test_a_signal_message_is_sent_from_our_number(signal: FakeSignal) -> None:
    message = send(RESPONDER)
    assert message.status == MessageStatus.SENT and message.gateway == "signal"
    assert signal.sent == [
        {"message": "Alerta: 3rd y Vermont", "number": OURS, "recipients": [RESPONDER]}
    ]


def test_sms_still_goes_through_the_sms_gateway(signal: FakeSignal) -> None:
    assert send(RESPONDER, Channel.SMS).gateway == "simulator"
    assert signal.sent == []


def test_a_refused_recipient_fails_and_an_outage_is_retried(
    signal: FakeSignal, settings: Any
) -> None:
    signal.refuse["+13235550161"] = 400
    assert send("+13235550161").status == MessageStatus.FAILED
    signal.refuse["+13235550162"] = 503
    assert send("+13235550162").status == MessageStatus.QUEUED
    settings.VECINOS_SIGNAL_API = f"http://127.0.0.1:{free_port()}"
    assert send(RESPONDER).status == MessageStatus.QUEUED


def test_texts_are_polled_received_once_and_answered_on_signal(
    signal: FakeSignal, django_capture_on_commit_callbacks: Any
) -> None:
    signal.text_in(RESPONDER, "HELP")
    with django_capture_on_commit_callbacks(execute=True):
        assert inbound.poll_signal() == 1
        assert inbound.poll_signal() == 0
    stored = InboundMessage.objects.get()
    assert (stored.gateway, stored.handled_as) == ("signal", "keyword.help")
    assert OutboundMessage.objects.get().channel == Channel.SIGNAL


def test_polling_does_nothing_without_signal(settings: Any) -> None:
    settings.VECINOS_PHONE_GATEWAYS = ["simulator"]
    assert inbound.poll_signal() == 0


def test_an_unreachable_signal_api_is_logged_not_raised(signal: FakeSignal, settings: Any) -> None:
    settings.VECINOS_SIGNAL_API = f"http://127.0.0.1:{free_port()}"
    assert inbound.poll_signal() == 0
