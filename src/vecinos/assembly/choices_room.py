"""Choices for the meeting in progress, each with a translated label and a UI colour."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SpeakerStatus(models.TextChoices):
    """Where one turn on a speakers' list stands. WAITING moves to SPEAKING (or WITHDRAWN), and
    SPEAKING to DONE; nothing moves back."""

    WAITING = "waiting", _("Waiting")
    SPEAKING = "speaking", _("Speaking")
    DONE = "done", _("Spoke")
    WITHDRAWN = "withdrawn", _("Withdrawn")

    @classmethod
    def colour(cls, value: str) -> str:
        return SPEAKER_COLOURS.get(value, "grey")


SPEAKER_COLOURS: dict[str, str] = {
    SpeakerStatus.WAITING: "blue",
    SpeakerStatus.SPEAKING: "green",
    SpeakerStatus.DONE: "grey",
    SpeakerStatus.WITHDRAWN: "grey",
}


class MinutesFormat(models.TextChoices):
    """The files minutes are exported as."""

    PDF = "pdf", _("PDF")
    MARKDOWN = "md", _("Markdown")
