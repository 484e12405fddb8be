"""The demo's decisions: consensus, a ranked choice over several rounds, actions (one overdue),
and a ranked vote open to texts tonight."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.assembly.proposals.conftest import TextIn, last_reply
from vecinos.assembly.choices_proposals import Outcome, VoteMethod, VoteStatus
from vecinos.assembly.models_proposals import Action, Decision, Participation, Vote
from vecinos.core.management.commands.demo import populate_all
from vecinos.core.models import User

pytestmark = pytest.mark.django_db


def test_the_demo_has_decisions_by_consensus_and_ranked_choice_with_actions(
    text_in: TextIn,
) -> None:
    populate_all()
    consensus = Decision.objects.get(method=VoteMethod.CONSENSUS)
    assert consensus.outcome == Outcome.ADOPTED
    ranked = Decision.objects.get(method=VoteMethod.IRV)
    assert len(ranked.result["rounds"]) >= 3 and ranked.result["winner"]
    assert [a for a in Action.objects.all() if a.is_overdue()]
    open_vote = Vote.objects.get(status=VoteStatus.OPEN)
    assert open_vote.window_open()

    member = User.objects.get(username="member", is_demo=True)
    client = Client()
    client.force_login(member)
    page = client.get(reverse("assembly:register", kwargs={"body_id": consensus.assembly_id}))
    assert page.status_code == 200 and "Overdue" in page.content.decode()

    # A member votes from the phone simulator with tonight's code.
    voter = next(
        m.person
        for m in open_vote.proposal.assembly.memberships.select_related("person")
        if m.person.phone and not Participation.objects.filter(vote=open_vote, person=m.person)
    )
    text_in(voter, f"{open_vote.code} B A")
    assert Participation.objects.filter(vote=open_vote, person=voter).exists()
    assert open_vote.code in last_reply(voter).body
