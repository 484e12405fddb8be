"""What an incident's responders panel shows one dispatcher: who was alerted and what they
answered, how the alert widens, confirmations and approvals, and the broad messages with their
texts in every language and their recipients, with the reason whenever something cannot be done.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import ngettext

from vecinos.core.models import User
from vecinos.core.permissions import Capability, can, check
from vecinos.hotline.models import Incident
from vecinos.hotline.panels import MapLayer
from vecinos.messaging.choices import MessageStatus
from vecinos.messaging.models import OutboundMessage
from vecinos.responders import broad, geo
from vecinos.responders.choices import Answer, BroadKind, CorrectionAudience
from vecinos.responders.models import Alert, Verification
from vecinos.responders.queries import (
    AlertedRow,
    IncidentTimes,
    alerted_rows,
    available_by_cell,
    handles,
    incident_times,
)
from vecinos.responders.services import UNDECIDED

PENDING = (MessageStatus.QUEUED, MessageStatus.SENDING)


@dataclass(frozen=True)
class Progress:
    """One broad message's outbox rows: handed over, waiting, not sent."""

    kind: str
    total: int
    pending: int
    skipped: int

    @property
    def handed(self) -> int:
        return self.total - self.pending - self.skipped

    @property
    def label(self) -> str:
        return str(BroadKind(self.kind).label)


@dataclass
class Panel:
    incident: Incident
    alert: Alert | None
    verification: Verification | None
    rows: list[AlertedRow]
    times: IncidentTimes
    names_shown: bool
    can_alert: bool
    can_approve: bool
    confirmations: int
    confirmations_needed: int
    approve_refusal: broad.BroadAlertError | None
    broad_alert: broad.BroadPreview | None
    broad_refusal: broad.BroadAlertError | None
    all_clear: broad.BroadPreview | None
    corrections: dict[str, broad.BroadAlertError | None] = field(default_factory=dict)
    progress: list[Progress] = field(default_factory=list)
    now: datetime = field(default_factory=timezone.now)

    def count(self, answer: str) -> int:
        return sum(1 for row in self.rows if row.alerted.answer == answer)

    @property
    def going(self) -> int:
        return sum(1 for row in self.rows if row.alerted.yes_at is not None)

    @property
    def said_false(self) -> int:
        return sum(1 for row in self.rows if row.alerted.false_at is not None)

    @property
    def answers(self) -> list[tuple[str, str, str, int]]:
        """(value, label, colour, how many) for each answer given at least once."""
        return [
            (value, str(label), Answer.colour(value), self.count(value))
            for value, label in Answer.choices
            if self.count(value)
        ]

    @property
    def is_widening(self) -> bool:
        """Still widening: not covered, not stopped, and the incident not decided yet (the
        worker records the stop on its next turn)."""
        return (
            self.alert is not None
            and self.alert.is_widening
            and self.incident.is_open
            and self.incident.status in UNDECIDED
        )

    @property
    def widens_in_minutes(self) -> int | None:
        if self.alert is None or not self.is_widening:
            return None
        seconds = (self.alert.widens_at - self.now).total_seconds()
        return max(0, round(seconds / 60))

    @property
    def is_unfounded(self) -> bool:
        return bool(self.corrections)


def incident_panel(user: User, incident: Incident, now: datetime | None = None) -> Panel:
    """Everything the panel shows ``user`` about ``incident``.

    Raises:
        PermissionDenied: the user may not alert responders.
    """
    check(user, Capability.ALERT_RESPONDERS)
    now = now or timezone.now()
    alert = Alert.objects.filter(incident=incident).select_related("started_by").first()
    verification = (
        Verification.objects.filter(incident=incident)
        .select_related("approved_by", "second_approved_by", "broad_sent_by")
        .first()
    )
    rows = alerted_rows(user, incident) if alert is not None else []
    may_approve = can(user, Capability.APPROVE_BROAD_ALERT)
    confirmed = broad.confirmations(incident)
    panel = Panel(
        incident=incident,
        alert=alert,
        verification=verification,
        rows=rows,
        times=incident_times(incident),
        names_shown=handles(user, incident),
        can_alert=alert is None and incident.is_open,
        can_approve=may_approve,
        confirmations=confirmed,
        confirmations_needed=verification.confirmations_needed if verification else 0,
        approve_refusal=_approve_refusal(user, incident, verification, confirmed),
        broad_alert=None,
        broad_refusal=broad.refusal(incident, BroadKind.ALERT),
        all_clear=None,
        now=now,
    )
    if may_approve:
        if panel.broad_refusal is None:
            panel.broad_alert = broad.preview(user, incident, BroadKind.ALERT)
        if broad.refusal(incident, BroadKind.ALL_CLEAR) is None:
            panel.all_clear = broad.preview(user, incident, BroadKind.ALL_CLEAR)
        if broad.was_unfounded(incident):
            panel.corrections = {
                audience: broad.refusal(incident, BroadKind.CORRECTION, audience)
                for audience in CorrectionAudience.values
            }
    if verification is not None:
        panel.progress = _progress(verification)
    return panel


def _approve_refusal(
    user: User, incident: Incident, verification: Verification | None, confirmations: int
) -> broad.BroadAlertError | None:
    """Why ``user`` cannot approve now, or None when they can (``confirmations``: how many
    responders confirmed it)."""
    if verification is None or confirmations < verification.confirmations_needed:
        return broad.NotEnoughConfirmationsError()
    if not incident.is_open or incident.status not in broad.APPROVABLE:
        return broad.NotApprovableError()
    if verification.approved:
        return broad.AlreadyApprovedError()
    if verification.approved_by_id == user.id:
        return broad.SameApproverError()
    return None


def _progress(verification: Verification) -> list[Progress]:
    """Each broad message sent so far, counted by status in one query."""
    kinds = {outbox_kind: kind for kind, outbox_kind in broad.OUTBOX_KINDS.items()}
    rows = (
        OutboundMessage.objects.filter(broadcast__in=verification.broadcasts.all())
        .order_by()
        .values("kind", "status")
        .annotate(count=Count("id"))
        .values_list("kind", "status", "count")
    )
    counts: dict[str, dict[str, int]] = {}
    for outbox_kind, status, count in rows:
        counts.setdefault(kinds.get(outbox_kind, outbox_kind), {})[status] = count
    return [
        Progress(
            kind=kind,
            total=sum(by_status.values()),
            pending=sum(by_status.get(status, 0) for status in PENDING),
            skipped=by_status.get(MessageStatus.SKIPPED, 0),
        )
        for kind, by_status in sorted(counts.items())
    ]


# --- The console's incident map --------------------------------------------------------------


def incident_map_layer(
    user: User, incident: Incident, now: datetime | None = None
) -> MapLayer | None:
    """The responders' layer of the console's incident map (see hotline.panels): the rings the
    alert reached, and how many responders an alert could reach from each cell out to the widest
    ring. Counts only: the map is no way round "only coordinators list responders". None for
    someone who may not alert responders, or an incident not on the map."""
    if not can(user, Capability.ALERT_RESPONDERS) or not geo.is_cell(incident.cell):
        return None
    now = now or timezone.now()
    alert = Alert.objects.filter(incident=incident).only("id", "ring", "max_rings").first()
    rings = alert.max_rings if alert is not None else settings.VECINOS_ALERT_MAX_RINGS
    return MapLayer(
        rings=rings,
        reached_ring=alert.ring if alert is not None else None,
        counts=available_by_cell(geo.disk(incident.cell, rings), now),
        describe=describe_available,
    )


def describe_available(count: int) -> str:
    return ngettext("%(count)s available responder", "%(count)s available responders", count) % {
        "count": count
    }
