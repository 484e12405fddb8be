"""Call scripts (:mod:`vecinos.messaging.voice`) rendered as TwiML, the XML Twilio runs on a call.

The official library's VoiceResponse builds the XML, so text is always XML-escaped; control
characters, which XML cannot carry at all, are dropped first.
"""

from __future__ import annotations

from typing import assert_never

from twilio.twiml.voice_response import VoiceResponse  # type: ignore[import-untyped]

from vecinos.messaging.text import clean
from vecinos.messaging.voice import Hangup, Pause, Say, Script

# Our language → Twilio's locale and a voice that speaks it. The default voice ("man") has no
# Korean, and an unsupported pair fails the <Say>, so each language names its Amazon Polly voice.
VOICES: dict[str, tuple[str, str]] = {
    "en": ("en-US", "Polly.Joanna"),
    "es": ("es-MX", "Polly.Mia"),
    "ko": ("ko-KR", "Polly.Seoyeon"),
}


def render(script: Script) -> VoiceResponse:
    """The TwiML for ``script``: a pure function of its steps."""
    response = VoiceResponse()
    for step in script:
        if isinstance(step, Say):
            locale, voice = VOICES.get(step.language, VOICES["en"])
            response.say(clean(step.text), language=locale, voice=voice)
        elif isinstance(step, Pause):
            response.pause(length=max(1, step.seconds))
        elif isinstance(step, Hangup):
            response.hangup()
        else:
            assert_never(step)
    return response
