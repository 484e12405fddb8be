"""Which proposal the projector shows: while one of the meeting's proposals has a vote open, that
proposal (its title and text in every language it has), instead of the current agenda item."""

from __future__ import annotations

from typing import TYPE_CHECKING

from vecinos.assembly.choices_proposals import VoteStatus
from vecinos.assembly.models_proposals import Proposal
from vecinos.assembly.projector import ProjectedProposal

if TYPE_CHECKING:
    from vecinos.assembly.models import Meeting


def proposal_being_voted(meeting: Meeting) -> ProjectedProposal | None:
    proposal = (
        Proposal.objects.filter(meeting=meeting, votes__status=VoteStatus.OPEN)
        .prefetch_related("texts")
        .order_by("-votes__id")
        .first()
    )
    if proposal is None:
        return None
    texts = list(proposal.texts.all())
    return ProjectedProposal(
        title={t.language: t.title for t in texts}, text={t.language: t.body for t in texts}
    )
