"""The speakers' list: adding, reordering, giving the floor, and the progressive stack (those
who have not spoken yet in this meeting go first)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from tests.assembly.room_factories import items_of, make_meeting, room_runner
from tests.conftest import MakeAccount
from vecinos.assembly import room
from vecinos.assembly.choices_room import SpeakerStatus
from vecinos.assembly.models import Meeting
from vecinos.assembly.models_room import SpeakerEntry
from vecinos.core.models import AuditEvent, User
from vecinos.organizing.models import Person


@pytest.fixture
def meeting(db: None) -> Meeting:
    return make_meeting()


@pytest.fixture
def lupe(make_account: MakeAccount, meeting: Meeting) -> User:
    return room_runner(make_account, meeting)


def names(entries: list[SpeakerEntry]) -> list[str]:
    return [e.name for e in entries]


def test_it_orders_by_the_list_without_a_progressive_stack() -> None:
    entries = [
        SpeakerEntry(id=1, name="Ana", position=2),
        SpeakerEntry(id=2, name="Bo", position=0),
        SpeakerEntry(id=3, name="Cy", position=1),
    ]
    order = room.speaking_order(entries, spoken={"name:bo"}, progressive=False)
    assert names(order) == ["Bo", "Cy", "Ana"]


def test_those_who_have_not_spoken_go_first_each_group_in_list_order() -> None:
    entries = [
        SpeakerEntry(id=1, name="Ana", position=0),
        SpeakerEntry(id=2, name="Bo", position=1),
        SpeakerEntry(id=3, name="Cy", position=2),
        SpeakerEntry(id=4, name="Dee", position=3),
    ]
    order = room.speaking_order(entries, spoken={"name:ana", "name:cy"}, progressive=True)
    assert names(order) == ["Bo", "Dee", "Ana", "Cy"]


def test_a_speaker_is_the_same_across_items_by_member_or_by_name_as_given() -> None:
    assert (
        SpeakerEntry(name="  Ana   María ").speaker_key
        == SpeakerEntry(name="ana maría").speaker_key
    )
    assert SpeakerEntry(name="Ana", person_id=7).speaker_key == "person:7"
    assert SpeakerEntry(name="Ana", person_id=7).speaker_key != SpeakerEntry(name="Ana").speaker_key


def test_the_stack_puts_first_timers_ahead_of_someone_who_spoke_on_an_earlier_item(
    lupe: User, meeting: Meeting
) -> None:
    first, second = items_of(meeting)
    room.do_start_item(lupe, meeting, first)
    room.do_add_speaker(lupe, first, name="Ana")
    assert room.do_next_speaker(lupe, first).name == "Ana"  # type: ignore[union-attr]
    room.do_start_item(lupe, meeting, second)
    for name in ("Ana", "Bo", "Cy"):
        room.do_add_speaker(lupe, second, name=name)

    assert names(room.queue_of(second, progressive=False)) == ["Ana", "Bo", "Cy"]
    room.do_set_room_settings(lupe, meeting, progressive_stack=True, names_in_minutes=False)
    assert names(room.queue_of(second)) == ["Bo", "Cy", "Ana"]

    given = [room.do_next_speaker(lupe, second) for _turn in range(3)]
    assert [g.name for g in given if g] == ["Bo", "Cy", "Ana"]
    assert room.do_next_speaker(lupe, second) is None
    statuses = set(SpeakerEntry.objects.filter(item=second).values_list("status", flat=True))
    assert statuses == {SpeakerStatus.DONE}


def test_the_order_changes_as_people_speak(lupe: User, meeting: Meeting) -> None:
    """Bo spoke once on this item and asks again: Cy, who has not spoken, goes before him."""
    item = items_of(meeting)[0]
    room.do_set_room_settings(lupe, meeting, progressive_stack=True, names_in_minutes=False)
    room.do_add_speaker(lupe, item, name="Bo")
    room.do_next_speaker(lupe, item)
    room.do_add_speaker(lupe, item, name="Bo")
    room.do_add_speaker(lupe, item, name="Cy")
    assert names(room.queue_of(item)) == ["Cy", "Bo"]


def test_a_member_is_recognized_whatever_name_the_list_shows(lupe: User, meeting: Meeting) -> None:
    item = items_of(meeting)[0]
    person = Person.objects.create(full_name="Librada Urbina", languages=["es"])
    room.do_set_room_settings(lupe, meeting, progressive_stack=True, names_in_minutes=False)
    entry = room.do_add_speaker(lupe, item, person=person)
    assert entry.name == "Librada Urbina"
    room.do_next_speaker(lupe, item)
    room.do_add_speaker(lupe, item, name="Libby", person=person)
    room.do_add_speaker(lupe, item, name="Mar")
    assert names(room.queue_of(item)) == ["Mar", "Libby"]


def test_someone_already_waiting_is_not_added_twice(lupe: User, meeting: Meeting) -> None:
    item = items_of(meeting)[0]
    room.do_add_speaker(lupe, item, name="Ana")
    with pytest.raises(room.AlreadyWaitingError):
        room.do_add_speaker(lupe, item, name=" ana ")
    with pytest.raises(room.EmptyNameError):
        room.do_add_speaker(lupe, item, name="   ")


def test_moving_swaps_neighbours_and_stops_at_the_ends(lupe: User, meeting: Meeting) -> None:
    item = items_of(meeting)[0]
    ana, bo, cy = (room.do_add_speaker(lupe, item, name=n) for n in ("Ana", "Bo", "Cy"))
    room.do_move_speaker(lupe, cy, up=True)
    assert names(room.queue_of(item)) == ["Ana", "Cy", "Bo"]
    room.do_move_speaker(lupe, ana, up=True)  # already first
    room.do_move_speaker(lupe, bo, up=False)  # already last
    assert names(room.queue_of(item)) == ["Ana", "Cy", "Bo"]


def test_on_a_progressive_stack_moves_stay_within_their_group(lupe: User, meeting: Meeting) -> None:
    item = items_of(meeting)[0]
    room.do_add_speaker(lupe, item, name="Ana")
    room.do_next_speaker(lupe, item)
    room.do_set_room_settings(lupe, meeting, progressive_stack=True, names_in_minutes=False)
    again = room.do_add_speaker(lupe, item, name="Ana")
    bo = room.do_add_speaker(lupe, item, name="Bo")
    cy = room.do_add_speaker(lupe, item, name="Cy")
    assert names(room.queue_of(item)) == ["Bo", "Cy", "Ana"]
    with pytest.raises(room.AcrossStackError):
        room.do_move_speaker(lupe, again, up=True)
    room.do_move_speaker(lupe, cy, up=True)
    assert names(room.queue_of(item)) == ["Cy", "Bo", "Ana"]
    del bo


def test_a_withdrawn_turn_is_skipped_and_cannot_be_withdrawn_twice(
    lupe: User, meeting: Meeting
) -> None:
    item = items_of(meeting)[0]
    ana = room.do_add_speaker(lupe, item, name="Ana")
    room.do_add_speaker(lupe, item, name="Bo")
    room.do_withdraw_speaker(lupe, ana)
    with pytest.raises(room.NotWaitingError):
        room.do_withdraw_speaker(lupe, ana)
    assert room.do_next_speaker(lupe, item).name == "Bo"  # type: ignore[union-attr]


def test_starting_an_item_finishes_the_previous_one_and_its_speaker(
    lupe: User, meeting: Meeting
) -> None:
    first, second = items_of(meeting)
    room.do_start_item(lupe, meeting, first)
    room.do_add_speaker(lupe, first, name="Ana")
    room.do_next_speaker(lupe, first)
    room.do_start_item(lupe, meeting, second)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("done", "current")
    assert not SpeakerEntry.objects.filter(status=SpeakerStatus.SPEAKING).exists()
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert actions.count("assembly.item.started") == 2


def test_a_planned_meeting_opens_with_its_first_item(make_account: MakeAccount, db: None) -> None:
    meeting = make_meeting(status="planned")
    lupe = room_runner(make_account, meeting)
    room.do_start_item(lupe, meeting, items_of(meeting)[0])
    meeting.refresh_from_db()
    assert meeting.status == "open"


def test_a_closed_meeting_takes_no_more_speakers(make_account: MakeAccount, db: None) -> None:
    meeting = make_meeting(status="closed")
    lupe = room_runner(make_account, meeting)
    with pytest.raises(room.MeetingClosedError):
        room.do_add_speaker(lupe, items_of(meeting)[0], name="Ana")


def test_the_database_refuses_two_speakers_at_once_on_an_item(lupe: User, meeting: Meeting) -> None:
    """What keeps two "next speaker" presses from giving the floor twice, whatever the timing."""
    item = items_of(meeting)[0]
    room.do_add_speaker(lupe, item, name="Ana")
    bo = room.do_add_speaker(lupe, item, name="Bo")
    room.do_next_speaker(lupe, item)
    with pytest.raises(IntegrityError), transaction.atomic():
        SpeakerEntry.objects.filter(id=bo.id).update(status=SpeakerStatus.SPEAKING)


def test_each_press_of_next_speaker_moves_the_list_by_one(lupe: User, meeting: Meeting) -> None:
    """Two facilitators press "next" one after the other: each press ends one turn and starts the
    next, so nobody is skipped without having had the floor."""
    item = items_of(meeting)[0]
    for name in ("Ana", "Bo", "Cy"):
        room.do_add_speaker(lupe, item, name=name)
    first = room.do_next_speaker(lupe, item)
    second = room.do_next_speaker(lupe, item)
    assert (first and first.name, second and second.name) == ("Ana", "Bo")
    done = SpeakerEntry.objects.filter(item=item, status=SpeakerStatus.DONE)
    assert [e.name for e in done] == ["Ana"]
