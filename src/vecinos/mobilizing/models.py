"""Mobilizations: actions people go to together, who is coming, and who was asked."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vecinos.messaging.choices import Channel
from vecinos.mobilizing.choices import Answer, RsvpSource, RsvpStatus


class Mobilization(models.Model):
    """An action people go to together: a rally, a court watch, a bus to the capitol. It has a
    time, a place to meet and, when seats are counted (a 40-seat bus), a capacity; more YESes
    than seats wait in line and move up, oldest first, when someone cancels."""

    title = models.CharField(_("title"), max_length=120)
    starts_at = models.DateTimeField(_("starts"))
    place = models.CharField(
        _("where to meet"),
        max_length=160,
        help_text=_("A public place: where the bus leaves, or the corner to gather at."),
    )
    capacity = models.PositiveIntegerField(
        _("seats"),
        null=True,
        blank=True,
        help_text=_("For example 40 for a bus. Empty: no limit."),
    )
    # The word people text after YES or NO ("YES BUS") when they were not invited themselves,
    # for example because a friend forwarded the invitation. Upper case, unique among all.
    code = models.CharField(_("text code"), max_length=12, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # When the reminders were queued, set once by the conditional UPDATE that claims them.
    day_reminder_at = models.DateTimeField(null=True, blank=True, editable=False)
    hour_reminder_at = models.DateTimeField(null=True, blank=True, editable=False)
    is_demo = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("mobilization")
        verbose_name_plural = _("mobilizations")
        ordering = ("starts_at", "id")
        indexes = [
            # Serves the reminder chore: upcoming mobilizations whose reminders are not yet sent.
            models.Index(
                fields=["starts_at"],
                name="mobilization_reminder_idx",
                condition=Q(hour_reminder_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def has_started(self, now: datetime) -> bool:
        return self.starts_at <= now


class Rsvp(models.Model):
    """One person's answer to one mobilization. Their place in the waitlist is the time they
    joined it. Changed only by services.py while holding the mobilization's row lock."""

    mobilization = models.ForeignKey(Mobilization, on_delete=models.CASCADE, related_name="rsvps")
    person = models.ForeignKey("organizing.Person", on_delete=models.CASCADE, related_name="rsvps")
    status = models.CharField(_("answer"), max_length=12, choices=RsvpStatus.choices)
    source = models.CharField(_("answered"), max_length=12, choices=RsvpSource.choices)
    answered_at = models.DateTimeField(default=timezone.now)
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    promoted_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("RSVP")
        verbose_name_plural = _("RSVPs")
        constraints = [
            models.UniqueConstraint(fields=["mobilization", "person"], name="one_rsvp_per_person")
        ]
        indexes = [
            # Serves the seat count and "next on the waitlist" of one mobilization.
            models.Index(
                fields=["mobilization", "status", "waitlisted_at"], name="rsvp_status_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} → {self.mobilization_id}: {self.status}"

    def get_status_colour(self) -> str:
        return RsvpStatus.colour(self.status)


class RsvpText(models.Model):
    """A text message read as an answer to a mobilization: which one, and what it said. One row
    per text, so that a text processed again after a crash is not counted twice."""

    rsvp = models.ForeignKey(Rsvp, null=True, on_delete=models.CASCADE, related_name="texts")
    mobilization = models.ForeignKey(Mobilization, on_delete=models.CASCADE, related_name="+")
    inbound = models.OneToOneField(
        "messaging.InboundMessage", on_delete=models.CASCADE, related_name="rsvp_text"
    )
    answer = models.CharField(max_length=3, choices=Answer.choices)
    at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.answer} by text for {self.mobilization_id}"


class Invitation(models.Model):
    """Someone was asked to come, once per mobilization: recruiting shows who was not asked yet."""

    mobilization = models.ForeignKey(
        Mobilization, on_delete=models.CASCADE, related_name="invitations"
    )
    person = models.ForeignKey(
        "organizing.Person", on_delete=models.CASCADE, related_name="invitations"
    )
    invited_at = models.DateTimeField(default=timezone.now)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(_("sent by"), max_length=8, choices=Channel.choices)
    # The circle they were recruited through, when it was recruiting by circle.
    circle = models.ForeignKey(
        "organizing.Circle", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["mobilization", "person"], name="one_invitation_per_person"
            )
        ]
        indexes = [
            # Serves the text reader: a person's newest invitation to a coming mobilization.
            models.Index(fields=["person", "-invited_at"], name="invitation_person_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} invited to {self.mobilization_id}"
