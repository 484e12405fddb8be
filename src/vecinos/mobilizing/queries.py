"""Reads of mobilizations: the coming ones, who is coming, counts, and no-shows.

Lists here show names only, never contact details (opening a person stays an audited read on
the person's page).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404

from vecinos.core.permissions import Capability, check
from vecinos.mobilizing.choices import RsvpStatus
from vecinos.mobilizing.models import Mobilization, Rsvp
from vecinos.organizing.models import Circle, CircleMembership, Person

if TYPE_CHECKING:
    from vecinos.core.models import User

# The list keeps mobilizations this long after they started: check-in and no-shows are counted
# the same day.
RECENT = timedelta(days=2)


@dataclass(frozen=True)
class Counts:
    going: int
    waitlisted: int
    not_going: int
    checked_in: int
    checked_in_going: int
    capacity: int | None
    started: bool

    @property
    def seats_left(self) -> int | None:
        return None if self.capacity is None else max(0, self.capacity - self.going)

    @property
    def no_shows(self) -> int | None:
        """Going but not checked in, once started; None before, and when nobody was checked in
        at all (then check-in was not done, and nobody can be called a no-show)."""
        if not self.started or not self.checked_in:
            return None
        return self.going - self.checked_in_going


def access_mobilization(user: User, mobilization_id: int, *, manage: bool = False) -> Mobilization:
    """The mobilization, for someone who may see it (``manage``: and who is coming).

    Raises:
        PermissionDenied: the user lacks the capability.
        Http404: no such mobilization.
    """
    check(user, Capability.MANAGE_MOBILIZATIONS if manage else Capability.JOIN_MOBILIZATIONS)
    return get_object_or_404(Mobilization, id=mobilization_id)


def access_rsvp(user: User, mobilization: Mobilization, rsvp_id: int) -> Rsvp:
    """One RSVP of this mobilization, for an organizer.

    Raises:
        PermissionDenied: the user may not manage mobilizations.
        Http404: no such RSVP for this mobilization.
    """
    check(user, Capability.MANAGE_MOBILIZATIONS)
    return get_object_or_404(
        Rsvp.objects.select_related("person"), id=rsvp_id, mobilization=mobilization
    )


def coming(user: User, now: datetime) -> QuerySet[Mobilization]:
    """Mobilizations still ahead or started in the last two days, soonest first, with their
    counts annotated (``going``, ``waitlisted``).

    Raises:
        PermissionDenied: the user may not see mobilizations.
    """
    check(user, Capability.JOIN_MOBILIZATIONS)
    return Mobilization.objects.filter(starts_at__gt=now - RECENT).annotate(
        going=Count("rsvps", filter=Q(rsvps__status=RsvpStatus.GOING)),
        waitlisted=Count("rsvps", filter=Q(rsvps__status=RsvpStatus.WAITLISTED)),
    )


def counts_of(mobilization: Mobilization, now: datetime) -> Counts:
    rows = Rsvp.objects.filter(mobilization=mobilization).aggregate(
        going=Count("id", filter=Q(status=RsvpStatus.GOING)),
        waitlisted=Count("id", filter=Q(status=RsvpStatus.WAITLISTED)),
        not_going=Count("id", filter=Q(status=RsvpStatus.NOT_GOING)),
        checked_in=Count("id", filter=Q(checked_in_at__isnull=False)),
        checked_in_going=Count(
            "id", filter=Q(checked_in_at__isnull=False, status=RsvpStatus.GOING)
        ),
    )
    return Counts(
        going=rows["going"],
        waitlisted=rows["waitlisted"],
        not_going=rows["not_going"],
        checked_in=rows["checked_in"],
        checked_in_going=rows["checked_in_going"],
        capacity=mobilization.capacity,
        started=mobilization.has_started(now),
    )


@dataclass(frozen=True)
class RosterRow:
    rsvp: Rsvp
    position: int | None  # on the waitlist, 1 first
    missed_before: int  # earlier mobilizations they said YES to and did not come to


def roster(user: User, mobilization: Mobilization, now: datetime) -> dict[str, list[RosterRow]]:
    """Who answered, by status: going (in answer order), the waitlist (in line order), and
    those not going; each with how many earlier mobilizations they missed.

    Raises:
        PermissionDenied: the user may not manage mobilizations.
    """
    check(user, Capability.MANAGE_MOBILIZATIONS)
    rsvps = list(
        Rsvp.objects.filter(mobilization=mobilization)
        .select_related("person")
        .order_by("answered_at", "id")
    )
    missed = no_shows_of([r.person_id for r in rsvps], before=mobilization.starts_at)
    waiting = sorted(
        (r for r in rsvps if r.status == RsvpStatus.WAITLISTED),
        key=lambda r: (r.waitlisted_at, r.id),
    )
    positions = {r.id: n for n, r in enumerate(waiting, start=1)}
    rows: dict[str, list[RosterRow]] = {status: [] for status in RsvpStatus.values}
    for rsvp in sorted(rsvps, key=lambda r: (positions.get(r.id, 0), r.answered_at, r.id)):
        rows[rsvp.status].append(
            RosterRow(rsvp, positions.get(rsvp.id), missed.get(rsvp.person_id, 0))
        )
    return rows


def no_shows_of(person_ids: list[int], *, before: datetime) -> Counter[int]:
    """For each person, how many mobilizations that started before ``before`` they were going to
    and were not checked in at, counting only mobilizations where check-in was done (someone was
    checked in)."""
    if not person_ids:
        return Counter()
    checked = Rsvp.objects.filter(
        mobilization=OuterRef("mobilization"), checked_in_at__isnull=False
    )
    rows = (
        Rsvp.objects.filter(
            person_id__in=person_ids,
            status=RsvpStatus.GOING,
            checked_in_at__isnull=True,
            mobilization__starts_at__lt=before,
        )
        .filter(Exists(checked))
        .values_list("person_id", flat=True)
    )
    return Counter(rows)


def person_to_answer_for(user: User, person_id: int) -> Person | None:
    """The person an organizer records an answer for (their name only is shown), or None.

    Raises:
        PermissionDenied: the user may not manage mobilizations.
    """
    check(user, Capability.MANAGE_MOBILIZATIONS)
    return Person.objects.filter(id=person_id).first()


def find_people(user: User, name: str, mobilization: Mobilization, limit: int = 20) -> list[Person]:
    """People whose name contains ``name``, who have not answered this mobilization yet.

    Raises:
        PermissionDenied: the user may not manage mobilizations.
    """
    check(user, Capability.MANAGE_MOBILIZATIONS)
    answered = Rsvp.objects.filter(mobilization=mobilization, person=OuterRef("pk"))
    found = Person.objects.filter(full_name__icontains=name).exclude(Exists(answered))
    return list(found.order_by("full_name", "id")[:limit])


@dataclass(frozen=True)
class CircleProgress:
    """One circle's members for one mobilization: how many were asked, and who was not yet."""

    circle: Circle
    members: int
    asked: int
    not_asked: list[Person]


@dataclass(frozen=True)
class Recruiting:
    circles: list[CircleProgress]
    people: list[Person]  # not asked yet, each once even when in several of the circles
    circle_of: dict[int, int]  # person id: the first picked circle they are in
    opted_out: set[int]  # of ``people``: texted STOP, or said no to their channel; get nothing
    unreachable: set[int]  # of ``people``: no phone or e-mail

    @property
    def invitable(self) -> list[Person]:
        skipped = self.opted_out | self.unreachable
        return [person for person in self.people if person.id not in skipped]


def recruiting(user: User, mobilization: Mobilization, circles: list[Circle]) -> Recruiting:
    """For each picked circle, who has not been asked to this mobilization yet (neither invited
    nor answered), and which of them would get nothing because they opted out. Names only.

    Raises:
        PermissionDenied: the user may not manage mobilizations.
    """
    from vecinos.messaging.services import consent_refused_among, opted_out_among
    from vecinos.mobilizing.models import Invitation
    from vecinos.mobilizing.services import reach

    check(user, Capability.MANAGE_MOBILIZATIONS)
    asked = set(
        Invitation.objects.filter(mobilization=mobilization).values_list("person_id", flat=True)
    ) | set(Rsvp.objects.filter(mobilization=mobilization).values_list("person_id", flat=True))
    memberships = (
        CircleMembership.objects.filter(circle__in=circles)
        .select_related("person")
        .order_by("person__full_name", "person_id")
    )
    by_circle: dict[int, list[Person]] = {circle.id: [] for circle in circles}
    for membership in memberships:
        by_circle[membership.circle_id].append(membership.person)
    progress, people, circle_of = [], [], {}
    for circle in circles:
        members = by_circle[circle.id]
        waiting = [p for p in members if p.id not in asked]
        progress.append(CircleProgress(circle, len(members), len(members) - len(waiting), waiting))
        for person in waiting:
            if person.id not in circle_of:
                circle_of[person.id] = circle.id
                people.append(person)
    reachable = {p.id: found for p in people if (found := reach(p)) is not None}
    stopped = opted_out_among([a for channel, a in reachable.values() if channel != "email"])
    refused = consent_refused_among([(pid, channel) for pid, (channel, _a) in reachable.items()])
    opted_out = {
        pid
        for pid, (channel, address) in reachable.items()
        if (channel != "email" and address in stopped) or (pid, channel) in refused
    }
    unreachable = {person.id for person in people if person.id not in reachable}
    return Recruiting(progress, people, circle_of, opted_out, unreachable)


def own_rsvp(person: Person | None, mobilization: Mobilization) -> Rsvp | None:
    if person is None:
        return None
    return Rsvp.objects.filter(mobilization=mobilization, person=person).first()


def own_rsvps(person: Person | None, mobilization_ids: list[int]) -> dict[int, Rsvp]:
    if person is None:
        return {}
    rows = Rsvp.objects.filter(person=person, mobilization_id__in=mobilization_ids)
    return {rsvp.mobilization_id: rsvp for rsvp in rows}
