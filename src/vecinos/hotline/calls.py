"""Calls to the hotline: a language menu, then every on-shift dispatcher who speaks the caller's
language ringing at once, and a voicemail when nobody answers within 25 seconds.

The call is a chain of steps (:mod:`vecinos.messaging.voice`); the gateway renders each script
(Twilio: TwiML) and comes back to the next step with what happened. The script builders below are
pure; the steps around them open and update the call's report:

- The report is opened when the dispatchers' phones start ringing (channel CALL), so that it is
  on the console before anyone picks up, and the dispatcher who answers fills it in there.
- Nobody answers: the report becomes a VOICEMAIL; the caller hears the voicemail advice and leaves
  a message, whose recording is added to the report, and the dispatchers who were rung get a text.
- Blocked numbers hear a short message and open nothing; a number that already opened
  ``VECINOS_INTAKE_CALLS_PER_HOUR`` reports in the last hour hears the advice and rings nobody.
- A hidden number is helped like any other, and its report has no number to call back.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from vecinos.hotline import content, events
from vecinos.hotline.choices import ContentKind, ReportChannel
from vecinos.hotline.models import Report
from vecinos.hotline.services import is_blocked, phone_hashes
from vecinos.messaging import services as messaging
from vecinos.messaging import voice
from vecinos.messaging.choices import Channel, Priority
from vecinos.messaging.voice import (
    CallEvent,
    Dial,
    DialOutcome,
    Gather,
    Hangup,
    IncomingCall,
    Next,
    Pause,
    Record,
    Say,
    Script,
)
from vecinos.organizing.models import Person
from vecinos.shifts import queries as shifts_rota

if TYPE_CHECKING:
    from vecinos.core.models import User

logger = logging.getLogger(__name__)

CALL_HANDLER = "hotline.call"
MENU_STEP = "hotline.menu"
DIALED_STEP = "hotline.dialed"
RECORDED_STEP = "hotline.recorded"
RECORDING_STEP = "hotline.recording"
VOICEMAIL_TEXT = "hotline.voicemail_text"

MENU_DIGITS = {"1": "en", "2": "es", "3": "ko"}
# Each line of the menu is spoken in the language it offers, like the names in a language
# switcher: there is nothing to translate, and a caller who speaks only one of them understands it.
MENU_PROMPTS = {
    "en": "For English, press 1.",
    "es": "Para español, oprima 2.",
    "ko": "한국어는 3번을 누르세요.",
}
# A caller who pressed nothing useful hears the menu this many times in all, then goes on in
# English after the short advice in every language.
MENU_TRIES = 2
MENU_SECONDS = 6
RING_SECONDS = 25
VOICEMAIL_SECONDS = 180
RECORDING_URL_LENGTH = 500  # Report.recording_url's max_length


# --- Who to ring ------------------------------------------------------------------------------


class Rota(Protocol):
    """Who is on duty: the shifts app's module of ``on_shift`` and ``fallback_contacts`` has this
    shape (each account with its ``person``, whose phone is rung)."""

    def on_shift(self, at: datetime | None = None, language: str | None = None) -> list[User]: ...

    def fallback_contacts(self) -> list[User]: ...


# The rota that :func:`ring_list` reads: the one place calls learn who is on duty (the shifts
# app's rota and fallback list); tests set a rota of their own.
rota: Rota = shifts_rota


def ring_list(language: str, at: datetime | None = None) -> list[str]:
    """The phones (E.164) to ring at once for a caller speaking ``language`` at ``at`` (now):
    the dispatchers on shift who speak it; if none does, everyone on shift, since a person who
    answers can still help or find an interpreter; if nobody is on shift at all, the coordinators'
    fallback list. Deactivated accounts and people without a phone are left out; at most
    :data:`voice.MAX_DIAL_NUMBERS` numbers."""
    users = rota.on_shift(at=at, language=language) or rota.on_shift(at=at)
    if not users:
        users = rota.fallback_contacts()
    phones = []
    for user in users:
        # An account without a person (so without a phone) has none: getattr's None.
        person: Person | None = getattr(user, "person", None)
        if user.is_active and person is not None and person.phone:
            phones.append(person.phone)
    return list(dict.fromkeys(phones))[: voice.MAX_DIAL_NUMBERS]


# --- What the caller hears (pure) -------------------------------------------------------------


def menu_script(attempt: int = 1) -> Script:
    """The language menu, each line in its own language."""
    prompt: list[Say | Pause] = [Say(MENU_PROMPTS[code], code) for code in voice.CALL_LANGUAGES]
    then = Next.to(MENU_STEP, attempt=str(attempt))
    return [Gather(tuple(prompt), then, digits=1, timeout=MENU_SECONDS), Hangup()]


def short_advice(language: str) -> Say:
    """The rights to remember, short enough for a caller who may not understand the rest."""
    with translation.override(language):
        text = _(
            "Keep the door closed unless they show a warrant signed by a judge of a court. You "
            "have the right to remain silent. Do not sign anything."
        )
    return Say(text, language)


def advice_for_everyone() -> Script:
    """The short advice in every language of the menu, for a caller who chose none."""
    return [short_advice(code) for code in voice.CALL_LANGUAGES]


def ring_script(numbers: list[str], caller_id: str, language: str) -> Script:
    """Tell the caller to hold, and ring the dispatchers with the hotline's number as caller ID."""
    with translation.override(language):
        hold = _("Please hold: we are calling a dispatcher for you.")
    then = Next.to(DIALED_STEP, lang=language)
    return [Say(hold, language), Dial(tuple(numbers), caller_id, then, timeout=RING_SECONDS)]


def voicemail_script(language: str) -> Script:
    """The voicemail advice (the coordinators' text in force), a beep, and the recording."""
    advice = content.current(ContentKind.VOICEMAIL_ADVICE, language).body
    with translation.override(language):
        nothing = _("We did not hear a message. If you can, call again or send us a text.")
    record = Record(
        then=Next.to(RECORDED_STEP, lang=language),
        ready=Next.to(RECORDING_STEP),
        max_seconds=VOICEMAIL_SECONDS,
    )
    # The lines after the recording are heard only when nothing was recorded: Twilio goes on to
    # the recording's own step otherwise.
    return [Say(advice, language), record, Say(nothing, language), Hangup()]


def thanks_script(language: str) -> Script:
    with translation.override(language):
        text = _("Thank you. A dispatcher will listen to your message and call you back.")
    return [Say(text, language), Hangup()]


def over_limit_script(language: str) -> Script:
    """For a number over the hourly limit: its reports are in; the advice again, then goodbye."""
    with translation.override(language):
        text = _(
            "We have your earlier calls, and a dispatcher will call you back. Meanwhile, "
            "remember your rights."
        )
    return [Say(text, language), short_advice(language), Hangup()]


def blocked_script(language: str = "") -> Script:
    """A blocked number hears this, in its language if known, and the call ends."""
    languages = [language] if language in voice.CALL_LANGUAGES else list(voice.CALL_LANGUAGES)
    script: Script = []
    for code in languages:
        with translation.override(code):
            script.append(Say(_("This number cannot reach the hotline. Goodbye."), code))
    return [*script, Hangup()]


# --- The steps --------------------------------------------------------------------------------


def known_language(call: IncomingCall) -> str:
    """The caller's saved language, when they are someone we know and the menu offers it."""
    language = call.person.preferred_language if call.person is not None else ""
    return language if language in voice.CALL_LANGUAGES else ""


def answer_call(call: IncomingCall) -> Script:
    """The call handler: a blocked number is told so; a known caller skips the menu."""
    if call.caller and is_blocked(call.caller):
        logger.info("call %s from a blocked number was ended", call.call_id)
        return blocked_script(known_language(call))
    language = known_language(call)
    return connect(call, language) if language else menu_script(1)


def on_menu(event: CallEvent) -> Script:
    """A key pressed at the menu (or none): ring in the chosen language, ask again, or go on in
    English with the advice in every language."""
    language = MENU_DIGITS.get(event.digits.strip())
    if language:
        return connect(event.call, language)
    try:
        attempt = max(1, int(event.state.get("attempt", "1")))
    except ValueError:
        attempt = MENU_TRIES
    if attempt < MENU_TRIES:
        return menu_script(attempt + 1)
    return connect(event.call, "en", lead=advice_for_everyone())


def connect(call: IncomingCall, language: str, lead: Script | None = None) -> Script:
    """Open the call's report and ring the dispatchers, or go straight to voicemail when there is
    nobody to ring. ``lead`` is said first."""
    lead = lead or []
    if call.caller and is_blocked(call.caller):
        return blocked_script(language)
    now = timezone.now()
    if call.caller and over_limit(call, now):
        logger.info("call %s is over its number's hourly limit: advice only", call.call_id)
        return [*lead, *over_limit_script(language)]
    numbers = ring_list(language, at=now)
    if numbers and call.number:
        open_report(call, language, ReportChannel.CALL, now)
        return [*lead, *ring_script(numbers, call.number, language)]
    open_report(call, language, ReportChannel.VOICEMAIL, now)
    return [*lead, *voicemail_script(language)]


def on_dialed(event: CallEvent) -> Script:
    """The ringing ended. Answered: the conversation is over. Otherwise: voicemail. A caller who
    hung up while it rang leaves a missed call on the console."""
    language = _language(event)
    if event.dialed in (DialOutcome.ANSWERED, DialOutcome.CANCELED):
        return [Hangup()]
    report = open_report(event.call, language, ReportChannel.VOICEMAIL, timezone.now())
    if report.channel != ReportChannel.VOICEMAIL:
        with transaction.atomic():
            if Report.objects.filter(id=report.id, channel=ReportChannel.CALL).update(
                channel=ReportChannel.VOICEMAIL
            ):
                events.publish(events.REPORT_CHANGED, report_id=report.id)
    return voicemail_script(language)


def on_recorded(event: CallEvent) -> Script:
    """The caller finished their message: keep it (if its recording is already known) and thank
    them."""
    if event.recording_url:
        take_voicemail(event.call.call_id, event.recording_url)
    return thanks_script(_language(event))


def on_recording(event: CallEvent) -> None:
    """The recording can be listened to now."""
    take_voicemail(event.call.call_id, event.recording_url)


def _language(event: CallEvent) -> str:
    language = event.state.get("lang", "")
    return language if language in voice.CALL_LANGUAGES else settings.LANGUAGE_CODE


# --- Reports ----------------------------------------------------------------------------------


def over_limit(call: IncomingCall, now: datetime) -> bool:
    """Whether the caller's number already opened the most call reports an hour allows (this
    call's own report, should a webhook be repeated, not counted)."""
    recent = (
        Report.objects.filter(
            caller_hash__in=phone_hashes(call.caller),
            channel__in=[ReportChannel.CALL, ReportChannel.VOICEMAIL],
            received_at__gte=now - timedelta(hours=1),
        )
        .exclude(call_id=call.call_id)
        .count()
    )
    return recent >= settings.VECINOS_INTAKE_CALLS_PER_HOUR


def open_report(call: IncomingCall, language: str, channel: str, now: datetime) -> Report:
    """The call's report, opened now unless a repeated webhook already did. The caller's number
    is sealed in it (none for a hidden number)."""
    existing = Report.objects.filter(call_id=call.call_id).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            report = Report.objects.create(
                received_at=now,
                channel=channel,
                language=language,
                caller=call.caller,
                call_id=call.call_id,
            )
            events.publish(events.REPORT_NEW, report_id=report.id)
    except IntegrityError:  # the same step arrived twice at once
        return Report.objects.get(call_id=call.call_id)
    return report


def take_voicemail(call_id: str, recording_url: str, now: datetime | None = None) -> Report | None:
    """Add a voicemail's recording to its call's report and text the dispatchers of the caller's
    language that it came in. Idempotent: the provider may tell us twice (the recording's end and
    its status callback), and only the first adds it and sends the texts.

    Returns the report, or None for a call we have no report of (logged, nothing stored) or an
    address that is not a web address.
    """
    try:
        URLValidator(schemes=["https", "http"])(recording_url)
    except ValidationError:
        logger.warning("call %s: the recording's address is not a web address", call_id[:64])
        return None
    if len(recording_url) > RECORDING_URL_LENGTH:
        logger.warning("call %s: the recording's address is too long to keep", call_id[:64])
        return None
    now = now or timezone.now()
    with transaction.atomic():
        report = Report.objects.filter(call_id=call_id).first() if call_id else None
        if report is None:
            logger.warning("a recording came for call %s, which has no report", call_id[:64])
            return None
        added = Report.objects.filter(id=report.id, recording_url="").update(
            recording_url=recording_url, channel=ReportChannel.VOICEMAIL
        )
        if not added:
            return report
        report.refresh_from_db()
        tell_dispatchers(report, now)
        events.publish(events.REPORT_CHANGED, report_id=report.id)
    return report


def tell_dispatchers(report: Report, now: datetime) -> int:
    """Text the people who were rung for this language that a voicemail came in, each in their
    own language. The text never holds the caller's number or the recording's address: both stay
    on the console, behind a login. Call inside the transaction that added the voicemail."""
    numbers = ring_list(report.language, at=now)
    people = {p.phone: p for p in Person.objects.filter(phone_hash__in=_hashes(numbers))}
    when = timezone.localtime(report.received_at)
    for number in numbers:
        person = people.get(number)
        language = person.preferred_language if person is not None else settings.LANGUAGE_CODE
        with translation.override(language):
            body = _(
                "%(network)s hotline: a voicemail in %(language)s came in at %(time)s (report "
                "%(report)s). Listen to it and call back from the console."
            ) % {
                "network": settings.VECINOS_NETWORK_NAME,
                "language": translation.get_language_info(report.language)["name_translated"],
                "time": formats.time_format(when),
                "report": f"#{report.id}",
            }
        messaging.queue_message(
            channel=Channel.SMS,
            address=number,
            body=body,
            kind=VOICEMAIL_TEXT,
            person=person,
            language=language,
            priority=Priority.ALERT,
        )
    return len(numbers)


def _hashes(numbers: list[str]) -> list[str]:
    return [hashed for number in numbers for hashed in phone_hashes(number)]


def register() -> None:
    """Answer calls to the hotline (called from the app's ready())."""
    voice.register_call_handler(CALL_HANDLER, answer_call)
    voice.register_call_step(MENU_STEP, on_menu)
    voice.register_call_step(DIALED_STEP, on_dialed)
    voice.register_call_step(RECORDED_STEP, on_recorded)
    voice.register_call_step(RECORDING_STEP, on_recording)
