"""Changes to the assembly's bodies, members, meetings, agendas, attachments and time polls.

Each ``do_*`` takes the acting account, checks it may act (the body's own rules, see
``Assembly.can_run``/``can_manage``), writes in one transaction with an audit row, and queues any
message in that same transaction through the outbox.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from vecinos.assembly import notices
from vecinos.assembly.choices import (
    CHILD_KINDS,
    SLOT_ANSWER_DIGITS,
    AnsweredBy,
    MeetingStatus,
    MemberRole,
    NoticeKind,
    PollStatus,
    SlotAnswer,
)
from vecinos.assembly.models import (
    AgendaItem,
    Assembly,
    Attachment,
    Meeting,
    MeetingFeedToken,
    Membership,
    Notice,
    SlotVote,
    TimePoll,
    TimeSlot,
)
from vecinos.core import audit, crypto
from vecinos.core.models import User
from vecinos.core.permissions import Capability, check
from vecinos.messaging import services as messaging
from vecinos.messaging.choices import Channel, Priority
from vecinos.messaging.models import InboundMessage
from vecinos.organizing.models import Person

logger = logging.getLogger(__name__)

POLL_HANDLER = "assembly.time_poll"
FEED_HASH_PURPOSE = "assembly-feed"
# Members are reminded once, this long before a meeting starts.
REMINDER_AHEAD = timedelta(hours=24)
MAX_SLOTS = 8


class AssemblyError(ValueError):
    """A change refused for a reason the person can fix; the message is translated."""


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


# --- Bodies and members ------------------------------------------------------------------------

BODY_FIELDS = (
    "name",
    "kind",
    "sanctuary_place_kind",
    "parent",
    "languages",
    "quorum_kind",
    "quorum_value",
    "allow_proxy",
    "secret_ballot_default",
)


def _check_parent(assembly: Assembly) -> None:
    if assembly.kind in CHILD_KINDS and assembly.parent_id is None:
        raise AssemblyError(
            _("A working group or breakout group belongs to an assembly: choose it.")
        )
    seen = {assembly.id} if assembly.id else set()
    parent = assembly.parent
    while parent is not None:
        if parent.id in seen:
            raise AssemblyError(_("A body cannot report to itself or to one of its own groups."))
        seen.add(parent.id)
        parent = parent.parent


def do_create_assembly(actor: User, **fields: Any) -> Assembly:
    """Raises:
    PermissionDenied: the actor may not manage assemblies.
    AssemblyError: a group without its assembly."""
    check(actor, Capability.MANAGE_ASSEMBLIES)
    assembly = Assembly(**{name: fields[name] for name in BODY_FIELDS if name in fields})
    _check_parent(assembly)
    with transaction.atomic():
        assembly.save()
        audit.record(actor, audit.ASSEMBLY_CREATED, assembly, kind=assembly.kind)
    return assembly


def do_update_assembly(actor: User, assembly: Assembly, **fields: Any) -> list[str]:
    _require(assembly.can_manage(actor))
    changed = [
        name for name in BODY_FIELDS if name in fields and getattr(assembly, name) != fields[name]
    ]
    for name in changed:
        setattr(assembly, name, fields[name])
    _check_parent(assembly)
    if changed:
        with transaction.atomic():
            assembly.save(update_fields=changed)
            audit.record(actor, audit.ASSEMBLY_CHANGED, assembly, fields=changed)
    return changed


def do_add_member(
    actor: User, assembly: Assembly, person: Person, role: str = MemberRole.MEMBER
) -> Membership:
    """Raises:
    PermissionDenied: the actor may not manage this body.
    AssemblyError: the person is already a member."""
    _require(assembly.can_manage(actor))
    if role not in MemberRole.values:
        raise AssemblyError(_("Choose a role from the list."))
    try:
        with transaction.atomic():
            membership = Membership.objects.create(assembly=assembly, person=person, role=role)
            audit.record(actor, audit.MEMBER_ADDED, assembly, person=person.id, role=role)
    except IntegrityError:
        raise AssemblyError(
            _("%(name)s is already a member of %(body)s.")
            % {"name": person.full_name, "body": assembly.name}
        ) from None
    return membership


def do_change_member_role(actor: User, membership: Membership, role: str) -> bool:
    _require(membership.assembly.can_manage(actor))
    if role not in MemberRole.values:
        raise AssemblyError(_("Choose a role from the list."))
    with transaction.atomic():
        changed = Membership.objects.filter(id=membership.id).exclude(role=role).update(role=role)
        if changed:
            audit.record(
                actor,
                audit.MEMBER_CHANGED,
                membership.assembly,
                person=membership.person_id,
                role=role,
            )
    membership.role = role
    return bool(changed)


def do_remove_member(actor: User, membership: Membership) -> None:
    _require(membership.assembly.can_manage(actor))
    with transaction.atomic():
        deleted, _rows = Membership.objects.filter(id=membership.id).delete()
        if deleted:
            audit.record(
                actor, audit.MEMBER_REMOVED, membership.assembly, person=membership.person_id
            )


# --- Meetings and agendas ----------------------------------------------------------------------

MEETING_FIELDS = (
    "title",
    "starts_at",
    "ends_at",
    "place",
    "online_link",
    "languages",
    "interpretation_needed",
)


def _check_meeting(meeting: Meeting) -> None:
    if meeting.ends_at is not None and meeting.ends_at <= meeting.starts_at:
        raise AssemblyError(_("The meeting must end after it starts."))


def do_create_meeting(actor: User, assembly: Assembly, **fields: Any) -> Meeting:
    """Raises:
    PermissionDenied: the actor may not run this body's meetings.
    AssemblyError: it ends before it starts."""
    _require(assembly.can_run(actor))
    meeting = Meeting(
        assembly=assembly,
        created_by=actor,
        **{name: fields[name] for name in MEETING_FIELDS if name in fields},
    )
    if not meeting.languages:
        meeting.languages = list(assembly.languages)
    _check_meeting(meeting)
    with transaction.atomic():
        meeting.save()
        audit.record(actor, audit.MEETING_CREATED, meeting, assembly=assembly.id)
    return meeting


def do_update_meeting(actor: User, meeting: Meeting, **fields: Any) -> list[str]:
    _require(meeting.assembly.can_run(actor))
    if meeting.status == MeetingStatus.CLOSED:
        raise AssemblyError(_("This meeting is closed; it can no longer be changed."))
    changed = [
        name for name in MEETING_FIELDS if name in fields and getattr(meeting, name) != fields[name]
    ]
    for name in changed:
        setattr(meeting, name, fields[name])
    _check_meeting(meeting)
    if changed:
        with transaction.atomic():
            meeting.save(update_fields=changed)
            audit.record(actor, audit.MEETING_CHANGED, meeting, fields=changed)
            if "starts_at" in changed:
                # A new time: members are reminded again before it.
                Notice.objects.filter(meeting=meeting, kind=NoticeKind.REMINDER).delete()
    return changed


def _check_presenter(meeting: Meeting, presenter: Person | None) -> None:
    if (
        presenter is not None
        and not meeting.assembly.memberships.filter(person_id=presenter.id).exists()
    ):
        raise AssemblyError(
            _("%(name)s is not a member of %(body)s; add them first.")
            % {"name": presenter.full_name, "body": meeting.assembly.name}
        )


def do_add_agenda_item(
    actor: User,
    meeting: Meeting,
    *,
    title: str,
    time_box_minutes: int,
    presenter: Person | None = None,
) -> AgendaItem:
    _require(meeting.assembly.can_run(actor))
    _check_presenter(meeting, presenter)
    with transaction.atomic():
        last = Meeting.objects.select_for_update().filter(id=meeting.id).first()
        if last is None:
            raise AssemblyError(_("This meeting no longer exists."))
        position = (meeting.agenda_items.aggregate(top=Max("position"))["top"] or 0) + 1
        item = AgendaItem.objects.create(
            meeting=meeting,
            position=position,
            title=title,
            time_box_minutes=time_box_minutes,
            presenter=presenter,
        )
        audit.record(actor, audit.AGENDA_CHANGED, meeting, added=item.id)
    return item


def do_update_agenda_item(
    actor: User,
    item: AgendaItem,
    *,
    title: str,
    time_box_minutes: int,
    presenter: Person | None = None,
) -> None:
    _require(item.meeting.assembly.can_run(actor))
    _check_presenter(item.meeting, presenter)
    with transaction.atomic():
        item.title, item.time_box_minutes, item.presenter = title, time_box_minutes, presenter
        item.save(update_fields=["title", "time_box_minutes", "presenter"])
        audit.record(actor, audit.AGENDA_CHANGED, item.meeting, changed=item.id)


def do_remove_agenda_item(actor: User, item: AgendaItem) -> None:
    _require(item.meeting.assembly.can_run(actor))
    with transaction.atomic():
        AgendaItem.objects.filter(id=item.id).delete()
        audit.record(actor, audit.AGENDA_CHANGED, item.meeting, removed=item.id)


def do_move_agenda_item(actor: User, item: AgendaItem, step: int) -> bool:
    """Swap an item with the one above (step -1) or below (+1). Returns whether it moved."""
    _require(item.meeting.assembly.can_run(actor))
    with transaction.atomic():
        items = list(
            AgendaItem.objects.select_for_update()
            .filter(meeting_id=item.meeting_id)
            .order_by("position", "id")
        )
        ids = [each.id for each in items]
        if item.id not in ids:
            return False
        index = ids.index(item.id)
        other = index + step
        if step not in (-1, 1) or not 0 <= other < len(items):
            return False
        items[index], items[other] = items[other], items[index]
        for position, each in enumerate(items, start=1):
            if each.position != position:
                AgendaItem.objects.filter(id=each.id).update(position=position)
        audit.record(actor, audit.AGENDA_CHANGED, item.meeting, moved=item.id, step=step)
    return True


# --- Attachments -------------------------------------------------------------------------------

# What may be attached: the types people share for a meeting. Checked by name AND by the file's
# first bytes, so a program renamed .pdf is refused.
ATTACHMENT_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "txt": ("text/plain", ()),
    "md": ("text/markdown", ()),
    "csv": ("text/csv", ()),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (b"PK\x03\x04",),
    ),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    "odt": ("application/vnd.oasis.opendocument.text", (b"PK\x03\x04",)),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", (b"PK\x03\x04",)),
}


def allowed_extensions() -> str:
    return ", ".join(sorted(ATTACHMENT_TYPES))


def check_upload(upload: UploadedFile) -> str:
    """The content type of an acceptable file.

    Raises:
        AssemblyError: empty, too large, or not one of the allowed kinds.
    """
    limit = settings.ASSEMBLY_ATTACHMENT_MAX_BYTES
    size = upload.size or 0
    if size == 0:
        raise AssemblyError(_("The file is empty."))
    if size > limit:
        raise AssemblyError(
            _("The file is %(size)s MB; files may be at most %(limit)s MB.")
            % {"size": round(size / 1024 / 1024, 1), "limit": limit // 1024 // 1024}
        )
    name = upload.name or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ATTACHMENT_TYPES:
        raise AssemblyError(
            _("Files of this kind cannot be attached. Allowed: %(kinds)s.")
            % {"kinds": allowed_extensions()}
        )
    content_type, magics = ATTACHMENT_TYPES[extension]
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    if magics and not any(head.startswith(magic) for magic in magics):
        raise AssemblyError(
            _("This file is not really a .%(kind)s file; it was not attached.")
            % {"kind": extension}
        )
    if not magics:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            # A multi-byte character cut at the end of the first 2 KB is still text.
            if exc.start < len(head) - 4:
                raise AssemblyError(
                    _("This file is not plain text (UTF-8); it was not attached.")
                ) from None
    return content_type


def _clean_name(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = re.sub(r"[\x00-\x1f\x7f\"]", "", base).strip() or "file"
    return base[-200:]


def do_attach_file(
    actor: User, meeting: Meeting, upload: UploadedFile, *, agenda_item: AgendaItem | None = None
) -> Attachment:
    """Raises:
    PermissionDenied: the actor may not run this body's meetings.
    AssemblyError: the file is refused (see :func:`check_upload`)."""
    _require(meeting.assembly.can_run(actor))
    if agenda_item is not None and agenda_item.meeting_id != meeting.id:
        raise AssemblyError(_("That agenda item is not on this meeting's agenda."))
    content_type = check_upload(upload)
    with transaction.atomic():
        attachment = Attachment(
            meeting=meeting,
            agenda_item=agenda_item,
            name=_clean_name(upload.name or ""),
            content_type=content_type,
            size=upload.size or 0,
            uploaded_by=actor,
        )
        attachment.file.save(attachment.name, upload, save=False)
        stored = attachment.file.name
        try:
            attachment.save()
            audit.record(actor, audit.ATTACHMENT_ADDED, meeting, attachment=attachment.id)
        except Exception:
            attachment.file.storage.delete(stored)
            raise
    return attachment


def do_remove_attachment(actor: User, attachment: Attachment) -> None:
    _require(attachment.meeting.assembly.can_run(actor))
    name, storage = attachment.file.name, attachment.file.storage
    with transaction.atomic():
        Attachment.objects.filter(id=attachment.id).delete()
        audit.record(actor, audit.ATTACHMENT_REMOVED, attachment.meeting, name=attachment.name)
        if name:
            transaction.on_commit(lambda: storage.delete(name))


# --- Invitations and reminders -----------------------------------------------------------------


def _members(assembly: Assembly) -> list[Person]:
    return [m.person for m in assembly.memberships.select_related("person").order_by("id")]


def _notify(
    kind: str,
    people: Iterable[Person],
    *,
    meeting: Meeting | None = None,
    poll: TimePoll | None = None,
) -> int:
    """Queue ``kind`` to each person not yet sent it; returns how many were queued. Each notice
    row is claimed first (unique per person), so two workers or two clicks send once."""
    already = set(
        Notice.objects.filter(kind=kind, meeting=meeting, poll=poll).values_list(
            "person_id", flat=True
        )
    )
    queued = 0
    for person in people:
        if person.id in already:
            continue
        try:
            with transaction.atomic():
                notice = Notice.objects.create(kind=kind, person=person, meeting=meeting, poll=poll)
                if poll is not None:
                    channel, message = notices.send_poll(person, poll)
                elif meeting is not None:
                    channel, message = notices.send_invitation(
                        person, meeting, reminder=kind == NoticeKind.REMINDER
                    )
                else:
                    raise ValueError("a notice is about a meeting or a poll")
                notice.channel, notice.message = channel, message
                notice.save(update_fields=["channel", "message"])
        except IntegrityError:
            continue  # already sent to this person
        queued += message is not None
    return queued


def do_send_invitations(actor: User, meeting: Meeting) -> int:
    """Invite every member of the meeting's body not yet invited; returns how many messages
    were queued (members without a phone or e-mail, or who said no, get none)."""
    _require(meeting.assembly.can_run(actor))
    if meeting.status == MeetingStatus.CLOSED:
        raise AssemblyError(_("This meeting is closed; it can no longer be changed."))
    with transaction.atomic():
        queued = _notify(NoticeKind.INVITATION, _members(meeting.assembly), meeting=meeting)
        audit.record(actor, audit.MEETING_INVITATIONS_SENT, meeting, queued=queued)
    return queued


def send_due_reminders(*, now: datetime | None = None) -> int:
    """The worker's chore: remind members of each planned meeting starting within
    :data:`REMINDER_AHEAD`, once each. Safe to run twice at once (notices are unique)."""
    now = timezone.now() if now is None else now
    due = Meeting.objects.filter(
        status=MeetingStatus.PLANNED, starts_at__gt=now, starts_at__lte=now + REMINDER_AHEAD
    ).select_related("assembly")
    queued = 0
    for meeting in due:
        queued += _notify(NoticeKind.REMINDER, _members(meeting.assembly), meeting=meeting)
    return queued


# --- Time polls --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SlotInput:
    starts_at: datetime
    ends_at: datetime | None = None


def do_create_time_poll(
    actor: User,
    assembly: Assembly,
    *,
    title: str,
    slots: Sequence[SlotInput],
    closes_at: datetime | None = None,
) -> TimePoll:
    """Raises:
    PermissionDenied: the actor may not run this body's meetings.
    AssemblyError: fewer than two or more than eight times, the same time twice, a time that
        ends before it starts, or answers closing in the past."""
    _require(assembly.can_run(actor))
    if len(slots) < 2:
        raise AssemblyError(_("Propose at least two times."))
    if len(slots) > MAX_SLOTS:
        raise AssemblyError(
            _("Propose at most %(count)s times: a text reply has one digit per time.")
            % {"count": MAX_SLOTS}
        )
    if len({slot.starts_at for slot in slots}) != len(slots):
        raise AssemblyError(_("The same time is proposed twice."))
    for slot in slots:
        if slot.ends_at is not None and slot.ends_at <= slot.starts_at:
            raise AssemblyError(_("Each time must end after it starts."))
    if closes_at is not None and closes_at <= timezone.now():
        raise AssemblyError(_("Answers must close in the future."))
    with transaction.atomic():
        poll = TimePoll.objects.create(
            assembly=assembly,
            title=title,
            closes_at=closes_at,
            created_by=actor,
            code=f"tmp-{secrets.token_hex(4)}",
        )
        # "H" for horario / hour: short to type on a phone, and unique since ids are.
        poll.code = f"H{poll.id}"
        poll.save(update_fields=["code"])
        for position, slot in enumerate(sorted(slots, key=lambda s: s.starts_at), start=1):
            TimeSlot.objects.create(
                poll=poll, position=position, starts_at=slot.starts_at, ends_at=slot.ends_at
            )
        audit.record(actor, audit.TIME_POLL_CREATED, poll, assembly=assembly.id)
    return poll


def do_send_time_poll(actor: User, poll: TimePoll) -> int:
    """Text (or e-mail) the poll to every member not yet sent it; returns how many were queued."""
    _require(poll.assembly.can_run(actor))
    if not poll.is_open():
        raise AssemblyError(_("This time poll is closed."))
    with transaction.atomic():
        queued = _notify(NoticeKind.POLL, _members(poll.assembly), poll=poll)
        audit.record(actor, audit.TIME_POLL_SENT, poll, queued=queued)
    return queued


def do_close_time_poll(actor: User, poll: TimePoll) -> bool:
    _require(poll.assembly.can_run(actor))
    with transaction.atomic():
        closed = TimePoll.objects.filter(id=poll.id, status=PollStatus.OPEN).update(
            status=PollStatus.CLOSED
        )
        if closed:
            audit.record(actor, audit.TIME_POLL_CLOSED, poll)
    poll.status = PollStatus.CLOSED
    return bool(closed)


def is_member(assembly: Assembly, person: Person) -> bool:
    return assembly.memberships.filter(person_id=person.id).exists()


def record_time_answers(
    poll: TimePoll,
    person: Person,
    answers: dict[int, str],
    *,
    by: str,
    now: datetime | None = None,
) -> None:
    """Save one person's answers (slot id to answer); a new answer for a slot replaces the old.

    Raises:
        AssemblyError: the poll is closed, the person is not a member, or an answer is missing
            or unknown.
    """
    now = timezone.now() if now is None else now
    if not poll.is_open(now):
        raise AssemblyError(_("This time poll is closed."))
    if not is_member(poll.assembly, person):
        raise AssemblyError(
            _("Only members of %(body)s answer this poll.") % {"body": poll.assembly.name}
        )
    slot_ids = list(poll.slots.values_list("id", flat=True))
    if set(answers) != set(slot_ids) or any(a not in SlotAnswer.values for a in answers.values()):
        raise AssemblyError(_("Answer every proposed time: yes, if need be, or no."))
    with transaction.atomic():
        for slot_id in slot_ids:
            SlotVote.objects.update_or_create(
                slot_id=slot_id,
                person=person,
                defaults={"answer": answers[slot_id], "answered_by": by, "answered_at": now},
            )


def do_answer_time_poll(actor: User, poll: TimePoll, answers: dict[int, str]) -> None:
    """A member answers on the web, for themselves (their account's person).

    Raises:
        AssemblyError: as :func:`record_time_answers`, or the account is nobody's."""
    check(actor, Capability.VIEW_ASSEMBLIES)
    person = getattr(actor, "person", None)
    if person is None:
        raise AssemblyError(
            _("Your account is not linked to a person in the network; ask an organizer.")
        )
    record_time_answers(poll, person, answers, by=AnsweredBy.WEB)


POLL_TEXT = re.compile(r"^\s*#?([A-Za-z]\d{1,7})\b[\s:.,;-]*(.*)$", re.DOTALL)


def take_poll_text(inbound: InboundMessage) -> bool:
    """The messaging handler for time-poll answers: "H12 120" (the poll's code, then one digit
    per proposed time: 1 yes, 2 if need be, 0 no). Declines texts that do not start with an
    existing poll's code. Every refusal is answered in the sender's language."""
    match = POLL_TEXT.match(inbound.body or "")
    if match is None:
        return False
    poll = TimePoll.objects.select_related("assembly").filter(code__iexact=match.group(1)).first()
    if poll is None:
        return False
    person = inbound.person
    digits = re.sub(r"[\s,;.\-/]", "", match.group(2))
    language = notices.language_of(person) if person is not None else settings.LANGUAGE_CODE
    with translation.override(language):
        slots = list(poll.slots.all())
        if person is None or not is_member(poll.assembly, person):
            reply = _(
                "This number is not on the member list of %(body)s, so the answer was not "
                "counted. Ask a facilitator to add you."
            ) % {"body": poll.assembly.name}
        elif not poll.is_open(inbound.received_at):
            reply = _("The time poll %(code)s is closed; your answer was not counted.") % {
                "code": poll.code
            }
        elif len(digits) != len(slots) or any(d not in SLOT_ANSWER_DIGITS for d in digits):
            reply = _(
                "Not counted: send %(code)s and %(count)s digits, one per time, in order "
                "(1 yes, 2 if need be, 0 no). For example: %(code)s %(example)s"
            ) % {"code": poll.code, "count": len(slots), "example": "1" * len(slots)}
        else:
            answers = {
                slot.id: SLOT_ANSWER_DIGITS[digit]
                for slot, digit in zip(slots, digits, strict=True)
            }
            record_time_answers(poll, person, answers, by=AnsweredBy.TEXT, now=inbound.received_at)
            labels = dict(SlotAnswer.choices)
            summary = "; ".join(
                f"{notices.when(slot.starts_at)}: {labels[answers[slot.id]]}" for slot in slots
            )
            reply = _("Thank you, counted: %(answers)s. Send again to change it.") % {
                "answers": summary
            }
        messaging.queue_message(
            channel=Channel.SIGNAL if inbound.gateway == "signal" else Channel.SMS,
            address=inbound.sender,
            body=reply,
            kind=notices.POLL_REPLY_KIND,
            person=person,
            language=language,
            priority=Priority.REPLY,
        )
    return True


def do_schedule_from_poll(actor: User, poll: TimePoll, slot: TimeSlot, **fields: Any) -> Meeting:
    """Close the poll and schedule its meeting at the chosen time."""
    _require(poll.assembly.can_run(actor))
    if slot.poll_id != poll.id:
        raise AssemblyError(_("That time is not one of this poll's."))
    with transaction.atomic():
        meeting = do_create_meeting(
            actor,
            poll.assembly,
            title=fields.pop("title", poll.title),
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            **fields,
        )
        TimePoll.objects.filter(id=poll.id).update(status=PollStatus.CLOSED, meeting=meeting)
        audit.record(actor, audit.TIME_POLL_CLOSED, poll, meeting=meeting.id)
    poll.status, poll.meeting = PollStatus.CLOSED, meeting
    return meeting


# --- Calendar link -----------------------------------------------------------------------------


def feed_token_hashes(token: str) -> list[str]:
    return crypto.keyed_hashes(token, FEED_HASH_PURPOSE)


def do_new_feed_link(actor: User, *, now: datetime | None = None) -> str:
    """Make the actor's meeting calendar link and return its token (shown once only); the old
    link stops working."""
    check(actor, Capability.VIEW_ASSEMBLIES)
    now = timezone.now() if now is None else now
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        link, created = MeetingFeedToken.objects.update_or_create(
            user=actor,
            defaults={
                "token_hash": crypto.keyed_hash(token, FEED_HASH_PURPOSE),
                "created_at": now,
                "last_used_at": None,
            },
        )
        audit.record(actor, audit.MEETING_FEED_LINK_CREATED, link, replaced_old=not created)
    return token


def do_stop_feed_link(actor: User) -> bool:
    check(actor, Capability.VIEW_ASSEMBLIES)
    with transaction.atomic():
        deleted, _rows = MeetingFeedToken.objects.filter(user=actor).delete()
        if deleted:
            audit.record(actor, audit.MEETING_FEED_LINK_REVOKED)
    return bool(deleted)
