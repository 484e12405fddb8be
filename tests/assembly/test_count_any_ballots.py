"""Property tests: whatever the ballots, counting never crashes and never loses a ballot."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from vecinos.assembly.counting import (
    Elimination,
    Threshold,
    decide_motion,
    full_ranking,
    instant_runoff,
    score_vote,
)

OPTIONS = ["Ana", "Beto", "Cruz", "Dalia", "Emi", "Fer"]

ranking = st.lists(st.sampled_from(OPTIONS), unique=True, max_size=len(OPTIONS))
ballot_lists = st.lists(ranking, max_size=60)
eliminations = st.sampled_from(list(Elimination))


@settings(max_examples=300, deadline=None)
@given(ballots=ballot_lists, elimination=eliminations, lot=st.permutations(OPTIONS))
def test_every_round_accounts_for_every_ballot(
    ballots: list[list[str]], elimination: Elimination, lot: list[str]
) -> None:
    result = instant_runoff(ballots, OPTIONS, elimination=elimination, lot=lot)

    assert result.ballots + result.blank == len(ballots)
    eliminated: list[str] = []
    for rnd in result.rounds:
        assert sum(rnd.counts.values()) + rnd.exhausted == result.ballots
        assert not set(rnd.counts) & set(eliminated)
        eliminated += rnd.eliminated
    exhausted = [r.exhausted for r in result.rounds]
    assert exhausted == sorted(exhausted)
    if result.ballots:
        assert result.winner is not None
        final = result.rounds[-1]
        assert final.elected == result.winner
        assert 2 * final.counts[result.winner] > final.continuing or len(final.counts) == 1
        assert result.winner not in eliminated
    else:
        assert result.winner is None


@settings(max_examples=150, deadline=None)
@given(ballots=ballot_lists)
def test_a_full_ranking_places_every_option_once(ballots: list[list[str]]) -> None:
    result = full_ranking(ballots, OPTIONS)

    assert sorted(p.option for p in result.places) == sorted(OPTIONS)
    places = [p.place for p in result.places]
    assert places == sorted(places)
    if any(ballots):
        assert result.places[0].option == instant_runoff(ballots, OPTIONS).winner


@settings(max_examples=150, deadline=None)
@given(ballots=ballot_lists)
def test_an_option_with_a_majority_of_first_choices_always_wins(
    ballots: list[list[str]],
) -> None:
    firsts = [b[0] for b in ballots if b]
    for option in OPTIONS:
        if 2 * firsts.count(option) > len(firsts):
            assert instant_runoff(ballots, OPTIONS).winner == option


@given(
    yes=st.integers(0, 500),
    no=st.integers(0, 500),
    abstain=st.integers(0, 500),
)
def test_a_supermajority_never_passes_what_a_majority_rejects(
    yes: int, no: int, abstain: int
) -> None:
    results = [decide_motion(yes, no, abstain, threshold=t) for t in Threshold]
    majority, two_thirds, three_quarters = results
    assert majority.passed >= two_thirds.passed >= three_quarters.passed
    for result in results:
        assert result.passed == (yes + no > 0 and yes >= result.required_yes)


@given(
    ballots=st.lists(
        st.dictionaries(st.sampled_from(OPTIONS), st.one_of(st.none(), st.integers(0, 5))),
        max_size=40,
    )
)
def test_score_totals_are_the_sum_of_the_scores(ballots: list[dict[str, int | None]]) -> None:
    result = score_vote(ballots, OPTIONS)
    for option in OPTIONS:
        assert result.totals[option] == sum(b.get(option) or 0 for b in ballots)


@settings(max_examples=200, deadline=None)
@given(ballots=ballot_lists)
def test_batch_elimination_never_changes_the_winner(ballots: list[list[str]]) -> None:
    batch = instant_runoff(ballots, OPTIONS, elimination=Elimination.BATCH)
    single = instant_runoff(ballots, OPTIONS, elimination=Elimination.SINGLE)
    if not any(r.tie for r in (*batch.rounds, *single.rounds)):
        assert batch.winner == single.winner
