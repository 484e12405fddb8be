"""While a vote is open on one of the meeting's proposals, the projector shows that proposal in
the room's languages side by side (a missing translation shown as missing)."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from tests.assembly.room_factories import make_meeting
from tests.conftest import MakeAccount, log_in
from vecinos.assembly import projector
from vecinos.assembly.choices_proposals import VoteMethod, VoteStatus
from vecinos.assembly.models_proposals import Proposal, ProposalText, Vote
from vecinos.core.choices import Role


def test_the_proposal_being_voted_is_on_the_projector(make_account: MakeAccount) -> None:
    meeting = make_meeting(languages=["es", "ko", "en"])
    proposal = Proposal.objects.create(
        assembly=meeting.assembly, meeting=meeting, original_language="es"
    )
    ProposalText.objects.create(
        proposal=proposal, language="es", title="Segundo turno", body="Un turno de noche más."
    )
    ProposalText.objects.create(
        proposal=proposal, language="ko", title="두 번째 근무", body="야간 근무 하나 더."
    )
    vote = Vote.objects.create(proposal=proposal, method=VoteMethod.MAJORITY, code="KM47")
    assert projector.projection(meeting).proposal is None  # not open yet

    Vote.objects.filter(id=vote.id).update(status=VoteStatus.OPEN)
    shown = projector.projection(meeting)
    assert [(c.code, c.proposal_title) for c in shown.columns] == [
        ("es", "Segundo turno"),
        ("ko", "두 번째 근무"),
        ("en", None),
    ]
    client = log_in(Client(), make_account("vecina", Role.MEMBER))
    page = client.get(reverse("assembly:room_projector", kwargs={"meeting_id": meeting.id}))
    text = page.content.decode()
    assert "야간 근무 하나 더." in text
    assert text.count("Translation missing") == 1
