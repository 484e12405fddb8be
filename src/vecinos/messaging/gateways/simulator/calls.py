"""Calls from the pretend phones: the simulator plays the phone network's part in a call to us.

It walks the call's script as a provider would, through the same handler and registered steps as a
Twilio call, with the caller's choices given up front (the key pressed at a menu, whether someone
picks up), and returns what the caller heard. There is no audio: a voicemail's recording is an
address under the reserved ``.invalid`` domain, which can never be fetched.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from vecinos.messaging import voice
from vecinos.messaging.voice import (
    CallEvent,
    Dial,
    DialOutcome,
    Gather,
    Hangup,
    Pause,
    Record,
    Say,
    Script,
)

# The pretend hotline number the simulator's calls are made to (what dispatchers' phones show).
HOTLINE = "+12135550100"
RECORDINGS = "https://simulator.invalid/recordings/"
# A script that keeps coming back (a menu pressed wrong forever) ends here.
MAX_STEPS = 10


@dataclass(frozen=True)
class Choices:
    """What the person at the pretend phone does during the call."""

    keys: str = ""  # pressed at each menu; "" presses nothing
    answered: bool = False  # someone picks up when phones ring
    message_seconds: int = 20  # how long a voicemail they leave


@dataclass(frozen=True)
class Heard:
    """One line of the call: something said to the caller (with its language), or what happened."""

    text: str
    language: str = ""

    @property
    def is_event(self) -> bool:
        return not self.language


def place_call(caller: str, choices: Choices) -> list[Heard]:
    """Call the hotline from ``caller`` (E.164, or "" for a hidden number) and return what was
    said and done, in order."""
    call = voice.incoming_call(
        gateway="simulator", call_id=f"sim-call-{uuid.uuid4().hex}", caller=caller, number=HOTLINE
    )
    heard: list[Heard] = []
    script: Script | None = voice.answer(call)
    for _step in range(MAX_STEPS):
        if script is None:
            break
        script = _run(script, call, choices, heard)
    return heard


def _run(
    script: Script, call: voice.IncomingCall, choices: Choices, heard: list[Heard]
) -> Script | None:
    """Play ``script`` until it hangs up (None) or waits; then what the call hears next."""
    for step in script:
        if isinstance(step, Say):
            heard.append(Heard(step.text, step.language))
        elif isinstance(step, Pause):
            continue
        elif isinstance(step, Hangup):
            heard.append(Heard(_("The call ends.")))
            return None
        elif isinstance(step, Gather):
            heard.extend(Heard(s.text, s.language) for s in step.prompt if isinstance(s, Say))
            if choices.keys:
                heard.append(Heard(_("The caller presses %(keys)s.") % {"keys": choices.keys}))
            else:
                heard.append(Heard(_("The caller presses nothing.")))
            event = CallEvent(call, dict(step.then.state), digits=choices.keys)
            return voice.continue_call(step.then.name, event)
        elif isinstance(step, Dial):
            heard.append(
                Heard(
                    ngettext(
                        "%(count)s phone rings, showing %(number)s.",
                        "%(count)s phones ring at once, showing %(number)s.",
                        len(step.numbers),
                    )
                    % {"count": len(step.numbers), "number": step.caller_id}
                )
            )
            outcome = DialOutcome.ANSWERED if choices.answered else DialOutcome.NO_ANSWER
            heard.append(Heard(_("Someone answers.") if choices.answered else _("Nobody answers.")))
            event = CallEvent(call, dict(step.then.state), dialed=outcome)
            return voice.continue_call(step.then.name, event)
        elif isinstance(step, Record):
            heard.append(Heard(_("Beep. The caller leaves a message.")))
            url = f"{RECORDINGS}{call.call_id}"
            for then in (step.ready, step.then):
                event = CallEvent(
                    call,
                    dict(then.state),
                    recording_url=url,
                    recording_seconds=choices.message_seconds,
                )
                after = voice.continue_call(then.name, event)
            return after
    heard.append(Heard(_("The call ends.")))
    return None
