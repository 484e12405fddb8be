"""Every text a member gets about a vote, rendered in the language active when called (callers
wrap each in ``translation.override(language)``), and cleaned for SMS.

The answer words (YES, SI, 찬성…) come from :data:`voting.SHOWN_WORDS`, a table rather than the
catalogs: the reader must accept every language's words whatever the catalogs say.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from vecinos.assembly import voting
from vecinos.assembly.choices_proposals import Answer, VoteMethod
from vecinos.messaging.text import clean

if TYPE_CHECKING:
    from vecinos.assembly.models_proposals import Action, Vote, VoteOption

CODE_SHAPE = re.compile(r"^[A-Z]{2}[0-9]{2}$")
# A title or an option quoted in a text is cut at this length: a whole paragraph would cost
# segments for nothing (the web page has it all).
QUOTE_CHARS = 60


def looks_like_code(word: str) -> bool:
    return bool(CODE_SHAPE.match(word.upper()))


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1].rstrip() + "…"


def _until(vote: Vote) -> str:
    if vote.closes_at is None:
        return _("until the facilitator closes it")
    return _("until %(time)s") % {
        "time": formats.date_format(timezone.localtime(vote.closes_at), "D j M H:i")
    }


def how_to_answer(vote: Vote, options: list[VoteOption], language: str) -> str:
    """The part of a text that says what to reply, in ``language``'s words."""
    code = vote.code
    if vote.method == VoteMethod.CONSENSUS:
        return _(
            "Reply %(code)s %(agree)s, %(code)s %(aside)s (stand aside) or %(code)s %(block)s "
            "and your reason."
        ) % {
            "code": code,
            "agree": voting.answer_word(language, Answer.AGREE),
            "aside": voting.answer_word(language, Answer.STAND_ASIDE),
            "block": voting.answer_word(language, Answer.BLOCK),
        }
    if vote.method in {VoteMethod.MAJORITY, VoteMethod.TWO_THIRDS, VoteMethod.THREE_QUARTERS}:
        return _("Reply %(code)s %(yes)s, %(code)s %(no)s or %(code)s %(abstain)s.") % {
            "code": code,
            "yes": voting.answer_word(language, Answer.YES),
            "no": voting.answer_word(language, Answer.NO),
            "abstain": voting.answer_word(language, Answer.ABSTAIN),
        }
    listed = " ".join(f"{o.letter}) {_quote(o.label_in(language))}" for o in options)
    if vote.method == VoteMethod.DOTS:
        hint = _(
            "You have %(dots)s dots: reply %(code)s and one letter per dot, for example "
            "%(code)s A A B."
        ) % {"dots": vote.dots_per_voter, "code": code}
    elif vote.method == VoteMethod.SCORE:
        hint = _(
            "Give each option a score from 0 to %(high)s: reply %(code)s and a letter with its "
            "score, for example %(code)s A%(high)s B0."
        ) % {"high": vote.score_max, "code": code}
    else:
        hint = _(
            "Reply %(code)s and the letters in your order of preference, for example "
            "%(code)s B A C."
        ) % {"code": code}
    return f"{listed} {hint}"


def announcement(vote: Vote, options: list[VoteOption], language: str) -> str:
    """The text that opens a vote to members."""
    proposal = vote.proposal
    text = _('%(network)s: %(body)s votes on "%(title)s" %(until)s.') % {
        "network": settings.VECINOS_NETWORK_NAME,
        "body": proposal.assembly.name,
        "title": _quote(proposal.title_in(language)),
        "until": _until(vote),
    }
    if vote.secret:
        text += " " + _("Secret ballot: who voted is known, not how.")
    return clean(f"{text} {how_to_answer(vote, options, language)}")


def confirmed(vote: Vote, result: str, choice: voting.Choice) -> str:
    """The answer to a vote that counted. A secret ballot is not repeated back."""
    if result == "changed":
        text = _("%(code)s: your vote is changed. Only your latest vote counts.")
    elif result == "unchanged":
        text = _("%(code)s: we already have this vote from you. It counts once.")
    elif vote.secret:
        text = _("%(code)s: your vote is counted. It is a secret ballot.")
    else:
        text = _("%(code)s: your vote is counted. You can change it until voting closes.")
    return clean(text % {"code": vote.code})


def refused(vote: Vote, error: Exception) -> str:
    return clean(f"{vote.code}: {error}")


def unreadable(vote: Vote, letters: list[str], language: str, error: Exception) -> str:
    """A ballot that could not be read: why, and how to answer."""
    options = list(vote.options.all())
    return clean(
        _("%(code)s: %(error)s Your vote was not counted.") % {"code": vote.code, "error": error}
        + " "
        + how_to_answer(vote, options, language)
    )


def unknown_code(word: str) -> str:
    return clean(
        _(
            "%(code)s is not the code of any vote. Check the code in the text that announced "
            "the vote."
        )
        % {"code": word}
    )


def report_back_title(action: Action) -> str:
    return _("Report-back: %(action)s") % {"action": action.description}
