"""Consent, opt-outs, the outbox and the inbox."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from vecinos.core.fields import EncryptedTextField, KeyedHashField
from vecinos.messaging.choices import (
    Audience,
    BroadcastStatus,
    Channel,
    ConsentMethod,
    GatewayProblemKind,
    MessageStatus,
    Priority,
    SkipReason,
)


class Consent(models.Model):
    """A person's yes or no to being reached on one channel: when, how, and who wrote it down.
    Rows are never edited; the newest row per person and channel is the current answer."""

    person = models.ForeignKey(
        "organizing.Person", on_delete=models.CASCADE, related_name="consents"
    )
    channel = models.CharField(max_length=8, choices=Channel.choices)
    granted = models.BooleanField()
    method = models.CharField(max_length=16, choices=ConsentMethod.choices)
    at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        indexes = [
            # "Does this person currently consent to this channel?" (newest row wins)
            models.Index(fields=["person", "channel", "-at"], name="consent_current_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.channel} {'yes' if self.granted else 'no'}"


class OptOut(models.Model):
    """A phone number that texted STOP: nothing goes to it on any gateway until it texts START.
    Keyed by the number's keyed hash, so it also covers numbers that belong to no person."""

    # Kept sealed so that `rotate-keys` can recompute the hash: a STOP must survive key rotation.
    address = EncryptedTextField()
    address_hash = KeyedHashField(source="address", purpose="phone", unique=True)
    keyword = models.CharField(max_length=32, help_text="The word that was texted.")
    at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"opt-out {self.address_hash[:8]}"


class OutboundMessage(models.Model):
    """One message to one address, written in the same transaction as the event that caused it and
    sent later by the worker. Every attempt's outcome is kept on the row."""

    channel = models.CharField(max_length=8, choices=Channel.choices)
    address = EncryptedTextField()
    # Keyed hash of the address under the key current when queued: finds what one phone
    # received lately. Opt-out checks recompute hashes under every key instead.
    address_hash = models.CharField(max_length=64)
    # Indexed below only where set: most broadcast rows have no person, and every index a row is
    # in costs a write at each of its three moves (queued, sending, outcome).
    person = models.ForeignKey(
        "organizing.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outbound_messages",
        db_index=False,
    )
    body = models.TextField()
    subject = models.CharField(max_length=200, blank=True)
    language = models.CharField(max_length=8, default="en")
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    # Why it was sent: "messaging.auto_reply", "hotline.dispatch_alert", … (dotted, like audit).
    kind = models.CharField(max_length=64)
    status = models.CharField(
        max_length=10, choices=MessageStatus.choices, default=MessageStatus.QUEUED
    )
    created_at = models.DateTimeField(default=timezone.now)
    not_before = models.DateTimeField(default=timezone.now)
    deadline = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    max_attempts = models.PositiveSmallIntegerField(default=6)
    # Claimed by one worker at a time; a claim older than the lease means that worker died.
    claimed_by = models.CharField(max_length=64, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # Times it was taken back from a dead worker: it may have reached the provider twice.
    reclaimed = models.PositiveSmallIntegerField(default=0)
    gateway = models.CharField(max_length=32, blank=True)
    sender = models.CharField(max_length=64, blank=True)
    provider_message_id = models.CharField(max_length=128, blank=True)
    error = models.TextField(blank=True)
    skip_reason = models.CharField(max_length=16, choices=SkipReason.choices, blank=True)
    segments = models.PositiveSmallIntegerField(default=1)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    # Indexed with its status below, not alone.
    broadcast = models.ForeignKey(
        "messaging.Broadcast",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="messages",
        db_index=False,
    )

    class Meta:
        constraints = [
            # Every move out of SENDING releases the claim, so "claimed by this worker" alone
            # tells the worker a message is still its own to record.
            models.CheckConstraint(
                condition=Q(claimed_by="") | Q(status=MessageStatus.SENDING),
                name="outbox_claimed_only_while_sending",
            ),
        ]
        indexes = [
            # The worker's queue: queued messages in priority order, ready ones first.
            models.Index(
                fields=["priority", "not_before", "id"],
                name="outbox_ready_idx",
                condition=Q(status=MessageStatus.QUEUED),
            ),
            # Recovery of messages whose worker died mid-send.
            models.Index(
                fields=["claimed_at"],
                name="outbox_sending_idx",
                condition=Q(status=MessageStatus.SENDING),
            ),
            # What one phone received (simulator, auto-reply limits).
            models.Index(fields=["address_hash", "-created_at"], name="outbox_address_idx"),
            # Delivery receipts find their message by the provider's id (set at hand-over only).
            models.Index(
                fields=["gateway", "provider_message_id"],
                name="outbox_provider_idx",
                condition=~Q(provider_message_id=""),
            ),
            # A person's messages (their page; SET_NULL when a person is deleted).
            models.Index(
                fields=["person"], name="outbox_person_idx", condition=Q(person__isnull=False)
            ),
            # A broadcast's progress: its messages counted by status (an index-only scan).
            models.Index(
                fields=["broadcast", "status"],
                name="outbox_broadcast_idx",
                condition=Q(broadcast__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.id} {self.status}"


class Broadcast(models.Model):
    """One message to many people on one channel, with a text per language. It is drafted for the
    preview and sent once: sending moves it from draft to sending and puts one outbox row per
    recipient in the outbox, in the same transaction."""

    channel = models.CharField(max_length=8, choices=Channel.choices)
    audience = models.CharField(max_length=16, choices=Audience.choices)
    # Alert list only: the areas chosen (as texted after JOIN); empty means every area.
    areas = models.JSONField(default=list, blank=True)
    # Language code -> cleaned text. One field for all languages: docs/decisions.md.
    bodies = models.JSONField(default=dict)
    # Recipients whose language has no text get this language's text.
    fallback_language = models.CharField(max_length=8)
    status = models.CharField(
        max_length=8, choices=BroadcastStatus.choices, default=BroadcastStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    # Outbox rows written when it was sent, those recorded as not sent included.
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("broadcast")

    def __str__(self) -> str:
        return f"broadcast #{self.id} {self.channel} {self.status}"


class InboundMessage(models.Model):
    """A text someone sent us: stored first, processed after. Only what Vecinos needs is kept;
    never the provider's raw payload, which carries the sender's city and ZIP code."""

    gateway = models.CharField(max_length=32)
    provider_message_id = models.CharField(max_length=128)
    sender = EncryptedTextField()
    sender_hash = KeyedHashField(source="sender", purpose="phone")
    recipient = models.CharField(max_length=64, blank=True, help_text="Our number it was sent to.")
    body = models.TextField()
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)
    # What it was read as: "keyword.stop", "keyword.help", "hotline.report", … or "unmatched".
    handled_as = models.CharField(max_length=64, blank=True)
    # A reply read by the handler that took it (keywords.read_reply): its code ("YES") and the
    # free text that followed ("10 min away"), kept side by side.
    reply_code = models.CharField(max_length=32, blank=True)
    reply_note = models.TextField(blank=True)
    person = models.ForeignKey(
        "organizing.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inbound_messages",
    )

    class Meta:
        constraints = [
            # A provider that delivers the same message twice gets it processed once.
            models.UniqueConstraint(
                fields=["gateway", "provider_message_id"], name="inbound_once_per_provider_id"
            ),
        ]
        indexes = [
            # Messages stored but not yet processed (after a crash between the two).
            models.Index(
                fields=["received_at"],
                name="inbound_unprocessed_idx",
                condition=Q(processed_at__isnull=True),
            ),
            models.Index(fields=["sender_hash", "-received_at"], name="inbound_sender_idx"),
        ]
        verbose_name = _("received message")

    def __str__(self) -> str:
        return f"{self.gateway} {self.provider_message_id}"


class SenderBucket(models.Model):
    """Token bucket for one sender number: carriers cap messages (segments) per second per number,
    so sending faster only gets texts filtered. Shared by every worker through the database."""

    sender = models.CharField(max_length=64, unique=True)
    tokens = models.FloatField()
    refilled_at = models.DateTimeField()
    # Carriers also cap segments per day (10DLC): what this number used on ``day``, a date in
    # settings.TIME_ZONE. A new day starts the count again.
    day = models.DateField(null=True, blank=True)
    segments_today = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.sender}: {self.tokens:.1f}"


class AlertSubscription(models.Model):
    """A number that texted JOIN with a ZIP code or neighborhood: it gets community alerts for that
    area in its language. The hotline matches areas to zones when broad alerts go out."""

    address = EncryptedTextField()
    address_hash = KeyedHashField(source="address", purpose="phone", db_index=True)
    area = models.CharField(max_length=60)
    language = models.CharField(max_length=8, default="en")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["address_hash", "area"], name="one_subscription_per_area"
            )
        ]

    def __str__(self) -> str:
        return f"subscription {self.area}"


class EarlyReceipt(models.Model):
    """A delivery report that arrived before the worker recorded the provider's id for its message
    (providers can answer faster than our own write). Applied when that id is recorded."""

    gateway = models.CharField(max_length=32)
    provider_message_id = models.CharField(max_length=128)
    delivered = models.BooleanField()
    error = models.TextField(blank=True)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            # The worker looks up receipts for the id it has just recorded.
            models.Index(fields=["gateway", "provider_message_id"], name="early_receipt_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.gateway} {self.provider_message_id}"


class GatewaySetup(models.Model):
    """A gateway as a coordinator configured it on the gateways page: its place in the failover
    order, its options and its secrets (sealed). Once any row exists, these replace the gateway
    settings from the environment, so there is one source of truth at a time."""

    name = models.CharField(max_length=16, unique=True)
    position = models.PositiveSmallIntegerField(default=0)
    enabled = models.BooleanField(default=True)
    options = models.JSONField(default=dict, blank=True)
    # JSON of the gateway's secrets (auth token, passwords), sealed like phone numbers.
    secrets = EncryptedTextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ("position", "id")

    def __str__(self) -> str:
        return self.name


class SenderNumber(models.Model):
    """A number (or messaging service) a gateway sends from, with its pace when it differs from
    the default for its kind of number."""

    gateway = models.ForeignKey(GatewaySetup, on_delete=models.CASCADE, related_name="numbers")
    number = models.CharField(max_length=64)
    per_minute = models.PositiveIntegerField(null=True, blank=True)
    per_day = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ("id",)
        constraints = [
            models.UniqueConstraint(fields=["gateway", "number"], name="one_sender_per_gateway")
        ]

    def __str__(self) -> str:
        return self.number


class GatewayHealth(models.Model):
    """How a gateway is doing, shared by every worker: after repeated failures, or when it is too
    slow to deliver, it is set aside until ``down_until`` and sending fails over to the next one."""

    name = models.CharField(max_length=16, unique=True)
    failures = models.PositiveIntegerField(default=0, help_text="Transient failures in a row.")
    last_error = models.TextField(blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    down_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name}: {self.failures}"

    def is_down(self, now: datetime) -> bool:
        return self.down_until is not None and self.down_until > now


# Of a provider's error, what a warning quotes: enough to recognize it, short enough for a text.
ERROR_SHOWN = 120


class GatewayProblem(models.Model):
    """A gateway that failed or was too slow, shown to coordinators until it is resolved (they are
    also told by text or e-mail when it starts)."""

    gateway = models.CharField(max_length=16)
    kind = models.CharField(max_length=8, choices=GatewayProblemKind.choices)
    # Failing: failures in a row and the provider's last error (its own words, untranslated).
    failures = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    # Slow: of the messages handed over in the judged window, how many had no delivery report.
    handed = models.PositiveIntegerField(default=0)
    unanswered = models.PositiveIntegerField(default=0)
    broadcast = models.ForeignKey(
        "messaging.Broadcast", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    failed_over_to = models.CharField(max_length=16, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # Banners on coordinators' pages: problems still open.
            models.Index(
                fields=["started_at"],
                name="gateway_problem_open_idx",
                condition=Q(resolved_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.gateway} {self.kind}"

    def describe(self) -> str:
        """What happened, in the active language (stored as numbers so that each coordinator
        reads it in their own)."""
        if self.kind == GatewayProblemKind.SLOW:
            return ngettext(
                "%(unanswered)s of %(handed)s message had no delivery report after "
                "%(minutes)s minutes",
                "%(unanswered)s of %(handed)s messages had no delivery report after "
                "%(minutes)s minutes",
                self.handed,
            ) % {
                "unanswered": self.unanswered,
                "handed": self.handed,
                "minutes": settings.VECINOS_SLOW_AFTER_MINUTES,
            }
        return ngettext(
            "%(count)s failure in a row; the last: %(error)s",
            "%(count)s failures in a row; the last: %(error)s",
            self.failures,
        ) % {"count": self.failures, "error": self.error[:ERROR_SHOWN]}
