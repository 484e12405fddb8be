"""Call steps that wait (Gather, Dial, Record) rendered as TwiML, and Twilio's callbacks for them at
/hooks/twilio/voice/{gathered,dialed,recorded,recording}: signed like every webhook, turned into
vendor-neutral events for the step the TwiML named, with its state."""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.test import Client

from tests.messaging.gateways.twilio.fake_twilio import (
    HOTLINE,
    PUBLIC,
    FakeTwilio,
    TwilioCall,
    signed_post,
)
from vecinos.core.models import AuditEvent
from vecinos.messaging import voice
from vecinos.messaging.gateways.twilio.twiml import callback_url, render
from vecinos.messaging.models import InboundMessage, OutboundMessage
from vecinos.messaging.voice import (
    CallEvent,
    Dial,
    DialOutcome,
    Gather,
    Hangup,
    Next,
    Pause,
    Record,
    Say,
    Script,
)

pytestmark = pytest.mark.django_db
DISPATCHERS = ("+13235550181", "+13235550182", "+13235550183")


def xml(script: Script) -> ET.Element:
    return ET.fromstring(str(render(script)))  # noqa: S314  # TwiML we made


def query(url: str) -> tuple[str, dict[str, str]]:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}", dict(parse_qsl(parts.query))


def test_a_gather_asks_for_keys_and_comes_back_even_with_none(settings: Any) -> None:
    settings.PUBLIC_URL = PUBLIC
    prompt = (Say("For English, press 1.", "en"), Pause(1), Say("Para español, oprima 2.", "es"))
    [gather] = xml([Gather(prompt, Next.to("t.menu", attempt="2"), digits=1, timeout=7)])
    assert gather.tag == "Gather"
    assert gather.attrib["input"] == "dtmf"
    assert (gather.attrib["numDigits"], gather.attrib["timeout"]) == ("1", "7")
    assert gather.attrib["actionOnEmptyResult"] == "true"
    assert query(gather.attrib["action"]) == (
        f"{PUBLIC}/hooks/twilio/voice/gathered",
        {"step": "t.menu", "attempt": "2"},
    )
    assert [(c.tag, c.get("language")) for c in gather] == [
        ("Say", "en-US"),
        ("Pause", None),
        ("Say", "es-MX"),
    ]


def test_a_dial_rings_every_number_at_once_from_the_hotline(settings: Any) -> None:
    settings.PUBLIC_URL = PUBLIC
    [dial] = xml([Dial(DISPATCHERS, HOTLINE, Next.to("t.dialed", lang="ko"))])
    assert dial.attrib["callerId"] == HOTLINE
    assert dial.attrib["answerOnBridge"] == "true"
    assert dial.attrib["timeout"] == "25"
    assert "sequential" not in dial.attrib, "all at once"
    assert query(dial.attrib["action"]) == (
        f"{PUBLIC}/hooks/twilio/voice/dialed",
        {"step": "t.dialed", "lang": "ko"},
    )
    assert [(n.tag, n.text) for n in dial] == [("Number", number) for number in DISPATCHERS]


def test_a_dial_needs_one_to_ten_numbers_and_our_caller_id() -> None:
    then = Next.to("t.dialed")
    with pytest.raises(ValueError, match="1 to 10"):
        Dial((), HOTLINE, then)
    with pytest.raises(ValueError, match="1 to 10"):
        Dial(tuple(f"+1323555{n:04d}" for n in range(11)), HOTLINE, then)
    with pytest.raises(ValueError, match="caller ID"):
        Dial(DISPATCHERS, "", then)


def test_a_record_says_where_the_recording_and_its_file_go(settings: Any) -> None:
    settings.PUBLIC_URL = PUBLIC
    step = Record(Next.to("t.recorded", lang="es"), Next.to("t.ready"), max_seconds=90)
    [record] = xml([step])
    assert record.attrib["maxLength"] == "90"
    assert record.attrib["playBeep"] == "true"
    assert record.attrib["finishOnKey"] == "#"
    assert query(record.attrib["action"]) == (
        f"{PUBLIC}/hooks/twilio/voice/recorded",
        {"step": "t.recorded", "lang": "es"},
    )
    assert query(record.attrib["recordingStatusCallback"]) == (
        f"{PUBLIC}/hooks/twilio/voice/recording",
        {"step": "t.ready"},
    )
    assert record.attrib["recordingStatusCallbackEvent"] == "completed"


def test_state_is_escaped_in_the_url_and_the_xml(settings: Any) -> None:
    settings.PUBLIC_URL = PUBLIC
    then = Next.to("t.menu", note='a&b <c> "d" é')
    text = str(render([Gather((Say("<1> & 2", "en"),), then)]))
    assert text == str(render([Gather((Say("<1> & 2", "en"),), then)])), "pure"
    assert "&lt;1&gt; &amp; 2" in text
    [gather] = ET.fromstring(text)  # noqa: S314  # TwiML we made
    assert query(gather.attrib["action"])[1] == {"step": "t.menu", "note": 'a&b <c> "d" é'}
    assert gather.attrib["action"] == callback_url("gathered", then)


# --- Callbacks ----------------------------------------------------------------------------


@pytest.fixture
def steps() -> Iterator[list[CallEvent]]:
    """Test steps that record what they were given and answer with a short script."""
    seen: list[CallEvent] = []

    def step(event: CallEvent) -> Script | None:
        seen.append(event)
        return [Say(f"heard {event.digits or event.dialed or 'a recording'}", "en"), Hangup()]

    def handler(call: voice.IncomingCall) -> Script:
        return [Gather((Say("Press a key", "en"),), Next.to("t.step", attempt="1"))]

    def broken(event: CallEvent) -> Script | None:
        raise RuntimeError("a bug in a step")

    voice.register_call_handler("t.handler", handler)
    voice.register_call_step("t.step", step)
    voice.register_call_step("t.broken", broken)
    yield seen


def nothing_stored() -> bool:
    return not (
        InboundMessage.objects.exists()
        or OutboundMessage.objects.exists()
        or AuditEvent.objects.exists()
    )


def test_keys_pressed_reach_the_step_named_with_its_state(
    twilio: FakeTwilio, client: Client, steps: list[CallEvent]
) -> None:
    call = TwilioCall(client)
    call.start()
    call.press("2")
    assert call.says() == [("en-US", "heard 2")]
    [event] = steps
    assert (event.digits, dict(event.state)) == ("2", {"attempt": "1"})
    assert (event.call.call_id, event.call.caller, event.call.number) == (
        call.sid,
        call.caller,
        HOTLINE,
    )
    assert event.call.gateway == "twilio"
    call.twiml = xml([Gather((Say("Again", "en"),), Next.to("t.step"))])
    call.press("")
    assert steps[-1].digits == ""
    assert nothing_stored()


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        ("completed", DialOutcome.ANSWERED),
        ("answered", DialOutcome.ANSWERED),
        ("no-answer", DialOutcome.NO_ANSWER),
        ("busy", DialOutcome.BUSY),
        ("failed", DialOutcome.FAILED),
        ("canceled", DialOutcome.CANCELED),
        ("something-new", DialOutcome.FAILED),
    ],
)
def test_how_a_dial_ended_reaches_its_step(
    status: str, outcome: DialOutcome, twilio: FakeTwilio, client: Client, steps: list[CallEvent]
) -> None:
    call = TwilioCall(client)
    call.twiml = xml([Dial(DISPATCHERS, HOTLINE, Next.to("t.step", lang="es"))])
    call.dial_ends(status)
    [event] = steps
    assert event.dialed == outcome
    assert dict(event.state) == {"lang": "es"}


def test_a_recording_reaches_both_of_its_steps(
    twilio: FakeTwilio, client: Client, steps: list[CallEvent]
) -> None:
    call = TwilioCall(client, caller="anonymous")
    call.twiml = xml([Record(Next.to("t.step", lang="ko"), Next.to("t.step", ready="1"))])
    call.record(seconds=33)
    assert call.says() == [("en-US", "heard a recording")]
    assert call.recording is not None
    ready = call.recording_ready()
    assert (ready.status_code, ready.content) == (200, b"")
    finished, available = steps
    assert finished.call.caller == "" and dict(finished.state) == {"lang": "ko"}
    for event in (finished, available):
        assert (event.recording_url, event.recording_seconds) == (call.recording[1], 33)
        assert event.call.call_id == call.sid
    assert available.call.number == "", "a status callback does not say which number"
    assert dict(available.state) == {"ready": "1"}
    assert call.recording_ready(status="absent").status_code == 200
    assert len(steps) == 2, "only a completed recording is passed on"


@pytest.mark.parametrize("path", ["gathered", "dialed", "recorded", "recording"])
@pytest.mark.parametrize("how", ["unsigned", "forged", "changed step"])
def test_a_forged_or_unsigned_callback_is_refused_and_reaches_no_step(
    path: str,
    how: str,
    twilio: FakeTwilio,
    client: Client,
    steps: list[CallEvent],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    call = TwilioCall(client)
    url = f"/hooks/twilio/voice/{path}?step=t.step"
    params = call.params(Digits="1", DialCallStatus="no-answer", RecordingUrl="https://x.org/r")
    if how == "unsigned":
        response = client.post(url, params)
    elif how == "forged":
        response = signed_post(client, url, params, token="guessed-token")
    else:
        signature = signed_post(client, url, params).wsgi_request.headers["X-Twilio-Signature"]
        response = client.post(
            url.replace("t.step", "t.broken"), params, HTTP_X_TWILIO_SIGNATURE=signature
        )
    assert response.status_code == 403
    assert b"Say" not in response.content
    assert len(steps) == (1 if how == "changed step" else 0), "only the genuine request"
    assert nothing_stored()
    assert "5550161" not in caplog.text


def test_callbacks_without_a_step_or_call_id_get_a_clear_error(
    twilio: FakeTwilio, client: Client, steps: list[CallEvent]
) -> None:
    call = TwilioCall(client)
    response = signed_post(client, "/hooks/twilio/voice/gathered", call.params(Digits="1"))
    assert (response.status_code, response.content) == (400, b"step is missing")
    params = {"Digits": "1", "From": call.caller}
    response = signed_post(client, "/hooks/twilio/voice/gathered?step=t.step", params)
    assert (response.status_code, response.content) == (400, b"CallSid is missing")
    assert client.get("/hooks/twilio/voice/dialed?step=t.step").status_code == 405
    assert steps == []


def test_an_unknown_or_failing_step_still_tells_the_caller_something(
    twilio: FakeTwilio, client: Client, steps: list[CallEvent], caplog: pytest.LogCaptureFixture
) -> None:
    call = TwilioCall(client)
    for name in ("t.gone", "t.broken"):
        call.twiml = xml([Gather((Say("?", "en"),), Next.to(name, lang="es"))])
        call.press("1")
        [(language, _text)] = call.says()
        assert language == "es-MX", "the greeting, in the call's language"
        assert call.twiml[-1].tag == "Hangup"
    assert "t.gone" in caplog.text and "t.broken" in caplog.text
    assert call.sid in caplog.text and "5550161" not in caplog.text
