"""Reaching a person by phone call through Twilio: the official client places the call at the
loopback stand-in with TwiML that reads the message in its language, and the call's outcome comes
back signed to /hooks/twilio/status."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.messaging.gateways.twilio.fake_twilio import FakeTwilio
from tests.messaging.gateways.twilio.test_twilio import PUBLIC, post_signed
from vecinos.messaging.choices import Channel, MessageStatus
from vecinos.messaging.gateways.base import PermanentError, TransientError
from vecinos.messaging.gateways.twilio.gateway import TwilioGateway
from vecinos.messaging.models import OutboundMessage
from vecinos.messaging.services import queue_message
from vecinos.messaging.worker import OutboxWorker

pytestmark = pytest.mark.django_db
TO = "+13235550171"


def place_call(body: str = "Reunión el martes", language: str = "es", **kwargs: Any) -> str:
    sent = TwilioGateway().send(
        to=TO, body=body, channel=Channel.VOICE, language=language, **kwargs
    )
    assert not sent.delivered, "a call is delivered only when its status says so"
    return sent.provider_message_id


def test_a_call_reads_the_message_in_its_language(twilio: FakeTwilio) -> None:
    sid = place_call("ICE <at> 3rd & Vermont", "ko")
    assert sid.startswith("CA")
    assert twilio.received == [], "no text was sent"
    [call] = twilio.calls
    assert (call["To"], call["From"]) == (TO, "+12135550100")
    assert call["StatusCallback"] == f"{PUBLIC}/hooks/twilio/status"
    assert int(call["TimeLimit"]) > 0
    root = ET.fromstring(call["Twiml"])  # noqa: S314  # TwiML we made
    spoken = [(say.get("language"), say.text) for say in root.iter("Say")]
    assert spoken == [("ko-KR", "ICE <at> 3rd & Vermont")] * 2, "read twice, escaped in the XML"
    assert "&lt;at&gt; 3rd &amp; Vermont" in call["Twiml"]
    assert root[-1].tag == "Hangup"


def test_an_unknown_language_is_read_with_the_default_voice(twilio: FakeTwilio) -> None:
    place_call("Hello", "")
    assert 'language="en-US"' in twilio.calls[0]["Twiml"]


def test_calls_are_not_paced_by_the_texts_token_buckets(twilio: FakeTwilio) -> None:
    gateway = TwilioGateway()
    assert gateway.senders(Channel.VOICE) == []
    assert gateway.senders(Channel.SMS) == gateway.senders() == ["+12135550100"]
    assert Channel.VOICE in gateway.channels


def test_a_messaging_service_cannot_call_so_a_phone_number_does(
    twilio: FakeTwilio, settings: Any
) -> None:
    settings.VECINOS_TWILIO_FROM = ["MG" + "1" * 32, "+12135550101"]
    place_call(sender="MG" + "1" * 32)
    assert twilio.calls[0]["From"] == "+12135550101"
    settings.VECINOS_TWILIO_FROM = ["MG" + "1" * 32]
    with pytest.raises(PermanentError, match="no phone number"):
        place_call()
    assert len(twilio.calls) == 1


def test_refusals_are_permanent_and_outages_transient(twilio: FakeTwilio, settings: Any) -> None:
    twilio.errors[TO] = (400, 21217)  # "Phone number does not appear to be valid"
    with pytest.raises(PermanentError) as refused:
        place_call()
    assert refused.value.code == "21217"
    twilio.errors[TO] = (503, 0)
    with pytest.raises(TransientError):
        place_call()
    twilio.errors[TO] = (429, 20429)
    with pytest.raises(TransientError):
        place_call()
    del twilio.errors[TO]
    with pytest.raises(PermanentError, match="too long"):
        place_call("palabra " * 600)
    assert twilio.calls == []


def sent_call(sid: str) -> OutboundMessage:
    return OutboundMessage.objects.create(
        channel=Channel.VOICE,
        address=TO,
        address_hash="h",
        body="Reunión",
        kind="test.call",
        status=MessageStatus.SENT,
        gateway="twilio",
        provider_message_id=sid,
        sent_at=timezone.now(),
    )


@pytest.mark.parametrize(
    ("call_status", "outcome"),
    [
        ("completed", MessageStatus.DELIVERED),
        ("busy", MessageStatus.FAILED),
        ("no-answer", MessageStatus.FAILED),
        ("failed", MessageStatus.FAILED),
        ("canceled", MessageStatus.FAILED),
        ("ringing", MessageStatus.SENT),
        ("in-progress", MessageStatus.SENT),
    ],
)
def test_the_calls_status_updates_its_message(
    call_status: str, outcome: str, twilio: FakeTwilio, client: Client
) -> None:
    message = sent_call(place_call())
    params = {
        "CallSid": message.provider_message_id,
        "AccountSid": "AC" + "0" * 32,
        "CallStatus": call_status,
        "CallDuration": "14",
        "To": TO,
    }
    assert post_signed(client, "/hooks/twilio/status", params).status_code == 204
    message.refresh_from_db()
    assert message.status == outcome
    if outcome == MessageStatus.FAILED:
        assert message.error == f"{call_status} (call status)"
    if outcome == MessageStatus.DELIVERED:
        assert message.delivered_at is not None


def test_a_failed_call_keeps_twilios_error_code(twilio: FakeTwilio, client: Client) -> None:
    message = sent_call(place_call())
    params = {"CallSid": message.provider_message_id, "CallStatus": "failed", "ErrorCode": "13224"}
    assert post_signed(client, "/hooks/twilio/status", params).status_code == 204
    message.refresh_from_db()
    assert message.error == "13224: failed (call status)"


def test_status_reports_without_an_id_or_signature_are_refused(
    twilio: FakeTwilio, client: Client
) -> None:
    message = sent_call(place_call())
    response = post_signed(client, "/hooks/twilio/status", {"CallStatus": "completed"})
    assert response.status_code == 400
    forged = client.post(
        "/hooks/twilio/status",
        {"CallSid": message.provider_message_id, "CallStatus": "completed"},
    )
    assert forged.status_code == 403
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT


@pytest.mark.django_db(transaction=True)  # the worker's threads need committed rows
def test_a_voice_message_in_the_outbox_becomes_a_call(twilio: FakeTwilio) -> None:
    message = queue_message(
        channel=Channel.VOICE, address=TO, body="Asamblea hoy", kind="test.call", language="es"
    )
    OutboxWorker("t", 1).run(until_empty=True)
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.provider_message_id.startswith("CA")
    assert twilio.received == []
    assert 'language="es-MX"' in twilio.calls[0]["Twiml"]
