"""The demo's meeting in progress: an item on the floor, a progressive stack, interpreters."""

from __future__ import annotations

import random

from vecinos.assembly import demo_room, projector, room
from vecinos.assembly.models import Meeting
from vecinos.core.management.commands.demo import populate_all
from vecinos.core.models import User


def test_the_demo_has_a_meeting_in_progress_with_a_progressive_stack(db: None) -> None:
    assert demo_room.populate(random.Random(2016)) == {"meetings in progress": 1}
    meeting = Meeting.objects.get()
    shown = projector.projection(meeting)
    assert shown.item is not None
    assert shown.item.title == "Huelga de alquileres en la calle 6"
    assert shown.speaking == "Min-ji"
    # Cirilo spoke on the first item: those who have not spoken yet go before him.
    assert [e.name for e in room.queue_of(shown.item)] == ["Teresa", "Young-ho", "Cirilo"]
    assert [c.title for c in shown.columns] == [
        "Huelga de alquileres en la calle 6",
        "6가 임대료 파업",
        None,
    ]
    assert room.uncovered_languages(meeting) == []


def test_in_the_whole_demo_the_demo_facilitator_runs_the_room(db: None) -> None:
    populate_all()
    meeting = Meeting.objects.get(status="open")
    facilitator = User.objects.get(username="facilitator", is_demo=True)
    member = User.objects.get(username="member", is_demo=True)
    assert room.can_run_room(facilitator, meeting)
    # A plain member of the body (the demo dispatcher) watches the room but does not run it; the
    # demo organizer is one of the neighborhood assembly's facilitators, so they may.
    assert not room.can_run_room(User.objects.get(username="dispatcher", is_demo=True), meeting)
    assert meeting.assembly.role_of(member) is not None
