"""Responders' vocabularies, each with a translated label and a UI colour."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Answer(models.TextChoices):
    """What a responder texts back about an alert. The words and digits that mean each are in
    :mod:`vecinos.responders.texts`."""

    YES = "yes", _("Going")
    NO = "no", _("Cannot go")
    ARRIVED = "arrived", _("Arrived")
    CONFIRMED = "confirmed", _("Confirmed agents there")
    FALSE = "false", _("Says it is false")

    @classmethod
    def colour(cls, value: str) -> str:
        return ANSWER_COLOURS.get(value, "grey")


ANSWER_COLOURS: dict[str, str] = {
    Answer.YES: "blue",
    Answer.NO: "grey",
    Answer.ARRIVED: "blue",
    Answer.CONFIRMED: "red",
    Answer.FALSE: "green",
}

# Answers that mean "I am on it": these responders get the incident's updates.
GOING = frozenset({Answer.YES, Answer.ARRIVED, Answer.CONFIRMED, Answer.FALSE})


class BroadKind(models.TextChoices):
    """A message to many about one incident; each person gets each kind at most once."""

    ALERT = "alert", _("Broad alert")
    ALL_CLEAR = "all_clear", _("All-clear")
    CORRECTION = "correction", _("Correction")


class CorrectionAudience(models.TextChoices):
    """Who hears that a rumor was unfounded."""

    AREA = "area", _("Alert-list subscribers in the incident's area")
    RESPONDERS = "responders", _("The responders alerted for it")


class StopReason(models.TextChoices):
    """Why an alert stopped widening before enough responders said YES."""

    LAST_RING = "last_ring", _("No one else to alert within the widest ring")
    DECIDED = "decided", _("The incident was decided or closed")
