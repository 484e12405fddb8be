"""Counting votes: pure functions, no database, no translations.

The same code counts hand counts entered by a facilitator, votes cast on the web or by text, and
paper ballots typed into a spreadsheet (see :mod:`vecinos.assembly.ballots`). Every function takes
plain Python values and returns a frozen dataclass that says not only who won but how: counts,
thresholds, rounds, and how any tie was broken, so that pages, minutes and the command line can
show a transparent result. Labels for people are the caller's job (the results carry codes).

Methods and the rules this module applies (also in ``docs/decisions.md``):

*Majority and supermajority* (:func:`decide_motion`). The base is the votes cast, yes + no;
abstentions are counted and reported but are not in the base (Robert's Rules; an abstention is
"I don't take part in this decision", not a no). ``Threshold.MAJORITY`` passes with *more than*
half of the base (a tie fails); ``TWO_THIRDS`` and ``THREE_QUARTERS`` pass with *at least* that
share. With ``Base.ALL_VOTES`` abstentions join the base (and so act like a no); an assembly that
decides "two thirds of those present" passes ``Base.PRESENT`` and the number present. No votes
cast at all: the motion fails.

*Choosing among options by majority* (:func:`choose_by_majority`). The option with more than half
of the votes cast for options wins; otherwise there is no majority winner (the leader is reported,
and a runoff or ranked vote is the assembly's call).

*Consensus* (:func:`decide_consensus`). Agree, stand aside, block. A single block stops the
proposal; every block's reason is kept. Optionally, more stand-asides than an agreed limit also
stop it (many groups hold that several stand-asides mean there is no consensus).

*Instant runoff* (:func:`instant_runoff`). Each ballot counts for its highest-ranked continuing
option. An option with more than half of the *continuing* ballots (those that still rank a
continuing option) wins; otherwise options are eliminated and their ballots move on to their next
continuing choice. A round-by-round table is kept.

- Elimination (``Elimination.BATCH``, the default, as in Burlington, San Francisco and
  Minneapolis): all the lowest options whose combined votes are fewer than the votes of the next
  option up are eliminated together. They could not win even with each other's votes, so this
  never changes the winner, only the number of rounds. ``Elimination.SINGLE`` eliminates one at a
  time.
- Ties for last place: when two or more options tie for the fewest votes (and batch elimination
  does not already remove them all), the one with fewer votes in the previous round is eliminated,
  going back round by round; if they were tied in every round, the tie is decided by *lot*: the
  ``lot`` order given by the caller (the order in which names were drawn; the first one drawn
  among the tied is eliminated). Without a drawn order the options' own order is used, last
  listed first — the result says so (``TieRule.LOT``), so a facilitator can draw real lots and
  count again with that order.
- Exhausted ballots: a ballot whose ranked options have all been eliminated is *exhausted*. It no
  longer counts towards the majority; the table shows exhausted ballots in every round, so in each
  round ``sum(counts) + exhausted == ballots`` (every non-blank ballot is accounted for).
- A blank ballot (no ranking at all) is an abstention: counted and reported, never in a round.

*Full ranking* (:func:`full_ranking`): repeated instant runoff. The winner takes first place, is
removed from every ballot, and the count is run again for second place, and so on. Options no one
ranked share the last place.

*Dot voting* (:func:`dot_vote`): each person spends up to ``dots`` dots, several on one option if
allowed; options ranked by total dots. *Score voting* (:func:`score_vote`): each person gives each
option a score from ``low`` to ``high`` or leaves it blank; options ranked by total score, the
average over those who scored it shown beside. Options with equal totals share a place.

*Quorum* (:func:`check_quorum`): none, a count of people, or a percentage of the members
(rounded up: 50% of 25 members is 13 people).
"""

from __future__ import annotations

import enum
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

Option = str
"""An option's identifier: a name, a code or a primary key as text; compared exactly."""

RankedBallot = Sequence[Option]
"""One ballot's ranking, first choice first."""


class CountingError(ValueError):
    """The input cannot be counted (an unknown option, a duplicate ranking, a bad score, ...).

    ``code`` is a stable identifier callers translate; ``option`` names the option at fault.
    """

    def __init__(self, code: str, message: str, *, option: Option | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.option = option


# ---------------------------------------------------------------------------------------------
# Quorum


class QuorumKind(enum.StrEnum):
    NONE = "none"
    COUNT = "count"
    PERCENT = "percent"


@dataclass(frozen=True)
class QuorumCheck:
    met: bool
    required: int
    present: int


def check_quorum(kind: str, value: int, *, present: int, members: int) -> QuorumCheck:
    """Whether ``present`` people make a quorum.

    ``kind`` is ``"none"`` (always met), ``"count"`` (at least ``value`` people) or
    ``"percent"`` (at least ``value`` percent of ``members``, rounded up to a whole person).
    """
    if present < 0 or members < 0 or value < 0:
        raise CountingError("negative", "counts cannot be negative")
    quorum = QuorumKind(kind)
    if quorum is QuorumKind.NONE:
        required = 0
    elif quorum is QuorumKind.COUNT:
        required = value
    else:
        required = math.ceil(Fraction(members * value, 100))
    return QuorumCheck(met=present >= required, required=required, present=present)


# ---------------------------------------------------------------------------------------------
# Majority and supermajority


class Threshold(enum.Enum):
    """How large a share of the base a motion needs; ``strict`` means "more than"."""

    MAJORITY = (Fraction(1, 2), True)
    TWO_THIRDS = (Fraction(2, 3), False)
    THREE_QUARTERS = (Fraction(3, 4), False)

    @property
    def share(self) -> Fraction:
        return self.value[0]

    @property
    def strict(self) -> bool:
        return self.value[1]


class Base(enum.StrEnum):
    VOTES_CAST = "cast"  # yes + no
    ALL_VOTES = "all"  # yes + no + abstain
    PRESENT = "present"  # the number of people present, given by the caller


@dataclass(frozen=True)
class MotionResult:
    passed: bool
    yes: int
    no: int
    abstain: int
    threshold: Threshold
    base: Base
    base_count: int
    required_yes: int
    """The smallest number of yes votes that would have passed it with this base."""


def _check_counts(**counts: int) -> None:
    for name, count in counts.items():
        if count < 0:
            raise CountingError("negative", f"{name} cannot be negative")


def decide_motion(
    yes: int,
    no: int,
    abstain: int = 0,
    *,
    threshold: Threshold = Threshold.MAJORITY,
    base: Base = Base.VOTES_CAST,
    present: int | None = None,
) -> MotionResult:
    """Count a yes/no motion against a threshold (see the module docstring for the rules)."""
    _check_counts(yes=yes, no=no, abstain=abstain)
    if base is Base.VOTES_CAST:
        base_count = yes + no
    elif base is Base.ALL_VOTES:
        base_count = yes + no + abstain
    else:
        if present is None:
            raise CountingError("present_missing", "the number present is needed for this base")
        if present < yes + no + abstain:
            raise CountingError("present_too_small", "more votes than people present")
        base_count = present
    needed = threshold.share * base_count
    required = math.floor(needed) + 1 if threshold.strict else math.ceil(needed)
    required = max(required, 1)
    return MotionResult(
        passed=base_count > 0 and yes >= required,
        yes=yes,
        no=no,
        abstain=abstain,
        threshold=threshold,
        base=base,
        base_count=base_count,
        required_yes=required,
    )


@dataclass(frozen=True)
class ChoiceResult:
    counts: Mapping[Option, int]
    abstain: int
    total: int
    """Votes cast for options (abstentions excluded)."""
    winner: Option | None
    """The option with more than half of ``total``, if any."""
    leaders: tuple[Option, ...]
    """The option(s) with the most votes (several on a tie)."""


def choose_by_majority(counts: Mapping[Option, int], abstain: int = 0) -> ChoiceResult:
    """Pick the option with more than half of the votes cast for options, if there is one."""
    _check_counts(abstain=abstain, **{f"votes for {o!r}": c for o, c in counts.items()})
    total = sum(counts.values())
    top = max(counts.values(), default=0)
    leaders = tuple(o for o, c in counts.items() if c == top and top > 0)
    winner = next((o for o, c in counts.items() if 2 * c > total), None)
    return ChoiceResult(
        counts=dict(counts), abstain=abstain, total=total, winner=winner, leaders=leaders
    )


def merge_counts(*parts: Mapping[Option, int]) -> dict[Option, int]:
    """Add counts from several channels (hand counts in the room, web votes, texts)."""
    merged: Counter[Option] = Counter()
    for part in parts:
        _check_counts(**{f"votes for {o!r}": c for o, c in part.items()})
        merged.update(part)
    return {o: merged[o] for o in sorted(merged, key=lambda o: (-merged[o], o))}


# ---------------------------------------------------------------------------------------------
# Consensus


@dataclass(frozen=True)
class Block:
    reason: str
    by: str = ""
    """Who blocked, if the assembly records names (may stay empty)."""


class ConsensusOutcome(enum.StrEnum):
    REACHED = "reached"
    BLOCKED = "blocked"
    TOO_MANY_STAND_ASIDES = "stand_asides"
    NO_AGREEMENT = "no_agreement"  # nobody agreed


@dataclass(frozen=True)
class ConsensusResult:
    outcome: ConsensusOutcome
    agree: int
    stand_aside: int
    blocks: tuple[Block, ...]

    @property
    def passed(self) -> bool:
        return self.outcome is ConsensusOutcome.REACHED


def decide_consensus(
    agree: int,
    stand_aside: int = 0,
    blocks: Iterable[Block | str] = (),
    *,
    max_stand_asides: int | None = None,
) -> ConsensusResult:
    """Consensus: one block stops the proposal (its reason is kept); optionally too many
    stand-asides also do. A block without a reason is refused: the reason must be recorded."""
    _check_counts(agree=agree, stand_aside=stand_aside)
    kept = tuple(b if isinstance(b, Block) else Block(reason=b) for b in blocks)
    for block in kept:
        if not block.reason.strip():
            raise CountingError("block_without_reason", "a block needs its reason")
    if kept:
        outcome = ConsensusOutcome.BLOCKED
    elif max_stand_asides is not None and stand_aside > max_stand_asides:
        outcome = ConsensusOutcome.TOO_MANY_STAND_ASIDES
    elif agree == 0:
        outcome = ConsensusOutcome.NO_AGREEMENT
    else:
        outcome = ConsensusOutcome.REACHED
    return ConsensusResult(outcome=outcome, agree=agree, stand_aside=stand_aside, blocks=kept)


# ---------------------------------------------------------------------------------------------
# Instant runoff and full ranking


class Elimination(enum.StrEnum):
    BATCH = "batch"
    SINGLE = "single"


class TieRule(enum.StrEnum):
    PREVIOUS_ROUNDS = "previous_rounds"
    LOT = "lot"


@dataclass(frozen=True)
class TieBreak:
    """How a tie for last place was decided."""

    tied: tuple[Option, ...]
    eliminated: Option
    rule: TieRule
    round_compared: int | None = None
    """For ``PREVIOUS_ROUNDS``: the earlier round whose counts decided it."""


@dataclass(frozen=True)
class IrvRound:
    number: int
    counts: Mapping[Option, int]
    """Votes of each continuing option in this round, highest first."""
    exhausted: int
    """Ballots with no continuing option left (cumulative)."""
    eliminated: tuple[Option, ...] = ()
    """Options eliminated at the end of this round."""
    tie: TieBreak | None = None
    elected: Option | None = None
    transfers: Mapping[Option, int] = field(default_factory=dict)
    """Votes gained this round, per continuing option and ``""`` for exhausted ballots."""

    @property
    def continuing(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class IrvResult:
    options: tuple[Option, ...]
    ballots: int
    """Ballots that ranked at least one option."""
    blank: int
    """Ballots that ranked nothing (abstentions)."""
    rounds: tuple[IrvRound, ...]
    winner: Option | None
    """``None`` only when no ballot ranked any option."""

    def table(self) -> list[tuple[Option, list[int | None]]]:
        """One row per option (winner first, then by how long it stayed), one column per
        round; ``None`` once the option is eliminated."""
        lasted: dict[Option, tuple[int, int]] = {}
        for rnd in self.rounds:
            for option, votes in rnd.counts.items():
                lasted[option] = (rnd.number, votes)

        def order(option: Option) -> tuple[int, int, int]:
            number, votes = lasted.get(option, (0, 0))
            return (-number, -votes, self.options.index(option))

        return [
            (option, [rnd.counts.get(option) for rnd in self.rounds])
            for option in sorted(self.options, key=order)
        ]


def _weigh(
    ballots: Iterable[RankedBallot] | Mapping[tuple[Option, ...], int],
) -> Counter[tuple[Option, ...]]:
    if isinstance(ballots, Mapping):
        weighted: Counter[tuple[Option, ...]] = Counter()
        for ranking, count in ballots.items():
            if count < 0:
                raise CountingError("negative", "a ballot count cannot be negative")
            weighted[tuple(ranking)] += count
        return weighted
    return Counter(tuple(b) for b in ballots)


def _options_of(
    weighted: Counter[tuple[Option, ...]], options: Sequence[Option] | None
) -> tuple[Option, ...]:
    seen = {o for ranking in weighted for o in ranking}
    if options is None:
        return tuple(sorted(seen))
    known = tuple(dict.fromkeys(options))
    for option in sorted(seen - set(known)):
        raise CountingError("unknown_option", f"unknown option {option!r}", option=option)
    return known


def _check_rankings(weighted: Counter[tuple[Option, ...]]) -> None:
    for ranking in weighted:
        if len(set(ranking)) != len(ranking):
            dup = next(o for o in ranking if ranking.count(o) > 1)
            raise CountingError("duplicate_ranking", f"{dup!r} ranked twice", option=dup)


def _lowest_to_eliminate(
    counts: Mapping[Option, int],
    history: Sequence[Mapping[Option, int]],
    lot: Sequence[Option],
    elimination: Elimination,
) -> tuple[tuple[Option, ...], TieBreak | None]:
    ascending = sorted(counts.items(), key=lambda kv: kv[1])
    if elimination is Elimination.BATCH:
        running, batch = 0, 0
        for k in range(len(ascending) - 1):
            running += ascending[k][1]
            if running < ascending[k + 1][1]:
                batch = k + 1
        if batch:
            return tuple(o for o, _ in ascending[:batch]), None
    fewest = ascending[0][1]
    tied = [o for o, c in ascending if c == fewest]
    if len(tied) == 1:
        return (tied[0],), None
    tied_tuple = tuple(tied)
    candidates = list(tied)
    for index in range(len(history) - 1, -1, -1):
        earlier = history[index]
        low = min(earlier.get(o, 0) for o in candidates)
        candidates = [o for o in candidates if earlier.get(o, 0) == low]
        if len(candidates) == 1:
            number = index + 1
            tie = TieBreak(tied_tuple, candidates[0], TieRule.PREVIOUS_ROUNDS, number)
            return (candidates[0],), tie
    loser = min(candidates, key=lot.index)
    return (loser,), TieBreak(tied_tuple, loser, TieRule.LOT)


def instant_runoff(
    ballots: Iterable[RankedBallot] | Mapping[tuple[Option, ...], int],
    options: Sequence[Option] | None = None,
    *,
    elimination: Elimination = Elimination.BATCH,
    lot: Sequence[Option] | None = None,
    exclude: Iterable[Option] = (),
) -> IrvResult:
    """Count ranked ballots by instant runoff (rules in the module docstring).

    ``ballots`` is an iterable of rankings, or a mapping from a ranking to how many ballots
    carry it (faster for large counts). ``options``, when given, is the full list of options (an
    option nobody ranked still appears, with 0) and any other option on a ballot is an error;
    without it the options are those ranked, in alphabetical order. ``lot`` is the order in
    which lots were drawn for ties (first drawn is eliminated first); by default the options'
    order reversed. ``exclude`` removes options from every ballot before counting (used by
    :func:`full_ranking`).

    Raises:
        CountingError: an unknown option or an option ranked twice on one ballot.
    """
    weighted = _weigh(ballots)
    _check_rankings(weighted)
    return _runoff(weighted, _options_of(weighted, options), elimination, lot, exclude)


def _runoff(
    weighted: Mapping[tuple[Option, ...], int],
    all_options: tuple[Option, ...],
    elimination: Elimination,
    lot: Sequence[Option] | None,
    exclude: Iterable[Option],
) -> IrvResult:
    """:func:`instant_runoff` on ballots already checked."""
    excluded = set(exclude)
    running = tuple(o for o in all_options if o not in excluded)
    if lot is None:
        lot_order = list(reversed(running))
    else:
        lot_order = list(dict.fromkeys(lot))
        lot_order += [o for o in reversed(running) if o not in lot_order]

    piles: dict[tuple[Option, ...], int] = {}
    blank = 0
    for ranking, count in weighted.items():
        kept = tuple(o for o in ranking if o not in excluded) if excluded else ranking
        if kept:
            piles[kept] = piles.get(kept, 0) + count
        else:
            blank += count
    total = sum(piles.values())

    # Each distinct ranking sits in the bucket of its highest continuing option; an elimination
    # moves only the eliminated options' buckets on, so a count costs about one pass over the
    # ballots in all, not one per round.
    continuing = set(running)
    rankings = list(piles.items())
    position = [0] * len(rankings)
    buckets: dict[Option, list[int]] = {o: [] for o in running}
    tallies = dict.fromkeys(running, 0)
    exhausted = 0

    def move_on(index: int) -> None:
        nonlocal exhausted
        ranking, count = rankings[index]
        at = position[index]
        while at < len(ranking) and ranking[at] not in continuing:
            at += 1
        position[index] = at
        if at == len(ranking):
            exhausted += count
        else:
            buckets[ranking[at]].append(index)
            tallies[ranking[at]] += count

    for index in range(len(rankings)):
        move_on(index)

    rounds: list[IrvRound] = []
    history: list[Mapping[Option, int]] = []
    previous: dict[Option, int] = {}
    previous_exhausted = 0
    winner: Option | None = None
    while continuing:
        ordered = dict(sorted(tallies.items(), key=lambda kv: (-kv[1], running.index(kv[0]))))
        transfers = {}
        if rounds:
            transfers = {o: c - previous[o] for o, c in ordered.items() if c != previous[o]}
            if exhausted != previous_exhausted:
                transfers[""] = exhausted - previous_exhausted
        live = total - exhausted
        leader, most = next(iter(ordered.items()), ("", 0))
        if live == 0:
            rounds.append(IrvRound(len(rounds) + 1, ordered, exhausted, transfers=transfers))
            break
        if 2 * most > live or len(ordered) == 1:
            winner = leader
            rounds.append(
                IrvRound(len(rounds) + 1, ordered, exhausted, elected=leader, transfers=transfers)
            )
            break
        out, tie = _lowest_to_eliminate(ordered, history, lot_order, elimination)
        rounds.append(IrvRound(len(rounds) + 1, ordered, exhausted, out, tie, None, transfers))
        history.append(ordered)
        continuing.difference_update(out)
        previous, previous_exhausted = ordered, exhausted
        for option in out:
            del tallies[option]
            for index in buckets.pop(option):
                move_on(index)
    return IrvResult(
        options=running, ballots=total, blank=blank, rounds=tuple(rounds), winner=winner
    )


@dataclass(frozen=True)
class Place:
    place: int
    """1 for first; options that share a place share the number (1, 2, 2, 4)."""
    option: Option
    score: int | None = None
    """The total that decided the place, for dot and score voting."""


@dataclass(frozen=True)
class RankingResult:
    places: tuple[Place, ...]
    runs: tuple[IrvResult, ...]
    """For a full ranking: the instant runoff that decided each place, in order."""


def full_ranking(
    ballots: Iterable[RankedBallot] | Mapping[tuple[Option, ...], int],
    options: Sequence[Option] | None = None,
    *,
    elimination: Elimination = Elimination.BATCH,
    lot: Sequence[Option] | None = None,
) -> RankingResult:
    """Rank every option by repeated instant runoff (the winner of each count takes the next
    place and leaves the ballots). Options no one ranked any more share the last place."""
    weighted = _weigh(ballots)
    _check_rankings(weighted)
    all_options = _options_of(weighted, options)
    places: list[Place] = []
    runs: list[IrvResult] = []
    placed: list[Option] = []
    while len(placed) < len(all_options):
        run = _runoff(weighted, all_options, elimination, lot, placed)
        if run.winner is None:
            shared = len(placed) + 1
            places.extend(Place(shared, o) for o in all_options if o not in placed)
            break
        runs.append(run)
        placed.append(run.winner)
        places.append(Place(len(placed), run.winner))
    return RankingResult(places=tuple(places), runs=tuple(runs))


# ---------------------------------------------------------------------------------------------
# Dot voting and score voting


def _places(totals: Mapping[Option, int], options: Sequence[Option]) -> tuple[Place, ...]:
    ordered = sorted(options, key=lambda o: (-totals[o], options.index(o)))
    places: list[Place] = []
    for i, option in enumerate(ordered):
        tied = bool(places) and totals[option] == places[-1].score
        place = places[-1].place if tied else i + 1
        places.append(Place(place, option, totals[option]))
    return tuple(places)


@dataclass(frozen=True)
class DotResult:
    totals: Mapping[Option, int]
    voters: int
    places: tuple[Place, ...]


def dot_vote(
    allocations: Iterable[Mapping[Option, int]],
    options: Sequence[Option],
    *,
    dots: int,
    max_per_option: int | None = None,
) -> DotResult:
    """Each allocation is one person's dots per option (up to ``dots`` in all, and up to
    ``max_per_option`` on one option if set). Hand counts can be passed as one allocation per
    option group only if ``dots`` is large enough; use :func:`merge_counts` for those.

    Raises:
        CountingError: unknown option, negative dots, too many dots.
    """
    known = tuple(dict.fromkeys(options))
    totals = dict.fromkeys(known, 0)
    voters = 0
    for allocation in allocations:
        spent = 0
        for option, count in allocation.items():
            if option not in totals:
                raise CountingError("unknown_option", f"unknown option {option!r}", option=option)
            if count < 0:
                raise CountingError("negative", "dots cannot be negative", option=option)
            if max_per_option is not None and count > max_per_option:
                raise CountingError("too_many_on_one", "too many dots on one option", option=option)
            spent += count
            totals[option] += count
        if spent > dots:
            raise CountingError("too_many_dots", f"{spent} dots, at most {dots}")
        voters += 1
    return DotResult(totals=totals, voters=voters, places=_places(totals, known))


@dataclass(frozen=True)
class ScoreResult:
    totals: Mapping[Option, int]
    scored_by: Mapping[Option, int]
    """How many people gave the option a score (blank cells not counted)."""
    averages: Mapping[Option, Fraction | None]
    voters: int
    places: tuple[Place, ...]


def score_vote(
    ballots: Iterable[Mapping[Option, int | None]],
    options: Sequence[Option],
    *,
    low: int = 0,
    high: int = 5,
) -> ScoreResult:
    """Each ballot scores options from ``low`` to ``high`` (``None`` or a missing option: left
    blank, which adds nothing to the total and is left out of the average). Ranked by total.

    Raises:
        CountingError: unknown option or a score outside ``low..high``.
    """
    if low > high:
        raise CountingError("bad_scale", "the lowest score is above the highest")
    known = tuple(dict.fromkeys(options))
    totals = dict.fromkeys(known, 0)
    scored_by = dict.fromkeys(known, 0)
    voters = 0
    for ballot in ballots:
        for option, score in ballot.items():
            if option not in totals:
                raise CountingError("unknown_option", f"unknown option {option!r}", option=option)
            if score is None:
                continue
            if not low <= score <= high:
                raise CountingError(
                    "bad_score", f"score {score} outside {low}..{high}", option=option
                )
            totals[option] += score
            scored_by[option] += 1
        voters += 1
    averages = {o: (Fraction(totals[o], scored_by[o]) if scored_by[o] else None) for o in known}
    return ScoreResult(
        totals=totals,
        scored_by=scored_by,
        averages=averages,
        voters=voters,
        places=_places(totals, known),
    )
