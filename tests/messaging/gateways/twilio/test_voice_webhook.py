"""Incoming calls at /hooks/twilio/voice: signed exactly as Twilio signs them, answered with who we
are in the caller's language (or all three), never crashing on an odd caller, storing nothing."""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from django.test import Client
from twilio.request_validator import RequestValidator

from tests.messaging.gateways.twilio.fake_twilio import AUTH_TOKEN, FakeTwilio
from tests.messaging.gateways.twilio.test_twilio import PUBLIC, post_signed
from vecinos.core.models import AuditEvent
from vecinos.messaging import voice
from vecinos.messaging.gateways.twilio.twiml import render
from vecinos.messaging.models import InboundMessage, OutboundMessage
from vecinos.organizing.models import Person

pytestmark = pytest.mark.django_db
CALLER = "+13235550161"


def call_params(**overrides: str) -> dict[str, str]:
    # What Twilio sends for a call, including facts about the caller we must not keep.
    params = {
        "CallSid": "CA" + "b" * 32,
        "AccountSid": "AC" + "0" * 32,
        "From": CALLER,
        "To": "+12135550100",
        "CallStatus": "ringing",
        "Direction": "inbound",
        "ApiVersion": "2010-04-01",
        "FromCity": "LOS ANGELES",
        "FromZip": "90005",
        "CallerName": "LIBRADA URBINA",
    }
    params.update(overrides)
    return {key: value for key, value in params.items() if value != "-"}


def says(response: Any) -> list[tuple[str, str, str]]:
    """(language, voice, text) of each <Say>, after checking the answer is TwiML."""
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    root = ET.fromstring(response.content)  # noqa: S314  # TwiML we made
    assert root.tag == "Response"
    assert root[-1].tag == "Hangup"
    return [(s.get("language", ""), s.get("voice", ""), s.text or "") for s in root.iter("Say")]


def nothing_stored() -> bool:
    return not (
        InboundMessage.objects.exists()
        or OutboundMessage.objects.exists()
        or AuditEvent.objects.exists()
    )


def test_a_stranger_hears_who_we_are_in_english_spanish_and_korean(
    twilio: FakeTwilio, client: Client, settings: Any
) -> None:
    settings.VECINOS_NETWORK_NAME = "Vecinos de Koreatown"
    spoken = says(post_signed(client, "/hooks/twilio/voice", call_params()))
    assert [(language, voice) for language, voice, _text in spoken] == [
        ("en-US", "Polly.Joanna"),
        ("es-MX", "Polly.Mia"),
        ("ko-KR", "Polly.Seoyeon"),
    ]
    assert all("Vecinos de Koreatown" in text for _l, _v, text in spoken)
    assert "text message" in spoken[0][2]
    assert nothing_stored()


@pytest.mark.parametrize(
    ("language", "locale"), [("ko", "ko-KR"), ("es", "es-MX"), ("en", "en-US")]
)
def test_a_known_caller_hears_their_own_language_only(
    language: str, locale: str, twilio: FakeTwilio, client: Client
) -> None:
    Person.objects.create(full_name="Min-seo Han", phone=CALLER, preferred_language=language)
    spoken = says(post_signed(client, "/hooks/twilio/voice", call_params()))
    assert [entry[0] for entry in spoken] == [locale]
    assert nothing_stored()


@pytest.mark.parametrize("caller", ["anonymous", "Anonymous", "restricted", "+266696687", "", "-"])
def test_hidden_or_odd_callers_are_answered_anyway(
    caller: str, twilio: FakeTwilio, client: Client
) -> None:
    spoken = says(post_signed(client, "/hooks/twilio/voice", call_params(From=caller)))
    assert len(spoken) == 3
    assert nothing_stored()


def test_a_request_without_a_call_id_gets_a_clear_error(twilio: FakeTwilio, client: Client) -> None:
    response = post_signed(client, "/hooks/twilio/voice", call_params(CallSid="-"))
    assert response.status_code == 400
    assert b"CallSid" in response.content
    assert client.get("/hooks/twilio/voice").status_code == 405
    assert nothing_stored()


@pytest.mark.parametrize("how", ["unsigned", "forged", "other caller"])
def test_a_forged_or_unsigned_call_is_refused_and_the_number_never_logged(
    how: str, twilio: FakeTwilio, client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    params = call_params()
    caplog.set_level(logging.DEBUG)
    if how == "unsigned":
        response = client.post("/hooks/twilio/voice", params)
    elif how == "forged":
        response = post_signed(client, "/hooks/twilio/voice", params, token="guessed-token")
    else:
        signature = RequestValidator(AUTH_TOKEN).compute_signature(
            f"{PUBLIC}/hooks/twilio/voice", params
        )
        response = client.post(
            "/hooks/twilio/voice",
            {**params, "From": "+13235550162"},
            HTTP_X_TWILIO_SIGNATURE=signature,
        )
    assert response.status_code == 403
    assert b"Say" not in response.content
    assert nothing_stored()
    assert "5550161" not in caplog.text and "5550162" not in caplog.text


def test_a_registered_call_handler_answers_instead(
    twilio: FakeTwilio, client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    seen: list[voice.IncomingCall] = []

    def broken(call: voice.IncomingCall) -> voice.Script | None:
        raise RuntimeError("a bug in an app's handler")

    def not_mine(call: voice.IncomingCall) -> voice.Script | None:
        seen.append(call)
        return None

    def hotline(call: voice.IncomingCall) -> voice.Script | None:
        return [voice.Say("Hotline <menu> & more", "es"), voice.Pause(2), voice.Hangup()]

    for name, handler in (("t.broken", broken), ("t.no", not_mine), ("t.hotline", hotline)):
        voice.register_call_handler(name, handler)
    try:
        response = post_signed(client, "/hooks/twilio/voice", call_params())
        assert says(response) == [("es-MX", "Polly.Mia", "Hotline <menu> & more")]
        assert b"Hotline &lt;menu&gt; &amp; more" in response.content, "escaped in the XML"
        assert b'<Pause length="2"' in response.content
        [call] = seen
        assert (call.gateway, call.caller, call.person) == ("twilio", CALLER, None)
        assert call.call_id == "CA" + "b" * 32
        assert "t.broken" in caplog.text and "5550161" not in caplog.text
    finally:
        voice.CALL_HANDLERS[:] = [h for h in voice.CALL_HANDLERS if not h[0].startswith("t.")]


def test_rendering_is_pure_and_drops_what_xml_cannot_carry() -> None:
    script: voice.Script = [voice.Say("a\x00b\u200f <c> \xa0d", "ko"), voice.Hangup()]
    first, second = str(render(script)), str(render(script))
    assert first == second
    root = ET.fromstring(first)  # noqa: S314  # TwiML we made; a NUL would fail here
    say = root.find("Say")
    assert say is not None and say.text == "ab <c>  d"
    assert say.get("language") == "ko-KR"
    assert render([voice.Say("hi", "xx")]).to_xml().count('language="en-US"') == 1


def test_the_default_greeting_speaks_one_known_language_or_all_three() -> None:
    assert [s.language for s in voice.greeting("es") if isinstance(s, voice.Say)] == ["es"]
    assert [s.language for s in voice.greeting("") if isinstance(s, voice.Say)] == [
        "en",
        "es",
        "ko",
    ]
    assert [s.language for s in voice.greeting("mix") if isinstance(s, voice.Say)] == [
        "en",
        "es",
        "ko",
    ]
    assert isinstance(voice.greeting()[-1], voice.Hangup)
