"""The responders panel's actions as JSON (mounted under `/api/v1/` by :mod:`vecinos.api.v1`):
alert responders, record a confirmation, approve, preview and send the broad alert, the all-clear
and a correction. Each calls the same service as the panel, which checks the same capability."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from vecinos.core.models import User
from vecinos.core.permissions import Capability, check
from vecinos.hotline.models import Incident
from vecinos.responders import broad, services
from vecinos.responders.choices import BroadKind, CorrectionAudience
from vecinos.responders.models import Alerted
from vecinos.responders.queries import handles

router = Router(tags=["responders"])


class Problem(Schema):
    detail: str


class AlertedOut(Schema):
    id: int
    ring: int
    language: str
    alerted_at: datetime
    answer: str
    answered_at: datetime | None
    arrived_at: datetime | None
    confirmed_at: datetime | None
    note: str
    # Only for a person handling the incident (as on the panel); null for anyone else.
    name: str | None


class AlertOut(Schema):
    incident_id: int
    ring: int
    alerted: list[AlertedOut]


class Queued(Schema):
    queued: int


class TextOut(Schema):
    language: str
    body: str
    segments: int
    recipients: int


class PreviewOut(Schema):
    kind: str
    recipients: int
    opted_out: int
    refused: int
    areas: list[str]
    texts: list[TextOut]
    can_send: bool
    refusal: str | None


class ConfirmIn(Schema):
    alerted_id: int = Field(..., description="Which alerted responder confirmed (by phone).")


class SendIn(Schema):
    audience: CorrectionAudience | None = Field(
        None, description="For a correction: who hears that the rumor was unfounded."
    )


def _incident(request: HttpRequest, incident_id: int) -> tuple[User, Incident]:
    check(request.user, Capability.ALERT_RESPONDERS)
    user: User = request.user  # type: ignore[assignment]
    return user, get_object_or_404(Incident, id=incident_id)


def _alert(user: User, incident: Incident) -> dict[str, object]:
    named = handles(user, incident)
    rows = (
        Alerted.objects.filter(incident=incident)
        .select_related("responder__person")
        .order_by("alerted_at", "id")
    )
    return {
        "incident_id": incident.id,
        "ring": max((row.ring for row in rows), default=0),
        "alerted": [
            {
                "id": row.id,
                "ring": row.ring,
                "language": row.language,
                "alerted_at": row.alerted_at,
                "answer": row.answer,
                "answered_at": row.answered_at,
                "arrived_at": row.arrived_at,
                "confirmed_at": row.confirmed_at,
                "note": row.note,
                "name": row.responder.person.full_name if named else None,
            }
            for row in rows
        ],
    }


@router.get(
    "/incidents/{incident_id}/responders",
    response=AlertOut,
    summary="The responders alerted for an incident and their answers",
)
def read_alert(request: HttpRequest, incident_id: int) -> dict[str, object]:
    user, incident = _incident(request, incident_id)
    return _alert(user, incident)


@router.post(
    "/incidents/{incident_id}/responders",
    response={200: AlertOut, 409: Problem},
    summary="Alert responders near the incident (the widening plan is frozen now)",
)
def alert_responders(request: HttpRequest, incident_id: int) -> Status[object]:
    user, incident = _incident(request, incident_id)
    try:
        services.do_alert_responders(user, incident)
    except services.AlertError as exc:
        return Status(409, {"detail": str(exc)})
    return Status(200, _alert(user, incident))


@router.post(
    "/incidents/{incident_id}/confirmations",
    response={200: AlertOut, 404: Problem},
    summary="Record a confirmation a responder gave by phone",
)
def record_confirmation(request: HttpRequest, incident_id: int, data: ConfirmIn) -> Status[object]:
    user, incident = _incident(request, incident_id)
    try:
        services.do_record_confirmation(user, incident, data.alerted_id)
    except Alerted.DoesNotExist:
        return Status(404, {"detail": _("That responder was not alerted for it.")})
    return Status(200, _alert(user, incident))


@router.post(
    "/incidents/{incident_id}/approval",
    response={200: Problem, 409: Problem},
    summary="Approve the broad alert (the incident becomes confirmed when the rules are met)",
)
def approve(request: HttpRequest, incident_id: int) -> Status[object]:
    user, incident = _incident(request, incident_id)
    check(user, Capability.APPROVE_BROAD_ALERT)
    try:
        broad.do_approve(user, incident)
    except broad.BroadAlertError as exc:
        return Status(409, {"detail": str(exc)})
    return Status(200, {"detail": _("Approved.")})


@router.get(
    "/incidents/{incident_id}/broadcast/{kind}",
    response=PreviewOut,
    summary="What a broad alert, all-clear or correction would say, in every language, to whom",
)
def preview(request: HttpRequest, incident_id: int, kind: BroadKind) -> dict[str, object]:
    user, incident = _incident(request, incident_id)
    shown = broad.preview(user, incident, kind)
    return {
        "kind": shown.kind,
        "recipients": shown.recipients,
        "opted_out": shown.opted_out,
        "refused": shown.refused,
        "areas": shown.areas,
        "texts": [
            {
                "language": text.language,
                "body": text.body,
                "segments": text.segments,
                "recipients": text.recipients,
            }
            for text in shown.texts
        ],
        "can_send": shown.can_send,
        "refusal": str(shown.refusal) if shown.refusal is not None else None,
    }


@router.post(
    "/incidents/{incident_id}/broadcast/{kind}",
    response={200: Queued, 409: Problem},
    summary="Send the broad alert (confirmed incidents only), the all-clear, or a correction",
)
def send(request: HttpRequest, incident_id: int, kind: BroadKind, data: SendIn) -> Status[object]:
    user, incident = _incident(request, incident_id)
    try:
        if kind == BroadKind.ALERT:
            queued = broad.do_send_broad_alert(user, incident)
        elif kind == BroadKind.ALL_CLEAR:
            queued = broad.do_send_all_clear(user, incident)
        else:
            if data.audience is None:
                return Status(409, {"detail": _("Choose who gets the correction.")})
            queued = broad.do_send_correction(user, incident, data.audience)
    except broad.BroadAlertError as exc:
        return Status(409, {"detail": str(exc)})
    return Status(200, {"queued": queued})
