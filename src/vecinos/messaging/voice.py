"""Phone calls, vendor-neutral: what a call says, as a short script of steps.

Apps answer incoming calls by registering a call handler (the hotline will), so that routing stays
in one place, as with texts in :mod:`vecinos.messaging.inbound`. A handler returns a script; each
gateway's webhook renders the script in its own wire format (Twilio: TwiML). Scripts are plain
data and the functions that build them are pure, so they are tested without a phone.

Add a step type only with the gateway rendering that carries it (Gather, Dial and Record will come
with the hotline's menu).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from vecinos.core.phones import InvalidPhoneNumberError, normalize_phone

if TYPE_CHECKING:
    from vecinos.organizing.models import Person

logger = logging.getLogger(__name__)

# The languages a call can speak, in the order a stranger hears them.
CALL_LANGUAGES = ("en", "es", "ko")


@dataclass(frozen=True)
class Say:
    """Speak ``text`` in ``language`` (one of :data:`CALL_LANGUAGES`)."""

    text: str
    language: str


@dataclass(frozen=True)
class Pause:
    """Silence, so that a change of language or a repeat is heard as such."""

    seconds: int = 1


@dataclass(frozen=True)
class Hangup:
    """End the call."""


Step = Say | Pause | Hangup
Script = list[Step]


@dataclass(frozen=True)
class IncomingCall:
    """A call someone made to one of our numbers. Nothing about it is stored by messaging: the
    hotline will keep what it needs, with an expiry."""

    gateway: str
    call_id: str
    caller: str  # E.164, or "" when the caller hid their number or it is not a phone number
    person: Person | None  # whose number it is, when it is someone's


CallHandler = Callable[[IncomingCall], Script | None]
# Apps' answers to calls, in registration order; the first that returns a script answers.
CALL_HANDLERS: list[tuple[str, CallHandler]] = []


def register_call_handler(name: str, handler: CallHandler) -> None:
    """Let an app answer incoming calls (the hotline's language menu and dispatcher ring).

    ``handler(call)`` returns a script, or None to leave the call to the next handler. It runs
    inside the provider's webhook request, which the provider waits on: keep it quick.
    """
    if all(existing != name for existing, _handler in CALL_HANDLERS):
        CALL_HANDLERS.append((name, handler))


def incoming_call(*, gateway: str, call_id: str, caller: str) -> IncomingCall:
    """The call as apps see it. A hidden or malformed caller ("anonymous", "restricted", "")
    becomes an unknown caller rather than an error: anyone may call the hotline."""
    try:
        e164 = normalize_phone(caller)
    except InvalidPhoneNumberError:
        return IncomingCall(gateway=gateway, call_id=call_id, caller="", person=None)
    # Imported here: inbound → services → gateways → the Twilio adapter → this module.
    from vecinos.messaging.inbound import person_for

    return IncomingCall(gateway=gateway, call_id=call_id, caller=e164, person=person_for(e164))


def answer(call: IncomingCall) -> Script:
    """What the call hears: the first registered handler's script, or :func:`greeting`.

    A handler that fails is skipped (and logged, without the caller's number): a caller in trouble
    must hear something better than the provider's "application error".
    """
    for name, handler in CALL_HANDLERS:
        try:
            script = handler(call)
        except Exception:
            logger.exception("call handler %s failed on call %s", name, call.call_id)
            continue
        if script is not None:
            return script
    return greeting(call.person.preferred_language if call.person is not None else "")


def greeting(language: str = "") -> Script:
    """Who we are and that this number takes texts, then hang up. In ``language`` when we know
    the caller's, otherwise in each of :data:`CALL_LANGUAGES` in turn."""
    languages = [language] if language in CALL_LANGUAGES else list(CALL_LANGUAGES)
    script: Script = []
    for code in languages:
        with translation.override(code):
            text = _(
                "This is %(name)s, your neighborhood's rapid response network. To reach us, "
                "send a text message to this number."
            ) % {"name": settings.VECINOS_NETWORK_NAME}
        if script:
            script.append(Pause(1))
        script.append(Say(text, code))
    return [*script, Hangup()]


def message_call(body: str, language: str) -> Script:
    """An outgoing call that reads a message, twice: the first words of a call are often missed
    while the phone is brought to the ear."""
    language = language if language in CALL_LANGUAGES else settings.LANGUAGE_CODE
    return [Say(body, language), Pause(2), Say(body, language), Hangup()]
