"""Choices shared across the project, each with a translated label and a UI colour."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a person does in the network. A person can hold several roles."""

    COORDINATOR = "coordinator", _("Coordinator")
    DISPATCHER = "dispatcher", _("Dispatcher")
    ORGANIZER = "organizer", _("Organizer")
    FACILITATOR = "facilitator", _("Facilitator")
    RESPONDER = "responder", _("Responder")
    MEMBER = "member", _("Member")
    # Someone at an allied organization (a legal clinic, a church, a union) who may file reports
    # to the hotline and see nothing else.
    PARTNER = "partner", _("Partner organization")

    @classmethod
    def colour(cls, value: str) -> str:
        return ROLE_COLOURS.get(value, "grey")


ROLE_COLOURS: dict[str, str] = {
    Role.COORDINATOR: "purple",
    Role.DISPATCHER: "red",
    Role.ORGANIZER: "green",
    Role.FACILITATOR: "blue",
    Role.RESPONDER: "orange",
    Role.MEMBER: "grey",
    Role.PARTNER: "teal",
}
