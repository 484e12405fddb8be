"""The hotline's workflows: reports in, grouped into incidents, claimed, moved, closed, forgotten.

Every ``do_*`` runs in one transaction with its audit entry; the console hears of each change
through :mod:`vecinos.hotline.events` after commit.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from vecinos.core import audit
from vecinos.core.crypto import keyed_hash, keyed_hashes
from vecinos.core.fields import hash_input
from vecinos.core.models import User
from vecinos.core.permissions import Capability, check
from vecinos.hotline import content, events
from vecinos.hotline.choices import (
    Agency,
    ContentKind,
    IncidentStatus,
    ReportChannel,
    ReportStatus,
    Warrant,
)
from vecinos.hotline.language import guess_language
from vecinos.hotline.models import (
    BlockedNumber,
    ContentVersion,
    Incident,
    IncidentStep,
    Report,
    ReportText,
)
from vecinos.messaging import services as messaging
from vecinos.messaging.choices import Channel, Priority
from vecinos.messaging.models import InboundMessage
from vecinos.places import geo

logger = logging.getLogger(__name__)

TEXT_HANDLER = "hotline.report"
KYR_REPLY = "hotline.kyr_reply"
# Which steps may follow which. Resolution can follow any step: an incident may end before a
# responder gets there (the agents left).
NEXT_STEPS: dict[str, frozenset[str]] = {
    IncidentStatus.REPORTED: frozenset(
        {IncidentStatus.RESPONDERS_ALERTED, IncidentStatus.UNFOUNDED, IncidentStatus.UNVERIFIED}
    ),
    IncidentStatus.RESPONDERS_ALERTED: frozenset(
        {
            IncidentStatus.ON_SCENE,
            IncidentStatus.CONFIRMED,
            IncidentStatus.UNFOUNDED,
            IncidentStatus.UNVERIFIED,
        }
    ),
    IncidentStatus.ON_SCENE: frozenset(
        {IncidentStatus.CONFIRMED, IncidentStatus.UNFOUNDED, IncidentStatus.UNVERIFIED}
    ),
    IncidentStatus.CONFIRMED: frozenset(),
    IncidentStatus.UNFOUNDED: frozenset(),
    IncidentStatus.UNVERIFIED: frozenset({IncidentStatus.CONFIRMED}),
    IncidentStatus.RESOLVED: frozenset(),
}


class StepNotAllowedError(ValueError):
    """An incident cannot move from its current step to the one asked for."""


def phone_hashes(e164: str) -> list[str]:
    """The keyed hashes a number may be stored under (the current key's first)."""
    return keyed_hashes(hash_input(e164, "phone"), "phone")


def is_blocked(e164: str) -> bool:
    return bool(e164) and BlockedNumber.objects.filter(number_hash__in=phone_hashes(e164)).exists()


# --- Reports -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportDetails:
    """What a dispatcher or a partner writes down about an event (the intake script's answers)."""

    what_seen: str = ""
    place: str = ""
    cell: str = ""
    agency: str = Agency.UNKNOWN
    agents: str = ""
    warrant: str = Warrant.UNKNOWN
    people_detained: int | None = None


def cell_for_point(lat: float, lng: float) -> str:
    """The H3 cell of a map pin at the network's resolution."""
    return geo.cell_for_point(lat, lng)


def do_file_report(
    user: User,
    details: ReportDetails,
    *,
    language: str,
    caller: str = "",
    channel: str = ReportChannel.WEB,
    is_drill: bool = False,
) -> Report:
    """A report filed by a logged-in partner or dispatcher (the web form, or a call they took).

    ``caller`` is an E.164 number to call back, or empty."""
    with transaction.atomic():
        report = Report.objects.create(
            channel=channel,
            language=language,
            caller=caller,
            filed_by=user,
            is_drill=is_drill,
            **_detail_fields(details),
        )
        propose_incident(report)
        audit.record(user, audit.REPORT_FILED, report, channel=channel)
        events.publish(events.REPORT_NEW, report_id=report.id)
    return report


def do_update_report(user: User, report: Report, details: ReportDetails) -> Report:
    """The dispatcher fills in the script's answers as the caller talks."""
    with transaction.atomic():
        fields = _detail_fields(details)
        changed = [name for name, value in fields.items() if getattr(report, name) != value]
        for name, value in fields.items():
            setattr(report, name, value)
        report.save(update_fields=list(fields))
        if "cell" in changed and report.incident_id is None:
            propose_incident(report)
        audit.record(user, audit.REPORT_CHANGED, report, fields=changed)
        events.publish(events.REPORT_CHANGED, report_id=report.id)
    return report


def _detail_fields(details: ReportDetails) -> dict[str, object]:
    return {
        "what_seen": details.what_seen.strip()[:5000],
        "place": details.place.strip()[:300],
        "cell": details.cell,
        "agency": details.agency,
        "agents": details.agents.strip()[:500],
        "warrant": details.warrant,
        "people_detained": details.people_detained,
    }


def do_claim_report(user: User, report_id: int) -> bool:
    """Take a report to call the person back; False when someone else holds it. Conditional, so
    two dispatchers clicking at once cannot both call the same person."""
    with transaction.atomic():
        now = timezone.now()
        claimed = Report.objects.filter(
            Q(claimed_by__isnull=True) | Q(claimed_by=user), id=report_id
        ).update(claimed_by=user, claimed_at=now)
        if claimed:
            report = Report.objects.get(id=report_id)
            audit.record(user, audit.REPORT_CLAIMED, report)
            events.publish(events.REPORT_CHANGED, report_id=report_id)
    return bool(claimed)


def do_release_report(user: User, report_id: int) -> bool:
    """Give a claimed report back (only its holder can)."""
    with transaction.atomic():
        released = Report.objects.filter(id=report_id, claimed_by=user).update(
            claimed_by=None, claimed_at=None
        )
        if released:
            events.publish(events.REPORT_CHANGED, report_id=report_id)
    return bool(released)


def do_close_report(user: User | None, report: Report, now: datetime | None = None) -> bool:
    """Close a report; its caller's number is erased ``VECINOS_CALLER_RETENTION_HOURS`` later."""
    now = now or timezone.now()
    with transaction.atomic():
        closed = Report.objects.filter(id=report.id, status=ReportStatus.OPEN).update(
            status=ReportStatus.CLOSED, closed_at=now
        )
        if closed:
            audit.record(user, audit.REPORT_CLOSED, report)
            events.publish(events.REPORT_CHANGED, report_id=report.id)
    return bool(closed)


def do_block_number(user: User, report: Report, reason: str = "") -> bool:
    """Stop a number's texts and calls from opening reports. Only its keyed hash is kept."""
    if not report.caller:
        return False
    with transaction.atomic():
        _blocked, created = BlockedNumber.objects.get_or_create(
            number_hash=keyed_hash(hash_input(report.caller, "phone"), "phone"),
            defaults={"blocked_by": user, "reason": reason[:200]},
        )
        if created:
            audit.record(user, audit.NUMBER_BLOCKED, report)
    return created


# --- Texts to the hotline ------------------------------------------------------------------


def take_text(inbound: InboundMessage) -> bool:
    """The messaging handler for texts nobody else expected: open a report, or add the text to
    the sender's open report. Idempotent (a re-run after a crash finds the text already linked).

    A blocked number's text, or one past the hourly limit, is taken and kept but opens nothing.
    """
    if ReportText.objects.filter(inbound=inbound).exists():
        return True
    if is_blocked(inbound.sender):
        logger.info("text %s from a blocked number opens no report", inbound.id)
        return True
    hashes = phone_hashes(inbound.sender)
    hour_ago = inbound.received_at - timedelta(hours=1)
    recent = ReportText.objects.filter(
        report__caller_hash__in=hashes, inbound__received_at__gte=hour_ago
    ).count()
    if recent >= settings.VECINOS_INTAKE_TEXTS_PER_HOUR:
        logger.info("text %s is over the hourly limit for its number", inbound.id)
        return True
    report = (
        Report.objects.select_for_update()
        .filter(caller_hash__in=hashes, status=ReportStatus.OPEN)
        .order_by("-received_at")
        .first()
    )
    if report is not None:
        ReportText.objects.create(report=report, inbound=inbound)
        events.publish(events.REPORT_CHANGED, report_id=report.id)
        return True
    person = inbound.person
    language = person.preferred_language if person is not None else guess_language(inbound.body)
    report = Report.objects.create(
        received_at=inbound.received_at,
        channel=ReportChannel.TEXT,
        language=language,
        what_seen=inbound.body[:5000],
        caller=inbound.sender,
    )
    ReportText.objects.create(report=report, inbound=inbound)
    kyr = content.current(ContentKind.TEXT_REPLY, language)
    messaging.queue_message(
        channel=Channel.SIGNAL if inbound.gateway == "signal" else Channel.SMS,
        address=inbound.sender,
        body=kyr.body,
        kind=KYR_REPLY,
        person=person,
        language=language,
        priority=Priority.REPLY,
    )
    events.publish(events.REPORT_NEW, report_id=report.id)
    return True


# --- Incidents -----------------------------------------------------------------------------


def propose_incident(report: Report) -> Incident | None:
    """Propose the open incident this report seems to describe: the same or an adjacent cell,
    and its latest report within ``VECINOS_GROUPING_MINUTES``. A dispatcher accepts or splits;
    nothing is merged without a person looking."""
    if not report.cell or report.incident_id is not None:
        return None
    since = report.received_at - timedelta(minutes=settings.VECINOS_GROUPING_MINUTES)
    candidates = (
        Incident.objects.filter(
            closed_at__isnull=True, is_drill=report.is_drill, last_report_at__gte=since
        )
        .exclude(cell="")
        .order_by("-last_report_at")
    )
    proposal = next((i for i in candidates if geo.neighbors_or_same(i.cell, report.cell)), None)
    if proposal is not None and report.proposed_incident_id != proposal.id:
        report.proposed_incident = proposal
        report.save(update_fields=["proposed_incident"])
    return proposal


def do_open_incident(user: User, report: Report, *, now: datetime | None = None) -> Incident:
    """Make ``report`` the first of a new incident (also: split it from a proposed one)."""
    now = now or timezone.now()
    with transaction.atomic():
        report = Report.objects.select_for_update().get(id=report.id)
        if report.incident is not None:
            return report.incident
        incident = Incident.objects.create(
            cell=report.cell,
            place=report.place,
            summary=report.what_seen.strip().split("\n")[0][:300],
            language=report.language,
            is_drill=report.is_drill,
            opened_at=now,
            last_report_at=report.received_at,
            opened_by=user,
        )
        IncidentStep.objects.create(
            incident=incident, status=IncidentStatus.REPORTED, actor=user, at=incident.opened_at
        )
        report.incident = incident
        report.proposed_incident = None
        report.save(update_fields=["incident", "proposed_incident"])
        audit.record(user, audit.INCIDENT_OPENED, incident, report_id=report.id)
        events.publish(events.REPORT_CHANGED, report_id=report.id)
        events.publish(events.INCIDENT_CHANGED, incident_id=incident.id)
    return incident


class DrillNotOnMapError(ValueError):
    """A drill needs a cell: it exists to practise alerting the responders near a place."""


def do_start_drill(
    user: User, details: ReportDetails, *, language: str, now: datetime | None = None
) -> Incident:
    """A dispatcher starts a practice run: a drill report, as if someone had told the hotline,
    and its incident, opened at once. Nothing is sent here, and no one is replied to: a drill has
    no caller. Every text it causes later says DRILL in its reader's language
    (``responders.texts``), and the broad list refuses it (``responders.broad.refusal``).

    Raises:
        PermissionDenied: the user may not use the console.
        DrillNotOnMapError: ``details.cell`` is empty.
    """
    check(user, Capability.USE_CONSOLE)
    if not details.cell:
        raise DrillNotOnMapError("a drill needs a place on the map")
    now = now or timezone.now()
    with transaction.atomic():
        report = do_file_report(user, details, language=language, is_drill=True)
        incident = do_open_incident(user, report, now=now)
        audit.record(user, audit.DRILL_STARTED, incident, report_id=report.id)
    return incident


def do_add_to_incident(user: User, report: Report, incident: Incident) -> bool:
    """Accept a proposal, or merge a report into any open incident by hand."""
    with transaction.atomic():
        added = Report.objects.filter(id=report.id, incident__isnull=True).update(
            incident=incident, proposed_incident=None
        )
        if not added:
            return False
        Incident.objects.filter(id=incident.id, last_report_at__lt=report.received_at).update(
            last_report_at=report.received_at
        )
        audit.record(user, audit.REPORT_GROUPED, report, incident_id=incident.id)
        events.publish(events.REPORT_CHANGED, report_id=report.id)
        events.publish(events.INCIDENT_CHANGED, incident_id=incident.id)
    return True


def do_move_incident(
    user: User | None,
    incident: Incident,
    status: str,
    *,
    note: str = "",
    actor_label: str = "",
    now: datetime | None = None,
) -> IncidentStep:
    """Move an incident along its verification path and record the step on its timeline.

    Resolving closes the incident and its reports (which starts their callers' retention clock).

    Raises:
        StepNotAllowedError: ``status`` cannot follow the incident's current step (someone
            else moved it first, or the step is not on the path).
    """
    now = now or timezone.now()
    with transaction.atomic():
        current = Incident.objects.select_for_update().get(id=incident.id)
        if current.closed_at is not None:
            raise StepNotAllowedError("the incident is closed")
        allowed = NEXT_STEPS.get(current.status, frozenset()) | {IncidentStatus.RESOLVED}
        if status not in allowed:
            raise StepNotAllowedError(f"{current.status} cannot become {status}")
        current.status = status
        fields = ["status"]
        if status == IncidentStatus.RESOLVED:
            current.closed_at = now
            fields.append("closed_at")
        current.save(update_fields=fields)
        step = IncidentStep.objects.create(
            incident=current,
            status=status,
            at=now,
            actor=user,
            actor_label=actor_label[:150],
            note=note[:500],
        )
        if status == IncidentStatus.RESOLVED:
            Report.objects.filter(incident=current, status=ReportStatus.OPEN).update(
                status=ReportStatus.CLOSED, closed_at=now
            )
        audit.record(user, audit.INCIDENT_MOVED, current, status=status)
        events.publish(events.INCIDENT_CHANGED, incident_id=current.id)
        incident.status, incident.closed_at = current.status, current.closed_at
    return step


# --- Content -------------------------------------------------------------------------------


def do_save_content(
    user: User, kind: str, language: str, body: str, sources: str, legal_review: str
) -> ContentVersion:
    """Save a new version of a hotline text; the old ones stay readable."""
    with transaction.atomic():
        latest = (
            ContentVersion.objects.select_for_update()
            .filter(kind=kind, language=language)
            .order_by("-version")
            .first()
        )
        version = ContentVersion.objects.create(
            kind=kind,
            language=language,
            version=(latest.version + 1) if latest else 1,
            body=body.strip(),
            sources=sources.strip(),
            legal_review=legal_review.strip()[:300],
            saved_by=user,
        )
        audit.record(user, audit.CONTENT_SAVED, version, kind=kind, language=language)
    return version


# --- Retention -----------------------------------------------------------------------------


def purge_expired_callers(now: datetime | None = None) -> int:
    """Erase callers' numbers from reports closed more than ``VECINOS_CALLER_RETENTION_HOURS``
    ago, and from the texts that made them. Returns how many reports were purged. Safe to run
    in several workers at once: both UPDATEs are idempotent."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.VECINOS_CALLER_RETENTION_HOURS)
    with transaction.atomic():
        ids = list(
            Report.objects.filter(
                status=ReportStatus.CLOSED, caller_purged_at__isnull=True, closed_at__lt=cutoff
            ).values_list("id", flat=True)[:1000]
        )
        if not ids:
            return 0
        InboundMessage.objects.filter(report_text__report_id__in=ids).update(
            sender="", sender_hash=""
        )
        Report.objects.filter(id__in=ids).update(caller="", caller_hash="", caller_purged_at=now)
    return len(ids)
