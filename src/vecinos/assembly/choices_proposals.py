"""Choices for proposals, votes and the decision register, each with a translated label and a UI
colour where shown."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProposalStatus(models.TextChoices):
    OPEN = "open", _("Under discussion")
    ADOPTED = "adopted", _("Adopted")
    REJECTED = "rejected", _("Not adopted")
    BLOCKED = "blocked", _("Blocked")
    WITHDRAWN = "withdrawn", _("Withdrawn")

    @classmethod
    def colour(cls, value: str) -> str:
        colours: dict[str, str] = {
            cls.OPEN: "blue",
            cls.ADOPTED: "green",
            cls.REJECTED: "grey",
            cls.BLOCKED: "red",
            cls.WITHDRAWN: "grey",
        }
        return colours.get(value, "grey")


class AmendmentStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")

    @classmethod
    def colour(cls, value: str) -> str:
        colours: dict[str, str] = {
            cls.PROPOSED: "blue",
            cls.ACCEPTED: "green",
            cls.REJECTED: "grey",
        }
        return colours.get(value, "grey")


class VoteMethod(models.TextChoices):
    MAJORITY = "majority", _("Majority")
    TWO_THIRDS = "two_thirds", _("Two-thirds majority")
    THREE_QUARTERS = "three_quarters", _("Three-quarters majority")
    CONSENSUS = "consensus", _("Consensus (agree, stand aside, block)")
    IRV = "irv", _("Ranked choice (instant runoff)")
    RANKING = "ranking", _("Full ranking (to prioritize)")
    DOTS = "dots", _("Dot voting")
    SCORE = "score", _("Score voting")


# Methods where each person answers yes / no (or agree / stand aside / block) about the proposal.
QUESTION_METHODS = frozenset(
    {VoteMethod.MAJORITY, VoteMethod.TWO_THIRDS, VoteMethod.THREE_QUARTERS, VoteMethod.CONSENSUS}
)
# Methods that choose among options (competing strategies).
OPTION_METHODS = frozenset({VoteMethod.IRV, VoteMethod.RANKING, VoteMethod.DOTS, VoteMethod.SCORE})
# Methods counted from whole ballots: the room's paper ballots are typed in, not hand-counted.
BALLOT_METHODS = frozenset({VoteMethod.IRV, VoteMethod.RANKING, VoteMethod.SCORE})


class VoteStatus(models.TextChoices):
    DRAFT = "draft", _("Not open yet")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")

    @classmethod
    def colour(cls, value: str) -> str:
        colours: dict[str, str] = {cls.DRAFT: "grey", cls.OPEN: "green", cls.CLOSED: "blue"}
        return colours.get(value, "grey")


class Answer(models.TextChoices):
    """The answers to a yes/no question and to a consensus check (abstaining is for every
    method)."""

    YES = "yes", _("Yes")
    NO = "no", _("No")
    AGREE = "agree", _("Agree")
    STAND_ASIDE = "stand_aside", _("Stand aside")
    BLOCK = "block", _("Block")
    ABSTAIN = "abstain", _("Abstain")


class TakingPart(models.TextChoices):
    """How a person's vote reached the count."""

    WEB = "web", _("On the web")
    TEXT = "text", _("By text message")
    PROXY = "proxy", _("By proxy (recorded by a facilitator)")


class BallotSource(models.TextChoices):
    REMOTE = "remote", _("A member's own vote")
    ROOM = "room", _("A paper ballot from the room")


class Outcome(models.TextChoices):
    ADOPTED = "adopted", _("Adopted")
    REJECTED = "rejected", _("Not adopted")
    BLOCKED = "blocked", _("Blocked")
    CHOSEN = "chosen", _("Option chosen")
    RANKED = "ranked", _("Priorities set")
    TIED = "tied", _("Tied: no decision")

    @classmethod
    def colour(cls, value: str) -> str:
        colours: dict[str, str] = {
            cls.ADOPTED: "green",
            cls.REJECTED: "grey",
            cls.BLOCKED: "red",
            cls.CHOSEN: "green",
            cls.RANKED: "green",
            cls.TIED: "orange",
        }
        return colours.get(value, "grey")


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")

    @classmethod
    def colour(cls, value: str) -> str:
        colours: dict[str, str] = {cls.OPEN: "blue", cls.DONE: "green", cls.DROPPED: "grey"}
        return colours.get(value, "grey")
