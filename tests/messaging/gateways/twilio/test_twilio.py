"""Twilio: sending through the official library to a loopback stand-in, and webhooks signed
exactly as Twilio signs them."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.test import Client, override_settings
from twilio.request_validator import RequestValidator

from tests.messaging.gateways.twilio.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, PUBLIC, FakeTwilio
from tests.processes import free_port
from vecinos.messaging import outbox
from vecinos.messaging.choices import Channel, MessageStatus
from vecinos.messaging.gateways.twilio.gateway import TwilioGateway
from vecinos.messaging.models import InboundMessage, OutboundMessage
from vecinos.messaging.services import queue_message
from vecinos.messaging.worker import OutboxWorker

pytestmark = pytest.mark.django_db


@pytest.fixture
def twilio(settings: Any) -> Iterator[FakeTwilio]:
    fake = FakeTwilio().start()
    settings.VECINOS_PHONE_GATEWAYS = ["twilio"]
    settings.VECINOS_TWILIO_ACCOUNT_SID = ACCOUNT_SID
    settings.VECINOS_TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.VECINOS_TWILIO_FROM = ["+12135550100"]
    settings.VECINOS_SENDER_RATES = {"+12135550100": 60_000}  # pacing is tested on its own
    settings.VECINOS_TWILIO_API_BASE = fake.base_url
    settings.PUBLIC_URL = PUBLIC
    settings.ALLOWED_HOSTS = ["testserver"]
    try:
        yield fake
    finally:
        fake.stop()


def send(to: str, **fields: Any) -> OutboundMessage:
    message = queue_message(channel=Channel.SMS, address=to, body="Hola", kind="test", **fields)
    for message_id in outbox.claim("w", limit=5):
        outbox.deliver(message_id, "w")
    message.refresh_from_db()
    return message


def test_a_text_is_sent_with_the_official_client(twilio: FakeTwilio) -> None:
    from vecinos.messaging.services import alert_deadline

    message = send("+13235550111", deadline=alert_deadline())
    assert message.status == MessageStatus.SENT
    assert message.provider_message_id.startswith("SM")
    [form] = twilio.received
    assert form["To"] == "+13235550111" and form["From"] == "+12135550100"
    assert form["StatusCallback"] == f"{PUBLIC}/hooks/twilio/status"
    assert 800 < int(form["ValidityPeriod"]) <= 900, "the alert's own validity goes along"


def test_a_messaging_service_spreads_over_its_numbers(twilio: FakeTwilio, settings: Any) -> None:
    settings.VECINOS_TWILIO_FROM = ["MG" + "1" * 32]
    send("+13235550111")
    assert twilio.received[0]["MessagingServiceSid"] == "MG" + "1" * 32
    assert "From" not in twilio.received[0]


def test_an_invalid_number_fails_for_good_with_twilios_code(twilio: FakeTwilio) -> None:
    twilio.errors["+13235550112"] = (400, 21211)
    message = send("+13235550112")
    assert message.status == MessageStatus.FAILED
    assert message.error.startswith("21211")


def test_rate_limiting_and_outages_are_retried(twilio: FakeTwilio) -> None:
    twilio.errors["+13235550113"] = (429, 20429)
    twilio.errors["+13235550114"] = (503, 0)
    assert send("+13235550113").status == MessageStatus.QUEUED
    assert send("+13235550114").status == MessageStatus.QUEUED


def test_an_unreachable_twilio_is_retried(twilio: FakeTwilio, settings: Any) -> None:
    settings.VECINOS_TWILIO_API_BASE = f"http://127.0.0.1:{free_port()}"
    message = send("+13235550115")
    assert message.status == MessageStatus.QUEUED
    assert "could not be reached" in message.error


def post_signed(client: Client, path: str, params: dict[str, str], token: str = AUTH_TOKEN) -> Any:
    signature = RequestValidator(token).compute_signature(f"{PUBLIC}{path}", params)
    return client.post(path, params, HTTP_X_TWILIO_SIGNATURE=signature)


def test_a_signed_inbound_text_is_stored_and_answered(
    twilio: FakeTwilio, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    params = {"MessageSid": "SM" + "a" * 32, "From": "+13235550116", "To": "+12135550100",
              "Body": "AYUDA", "FromCity": "LOS ANGELES", "FromZip": "90005"}  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = post_signed(client, "/hooks/twilio/sms", params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    stored = InboundMessage.objects.get()
    assert (stored.body, stored.handled_as) == ("AYUDA", "keyword.help")
    assert "90005" not in str(InboundMessage.objects.values().get()), "no raw payload kept"
    assert OutboundMessage.objects.get().language == "es"
    with django_capture_on_commit_callbacks(execute=True):
        again = post_signed(client, "/hooks/twilio/sms", params)
    assert again.status_code == 200
    assert InboundMessage.objects.count() == 1 and OutboundMessage.objects.count() == 1


def test_with_redis_the_text_waits_for_the_worker_s_next_turn(
    twilio: FakeTwilio, client: Client, redis_url: str
) -> None:
    params = {"MessageSid": "SM" + "b" * 32, "From": "+13235550117", "To": "+12135550100",
              "Body": "AYUDA"}  # fmt: skip
    with override_settings(VECINOS_REDIS_URL=redis_url):
        assert post_signed(client, "/hooks/twilio/sms", params).status_code == 200
        assert InboundMessage.objects.get().processed_at is None
        with ThreadPoolExecutor(2) as pool:
            OutboxWorker("worker-test", 2).run_once(pool)
    stored = InboundMessage.objects.get()
    assert stored.handled_as == "keyword.help"
    # Read and answered in the same turn: the reply went to the provider.
    reply = OutboundMessage.objects.get()
    assert reply.status in {MessageStatus.SENT, MessageStatus.DELIVERED}


@pytest.mark.parametrize("how", ["unsigned", "forged", "other body"])
def test_a_forged_or_unsigned_webhook_is_refused_and_nothing_stored(
    how: str, twilio: FakeTwilio, client: Client
) -> None:
    params = {"MessageSid": "SM1", "From": "+13235550116", "Body": "STOP"}
    if how == "unsigned":
        response = client.post("/hooks/twilio/sms", params)
    elif how == "forged":
        response = post_signed(client, "/hooks/twilio/sms", params, token="guessed-token")
    else:
        signature = RequestValidator(AUTH_TOKEN).compute_signature(
            f"{PUBLIC}/hooks/twilio/sms", params
        )
        response = client.post(
            "/hooks/twilio/sms", {**params, "Body": "START"}, HTTP_X_TWILIO_SIGNATURE=signature
        )
    assert response.status_code == 403
    assert not InboundMessage.objects.exists()


def test_malformed_inbound_texts_get_a_clear_error(twilio: FakeTwilio, client: Client) -> None:
    assert post_signed(client, "/hooks/twilio/sms", {"Body": "hola"}).status_code == 400
    bad_sender = {"MessageSid": "SM2", "From": "VECINOS", "Body": "hola"}
    assert post_signed(client, "/hooks/twilio/sms", bad_sender).status_code == 400
    assert client.get("/hooks/twilio/sms").status_code == 405
    assert not InboundMessage.objects.exists()


def test_delivery_receipts_update_the_message(twilio: FakeTwilio, client: Client) -> None:
    delivered = send("+13235550117")
    failed = send("+13235550118")
    for message, state, code in ((delivered, "delivered", ""), (failed, "undelivered", "30003")):
        params = {"MessageSid": message.provider_message_id, "MessageStatus": state}
        if code:
            params["ErrorCode"] = code
        assert post_signed(client, "/hooks/twilio/status", params).status_code == 204
    delivered.refresh_from_db()
    failed.refresh_from_db()
    assert delivered.status == MessageStatus.DELIVERED and delivered.delivered_at
    assert failed.status == MessageStatus.FAILED and failed.error.startswith("30003")
    forged = client.post("/hooks/twilio/status", {"MessageSid": "x", "MessageStatus": "failed"})
    assert forged.status_code == 403


def test_the_twilio_clients_never_log_phone_numbers(
    twilio: FakeTwilio, caplog: pytest.LogCaptureFixture
) -> None:
    """Both of Twilio's clients log every request with its form (the recipient's number) at INFO;
    the settings keep only their warnings."""
    caplog.set_level(logging.INFO)
    send("+13235550166")  # the batch path: the asynchronous client
    TwilioGateway().send(to="+13235550167", body="Hola")  # the threaded client
    assert len(twilio.received) == 2
    assert "5550166" not in caplog.text and "5550167" not in caplog.text
