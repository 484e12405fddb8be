"""Reads about trainings and vouches. Who attended a session and who waits for vouches are
people's data: each read checks the capability and is recorded in the audit log."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from vecinos.core import audit
from vecinos.core.permissions import Capability, can, check
from vecinos.organizing.models import Person
from vecinos.responders.models import Responder, eligible_at
from vecinos.trainings.models import Certificate, TrainingSession, Vouch

if TYPE_CHECKING:
    from vecinos.core.models import User

# How far back the vouch chain page follows vouches (a chain longer than this is cut, and says so).
CHAIN_DEPTH = 12


def sessions_for(user: User) -> QuerySet[TrainingSession]:
    """Every session, newest first, with how many signed in.

    Raises:
        PermissionDenied: the user may not run trainings.
    """
    check(user, Capability.RUN_TRAININGS)
    return TrainingSession.objects.select_related("trainer").annotate(
        signed_in=Count("certificates")
    )


def access_session(user: User, session_id: int) -> TrainingSession:
    """One session, for someone who runs trainings; the read of its attendance is recorded.

    Raises:
        PermissionDenied: the user may not run trainings (nothing is recorded).
        Http404: no such session.
    """
    check(user, Capability.RUN_TRAININGS)
    session = TrainingSession.objects.select_related("trainer").filter(id=session_id).first()
    if session is None:
        raise Http404
    audit.record(user, audit.TRAINING_VIEWED, session)
    return session


def attendance(session: TrainingSession) -> QuerySet[Certificate]:
    """Who signed in to ``session`` (read after :func:`access_session`)."""
    return session.certificates.select_related("person", "recorded_by").order_by("issued_at")


def people_to_mark(user: User, session: TrainingSession, name: str) -> QuerySet[Person]:
    """People by name who have not signed in to ``session`` yet (at most 20).

    Raises:
        PermissionDenied: the user may not run trainings.
    """
    check(user, Capability.RUN_TRAININGS)
    if not name.strip():
        return Person.objects.none()
    return (
        Person.objects.filter(full_name__icontains=name.strip())
        .exclude(certificates__session=session)
        .only("id", "full_name")[:20]
    )


def access_person_to_mark(user: User, person_id: int) -> Person:
    """Raises:
    PermissionDenied: the user may not run trainings.
    Http404: no such person."""
    check(user, Capability.RUN_TRAININGS)
    person = Person.objects.filter(id=person_id).first()
    if person is None:
        raise Http404
    return person


# --- Vouches -----------------------------------------------------------------------------------


def sees_waiting_list(user: User) -> bool:
    """Coordinators and organizers see who waits for vouches; responders vouch by phone number
    only, so that a responder's login never lists people."""
    return can(user, Capability.VOUCH_FOR_RESPONDERS) and can(user, Capability.VIEW_PEOPLE)


def waiting_responders(user: User) -> QuerySet[Responder]:
    """Responders not eligible for dispatch (why is on each: Responder.not_eligible_because),
    with ``vouched_by_me``; the listing is recorded.

    Raises:
        PermissionDenied: the user may not see the waiting list.
    """
    if not sees_waiting_list(user):
        check(user, Capability.VIEW_PEOPLE)
        check(user, Capability.VOUCH_FOR_RESPONDERS)
    audit.record(user, audit.VOUCHES_LISTED)
    mine = Vouch.objects.filter(
        person_id=OuterRef("person_id"), voucher=user, withdrawn_at__isnull=True
    )
    return (
        Responder.objects.exclude(eligible_at(timezone.now()))
        .select_related("person")
        .annotate(vouched_by_me=Exists(mine))
        .order_by("person__full_name", "id")
    )


def access_responder_to_vouch(user: User, person_id: int) -> Person:
    """The person of a responder, for someone who sees the waiting list.

    Raises:
        PermissionDenied: the user may not see the waiting list.
        Http404: no such responder.
    """
    if not sees_waiting_list(user):
        check(user, Capability.VIEW_PEOPLE)
        check(user, Capability.VOUCH_FOR_RESPONDERS)
    person = Person.objects.filter(id=person_id, responder__isnull=False).first()
    if person is None:
        raise Http404
    return person


def my_vouches(user: User) -> QuerySet[Vouch]:
    """The vouches this user gives that stand (they may withdraw them).

    Raises:
        PermissionDenied: the user may not vouch.
    """
    check(user, Capability.VOUCH_FOR_RESPONDERS)
    return Vouch.objects.filter(voucher=user, withdrawn_at__isnull=True).select_related("person")


@dataclass
class Link:
    """One vouch in a chain, and the vouches for its voucher above it."""

    vouch: Vouch
    above: list[Link] = field(default_factory=list)
    # The voucher's own chain loops back to someone below (shown once, not followed again).
    loops: bool = False
    # The chain goes on beyond CHAIN_DEPTH.
    cut: bool = False

    @property
    def is_first(self) -> bool:
        """A voucher nobody vouched for: trusted by their role (coordinator, organizer)."""
        return not self.above and not self.loops and not self.cut


@dataclass
class Chain:
    person: Person
    links: list[Link]
    withdrawn: list[Vouch]
    vouched_for: list[Vouch]


def vouch_chain(user: User, person_id: int) -> Chain:
    """Who vouched for ``person_id``, who vouched for them, and so on back to the first (those
    trusted by their role), plus whom this person vouches for. The read is recorded.

    Raises:
        PermissionDenied: the user may not see vouch chains (coordinators only).
        Http404: no such person.
    """
    check(user, Capability.VIEW_VOUCH_CHAIN)
    person = Person.objects.filter(id=person_id).first()
    if person is None:
        raise Http404
    audit.record(user, audit.VOUCH_CHAIN_VIEWED, person)
    # Standing vouches, level by level (one query per level).
    by_person: dict[int, list[Vouch]] = {}
    wanted = {person.id}
    for _level in range(CHAIN_DEPTH + 1):
        wanted -= set(by_person)
        if not wanted:
            break
        for pid in wanted:
            by_person[pid] = []
        for vouch in (
            Vouch.objects.filter(person_id__in=wanted, withdrawn_at__isnull=True)
            .select_related("voucher", "voucher_person")
            .prefetch_related("voucher__role_assignments")
            .order_by("at", "id")
        ):
            by_person[vouch.person_id].append(vouch)
        wanted = {
            v.voucher_person_id
            for pid in wanted
            for v in by_person[pid]
            if v.voucher_person_id is not None
        }

    def links(pid: int, path: frozenset[int], depth: int) -> list[Link]:
        found = []
        for vouch in by_person.get(pid, []):
            link = Link(vouch)
            above = vouch.voucher_person_id
            if above is not None:
                if above in path:
                    link.loops = True
                elif depth >= CHAIN_DEPTH or above not in by_person:
                    link.cut = bool(Vouch.objects.filter(person_id=above).exists())
                else:
                    link.above = links(above, path | {above}, depth + 1)
            found.append(link)
        return found

    withdrawn = list(
        Vouch.objects.filter(person=person, withdrawn_at__isnull=False).select_related(
            "voucher", "withdrawn_by"
        )
    )
    vouched_for = list(
        Vouch.objects.filter(
            Q(voucher_person=person) | Q(voucher__person=person), withdrawn_at__isnull=True
        )
        .select_related("person")
        .distinct()
    )
    return Chain(person, links(person.id, frozenset({person.id}), 1), withdrawn, vouched_for)
