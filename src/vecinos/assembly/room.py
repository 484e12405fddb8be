"""Running the room of a meeting in progress: the current agenda item, speakers' lists (with an
optional progressive stack), interpreters, attendance and the live minutes.

Only the assembly's facilitators and note-takers, and coordinators, run the room
(:func:`can_run_room`); every change is checked, made in one transaction and audited. Giving the
floor is serialized on the agenda item's row, so two facilitators pressing "next speaker" at once
move the list by one each, never give the floor twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vecinos.assembly.choices import ItemStatus, MeetingStatus, MemberRole
from vecinos.assembly.choices_room import SpeakerStatus
from vecinos.assembly.models import AgendaItem, Meeting
from vecinos.assembly.models_room import (
    NAME_MAX_LENGTH,
    TABLE_MAX_LENGTH,
    Attendee,
    Interpretation,
    ItemTranslation,
    RoomSettings,
    SpeakerEntry,
)
from vecinos.core import audit
from vecinos.core.permissions import Capability, can
from vecinos.organizing.choices import SpokenLanguage

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.utils.functional import Promise

    from vecinos.core.models import User
    from vecinos.organizing.models import Person

NOTES_MAX_LENGTH = 20_000
# A body's own roles that run its room (whatever the account's roles).
ROOM_ROLES = frozenset({MemberRole.FACILITATOR, MemberRole.NOTE_TAKER})
MAX_ATTENDANCE = 100_000


class RoomError(Exception):
    """A change to the room that cannot be made as asked. ``str()`` is a sentence for people,
    translated into the language active when it is shown."""

    message: Promise

    def __str__(self) -> str:
        return str(self.message)


class EmptyNameError(RoomError):
    message = _("Write the speaker's name, or choose a member.")


class AlreadyWaitingError(RoomError):
    message = _("This person is already waiting to speak on this item.")


class NotWaitingError(RoomError):
    message = _("This person is no longer waiting: they spoke, are speaking, or withdrew.")


class AcrossStackError(RoomError):
    message = _(
        "With the progressive stack on, those who have not spoken yet go first: move people "
        "within their group."
    )


class ItemNotInMeetingError(RoomError):
    message = _("That agenda item is not on this meeting's agenda.")


class MeetingClosedError(RoomError):
    message = _("This meeting is closed; its minutes can still be corrected.")


class BadAttendanceError(RoomError):
    message = _("Attendance is a whole number of people, from 0 to 100000.")


class NotARoomLanguageError(RoomError):
    message = _("Choose one of the spoken languages on the list.")


class NotesTooLongError(RoomError):
    message = _("These notes are too long: split them over the agenda items.")


# --- Who runs the room ------------------------------------------------------------------------


def can_run_room(user: User | AnonymousUser, meeting: Meeting) -> bool:
    """Whether ``user`` may run this meeting's room: a facilitator or note-taker of its assembly
    (whatever their account's roles), or a coordinator (who may run any room)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if can(user, Capability.RUN_ANY_ROOM):
        return True
    return meeting.assembly.role_of(user) in ROOM_ROLES


def check_can_run_room(user: User | AnonymousUser, meeting: Meeting) -> None:
    """Raises:
    PermissionDenied: ``user`` does not run this meeting's room."""
    if not can_run_room(user, meeting):
        raise PermissionDenied


def room_settings(meeting: Meeting) -> RoomSettings:
    """The room's settings (defaults until someone changes them; nothing is written)."""
    try:
        return meeting.room_settings
    except ObjectDoesNotExist:
        return RoomSettings(meeting=meeting)


# --- The progressive stack --------------------------------------------------------------------


def speaking_order(
    waiting: Iterable[SpeakerEntry], *, spoken: set[str], progressive: bool
) -> list[SpeakerEntry]:
    """The waiting turns in the order they get the floor: the list's order, or, on a
    progressive stack, first those who have not spoken yet in this meeting (``spoken`` holds the
    :attr:`SpeakerEntry.speaker_key` of everyone who has), each group in the list's order."""
    ordered = sorted(waiting, key=lambda e: (e.position, e.id or 0))
    if not progressive:
        return ordered
    return sorted(ordered, key=lambda e: e.speaker_key in spoken)  # stable: keeps list order


def spoken_in_meeting(meeting: Meeting) -> set[str]:
    """Who has had the floor in this meeting, on any item (speaking now counts)."""
    entries = SpeakerEntry.objects.filter(
        meeting=meeting, status__in=[SpeakerStatus.SPEAKING, SpeakerStatus.DONE]
    ).only("person_id", "name")
    return {e.speaker_key for e in entries}


def queue_of(item: AgendaItem, *, progressive: bool | None = None) -> list[SpeakerEntry]:
    """The item's waiting turns in speaking order (``progressive`` defaults to the room's
    setting)."""
    meeting = item.meeting
    if progressive is None:
        progressive = room_settings(meeting).progressive_stack
    waiting = SpeakerEntry.objects.filter(item=item, status=SpeakerStatus.WAITING).select_related(
        "person"
    )
    spoken = spoken_in_meeting(meeting) if progressive else set()
    return speaking_order(waiting, spoken=spoken, progressive=progressive)


# --- The speakers' list -----------------------------------------------------------------------


def _check_item(actor: User, item: AgendaItem) -> None:
    check_can_run_room(actor, item.meeting)
    if item.meeting.status == MeetingStatus.CLOSED:
        raise MeetingClosedError


def do_add_speaker(
    actor: User, item: AgendaItem, *, name: str = "", person: Person | None = None
) -> SpeakerEntry:
    """Put someone at the end of the item's speakers' list: a member, or a name as given in the
    room.

    Raises:
        PermissionDenied: the actor does not run this room.
        MeetingClosedError: the meeting is closed.
        EmptyNameError: neither a name nor a member.
        AlreadyWaitingError: they are already waiting on this item.
    """
    _check_item(actor, item)
    name = " ".join(name.split())[:NAME_MAX_LENGTH]
    if person is not None and not name:
        name = person.full_name[:NAME_MAX_LENGTH]
    if not name:
        raise EmptyNameError
    entry = SpeakerEntry(item=item, meeting_id=item.meeting_id, person=person, name=name)
    with transaction.atomic():
        AgendaItem.objects.select_for_update().filter(id=item.id).first()
        waiting = SpeakerEntry.objects.filter(item=item, status=SpeakerStatus.WAITING)
        if entry.speaker_key in {e.speaker_key for e in waiting}:
            raise AlreadyWaitingError
        last = SpeakerEntry.objects.filter(item=item).aggregate(m=Max("position"))["m"]
        entry.position = 0 if last is None else last + 1
        entry.added_by = actor
        entry.save()
        audit.record(actor, audit.ASSEMBLY_SPEAKERS_CHANGED, item, change="added", entry=entry.id)
    return entry


def do_move_speaker(actor: User, entry: SpeakerEntry, *, up: bool) -> None:
    """Swap a waiting turn with the one before (``up``) or after it in speaking order. At either
    end of the list nothing changes.

    Raises:
        PermissionDenied: the actor does not run this room.
        MeetingClosedError: the meeting is closed.
        NotWaitingError: the turn is no longer waiting.
        AcrossStackError: on a progressive stack, the neighbour is in the other group.
    """
    item = entry.item
    _check_item(actor, item)
    with transaction.atomic():
        AgendaItem.objects.select_for_update().filter(id=item.id).first()
        settings = room_settings(item.meeting)
        order = queue_of(item, progressive=settings.progressive_stack)
        index = next((i for i, e in enumerate(order) if e.id == entry.id), None)
        if index is None:
            raise NotWaitingError
        other_index = index - 1 if up else index + 1
        if not 0 <= other_index < len(order):
            return
        mine, other = order[index], order[other_index]
        if settings.progressive_stack:
            spoken = spoken_in_meeting(item.meeting)
            if (mine.speaker_key in spoken) != (other.speaker_key in spoken):
                raise AcrossStackError
        mine.position, other.position = other.position, mine.position
        if mine.position == other.position:  # equal positions: make the order explicit
            mine.position += -1 if up else 1
        mine.save(update_fields=["position"])
        other.save(update_fields=["position"])
        audit.record(
            actor,
            audit.ASSEMBLY_SPEAKERS_CHANGED,
            item,
            change="moved_up" if up else "moved_down",
            entry=entry.id,
        )


def do_withdraw_speaker(actor: User, entry: SpeakerEntry) -> None:
    """Take a waiting turn off the list (they changed their mind, or left).

    Raises:
        PermissionDenied: the actor does not run this room.
        MeetingClosedError: the meeting is closed.
        NotWaitingError: the turn is no longer waiting.
    """
    _check_item(actor, entry.item)
    with transaction.atomic():
        changed = SpeakerEntry.objects.filter(id=entry.id, status=SpeakerStatus.WAITING).update(
            status=SpeakerStatus.WITHDRAWN, ended_at=timezone.now()
        )
        if changed != 1:
            raise NotWaitingError
        audit.record(
            actor, audit.ASSEMBLY_SPEAKERS_CHANGED, entry.item, change="withdrawn", entry=entry.id
        )
    entry.status = SpeakerStatus.WITHDRAWN


def do_next_speaker(actor: User, item: AgendaItem) -> SpeakerEntry | None:
    """End the current turn on this item, if any, and give the floor to the first in speaking
    order. Returns who speaks now (None: the list is empty, and nobody has the floor).

    Raises:
        PermissionDenied: the actor does not run this room.
        MeetingClosedError: the meeting is closed.
    """
    _check_item(actor, item)
    now = timezone.now()
    with transaction.atomic():
        # Serializes "next" on this item (PostgreSQL; SQLite's write transactions already do).
        AgendaItem.objects.select_for_update().filter(id=item.id).first()
        ended = SpeakerEntry.objects.filter(item=item, status=SpeakerStatus.SPEAKING).update(
            status=SpeakerStatus.DONE, ended_at=now
        )
        speaker = None
        for candidate in queue_of(item):
            taken = SpeakerEntry.objects.filter(
                id=candidate.id, status=SpeakerStatus.WAITING
            ).update(status=SpeakerStatus.SPEAKING, started_at=now)
            if taken == 1:
                speaker = candidate
                speaker.status, speaker.started_at = SpeakerStatus.SPEAKING, now
                break
        if ended or speaker is not None:
            audit.record(
                actor,
                audit.ASSEMBLY_SPEAKERS_CHANGED,
                item,
                change="next",
                entry=speaker.id if speaker is not None else None,
            )
    return speaker


def do_set_room_settings(
    actor: User, meeting: Meeting, *, progressive_stack: bool, names_in_minutes: bool
) -> RoomSettings:
    """Turn the progressive stack and names in the minutes on or off.

    Raises:
        PermissionDenied: the actor does not run this room.
    """
    check_can_run_room(actor, meeting)
    with transaction.atomic():
        settings, _created = RoomSettings.objects.update_or_create(
            meeting=meeting,
            defaults={"progressive_stack": progressive_stack, "names_in_minutes": names_in_minutes},
        )
        audit.record(
            actor,
            audit.ASSEMBLY_ROOM_SETTINGS_CHANGED,
            meeting,
            progressive_stack=progressive_stack,
            names_in_minutes=names_in_minutes,
        )
    return settings


# --- The agenda in the room -------------------------------------------------------------------


def do_start_item(actor: User, meeting: Meeting, item: AgendaItem) -> None:
    """Make ``item`` the current one: the item that was current is done, and whoever had the
    floor on it has finished. Opens a planned meeting (its first item starts it).

    Raises:
        PermissionDenied: the actor does not run this room.
        ItemNotInMeetingError: the item is on another meeting's agenda.
        MeetingClosedError: the meeting is closed.
    """
    check_can_run_room(actor, meeting)
    if item.meeting_id != meeting.id:
        raise ItemNotInMeetingError
    if meeting.status == MeetingStatus.CLOSED:
        raise MeetingClosedError
    now = timezone.now()
    with transaction.atomic():
        previous = list(
            AgendaItem.objects.select_for_update()
            .filter(meeting=meeting, status=ItemStatus.CURRENT)
            .exclude(id=item.id)
        )
        for old in previous:
            SpeakerEntry.objects.filter(item=old, status=SpeakerStatus.SPEAKING).update(
                status=SpeakerStatus.DONE, ended_at=now
            )
        AgendaItem.objects.filter(id__in=[p.id for p in previous]).update(status=ItemStatus.DONE)
        AgendaItem.objects.filter(id=item.id).update(status=ItemStatus.CURRENT)
        opened = Meeting.objects.filter(id=meeting.id, status=MeetingStatus.PLANNED).update(
            status=MeetingStatus.OPEN
        )
        if opened:
            meeting.status = MeetingStatus.OPEN
        audit.record(actor, audit.ASSEMBLY_ITEM_STARTED, item, meeting=meeting.id)
    item.status = ItemStatus.CURRENT


def do_finish_item(actor: User, item: AgendaItem) -> None:
    """Mark the item done (whoever had the floor has finished); no item is current after it.

    Raises:
        PermissionDenied: the actor does not run this room.
        MeetingClosedError: the meeting is closed.
    """
    _check_item(actor, item)
    with transaction.atomic():
        SpeakerEntry.objects.filter(item=item, status=SpeakerStatus.SPEAKING).update(
            status=SpeakerStatus.DONE, ended_at=timezone.now()
        )
        AgendaItem.objects.filter(id=item.id).update(status=ItemStatus.DONE)
        audit.record(actor, audit.ASSEMBLY_ITEM_FINISHED, item, meeting=item.meeting_id)
    item.status = ItemStatus.DONE


def do_save_item_translations(
    actor: User, item: AgendaItem, titles: Mapping[str, str]
) -> list[ItemTranslation]:
    """Set the item's title in other languages (code → title, as a person translated it); an
    empty title removes that language's translation.

    Raises:
        PermissionDenied: the actor does not run this room.
        NotARoomLanguageError: a code that is not a spoken language.
    """
    check_can_run_room(actor, item.meeting)
    if any(code not in SpokenLanguage.values for code in titles):
        raise NotARoomLanguageError
    with transaction.atomic():
        for code, title in titles.items():
            title = " ".join(title.split())[:200]
            if title:
                ItemTranslation.objects.update_or_create(
                    item=item, language=code, defaults={"title": title}
                )
            else:
                ItemTranslation.objects.filter(item=item, language=code).delete()
        audit.record(actor, audit.ASSEMBLY_ITEM_TRANSLATED, item, languages=sorted(titles))
    return list(ItemTranslation.objects.filter(item=item))


# --- Interpretation ---------------------------------------------------------------------------


def do_assign_interpreter(
    actor: User,
    meeting: Meeting,
    *,
    language: str,
    interpreter_name: str,
    table: str = "",
    interpreter: Person | None = None,
) -> Interpretation:
    """Record who interprets ``language`` at ``table`` (empty: the whole room).

    Raises:
        PermissionDenied: the actor does not run this room.
        NotARoomLanguageError: ``language`` is not a spoken language.
        EmptyNameError: neither a name nor a member.
    """
    check_can_run_room(actor, meeting)
    if language not in SpokenLanguage.values:
        raise NotARoomLanguageError
    name = " ".join(interpreter_name.split())[:NAME_MAX_LENGTH]
    if interpreter is not None and not name:
        name = interpreter.full_name[:NAME_MAX_LENGTH]
    if not name:
        raise EmptyNameError
    with transaction.atomic():
        assignment = Interpretation.objects.create(
            meeting=meeting,
            language=language,
            table=" ".join(table.split())[:TABLE_MAX_LENGTH],
            interpreter_name=name,
            interpreter=interpreter,
        )
        audit.record(
            actor,
            audit.ASSEMBLY_INTERPRETATION_CHANGED,
            meeting,
            change="assigned",
            language=language,
            interpretation=assignment.id,
        )
    return assignment


def do_remove_interpretation(actor: User, assignment: Interpretation) -> None:
    """Raises:
    PermissionDenied: the actor does not run this room."""
    check_can_run_room(actor, assignment.meeting)
    with transaction.atomic():
        audit.record(
            actor,
            audit.ASSEMBLY_INTERPRETATION_CHANGED,
            assignment.meeting,
            change="removed",
            language=assignment.language,
            interpretation=assignment.id,
        )
        assignment.delete()


def uncovered_languages(meeting: Meeting) -> list[str]:
    """Languages the meeting needs interpretation into that nobody is assigned to."""
    covered = set(Interpretation.objects.filter(meeting=meeting).values_list("language", flat=True))
    return [code for code in meeting.interpretation_needed if code not in covered]


# --- Attendance and notes ---------------------------------------------------------------------


def do_record_attendance(actor: User, meeting: Meeting, count: int) -> None:
    """Set how many people came (a count is enough; names are optional).

    Raises:
        PermissionDenied: the actor does not run this room.
        BadAttendanceError: a negative or absurd number.
    """
    check_can_run_room(actor, meeting)
    if not 0 <= count <= MAX_ATTENDANCE:
        raise BadAttendanceError
    with transaction.atomic():
        Meeting.objects.filter(id=meeting.id).update(attendance_count=count)
        audit.record(actor, audit.ASSEMBLY_MINUTES_CHANGED, meeting, change="attendance")
    meeting.attendance_count = count


def do_add_attendee(
    actor: User, meeting: Meeting, *, name: str = "", person: Person | None = None
) -> Attendee:
    """Add a name to the attendance (only people who agreed to be named).

    Raises:
        PermissionDenied: the actor does not run this room.
        EmptyNameError: neither a name nor a member.
    """
    check_can_run_room(actor, meeting)
    name = " ".join(name.split())[:NAME_MAX_LENGTH]
    if person is not None and not name:
        name = person.full_name[:NAME_MAX_LENGTH]
    if not name:
        raise EmptyNameError
    with transaction.atomic():
        attendee = Attendee.objects.create(meeting=meeting, name=name, person=person)
        audit.record(actor, audit.ASSEMBLY_MINUTES_CHANGED, meeting, change="attendee_added")
    return attendee


def do_remove_attendee(actor: User, attendee: Attendee) -> None:
    """Raises:
    PermissionDenied: the actor does not run this room."""
    check_can_run_room(actor, attendee.meeting)
    with transaction.atomic():
        audit.record(
            actor, audit.ASSEMBLY_MINUTES_CHANGED, attendee.meeting, change="attendee_removed"
        )
        attendee.delete()


def do_save_item_notes(actor: User, item: AgendaItem, notes: str) -> None:
    """Replace the item's notes in the minutes. A closed meeting's notes can still be corrected.

    Raises:
        PermissionDenied: the actor does not run this room.
        NotesTooLongError: over 20000 characters.
    """
    check_can_run_room(actor, item.meeting)
    notes = notes.replace("\r\n", "\n").strip()
    if len(notes) > NOTES_MAX_LENGTH:
        raise NotesTooLongError
    with transaction.atomic():
        AgendaItem.objects.filter(id=item.id).update(notes=notes)
        audit.record(actor, audit.ASSEMBLY_MINUTES_CHANGED, item, change="notes")
    item.notes = notes
