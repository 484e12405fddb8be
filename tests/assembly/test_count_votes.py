"""The counting rules: majority and supermajority edges, consensus, quorum, ties, dots, scores."""

from __future__ import annotations

from fractions import Fraction

import pytest

from vecinos.assembly.counting import (
    Base,
    Block,
    ConsensusOutcome,
    CountingError,
    Elimination,
    Place,
    Threshold,
    TieRule,
    check_quorum,
    choose_by_majority,
    decide_consensus,
    decide_motion,
    dot_vote,
    full_ranking,
    instant_runoff,
    merge_counts,
    score_vote,
)


class TestMajority:
    def test_a_tie_fails_a_simple_majority(self) -> None:
        result = decide_motion(10, 10)
        assert not result.passed
        assert result.required_yes == 11

    def test_one_more_yes_than_no_passes(self) -> None:
        assert decide_motion(11, 10).passed

    def test_abstentions_are_reported_but_not_counted_against(self) -> None:
        result = decide_motion(3, 2, abstain=40)
        assert result.passed
        assert (result.abstain, result.base_count) == (40, 5)

    def test_abstentions_count_against_when_the_base_is_all_votes(self) -> None:
        assert not decide_motion(3, 2, abstain=40, base=Base.ALL_VOTES).passed

    def test_no_votes_at_all_is_not_a_decision(self) -> None:
        assert not decide_motion(0, 0, abstain=12).passed

    def test_negative_counts_are_refused(self) -> None:
        with pytest.raises(CountingError):
            decide_motion(-1, 3)


class TestSupermajority:
    def test_exactly_two_thirds_passes(self) -> None:
        result = decide_motion(20, 10, threshold=Threshold.TWO_THIRDS)
        assert result.passed
        assert result.required_yes == 20

    def test_one_vote_short_of_two_thirds_fails(self) -> None:
        assert not decide_motion(19, 10, threshold=Threshold.TWO_THIRDS).passed

    def test_two_thirds_of_a_number_not_divisible_by_three_rounds_up(self) -> None:
        # 2/3 of 31 is 20.67: 21 yes are needed.
        assert not decide_motion(20, 11, threshold=Threshold.TWO_THIRDS).passed
        assert decide_motion(21, 10, threshold=Threshold.TWO_THIRDS).passed

    def test_exactly_three_quarters_passes_and_one_less_fails(self) -> None:
        assert decide_motion(30, 10, threshold=Threshold.THREE_QUARTERS).passed
        assert not decide_motion(29, 10, threshold=Threshold.THREE_QUARTERS).passed

    def test_two_thirds_of_those_present_counts_silence_as_no(self) -> None:
        result = decide_motion(
            20, 5, abstain=2, threshold=Threshold.TWO_THIRDS, base=Base.PRESENT, present=33
        )
        assert not result.passed
        assert result.required_yes == 22

    def test_present_must_cover_the_votes(self) -> None:
        with pytest.raises(CountingError):
            decide_motion(20, 5, base=Base.PRESENT, present=10)


class TestChoosingAmongOptions:
    def test_more_than_half_wins(self) -> None:
        assert choose_by_majority({"park": 6, "library": 3, "clinic": 2}).winner == "park"

    def test_a_plurality_is_not_a_majority(self) -> None:
        result = choose_by_majority({"park": 5, "library": 3, "clinic": 2})
        assert result.winner is None
        assert result.leaders == ("park",)

    def test_a_tie_for_first_names_both_leaders(self) -> None:
        assert choose_by_majority({"a": 4, "b": 4}).leaders == ("a", "b")

    def test_room_and_remote_counts_are_merged(self) -> None:
        merged = merge_counts({"yes": 12, "no": 3}, {"yes": 5, "abstain": 1}, {"no": 2})
        assert merged == {"yes": 17, "no": 5, "abstain": 1}


class TestConsensus:
    def test_agreement_with_stand_asides_reaches_consensus(self) -> None:
        assert decide_consensus(agree=14, stand_aside=3).passed

    def test_one_block_stops_the_proposal_and_keeps_its_reason(self) -> None:
        reason = "This would expose families who asked us not to publish their street."
        result = decide_consensus(agree=30, stand_aside=0, blocks=[Block(reason, by="Rosa")])
        assert not result.passed
        assert result.outcome is ConsensusOutcome.BLOCKED
        assert result.blocks == (Block(reason, by="Rosa"),)

    def test_a_block_needs_a_reason(self) -> None:
        with pytest.raises(CountingError) as caught:
            decide_consensus(agree=3, blocks=["  "])
        assert caught.value.code == "block_without_reason"

    def test_too_many_stand_asides_is_not_consensus(self) -> None:
        result = decide_consensus(agree=10, stand_aside=4, max_stand_asides=3)
        assert result.outcome is ConsensusOutcome.TOO_MANY_STAND_ASIDES

    def test_nobody_agreeing_is_not_consensus(self) -> None:
        assert decide_consensus(agree=0, stand_aside=5).outcome is ConsensusOutcome.NO_AGREEMENT


class TestQuorum:
    def test_quorum_not_met_by_count(self) -> None:
        check = check_quorum("count", 15, present=14, members=60)
        assert not check.met
        assert check.required == 15

    def test_a_percentage_rounds_up_to_a_whole_person(self) -> None:
        assert check_quorum("percent", 50, present=12, members=25).required == 13
        assert check_quorum("percent", 50, present=13, members=25).met

    def test_no_quorum_rule_is_always_met(self) -> None:
        assert check_quorum("none", 0, present=0, members=40).met


class TestInstantRunoffTies:
    def test_a_tie_for_last_is_broken_by_the_previous_round(self) -> None:
        # Round 1: A 5, B 4, C 3, D 2, E 1. E is eliminated alone (1 < 2), its ballot goes to D:
        # round 2 has C 3 and D 3 tied for last; C had more in round 1, so D is eliminated.
        ballots = (
            [["A"]] * 5 + [["B"]] * 4 + [["C", "B"]] * 3 + [["D", "A"]] * 2 + [["E", "D", "B"]]
        )
        result = instant_runoff(ballots, elimination=Elimination.SINGLE)
        tie = result.rounds[1].tie
        assert tie is not None
        assert (tie.tied, tie.eliminated) == (("C", "D"), "D")
        assert tie.rule is TieRule.PREVIOUS_ROUNDS
        assert tie.round_compared == 1

    def test_a_tie_in_every_round_is_decided_by_the_lot_drawn(self) -> None:
        ballots = [["A"]] * 3 + [["B", "A"]] * 2 + [["C", "A"]] * 2
        drawn_b_first = instant_runoff(ballots, lot=["B", "C"])
        drawn_c_first = instant_runoff(ballots, lot=["C", "B"])
        assert drawn_b_first.rounds[0].eliminated == ("B",)
        assert drawn_c_first.rounds[0].eliminated == ("C",)
        tie = drawn_b_first.rounds[0].tie
        assert tie is not None
        assert tie.rule is TieRule.LOT

    def test_without_a_draw_the_last_listed_option_loses_a_tie(self) -> None:
        ballots = [["A"]] * 3 + [["B", "A"]] * 2 + [["C", "A"]] * 2
        result = instant_runoff(ballots, ["A", "B", "C"])
        assert result.rounds[0].eliminated == ("C",)

    def test_batch_elimination_removes_every_option_that_cannot_catch_up(self) -> None:
        ballots = [["A"]] * 10 + [["B"]] * 8 + [["C", "B"]] * 2 + [["D", "B"]] * 1
        result = instant_runoff(ballots, ["A", "B", "C", "D", "E"])
        assert set(result.rounds[0].eliminated) == {"C", "D", "E"}
        assert result.winner == "B"

    def test_exhausted_ballots_leave_the_majority_needed(self) -> None:
        ballots = [["A"]] * 4 + [["B"]] * 3 + [["C"]] * 2
        result = instant_runoff(ballots)
        final = result.rounds[-1]
        assert (final.counts["A"], final.exhausted, final.continuing) == (4, 2, 7)
        assert result.winner == "A"

    def test_an_option_ranked_twice_is_refused(self) -> None:
        with pytest.raises(CountingError) as caught:
            instant_runoff([["A", "B", "A"]])
        assert caught.value.code == "duplicate_ranking"

    def test_an_unknown_option_is_refused_when_the_options_are_given(self) -> None:
        with pytest.raises(CountingError) as caught:
            instant_runoff([["A", "Z"]], ["A", "B"])
        assert caught.value.option == "Z"

    def test_no_ballots_means_no_winner(self) -> None:
        result = instant_runoff([[], []], ["A", "B"])
        assert result.winner is None
        assert result.blank == 2


class TestFullRanking:
    def test_each_place_is_a_new_instant_runoff_without_the_ones_placed(self) -> None:
        ballots = [["A", "B", "C"]] * 4 + [["B", "C", "A"]] * 3 + [["C", "B", "A"]] * 2
        result = full_ranking(ballots, ["A", "B", "C", "D"])
        # A has 4 of 9; C is eliminated, B gets 5: B first. Without B: A 4, C 5: C second.
        assert [(p.place, p.option) for p in result.places] == [
            (1, "B"),
            (2, "C"),
            (3, "A"),
            (4, "D"),
        ]
        assert len(result.runs) == 3


class TestDotsAndScores:
    def test_dots_are_added_up_and_equal_totals_share_a_place(self) -> None:
        result = dot_vote(
            [{"park": 3, "clinic": 2}, {"clinic": 3, "library": 2}, {"park": 2, "library": 3}],
            ["park", "clinic", "library"],
            dots=5,
        )
        assert result.totals == {"park": 5, "clinic": 5, "library": 5}
        assert {p.place for p in result.places} == {1}

    def test_too_many_dots_are_refused(self) -> None:
        with pytest.raises(CountingError) as caught:
            dot_vote([{"park": 4, "clinic": 2}], ["park", "clinic"], dots=5)
        assert caught.value.code == "too_many_dots"

    def test_too_many_dots_on_one_option_are_refused(self) -> None:
        with pytest.raises(CountingError):
            dot_vote([{"park": 3}], ["park"], dots=5, max_per_option=2)

    def test_scores_rank_by_total_and_blanks_stay_out_of_the_average(self) -> None:
        result = score_vote(
            [{"park": 5, "clinic": 2}, {"park": 4, "clinic": None}, {"park": 0, "clinic": 5}],
            ["park", "clinic"],
        )
        assert result.totals == {"park": 9, "clinic": 7}
        assert result.averages == {"park": Fraction(3), "clinic": Fraction(7, 2)}
        assert result.places[0] == Place(1, "park", 9)

    def test_a_score_outside_the_scale_is_refused(self) -> None:
        with pytest.raises(CountingError) as caught:
            score_vote([{"park": 6}], ["park"])
        assert caught.value.code == "bad_score"
