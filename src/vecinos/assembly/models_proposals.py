"""Proposals, the votes that decide them, and the decision register with its actions.

Imported at the end of ``models.py``; foreign keys to the bodies' models are by name, so this
module never imports ``models.py`` itself.

Secret ballots: who took part (:class:`Participation`) is always known, and one person votes
once (a unique constraint); how they voted (:class:`Ballot`) is linked to them only when the
vote is not secret. A secret ballot has a random id and no time, so that neither its order nor
its time ties it to a participation.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vecinos.assembly.choices_proposals import (
    ActionStatus,
    AmendmentStatus,
    BallotSource,
    Outcome,
    ProposalStatus,
    TakingPart,
    VoteMethod,
    VoteStatus,
)

if TYPE_CHECKING:
    from vecinos.assembly.models import Assembly


class Proposal(models.Model):
    """Something brought to a body to decide: a title and text in one or more languages (one
    :class:`ProposalText` each), a proposer, its discussion and amendments, and its votes."""

    assembly = models.ForeignKey(
        "assembly.Assembly", on_delete=models.CASCADE, related_name="proposals"
    )
    meeting = models.ForeignKey(
        "assembly.Meeting",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="proposals",
        verbose_name=_("meeting"),
        help_text=_("The meeting where it is taken up."),
    )
    proposer = models.ForeignKey(
        "organizing.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.OPEN
    )
    original_language = models.CharField(_("written in"), max_length=8)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    is_demo = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ("-created_at", "-id")
        indexes = [
            # A body's proposals, newest first (the proposals page).
            models.Index(fields=["assembly", "-created_at"], name="assembly_proposal_body_idx"),
        ]

    def __str__(self) -> str:
        return f"proposal {self.id}"

    def text_in(self, language: str) -> ProposalText | None:
        """The text in ``language``, else in the language it was written in. Uses prefetched
        ``texts`` when there are any."""
        texts = {t.language: t for t in self.texts.all()}
        return (
            texts.get(language)
            or texts.get(self.original_language)
            or next(iter(texts.values()), None)
        )

    def title_in(self, language: str) -> str:
        text = self.text_in(language)
        return text.title if text else ""


class ProposalText(models.Model):
    """A proposal's title and text in one language, written or translated by a person. A
    language without a row is a missing translation, and is shown as missing."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="texts")
    language = models.CharField(_("language"), max_length=8)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("proposal", "language")
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "language"], name="one_proposal_text_per_language"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id} [{self.language}]"


class Comment(models.Model):
    """One contribution to a proposal's discussion."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("created_at", "id")

    def __str__(self) -> str:
        return f"comment {self.id} on {self.proposal_id}"


class Amendment(models.Model):
    """A change someone proposes to a proposal's text, accepted or rejected by the body."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="amendments")
    body = models.TextField(_("amendment"))
    language = models.CharField(_("language"), max_length=8)
    proposer = models.ForeignKey(
        "organizing.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=AmendmentStatus.choices,
        default=AmendmentStatus.PROPOSED,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("created_at", "id")

    def __str__(self) -> str:
        return f"amendment {self.id} to {self.proposal_id}"


class Vote(models.Model):
    """One question put to the body about a proposal, by one method. Members vote on the web or
    by text during the announced window; the facilitator adds the room's hand counts (or paper
    ballots, for methods counted from whole ballots); all are merged into one count."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="votes")
    method = models.CharField(_("method"), max_length=16, choices=VoteMethod.choices)
    status = models.CharField(
        _("status"), max_length=8, choices=VoteStatus.choices, default=VoteStatus.DRAFT
    )
    # What members reply with by text ("K7 YES"); unique, so that a reply names one vote.
    code = models.CharField(_("text code"), max_length=8, unique=True)
    opens_at = models.DateTimeField(_("remote voting opens"), null=True, blank=True)
    closes_at = models.DateTimeField(_("remote voting closes"), null=True, blank=True)
    secret = models.BooleanField(_("secret ballot"), default=False)
    dots_per_voter = models.PositiveSmallIntegerField(_("dots per person"), default=3)
    score_max = models.PositiveSmallIntegerField(_("highest score"), default=5)
    room_voters = models.PositiveIntegerField(
        _("people who voted in the room"), null=True, blank=True
    )
    room_note = models.TextField(
        _("from the room"), blank=True, help_text=_("For example the reasons for a block.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        ordering = ("created_at", "id")
        indexes = [
            # The text handler: which votes are open (a handful at any time).
            models.Index(fields=["status"], name="assembly_vote_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__isnull=True)
                | Q(opens_at__isnull=True)
                | Q(closes_at__gt=models.F("opens_at")),
                name="vote_window_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"vote {self.code}"

    @property
    def assembly(self) -> Assembly:
        return self.proposal.assembly

    def window_open(self, at: Any = None) -> bool:
        """Whether members may vote remotely at ``at`` (now by default)."""
        at = at or timezone.now()
        if self.status != VoteStatus.OPEN:
            return False
        if self.opens_at is not None and at < self.opens_at:
            return False
        return not (self.closes_at is not None and at >= self.closes_at)


class VoteOption(models.Model):
    """One of the competing options of a ranked, dot or score vote. Shown by letter (A, B, C…),
    which is also how members name it by text; its label is kept per language."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveSmallIntegerField(default=0)
    labels = models.JSONField(default=dict, help_text="{language code: label}")

    class Meta:
        ordering = ("vote", "position", "id")
        constraints = [
            models.UniqueConstraint(fields=["vote", "position"], name="one_option_per_position"),
        ]

    def __str__(self) -> str:
        return self.letter

    @property
    def letter(self) -> str:
        return chr(ord("A") + self.position)

    def label_in(self, language: str) -> str:
        labels: dict[str, str] = self.labels or {}
        return labels.get(language) or next(iter(labels.values()), self.letter)


class Participation(models.Model):
    """That a person took part in a vote, and how (web, text, or a proxy recorded by a
    facilitator). Always known, even in a secret ballot; one per person and vote."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="participations")
    person = models.ForeignKey("organizing.Person", on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=8, choices=TakingPart.choices)
    # The facilitator who recorded a proxy vote; the voter's own account on the web.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The text that cast it, so that processing the same text again changes nothing.
    inbound = models.ForeignKey(
        "messaging.InboundMessage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("vote", "at", "id")
        constraints = [
            models.UniqueConstraint(fields=["vote", "person"], name="one_person_one_vote"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.vote_id}"


class Ballot(models.Model):
    """How one person (or one paper ballot from the room) voted. ``voter`` is empty in a secret
    ballot and for the room's paper ballots."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="ballots")
    voter = models.ForeignKey(
        "organizing.Person", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    source = models.CharField(max_length=8, choices=BallotSource.choices)
    # {"answer": "yes"} / {"ranking": ["B", "A"]} / {"points": {"A": 2}} / {"abstain": true}
    choice = models.JSONField(default=dict)
    # A block's reason (recorded, as consensus requires, even when the ballot is secret).
    reason = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["vote", "voter"],
                condition=Q(voter__isnull=False),
                name="one_open_ballot_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"ballot in {self.vote_id}"


class RoomCount(models.Model):
    """The hands counted in the room for one answer or option (dots, for dot voting)."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="room_counts")
    key = models.CharField(max_length=16)  # an Answer value or an option letter
    count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("vote", "key")
        constraints = [
            models.UniqueConstraint(fields=["vote", "key"], name="one_room_count_per_answer"),
        ]

    def __str__(self) -> str:
        return f"{self.vote_id} {self.key}={self.count}"


class Decision(models.Model):
    """An entry in the decision register: what a body decided, when, by which method, with the
    counts, and whether it had a quorum. Made when a vote closes."""

    assembly = models.ForeignKey(
        "assembly.Assembly", on_delete=models.CASCADE, related_name="decisions"
    )
    meeting = models.ForeignKey(
        "assembly.Meeting",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="decisions",
    )
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="decisions")
    vote = models.OneToOneField(Vote, on_delete=models.CASCADE, related_name="decision")
    method = models.CharField(_("method"), max_length=16, choices=VoteMethod.choices)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    # The count as shown: see voting.Result.as_json().
    result = models.JSONField(default=dict)
    participants = models.PositiveIntegerField(default=0)
    quorum_needed = models.PositiveIntegerField(default=0)
    quorum_met = models.BooleanField(default=True)
    decided_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ("-decided_at", "-id")
        indexes = [
            # The register: a body's decisions, newest first.
            models.Index(fields=["assembly", "-decided_at"], name="assembly_decision_body_idx"),
        ]

    def __str__(self) -> str:
        return f"decision {self.id}"


class Action(models.Model):
    """Something a decision calls for, carried out by a working group or a person by a date.
    Open actions come back as report-backs on the body's next meeting."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField(_("what is to be done"), max_length=300)
    working_group = models.ForeignKey(
        "assembly.Assembly",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_actions",
        verbose_name=_("working group"),
    )
    person = models.ForeignKey(
        "organizing.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("person"),
    )
    due_on = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=8, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    done_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ("due_on", "id")
        indexes = [
            # Open actions by due date: overdue flags and report-backs.
            models.Index(
                fields=["due_on"],
                condition=Q(status="open"),
                name="assembly_action_open_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(working_group__isnull=False) | Q(person__isnull=False),
                name="action_assigned_to_someone",
            ),
        ]

    def __str__(self) -> str:
        return self.description

    def is_overdue(self, today: date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.status == ActionStatus.OPEN and self.due_on < today


class ReportBack(models.Model):
    """An open action put on a meeting's agenda as a report-back (once per meeting)."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="report_backs")
    meeting = models.ForeignKey("assembly.Meeting", on_delete=models.CASCADE, related_name="+")
    agenda_item = models.ForeignKey(
        "assembly.AgendaItem", null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["action", "meeting"], name="one_report_back_per_meeting"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action_id} at {self.meeting_id}"
