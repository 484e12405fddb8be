"""Call scripts (:mod:`vecinos.messaging.voice`) rendered as TwiML, the XML Twilio runs on a call.

The official library's VoiceResponse builds the XML, so text and addresses are always XML-escaped;
control characters, which XML cannot carry at all, are dropped first. A step that waits sends Twilio
back to one of our webhooks (:data:`CALLBACKS`) with the step's name and state in the query string,
which Twilio's signature covers.
"""

from __future__ import annotations

from typing import assert_never
from urllib.parse import urlencode

from django.conf import settings
from twilio.twiml.voice_response import Gather as GatherVerb  # type: ignore[import-untyped]
from twilio.twiml.voice_response import VoiceResponse

from vecinos.messaging.text import clean
from vecinos.messaging.voice import Dial, Gather, Hangup, Next, Pause, Record, Say, Script

# Our language → Twilio's locale and a voice that speaks it. The default voice ("man") has no
# Korean, and an unsupported pair fails the <Say>, so each language names its Amazon Polly voice.
VOICES: dict[str, tuple[str, str]] = {
    "en": ("en-US", "Polly.Joanna"),
    "es": ("es-MX", "Polly.Mia"),
    "ko": ("ko-KR", "Polly.Seoyeon"),
}
# The webhook each waiting step sends Twilio back to (see urls.py).
CALLBACKS = {
    "gathered": "/hooks/twilio/voice/gathered",
    "dialed": "/hooks/twilio/voice/dialed",
    "recorded": "/hooks/twilio/voice/recorded",
    "recording": "/hooks/twilio/voice/recording",
}
# The query parameter that names the step; the step's state travels beside it.
STEP_PARAMETER = "step"


def callback_url(callback: str, then: Next) -> str:
    """The absolute address Twilio calls back: it signs exactly this URL, query included."""
    query = urlencode([(STEP_PARAMETER, then.name), *then.state])
    return f"{settings.PUBLIC_URL}{CALLBACKS[callback]}?{query}"


def _say(parent: VoiceResponse | GatherVerb, step: Say | Pause) -> None:
    if isinstance(step, Say):
        locale, voice = VOICES.get(step.language, VOICES["en"])
        parent.say(clean(step.text), language=locale, voice=voice)
    else:
        parent.pause(length=max(1, step.seconds))


def render(script: Script) -> VoiceResponse:
    """The TwiML for ``script``: a pure function of its steps (and of VECINOS_PUBLIC_URL)."""
    response = VoiceResponse()
    for step in script:
        if isinstance(step, Say | Pause):
            _say(response, step)
        elif isinstance(step, Hangup):
            response.hangup()
        elif isinstance(step, Gather):
            # actionOnEmptyResult: no key pressed comes back too, so the step decides what then.
            gather = response.gather(
                input="dtmf",
                num_digits=step.digits,
                timeout=step.timeout,
                action=callback_url("gathered", step.then),
                action_on_empty_result=True,
            )
            for prompt in step.prompt:
                _say(gather, prompt)
        elif isinstance(step, Dial):
            # answerOnBridge: the caller hears ringing, not silence, until someone answers.
            dial = response.dial(
                caller_id=step.caller_id,
                answer_on_bridge=True,
                timeout=step.timeout,
                action=callback_url("dialed", step.then),
            )
            for number in step.numbers:
                dial.number(number)
        elif isinstance(step, Record):
            response.record(
                action=callback_url("recorded", step.then),
                max_length=step.max_seconds,
                timeout=step.silence_seconds,
                finish_on_key="#",
                play_beep=True,
                recording_status_callback=callback_url("recording", step.ready),
                recording_status_callback_event="completed",
            )
        else:
            assert_never(step)
    return response
