"""Phone calls, vendor-neutral: what a call says, as a short script of steps.

Apps answer incoming calls by registering a call handler (the hotline will), so that routing stays
in one place, as with texts in :mod:`vecinos.messaging.inbound`. A handler returns a script; each
gateway's webhook renders the script in its own wire format (Twilio: TwiML). Scripts are plain
data and the functions that build them are pure, so they are tested without a phone.

A step that waits for something (keys pressed, a dial, a recording) names where the call goes on:
a step registered with :func:`register_call_step`, and the little state it needs. The gateway
carries that state in the callback address, which the provider signs, so nothing about a call is
kept between its steps unless an app chooses to (the hotline keeps a report). Add a step type only
with the gateway rendering that carries it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
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
# Phones one Dial may ring at once: Twilio's limit, and the lowest among providers we know.
MAX_DIAL_NUMBERS = 10


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


@dataclass(frozen=True)
class Next:
    """Where a call goes on after a step that waits: the registered step ``name``, given
    ``state`` back (short strings; the provider sees them, so never a phone number)."""

    name: str
    state: tuple[tuple[str, str], ...] = ()

    @classmethod
    def to(cls, name: str, **state: str) -> Next:
        return cls(name, tuple(sorted(state.items())))


@dataclass(frozen=True)
class Gather:
    """Say ``prompt`` and wait up to ``timeout`` seconds for ``digits`` keys; the call goes on at
    ``then`` with the keys pressed, or none."""

    prompt: tuple[Say | Pause, ...]
    then: Next
    digits: int = 1
    timeout: int = 6


@dataclass(frozen=True)
class Dial:
    """Ring ``numbers`` (E.164) all at once and connect the first to answer; the call goes on at
    ``then`` with how the ringing ended. The people rung see ``caller_id`` (one of our numbers),
    never the caller's, and the caller keeps hearing ringing until someone answers."""

    numbers: tuple[str, ...]
    caller_id: str
    then: Next
    timeout: int = 25

    def __post_init__(self) -> None:
        if not 1 <= len(self.numbers) <= MAX_DIAL_NUMBERS:
            raise ValueError(f"a dial rings 1 to {MAX_DIAL_NUMBERS} numbers")
        if not self.caller_id:
            raise ValueError("a dial needs one of our numbers as caller ID")


@dataclass(frozen=True)
class Record:
    """Record a message after a beep, of at most ``max_seconds``, ended by # or
    ``silence_seconds`` of silence. The call goes on at ``then`` when the caller stops; ``ready``
    is told when the recording can be fetched, which may be before or after ``then``."""

    then: Next
    ready: Next
    max_seconds: int = 180
    silence_seconds: int = 10


Step = Say | Pause | Hangup | Gather | Dial | Record
Script = list[Step]


class DialOutcome(StrEnum):
    """How a :class:`Dial` ended."""

    ANSWERED = "answered"
    NO_ANSWER = "no-answer"
    BUSY = "busy"
    FAILED = "failed"
    CANCELED = "canceled"  # the caller hung up while it rang


@dataclass(frozen=True)
class IncomingCall:
    """A call someone made to one of our numbers. Nothing about it is stored by messaging: the
    hotline will keep what it needs, with an expiry."""

    gateway: str
    call_id: str
    caller: str  # E.164, or "" when the caller hid their number or it is not a phone number
    person: Person | None  # whose number it is, when it is someone's
    number: str = ""  # the number of ours that was called (E.164), when the provider says


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


@dataclass(frozen=True)
class CallEvent:
    """What a waiting step learnt: the keys pressed (:class:`Gather`), how the ringing ended
    (:class:`Dial`), or the recording (:class:`Record`), with the state its :class:`Next` gave."""

    call: IncomingCall
    state: Mapping[str, str] = field(default_factory=dict)
    digits: str = ""
    dialed: DialOutcome | None = None
    recording_url: str = ""
    recording_seconds: int = 0


CallStep = Callable[[CallEvent], Script | None]
# Where calls go on, by the name a Next carries.
CALL_STEPS: dict[str, CallStep] = {}


def register_call_step(name: str, step: CallStep) -> None:
    """Let an app continue its calls at ``name`` (see :class:`Next`). ``step(event)`` returns
    what the call hears next; None when nothing is to be said (a recording that became ready).
    Steps run inside the provider's webhook, may be called twice for one event (providers retry),
    and must be idempotent."""
    CALL_STEPS.setdefault(name, step)


def _phone_or_blank(raw: str) -> str:
    try:
        return normalize_phone(raw)
    except InvalidPhoneNumberError:
        return ""


def incoming_call(*, gateway: str, call_id: str, caller: str, number: str = "") -> IncomingCall:
    """The call as apps see it. A hidden or malformed caller ("anonymous", "restricted", "")
    becomes an unknown caller rather than an error: anyone may call the hotline."""
    e164 = _phone_or_blank(caller)
    ours = _phone_or_blank(number)
    if not e164:
        return IncomingCall(gateway=gateway, call_id=call_id, caller="", person=None, number=ours)
    # Imported here: inbound → services → gateways → the Twilio adapter → this module.
    from vecinos.messaging.inbound import person_for

    return IncomingCall(
        gateway=gateway, call_id=call_id, caller=e164, person=person_for(e164), number=ours
    )


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


def continue_call(name: str, event: CallEvent) -> Script:
    """What the call hears after a waiting step: the script of the step registered as ``name``.

    An unknown or failing step is logged (with the call's id, never the caller's number) and the
    caller hears :func:`greeting` rather than the provider's "application error".
    """
    step = CALL_STEPS.get(name)
    if step is None:
        logger.warning("call %s went on at an unknown step %r", event.call.call_id, name[:60])
        return greeting(event.state.get("lang", ""))
    try:
        script = step(event)
    except Exception:
        logger.exception("call step %s failed on call %s", name, event.call.call_id)
        return greeting(event.state.get("lang", ""))
    return script if script is not None else []


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
