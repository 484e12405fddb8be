"""Every text responders and the community get about an incident, in the recipient's language.

Two things here are tables rather than translated strings, on purpose:

- the reply words (YES, SÍ, 네… and the digits 1 to 5): the reader must accept the words of every
  language whatever the catalogs say, and each text lists its reader's words and digits;
- the DRILL marker: a practice alert read as a real raid sends people into the street, so the
  marker must never depend on a catalog being complete.

Everything else is a translated sentence, rendered inside ``translation.override(language)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from vecinos.hotline.choices import IncidentStatus
from vecinos.messaging.text import clean
from vecinos.responders.choices import Answer

DRILL_WORDS = {"en": "DRILL", "es": "SIMULACRO", "ko": "훈련"}
# The word each text shows for each answer. Spanish leaves out accents: SÍ would make the whole
# text UCS-2 (2.3 times the segments), and the reader accepts it either way.
SHOWN_WORDS: dict[str, dict[str, str]] = {
    "en": {
        Answer.YES: "YES",
        Answer.NO: "NO",
        Answer.ARRIVED: "ARRIVED",
        Answer.CONFIRMED: "CONFIRMED",
        Answer.FALSE: "FALSE",
    },
    "es": {
        Answer.YES: "SI",
        Answer.NO: "NO",
        Answer.ARRIVED: "LLEGUE",
        Answer.CONFIRMED: "CONFIRMO",
        Answer.FALSE: "FALSO",
    },
    "ko": {
        Answer.YES: "네",
        Answer.NO: "아니요",
        Answer.ARRIVED: "도착",
        Answer.CONFIRMED: "확인",
        Answer.FALSE: "거짓",
    },
}
DIGITS: dict[str, str] = {
    Answer.YES: "1",
    Answer.NO: "2",
    Answer.ARRIVED: "3",
    Answer.CONFIRMED: "4",
    Answer.FALSE: "5",
}
# Every way of answering that is read, in any language (case and Latin accents do not matter;
# the longest match wins, so "no hay nada" is FALSE and "no puedo" is NO).
OTHER_WORDS: dict[str, str] = {
    "y": Answer.YES, "yeah": Answer.YES, "yep": Answer.YES, "going": Answer.YES,
    "on my way": Answer.YES, "omw": Answer.YES, "sí": Answer.YES, "voy": Answer.YES,
    "ya voy": Answer.YES, "en camino": Answer.YES, "voy en camino": Answer.YES,
    "예": Answer.YES, "응": Answer.YES, "갈게요": Answer.YES, "가요": Answer.YES,
    "n": Answer.NO, "can't": Answer.NO, "cant": Answer.NO, "cannot": Answer.NO,
    "no puedo": Answer.NO, "아니오": Answer.NO, "아뇨": Answer.NO, "못가요": Answer.NO,
    "못 가요": Answer.NO,
    "i'm here": Answer.ARRIVED, "im here": Answer.ARRIVED, "i am here": Answer.ARRIVED,
    "on scene": Answer.ARRIVED, "llegué": Answer.ARRIVED, "ya llegue": Answer.ARRIVED,
    "estoy aqui": Answer.ARRIVED, "도착했어요": Answer.ARRIVED, "도착했습니다": Answer.ARRIVED,
    "confirm": Answer.CONFIRMED, "confirmado": Answer.CONFIRMED, "confirmada": Answer.CONFIRMED,
    "확인했어요": Answer.CONFIRMED, "확인됨": Answer.CONFIRMED,
    "false alarm": Answer.FALSE, "nothing here": Answer.FALSE, "no agents": Answer.FALSE,
    "falsa": Answer.FALSE, "falsa alarma": Answer.FALSE, "no hay nada": Answer.FALSE,
    "no hay nadie": Answer.FALSE, "no hay agentes": Answer.FALSE, "허위": Answer.FALSE,
    "오보": Answer.FALSE,
}  # fmt: skip
# Longest place quoted in a text: a whole address line would cost a segment more for nothing.
PLACE_CHARS = 80


def reply_codes() -> dict[str, str]:
    """The reader's table for ``inbound.take_reply``: every shown word, every other word, and the
    digits, mapped to an :class:`Answer` value."""
    codes = {word.lower(): code for words in SHOWN_WORDS.values() for code, word in words.items()}
    codes.update(OTHER_WORDS)
    codes.update({digit: code for code, digit in DIGITS.items()})
    return codes


def drill_prefix(language: str, is_drill: bool) -> str:
    return f"{DRILL_WORDS.get(language, DRILL_WORDS['en'])}: " if is_drill else ""


def reply_word(language: str, answer: str) -> str:
    """How a text tells its reader to answer: "SI/1"."""
    words = SHOWN_WORDS.get(language, SHOWN_WORDS["en"])
    return f"{words[answer]}/{DIGITS[answer]}"


@dataclass(frozen=True)
class About:
    """What the texts say about an incident: its number, place and time, and whether it is a
    drill. Never who called, and never who responded."""

    number: int
    place: str
    at: datetime
    is_drill: bool

    def place_words(self) -> str:
        place = " ".join(self.place.split())
        if len(place) > PLACE_CHARS:
            place = place[: PLACE_CHARS - 1].rstrip() + "…"
        return place or _("the place the dispatcher will text you")

    def time_words(self) -> str:
        return timezone.localtime(self.at).strftime("%H:%M")


def _render(language: str, about: About, build: Callable[[], str]) -> str:
    """``build()`` in ``language``, marked DRILL for a drill, cleaned for SMS."""
    with translation.override(language):
        return clean(drill_prefix(language, about.is_drill) + build())


def alert(language: str, about: About) -> str:
    """The text that asks a responder to go and look."""

    def build() -> str:
        return _(
            "%(network)s alert #%(number)s: immigration agents reported at %(place)s. Can you go "
            "and look? Stay on public ground, keep your distance, film only if safe. Reply "
            "%(yes)s if you can go, %(no)s if not, %(arrived)s when there, %(confirmed)s if you "
            "see agents, %(false)s if nothing is there."
        ) % {
            "network": settings.VECINOS_NETWORK_NAME,
            "number": about.number,
            "place": about.place_words(),
            "yes": reply_word(language, Answer.YES),
            "no": reply_word(language, Answer.NO),
            "arrived": reply_word(language, Answer.ARRIVED),
            "confirmed": reply_word(language, Answer.CONFIRMED),
            "false": reply_word(language, Answer.FALSE),
        }

    return _render(language, about, build)


def going(language: str, about: About) -> str:
    """The answer to a YES: what to text next."""

    def build() -> str:
        return _(
            "#%(number)s: thank you, you are going. Reply %(arrived)s when there, %(confirmed)s "
            "if you see agents, %(false)s if nothing is there."
        ) % {
            "number": about.number,
            "arrived": reply_word(language, Answer.ARRIVED),
            "confirmed": reply_word(language, Answer.CONFIRMED),
            "false": reply_word(language, Answer.FALSE),
        }

    return _render(language, about, build)


def covered(language: str, about: About) -> str:
    """To responders who did not say YES once enough did."""

    def build() -> str:
        return _(
            "#%(number)s at %(place)s: enough responders are going. You are not needed this "
            "time. Thank you."
        ) % {"number": about.number, "place": about.place_words()}

    return _render(language, about, build)


def update(language: str, about: About, status: str) -> str | None:
    """To responders going to the incident, when it reaches ``status``; None when there is
    nothing to tell them about that step."""

    def build() -> str:
        values = {"number": about.number, "place": about.place_words()}
        if status == IncidentStatus.CONFIRMED:
            return (
                _(
                    "#%(number)s at %(place)s is confirmed; the community is being alerted. "
                    "Stay safe."
                )
                % values
            )
        if status == IncidentStatus.UNFOUNDED:
            return (
                _("#%(number)s at %(place)s was found to be unfounded. You can leave. Thank you.")
                % values
            )
        if status == IncidentStatus.UNVERIFIED:
            return _("#%(number)s at %(place)s could not be verified. Thank you.") % values
        return _("#%(number)s at %(place)s is over. You can leave. Thank you.") % values

    if status not in {
        IncidentStatus.CONFIRMED,
        IncidentStatus.UNFOUNDED,
        IncidentStatus.UNVERIFIED,
        IncidentStatus.RESOLVED,
    }:
        return None
    return _render(language, about, build)


def broad_alert(language: str, about: About) -> str:
    """The community alert for a confirmed incident."""

    def build() -> str:
        return _(
            "%(network)s: immigration agents confirmed by our responders at %(place)s "
            "(%(time)s). Do not open the door unless they show a warrant signed by a judge of a "
            "court. You have the right to remain silent. Text STOP to stop alerts."
        ) % {
            "network": settings.VECINOS_NETWORK_NAME,
            "place": about.place_words(),
            "time": about.time_words(),
        }

    return _render(language, about, build)


def all_clear(language: str, about: About) -> str:
    """After a broad alert, when the incident is resolved."""

    def build() -> str:
        return _(
            "%(network)s: all clear at %(place)s. The agents reported at %(time)s have left. "
            "Thank you for looking out for your neighbors."
        ) % {
            "network": settings.VECINOS_NETWORK_NAME,
            "place": about.place_words(),
            "time": about.time_words(),
        }

    return _render(language, about, build)


def correction(language: str, about: About) -> str:
    """For a rumor our responders found unfounded."""

    def build() -> str:
        return _(
            "%(network)s: correction. Our responders checked the report of immigration agents at "
            "%(place)s (%(time)s): it was false. There is no confirmed raid there."
        ) % {
            "network": settings.VECINOS_NETWORK_NAME,
            "place": about.place_words(),
            "time": about.time_words(),
        }

    return _render(language, about, build)
