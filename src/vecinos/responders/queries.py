"""Reads about responders. The roster is for coordinators only; a dispatcher sees the responders
alerted for the incidents they handle, and never a responder's number."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from vecinos.core import audit
from vecinos.core.permissions import Capability, can, check
from vecinos.hotline.choices import IncidentStatus
from vecinos.hotline.models import Incident, IncidentStep, Report
from vecinos.messaging.models import OptOut
from vecinos.organizing.models import Person
from vecinos.responders import geo
from vecinos.responders.choices import GOING
from vecinos.responders.models import (
    Alert,
    Alerted,
    Responder,
    ResponderQuerySet,
    Verification,
)

if TYPE_CHECKING:
    from vecinos.core.models import User


# --- Matching ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A responder chosen for an alert: ids and languages only (alerting reads the numbers of
    those it texts)."""

    responder_id: int
    person_id: int
    languages: tuple[str, ...]


def match_responders(
    incident_cell: str,
    language: str,
    ring: int,
    *,
    at: datetime | None = None,
    exclude_incident_id: int | None = None,
) -> list[Candidate]:
    """Responders to alert in ring ``ring`` around ``incident_cell``: eligible, available at
    ``at``, with a phone that did not text STOP, and not yet alerted for
    ``exclude_incident_id``; those who speak ``language`` first, then the longest-standing.
    Not a page: no permission, no audit.

    One query on ``responder_dispatch_idx`` (``cell IN`` the ring's cells), reading plain values
    rather than building models: a ring of a large city can hold hundreds.

    Raises:
        ValueError: ``incident_cell`` is not a cell at the network's resolution.
    """
    at = at or timezone.now()
    found = dispatchable(at).filter(cell__in=geo.ring(incident_cell, ring))
    if exclude_incident_id is not None:
        found = found.exclude(alerts__incident_id=exclude_incident_id)
    chosen = [
        Candidate(responder_id, person_id, tuple(languages or ()))
        for responder_id, person_id, languages in found.order_by().values_list(
            "id", "person_id", "person__languages"
        )
    ]
    chosen.sort(key=lambda c: (language not in c.languages, c.responder_id))
    return chosen


def dispatchable(at: datetime) -> ResponderQuerySet:
    """Responders an alert could reach at ``at``: eligible, available, with a phone that did not
    text STOP. The one definition matching and the incident map's counts share."""
    stopped = OptOut.objects.filter(address_hash=OuterRef("person__phone_hash"))
    return (
        Responder.objects.eligible(at)
        .available(at)
        .exclude(person__phone_hash="")
        # A responder who texted STOP gets nothing; alerting them would only count them in.
        .filter(~Exists(stopped))
    )


def available_by_cell(cells: list[str], at: datetime) -> dict[str, int]:
    """How many responders an alert could reach in each of ``cells`` at ``at`` (cells with none
    are left out). Counts only: no one's name or exact place. Not a page: no permission, no audit.
    """
    rows = (
        dispatchable(at)
        .filter(cell__in=cells)
        .order_by()
        .values("cell")
        .annotate(count=Count("id"))
        .values_list("cell", "count")
    )
    return dict(rows)


# --- The roster (coordinators) -----------------------------------------------------------------


def responders_for(user: User, *, name: str = "") -> QuerySet[Responder]:
    """Every responder (names, areas, availability; no numbers); the listing is recorded.

    Raises:
        PermissionDenied: the user may not manage responders (dispatchers may not: the roster
            must not be exportable by an infiltrator with a dispatcher login).
    """
    check(user, Capability.MANAGE_RESPONDERS)
    audit.record(user, audit.RESPONDERS_LISTED)
    found = Responder.objects.select_related("person")
    if name:
        found = found.filter(person__full_name__icontains=name)
    return found


def access_responder(user: User, responder_id: int) -> Responder:
    """One responder, for a coordinator; records the read.

    Raises:
        PermissionDenied: the user may not manage responders (nothing is recorded).
        Http404: no such responder.
    """
    check(user, Capability.MANAGE_RESPONDERS)
    responder = Responder.objects.select_related("person").filter(id=responder_id).first()
    if responder is None:
        raise Http404
    audit.record(user, audit.RESPONDER_VIEWED, responder)
    return responder


def people_to_add(user: User, name: str) -> QuerySet[Person]:
    """People with a phone who are not responders yet, by name (at most 20).

    Raises:
        PermissionDenied: the user may not manage responders.
    """
    check(user, Capability.MANAGE_RESPONDERS)
    if not name.strip():
        return Person.objects.none()
    return (
        Person.objects.filter(full_name__icontains=name.strip(), responder__isnull=True)
        .exclude(phone_hash="")
        .only("id", "full_name", "languages")[:20]
    )


# --- An incident's panel (dispatchers) -------------------------------------------------------


def access_incident(user: User, incident_id: int) -> Incident:
    """The incident, for someone who may alert responders.

    Raises:
        PermissionDenied: the user may not alert responders.
        Http404: no such incident.
    """
    check(user, Capability.ALERT_RESPONDERS)
    incident = Incident.objects.filter(id=incident_id).first()
    if incident is None:
        raise Http404
    return incident


def handles(user: User, incident: Incident) -> bool:
    """Whether ``user`` may see the names of the responders alerted for ``incident``: a
    coordinator, or a dispatcher who opened it, claimed one of its reports, alerted its
    responders or approved it. Any other dispatcher sees only counts and answers, so no
    dispatcher login can collect the roster incident by incident."""
    if can(user, Capability.MANAGE_RESPONDERS):
        return True
    if not can(user, Capability.ALERT_RESPONDERS):
        return False
    if incident.opened_by_id == user.id:
        return True
    if Alert.objects.filter(incident=incident, started_by=user).exists():
        return True
    if Report.objects.filter(incident=incident, claimed_by=user).exists():
        return True
    return (
        Verification.objects.filter(incident=incident, approved_by=user).exists()
        or Verification.objects.filter(incident=incident, second_approved_by=user).exists()
    )


@dataclass(frozen=True)
class AlertedRow:
    """One alerted responder as a dispatcher sees them: a name only for those who handle it."""

    label: str
    alerted: Alerted


def alerted_rows(user: User, incident: Incident) -> list[AlertedRow]:
    """The responders alerted for ``incident`` and their answers, nearest ring first.

    Raises:
        PermissionDenied: the user may not alert responders.
    """
    check(user, Capability.ALERT_RESPONDERS)
    rows = list(
        Alerted.objects.filter(incident=incident)
        .select_related("responder__person")
        .only(
            "id",
            "ring",
            "language",
            "alerted_at",
            "answer",
            "answered_at",
            "yes_at",
            "arrived_at",
            "confirmed_at",
            "confirmed_by_id",
            "false_at",
            "note",
            "covered_notice_at",
            "responder__id",
            "responder__person__full_name",
        )
    )
    named = handles(user, incident)
    return [
        AlertedRow(
            label=row.responder.person.full_name if named else f"#{number}",
            alerted=row,
        )
        for number, row in enumerate(rows, start=1)
    ]


# --- Times (drills, and afterwards) -----------------------------------------------------------


@dataclass(frozen=True)
class IncidentTimes:
    """How long each first took, counted from the incident's opening: what a drill is run to
    measure, and worth knowing after a real raid. None: it has not happened (yet)."""

    opened_at: datetime
    # The dispatcher alerted responders.
    alerted: timedelta | None
    # The first responder answered that they are going (YES, or went straight there).
    first_going: timedelta | None
    # The first responder on the scene (ARRIVED or a confirmation), or the "on scene" step.
    first_on_scene: timedelta | None
    # The K-th responder confirmation, or the "confirmed" step if that came first.
    confirmed: timedelta | None


def incident_times(incident: Incident) -> IncidentTimes:
    """The times that matter for ``incident``, from what is stored only (the alert, each
    responder's answers, the timeline), never the clock: asked again later, the answer is the
    same. A YES later taken back by a NO still counts as the first answer. Counts no one and
    names no one: no permission, no audit (pages and the API check theirs)."""
    alert_started, needed = (
        Incident.objects.filter(id=incident.id)
        .values_list("responder_alert__started_at", "verification__confirmations_needed")
        .get()
    )
    needed = needed or settings.VECINOS_CONFIRMATIONS_NEEDED
    firsts = Alerted.objects.filter(incident=incident).aggregate(
        yes=Min("yes_at"),
        texted_going=Min("answers__at", filter=Q(answers__answer__in=GOING)),
        arrived=Min("arrived_at"),
    )
    confirmations = list(
        Alerted.objects.filter(incident=incident, confirmed_at__isnull=False)
        .order_by("confirmed_at", "id")
        .values_list("confirmed_at", flat=True)
    )
    steps = dict(
        IncidentStep.objects.filter(
            incident=incident, status__in=[IncidentStatus.ON_SCENE, IncidentStatus.CONFIRMED]
        )
        .order_by()
        .values("status")
        .annotate(first=Min("at"))
        .values_list("status", "first")
    )
    first_confirmation = confirmations[0] if confirmations else None
    kth_confirmation = confirmations[needed - 1] if len(confirmations) >= needed else None

    def since_opening(*moments: datetime | None) -> timedelta | None:
        present = [moment for moment in moments if moment is not None]
        return min(present) - incident.opened_at if present else None

    return IncidentTimes(
        opened_at=incident.opened_at,
        alerted=since_opening(alert_started),
        first_going=since_opening(firsts["yes"], firsts["texted_going"]),
        first_on_scene=since_opening(
            steps.get(IncidentStatus.ON_SCENE), firsts["arrived"], first_confirmation
        ),
        confirmed=since_opening(kth_confirmation, steps.get(IncidentStatus.CONFIRMED)),
    )


def access_person_to_add(user: User, person_id: int) -> Person:
    """A person a coordinator is making a responder (name only is shown).

    Raises:
        PermissionDenied: the user may not manage responders.
        Http404: no such person.
    """
    check(user, Capability.MANAGE_RESPONDERS)
    person = Person.objects.filter(id=person_id).first()
    if person is None:
        raise Http404
    return person
