"""Choices for messages, each with a translated label and a UI colour."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    """How a person is reached."""

    SMS = "sms", _("Text message (SMS)")
    VOICE = "voice", _("Phone call")
    SIGNAL = "signal", _("Signal")
    EMAIL = "email", _("E-mail")

    @classmethod
    def hash_purpose(cls, channel: str) -> str:
        """Which keyed hash an address on this channel uses: every phone channel shares one."""
        return "email" if channel == cls.EMAIL else "phone"


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired before sending")
    SKIPPED = "skipped", _("Not sent")

    @classmethod
    def colour(cls, value: str) -> str:
        return STATUS_COLOURS.get(value, "grey")


STATUS_COLOURS: dict[str, str] = {
    MessageStatus.QUEUED: "grey",
    MessageStatus.SENDING: "blue",
    MessageStatus.SENT: "blue",
    MessageStatus.DELIVERED: "green",
    MessageStatus.FAILED: "red",
    MessageStatus.EXPIRED: "orange",
    MessageStatus.SKIPPED: "orange",
}

# Final states: the worker never touches these again.
DONE = frozenset(
    {
        MessageStatus.SENT,
        MessageStatus.DELIVERED,
        MessageStatus.FAILED,
        MessageStatus.EXPIRED,
        MessageStatus.SKIPPED,
    }
)


class Priority(models.IntegerChoices):
    """Lower goes first: a dispatch alert overtakes any bulk message already queued."""

    ALERT = 0, _("Dispatch alert")
    REPLY = 10, _("Reply")
    NORMAL = 50, _("Normal")
    BULK = 100, _("Bulk")


class ConsentMethod(models.TextChoices):
    WEB_FORM = "web_form", _("Web form")
    IN_PERSON = "in_person", _("In person")
    TEXT_MESSAGE = "text_message", _("By text message")
    IMPORT = "import", _("Imported list")


class SkipReason(models.TextChoices):
    OPTED_OUT = "opted_out", _("The person opted out")
    NO_CONSENT = "no_consent", _("No consent for this channel")
    NO_GATEWAY = "no_gateway", _("No gateway for this channel")


class GatewayProblemKind(models.TextChoices):
    FAILING = "failing", _("Failing")
    SLOW = "slow", _("Too slow to deliver")


class Audience(models.TextChoices):
    """Who a broadcast goes to."""

    ALERT_LIST = "alert_list", _("Community alert list")
    CONTACTS = "contacts", _("Contact list")


class BroadcastStatus(models.TextChoices):
    """A draft can still be changed; once sending, its messages are in the outbox."""

    DRAFT = "draft", _("Draft")
    SENDING = "sending", _("Sending")

    @classmethod
    def colour(cls, value: str) -> str:
        return "grey" if value == cls.DRAFT else "blue"


# Channels a broadcast can use: a phone call to thousands is not a broadcast.
BROADCAST_CHANNELS = (Channel.SMS, Channel.SIGNAL, Channel.EMAIL)
