"""Choices for organizing, each with a translated label."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SpokenLanguage(models.TextChoices):
    """Languages people in the neighborhood speak. Indigenous languages of Mexico and Guatemala are
    listed on their own: a Mixteco speaker may not be reached in Spanish."""

    ENGLISH = "en", _("English")
    SPANISH = "es", _("Spanish")
    KOREAN = "ko", _("Korean")
    MIXTEC = "mix", _("Mixtec")
    ZAPOTEC = "zap", _("Zapotec")
    KICHE = "quc", _("K'iche'")
    TAGALOG = "tl", _("Tagalog")
    CHINESE = "zh", _("Chinese")
    VIETNAMESE = "vi", _("Vietnamese")
    ARMENIAN = "hy", _("Armenian")
    OTHER = "other", _("Another language")


class Stage(models.TextChoices):
    """The ladder a person climbs, in order: first contact to leader. Each step is dated in
    :class:`~vecinos.organizing.models.StageStep`."""

    CONTACT = "contact", _("Contact")
    ASSEMBLY = "assembly", _("Came to an assembly")
    VOLUNTEER = "volunteer", _("Volunteer")
    RESPONDER = "responder", _("Trained responder")
    DISPATCHER = "dispatcher", _("Dispatcher")
    LEADER = "leader", _("Leader")

    @classmethod
    def colour(cls, value: str) -> str:
        return STAGE_COLOURS.get(value, "grey")

    @classmethod
    def rank(cls, value: str) -> int:
        """0 for a contact, 5 for a leader: the ladder's order."""
        return list(cls.values).index(value) if value in cls.values else 0


STAGE_COLOURS: dict[str, str] = {
    Stage.CONTACT: "grey",
    Stage.ASSEMBLY: "blue",
    Stage.VOLUNTEER: "blue",
    Stage.RESPONDER: "green",
    Stage.DISPATCHER: "green",
    Stage.LEADER: "orange",
}


class CircleKind(models.TextChoices):
    """Where people come from."""

    CHURCH = "church", _("Church")
    HOMETOWN_CLUB = "hometown", _("Hometown club")
    UNION_LOCAL = "union", _("Union local")
    SCHOOL_COUNCIL = "school", _("School council")
    PARTNER = "partner", _("Partner organization")
    OTHER = "other", _("Other")

    @classmethod
    def colour(cls, value: str) -> str:
        return CIRCLE_COLOURS.get(value, "grey")


CIRCLE_COLOURS: dict[str, str] = {
    CircleKind.CHURCH: "blue",
    CircleKind.HOMETOWN_CLUB: "orange",
    CircleKind.UNION_LOCAL: "red",
    CircleKind.SCHOOL_COUNCIL: "green",
    CircleKind.PARTNER: "grey",
    CircleKind.OTHER: "grey",
}


class ImportStatus(models.TextChoices):
    """Where a file uploaded from the web stands. The worker checks it, the organizer confirms the
    preview, the worker imports it: all rows or none."""

    WAITING = "waiting", _("Waiting to be checked")
    CHECKING = "checking", _("Checking")
    REJECTED = "rejected", _("Rejected: nothing imported")
    READY = "ready", _("Checked: waiting for your go-ahead")
    QUEUED = "queued", _("Waiting to be imported")
    IMPORTING = "importing", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed: nothing imported")
    CANCELLED = "cancelled", _("Cancelled: nothing imported")

    @classmethod
    def colour(cls, value: str) -> str:
        colours: dict[str, str] = {
            cls.REJECTED: "red",
            cls.FAILED: "red",
            cls.READY: "orange",
            cls.DONE: "green",
        }
        return colours.get(value, "grey")

    @classmethod
    def in_progress(cls) -> tuple[str, ...]:
        return (cls.WAITING, cls.CHECKING, cls.QUEUED, cls.IMPORTING)
