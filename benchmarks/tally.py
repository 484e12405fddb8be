"""`vecinos bench tally`: count a ranked-choice vote of N ballots over K options.

N ballots are stored as the app stores them (``assembly.Ballot`` rows of one instant-runoff vote,
each a ranking of 1 to K options drawn with skewed preferences, so that the count takes several
rounds); they are created first and not timed. Then, in the same run on the same database:

- ``read_s``: reading the ballots back (their rankings) from the database, the baseline;
- ``tally_s``: counting them by instant runoff (``assembly.counting``), the rankings in memory;
- ``count_vote_s``: what closing the vote does (``proposals.count_vote``: read, parse and count).

Run inside a throwaway database (the `bench` command sets one up).
"""

from __future__ import annotations

import argparse
import random
import time
from typing import Any

from django.db import connection, transaction

from vecinos.assembly import counting
from vecinos.assembly import proposals as services
from vecinos.assembly.choices_proposals import BallotSource, VoteMethod, VoteStatus
from vecinos.assembly.models import Assembly
from vecinos.assembly.models_proposals import Ballot, Proposal, Vote, VoteOption

BATCH = 5000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--ballots", type=int, default=100_000)
    parser.add_argument("--options", type=int, default=8)
    parser.add_argument("--seed", type=int, default=7)


def _ranking(rng: random.Random, letters: list[str], weights: list[float]) -> list[str]:
    """A ranking of 1 to all options, drawn without replacement by weight."""
    pool, pool_weights = list(letters), list(weights)
    ranked = []
    for _ in range(rng.randint(1, len(letters))):
        choice = rng.choices(range(len(pool)), weights=pool_weights)[0]
        ranked.append(pool.pop(choice))
        pool_weights.pop(choice)
    return ranked


def run(options: dict[str, Any]) -> dict[str, Any]:
    rng = random.Random(options["seed"])  # noqa: S311  # invented ballots, not secrets
    count, size = options["ballots"], options["options"]
    if not 2 <= size <= 26:
        raise SystemExit("--options: from 2 to 26")
    letters = [chr(ord("A") + i) for i in range(size)]
    # Close first preferences: nobody has a majority at first, so options are eliminated in turn.
    weights = [1.0 + 0.15 * i for i in reversed(range(size))]
    with transaction.atomic():
        assembly = Assembly.objects.create(name="Bench assembly")
        proposal = Proposal.objects.create(assembly=assembly, original_language="en")
        vote = Vote.objects.create(
            proposal=proposal, method=VoteMethod.IRV, code="BN77", status=VoteStatus.OPEN
        )
        VoteOption.objects.bulk_create(
            VoteOption(vote=vote, position=i, labels={"en": f"Option {letter}"})
            for i, letter in enumerate(letters)
        )
        for start in range(0, count, BATCH):
            Ballot.objects.bulk_create(
                Ballot(
                    vote=vote,
                    source=BallotSource.REMOTE,
                    choice={"ranking": _ranking(rng, letters, weights)},
                )
                for _ in range(min(BATCH, count - start))
            )

    started = time.perf_counter()
    rankings = [
        tuple(choice["ranking"])
        for choice in Ballot.objects.filter(vote=vote).values_list("choice", flat=True).iterator()
    ]
    read_s = time.perf_counter() - started

    started = time.perf_counter()
    result = counting.instant_runoff(rankings, letters)
    tally_s = time.perf_counter() - started

    started = time.perf_counter()
    counted = services.count_vote(vote)
    count_vote_s = time.perf_counter() - started
    if counted.result.get("winner") != result.winner:
        raise SystemExit("count_vote and instant_runoff disagree")

    return {
        "database": connection.vendor,
        "ballots": len(rankings),
        "options": size,
        "rounds": len(result.rounds),
        "winner": result.winner,
        "read_s": round(read_s, 3),
        "tally_s": round(tally_s, 3),
        "tally_vs_read": round(tally_s / read_s, 3) if read_s else None,
        "count_vote_s": round(count_vote_s, 3),
    }
