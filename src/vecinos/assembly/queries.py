"""Reads for the popular assembly: bodies, members, meetings, agendas, polls and the calendar.

``access_*`` fetch one record for a page and check the account may see it (404 for what does not
exist, 403 for what it may not see).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from vecinos.assembly.choices import MeetingStatus, SlotAnswer
from vecinos.assembly.models import (
    AgendaItem,
    Assembly,
    Attachment,
    Meeting,
    MeetingFeedToken,
    Membership,
    SlotVote,
    TimePoll,
    TimeSlot,
)
from vecinos.core.permissions import Capability, can, check

if TYPE_CHECKING:
    from vecinos.core.models import User
    from vecinos.organizing.models import Person


def bodies() -> QuerySet[Assembly]:
    """Every body with its member count."""
    return Assembly.objects.select_related("parent").annotate(members=Count("memberships"))


def body_tree() -> list[tuple[Assembly, int]]:
    """Bodies in reading order: each top-level body followed by the groups under it, with their
    depth (0 for top level)."""
    everything = list(bodies().order_by("name", "id"))
    children: dict[int | None, list[Assembly]] = {}
    for body in everything:
        children.setdefault(body.parent_id, []).append(body)
    ordered: list[tuple[Assembly, int]] = []
    seen: set[int] = set()

    def walk(parent_id: int | None, depth: int) -> None:
        for body in children.get(parent_id, []):
            if body.id in seen:
                continue
            seen.add(body.id)
            ordered.append((body, depth))
            walk(body.id, depth + 1)

    walk(None, 0)
    return ordered


def person_of(user: User) -> Person | None:
    return getattr(user, "person", None)


def my_bodies(user: User) -> set[int]:
    person = person_of(user)
    if person is None:
        return set()
    return set(Membership.objects.filter(person_id=person.id).values_list("assembly_id", flat=True))


def upcoming_meetings(*, now: datetime | None = None, limit: int = 20) -> list[Meeting]:
    now = timezone.now() if now is None else now
    return list(
        Meeting.objects.filter(
            Q(starts_at__gte=now - timedelta(hours=6)) | Q(status=MeetingStatus.OPEN)
        )
        .exclude(status=MeetingStatus.CLOSED)
        .select_related("assembly")
        .order_by("starts_at", "id")[:limit]
    )


def access_body(user: User, body_id: int) -> Assembly:
    check(user, Capability.VIEW_ASSEMBLIES)
    return get_object_or_404(Assembly.objects.select_related("parent"), id=body_id)


def may_see_members(user: User, body: Assembly) -> bool:
    """Names of a body's members: its own members, and those who run or manage it. Others see a
    count: an account is not a reason to learn who organizes where."""
    return body.can_run(user) or body.membership_of(user) is not None


def members_of(body: Assembly) -> list[Membership]:
    return list(body.memberships.select_related("person").order_by("person__full_name", "id"))


def access_membership(user: User, membership_id: int) -> Membership:
    check(user, Capability.VIEW_ASSEMBLIES)
    membership = get_object_or_404(
        Membership.objects.select_related("assembly", "person"), id=membership_id
    )
    if not membership.assembly.can_manage(user):
        raise PermissionDenied
    return membership


def access_meeting(user: User, meeting_id: int) -> Meeting:
    check(user, Capability.VIEW_ASSEMBLIES)
    return get_object_or_404(Meeting.objects.select_related("assembly"), id=meeting_id)


def agenda_of(meeting: Meeting) -> list[AgendaItem]:
    return list(
        meeting.agenda_items.select_related("presenter").prefetch_related(
            Prefetch("attachments", queryset=Attachment.objects.order_by("uploaded_at", "id"))
        )
    )


def access_agenda_item(user: User, item_id: int) -> AgendaItem:
    check(user, Capability.VIEW_ASSEMBLIES)
    item = get_object_or_404(
        AgendaItem.objects.select_related("meeting__assembly", "presenter"), id=item_id
    )
    if not item.meeting.assembly.can_run(user):
        raise PermissionDenied
    return item


def may_open_attachments(user: User, meeting: Meeting) -> bool:
    """A meeting's files: its body's members and those who run its meetings."""
    body = meeting.assembly
    return body.can_run(user) or body.membership_of(user) is not None


def access_attachment(user: User, attachment_id: int) -> Attachment:
    check(user, Capability.VIEW_ASSEMBLIES)
    attachment = get_object_or_404(
        Attachment.objects.select_related("meeting__assembly"), id=attachment_id
    )
    if not may_open_attachments(user, attachment.meeting):
        raise PermissionDenied
    return attachment


def access_poll(user: User, poll_id: int) -> TimePoll:
    check(user, Capability.VIEW_ASSEMBLIES)
    return get_object_or_404(TimePoll.objects.select_related("assembly", "meeting"), id=poll_id)


def open_polls(body: Assembly) -> list[TimePoll]:
    return list(body.time_polls.select_related("meeting").order_by("-created_at", "-id")[:10])


@dataclass(frozen=True)
class SlotResult:
    slot: TimeSlot
    yes: int
    if_need_be: int
    no: int
    rank: int

    @property
    def can_come(self) -> int:
        return self.yes + self.if_need_be


def ranked_slots(poll: TimePoll) -> list[SlotResult]:
    """The poll's times, best first: most people who can come (yes or if need be), then most
    plain yeses, then fewest noes, then the earliest. Equal counts share a rank."""
    slots = list(
        poll.slots.annotate(
            yes=Count("answers", filter=Q(answers__answer=SlotAnswer.YES)),
            if_need_be=Count("answers", filter=Q(answers__answer=SlotAnswer.IF_NEED_BE)),
            no=Count("answers", filter=Q(answers__answer=SlotAnswer.NO)),
        )
    )
    slots.sort(key=lambda s: (-(s.yes + s.if_need_be), -s.yes, s.no, s.starts_at))
    results: list[SlotResult] = []
    previous: tuple[int, int, int] | None = None
    rank = 0
    for index, slot in enumerate(slots, start=1):
        key = (slot.yes + slot.if_need_be, slot.yes, slot.no)
        if key != previous:
            rank, previous = index, key
        results.append(SlotResult(slot, slot.yes, slot.if_need_be, slot.no, rank))
    return results


def answers_of(poll: TimePoll, person: Person | None) -> dict[int, str]:
    if person is None:
        return {}
    return dict(
        SlotVote.objects.filter(slot__poll=poll, person=person).values_list("slot_id", "answer")
    )


def answered_count(poll: TimePoll) -> int:
    return SlotVote.objects.filter(slot__poll=poll).values("person_id").distinct().count()


def feed_link_of(user: User) -> MeetingFeedToken | None:
    return MeetingFeedToken.objects.filter(user=user).first()


TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{40,64}")


def feed_owner(token: str, *, now: datetime | None = None) -> User:
    """The account whose meeting calendar link carries ``token``.

    Raises:
        Http404: not a token, a stopped one, or the account may no longer see assemblies."""
    from vecinos.assembly.services import feed_token_hashes

    if not TOKEN_PATTERN.fullmatch(token):
        raise Http404
    link = (
        MeetingFeedToken.objects.select_related("user")
        .filter(token_hash__in=feed_token_hashes(token))
        .first()
    )
    if link is None or not can(link.user, Capability.VIEW_ASSEMBLIES):
        raise Http404
    MeetingFeedToken.objects.filter(id=link.id).update(last_used_at=now or timezone.now())
    return link.user


def feed_meetings(user: User, *, now: datetime | None = None) -> list[Meeting]:
    """Meetings for ``user``'s calendar: those of the bodies their person belongs to, from a
    month ago to a year ahead."""
    now = timezone.now() if now is None else now
    return list(
        Meeting.objects.filter(
            assembly_id__in=my_bodies(user),
            starts_at__gte=now - timedelta(days=31),
            starts_at__lte=now + timedelta(days=366),
        )
        .select_related("assembly")
        .prefetch_related("agenda_items")
        .order_by("starts_at", "id")
    )
