"""Votes by text: "<code> <ballot>" during the announced window, one person one vote, every
refusal answered in the sender's language."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from tests.assembly.proposals.conftest import (
    STRATEGIES,
    MakeMember,
    MakeVote,
    TextIn,
    last_reply,
)
from vecinos.assembly import proposals as services
from vecinos.assembly import vote_texts
from vecinos.assembly.choices_proposals import TakingPart, VoteMethod
from vecinos.assembly.models_proposals import Ballot, Participation, Vote
from vecinos.assembly.voting import Choice
from vecinos.core.models import User
from vecinos.messaging.models import InboundMessage
from vecinos.organizing.models import Person

pytestmark = pytest.mark.django_db


def test_a_member_votes_yes_by_text_and_is_told_it_counted(
    make_vote: MakeVote, make_member: MakeMember, text_in: TextIn
) -> None:
    vote = make_vote(VoteMethod.MAJORITY)
    ana = make_member("Ana", language="es")
    stored = text_in(ana, f"{vote.code.lower()} si")
    assert stored.handled_as == services.TEXT_HANDLER
    [taking_part] = Participation.objects.filter(vote=vote)
    assert taking_part.person == ana and taking_part.channel == TakingPart.TEXT
    assert Ballot.objects.get(vote=vote).choice == {"answer": "yes"}
    reply = last_reply(ana)
    assert reply.language == "es" and vote.code in reply.body
    with translation.override("es"):
        assert vote_texts.confirmed(vote, "counted", Choice(answer="yes")) == reply.body


def test_a_change_of_vote_within_the_window_counts_once(
    make_vote: MakeVote, make_member: MakeMember, text_in: TextIn
) -> None:
    vote = make_vote(VoteMethod.MAJORITY)
    ana = make_member("Ana", language="en")
    text_in(ana, f"{vote.code} YES")
    text_in(ana, f"{vote.code} NO")
    assert Participation.objects.filter(vote=vote).count() == 1
    assert [b.choice for b in Ballot.objects.filter(vote=vote)] == [{"answer": "no"}]
    assert "changed" in last_reply(ana).body
    counted = services.count_vote(vote)
    assert counted.result["rows"][:2] == [["yes", 0, 0, 0], ["no", 1, 0, 1]]


def test_a_duplicate_is_answered_and_counted_once(
    make_vote: MakeVote, make_member: MakeMember, text_in: TextIn
) -> None:
    vote = make_vote(VoteMethod.MAJORITY)
    ana = make_member("Ana", language="en")
    text_in(ana, f"{vote.code} YES")
    text_in(ana, f"{vote.code} yes")
    assert Ballot.objects.filter(vote=vote).count() == 1
    assert "counts once" in last_reply(ana).body


def test_a_second_vote_in_a_secret_ballot_is_refused(
    make_vote: MakeVote, make_member: MakeMember, text_in: TextIn
) -> None:
    vote = make_vote(VoteMethod.MAJORITY, secret=True)
    ana = make_member("Ana", language="en")
    first = text_in(ana, f"{vote.code} YES")
    text_in(ana, f"{vote.code} NO")
    assert [b.choice for b in Ballot.objects.filter(vote=vote)] == [{"answer": "yes"}]
    assert Ballot.objects.get(vote=vote).voter is None  # who voted is known, not how
    assert Participation.objects.get(vote=vote).person == ana
    assert "secret" in last_reply(ana).body.lower()
    # The text that cast a secret ballot keeps only the code, not the answer.
    first.refresh_from_db()
    assert first.body == vote.code and first.reply_note == ""


def test_a_late_text_after_the_window_is_refused_in_the_senders_language(
    make_vote: MakeVote, make_member: MakeMember, text_in: TextIn
) -> None:
    vote = make_vote(VoteMethod.MAJORITY)
    Vote.objects.filter(id=vote.id).update(closes_at=timezone.now() - timedelta(minutes=1))
    ana = make_member("Ana", language="es")
    text_in(ana, f"{vote.code} SI")
    assert not Participation.objects.exists()
    reply = last_reply(ana)
    assert reply.language == "es"
    with translation.override("es"):
        assert str(services.VoteClosedError()) in reply.body


def test_a_text_before_the_window_opens_is_refused(
    make_vote: MakeVote, make_member: MakeMember, text_in: TextIn
) -> None:
    vote = make_vote(VoteMethod.MAJORITY, open_it=False)
    ana = make_member("Ana", language="en")
    text_in(ana, f"{vote.code} YES")
    assert not Participation.objects.exists()
    assert "not opened yet" in last_reply(ana).body


def test_a_non_member_is_refused(make_vote: MakeVote, make_person: object, text_in: TextIn) -> None:
    vote = make_vote(VoteMethod.MAJORITY)
    stranger = Person.objects.create(
        full_name="Nadie", phone="+13105550199", preferred_language="ko"
    )
    text_in(stranger, f"{vote.code} YES")
    assert not Participation.objects.exists()
    reply = last_reply(stranger)
    assert reply.language == "ko"
    with translation.override("ko"):
        assert reply.body == f"{vote.code}: {services.NotMemberError()}"


def test_an_unknown_number_with_a_real_code_is_refused(
    make_vote: MakeVote, text_in: TextIn
) -> None:
    vote = make_vote(VoteMethod.MAJORITY)
    stored = text_in("+13105550177", f"{vote.code} YES")
    assert stored.handled_as == services.TEXT_HANDLER  # not a hotline report
    assert not Participation.objects.exists()
    assert "members" in last_reply("+13105550177").body


def test_an_unknown_code_from_a_member_is_answered(
    make_vote: MakeVote, make_member: MakeMember, text_in: TextIn
) -> None:
    make_vote(VoteMethod.MAJORITY)
    ana = make_member("Ana", language="en")
    stored = text_in(ana, "XX99 YES")
    assert stored.handled_as == services.TEXT_HANDLER
    assert "XX99 is not the code of any vote" in last_reply(ana).body


def test_a_text_that_is_not_a_vote_goes_to_the_hotline(
    make_vote: MakeVote, make_member: MakeMember, text_in: TextIn
) -> None:
    make_vote(VoteMethod.MAJORITY)
    ana = make_member("Ana", language="en")
    stored = text_in(ana, "ICE agents at 3rd and Vermont")
    assert stored.handled_as == "hotline.report"


def test_an_unreadable_ballot_is_answered_with_how_to_vote(
    make_vote: MakeVote, make_member: MakeMember, text_in: TextIn
) -> None:
    vote = make_vote(VoteMethod.IRV, options=STRATEGIES)
    ana = make_member("Ana", language="en")
    text_in(ana, f"{vote.code} B Q")
    assert not Participation.objects.exists()
    body = last_reply(ana).body
    assert "There is no option Q" in body and "order of preference" in body


@pytest.mark.parametrize(
    ("method", "text", "choice"),
    [
        (VoteMethod.MAJORITY, "yes", {"answer": "yes"}),
        (VoteMethod.TWO_THIRDS, "2", {"answer": "no"}),
        (VoteMethod.THREE_QUARTERS, "abstencion", {"abstain": True}),
        (VoteMethod.CONSENSUS, "aside", {"answer": "stand_aside"}),
        (VoteMethod.CONSENSUS, "block it puts people at risk", {"answer": "block"}),
        (VoteMethod.IRV, "B, A, C", {"ranking": ["B", "A", "C"]}),
        (VoteMethod.RANKING, "dca", {"ranking": ["D", "C", "A"]}),
        (VoteMethod.DOTS, "A A B", {"points": {"A": 2, "B": 1}}),
        (VoteMethod.SCORE, "A5 B3 C0", {"points": {"A": 5, "B": 3, "C": 0}}),
        (VoteMethod.SCORE, "abstain", {"abstain": True}),
    ],
)
def test_each_method_reads_its_ballot_by_text(
    make_vote: MakeVote,
    make_member: MakeMember,
    text_in: TextIn,
    method: str,
    text: str,
    choice: dict[str, object],
) -> None:
    vote = make_vote(method, options=STRATEGIES)
    ana = make_member("Ana", language="en")
    text_in(ana, f"{vote.code} {text}")
    assert Ballot.objects.get(vote=vote).choice == choice


def test_a_block_by_text_without_its_reason_is_refused(
    make_vote: MakeVote, make_member: MakeMember, text_in: TextIn
) -> None:
    vote = make_vote(VoteMethod.CONSENSUS)
    ana = make_member("Ana", language="en")
    text_in(ana, f"{vote.code} BLOCK")
    assert not Ballot.objects.exists()
    assert "reason" in last_reply(ana).body


def test_too_many_dots_by_text_are_refused(
    make_vote: MakeVote, make_member: MakeMember, text_in: TextIn
) -> None:
    vote = make_vote(VoteMethod.DOTS, options=STRATEGIES, dots=2)
    ana = make_member("Ana", language="en")
    text_in(ana, f"{vote.code} A A B")
    assert not Ballot.objects.exists()
    assert "2 dots" in last_reply(ana).body


def test_processing_the_same_text_again_changes_nothing(
    make_vote: MakeVote, make_member: MakeMember, text_in: TextIn
) -> None:
    vote = make_vote(VoteMethod.MAJORITY)
    ana = make_member("Ana", language="en")
    stored = text_in(ana, f"{vote.code} YES")
    InboundMessage.objects.filter(id=stored.id).update(processed_at=None)
    stored.refresh_from_db()
    assert services.take_vote(stored) is True
    assert Ballot.objects.count() == 1 and Participation.objects.count() == 1


def test_opening_a_vote_texts_each_member_in_their_language(
    make_vote: MakeVote, make_member: MakeMember, runner: User
) -> None:
    vote = make_vote(VoteMethod.IRV, options=STRATEGIES, open_it=False)
    ana = make_member("Ana", language="es")
    kim = make_member("Kim", language="ko")
    texted = services.do_open_vote(runner, vote, closes_at=timezone.now() + timedelta(days=1))
    assert texted == 2
    to_ana, to_kim = last_reply(ana), last_reply(kim)
    assert to_ana.language == "es" and "Turno de noche" in to_ana.body
    assert to_kim.language == "ko" and vote.code in to_kim.body
    assert "Night dispatch shift" in to_kim.body  # no Korean label: the first one given
