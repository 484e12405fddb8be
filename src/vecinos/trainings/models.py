"""Trainings, their sessions and the certificates signing in earns, and the vouches that trusted
members give responders. A responder's standing (``trained_until``, ``vouches``, ``eligible`` on
responders.Responder) is recomputed from these rows by :mod:`vecinos.trainings.services`."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vecinos.trainings.choices import SignInMethod, TrainingKind

# Texting the code works from this long before the start until this long after the end.
SIGN_IN_OPENS_BEFORE = timedelta(minutes=30)
SIGN_IN_CLOSES_AFTER = timedelta(hours=1)


class TrainingSession(models.Model):
    """One training held at one place and time. People sign in at the door by texting its
    ``code`` to the network's number, or the trainer marks them present."""

    kind = models.CharField(_("training"), max_length=16, choices=TrainingKind.choices)
    title = models.CharField(_("title"), max_length=150, blank=True)
    # A hall, a church, a union office: where the training is held, never someone's home.
    place = models.CharField(_("where"), max_length=150)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    # What people text to sign in (letters and digits, e.g. "KR4821"); unique for good.
    code = models.CharField(_("sign-in code"), max_length=8, unique=True)
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("trainer"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ("-starts_at", "-id")
        indexes = [models.Index(fields=["-starts_at"], name="training_session_starts_idx")]

    def __str__(self) -> str:
        return self.title or str(self.get_kind_display())

    @property
    def sign_in_opens_at(self) -> datetime:
        return self.starts_at - SIGN_IN_OPENS_BEFORE

    @property
    def sign_in_closes_at(self) -> datetime:
        return self.ends_at + SIGN_IN_CLOSES_AFTER

    def sign_in_open(self, at: datetime) -> bool:
        return self.sign_in_opens_at <= at <= self.sign_in_closes_at

    def kind_colour(self) -> str:
        return TrainingKind.colour(self.kind)


class Certificate(models.Model):
    """Someone who attended a session (they signed in), and until when it counts. Signing in is
    the record of attendance; the certificate runs from the session's day for the kind's
    validity (choices.VALIDITY_DAYS)."""

    session = models.ForeignKey(
        TrainingSession, on_delete=models.PROTECT, related_name="certificates"
    )
    person = models.ForeignKey(
        "organizing.Person", on_delete=models.CASCADE, related_name="certificates"
    )
    # The session's kind, beside the person for "their latest first-responder certificate".
    kind = models.CharField(max_length=16, choices=TrainingKind.choices)
    method = models.CharField(max_length=8, choices=SignInMethod.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The text that signed them in (unique: a handler re-run after a crash adds nothing).
    inbound = models.OneToOneField(
        "messaging.InboundMessage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="training_sign_in",
    )
    issued_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ("-issued_at", "-id")
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="one_sign_in_per_session"),
        ]
        indexes = [
            models.Index(fields=["person", "kind", "-expires_at"], name="certificate_person_idx"),
            # The expiry chore and "expiring soon".
            models.Index(fields=["expires_at"], name="certificate_expires_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} · {self.kind} until {self.expires_at:%Y-%m-%d}"

    def is_current(self, at: datetime) -> bool:
        return self.expires_at > at


class Vouch(models.Model):
    """A trusted member's word that they know this responder and trust them with an alert.
    A withdrawn vouch stays, with who withdrew it and when; only standing vouches count."""

    person = models.ForeignKey(
        "organizing.Person", on_delete=models.CASCADE, related_name="vouches_received"
    )
    voucher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="vouches_given"
    )
    # The voucher's own person, when their account has one: the chain goes on through them.
    voucher_person = models.ForeignKey(
        "organizing.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="vouches_given",
    )
    at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("vouch")
        verbose_name_plural = _("vouches")
        ordering = ("at", "id")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "voucher"],
                condition=Q(withdrawn_at__isnull=True),
                name="one_standing_vouch_per_voucher",
            ),
        ]
        indexes = [
            models.Index(
                fields=["person"],
                condition=Q(withdrawn_at__isnull=True),
                name="vouch_standing_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.voucher_id} vouches for {self.person_id}"

    @property
    def standing(self) -> bool:
        return self.withdrawn_at is None
