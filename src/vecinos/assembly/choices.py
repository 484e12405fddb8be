"""Choices for the popular assembly, each with a translated label and a UI colour where shown."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AssemblyKind(models.TextChoices):
    """What sort of body it is. Working groups and breakout groups report to their assembly
    (their parent); a sanctuary team may be linked to the assembly it reports to."""

    NEIGHBORHOOD = "neighborhood", _("Neighborhood assembly")
    CITYWIDE = "citywide", _("Citywide assembly")
    SANCTUARY_TEAM = "sanctuary_team", _("Sanctuary team")
    WORKING_GROUP = "working_group", _("Working group")
    BREAKOUT = "breakout", _("Breakout group")

    @classmethod
    def colour(cls, value: str) -> str:
        return ASSEMBLY_KIND_COLOURS.get(value, "grey")


ASSEMBLY_KIND_COLOURS: dict[str, str] = {
    AssemblyKind.NEIGHBORHOOD: "green",
    AssemblyKind.CITYWIDE: "purple",
    AssemblyKind.SANCTUARY_TEAM: "teal",
    AssemblyKind.WORKING_GROUP: "blue",
    AssemblyKind.BREAKOUT: "orange",
}

# Bodies that hang under another one and need a parent.
CHILD_KINDS = frozenset({AssemblyKind.WORKING_GROUP, AssemblyKind.BREAKOUT})


class SanctuaryPlaceKind(models.TextChoices):
    """Where a sanctuary team is based."""

    SCHOOL = "school", _("School")
    HOSPITAL = "hospital", _("Hospital")
    WORKPLACE = "workplace", _("Workplace")
    OTHER = "other", _("Another place")


class QuorumKind(models.TextChoices):
    NONE = "none", _("No quorum")
    COUNT = "count", _("A number of members")
    PERCENT = "percent", _("A share of members (percent)")


class MemberRole(models.TextChoices):
    MEMBER = "member", _("Member")
    FACILITATOR = "facilitator", _("Facilitator")
    NOTE_TAKER = "note_taker", _("Note-taker")

    @classmethod
    def colour(cls, value: str) -> str:
        return MEMBER_ROLE_COLOURS.get(value, "grey")


MEMBER_ROLE_COLOURS: dict[str, str] = {
    MemberRole.MEMBER: "grey",
    MemberRole.FACILITATOR: "blue",
    MemberRole.NOTE_TAKER: "teal",
}


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    OPEN = "open", _("In progress")
    CLOSED = "closed", _("Closed")

    @classmethod
    def colour(cls, value: str) -> str:
        return MEETING_STATUS_COLOURS.get(value, "grey")


MEETING_STATUS_COLOURS: dict[str, str] = {
    MeetingStatus.PLANNED: "blue",
    MeetingStatus.OPEN: "green",
    MeetingStatus.CLOSED: "grey",
}


class ItemStatus(models.TextChoices):
    PENDING = "pending", _("Not yet")
    CURRENT = "current", _("Now")
    DONE = "done", _("Done")

    @classmethod
    def colour(cls, value: str) -> str:
        return ITEM_STATUS_COLOURS.get(value, "grey")


ITEM_STATUS_COLOURS: dict[str, str] = {
    ItemStatus.PENDING: "grey",
    ItemStatus.CURRENT: "green",
    ItemStatus.DONE: "blue",
}


class SlotAnswer(models.TextChoices):
    """A person's answer for one proposed time. The digits are what a text reply uses."""

    YES = "yes", _("Yes")
    IF_NEED_BE = "maybe", _("If need be")
    NO = "no", _("No")

    @classmethod
    def colour(cls, value: str) -> str:
        return SLOT_ANSWER_COLOURS.get(value, "grey")


SLOT_ANSWER_COLOURS: dict[str, str] = {
    SlotAnswer.YES: "green",
    SlotAnswer.IF_NEED_BE: "orange",
    SlotAnswer.NO: "red",
}

# In a text reply, one digit per proposed time, in order: the same in every language.
SLOT_ANSWER_DIGITS: dict[str, str] = {
    "1": SlotAnswer.YES,
    "2": SlotAnswer.IF_NEED_BE,
    "0": SlotAnswer.NO,
}


class AnsweredBy(models.TextChoices):
    WEB = "web", _("On the web")
    TEXT = "text", _("By text message")


class PollStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")

    @classmethod
    def colour(cls, value: str) -> str:
        return "green" if value == cls.OPEN else "grey"


class NoticeKind(models.TextChoices):
    """What was sent to a member about a meeting or a poll (each at most once per person)."""

    INVITATION = "invitation", _("Invitation")
    REMINDER = "reminder", _("Reminder")
    POLL = "poll", _("Time poll")
