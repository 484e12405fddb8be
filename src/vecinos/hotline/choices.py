"""The hotline's vocabularies, each with a translated label."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ReportChannel(models.TextChoices):
    CALL = "call", _("Phone call")
    VOICEMAIL = "voicemail", _("Voicemail")
    TEXT = "text", _("Text message")
    WEB = "web", _("Web form")


class Agency(models.TextChoices):
    """Who the agents seem to be. Local police is not immigration enforcement, and a drug task
    force's search filmed as "ICE" has caused false alarms: the difference is asked every time."""

    UNKNOWN = "unknown", _("Not known yet")
    ICE = "ice", _("ICE (Immigration and Customs Enforcement)")
    BORDER_PATROL = "border_patrol", _("Border Patrol (CBP)")
    OTHER_FEDERAL = "other_federal", _("Other federal agents (FBI, DEA, HSI…)")
    LOCAL_POLICE = "local_police", _("Local police or sheriff")
    OTHER = "other", pgettext_lazy("agency", "Other")


class Warrant(models.TextChoices):
    UNKNOWN = "unknown", _("Not known")
    JUDICIAL = "judicial", _("Judicial warrant (signed by a judge of a court)")
    ADMINISTRATIVE = "administrative", _("Administrative warrant (ICE form I-200 or I-205)")
    NONE = "none", _("No warrant shown")


class ReportStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class IncidentStatus(models.TextChoices):
    """The verification path, in order. Only CONFIRMED allows a broad alert."""

    REPORTED = "reported", _("Reported")
    RESPONDERS_ALERTED = "responders_alerted", _("Responders alerted")
    ON_SCENE = "on_scene", _("Responder on scene")
    CONFIRMED = "confirmed", _("Confirmed")
    UNFOUNDED = "unfounded", _("Unfounded")
    UNVERIFIED = "unverified", _("Could not verify")
    RESOLVED = "resolved", _("Resolved")

    @classmethod
    def open_values(cls) -> list[str]:
        return [cls.REPORTED, cls.RESPONDERS_ALERTED, cls.ON_SCENE, cls.CONFIRMED]

    @classmethod
    def colour(cls, value: str) -> str:
        return INCIDENT_COLOURS.get(value, "grey")


INCIDENT_COLOURS: dict[str, str] = {
    IncidentStatus.REPORTED: "orange",
    IncidentStatus.RESPONDERS_ALERTED: "orange",
    IncidentStatus.ON_SCENE: "blue",
    IncidentStatus.CONFIRMED: "red",
    IncidentStatus.UNFOUNDED: "green",
    IncidentStatus.UNVERIFIED: "grey",
    IncidentStatus.RESOLVED: "green",
}


class ContentKind(models.TextChoices):
    """Texts the coordinators edit and version, and a lawyer should review."""

    TEXT_REPLY = "text_reply", _("Automatic reply to a text report")
    VOICEMAIL_ADVICE = "voicemail_advice", _("Advice a caller hears before leaving a voicemail")
    DISPATCHER_SCRIPT = "dispatcher_script", _("Dispatcher's script")
