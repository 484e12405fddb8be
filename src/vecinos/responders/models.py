"""Responders, the alerts that send them to look, their answers, and what the community is told.

A responder's place is one H3 cell (about 0.7 km²), never an address. An incident's alert freezes
its widening plan when the dispatcher clicks (rule: jobs re-read the plan, never the settings), and
each broad message (alert, all-clear, correction) reaches each number at most once per incident.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from vecinos.responders.choices import Answer, BroadKind, StopReason

# --- Who may be dispatched ----------------------------------------------------------------------
#
# THE eligibility rule, kept here and nowhere else: a responder may be sent alerts with a current
# first-responder training AND at least VECINOS_VOUCHES_REQUIRED standing vouches from trusted
# members (vecinos.trainings keeps both facts on the responder: ``trained_until``, the latest
# expiry of their first-responder certificates, and ``vouches``, how many vouches stand).
#
# Matching must stay one indexed query, so the rule's outcome is also kept as the ``eligible``
# flag, recomputed by :func:`qualifies` whenever a certificate or a vouch changes, and by a
# periodic chore (``refresh_eligibility``) for expiries and a changed setting. ELIGIBLE is that
# flag: the condition of ``responder_dispatch_idx``. :func:`eligible_at` adds the expiry, checked
# on the rows against the app's clock, so a training that lapsed a second ago counts at once,
# before the chore runs. ELIGIBLE, eligible_at, is_eligible and the index condition change
# together (tests/responders/test_match_responders.py holds them to it).
ELIGIBLE = Q(eligible=True)


def eligible_at(at: datetime) -> Q:
    """THE rule as a filter, at ``at``: the flag (indexed), and a training still current."""
    return ELIGIBLE & Q(trained_until__gt=at)


def vouches_required() -> int:
    """How many standing vouches make a responder eligible (``VECINOS_VOUCHES_REQUIRED``)."""
    return int(settings.VECINOS_VOUCHES_REQUIRED)


def qualifies(trained_until: datetime | None, vouches: int, at: datetime) -> bool:
    """The rule on the facts: a first-responder training current at ``at``, enough vouches."""
    return trained_until is not None and trained_until > at and vouches >= vouches_required()


def qualifying(at: datetime) -> Q:
    """:func:`qualifies` as a filter on the facts (the flag's recomputation)."""
    return Q(trained_until__gt=at, vouches__gte=vouches_required())


def is_eligible(responder: Responder, at: datetime | None = None) -> bool:
    """Whether ``responder`` may be sent alerts at ``at`` (the same rule as eligible_at)."""
    at = at or timezone.now()
    until = responder.trained_until
    return responder.eligible and until is not None and until > at


def why_not_eligible(responder: Responder, at: datetime | None = None) -> list[str]:
    """What stands between ``responder`` and alerts, in words (empty when eligible): no
    first-responder training, one that expired, too few vouches."""
    at = at or timezone.now()
    if is_eligible(responder, at):
        return []
    reasons: list[str] = []
    if responder.trained_until is None:
        reasons.append(gettext("No first-responder training"))
    elif responder.trained_until <= at:
        reasons.append(
            gettext("Training expired on %(date)s")
            % {
                "date": date_format(
                    timezone.localtime(responder.trained_until), "SHORT_DATE_FORMAT"
                )
            }
        )
    required = vouches_required()
    if responder.vouches < required:
        reasons.append(
            ngettext(
                "%(count)s of %(required)s vouch",
                "%(count)s of %(required)s vouches",
                required,
            )
            % {"count": responder.vouches, "required": required}
        )
    if not reasons:  # the facts hold and the flag lags (a setting just lowered)
        reasons.append(gettext("Recounted within a minute"))
    return reasons


class ResponderQuerySet(models.QuerySet["Responder"]):
    def eligible(self, at: datetime | None = None) -> ResponderQuerySet:
        """Responders the network may dispatch at ``at`` (the rule is :func:`eligible_at`)."""
        return self.filter(eligible_at(at or timezone.now()))

    def refresh_eligibility(self, at: datetime | None = None) -> int:
        """Recompute the ``eligible`` flag from the facts where it is stale (a training that
        expired, a changed VECINOS_VOUCHES_REQUIRED); returns how many rows changed. Two
        conditional UPDATEs: safe to run in several workers at once."""
        at = at or timezone.now()
        lost = self.filter(eligible=True).exclude(qualifying(at)).update(eligible=False)
        gained = self.filter(eligible=False).filter(qualifying(at)).update(eligible=True)
        return lost + gained

    def available(self, at: datetime) -> ResponderQuerySet:
        """Responders who said they are available at ``at`` (with no end, or one after it)."""
        return self.filter(
            Q(available=True) & (Q(available_until__isnull=True) | Q(available_until__gt=at))
        )


class Responder(models.Model):
    """A person who goes to look when the hotline alerts them, and texts back what they saw.

    Their place is a coarse H3 cell they chose; their languages are their person's.
    """

    person = models.OneToOneField(
        "organizing.Person", on_delete=models.CASCADE, related_name="responder"
    )
    # H3 cell at resolution 8 (places.geo.CELL_RESOLUTION): where they usually are.
    cell = models.CharField(_("area (H3 cell)"), max_length=16, blank=True)
    available = models.BooleanField(_("available now"), default=True)
    available_until = models.DateTimeField(_("available until"), null=True, blank=True)
    # Kept by vecinos.trainings (see ELIGIBLE above): when their latest first-responder
    # certificate expires, how many vouches stand, and the rule's outcome on those two.
    trained_until = models.DateTimeField(_("trained until"), null=True, blank=True)
    vouches = models.PositiveSmallIntegerField(_("vouches"), default=0)
    eligible = models.BooleanField(_("eligible for dispatch"), default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ResponderQuerySet.as_manager()

    class Meta:
        verbose_name = _("responder")
        verbose_name_plural = _("responders")
        ordering = ("person__full_name", "id")
        indexes = [
            # match_responders: `cell IN (a ring's cells)` among the dispatchable (the
            # condition is ELIGIBLE plus the available flag; the "until" is checked on the rows).
            models.Index(
                fields=["cell"],
                name="responder_dispatch_idx",
                condition=Q(eligible=True, available=True),
            ),
        ]

    def __str__(self) -> str:
        return str(self.person)

    def not_eligible_because(self) -> list[str]:
        """For pages: :func:`why_not_eligible` now."""
        return why_not_eligible(self)

    def is_available(self, at: datetime) -> bool:
        return self.available and (self.available_until is None or self.available_until > at)


class Alert(models.Model):
    """An incident's responder alert and its widening plan, frozen when the dispatcher clicked:
    later changes to the settings do not change an alert in flight.

    ``ring`` is the ring of cells alerted last; the widening chore moves it on by a conditional
    UPDATE on its current value, so two workers never widen the same alert twice.
    """

    incident = models.OneToOneField(
        "hotline.Incident", on_delete=models.CASCADE, related_name="responder_alert"
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now)
    # The plan: the incident's cell and language then, N, M and how far it may widen.
    cell = models.CharField(max_length=16)
    language = models.CharField(max_length=8)
    enough_yes = models.PositiveSmallIntegerField()
    widen_minutes = models.PositiveSmallIntegerField()
    max_rings = models.PositiveSmallIntegerField()
    ring = models.PositiveSmallIntegerField(default=0)
    ring_started_at = models.DateTimeField(default=timezone.now)
    # Enough said YES: the others were told "covered, thank you", and widening stopped.
    covered_at = models.DateTimeField(null=True, blank=True)
    # Widening stopped for another reason: no one left within the last ring, or the incident
    # was decided (confirmed, unfounded…) or closed before enough said YES.
    stopped_at = models.DateTimeField(null=True, blank=True)
    stopped_reason = models.CharField(max_length=16, choices=StopReason.choices, blank=True)
    # The incident status responders going to it were last told about.
    told_status = models.CharField(max_length=24, blank=True)

    class Meta:
        indexes = [
            # The widening chore: alerts still waiting for enough YES answers.
            models.Index(
                fields=["ring_started_at"],
                name="alert_widening_idx",
                condition=Q(covered_at__isnull=True, stopped_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"alert for incident {self.incident_id} (ring {self.ring})"

    @property
    def widens_at(self) -> datetime:
        return self.ring_started_at + timedelta(minutes=self.widen_minutes)

    @property
    def is_widening(self) -> bool:
        return self.covered_at is None and self.stopped_at is None


class Alerted(models.Model):
    """One responder alerted about one incident, and what they answered (latest first on the
    panel; every answer is also an :class:`AnswerText`)."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="alerted")
    # Beside the alert for the constraint: one alert per responder per incident, whatever happens.
    incident = models.ForeignKey("hotline.Incident", on_delete=models.CASCADE, related_name="+")
    responder = models.ForeignKey(Responder, on_delete=models.PROTECT, related_name="alerts")
    ring = models.PositiveSmallIntegerField()
    language = models.CharField(max_length=8)
    alerted_at = models.DateTimeField(default=timezone.now)
    answer = models.CharField(max_length=12, choices=Answer.choices, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    yes_at = models.DateTimeField(null=True, blank=True)
    arrived_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # A dispatcher who wrote down a confirmation given by phone; empty when it came by text.
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    false_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)
    covered_notice_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("ring", "alerted_at", "id")
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "responder"], name="one_alert_per_responder_per_incident"
            ),
        ]
        indexes = [
            # The reply handler: this responder's latest alerts.
            models.Index(fields=["responder", "-alerted_at"], name="alerted_responder_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.responder_id} for incident {self.incident_id}: {self.answer or '-'}"

    @property
    def is_going(self) -> bool:
        return self.yes_at is not None or self.arrived_at is not None

    def answer_colour(self) -> str:
        return Answer.colour(self.answer)


class AnswerText(models.Model):
    """One text a responder answered an alert with: the code read from it, its note, and the
    inbound message (unique, so a handler re-run after a crash records nothing twice)."""

    alerted = models.ForeignKey(Alerted, on_delete=models.CASCADE, related_name="answers")
    answer = models.CharField(max_length=12, choices=Answer.choices)
    note = models.CharField(max_length=300, blank=True)
    inbound = models.OneToOneField(
        "messaging.InboundMessage", on_delete=models.CASCADE, related_name="responder_answer"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("at", "id")

    def __str__(self) -> str:
        return f"{self.alerted_id}: {self.answer}"


class Verification(models.Model):
    """What stands between an incident and the community: K confirmations and one or two
    dispatchers' approval (frozen with the alert), then the broad alert, its all-clear, or a
    correction of an unfounded rumor, each sent once."""

    incident = models.OneToOneField(
        "hotline.Incident", on_delete=models.CASCADE, related_name="verification"
    )
    confirmations_needed = models.PositiveSmallIntegerField()
    second_approval = models.BooleanField()
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    second_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    second_approved_at = models.DateTimeField(null=True, blank=True)
    broad_sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    broad_sent_at = models.DateTimeField(null=True, blank=True)
    all_clear_sent_at = models.DateTimeField(null=True, blank=True)
    corrected_area_at = models.DateTimeField(null=True, blank=True)
    corrected_responders_at = models.DateTimeField(null=True, blank=True)
    # The broad messages' broadcasts, for their progress (messaging.Broadcast).
    broadcasts = models.ManyToManyField("messaging.Broadcast", blank=True, related_name="+")

    def __str__(self) -> str:
        return f"verification of incident {self.incident_id}"

    @property
    def approvals_needed(self) -> int:
        return 2 if self.second_approval else 1

    @property
    def approvals(self) -> int:
        return (self.approved_by_id is not None) + (self.second_approved_by_id is not None)

    @property
    def approved(self) -> bool:
        return self.approvals >= self.approvals_needed


class BroadRecipient(models.Model):
    """One number that was sent one broad message about one incident (or recorded as not sent,
    with why). The unique constraint is the promise: once per number, kind and incident."""

    incident = models.ForeignKey("hotline.Incident", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=BroadKind.choices)
    # Keyed hash of the number (never the number): the all-clear finds the same people by it.
    address_hash = models.CharField(max_length=64)
    subscription = models.ForeignKey(
        "messaging.AlertSubscription",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    person = models.ForeignKey(
        "organizing.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    language = models.CharField(max_length=8)
    # Why it was not sent (messaging.SkipReason), or empty.
    skip_reason = models.CharField(max_length=16, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "kind", "address_hash"], name="one_broad_message_per_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for incident {self.incident_id}"
