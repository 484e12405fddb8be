"""Reads for the meeting room, its minutes and the projector."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.http import Http404

from vecinos.assembly.choices import ItemStatus
from vecinos.assembly.choices_room import SpeakerStatus
from vecinos.assembly.models import Meeting
from vecinos.assembly.models_room import Attendee, Interpretation, SpeakerEntry
from vecinos.assembly.room import queue_of, spoken_in_meeting
from vecinos.core import audit
from vecinos.core.permissions import Capability, check
from vecinos.organizing.models import Person

if TYPE_CHECKING:
    from vecinos.assembly.models import AgendaItem
    from vecinos.core.models import User


def access_meeting_room(user: User, meeting_id: int) -> Meeting:
    """The meeting, for someone who may see the assembly's meetings (the room, its minutes and
    the projector read it).

    Raises:
        PermissionDenied: ``user`` may not see assemblies.
        Http404: no such meeting.
    """
    check(user, Capability.VIEW_ASSEMBLIES)
    meeting = Meeting.objects.select_related("assembly").filter(id=meeting_id).first()
    if meeting is None:
        raise Http404
    return meeting


def agenda_of(meeting: Meeting) -> list[AgendaItem]:
    return list(meeting.agenda_items.select_related("presenter").order_by("position", "id"))


def chosen_item(items: list[AgendaItem], raw_id: str | None) -> AgendaItem | None:
    """The item named by ``raw_id`` (a form's or query's text), else the current one, else the
    first not done, else None."""
    if raw_id and raw_id.isdigit():
        found = next((i for i in items if str(i.id) == raw_id), None)
        if found is not None:
            return found
    current = next((i for i in items if i.status == ItemStatus.CURRENT), None)
    if current is not None:
        return current
    return next((i for i in items if i.status != ItemStatus.DONE), items[0] if items else None)


def members_of(meeting: Meeting) -> QuerySet[Person]:
    """The assembly's members, to pick a speaker from (shown only to those who run the room)."""
    return Person.objects.filter(assembly_memberships__assembly=meeting.assembly_id).order_by(
        "full_name", "id"
    )


def speakers_of(item: AgendaItem, *, progressive: bool) -> dict[str, Any]:
    """The item's speakers' list for the room page: who speaks now, the queue in speaking order
    (each with whether they have spoken yet in this meeting), and who already spoke."""
    spoken = spoken_in_meeting(item.meeting)
    entries = list(SpeakerEntry.objects.filter(item=item).exclude(status=SpeakerStatus.WAITING))
    return {
        "speaking": next((e for e in entries if e.status == SpeakerStatus.SPEAKING), None),
        "queue": [
            (e, e.speaker_key not in spoken) for e in queue_of(item, progressive=progressive)
        ],
        "spoke": [e for e in entries if e.status == SpeakerStatus.DONE],
    }


def speaker_on(item: AgendaItem, raw_id: str | None) -> SpeakerEntry:
    """Raises:
    Http404: no such turn on this item."""
    entry = SpeakerEntry.objects.filter(item=item, id=_as_id(raw_id)).select_related("item").first()
    if entry is None:
        raise Http404
    return entry


def interpretations_of(meeting: Meeting) -> list[Interpretation]:
    return list(Interpretation.objects.filter(meeting=meeting))


def interpretation_in(meeting: Meeting, raw_id: str | None) -> Interpretation:
    """Raises:
    Http404: no such interpretation at this meeting."""
    found = Interpretation.objects.filter(meeting=meeting, id=_as_id(raw_id)).first()
    if found is None:
        raise Http404
    return found


def attendees_of(meeting: Meeting) -> list[Attendee]:
    return list(Attendee.objects.filter(meeting=meeting))


def attendee_in(meeting: Meeting, raw_id: str | None) -> Attendee:
    """Raises:
    Http404: no such name on this meeting's attendance."""
    found = Attendee.objects.filter(meeting=meeting, id=_as_id(raw_id)).first()
    if found is None:
        raise Http404
    return found


def record_export(user: User, meeting: Meeting, choice: dict[str, str]) -> None:
    """Minutes may carry names: who took a copy is on the audit log."""
    audit.record(
        user,
        audit.ASSEMBLY_MINUTES_EXPORTED,
        meeting,
        language=choice["language"],
        format=choice["format"],
    )


def _as_id(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() and len(raw) < 18 else 0
