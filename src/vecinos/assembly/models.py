"""The popular assembly: bodies (assemblies, working groups, breakout groups, sanctuary teams),
their members, meetings and agendas.

Who may run or manage a body is decided here (``Assembly.can_run`` / ``can_manage``): the
account's capabilities first, then the person's role in THIS body (a facilitator of a working
group runs its meetings without a facilitator account role).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vecinos.assembly.choices import (
    AnsweredBy,
    AssemblyKind,
    ItemStatus,
    MeetingStatus,
    MemberRole,
    NoticeKind,
    PollStatus,
    QuorumKind,
    SanctuaryPlaceKind,
    SlotAnswer,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from vecinos.core.models import User
    from vecinos.organizing.models import Person


def _person_of(user: User | AnonymousUser) -> Person | None:
    if not user.is_authenticated:
        return None
    try:
        return user.person
    except models.ObjectDoesNotExist:
        return None


class Assembly(models.Model):
    """A decision-making body. A working group or breakout group has its assembly as parent;
    a sanctuary team or a neighborhood assembly may name the body it reports to."""

    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(
        _("kind"), max_length=20, choices=AssemblyKind.choices, default=AssemblyKind.NEIGHBORHOOD
    )
    sanctuary_place_kind = models.CharField(
        _("sanctuary place"),
        max_length=12,
        choices=SanctuaryPlaceKind.choices,
        blank=True,
        help_text=_("For a sanctuary team: the kind of place it protects."),
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("reports to"),
    )
    languages = models.JSONField(
        _("languages of the room"),
        default=list,
        blank=True,
        help_text=_("Codes from the list of spoken languages."),
    )
    quorum_kind = models.CharField(
        _("quorum"), max_length=8, choices=QuorumKind.choices, default=QuorumKind.NONE
    )
    quorum_value = models.PositiveIntegerField(
        _("quorum value"),
        default=0,
        help_text=_("A number of members, or a percent of members (1 to 100)."),
    )
    allow_proxy = models.BooleanField(
        _("proxy votes allowed"),
        default=False,
        help_text=_("A facilitator may record a vote for a member who asked them to."),
    )
    secret_ballot_default = models.BooleanField(_("secret ballot by default"), default=False)
    created_at = models.DateTimeField(default=timezone.now)
    is_demo = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("assembly")
        verbose_name_plural = _("assemblies")
        ordering = ("name", "id")
        constraints = [
            models.CheckConstraint(
                condition=~Q(quorum_kind=QuorumKind.PERCENT) | Q(quorum_value__lte=100),
                name="assembly_quorum_percent_at_most_100",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def membership_of(self, user: User | AnonymousUser) -> Membership | None:
        person = _person_of(user)
        if person is None:
            return None
        return self.memberships.filter(person_id=person.id).first()

    def role_of(self, user: User | AnonymousUser) -> str | None:
        membership = self.membership_of(user)
        return membership.role if membership else None

    def can_manage(self, user: User | AnonymousUser) -> bool:
        """Edit the body and its membership: coordinators and organizers."""
        from vecinos.core.permissions import Capability, can

        return can(user, Capability.MANAGE_ASSEMBLIES)

    def can_run(self, user: User | AnonymousUser) -> bool:
        """Plan and run its meetings: anyone with RUN_MEETINGS, or a facilitator of this body."""
        from vecinos.core.permissions import Capability, can

        if can(user, Capability.RUN_MEETINGS) or can(user, Capability.MANAGE_ASSEMBLIES):
            return True
        if not can(user, Capability.VIEW_ASSEMBLIES):
            return False
        return self.role_of(user) == MemberRole.FACILITATOR

    def can_take_notes(self, user: User | AnonymousUser) -> bool:
        """Write the minutes: those who run meetings, and this body's note-takers."""
        if self.can_run(user):
            return True
        from vecinos.core.permissions import Capability, can

        return can(user, Capability.VIEW_ASSEMBLIES) and self.role_of(user) == (
            MemberRole.NOTE_TAKER
        )

    def member_count(self) -> int:
        return self.memberships.count()

    def quorum_needed(self, members: int | None = None) -> int:
        """How many must be present for a quorum (0 when the body has no quorum rule)."""
        if self.quorum_kind == QuorumKind.COUNT:
            return self.quorum_value
        if self.quorum_kind == QuorumKind.PERCENT:
            total = self.member_count() if members is None else members
            # Rounded up: 50% of 7 members is 4.
            return -(-total * self.quorum_value // 100)
        return 0


class Membership(models.Model):
    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(
        "organizing.Person", on_delete=models.CASCADE, related_name="assembly_memberships"
    )
    role = models.CharField(
        _("role"), max_length=12, choices=MemberRole.choices, default=MemberRole.MEMBER
    )
    joined_at = models.DateTimeField(_("joined"), default=timezone.now)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ("assembly", "person__full_name", "id")
        constraints = [
            models.UniqueConstraint(fields=["assembly", "person"], name="one_membership_per_body"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}@{self.assembly_id} {self.role}"


class Meeting(models.Model):
    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="meetings")
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    place = models.CharField(
        _("place"),
        max_length=300,
        blank=True,
        help_text=_("A public place people can find, for example a school hall or a church."),
    )
    online_link = models.URLField(_("online link"), blank=True)
    languages = models.JSONField(_("languages of the room"), default=list, blank=True)
    interpretation_needed = models.JSONField(
        _("interpretation needed"),
        default=list,
        blank=True,
        help_text=_("Languages someone must interpret into."),
    )
    status = models.CharField(
        _("status"), max_length=8, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    attendance_count = models.PositiveIntegerField(_("people present"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    is_demo = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ("starts_at", "id")
        indexes = [models.Index(fields=["starts_at"], name="assembly_meeting_starts_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="meeting_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def total_minutes(self) -> int:
        return sum(item.time_box_minutes for item in self.agenda_items.all())


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(_("title"), max_length=200)
    presenter = models.ForeignKey(
        "organizing.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("presenter"),
    )
    time_box_minutes = models.PositiveIntegerField(
        _("minutes"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(600)],
        help_text=_("How long this item may take."),
    )
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=ItemStatus.choices, default=ItemStatus.PENDING
    )

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ("meeting", "position", "id")

    def __str__(self) -> str:
        return self.title


def _attachment_path(instance: Attachment, filename: str) -> str:
    # The stored name is not the uploaded one: nothing a person typed reaches the file system.
    import secrets

    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"assembly/{timezone.now():%Y/%m}/{secrets.token_hex(16)}.{suffix[:8]}"


class Attachment(models.Model):
    """A file for a meeting (or one of its agenda items): a flyer, a draft, last month's minutes.
    Stored through Django's storage under a random name; downloaded only through a page that
    checks who is asking."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attachments")
    agenda_item = models.ForeignKey(
        AgendaItem,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="attachments",
        verbose_name=_("agenda item"),
    )
    file = models.FileField(upload_to=_attachment_path, max_length=200)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        ordering = ("meeting", "uploaded_at", "id")

    def __str__(self) -> str:
        return self.name


class TimePoll(models.Model):
    """Proposed times for a meeting; each member answers yes / if need be / no for every slot,
    on the web or by replying to a text with the poll's code."""

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="time_polls")
    title = models.CharField(_("what for"), max_length=200)
    code = models.CharField(max_length=12, unique=True, editable=False)
    status = models.CharField(max_length=8, choices=PollStatus.choices, default=PollStatus.OPEN)
    closes_at = models.DateTimeField(_("answers until"), null=True, blank=True)
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="time_polls"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("time poll")
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return self.title

    def is_open(self, now: datetime | None = None) -> bool:
        now = timezone.now() if now is None else now
        return self.status == PollStatus.OPEN and (self.closes_at is None or now < self.closes_at)


class TimeSlot(models.Model):
    poll = models.ForeignKey(TimePoll, on_delete=models.CASCADE, related_name="slots")
    position = models.PositiveSmallIntegerField(default=0)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)

    class Meta:
        ordering = ("poll", "position", "id")

    def __str__(self) -> str:
        return f"{self.poll_id}#{self.position} {self.starts_at:%Y-%m-%d %H:%M}"


class SlotVote(models.Model):
    """One person's answer for one slot; a new answer replaces the old one."""

    slot = models.ForeignKey(TimeSlot, on_delete=models.CASCADE, related_name="answers")
    person = models.ForeignKey("organizing.Person", on_delete=models.CASCADE, related_name="+")
    answer = models.CharField(max_length=8, choices=SlotAnswer.choices)
    answered_by = models.CharField(max_length=8, choices=AnsweredBy.choices)
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["slot", "person"], name="one_answer_per_slot"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}@{self.slot_id} {self.answer}"


class Notice(models.Model):
    """An invitation, reminder or poll sent to one member, at most once each: the unique
    constraint is what keeps two workers (or two clicks) from texting anyone twice."""

    kind = models.CharField(max_length=12, choices=NoticeKind.choices)
    person = models.ForeignKey("organizing.Person", on_delete=models.CASCADE, related_name="+")
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.CASCADE, related_name="notices"
    )
    poll = models.ForeignKey(
        TimePoll, null=True, blank=True, on_delete=models.CASCADE, related_name="notices"
    )
    channel = models.CharField(max_length=8, blank=True)
    # Empty when nothing could be sent (no phone or e-mail for their channel, or they said no).
    message = models.ForeignKey(
        "messaging.OutboundMessage", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "person", "meeting"],
                condition=Q(meeting__isnull=False),
                name="one_notice_per_meeting",
            ),
            models.UniqueConstraint(
                fields=["kind", "person", "poll"],
                condition=Q(poll__isnull=False),
                name="one_notice_per_poll",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.person_id}"


class MeetingFeedToken(models.Model):
    """An account's secret link to the calendar of its bodies' meetings; only a keyed hash is
    stored (as for the shifts' feed). A new link replaces the old."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meeting_feed"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"meeting calendar link of {self.user_id}"


# Proposals, votes and the decision register (kept in their own module; see its docstring).
from vecinos.assembly.models_proposals import (  # noqa: E402, F401
    Action,
    Amendment,
    Ballot,
    Comment,
    Decision,
    Participation,
    Proposal,
    ProposalText,
    ReportBack,
    RoomCount,
    Vote,
    VoteOption,
)

# The meeting in progress (assembly-room): speakers' lists, interpreters, attendees, translations.
from vecinos.assembly.models_room import (  # noqa: E402, F401  # models of this app, split out
    Attendee,
    Interpretation,
    ItemTranslation,
    RoomSettings,
    SpeakerEntry,
)
