"""Who runs the room: the body's facilitators and note-takers, and coordinators. Everyone else
who may see assemblies watches it; their posts are refused and change nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from tests.assembly.room_factories import items_of, join, make_meeting, room_runner
from tests.conftest import MakeAccount, log_in
from vecinos.assembly import room
from vecinos.assembly.choices import MemberRole
from vecinos.assembly.models import Meeting
from vecinos.assembly.models_room import Interpretation, SpeakerEntry
from vecinos.core.choices import Role
from vecinos.core.models import AuditEvent, User


@pytest.fixture
def meeting(db: None) -> Meeting:
    return make_meeting()


def room_url(meeting: Meeting) -> str:
    return reverse("assembly:room", kwargs={"meeting_id": meeting.id})


@pytest.mark.parametrize("role", [MemberRole.FACILITATOR, MemberRole.NOTE_TAKER])
def test_the_bodys_facilitators_and_note_takers_run_it_whatever_their_account(
    make_account: MakeAccount, meeting: Meeting, role: str
) -> None:
    runner = room_runner(make_account, meeting, role=role, account_role=Role.MEMBER)
    assert room.can_run_room(runner, meeting)
    room.do_add_speaker(runner, items_of(meeting)[0], name="Ana")


def test_a_coordinator_runs_any_room(coordinator: User, meeting: Meeting) -> None:
    assert room.can_run_room(coordinator, meeting)


@pytest.mark.parametrize("account_role", [Role.ORGANIZER, Role.FACILITATOR, Role.MEMBER])
def test_others_do_not_run_the_room_even_with_a_facilitator_account(
    make_account: MakeAccount, meeting: Meeting, account_role: str
) -> None:
    """An organizer, or a facilitator of another body, or a plain member of this one."""
    user = make_account("otro", account_role)
    join(meeting.assembly, user, MemberRole.MEMBER)
    other = make_meeting(title="Otra asamblea")
    join(other.assembly, user, MemberRole.FACILITATOR)
    item = items_of(meeting)[0]
    assert not room.can_run_room(user, meeting)
    changes: list[Callable[[], object]] = [
        lambda: room.do_add_speaker(user, item, name="Ana"),
        lambda: room.do_next_speaker(user, item),
        lambda: room.do_start_item(user, meeting, item),
        lambda: room.do_record_attendance(user, meeting, 40),
        lambda: room.do_save_item_notes(user, item, "nada"),
        lambda: room.do_assign_interpreter(user, meeting, language="ko", interpreter_name="Min"),
        lambda: room.do_set_room_settings(
            user, meeting, progressive_stack=True, names_in_minutes=True
        ),
    ]
    for change in changes:
        with pytest.raises(PermissionDenied):
            change()
    assert not SpeakerEntry.objects.exists()
    assert not AuditEvent.objects.filter(actor=user).exists()


def test_a_member_watches_the_room_without_controls_and_cannot_post(
    make_account: MakeAccount, meeting: Meeting
) -> None:
    member = make_account("vecina", Role.MEMBER)
    client = log_in(Client(), member)
    page = client.get(room_url(meeting))
    assert page.status_code == 200
    assert b"Next speaker" not in page.content
    assert "Only this assembly's facilitators" in page.content.decode()
    item = items_of(meeting)[0]
    refused = client.post(
        room_url(meeting), {"action": "add_speaker", "item": item.id, "name": "Ana"}
    )
    assert refused.status_code == 403
    minutes_url = reverse("assembly:room_minutes", kwargs={"meeting_id": meeting.id})
    assert (
        client.post(minutes_url, {"action": "attendance", "attendance_count": "3"}).status_code
        == 403
    )
    assert not SpeakerEntry.objects.exists()
    meeting.refresh_from_db()
    assert meeting.attendance_count is None


def test_a_partner_sees_nothing_of_the_room(partner: User, meeting: Meeting) -> None:
    client = log_in(Client(), partner)
    for name in ("room", "room_minutes", "room_minutes_export", "room_projector"):
        url = reverse(f"assembly:{name}", kwargs={"meeting_id": meeting.id})
        assert client.get(url).status_code == 403, name


def test_a_facilitator_runs_a_turn_through_the_page(
    make_account: MakeAccount, meeting: Meeting
) -> None:
    lupe = room_runner(make_account, meeting)
    client = log_in(Client(), lupe)
    item = items_of(meeting)[0]
    client.post(room_url(meeting), {"action": "start_item", "item": item.id})
    for name in ("Ana", "Bo"):
        client.post(room_url(meeting), {"action": "add_speaker", "item": item.id, "name": name})
    response = client.post(room_url(meeting), {"action": "next_speaker", "item": item.id})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Speaking now: Ana" in page
    assert list(SpeakerEntry.objects.values_list("name", "status")) == [
        ("Ana", "speaking"),
        ("Bo", "waiting"),
    ]


def test_adding_a_speaker_without_a_name_shows_an_error(
    make_account: MakeAccount, meeting: Meeting
) -> None:
    lupe = room_runner(make_account, meeting)
    client = log_in(Client(), lupe)
    item = items_of(meeting)[0]
    page = client.post(room_url(meeting), {"action": "add_speaker", "item": item.id, "name": " "})
    assert page.status_code == 200
    assert "Write the speaker&#x27;s name, or choose a member." in page.content.decode()
    assert not SpeakerEntry.objects.exists()


def test_interpreters_are_assigned_per_language_and_table(
    make_account: MakeAccount, meeting: Meeting
) -> None:
    lupe = room_runner(make_account, meeting)
    client = log_in(Client(), lupe)
    assert "nobody assigned: Korean" in client.get(room_url(meeting)).content.decode()
    client.post(
        room_url(meeting),
        {"action": "interpreter", "language": "ko", "table": "Mesa 3", "interpreter_name": "Min"},
    )
    assignment = Interpretation.objects.get()
    assert (assignment.language, assignment.table, assignment.interpreter_name) == (
        "ko",
        "Mesa 3",
        "Min",
    )
    page = client.get(room_url(meeting)).content.decode()
    assert "nobody assigned" not in page
    assert "Mesa 3" in page
    bad = client.post(
        room_url(meeting), {"action": "interpreter", "language": "xx", "interpreter_name": ""}
    )
    assert bad.status_code == 200
    assert "Select a valid choice" in bad.content.decode()
    assert Interpretation.objects.count() == 1
