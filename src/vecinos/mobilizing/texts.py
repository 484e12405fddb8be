"""Every text people get about a mobilization, in the recipient's language.

As for responders' alerts (see responders/texts.py), the reply words are a table, not translated
strings: the reader must accept YES, SI and 네 whatever the catalogs say. Everything else is a
translated sentence, rendered inside ``translation.override(language)``.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from vecinos.messaging.text import clean
from vecinos.mobilizing.choices import Answer
from vecinos.mobilizing.models import Mobilization

# The word each text shows for each answer. Spanish leaves out the accent: SÍ would make the
# whole text UCS-2 (2.3 times the segments), and the reader accepts it either way.
SHOWN_WORDS: dict[str, dict[str, str]] = {
    "en": {Answer.YES: "YES", Answer.NO: "NO"},
    "es": {Answer.YES: "SI", Answer.NO: "NO"},
    "ko": {Answer.YES: "네", Answer.NO: "아니요"},
}
# Every word read as an answer, with the language it tells about an unknown sender ("" when it
# could be either: "no" is English and Spanish). CANCEL and CANCELAR are not here: they are
# opt-out keywords (messaging/keywords.py), and the outbox must stop texting whoever sends them.
WORDS: dict[str, tuple[str, str]] = {
    "yes": (Answer.YES, "en"), "y": (Answer.YES, "en"), "yeah": (Answer.YES, "en"),
    "yep": (Answer.YES, "en"), "i'm in": (Answer.YES, "en"), "im in": (Answer.YES, "en"),
    "going": (Answer.YES, "en"), "count me in": (Answer.YES, "en"), "sure": (Answer.YES, "en"),
    "ok": (Answer.YES, "en"), "okay": (Answer.YES, "en"),
    "si": (Answer.YES, "es"), "sí": (Answer.YES, "es"), "voy": (Answer.YES, "es"),
    "si voy": (Answer.YES, "es"), "ahi estare": (Answer.YES, "es"),
    "cuenten conmigo": (Answer.YES, "es"), "claro": (Answer.YES, "es"),
    "claro que si": (Answer.YES, "es"), "dale": (Answer.YES, "es"),
    "네": (Answer.YES, "ko"), "예": (Answer.YES, "ko"), "응": (Answer.YES, "ko"),
    "갈게요": (Answer.YES, "ko"), "참석": (Answer.YES, "ko"), "좋아요": (Answer.YES, "ko"),
    "1": (Answer.YES, ""),
    "no": (Answer.NO, ""), "n": (Answer.NO, "en"), "nope": (Answer.NO, "en"),
    "can't": (Answer.NO, "en"), "cant": (Answer.NO, "en"), "not going": (Answer.NO, "en"),
    "no puedo": (Answer.NO, "es"), "no voy": (Answer.NO, "es"),
    "아니요": (Answer.NO, "ko"), "아니오": (Answer.NO, "ko"), "아뇨": (Answer.NO, "ko"),
    "못가요": (Answer.NO, "ko"), "못 가요": (Answer.NO, "ko"), "불참": (Answer.NO, "ko"),
    "2": (Answer.NO, ""),
}  # fmt: skip
DIGITS = {Answer.YES: "1", Answer.NO: "2"}


def reply_codes() -> dict[str, str]:
    """The reader's table for ``inbound.take_reply``: every word and digit to an Answer."""
    return {words: code for words, (code, _language) in WORDS.items()}


def language_of(words: str) -> str:
    """The language a reply's words are in, or "" when they do not tell (NO, 1)."""
    return WORDS.get(words, ("", ""))[1]


def known_language(code: str) -> str:
    known = {language for language, _name in settings.LANGUAGES}
    return code if code in known else settings.LANGUAGE_CODE


def reply_word(language: str, answer: str) -> str:
    """How a text tells its reader to answer: "SI"."""
    return SHOWN_WORDS.get(language, SHOWN_WORDS["en"])[answer]


def when(mobilization: Mobilization) -> str:
    """The start as a reader in the current language says it: "March 14, 07:00". No weekday:
    Spanish abbreviations (sáb, mié) would make the whole SMS UCS-2."""
    local = timezone.localtime(mobilization.starts_at)
    return f"{formats.date_format(local, 'MONTH_DAY_FORMAT')}, {local:%H:%M}"


def _render(language: str, build: Callable[[], str]) -> str:
    with translation.override(known_language(language)):
        return clean(build())


def _values(mobilization: Mobilization, language: str) -> dict[str, str]:
    return {
        "network": settings.VECINOS_NETWORK_NAME,
        "title": mobilization.title,
        "when": when(mobilization),
        "place": mobilization.place,
        "code": mobilization.code,
        "yes": reply_word(language, Answer.YES),
        "no": reply_word(language, Answer.NO),
    }


def invitation(mobilization: Mobilization, language: str) -> str:
    return _render(
        language,
        lambda: (
            _(
                "%(network)s invites you: %(title)s, %(when)s, meeting at %(place)s. Reply "
                "%(yes)s %(code)s to come, %(no)s %(code)s if you can't."
            )
            % _values(mobilization, language)
        ),
    )


def invitation_by_email(mobilization: Mobilization, language: str) -> str:
    """An e-mail's answer is not read: it says to answer by text, or to an organizer."""
    return _render(
        language,
        lambda: (
            _(
                "%(network)s invites you: %(title)s, %(when)s, meeting at %(place)s. To come, text "
                "%(yes)s %(code)s to the number our text messages come from, or tell the organizer "
                "who invited you."
            )
            % _values(mobilization, language)
        ),
    )


def invitation_subject(mobilization: Mobilization, language: str) -> str:
    return _render(
        language,
        lambda: _("Invitation: %(title)s") % {"title": mobilization.title},
    )


def going(mobilization: Mobilization, language: str) -> str:
    return _render(
        language,
        lambda: (
            _(
                "%(network)s: you have a place at %(title)s, %(when)s, meeting at %(place)s. "
                "If you can't come after all, reply %(no)s %(code)s so someone else gets it."
            )
            % _values(mobilization, language)
        ),
    )


def waitlisted(mobilization: Mobilization, language: str, position: int) -> str:
    return _render(
        language,
        lambda: (
            _(
                "%(network)s: %(title)s is full. You are number %(position)s on the waitlist; "
                "we will text you as soon as a place frees up. Reply %(no)s %(code)s to leave "
                "the list."
            )
            % {**_values(mobilization, language), "position": position}
        ),
    )


def not_going(mobilization: Mobilization, language: str) -> str:
    return _render(
        language,
        lambda: (
            _(
                "%(network)s: thank you for letting us know. You are not on the list for "
                "%(title)s. Reply %(yes)s %(code)s if you change your mind."
            )
            % _values(mobilization, language)
        ),
    )


def promoted(mobilization: Mobilization, language: str) -> str:
    return _render(
        language,
        lambda: (
            _(
                "%(network)s: a place freed up at %(title)s and it is yours: %(when)s, meeting at "
                "%(place)s. If you can't come, reply %(no)s %(code)s so the next person gets it."
            )
            % _values(mobilization, language)
        ),
    )


def already_started(mobilization: Mobilization, language: str) -> str:
    return _render(
        language,
        lambda: (
            _("%(network)s: %(title)s has already started; answers are closed.")
            % _values(mobilization, language)
        ),
    )


def day_reminder(mobilization: Mobilization, language: str) -> str:
    return _render(
        language,
        lambda: (
            _(
                "%(network)s reminder: %(title)s, %(when)s, meeting at %(place)s. If you can't "
                "come, reply %(no)s %(code)s so someone on the waitlist gets your place."
            )
            % _values(mobilization, language)
        ),
    )


def hour_reminder(mobilization: Mobilization, language: str) -> str:
    return _render(
        language,
        lambda: (
            _("%(network)s: %(title)s starts in an hour, at %(when)s, at %(place)s. See you!")
            % _values(mobilization, language)
        ),
    )
