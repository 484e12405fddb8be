"""Instant runoff checked against the published round-by-round results of real elections.

The cast vote records are not needed: a published round table says, for every round, how many
ballots each continuing candidate held and how many ballots the eliminated candidates' piles gave to
each other candidate or to the exhausted pile. Any set of ballots whose first choices match round 1
and whose next continuing choices match each published transfer reproduces every round exactly,
because instant runoff only ever looks at a ballot's highest continuing choice. So each test builds
such ballots: one ranking per (first choice, where it went next, ...) with the published count, and
checks that our count gives back the published table, the eliminations and the winner.
"""

from __future__ import annotations

from collections import Counter

from vecinos.assembly.counting import Elimination, instant_runoff

KISS, WRIGHT, MONTROLL = "Bob Kiss", "Kurt Wright", "Andy Montroll"
SMITH, SIMPSON, WRITE_IN = "Dan Smith", "James Simpson", "Write-in"


def burlington_2009() -> Counter[tuple[str, ...]]:
    """Burlington, Vermont, mayor, 3 March 2009: 8,980 ballots, three rounds.

    Published results (City of Burlington, "2009 Mayor Final Piles Report"; reproduced in
    https://en.wikipedia.org/wiki/2009_Burlington_mayoral_election and
    https://electowiki.org/wiki/2009_Burlington_mayoral_election; ballot-level analysis at
    https://ranked.vote/us/vt/btv/2009/03/mayor/):

    ===============  =======  ===========  =======  ===========  =======
    Candidate        Round 1  transfer     Round 2  transfer     Round 3
    ===============  =======  ===========  =======  ===========  =======
    Kurt Wright       2,951   +343          3,294   +767          4,061
    Bob Kiss          2,585   +396          2,981   +1,332        4,313
    Andy Montroll     2,063   +491          2,554   -2,554            —
    Dan Smith         1,306   -1,306            —
    Write-in             36   -36               —
    James Simpson        35   -35               —
    Exhausted             4   +147            151   +455            606
    ===============  =======  ===========  =======  ===========  =======

    Smith, Simpson and the write-ins were eliminated together after round 1 (batch elimination:
    together they had 1,377 votes, fewer than Montroll's 2,063), Montroll after round 2.

    The ballots built here: the 4 exhausted in round 1 ranked no one (blank ballots; our count
    reports them apart, so our exhausted pile is the published one minus 4). The 1,377 ballots of
    the first eliminated: Simpson's 35 go to Kiss; the 36 write-ins rank no one else; Smith's
    1,306 go 361 to Kiss (396 - 35), 343 to Wright, 491 to Montroll then Kiss, and 111 rank no
    one else (147 - 36). Montroll's 2,554 in round 2 are those 491 (which go on to Kiss) and his
    own 2,063: 841 then Kiss (1,332 - 491), 767 then Wright and 455 ranking no one else.
    """
    return Counter(
        {
            (WRIGHT,): 2951,
            (KISS,): 2585,
            (MONTROLL, KISS): 841,
            (MONTROLL, WRIGHT): 767,
            (MONTROLL,): 455,
            (SMITH, KISS): 361,
            (SMITH, WRIGHT): 343,
            (SMITH, MONTROLL, KISS): 491,
            (SMITH,): 111,
            (SIMPSON, KISS): 35,
            (WRITE_IN,): 36,
            (): 4,
        }
    )


def test_burlington_2009_mayor_is_counted_as_published() -> None:
    result = instant_runoff(burlington_2009(), [KISS, WRIGHT, MONTROLL, SMITH, SIMPSON, WRITE_IN])

    assert result.winner == KISS
    assert result.ballots == 8976
    assert result.blank == 4
    assert [dict(r.counts) for r in result.rounds] == [
        {WRIGHT: 2951, KISS: 2585, MONTROLL: 2063, SMITH: 1306, WRITE_IN: 36, SIMPSON: 35},
        {WRIGHT: 3294, KISS: 2981, MONTROLL: 2554},
        {KISS: 4313, WRIGHT: 4061},
    ]
    assert [r.exhausted + result.blank for r in result.rounds] == [4, 151, 606]
    assert [set(r.eliminated) for r in result.rounds] == [
        {SMITH, SIMPSON, WRITE_IN},
        {MONTROLL},
        set(),
    ]
    assert result.rounds[1].transfers == {KISS: 396, WRIGHT: 343, MONTROLL: 491, "": 147}
    assert result.rounds[2].transfers == {KISS: 1332, WRIGHT: 767, "": 455}
    assert result.rounds[2].elected == KISS
    assert result.rounds[2].continuing == 8374  # the published final-round turnout


def test_burlington_2009_has_the_same_winner_when_eliminating_one_at_a_time() -> None:
    result = instant_runoff(burlington_2009(), elimination=Elimination.SINGLE)

    assert result.winner == KISS
    assert [r.eliminated for r in result.rounds] == [
        (SIMPSON,),
        (WRITE_IN,),
        (SMITH,),
        (MONTROLL,),
        (),
    ]
    assert dict(result.rounds[-1].counts) == {KISS: 4313, WRIGHT: 4061}


GOLDEN, POLIQUIN, BOND, HOAR = "Jared Golden", "Bruce Poliquin", "Tiffany Bond", "Will Hoar"


def test_maine_2018_second_district_is_counted_as_published() -> None:
    """Maine, U.S. House, 2nd district, 6 November 2018: the first U.S. congressional race decided
    by ranked choice. Published by the Maine Secretary of State (ranked-choice tabulation, 15
    November 2018); reproduced in
    https://en.wikipedia.org/wiki/2018_United_States_House_of_Representatives_elections_in_Maine

    Round 1: Poliquin 134,184; Golden 132,013; Bond 16,552; Hoar 6,875. Bond and Hoar were
    eliminated together (23,427 votes, fewer than either leader). Round 2: Golden 142,440
    (+10,427); Poliquin 138,931 (+4,747); exhausted 8,253. The transfers are split between
    Bond's and Hoar's piles arbitrarily (the published table gives only their sum), which cannot
    change any count since both are eliminated at once.
    """
    ballots = Counter(
        {
            (POLIQUIN,): 134184,
            (GOLDEN,): 132013,
            (BOND, GOLDEN): 9000,
            (BOND, POLIQUIN): 3000,
            (BOND,): 4552,
            (HOAR, BOND, GOLDEN): 1427,
            (HOAR, POLIQUIN): 1747,
            (HOAR,): 3701,
        }
    )

    result = instant_runoff(ballots, [POLIQUIN, GOLDEN, BOND, HOAR])

    assert result.winner == GOLDEN
    assert dict(result.rounds[0].counts) == {
        POLIQUIN: 134184,
        GOLDEN: 132013,
        BOND: 16552,
        HOAR: 6875,
    }
    assert set(result.rounds[0].eliminated) == {BOND, HOAR}
    assert dict(result.rounds[1].counts) == {GOLDEN: 142440, POLIQUIN: 138931}
    assert result.rounds[1].exhausted == 8253
