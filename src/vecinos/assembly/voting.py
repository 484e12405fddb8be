"""Reading ballots and counting a vote: the web, texts and the room merged into one count.

Ballots are read here from what people type (a text after its code, a paper ballot typed in by
the facilitator, one line each) and counted with :mod:`vecinos.assembly.counting`, the same code
that counts paper ballots from a spreadsheet. Nothing here writes to the database.

How each method reads and counts:

- majority, two-thirds, three-quarters: yes / no / abstain. Abstentions are reported but are not
  in the base (see ``counting.decide_motion``). The room's hands are counted per answer.
- consensus: agree / stand aside / block; one block stops the proposal, its reason is recorded.
- instant runoff and full ranking: letters in order of preference ("B A C"). The room's paper
  ballots are typed in, one a line, in the same form.
- dots: one letter per dot ("A A B"); the room's dots are counted per option.
- score: a letter and a score per option ("A5 B3 C0"); options left out are blank.
- every method: ABSTAIN (or an empty ballot for the ranked methods).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from vecinos.assembly import counting
from vecinos.assembly.choices_proposals import (
    BALLOT_METHODS,
    QUESTION_METHODS,
    Answer,
    Outcome,
    VoteMethod,
)
from vecinos.messaging.keywords import normalize

if TYPE_CHECKING:
    from vecinos.assembly.models_proposals import Vote

THRESHOLDS: dict[str, counting.Threshold] = {
    VoteMethod.MAJORITY: counting.Threshold.MAJORITY,
    VoteMethod.TWO_THIRDS: counting.Threshold.TWO_THIRDS,
    VoteMethod.THREE_QUARTERS: counting.Threshold.THREE_QUARTERS,
}
MOTION_ANSWERS = (Answer.YES, Answer.NO, Answer.ABSTAIN)
CONSENSUS_ANSWERS = (Answer.AGREE, Answer.STAND_ASIDE, Answer.BLOCK, Answer.ABSTAIN)

# The words each text shows for each answer (without accents: one accent makes a text UCS-2).
SHOWN_WORDS: dict[str, dict[str, str]] = {
    "en": {
        Answer.YES: "YES", Answer.NO: "NO", Answer.ABSTAIN: "ABSTAIN",
        Answer.AGREE: "AGREE", Answer.STAND_ASIDE: "ASIDE", Answer.BLOCK: "BLOCK",
    },
    "es": {
        Answer.YES: "SI", Answer.NO: "NO", Answer.ABSTAIN: "ABSTENCION",
        Answer.AGREE: "ACUERDO", Answer.STAND_ASIDE: "APARTE", Answer.BLOCK: "BLOQUEO",
    },
    "ko": {
        Answer.YES: "찬성", Answer.NO: "반대", Answer.ABSTAIN: "기권",
        Answer.AGREE: "동의", Answer.STAND_ASIDE: "유보", Answer.BLOCK: "거부",
    },
}  # fmt: skip
# Every word read as an answer, in any language (compared as keywords.normalize leaves them).
OTHER_WORDS: dict[str, str] = {
    "y": Answer.YES, "yeah": Answer.YES, "sí": Answer.YES, "a favor": Answer.YES,
    "예": Answer.YES, "네": Answer.YES,
    "n": Answer.NO, "en contra": Answer.NO, "아니요": Answer.NO,
    "abstain": Answer.ABSTAIN, "abstention": Answer.ABSTAIN, "abstencion": Answer.ABSTAIN,
    "abstengo": Answer.ABSTAIN, "me abstengo": Answer.ABSTAIN,
    "agree": Answer.AGREE, "de acuerdo": Answer.AGREE, "acuerdo": Answer.AGREE,
    "stand aside": Answer.STAND_ASIDE, "aside": Answer.STAND_ASIDE, "aparte": Answer.STAND_ASIDE,
    "me hago a un lado": Answer.STAND_ASIDE, "a un lado": Answer.STAND_ASIDE,
    "block": Answer.BLOCK, "bloqueo": Answer.BLOCK, "bloquear": Answer.BLOCK,
    "거부": Answer.BLOCK, "차단": Answer.BLOCK,
}  # fmt: skip


class BallotError(ValueError):
    """A ballot that cannot be read or counted. ``str()`` is a sentence for the voter,
    translated into the language active when it is shown."""

    def __init__(self, message: Promise | str, **values: Any) -> None:
        super().__init__(message)
        self.message = message
        self.values = values

    def __str__(self) -> str:
        return str(self.message) % self.values if self.values else str(self.message)


@dataclass(frozen=True)
class Choice:
    """One person's (or one paper ballot's) vote, whatever the method."""

    answer: str = ""  # an Answer value, for the yes/no and consensus methods
    ranking: tuple[str, ...] = ()  # option letters, first choice first
    points: dict[str, int] = field(default_factory=dict)  # letter -> dots or score
    abstain: bool = False
    reason: str = ""  # a block's reason

    def as_json(self) -> dict[str, Any]:
        if self.abstain:
            return {"abstain": True}
        if self.answer:
            return {"answer": self.answer}
        if self.ranking:
            return {"ranking": list(self.ranking)}
        return {"points": dict(self.points)}

    @classmethod
    def from_json(cls, data: dict[str, Any], reason: str = "") -> Choice:
        return cls(
            answer=str(data.get("answer", "")),
            ranking=tuple(data.get("ranking", ())),
            points={str(k): int(v) for k, v in (data.get("points") or {}).items()},
            abstain=bool(data.get("abstain")),
            reason=reason,
        )


def answers_for(method: str) -> tuple[str, ...]:
    """The answers a yes/no or consensus vote offers (abstaining included); () otherwise."""
    if method == VoteMethod.CONSENSUS:
        return CONSENSUS_ANSWERS
    if method in QUESTION_METHODS:
        return MOTION_ANSWERS
    return ()


def answer_word(language: str, answer: str) -> str:
    return SHOWN_WORDS.get(language, SHOWN_WORDS["en"])[answer]


def _answer_table(method: str) -> dict[str, str]:
    allowed = set(answers_for(method)) or {Answer.ABSTAIN}
    table = {w.lower(): a for words in SHOWN_WORDS.values() for a, w in words.items()}
    table.update(OTHER_WORDS)
    table = {normalize(w): a for w, a in table.items() if a in allowed}
    if method in QUESTION_METHODS:
        table.update({str(i + 1): a for i, a in enumerate(answers_for(method))})
    return table


def _read_answer(method: str, text: str) -> tuple[str, str] | None:
    """The answer at the start of ``text`` (longest words first) and what follows it."""
    words = text.split()
    table = _answer_table(method)
    for count in range(min(5, len(words)), 0, -1):
        found = table.get(normalize(" ".join(words[:count])))
        if found:
            return found, " ".join(words[count:])
    return None


LETTER_RUN = re.compile(r"^[A-Za-z]+$")
SCORE_PAIR = re.compile(r"([A-Za-z])\s*[=:]?\s*(\d{1,3})")


def _letters(text: str) -> list[str]:
    """ "B A C", "B,A,C", "B>A>C" or "BAC" as ["B", "A", "C"]."""
    cleaned = re.sub(r"[\s,;>/.\-]+", " ", text).strip()
    if not cleaned:
        return []
    tokens = cleaned.split()
    if not all(LETTER_RUN.match(t) for t in tokens):
        raise BallotError(_("Use only the letters of the options."))
    return [ch.upper() for token in tokens for ch in token]


def read_choice(vote: Vote, letters: list[str], text: str) -> Choice:
    """Read ``text`` (what follows the code of a text, or one typed paper ballot) as a ballot
    in ``vote``, whose options are ``letters``.

    Raises:
        BallotError: it cannot be read, or breaks the method's rules.
    """
    text = " ".join(text.split())
    if not answers_for(vote.method):
        # For the option methods the only word read is ABSTAIN (alone).
        found = _read_answer(vote.method, text)
        if found is not None and not found[1]:
            return Choice(abstain=True)
    if vote.method in QUESTION_METHODS:
        found = _read_answer(vote.method, text)
        if found is None:
            raise BallotError(_("We could not read your answer."))
        answer, rest = found
        if answer == Answer.ABSTAIN:
            return Choice(abstain=True)
        if answer == Answer.BLOCK and not rest.strip():
            raise BallotError(_("A block needs its reason: write it after the word."))
        return Choice(answer=answer, reason=rest.strip() if answer == Answer.BLOCK else "")
    if vote.method in {VoteMethod.IRV, VoteMethod.RANKING}:
        ranking = _letters(text)
        return choice_from_ranking(ranking, letters)
    if vote.method == VoteMethod.DOTS:
        dots = _letters(text)
        return choice_from_points(vote, letters, dict(Counter(dots)))
    pairs = SCORE_PAIR.findall(text)
    if not pairs or SCORE_PAIR.sub("", text).strip(" ,;"):
        raise BallotError(_("Write a letter and a score for each option, like A5 B3."))
    points: dict[str, int] = {}
    for letter, score in pairs:
        if letter.upper() in points:
            raise BallotError(_("Option %(letter)s is scored twice."), letter=letter.upper())
        points[letter.upper()] = int(score)
    return choice_from_points(vote, letters, points)


def choice_from_ranking(ranking: list[str], letters: list[str]) -> Choice:
    """Raises:
    BallotError: an unknown option, or one ranked twice."""
    for letter in ranking:
        if letter not in letters:
            raise BallotError(_("There is no option %(letter)s."), letter=letter)
    if len(set(ranking)) != len(ranking):
        raise BallotError(_("Each option can be ranked only once."))
    if not ranking:
        return Choice(abstain=True)
    return Choice(ranking=tuple(ranking))


def choice_from_points(vote: Vote, letters: list[str], points: dict[str, int]) -> Choice:
    """Dots or scores per option letter, checked against the vote's rules.

    Raises:
        BallotError: an unknown option, too many dots, or a score out of range.
    """
    for letter in points:
        if letter not in letters:
            raise BallotError(_("There is no option %(letter)s."), letter=letter)
    kept = {letter: n for letter, n in points.items() if n or vote.method == VoteMethod.SCORE}
    if vote.method == VoteMethod.DOTS:
        if any(n < 0 for n in kept.values()):
            raise BallotError(_("Dots cannot be negative."))
        if sum(kept.values()) > vote.dots_per_voter:
            raise BallotError(
                _("You have %(dots)s dots; that ballot uses %(used)s."),
                dots=vote.dots_per_voter,
                used=sum(kept.values()),
            )
    else:
        for letter, score in kept.items():
            if not 0 <= score <= vote.score_max:
                raise BallotError(
                    _("Option %(letter)s: a score from 0 to %(high)s."),
                    letter=letter,
                    high=vote.score_max,
                )
    if not kept:
        return Choice(abstain=True)
    return Choice(points=dict(sorted(kept.items())))


# --- Counting -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Counted:
    """A vote's count, ready to store on its decision and to show (see :func:`tally`)."""

    outcome: str
    participants: int
    quorum: counting.QuorumCheck
    result: dict[str, Any]


def tally(
    vote: Vote,
    *,
    letters: list[str],
    remote: list[Choice],
    room_ballots: list[Choice],
    room_counts: dict[str, int],
    remote_people: int,
    members: int,
) -> Counted:
    """Merge the remote ballots, the room's paper ballots and the room's hand counts into one
    count of ``vote``.

    ``result`` holds everything the pages, the register and the minutes show: per answer or
    option the remote, room and total figures (``rows``), abstentions, the threshold, the blocks'
    reasons, and for ranked methods the rounds and places.

    Raises:
        BallotError: the room's counts break a rule (a block without its reason).
    """
    method = vote.method
    room_people = vote.room_voters
    if room_people is None:
        if method in BALLOT_METHODS:
            room_people = len(room_ballots)
        elif method in QUESTION_METHODS:
            room_people = sum(room_counts.get(a, 0) for a in answers_for(method))
        else:
            room_people = 0
    participants = remote_people + room_people
    quorum = counting.check_quorum(
        vote.proposal.assembly.quorum_kind,
        vote.proposal.assembly.quorum_value,
        present=participants,
        members=members,
    )
    abstain = sum(1 for c in remote + room_ballots if c.abstain) + room_counts.get(
        Answer.ABSTAIN, 0
    )
    result: dict[str, Any] = {
        "method": method,
        "abstain": abstain,
        "remote_people": remote_people,
        "room_people": room_people,
        "letters": letters,
    }
    if method in QUESTION_METHODS:
        outcome = _count_question(vote, remote, room_counts, result)
    elif method in {VoteMethod.IRV, VoteMethod.RANKING}:
        outcome = _count_ranked(vote, letters, remote, room_ballots, result)
    elif method == VoteMethod.DOTS:
        outcome = _count_dots(vote, letters, remote, room_counts, result)
    else:
        outcome = _count_scores(vote, letters, remote, room_ballots, result)
    return Counted(outcome=outcome, participants=participants, quorum=quorum, result=result)


def _rows(
    keys: tuple[str, ...] | list[str], remote: Counter[str], room: dict[str, int]
) -> list[Any]:
    return [[k, remote.get(k, 0), room.get(k, 0), remote.get(k, 0) + room.get(k, 0)] for k in keys]


def _count_question(
    vote: Vote, remote: list[Choice], room: dict[str, int], result: dict[str, Any]
) -> str:
    answers = answers_for(vote.method)
    given = Counter(Answer.ABSTAIN if c.abstain else c.answer for c in remote)
    result["rows"] = _rows(answers, given, room)
    total = {k: given.get(k, 0) + room.get(k, 0) for k in answers}
    if vote.method == VoteMethod.CONSENSUS:
        reasons = [c.reason for c in remote if c.answer == Answer.BLOCK]
        reasons += [vote.room_note.strip()] * room.get(Answer.BLOCK, 0)
        if any(not r for r in reasons):
            raise BallotError(_("Write down the reason for each block from the room."))
        consensus = counting.decide_consensus(
            total[Answer.AGREE], total[Answer.STAND_ASIDE], reasons
        )
        result["blocks"] = sorted(set(reasons))
        if consensus.outcome is counting.ConsensusOutcome.BLOCKED:
            return Outcome.BLOCKED
        return Outcome.ADOPTED if consensus.passed else Outcome.REJECTED
    motion = counting.decide_motion(
        total[Answer.YES],
        total[Answer.NO],
        total[Answer.ABSTAIN],
        threshold=THRESHOLDS[vote.method],
    )
    result["base"] = motion.base_count
    result["required_yes"] = motion.required_yes
    return Outcome.ADOPTED if motion.passed else Outcome.REJECTED


def _count_ranked(
    vote: Vote,
    letters: list[str],
    remote: list[Choice],
    room: list[Choice],
    result: dict[str, Any],
) -> str:
    rankings = [c.ranking for c in remote + room if not c.abstain]
    first = Counter(r[0] for r in rankings)
    first_remote = Counter(c.ranking[0] for c in remote if c.ranking)
    first_room = Counter(c.ranking[0] for c in room if c.ranking)
    result["rows"] = [
        [k, first_remote.get(k, 0), first_room.get(k, 0), first.get(k, 0)] for k in letters
    ]
    if vote.method == VoteMethod.IRV:
        irv = counting.instant_runoff(rankings, letters)
        result["rounds"] = [_round_json(r) for r in irv.rounds]
        result["table"] = [[option, counts] for option, counts in irv.table()]
        result["exhausted"] = [r.exhausted for r in irv.rounds]
        result["winner"] = irv.winner
        return Outcome.CHOSEN if irv.winner else Outcome.TIED
    ranking = counting.full_ranking(rankings, letters)
    result["places"] = [[p.place, p.option, p.score] for p in ranking.places]
    if ranking.runs:
        irv = ranking.runs[0]
        result["rounds"] = [_round_json(r) for r in irv.rounds]
        result["table"] = [[option, counts] for option, counts in irv.table()]
        result["exhausted"] = [r.exhausted for r in irv.rounds]
        result["winner"] = irv.winner
    return Outcome.RANKED if rankings else Outcome.TIED


def _round_json(rnd: counting.IrvRound) -> dict[str, Any]:
    return {
        "number": rnd.number,
        "counts": dict(rnd.counts),
        "exhausted": rnd.exhausted,
        "eliminated": list(rnd.eliminated),
        "elected": rnd.elected,
        "tie": (
            {"tied": list(rnd.tie.tied), "eliminated": rnd.tie.eliminated, "rule": rnd.tie.rule}
            if rnd.tie
            else None
        ),
    }


def _count_dots(
    vote: Vote,
    letters: list[str],
    remote: list[Choice],
    room: dict[str, int],
    result: dict[str, Any],
) -> str:
    allocations = [c.points for c in remote if not c.abstain]
    own = counting.dot_vote(allocations, letters, dots=vote.dots_per_voter)
    room_dots = {k: room.get(k, 0) for k in letters}
    merged = counting.merge_counts(own.totals, room_dots)
    everything = counting.dot_vote(
        [merged], letters, dots=max(vote.dots_per_voter, sum(merged.values()))
    )
    result["rows"] = _rows(letters, Counter(own.totals), room_dots)
    result["places"] = [[p.place, p.option, p.score] for p in everything.places]
    return Outcome.RANKED if sum(merged.values()) else Outcome.TIED


def _count_scores(
    vote: Vote,
    letters: list[str],
    remote: list[Choice],
    room: list[Choice],
    result: dict[str, Any],
) -> str:
    ballots = [dict(c.points) for c in remote + room if not c.abstain]
    scored = counting.score_vote(ballots, letters, low=0, high=vote.score_max)
    own = counting.score_vote(
        [dict(c.points) for c in remote if not c.abstain], letters, high=vote.score_max
    )
    from_room = counting.score_vote(
        [dict(c.points) for c in room if not c.abstain], letters, high=vote.score_max
    )
    result["rows"] = [[k, own.totals[k], from_room.totals[k], scored.totals[k]] for k in letters]
    result["averages"] = {
        k: (f"{float(v):.1f}" if v is not None else None) for k, v in scored.averages.items()
    }
    result["places"] = [[p.place, p.option, p.score] for p in scored.places]
    return Outcome.RANKED if ballots else Outcome.TIED
