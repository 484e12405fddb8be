"""Counting a file of paper ballots: the one step shared by ``vecinos tally`` and the upload page.

Nothing is stored: the file is read, counted and shown. (A decision taken on these ballots is
recorded by the facilitator through the proposals' pages, with the counts shown here.)
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from vecinos.assembly import ballots, counting

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


class PaperMethod(enum.StrEnum):
    IRV = "irv"
    RANKING = "ranking"
    MAJORITY = "majority"
    SCORE = "score"

    @property
    def label(self) -> str:
        labels = {
            PaperMethod.IRV: _("Instant runoff (ranked choice)"),
            PaperMethod.RANKING: _("Full ranking (repeated instant runoff)"),
            PaperMethod.MAJORITY: _("Majority of first choices"),
            PaperMethod.SCORE: _("Score voting"),
        }
        return str(labels[self])


@dataclass(frozen=True)
class PaperTally:
    method: PaperMethod
    options: tuple[counting.Option, ...]
    ballots: int
    """Rows read as ballots, blank ones included."""
    blank: int
    irv: counting.IrvResult | None = None
    ranking: counting.RankingResult | None = None
    majority: counting.ChoiceResult | None = None
    score: counting.ScoreResult | None = None


def parse_options(text: str) -> list[str] | None:
    """Options typed one per line or separated by commas; ``None`` when nothing was typed."""
    names = [n.strip() for n in text.replace(",", "\n").splitlines() if n.strip()]
    return names or None


def count_file(
    data: str | bytes,
    method: PaperMethod,
    *,
    options: Sequence[str] | None = None,
    lot: Sequence[str] | None = None,
    low: int = 0,
    high: int = 5,
    gaps: ballots.GapRule = ballots.GapRule.SKIP,
) -> PaperTally:
    """Read and count a CSV of paper ballots with ``method``.

    Raises:
        ballots.BallotError: a malformed file or ballot (with its row).
        counting.CountingError: a malformed ``lot`` or score scale.
    """
    if method is PaperMethod.SCORE:
        scored = ballots.read_scores(data, options, low=low, high=high)
        result = counting.score_vote(scored.ballots, scored.options, low=low, high=high)
        blank = sum(1 for b in scored.ballots if all(v is None for v in b.values()))
        return PaperTally(method, scored.options, len(scored.ballots), blank, score=result)
    ranked = ballots.read_ranked(data, options, gaps=gaps)
    names = list(ranked.options)
    if lot is not None:
        resolve = {n.casefold(): n for n in names}
        unknown = [n for n in lot if n.strip().casefold() not in resolve]
        if unknown:
            raise counting.CountingError(
                "unknown_option", f"unknown option {unknown[0]!r} in the lot", option=unknown[0]
            )
        lot = [resolve[n.strip().casefold()] for n in lot]
    weighted = Counter(ranked.ballots)
    if method is PaperMethod.IRV:
        irv = counting.instant_runoff(weighted, names, lot=lot)
        return PaperTally(method, tuple(names), len(ranked.ballots), ranked.blank, irv=irv)
    if method is PaperMethod.RANKING:
        ranking = counting.full_ranking(weighted, names, lot=lot)
        return PaperTally(method, tuple(names), len(ranked.ballots), ranked.blank, ranking=ranking)
    firsts = Counter(b[0] for b in ranked.ballots if b)
    choice = counting.choose_by_majority({n: firsts[n] for n in names}, abstain=ranked.blank)
    return PaperTally(method, tuple(names), len(ranked.ballots), ranked.blank, majority=choice)


def describe_tie(tie: counting.TieBreak) -> str:
    """How a tie for last place was broken, for a person, in the active language."""
    tied = ", ".join(tie.tied)
    if tie.rule is counting.TieRule.PREVIOUS_ROUNDS:
        return gettext(
            "%(tied)s tied for last place; %(option)s had fewer votes in round %(round)s and "
            "is eliminated."
        ) % {"tied": tied, "option": tie.eliminated, "round": tie.round_compared}
    return gettext(
        "%(tied)s tied for last place, in this round and every earlier one; %(option)s is "
        "eliminated by lot (the order drawn, or the options' order reversed if none was given). "
        "If no lots were drawn, draw them and count again with that order."
    ) % {"tied": tied, "option": tie.eliminated}


def irv_notes(result: counting.IrvResult) -> list[str]:
    """What happened in each round and who won, one sentence each, in the active language."""
    notes = []
    for rnd in result.rounds:
        if rnd.eliminated:
            notes.append(
                gettext("Round %(n)s: eliminated %(options)s.")
                % {"n": rnd.number, "options": ", ".join(rnd.eliminated)}
            )
        if rnd.tie:
            notes.append(describe_tie(rnd.tie))
        if rnd.elected:
            notes.append(
                gettext(
                    "Round %(n)s: %(option)s has %(votes)s of %(continuing)s continuing ballots."
                )
                % {
                    "n": rnd.number,
                    "option": rnd.elected,
                    "votes": rnd.counts[rnd.elected],
                    "continuing": rnd.continuing,
                }
            )
    if result.winner is None:
        notes.append(gettext("No winner: no ballot ranked any option."))
    else:
        notes.append(gettext("Winner: %(option)s") % {"option": result.winner})
    return notes


@dataclass(frozen=True)
class IrvTable:
    """An instant runoff laid out for a page: a header of rounds, one row per option, the
    exhausted pile, and the sentences of :func:`irv_notes`."""

    rounds: list[int]
    rows: list[tuple[str, list[int | None]]]
    exhausted: list[int]
    notes: list[str]
    winner: str | None


def irv_table(result: counting.IrvResult) -> IrvTable:
    return IrvTable(
        rounds=[r.number for r in result.rounds],
        rows=result.table(),
        exhausted=[r.exhausted for r in result.rounds],
        notes=irv_notes(result),
        winner=result.winner,
    )


@dataclass(frozen=True)
class ScoreRow:
    place: int
    option: str
    total: int
    scored_by: int
    average: float | None


def score_rows(result: counting.ScoreResult) -> list[ScoreRow]:
    """Score voting laid out for a page, best first."""
    return [
        ScoreRow(
            place=p.place,
            option=p.option,
            total=result.totals[p.option],
            scored_by=result.scored_by[p.option],
            average=None if (avg := result.averages[p.option]) is None else float(avg),
        )
        for p in result.places
    ]
