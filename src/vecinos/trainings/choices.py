"""Choices for trainings, each with a translated label and, where shown, a UI colour."""

from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _


class TrainingKind(models.TextChoices):
    """The trainings a network runs. A first-responder training is what dispatch needs."""

    KNOW_YOUR_RIGHTS = "kyr", _("Know Your Rights")
    FIRST_RESPONDER = "responder", _("First responder")
    DISPATCHER = "dispatcher", _("Dispatcher")
    LEGAL_OBSERVER = "legal_observer", _("Legal observer")

    @classmethod
    def validity(cls, value: str) -> timedelta:
        """How long a certificate of this kind stays current."""
        return timedelta(days=VALIDITY_DAYS.get(value, 365))

    @classmethod
    def colour(cls, value: str) -> str:
        return KIND_COLOURS.get(value, "grey")


# A first-responder or dispatcher training is redone yearly: the law and the agencies' tactics
# change; Know Your Rights and legal observing every two years.
VALIDITY_DAYS: dict[str, int] = {
    TrainingKind.KNOW_YOUR_RIGHTS: 730,
    TrainingKind.FIRST_RESPONDER: 365,
    TrainingKind.DISPATCHER: 365,
    TrainingKind.LEGAL_OBSERVER: 730,
}

KIND_COLOURS: dict[str, str] = {
    TrainingKind.KNOW_YOUR_RIGHTS: "blue",
    TrainingKind.FIRST_RESPONDER: "green",
    TrainingKind.DISPATCHER: "orange",
    TrainingKind.LEGAL_OBSERVER: "grey",
}


class SignInMethod(models.TextChoices):
    TEXT = "text", _("Texted the code")
    TRAINER = "trainer", _("Marked by the trainer")
