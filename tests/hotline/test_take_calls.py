"""Calls to the hotline, driven only through webhooks signed as Twilio signs them: a language menu,
the on-shift dispatchers who speak the caller's language ringing at once from the hotline's number,
and a voicemail that becomes a report and a text to the dispatchers when nobody answers."""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import MakeAccount
from tests.messaging.gateways.twilio.fake_twilio import (
    HOTLINE,
    FakeTwilio,
    TwilioCall,
    signed_post,
)
from tests.messaging.gateways.twilio.test_twilio import twilio
from vecinos.core.choices import Role
from vecinos.core.models import User
from vecinos.hotline import calls, events, services
from vecinos.hotline.choices import ContentKind, ReportChannel, ReportStatus
from vecinos.hotline.models import Report
from vecinos.messaging import outbox, voice
from vecinos.messaging.choices import Priority
from vecinos.messaging.gateways.twilio.twiml import render
from vecinos.messaging.models import OutboundMessage
from vecinos.organizing.models import Person

__all__ = ["twilio"]  # the loopback Twilio fixture

pytestmark = pytest.mark.django_db
CALLER = "+13235550161"


@dataclass
class FakeRota:
    """The shifts app's answers, as calls.rota reads them: who is on shift, who is the fallback."""

    shift: list[User] = field(default_factory=list)
    fallback: list[User] = field(default_factory=list)
    asked: list[tuple[datetime | None, str | None]] = field(default_factory=list)

    def on_shift(self, at: datetime | None = None, language: str | None = None) -> list[User]:
        self.asked.append((at, language))
        return [u for u in self.shift if language is None or language in u.person.languages]

    def fallback_contacts(self) -> list[User]:
        return list(self.fallback)


@pytest.fixture
def rota(monkeypatch: pytest.MonkeyPatch) -> FakeRota:
    fake = FakeRota()
    monkeypatch.setattr(calls, "rota", fake)
    return fake


MakeDispatcher = Callable[..., User]


@pytest.fixture
def make_dispatcher(make_account: MakeAccount) -> MakeDispatcher:
    def make(name: str, phone: str, languages: list[str], role: str = Role.DISPATCHER) -> User:
        user = make_account(name, role, language=languages[0])
        Person.objects.create(
            full_name=name.title(),
            phone=phone,
            languages=languages,
            preferred_language=languages[0],
            account=user,
        )
        return user

    return make


@pytest.fixture
def on_shift(rota: FakeRota, make_dispatcher: MakeDispatcher) -> dict[str, User]:
    """Three dispatchers on shift: Ana (es, en), Min-jun (ko), Sam (en)."""
    people = {
        "ana": make_dispatcher("ana", "+13235550171", ["es", "en"]),
        "minjun": make_dispatcher("minjun", "+13235550172", ["ko"]),
        "sam": make_dispatcher("sam", "+13235550173", ["en"]),
    }
    rota.shift = list(people.values())
    return people


@pytest.fixture
def published() -> Iterator[list[events.Event]]:
    """The console's events, as its listener hears them after commit (tests that use it run
    with real transactions, so that each webhook's commit delivers them)."""
    heard: list[events.Event] = []
    events.listen(heard.append)
    try:
        yield heard
    finally:
        events.LISTENERS.remove(heard.append)


def numbers_rung(twiml: ET.Element) -> list[str]:
    dial = twiml.find("Dial")
    assert dial is not None, ET.tostring(twiml, encoding="unicode")
    return [number.text or "" for number in dial.iter("Number")]


def deliver_texts() -> None:
    for message_id in outbox.claim("w", limit=20):
        outbox.deliver(message_id, "w")


# --- The menu -------------------------------------------------------------------------------


def test_the_menu_offers_each_language_in_that_language(
    twilio: FakeTwilio, client: Client, on_shift: dict[str, User]
) -> None:
    call = TwilioCall(client)
    twiml = call.start()
    gather = call.verb("Gather")
    assert gather.attrib["numDigits"] == "1"
    assert call.says() == [
        ("en-US", "For English, press 1."),
        ("es-MX", "Para español, oprima 2."),
        ("ko-KR", "한국어는 3번을 누르세요."),
    ]
    assert twiml[-1].tag == "Hangup"
    assert not Report.objects.exists(), "nothing is kept until the caller is put through"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("digit", "language", "locale", "rung"),
    [
        ("1", "en", "en-US", ["ana", "sam"]),
        ("2", "es", "es-MX", ["ana"]),
        ("3", "ko", "ko-KR", ["minjun"]),
    ],
)
def test_a_choice_rings_every_speaker_on_shift_from_the_hotlines_number(
    digit: str,
    language: str,
    locale: str,
    rung: list[str],
    twilio: FakeTwilio,
    client: Client,
    rota: FakeRota,
    on_shift: dict[str, User],
    published: list[events.Event],
) -> None:
    call = TwilioCall(client)
    call.start()
    twiml = call.press(digit)
    assert numbers_rung(twiml) == [on_shift[name].person.phone for name in rung]
    dial = call.verb("Dial")
    assert dial.attrib["callerId"] == HOTLINE, "dispatchers see the hotline, never the caller"
    assert CALLER not in ET.tostring(twiml, encoding="unicode")
    assert (dial.attrib["timeout"], dial.attrib["answerOnBridge"]) == ("25", "true")
    assert [lang for lang, _text in call.says()] == [locale], "asked to hold, in their language"
    [(at, asked)] = rota.asked
    assert asked == language and at is not None
    report = Report.objects.get()
    assert (report.channel, report.language, report.call_id) == (
        ReportChannel.CALL,
        language,
        call.sid,
    )
    assert report.caller == CALLER and report.status == ReportStatus.OPEN
    assert "90005" not in str(Report.objects.values().get()), "nothing else Twilio said is kept"
    assert [(e.kind, e.report_id) for e in published] == [(events.REPORT_NEW, report.id)]


def test_a_known_caller_skips_the_menu(
    twilio: FakeTwilio, client: Client, on_shift: dict[str, User]
) -> None:
    Person.objects.create(full_name="Hye-jin", phone=CALLER, preferred_language="ko")
    call = TwilioCall(client)
    twiml = call.start()
    assert twiml.find("Gather") is None
    assert numbers_rung(twiml) == [on_shift["minjun"].person.phone]
    assert Report.objects.get().language == "ko"


@pytest.mark.parametrize("odd", ["9", "0", "*", "#", "", "12", "hangup"])
def test_odd_keys_repeat_the_menu_once_then_go_on_in_english_with_advice_in_every_language(
    odd: str, twilio: FakeTwilio, client: Client, on_shift: dict[str, User]
) -> None:
    call = TwilioCall(client)
    call.start()
    call.press(odd)
    assert len(call.verb("Gather")) == 3, "the menu again"
    assert not Report.objects.exists()
    twiml = call.press(odd)
    assert twiml.find("Gather") is None, "never a third time"
    spoken = call.says()
    assert [lang for lang, _text in spoken] == ["en-US", "es-MX", "ko-KR", "en-US"]
    assert "warrant signed by a judge" in spoken[0][1]
    assert numbers_rung(twiml) == [on_shift["ana"].person.phone, on_shift["sam"].person.phone]
    assert Report.objects.get().language == "en"


# --- Who rings ------------------------------------------------------------------------------


def test_when_nobody_on_shift_speaks_it_everyone_on_shift_rings(
    rota: FakeRota, make_dispatcher: MakeDispatcher
) -> None:
    sam = make_dispatcher("sam", "+13235550173", ["en"])
    rota.shift = [sam]
    assert calls.ring_list("ko") == [sam.person.phone]
    assert [language for _at, language in rota.asked] == ["ko", None]


def test_when_nobody_is_on_shift_the_fallback_list_rings(
    twilio: FakeTwilio, client: Client, rota: FakeRota, make_dispatcher: MakeDispatcher
) -> None:
    coordinators = [
        make_dispatcher("lupe", "+13235550191", ["es"], role=Role.COORDINATOR),
        make_dispatcher("dae", "+13235550192", ["ko"], role=Role.COORDINATOR),
    ]
    rota.fallback = coordinators
    call = TwilioCall(client)
    call.start()
    twiml = call.press("2")
    assert numbers_rung(twiml) == ["+13235550191", "+13235550192"]
    assert call.verb("Dial").attrib["callerId"] == HOTLINE


def test_the_ring_list_leaves_out_the_unreachable_and_rings_at_most_ten(
    rota: FakeRota, make_dispatcher: MakeDispatcher, make_account: MakeAccount
) -> None:
    gone = make_dispatcher("gone", "+13235550170", ["es"])
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    no_person = make_account("noperson", Role.DISPATCHER)
    no_phone = make_dispatcher("nophone", "+13235550179", ["es"])
    Person.objects.filter(account=no_phone).update(phone="", phone_hash="")
    no_phone = User.objects.get(id=no_phone.id)  # as the rota reads it, phone gone
    many = [make_dispatcher(f"d{n}", f"+1323555{n + 200:04d}", ["es"]) for n in range(12)]
    rota.shift = [gone, no_phone, *many, many[0]]
    rota.fallback = [no_person]
    at = timezone.now() + timedelta(hours=5)
    numbers = calls.ring_list("es", at=at)
    assert numbers == [user.person.phone for user in many[:10]]
    assert rota.asked == [(at, "es")], "the time asked about goes to the rota"
    rota.shift = []
    assert calls.ring_list("es") == []


# --- Answered, or voicemail -----------------------------------------------------------------


def test_an_answered_call_is_a_report_for_the_console_and_texts_nobody(
    twilio: FakeTwilio, client: Client, on_shift: dict[str, User]
) -> None:
    call = TwilioCall(client)
    call.start()
    call.press("2")
    twiml = call.dial_ends("completed", seconds=240)
    assert [verb.tag for verb in twiml] == ["Hangup"]
    report = Report.objects.get()
    assert (report.channel, report.recording_url) == (ReportChannel.CALL, "")
    assert not OutboundMessage.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("status", ["no-answer", "busy", "failed"])
def test_nobody_answering_means_advice_a_voicemail_a_report_and_a_text_to_the_dispatchers(
    status: str,
    twilio: FakeTwilio,
    client: Client,
    on_shift: dict[str, User],
    published: list[events.Event],
) -> None:
    call = TwilioCall(client)
    call.start()
    call.press("1")
    twiml = call.dial_ends(status)
    record = call.verb("Record")
    assert int(record.attrib["maxLength"]) >= 60
    [(locale, advice), *_after] = call.says()
    assert locale == "en-US"
    assert "All our dispatchers are busy" in advice and "warrant signed by a judge" in advice
    assert twiml[-1].tag == "Hangup"
    assert Report.objects.get().channel == ReportChannel.VOICEMAIL
    assert not OutboundMessage.objects.exists(), "no text before there is a message"

    call.record(seconds=42)
    assert call.says()[0][1] == calls.thanks_script("en")[0].text
    assert call.twiml[-1].tag == "Hangup"
    assert call.recording is not None
    report = Report.objects.get()
    assert report.recording_url == call.recording[1]
    assert (report.caller, report.call_id, report.language) == (CALLER, call.sid, "en")

    texts = sorted(OutboundMessage.objects.all(), key=lambda t: t.address)
    assert [t.address for t in texts] == sorted(
        [on_shift["ana"].person.phone, on_shift["sam"].person.phone]
    )
    for text in texts:
        assert text.priority == Priority.ALERT and text.kind == calls.VOICEMAIL_TEXT
        assert f"#{report.id}" in text.body
        assert {"en": "voicemail", "es": "mensaje de voz"}[text.language] in text.body
        assert "5550161" not in text.body and "323" not in text.body, "never the caller's number"
        assert "api.twilio.com" not in text.body, "nor where the recording is"
    assert {t.language for t in texts} == {"es", "en"}, "each dispatcher's own language"

    assert call.recording_ready().status_code == 200
    assert OutboundMessage.objects.count() == 2, "the status callback adds nothing more"
    deliver_texts()
    assert sorted(form["To"] for form in twilio.received) == [t.address for t in texts]
    kinds = [e.kind for e in published]
    assert kinds == [events.REPORT_NEW, events.REPORT_CHANGED, events.REPORT_CHANGED]


def test_the_advice_is_the_coordinators_text_in_force_in_the_callers_language(
    twilio: FakeTwilio, client: Client, on_shift: dict[str, User], dispatcher: User
) -> None:
    services.do_save_content(
        dispatcher,
        ContentKind.VOICEMAIL_ADVICE,
        "es",
        "Todos están ocupados. No abra la puerta sin una orden firmada por un juez.",
        "",
        "",
    )
    call = TwilioCall(client)
    call.start()
    call.press("2")
    call.dial_ends("no-answer")
    assert call.says()[0] == ("es-MX", "Todos están ocupados. No abra la puerta sin una orden "
                              "firmada por un juez.")  # fmt: skip


def test_a_recording_known_first_from_its_status_callback_counts_once(
    twilio: FakeTwilio, client: Client, on_shift: dict[str, User]
) -> None:
    call = TwilioCall(client)
    call.start()
    call.press("3")
    call.dial_ends("no-answer")
    record = call.verb("Record")
    call.recording = (record, "https://api.twilio.com/2010-04-01/Recordings/RE1", 9)
    for _twice in range(2):
        assert call.recording_ready().status_code == 200
    call.record(url="https://api.twilio.com/2010-04-01/Recordings/RE1")
    assert Report.objects.get().recording_url.endswith("/RE1")
    [text] = OutboundMessage.objects.all()
    assert text.address == on_shift["minjun"].person.phone


def test_a_caller_who_hangs_up_while_it_rings_leaves_a_missed_call(
    twilio: FakeTwilio, client: Client, on_shift: dict[str, User]
) -> None:
    call = TwilioCall(client)
    call.start()
    call.press("2")
    assert [verb.tag for verb in call.dial_ends("canceled")] == ["Hangup"]
    report = Report.objects.get()
    assert (report.channel, report.recording_url) == (ReportChannel.CALL, "")
    assert not OutboundMessage.objects.exists()


def test_with_nobody_to_ring_the_caller_goes_straight_to_voicemail(
    twilio: FakeTwilio, client: Client, rota: FakeRota
) -> None:
    call = TwilioCall(client)
    call.start()
    twiml = call.press("2")
    assert twiml.find("Dial") is None
    call.verb("Record")
    assert Report.objects.get().channel == ReportChannel.VOICEMAIL
    call.record()
    assert Report.objects.get().recording_url
    assert not OutboundMessage.objects.exists(), "nobody to text either: the console shows it"


# --- Abuse and odd callers ------------------------------------------------------------------


@pytest.mark.parametrize("known", [False, True])
def test_a_blocked_number_hears_a_short_message_and_opens_nothing(
    known: bool, twilio: FakeTwilio, client: Client, on_shift: dict[str, User], dispatcher: User
) -> None:
    earlier = Report.objects.create(channel=ReportChannel.TEXT, caller=CALLER)
    assert services.do_block_number(dispatcher, earlier, "threats")
    if known:
        Person.objects.create(full_name="Caller", phone=CALLER, preferred_language="es")
    call = TwilioCall(client)
    twiml = call.start()
    assert [verb.tag for verb in twiml] == ["Say"] * (1 if known else 3) + ["Hangup"]
    script = calls.blocked_script("es" if known else "")
    assert [text for _lang, text in call.says()] == [
        step.text for step in script if isinstance(step, voice.Say)
    ]
    assert Report.objects.count() == 1 and not OutboundMessage.objects.exists()


def test_a_number_blocked_while_at_the_menu_rings_nobody(
    twilio: FakeTwilio, client: Client, on_shift: dict[str, User], dispatcher: User
) -> None:
    call = TwilioCall(client)
    call.start()
    services.do_block_number(
        dispatcher, Report.objects.create(channel=ReportChannel.TEXT, caller=CALLER)
    )
    twiml = call.press("1")
    assert twiml.find("Dial") is None and twiml[-1].tag == "Hangup"
    assert Report.objects.count() == 1


def test_calls_open_a_few_reports_an_hour_per_number_then_get_advice_only(
    twilio: FakeTwilio, client: Client, on_shift: dict[str, User], settings: Any
) -> None:
    settings.VECINOS_INTAKE_CALLS_PER_HOUR = 2
    for _call in range(2):
        call = TwilioCall(client)
        call.start()
        assert numbers_rung(call.press("2"))
    third = TwilioCall(client)
    third.start()
    twiml = third.press("2")
    assert twiml.find("Dial") is None and twiml.find("Record") is None
    spoken = [text for _lang, text in third.says()]
    said = [step.text for step in calls.over_limit_script("es") if isinstance(step, voice.Say)]
    assert spoken == said, "told their calls are in, then the rights, in Spanish"
    assert "juez de un tribunal" in spoken[1]
    assert twiml[-1].tag == "Hangup"
    assert Report.objects.count() == 2

    other = TwilioCall(client, caller="+13235550162")
    other.start()
    assert numbers_rung(other.press("2")), "other numbers are not limited"
    Report.objects.update(received_at=timezone.now() - timedelta(minutes=61))
    later = TwilioCall(client)
    later.start()
    assert numbers_rung(later.press("2")), "an hour later the number may report again"
    assert Report.objects.count() == 4


@pytest.mark.parametrize("caller", ["anonymous", "restricted", "", "+266696687"])
def test_a_hidden_caller_is_helped_and_reported_without_a_number(
    caller: str, twilio: FakeTwilio, client: Client, on_shift: dict[str, User], settings: Any
) -> None:
    settings.VECINOS_INTAKE_CALLS_PER_HOUR = 1
    for _call in range(2):
        call = TwilioCall(client, caller=caller)
        call.start()
        assert numbers_rung(call.press("3")) == [on_shift["minjun"].person.phone]
    call.dial_ends("no-answer")
    call.record()
    assert call.recording_ready().status_code == 200
    reports = Report.objects.all()
    assert len(reports) == 2
    assert {(r.caller, r.caller_hash) for r in reports} == {("", "")}
    assert OutboundMessage.objects.count() == 1


# --- Bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize("step", ["start", "menu", "dialed", "recording"])
@pytest.mark.parametrize("how", ["unsigned", "forged"])
def test_a_forged_or_unsigned_webhook_gets_403_and_stores_nothing(
    step: str,
    how: str,
    twilio: FakeTwilio,
    client: Client,
    on_shift: dict[str, User],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    call = TwilioCall(client)
    if step != "start":
        call.start()
    if step in ("dialed", "recording"):
        call.press("2")
    if step == "recording":
        call.dial_ends("no-answer")
    before = list(Report.objects.values())
    menu = "/hooks/twilio/voice/gathered?step=hotline.menu&attempt=1"
    dialed = "/hooks/twilio/voice/dialed?step=hotline.dialed&lang=es"
    recording = {"CallSid": call.sid, "RecordingStatus": "completed",
                 "RecordingUrl": "https://evil.example.org/r.mp3"}  # fmt: skip
    url, params = {
        "start": ("/hooks/twilio/voice", call.params()),
        "menu": (menu, call.params(Digits="2")),
        "dialed": (dialed, call.params(DialCallStatus="no-answer")),
        "recording": ("/hooks/twilio/voice/recording?step=hotline.recording", recording),
    }[step]
    if how == "unsigned":
        response = client.post(url, params)
    else:
        response = signed_post(client, url, params, token="guessed-token")
    assert response.status_code == 403
    assert list(Report.objects.values()) == before
    assert not OutboundMessage.objects.exists()
    assert "5550161" not in caplog.text


def test_a_recording_for_an_unknown_call_is_acknowledged_logged_and_stored_nowhere(
    twilio: FakeTwilio, client: Client, on_shift: dict[str, User], caplog: pytest.LogCaptureFixture
) -> None:
    stranger = TwilioCall(client)
    stranger.twiml = ET.fromstring(str(render(calls.voicemail_script("es"))))  # noqa: S314
    stranger.record()
    response = stranger.recording_ready()
    assert response.status_code == 200, "so that Twilio stops retrying"
    assert not Report.objects.exists() and not OutboundMessage.objects.exists()
    assert stranger.sid in caplog.text and "has no report" in caplog.text


def test_a_recording_at_an_odd_address_is_not_kept(
    twilio: FakeTwilio, client: Client, on_shift: dict[str, User]
) -> None:
    call = TwilioCall(client)
    call.start()
    call.press("2")
    voicemail = call.dial_ends("no-answer")
    for odd in ("javascript:alert(1)", "not a url", "https://x.org/" + "r" * 600):
        call.twiml = voicemail
        call.record(url=odd)
        assert call.recording_ready().status_code == 200
    assert Report.objects.get().recording_url == ""
    assert not OutboundMessage.objects.exists()


def test_repeated_webhooks_open_one_report_and_send_one_text_each(
    twilio: FakeTwilio, client: Client, on_shift: dict[str, User]
) -> None:
    call = TwilioCall(client)
    call.start()
    menu = call.twiml
    for _twice in range(2):
        call.twiml = menu
        assert numbers_rung(call.press("2"))
    dial = call.twiml
    for _twice in range(2):
        call.twiml = dial
        call.dial_ends("no-answer")
    call.record()
    for _again in range(3):
        assert call.recording_ready().status_code == 200
    report = Report.objects.get()
    assert report.channel == ReportChannel.VOICEMAIL
    assert OutboundMessage.objects.count() == 1


def test_a_hotline_step_that_fails_still_answers_the_caller(
    twilio: FakeTwilio,
    client: Client,
    on_shift: dict[str, User],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(language: str, at: datetime | None = None) -> list[str]:
        raise RuntimeError("the rota is down")

    call = TwilioCall(client)
    call.start()
    monkeypatch.setattr(calls, "ring_list", broken)
    call.press("2")
    assert call.says() and call.twiml[-1].tag == "Hangup"
    assert "hotline.menu" in caplog.text and "5550161" not in caplog.text


def test_the_hotline_answers_calls_and_continues_them() -> None:
    assert (calls.CALL_HANDLER, calls.answer_call) in voice.CALL_HANDLERS
    for name in (calls.MENU_STEP, calls.DIALED_STEP, calls.RECORDED_STEP, calls.RECORDING_STEP):
        assert name in voice.CALL_STEPS


# --- The phone simulator --------------------------------------------------------------------


@pytest.mark.parametrize(("answered", "channel"), [("yes", "call"), ("no", "voicemail")])
def test_the_phone_simulator_calls_through_the_hotlines_menu_and_ringing(
    answered: str,
    channel: str,
    coordinator: User,
    logged_in: Callable[[User], Client],
    on_shift: dict[str, User],
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = logged_in(coordinator)
    form = {"kind": "call", "call-caller": CALLER, "call-keys": "3", "call-answered": answered}
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/messages/simulator/", form).status_code == 302
    heard = client.get("/messages/simulator/").context["transcript"]
    said = [(line.language, line.text) for line in heard if not line.is_event]
    assert said[:3] == [
        ("en", "For English, press 1."),
        ("es", "Para español, oprima 2."),
        ("ko", "한국어는 3번을 누르세요."),
    ]
    events_heard = " ".join(line.text for line in heard if line.is_event)
    assert "presses 3" in events_heard and "1 phone rings, showing +12135550100" in events_heard
    report = Report.objects.get()
    assert (report.channel, report.language, report.caller) == (channel, "ko", CALLER)
    if answered == "no":
        assert report.recording_url.startswith("https://simulator.invalid/recordings/sim-call-")
        [text] = OutboundMessage.objects.all()
        assert text.address == on_shift["minjun"].person.phone
    else:
        assert not OutboundMessage.objects.exists()


def test_the_real_rota_decides_who_rings(
    twilio: FakeTwilio, client: Client, make_dispatcher: MakeDispatcher
) -> None:
    """No stand-in rota: a shift in the shifts app, on now, with a Spanish speaker and an
    English-only colleague; a shift later today with another Spanish speaker."""
    from vecinos.shifts.models import Shift

    now = timezone.localtime()
    lucia = make_dispatcher("lucia", "+12135550171", ["es", "en"])
    tom = make_dispatcher("tom", "+12135550172", ["en"])
    later = make_dispatcher("rosa", "+12135550173", ["es"])
    current = Shift.objects.create(
        weekday=(now - timedelta(hours=1)).weekday(),
        starts_at=(now - timedelta(hours=1)).time().replace(second=0, microsecond=0),
        ends_at=(now + timedelta(hours=2)).time().replace(second=0, microsecond=0),
    )
    current.dispatchers.set([lucia, tom])
    upcoming = Shift.objects.create(
        weekday=(now + timedelta(hours=5)).weekday(),
        starts_at=(now + timedelta(hours=5)).time().replace(second=0, microsecond=0),
        ends_at=(now + timedelta(hours=7)).time().replace(second=0, microsecond=0),
    )
    upcoming.dispatchers.set([later])
    call = TwilioCall(client)
    call.start()
    assert numbers_rung(call.press("2")) == ["+12135550171"]
