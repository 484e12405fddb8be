"""The meeting in progress: speakers' lists, interpreters, who came (only if names are wanted),
projector titles in each language of the room, and the room's settings.

Imported at the end of :mod:`vecinos.assembly.models`, so Django finds these models there.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vecinos.assembly.choices_room import SpeakerStatus
from vecinos.organizing.choices import SpokenLanguage

NAME_MAX_LENGTH = 100
TABLE_MAX_LENGTH = 60


class RoomSettings(models.Model):
    """How one meeting's room is run: whether the speakers' lists use a progressive stack, and
    whether the minutes name who came (by default they give only a count)."""

    meeting = models.OneToOneField(
        "assembly.Meeting", on_delete=models.CASCADE, related_name="room_settings"
    )
    progressive_stack = models.BooleanField(
        _("progressive stack"),
        default=False,
        help_text=_("Those who have not spoken yet in this meeting go first."),
    )
    names_in_minutes = models.BooleanField(
        _("names in the minutes"),
        default=False,
        help_text=_("Off by default: the minutes give only how many came."),
    )

    class Meta:
        verbose_name = _("room settings")
        verbose_name_plural = _("room settings")

    def __str__(self) -> str:
        return f"room of meeting #{self.meeting_id}"


class SpeakerEntry(models.Model):
    """One turn on an agenda item's speakers' list: someone waiting, speaking, done, or who
    withdrew. A speaker is a member (``person``) or just the name they gave in the room."""

    item = models.ForeignKey(
        "assembly.AgendaItem", on_delete=models.CASCADE, related_name="speakers"
    )
    # The item's meeting, kept here so "has this person spoken yet in this meeting?" (the
    # progressive stack) is one query over the meeting rather than a join through every item.
    meeting = models.ForeignKey("assembly.Meeting", on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(
        "organizing.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(_("name"), max_length=NAME_MAX_LENGTH)
    position = models.PositiveIntegerField(default=0)
    status = models.CharField(
        max_length=10, choices=SpeakerStatus.choices, default=SpeakerStatus.WAITING
    )
    added_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")
        ordering = ("position", "id")
        constraints = [
            # Two facilitators pressing "next speaker" at once must not give the floor twice.
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(status=SpeakerStatus.SPEAKING),
                name="assembly_one_speaker_at_a_time",
            ),
        ]
        indexes = [
            # The progressive stack: who has spoken (or is speaking) in this meeting.
            models.Index(fields=["meeting", "status"], name="assembly_speaker_meeting_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} on item #{self.item_id} ({self.status})"

    @property
    def speaker_key(self) -> str:
        """Who this is, across the meeting's items: the member, or the name as given."""
        if self.person_id is not None:
            return f"person:{self.person_id}"
        return f"name:{' '.join(self.name.casefold().split())}"


class Interpretation(models.Model):
    """Someone interpreting into (and out of) one language at one table of a meeting; no table
    means for the whole room."""

    meeting = models.ForeignKey(
        "assembly.Meeting", on_delete=models.CASCADE, related_name="interpretations"
    )
    language = models.CharField(_("language"), max_length=8, choices=SpokenLanguage.choices)
    table = models.CharField(
        _("table"),
        max_length=TABLE_MAX_LENGTH,
        blank=True,
        help_text=_("For example “Table 3” or “Channel 2”. Empty: the whole room."),
    )
    interpreter_name = models.CharField(_("interpreter"), max_length=NAME_MAX_LENGTH)
    interpreter = models.ForeignKey(
        "organizing.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("interpretation")
        verbose_name_plural = _("interpretation")
        ordering = ("table", "language", "id")

    def __str__(self) -> str:
        return f"{self.interpreter_name}: {self.language} at {self.table or 'room'}"


class Attendee(models.Model):
    """A name on a meeting's attendance, recorded only when the room agrees to names; the count
    on the meeting is what the minutes need."""

    meeting = models.ForeignKey(
        "assembly.Meeting", on_delete=models.CASCADE, related_name="attendees"
    )
    name = models.CharField(_("name"), max_length=NAME_MAX_LENGTH)
    person = models.ForeignKey(
        "organizing.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("attendee")
        verbose_name_plural = _("attendees")
        ordering = ("name", "id")

    def __str__(self) -> str:
        return self.name


class ItemTranslation(models.Model):
    """An agenda item's title, translated by a person into one language of the room, for the
    projector and the minutes. A language without one is shown as missing, never machine-made."""

    item = models.ForeignKey(
        "assembly.AgendaItem", on_delete=models.CASCADE, related_name="translations"
    )
    language = models.CharField(_("language"), max_length=8, choices=SpokenLanguage.choices)
    title = models.CharField(_("title"), max_length=200)

    class Meta:
        verbose_name = _("agenda item translation")
        verbose_name_plural = _("agenda item translations")
        constraints = [
            models.UniqueConstraint(
                fields=["item", "language"], name="assembly_one_translation_per_language"
            )
        ]

    def __str__(self) -> str:
        return f"item #{self.item_id} in {self.language}"
