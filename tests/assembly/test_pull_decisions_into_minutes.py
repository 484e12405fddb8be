"""Decisions taken at a meeting come into its minutes from the decision register, in the
minutes' language: the proposal's title, the outcome, the counts, quorum and actions."""

from __future__ import annotations

from datetime import date

import pytest

from tests.assembly.room_factories import make_meeting
from vecinos.assembly import minutes
from vecinos.assembly.choices_proposals import Outcome, VoteMethod, VoteStatus
from vecinos.assembly.models import Assembly, Meeting
from vecinos.assembly.models_proposals import (
    Action,
    Decision,
    Proposal,
    ProposalText,
    Vote,
    VoteOption,
)


@pytest.fixture
def meeting(db: None) -> Meeting:
    meeting = make_meeting()
    proposal = Proposal.objects.create(
        assembly=meeting.assembly, meeting=meeting, original_language="es"
    )
    ProposalText.objects.create(
        proposal=proposal, language="es", title="Segundo turno de noche", body="..."
    )
    ProposalText.objects.create(
        proposal=proposal, language="ko", title="두 번째 야간 근무", body="..."
    )
    vote = Vote.objects.create(
        proposal=proposal, method=VoteMethod.IRV, code="PG77", status=VoteStatus.CLOSED
    )
    for position, label in enumerate(("Turno de noche", "Talleres", "Fondo legal")):
        VoteOption.objects.create(vote=vote, position=position, labels={"es": label})
    result = {
        "method": "irv",
        "rows": [["A", 3, 1, 4], ["B", 2, 1, 3], ["C", 1, 1, 2]],
        "abstain": 1,
        "rounds": [
            {"number": 1, "counts": {"A": 4, "B": 3, "C": 2}, "exhausted": 0,
             "eliminated": ["C"], "elected": None, "tie": None},
            {"number": 2, "counts": {"A": 5, "B": 4}, "exhausted": 0, "eliminated": [],
             "elected": "A", "tie": None},
        ],
        "table": [["A", [4, 5]], ["B", [3, 4]], ["C", [2, None]]],
        "exhausted": [0, 0],
        "winner": "A",
    }  # fmt: skip
    decision = Decision.objects.create(
        assembly=meeting.assembly,
        meeting=meeting,
        proposal=proposal,
        vote=vote,
        method=VoteMethod.IRV,
        outcome=Outcome.CHOSEN,
        result=result,
        participants=10,
        quorum_needed=12,
        quorum_met=False,
    )
    group = Assembly.objects.create(name="Grupo de despacho", parent=meeting.assembly)
    Action.objects.create(
        decision=decision,
        description="Buscar dos despachadores más",
        working_group=group,
        due_on=date(2026, 5, 1),
    )
    return meeting


def test_the_minutes_list_the_meetings_decisions_with_counts_and_actions(
    meeting: Meeting,
) -> None:
    text = minutes.to_markdown(minutes.build_minutes(meeting, "es"))
    decisions = text.split("## ", 4)[-1]
    assert "Segundo turno de noche:" in decisions
    assert "A. Turno de noche: 4" in decisions
    assert "Buscar dos despachadores más" in decisions
    assert "Grupo de despacho" in decisions
    assert "not connected" not in text


def test_a_decision_without_quorum_is_marked_and_titles_follow_the_language(
    meeting: Meeting,
) -> None:
    built = minutes.build_minutes(meeting, "ko")
    (line,) = built.decisions
    assert line.without_quorum
    assert line.title == "두 번째 야간 근무"
