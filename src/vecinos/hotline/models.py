"""Reports people make to the hotline, the incidents they describe, and the hotline's texts.

A report is what one person told us; an incident is the event several reports may describe. Only a
confirmed incident may be announced to the community (see :mod:`vecinos.hotline.incidents`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vecinos.core.fields import EncryptedTextField, KeyedHashField
from vecinos.hotline.choices import (
    Agency,
    ContentKind,
    IncidentStatus,
    ReportChannel,
    ReportStatus,
    Warrant,
)


class Incident(models.Model):
    """One event on the ground (a raid, a checkpoint), described by one or more reports."""

    status = models.CharField(
        _("status"), max_length=24, choices=IncidentStatus.choices, default=IncidentStatus.REPORTED
    )
    # The H3 cell of the event (places.CELL_RESOLUTION): coarse enough to group reports, precise
    # enough to pick the nearest responders.
    cell = models.CharField(max_length=16, blank=True)
    place = models.CharField(_("place"), max_length=300, blank=True)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="es"
    )
    # A practice run: every message it causes says DRILL, and it can never reach the broad list.
    is_drill = models.BooleanField(_("drill"), default=False)
    opened_at = models.DateTimeField(default=timezone.now)
    # When the newest report joined: grouping looks 90 minutes back from here.
    last_report_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ("-opened_at", "-id")
        indexes = [
            # Grouping and the console: open incidents by recency.
            models.Index(
                fields=["-last_report_at"],
                name="incident_open_idx",
                condition=Q(closed_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.summary or self.place}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class IncidentStep(models.Model):
    """One step on an incident's timeline: who moved it, to what, when."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="steps")
    status = models.CharField(max_length=24, choices=IncidentStatus.choices)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Who or what moved it when no account did ("responder reply", "automatic").
    actor_label = models.CharField(max_length=150, blank=True)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ("at", "id")

    def __str__(self) -> str:
        return f"{self.incident_id} {self.status} {self.at:%H:%M}"


class Report(models.Model):
    """What one person told the hotline, by call, voicemail, text or the web form.

    The caller's number is sealed, and purged from closed reports after
    ``VECINOS_CALLER_RETENTION_HOURS``: a subpoena or a stolen laptop finds no list of callers.
    There is no field for anyone's immigration status.
    """

    received_at = models.DateTimeField(_("received"), default=timezone.now)
    channel = models.CharField(_("channel"), max_length=12, choices=ReportChannel.choices)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="es"
    )
    status = models.CharField(
        _("status"), max_length=8, choices=ReportStatus.choices, default=ReportStatus.OPEN
    )
    what_seen = models.TextField(_("what was seen"), blank=True)
    place = models.CharField(_("place"), max_length=300, blank=True)
    cell = models.CharField(max_length=16, blank=True)
    agency = models.CharField(
        _("agency"), max_length=16, choices=Agency.choices, default=Agency.UNKNOWN
    )
    agents = models.CharField(_("agents, vehicles, markings"), max_length=500, blank=True)
    warrant = models.CharField(
        _("warrant shown"), max_length=16, choices=Warrant.choices, default=Warrant.UNKNOWN
    )
    people_detained = models.PositiveSmallIntegerField(_("people detained"), null=True, blank=True)
    caller = EncryptedTextField(_("caller's number"), blank=True)
    caller_hash = KeyedHashField(source="caller", purpose="phone")
    caller_purged_at = models.DateTimeField(null=True, blank=True)
    # A voicemail's recording at the provider, and the call it came from.
    call_id = models.CharField(max_length=64, blank=True)
    recording_url = models.URLField(max_length=500, blank=True)
    incident = models.ForeignKey(
        Incident, null=True, blank=True, on_delete=models.PROTECT, related_name="reports"
    )
    # Grouping proposes; a dispatcher accepts (incident set) or splits (a new incident).
    proposed_incident = models.ForeignKey(
        Incident, null=True, blank=True, on_delete=models.SET_NULL, related_name="proposed_reports"
    )
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    is_drill = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ("-received_at", "-id")
        indexes = [
            # "Does this number have an open report?" for every text that arrives.
            models.Index(
                fields=["caller_hash"],
                name="report_open_caller_idx",
                condition=Q(status="open"),
            ),
            # The console's unassigned reports.
            models.Index(
                fields=["-received_at"],
                name="report_unassigned_idx",
                condition=Q(incident__isnull=True, status="open"),
            ),
            # The retention sweep: closed reports still holding a number.
            models.Index(
                fields=["closed_at"],
                name="report_caller_kept_idx",
                condition=Q(caller_purged_at__isnull=True, status="closed"),
            ),
        ]
        constraints = [
            # A call's webhooks find its report by the call's id; one report per call even when
            # the provider repeats a webhook or two arrive at once.
            models.UniqueConstraint(
                fields=["call_id"], condition=~Q(call_id=""), name="one_report_per_call"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_channel_display()} {self.received_at:%Y-%m-%d %H:%M}"


class ReportText(models.Model):
    """A text that belongs to a report: the first one, and every later one from that number while
    the report is open."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="texts")
    inbound = models.OneToOneField(
        "messaging.InboundMessage", on_delete=models.CASCADE, related_name="report_text"
    )

    class Meta:
        ordering = ("inbound__received_at", "id")

    def __str__(self) -> str:
        return f"report {self.report_id} text {self.inbound_id}"


class ContentVersion(models.Model):
    """One saved version of a hotline text in one language. The newest is in use; older ones stay,
    so what a caller was told on a given day can be read back."""

    kind = models.CharField(max_length=24, choices=ContentKind.choices)
    language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    version = models.PositiveIntegerField()
    body = models.TextField(_("text"))
    sources = models.TextField(_("sources"), blank=True)
    legal_review = models.CharField(
        _("legal review"),
        max_length=300,
        blank=True,
        help_text=_("Who reviewed this version, and when. Empty: not reviewed by a lawyer yet."),
    )
    saved_at = models.DateTimeField(default=timezone.now)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ("kind", "language", "-version")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "language", "version"], name="one_content_version_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.language} v{self.version}"


class BlockedNumber(models.Model):
    """A number whose texts and calls open no report (abuse, threats, a flood). Kept only as a
    keyed hash, so the list cannot be read back as numbers."""

    number_hash = models.CharField(max_length=64, unique=True)
    blocked_at = models.DateTimeField(default=timezone.now)
    blocked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    def __str__(self) -> str:
        return f"blocked {self.number_hash[:8]}…"
