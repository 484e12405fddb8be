"""The console's actions as JSON (mounted under `/api/v1/` by :mod:`vecinos.api.urls`).

Endpoints parse, check the same capability as the console page, and call the same service. An
incident's read also gives its times, which the responders app keeps (its answers and alerts).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from vecinos.core.models import User
from vecinos.core.permissions import Capability, can, check
from vecinos.hotline import queries, services
from vecinos.hotline.choices import Agency, IncidentStatus, ReportStatus, Warrant
from vecinos.hotline.models import Incident, IncidentStep, Report
from vecinos.responders.queries import incident_times

router = Router(tags=["hotline"])


class ReportOut(Schema):
    id: int
    received_at: datetime
    channel: str
    language: str
    status: str
    what_seen: str
    place: str
    cell: str
    agency: str
    agents: str
    warrant: str
    people_detained: int | None
    incident_id: int | None
    proposed_incident_id: int | None
    claimed_by: str | None
    is_drill: bool

    @staticmethod
    def resolve_claimed_by(report: Report) -> str | None:
        return str(report.claimed_by) if report.claimed_by_id else None


class ReportIn(Schema):
    what_seen: str = Field(..., min_length=1, max_length=5000)
    place: str = Field("", max_length=300)
    lat: float | None = Field(None, ge=-90, le=90)
    lng: float | None = Field(None, ge=-180, le=180)
    agency: Agency = Agency.UNKNOWN
    agents: str = Field("", max_length=500)
    warrant: Warrant = Warrant.UNKNOWN
    people_detained: int | None = Field(None, ge=0, le=1000)
    language: str = Field("es", pattern="^(en|es|ko)$")
    is_drill: bool = False


class StepOut(Schema):
    status: str
    at: datetime
    by: str
    note: str

    @staticmethod
    def resolve_by(step: IncidentStep) -> str:
        return str(step.actor) if step.actor_id else step.actor_label


class IncidentOut(Schema):
    id: int
    status: str
    place: str
    cell: str
    summary: str
    language: str
    is_drill: bool
    opened_at: datetime
    last_report_at: datetime
    closed_at: datetime | None
    report_ids: list[int]
    steps: list[StepOut]

    @staticmethod
    def resolve_report_ids(incident: Incident) -> list[int]:
        return [report.id for report in incident.reports.all()]

    @staticmethod
    def resolve_steps(incident: Incident) -> list[IncidentStep]:
        return list(incident.steps.all())


class TimesOut(Schema):
    """Seconds from the incident's opening to each first; null: it has not happened (yet)."""

    responders_alerted: int | None
    first_responder_yes: int | None
    first_responder_on_scene: int | None
    confirmed: int | None


class IncidentDetailOut(IncidentOut):
    """One incident, with the times that matter (above all for drills)."""

    times: TimesOut

    @staticmethod
    def resolve_times(incident: Incident) -> dict[str, int | None]:
        times = incident_times(incident)
        return {
            "responders_alerted": _seconds(times.alerted),
            "first_responder_yes": _seconds(times.first_going),
            "first_responder_on_scene": _seconds(times.first_on_scene),
            "confirmed": _seconds(times.confirmed),
        }


def _seconds(value: timedelta | None) -> int | None:
    return None if value is None else round(value.total_seconds())


class Claimed(Schema):
    claimed: bool
    claimed_by: str | None


class GroupIn(Schema):
    incident_id: int | None = Field(
        None, description="An open incident to add the report to; null opens a new incident."
    )


class StepIn(Schema):
    status: IncidentStatus
    note: str = Field("", max_length=500)


class Problem(Schema):
    detail: str


class Caller(Schema):
    caller: str


def _user(request: HttpRequest) -> User:
    check(request.user, Capability.USE_CONSOLE)
    user: User = request.user  # type: ignore[assignment]
    return user


def _report(request: HttpRequest, report_id: int) -> Report:
    _user(request)
    return get_object_or_404(Report.objects.select_related("claimed_by"), id=report_id)


@router.get("/reports", response=list[ReportOut], summary="List reports")
def list_reports(
    request: HttpRequest, status: ReportStatus = ReportStatus.OPEN, unassigned: bool = False
) -> list[Report]:
    _user(request)
    reports = Report.objects.select_related("claimed_by").filter(status=status)
    if unassigned:
        reports = reports.filter(incident__isnull=True)
    return list(reports[:500])


class Filed(Schema):
    id: int


@router.post(
    "/reports",
    response={201: ReportOut, 202: Filed, 422: Problem},
    summary="File a report (201 with the report for dispatchers; 202 with its id for partners, "
    "who cannot read reports back)",
)
def file_report(request: HttpRequest, data: ReportIn) -> Status[object]:
    check(request.user, Capability.FILE_REPORTS)
    user: User = request.user  # type: ignore[assignment]
    if data.is_drill:
        check(user, Capability.USE_CONSOLE)  # drills are started by dispatchers
    try:
        placement = queries.locate(data.place, data.lat, data.lng)
    except queries.PlaceNotFoundError as exc:
        return Status(422, {"detail": str(exc)})
    report = services.do_file_report(
        user,
        services.ReportDetails(
            what_seen=data.what_seen,
            place=placement.label,
            cell=placement.cell,
            agency=data.agency,
            agents=data.agents,
            warrant=data.warrant,
            people_detained=data.people_detained,
        ),
        language=data.language,
        is_drill=data.is_drill,
    )
    if not can(user, Capability.USE_CONSOLE):
        return Status(202, {"id": report.id})
    return Status(201, report)


@router.get("/reports/{report_id}", response=ReportOut, summary="Read a report")
def read_report(request: HttpRequest, report_id: int) -> Report:
    return _report(request, report_id)


@router.get(
    "/reports/{report_id}/caller",
    response={200: Caller, 404: Problem},
    summary="The caller's number, to call back (recorded in the audit log)",
)
def read_caller(request: HttpRequest, report_id: int) -> Status[object]:
    user = _user(request)
    number = queries.access_caller(user, _report(request, report_id))
    if not number:
        return Status(404, {"detail": _("This report has no number, or it has been erased.")})
    return Status(200, {"caller": number})


@router.post(
    "/reports/{report_id}/claim",
    response={200: Claimed, 409: Claimed},
    summary="Claim a report, so that no one else calls the same person back",
)
def claim_report(request: HttpRequest, report_id: int) -> Status[object]:
    user = _user(request)
    _report(request, report_id)
    claimed = services.do_claim_report(user, report_id)
    report = _report(request, report_id)
    holder = str(report.claimed_by) if report.claimed_by_id else None
    return Status(200 if claimed else 409, {"claimed": claimed, "claimed_by": holder})


@router.post("/reports/{report_id}/release", response=Claimed, summary="Give a claim back")
def release_report(request: HttpRequest, report_id: int) -> dict[str, object]:
    user = _user(request)
    _report(request, report_id)
    services.do_release_report(user, report_id)
    report = _report(request, report_id)
    return {"claimed": False, "claimed_by": str(report.claimed_by) if report.claimed_by else None}


@router.post(
    "/reports/{report_id}/incident",
    response={200: IncidentOut, 409: Problem},
    summary="Merge a report into an incident, or open a new incident with it",
)
def group_report(request: HttpRequest, report_id: int, data: GroupIn) -> Status[object]:
    user = _user(request)
    report = _report(request, report_id)
    if data.incident_id is None:
        return Status(200, services.do_open_incident(user, report))
    incident = get_object_or_404(Incident, id=data.incident_id)
    if not incident.is_open or report.is_drill != incident.is_drill:
        return Status(409, {"detail": _("Reports join only open incidents of the same kind.")})
    if not services.do_add_to_incident(user, report, incident):
        return Status(409, {"detail": _("This report is already part of an incident.")})
    return Status(200, incident)


@router.post("/reports/{report_id}/close", response=ReportOut, summary="Close a report")
def close_report(request: HttpRequest, report_id: int) -> Report:
    user = _user(request)
    services.do_close_report(user, _report(request, report_id))
    return _report(request, report_id)


@router.get("/incidents", response=list[IncidentOut], summary="List incidents")
def list_incidents(request: HttpRequest, open: bool = True) -> list[Incident]:
    _user(request)
    incidents = Incident.objects.prefetch_related("reports", "steps__actor")
    incidents = incidents.filter(closed_at__isnull=open)
    return list(incidents[:200])


@router.get("/incidents/{incident_id}", response=IncidentDetailOut, summary="Read an incident")
def read_incident(request: HttpRequest, incident_id: int) -> Incident:
    _user(request)
    return get_object_or_404(
        Incident.objects.prefetch_related("reports", "steps__actor"), id=incident_id
    )


@router.post(
    "/incidents/{incident_id}/steps",
    response={200: IncidentDetailOut, 409: Problem},
    summary="Move an incident to its next step (confirmed, unfounded, resolved…)",
)
def move_incident(request: HttpRequest, incident_id: int, data: StepIn) -> Status[object]:
    user = _user(request)
    incident = get_object_or_404(Incident, id=incident_id)
    if data.status == IncidentStatus.CONFIRMED:
        # Confirmation has rules of its own (responders' confirmations, approvals).
        return Status(
            409, {"detail": _("An incident is confirmed by its responders' confirmations.")}
        )
    try:
        services.do_move_incident(user, incident, data.status, note=data.note)
    except services.StepNotAllowedError:
        return Status(409, {"detail": _("The incident cannot move to that step from where it is.")})
    return Status(200, read_incident(request, incident_id))
