"""Every decision method, with ballots from the web (through the vote page), texts and the
room merged into one count, and the decision written to the register."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from tests.assembly.proposals.conftest import STRATEGIES, MakeMember, MakeVote, TextIn
from tests.conftest import MakeAccount
from vecinos.assembly import proposals as services
from vecinos.assembly.choices import QuorumKind
from vecinos.assembly.choices_proposals import (
    Outcome,
    ProposalStatus,
    TakingPart,
    VoteMethod,
)
from vecinos.assembly.models import Assembly
from vecinos.assembly.models_proposals import Ballot, Participation, Vote
from vecinos.assembly.voting import BallotError, Choice
from vecinos.core.choices import Role
from vecinos.core.models import User
from vecinos.organizing.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def web_voters(make_account: MakeAccount, make_member: MakeMember) -> list[User]:
    users = []
    for name in ("Beto", "Carla", "Dae"):
        user = make_account(name.lower(), Role.MEMBER, display_name=name)
        make_member(name, account=user, language="en")
        users.append(user)
    return users


def vote_on_web(client: Client, vote: Vote, data: dict[str, Any]) -> Any:
    return client.post(
        reverse("assembly:vote_detail", kwargs={"vote_id": vote.id}), {"action": "ballot", **data}
    )


def close(runner: User, vote: Vote) -> Any:
    return services.do_close_vote(runner, vote)


def test_majority_merges_web_text_and_room_hands(
    make_vote: MakeVote,
    make_member: MakeMember,
    web_voters: list[User],
    logged_in: Callable[[User], Client],
    text_in: TextIn,
    runner: User,
) -> None:
    vote = make_vote(VoteMethod.MAJORITY)
    for user, answer in zip(web_voters, ("yes", "yes", "no"), strict=True):
        response = vote_on_web(logged_in(user), vote, {"answer": answer})
        assert response.status_code == 302
    text_in(make_member("Eun", language="ko"), f"{vote.code} 찬성")
    services.do_record_room(runner, vote, counts={"yes": 4, "no": 5, "abstain": 2})
    decision = close(runner, vote)
    assert decision.result["rows"] == [
        ["yes", 3, 4, 7],
        ["no", 1, 5, 6],
        ["abstain", 0, 2, 2],
    ]
    assert decision.outcome == Outcome.ADOPTED  # 7 of 13 yes and no votes
    assert decision.participants == 4 + 11
    assert Participation.objects.filter(vote=vote, channel=TakingPart.WEB).count() == 3
    vote.proposal.refresh_from_db()
    assert vote.proposal.status == ProposalStatus.ADOPTED


def test_a_majority_tie_fails(make_vote: MakeVote, runner: User) -> None:
    vote = make_vote(VoteMethod.MAJORITY)
    services.do_record_room(runner, vote, counts={"yes": 5, "no": 5})
    assert close(runner, vote).outcome == Outcome.REJECTED


@pytest.mark.parametrize(
    ("method", "yes", "no", "outcome"),
    [
        (VoteMethod.TWO_THIRDS, 20, 10, Outcome.ADOPTED),  # exactly two thirds passes
        (VoteMethod.TWO_THIRDS, 19, 10, Outcome.REJECTED),
        (VoteMethod.THREE_QUARTERS, 15, 5, Outcome.ADOPTED),  # exactly three quarters
        (VoteMethod.THREE_QUARTERS, 14, 5, Outcome.REJECTED),
    ],
)
def test_supermajorities_pass_at_exactly_their_share(
    make_vote: MakeVote, runner: User, method: str, yes: int, no: int, outcome: str
) -> None:
    vote = make_vote(method)
    services.do_record_room(runner, vote, counts={"yes": yes, "no": no, "abstain": 7})
    assert close(runner, vote).outcome == outcome


def test_a_two_thirds_vote_on_the_web(
    make_vote: MakeVote, web_voters: list[User], logged_in: Callable[[User], Client], runner: User
) -> None:
    vote = make_vote(VoteMethod.TWO_THIRDS)
    for user, answer in zip(web_voters, ("yes", "yes", "no"), strict=True):
        vote_on_web(logged_in(user), vote, {"answer": answer})
    decision = close(runner, vote)
    assert decision.outcome == Outcome.ADOPTED and decision.result["required_yes"] == 2


def test_consensus_with_a_block_stops_the_proposal_and_keeps_the_reason(
    make_vote: MakeVote,
    web_voters: list[User],
    logged_in: Callable[[User], Client],
    runner: User,
) -> None:
    vote = make_vote(VoteMethod.CONSENSUS)
    vote_on_web(logged_in(web_voters[0]), vote, {"answer": "agree"})
    vote_on_web(logged_in(web_voters[1]), vote, {"answer": "stand_aside"})
    response = vote_on_web(
        logged_in(web_voters[2]), vote, {"answer": "block", "reason": "It exposes volunteers"}
    )
    assert response.status_code == 302
    services.do_record_room(runner, vote, counts={"agree": 20})
    decision = close(runner, vote)
    assert decision.outcome == Outcome.BLOCKED
    assert decision.result["blocks"] == ["It exposes volunteers"]
    vote.proposal.refresh_from_db()
    assert vote.proposal.status == ProposalStatus.BLOCKED


def test_a_block_on_the_web_without_a_reason_gets_an_error(
    make_vote: MakeVote, web_voters: list[User], logged_in: Callable[[User], Client]
) -> None:
    vote = make_vote(VoteMethod.CONSENSUS)
    response = vote_on_web(logged_in(web_voters[0]), vote, {"answer": "block", "reason": " "})
    assert response.status_code == 200
    assert "A block needs its reason." in response.content.decode()
    assert not Ballot.objects.exists()


def test_a_block_from_the_room_needs_its_reason_before_the_vote_closes(
    make_vote: MakeVote, runner: User
) -> None:
    vote = make_vote(VoteMethod.CONSENSUS)
    services.do_record_room(runner, vote, counts={"agree": 12, "block": 1})
    with pytest.raises(BallotError):
        close(runner, vote)
    vote.refresh_from_db()
    assert vote.status == "open"
    services.do_record_room(runner, vote, counts={"agree": 12, "block": 1}, room_note="No money")
    decision = close(runner, vote)
    assert decision.outcome == Outcome.BLOCKED and decision.result["blocks"] == ["No money"]


def test_consensus_with_stand_asides_is_reached(make_vote: MakeVote, runner: User) -> None:
    vote = make_vote(VoteMethod.CONSENSUS)
    services.do_record_room(runner, vote, counts={"agree": 14, "stand_aside": 3})
    assert close(runner, vote).outcome == Outcome.ADOPTED


def test_instant_runoff_merges_web_text_and_paper_ballots_round_by_round(
    make_vote: MakeVote,
    make_member: MakeMember,
    web_voters: list[User],
    logged_in: Callable[[User], Client],
    text_in: TextIn,
    runner: User,
) -> None:
    vote = make_vote(VoteMethod.IRV, options=STRATEGIES)
    # Web: ranks per option (1 = first choice).
    vote_on_web(logged_in(web_voters[0]), vote, {"o_A": "2", "o_C": "1"})
    vote_on_web(logged_in(web_voters[1]), vote, {"o_D": "1", "o_B": "2"})
    vote_on_web(logged_in(web_voters[2]), vote, {"o_B": "1"})
    text_in(make_member("Eun", language="ko"), f"{vote.code} D C")
    paper = "A B\nA\nA C\nB A\nC A\n"
    response = logged_in(runner).post(
        reverse("assembly:vote_detail", kwargs={"vote_id": vote.id}),
        {"action": "paper", "ballots": paper},
    )
    assert response.status_code == 302
    decision = close(runner, vote)
    # First choices: A 3, B 2, C 2, D 2 (9 ballots). D, then C and B go; A wins 5 to 3.
    assert decision.result["rows"] == [
        ["A", 0, 3, 3],
        ["B", 1, 1, 2],
        ["C", 1, 1, 2],
        ["D", 2, 0, 2],
    ]
    rounds = decision.result["rounds"]
    assert len(rounds) >= 3
    assert rounds[0]["counts"] == {"A": 3, "B": 2, "C": 2, "D": 2}
    assert decision.result["winner"] == "A" and decision.outcome == Outcome.CHOSEN
    assert decision.participants == 4 + 5


def test_a_bad_paper_ballot_gets_its_line_number(
    make_vote: MakeVote, logged_in: Callable[[User], Client], runner: User
) -> None:
    vote = make_vote(VoteMethod.IRV, options=STRATEGIES)
    response = logged_in(runner).post(
        reverse("assembly:vote_detail", kwargs={"vote_id": vote.id}),
        {"action": "paper", "ballots": "A B\nA A\n"},
    )
    assert response.status_code == 200
    assert "Line 2: Each option can be ranked only once." in response.content.decode()
    assert not Ballot.objects.exists()


def test_full_ranking_sets_priorities(
    make_vote: MakeVote, text_in: TextIn, make_member: MakeMember, runner: User
) -> None:
    vote = make_vote(VoteMethod.RANKING, options=STRATEGIES)
    for i, ranking in enumerate(["B A C D", "B C A D", "A B D C", "C B A D", "B D"]):
        text_in(make_member(f"M{i}", language="en"), f"{vote.code} {ranking}")
    decision = close(runner, vote)
    assert decision.outcome == Outcome.RANKED
    assert next(option for _place, option, _score in decision.result["places"]) == "B"


def test_dot_voting_merges_web_dots_and_room_dots(
    make_vote: MakeVote,
    web_voters: list[User],
    logged_in: Callable[[User], Client],
    runner: User,
) -> None:
    vote = make_vote(VoteMethod.DOTS, options=STRATEGIES, dots=3)
    vote_on_web(logged_in(web_voters[0]), vote, {"o_A": "2", "o_B": "1"})
    response = vote_on_web(logged_in(web_voters[1]), vote, {"o_A": "3", "o_C": "1"})
    assert response.status_code == 200  # four dots: refused with an error
    assert "You have 3 dots; that ballot uses 4." in response.content.decode()
    services.do_record_room(runner, vote, counts={"C": 6, "D": 1}, room_voters=4)
    decision = close(runner, vote)
    assert decision.result["places"][0] == [1, "C", 6]
    assert decision.result["rows"][0] == ["A", 2, 0, 2]
    assert decision.participants == 1 + 4


def test_score_voting_merges_web_and_paper_scores(
    make_vote: MakeVote,
    web_voters: list[User],
    logged_in: Callable[[User], Client],
    runner: User,
) -> None:
    vote = make_vote(VoteMethod.SCORE, options=STRATEGIES, score_max=5)
    vote_on_web(logged_in(web_voters[0]), vote, {"o_A": "5", "o_B": "0"})
    services.do_record_room(
        runner, vote, ballots=[Choice(points={"A": 1, "B": 4}), Choice(points={"B": 5})]
    )
    decision = close(runner, vote)
    assert decision.result["places"][0] == [1, "B", 9]
    assert decision.result["averages"]["A"] == "3.0"


def test_quorum_not_met_marks_the_decision(
    body: Assembly, make_vote: MakeVote, make_member: MakeMember, runner: User
) -> None:
    for i in range(10):
        make_member(f"Member {i}")
    body.quorum_kind, body.quorum_value = QuorumKind.PERCENT, 50
    body.save()
    vote = make_vote(VoteMethod.MAJORITY)
    services.do_record_room(runner, vote, counts={"yes": 3, "no": 1})
    decision = close(runner, vote)
    assert not decision.quorum_met and decision.quorum_needed == 5
    assert decision.outcome == Outcome.ADOPTED  # decided, and marked as taken without quorum


def test_one_person_one_vote_is_a_database_constraint(
    make_vote: MakeVote, make_member: MakeMember
) -> None:
    vote = make_vote(VoteMethod.MAJORITY)
    ana = make_member("Ana")
    Participation.objects.create(vote=vote, person=ana, channel=TakingPart.WEB)
    with pytest.raises(IntegrityError), transaction.atomic():
        Participation.objects.create(vote=vote, person=ana, channel=TakingPart.TEXT)


def test_a_web_vote_after_a_text_vote_counts_once(
    make_vote: MakeVote, voter: User, text_in: TextIn, logged_in: Callable[[User], Client]
) -> None:
    vote = make_vote(VoteMethod.MAJORITY)
    person: Person = voter.person  # type: ignore[attr-defined]
    text_in(person, f"{vote.code} YES")
    vote_on_web(logged_in(voter), vote, {"answer": "no"})
    assert Participation.objects.filter(vote=vote).count() == 1
    assert [b.choice for b in Ballot.objects.filter(vote=vote)] == [{"answer": "no"}]


def test_a_secret_double_vote_on_the_web_is_refused(
    make_vote: MakeVote, voter: User, logged_in: Callable[[User], Client]
) -> None:
    vote = make_vote(VoteMethod.MAJORITY, secret=True)
    client = logged_in(voter)
    vote_on_web(client, vote, {"answer": "yes"})
    response = vote_on_web(client, vote, {"answer": "no"})
    assert response.status_code == 302
    assert [b.choice for b in Ballot.objects.filter(vote=vote)] == [{"answer": "yes"}]
    assert Ballot.objects.get().voter_id is None


def test_a_proxy_where_the_body_does_not_allow_it_is_refused(
    make_vote: MakeVote, make_member: MakeMember, runner: User, logged_in: Callable[[User], Client]
) -> None:
    vote = make_vote(VoteMethod.MAJORITY)
    ana = make_member("Ana")
    with pytest.raises(services.ProxyNotAllowedError):
        services.do_record_proxy(runner, vote, ana, Choice(answer="yes"))
    response = logged_in(runner).post(
        reverse("assembly:vote_detail", kwargs={"vote_id": vote.id}),
        {"action": "proxy", "proxy-member": ana.id, "proxy-answer": "yes"},
        follow=True,
    )
    assert "This body does not allow proxy votes." in response.content.decode()
    assert not Participation.objects.exists()


def test_a_proxy_is_recorded_as_such_when_allowed(
    body: Assembly,
    make_vote: MakeVote,
    make_member: MakeMember,
    runner: User,
    logged_in: Callable[[User], Client],
) -> None:
    body.allow_proxy = True
    body.save()
    vote = make_vote(VoteMethod.MAJORITY)
    ana = make_member("Ana")
    response = logged_in(runner).post(
        reverse("assembly:vote_detail", kwargs={"vote_id": vote.id}),
        {"action": "proxy", "proxy-member": ana.id, "proxy-answer": "yes"},
    )
    assert response.status_code == 302
    taking_part = Participation.objects.get(vote=vote)
    assert taking_part.channel == TakingPart.PROXY and taking_part.recorded_by == runner
    page = logged_in(runner).get(reverse("assembly:vote_detail", kwargs={"vote_id": vote.id}))
    assert "recorded by Rosa Runner" in page.content.decode()


def test_a_non_member_cannot_vote_on_the_web(
    make_vote: MakeVote, make_account: MakeAccount, logged_in: Callable[[User], Client]
) -> None:
    vote = make_vote(VoteMethod.MAJORITY)
    outsider_member = make_account("walker", Role.MEMBER, person=True)
    with pytest.raises(services.NotMemberError):
        services.do_vote(outsider_member, vote, Choice(answer="yes"))
    assert not Participation.objects.exists()


def test_only_those_who_run_the_body_close_a_vote(make_vote: MakeVote, voter: User) -> None:
    vote = make_vote(VoteMethod.MAJORITY)
    with pytest.raises(PermissionDenied):
        services.do_close_vote(voter, vote)
