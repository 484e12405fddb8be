"""The decision register: what was decided, how, with counts; actions with due dates, overdue
flagged; open actions back on the next meeting's agenda; decisions for the minutes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.assembly.proposals.conftest import STRATEGIES, MakeMember, MakeVote
from vecinos.assembly import proposals as services
from vecinos.assembly.choices import AssemblyKind, MeetingStatus
from vecinos.assembly.choices_proposals import ActionStatus, VoteMethod
from vecinos.assembly.decisions import (
    ResultView,
    decision_summaries,
    meeting_decisions,
    open_actions_for,
)
from vecinos.assembly.models import AgendaItem, Assembly, Meeting
from vecinos.assembly.models_proposals import Action, Decision, Proposal
from vecinos.assembly.voting import Choice
from vecinos.core.models import AuditEvent, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def decided(make_vote: MakeVote, runner: User) -> Decision:
    vote = make_vote(VoteMethod.CONSENSUS)
    services.do_record_room(runner, vote, counts={"agree": 9, "stand_aside": 1})
    return services.do_close_vote(runner, vote)


@pytest.fixture
def working_group(body: Assembly) -> Assembly:
    return Assembly.objects.create(
        name="Rapid response working group", kind=AssemblyKind.WORKING_GROUP, parent=body
    )


def test_an_action_is_assigned_to_a_working_group_with_a_due_date(
    decided: Decision,
    working_group: Assembly,
    runner: User,
    logged_in: Callable[[User], Client],
) -> None:
    url = reverse("assembly:decision_detail", kwargs={"decision_id": decided.id})
    due = timezone.localdate() + timedelta(days=14)
    response = logged_in(runner).post(
        url,
        {
            "action": "assign",
            "description": "Staff a second night shift",
            "working_group": working_group.id,
            "due_on": due.isoformat(),
        },
    )
    assert response.status_code == 302
    action = Action.objects.get()
    assert action.working_group == working_group and action.due_on == due
    assert AuditEvent.objects.filter(action="assembly.action.assigned").exists()


def test_an_action_without_anyone_to_do_it_gets_an_error(
    decided: Decision, runner: User, logged_in: Callable[[User], Client]
) -> None:
    url = reverse("assembly:decision_detail", kwargs={"decision_id": decided.id})
    response = logged_in(runner).post(
        url, {"action": "assign", "description": "Something", "due_on": "2026-13-01"}
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "Assign it to a working group or a person." in content or "valid date" in content
    assert not Action.objects.exists()


def test_overdue_actions_are_flagged_in_the_register(
    decided: Decision,
    make_member: MakeMember,
    runner: User,
    voter: User,
    logged_in: Callable[[User], Client],
) -> None:
    person = make_member("Hye-jin")
    services.do_add_action(
        runner,
        decided,
        description="Print the flyers",
        due_on=timezone.localdate() - timedelta(days=2),
        person=person,
    )
    services.do_add_action(
        runner,
        decided,
        description="Book the hall",
        due_on=timezone.localdate() + timedelta(days=2),
        person=person,
    )
    page = logged_in(voter).get(
        reverse("assembly:register", kwargs={"body_id": decided.assembly_id})
    )
    content = page.content.decode()
    assert page.status_code == 200
    assert "Print the flyers" in content and "Book the hall" in content
    assert content.count("Overdue") == 1
    assert "Un segundo turno de despacho" in content


def test_a_done_action_is_no_longer_overdue(
    decided: Decision, make_member: MakeMember, runner: User
) -> None:
    action = services.do_add_action(
        runner,
        decided,
        description="Print the flyers",
        due_on=timezone.localdate() - timedelta(days=2),
        person=make_member("Hye-jin"),
    )
    assert action.is_overdue()
    assert services.do_set_action_status(runner, action, ActionStatus.DONE)
    action.refresh_from_db()
    assert not action.is_overdue() and action.done_at is not None


def test_open_actions_come_back_on_the_next_meeting_as_report_backs(
    body: Assembly, decided: Decision, working_group: Assembly, runner: User
) -> None:
    action = services.do_add_action(
        runner,
        decided,
        description="Staff a second night shift",
        due_on=timezone.localdate() + timedelta(days=7),
        working_group=working_group,
    )
    done = services.do_add_action(
        runner,
        decided,
        description="Already done",
        due_on=timezone.localdate(),
        working_group=working_group,
    )
    services.do_set_action_status(runner, done, ActionStatus.DONE)
    meeting = Meeting.objects.create(
        assembly=body, title="Next assembly", starts_at=timezone.now() + timedelta(days=7)
    )
    AgendaItem.objects.create(meeting=meeting, position=1, title="Welcome")
    assert open_actions_for(meeting) == [action]
    assert services.do_add_report_backs(runner, meeting) == 1
    assert services.do_add_report_backs(runner, meeting) == 0  # once per meeting
    titles = list(meeting.agenda_items.order_by("position").values_list("title", flat=True))
    assert titles == ["Welcome", "Report-back: Staff a second night shift"]


def test_meeting_decisions_lists_the_decisions_taken_at_a_meeting(
    body: Assembly, runner: User
) -> None:
    meeting = Meeting.objects.create(assembly=body, title="November", starts_at=timezone.now())
    proposal = services.do_create_proposal(
        runner, body, language="en", title="Priorities", body="Choose.", meeting=meeting
    )
    vote = services.do_create_vote(
        runner, proposal, method=VoteMethod.IRV, secret=False, options=STRATEGIES
    )
    services.do_open_vote(runner, vote, announce=False)
    services.do_record_room(
        runner,
        vote,
        ballots=[Choice(ranking=("A", "B")), Choice(ranking=("B",)), Choice(ranking=("A",))],
    )
    decision = services.do_close_vote(runner, vote)
    other = Proposal.objects.create(assembly=body, original_language="en")
    assert other.meeting is None
    assert meeting_decisions(meeting) == [decision]
    view = ResultView.of(decision.result, vote, "es")
    assert view.winner == "A. Turno de noche"
    assert view.round_numbers == [1]
    assert "<svg" in view.chart and "<script" not in view.chart
    [summary] = decision_summaries(meeting)
    assert (
        summary.title == "Priorities"
        and summary.outcome == "Option chosen: A. Night dispatch shift"
    )
    assert summary.counts.startswith("A. Night dispatch shift 2") and not summary.without_quorum


def test_the_round_table_and_chart_show_every_round(
    make_vote: MakeVote, runner: User, voter: User, logged_in: Callable[[User], Client]
) -> None:
    vote = make_vote(VoteMethod.IRV, options=STRATEGIES)
    ballots = ["A"] * 4 + ["B A"] * 3 + ["C B"] * 2 + ["D C"]
    services.do_record_room(
        runner, vote, ballots=[Choice(ranking=tuple(b.split())) for b in ballots]
    )
    decision = services.do_close_vote(runner, vote)
    page = logged_in(voter).get(reverse("assembly:vote_detail", kwargs={"vote_id": vote.id}))
    content = page.content.decode()
    assert "Round 3" in content and "<svg" in content
    assert decision.result["winner"] in {"A", "B"}


def test_a_decision_without_a_meeting_is_taken_at_the_meeting_in_progress(
    body: Assembly, make_vote: MakeVote, runner: User
) -> None:
    tonight = Meeting.objects.create(
        assembly=body, title="Tonight", starts_at=timezone.now(), status=MeetingStatus.OPEN
    )
    vote = make_vote(VoteMethod.MAJORITY)
    assert vote.proposal.meeting is None
    services.do_record_room(runner, vote, counts={"yes": 9, "no": 2})
    decision = services.do_close_vote(runner, vote)
    assert decision.meeting == tonight and meeting_decisions(tonight) == [decision]
