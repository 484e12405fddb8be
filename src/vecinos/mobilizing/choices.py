"""Choices for mobilizations, each with a translated label and a UI colour."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RsvpStatus(models.TextChoices):
    """Where a person stands for one mobilization. GOING holds a seat; WAITLISTED waits in line
    for one (oldest first); NOT_GOING said no or cancelled."""

    # A context of its own: the responders' "Going" means on the way to an incident.
    GOING = "going", pgettext_lazy("mobilization answer", "Going")
    WAITLISTED = "waitlisted", _("On the waitlist")
    NOT_GOING = "not_going", _("Not going")

    @classmethod
    def colour(cls, value: str) -> str:
        return RSVP_COLOURS.get(value, "grey")


RSVP_COLOURS: dict[str, str] = {
    RsvpStatus.GOING: "green",
    RsvpStatus.WAITLISTED: "orange",
    RsvpStatus.NOT_GOING: "grey",
}


class RsvpSource(models.TextChoices):
    """How the latest answer came in."""

    WEB = "web", _("On the web")
    TEXT = "text", _("By text message")
    ORGANIZER = "organizer", _("Through an organizer")


class Answer(models.TextChoices):
    """What a text reply to an invitation says."""

    YES = "YES", _("Yes")
    NO = "NO", _("No")
