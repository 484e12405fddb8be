"""People the network knows."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vecinos.core.fields import EncryptedTextField, KeyedHashField
from vecinos.core.phones import format_phone
from vecinos.messaging.choices import Channel
from vecinos.organizing.choices import CircleKind, ImportStatus, SpokenLanguage, Stage


class Person(models.Model):
    """Someone the network can reach: a contact, a responder, a member of the assembly.

    Contact details are encrypted; their keyed hashes find a person by phone or e-mail. There is
    deliberately no field for immigration status, and no free-text notes where one could creep in.
    """

    full_name = models.CharField(_("name"), max_length=150)
    phone = EncryptedTextField(_("phone"), blank=True)
    phone_hash = KeyedHashField(source="phone", purpose="phone", db_index=True)
    email = EncryptedTextField(_("e-mail"), blank=True)
    email_hash = KeyedHashField(source="email", purpose="email", db_index=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default="es"
    )
    preferred_channel = models.CharField(
        _("how to reach them"), max_length=8, choices=Channel.choices, default=Channel.SMS
    )
    languages = models.JSONField(
        _("languages spoken"),
        default=list,
        blank=True,
        help_text=_("Codes from the list of spoken languages."),
    )
    # Where they can respond or want alerts for: a neighborhood, never a home address. Its index
    # serves "responders in these zones" when alerts widen ring by ring.
    zone = models.ForeignKey(
        "places.Zone",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="people",
        verbose_name=_("zone"),
    )
    # The ladder: where they are now; every step, dated, is a StageStep.
    stage = models.CharField(
        _("stage"), max_length=16, choices=Stage.choices, default=Stage.CONTACT, db_index=True
    )
    # Who brought whom: the person who first brought them in, if anyone knows.
    brought_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="brought",
        verbose_name=_("brought by"),
    )
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    is_demo = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ("full_name", "id")

    def __str__(self) -> str:
        return self.full_name

    def phone_display(self) -> str:
        return format_phone(self.phone)

    def language_labels(self) -> list[str]:
        labels = dict(SpokenLanguage.choices)
        return [str(labels.get(code, code)) for code in self.languages]


class StageStep(models.Model):
    """One dated step on the ladder: ``person`` reached ``stage`` at ``at``. The newest step is
    the person's current stage (kept in ``Person.stage`` too, for fast lists and counts)."""

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="stage_steps", verbose_name=_("person")
    )
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices)
    at = models.DateTimeField(_("when"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        verbose_name = _("stage step")
        verbose_name_plural = _("stage steps")
        ordering = ("-at", "-id")
        indexes = [models.Index(fields=["person", "-at"], name="organizing_step_person_at")]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.stage} at {self.at:%Y-%m-%d}"


class Circle(models.Model):
    """Where people come from: a church, a hometown club, a union local, a school council, a
    partner organization. A person can be in several."""

    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(
        _("kind"), max_length=16, choices=CircleKind.choices, default=CircleKind.OTHER
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    is_demo = models.BooleanField(default=False, editable=False)
    members: models.ManyToManyField[Person, CircleMembership] = models.ManyToManyField(
        Person, through="CircleMembership", related_name="circles", verbose_name=_("members")
    )

    class Meta:
        verbose_name = _("circle")
        verbose_name_plural = _("circles")
        ordering = ("name", "id")
        constraints = [models.UniqueConstraint(fields=["name"], name="organizing_circle_name")]

    def __str__(self) -> str:
        return self.name


class CircleMembership(models.Model):
    """``person`` belongs to ``circle`` since ``joined_at``. A contact who vouches for the circle
    is someone the circle trusts to speak for it and to bring its people in."""

    circle = models.ForeignKey(
        Circle, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("circle")
    )
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("person")
    )
    joined_at = models.DateTimeField(_("joined"), default=timezone.now)
    vouches_for_circle = models.BooleanField(_("vouches for the circle"), default=False)

    class Meta:
        verbose_name = _("circle membership")
        verbose_name_plural = _("circle memberships")
        ordering = ("joined_at", "id")
        constraints = [
            models.UniqueConstraint(fields=["circle", "person"], name="organizing_membership_once")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.circle_id}"


class ImportJob(models.Model):
    """A CSV file of people uploaded from the web. The worker checks it in chunks (progress shows
    while it does), the uploader sees a preview or every bad row, and on their go-ahead the worker
    imports every row in one transaction. The file's text is encrypted, and erased as soon as the
    import is done, rejected or cancelled."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    file_name = models.CharField(max_length=255, blank=True)
    text = EncryptedTextField(blank=True)
    status = models.CharField(
        max_length=16, choices=ImportStatus.choices, default=ImportStatus.WAITING
    )
    total_rows = models.PositiveIntegerField(default=0)
    checked_rows = models.PositiveIntegerField(default=0)
    # Every bad row as [row, column, why] (kept until the job is deleted).
    errors = models.JSONField(default=list, blank=True)
    # The preview (new, merged, new circles, stages, ignored columns) and then the counts.
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"import {self.id} ({self.status})"

    @property
    def status_colour(self) -> str:
        return ImportStatus.colour(self.status)

    @property
    def percent(self) -> int:
        if self.status in (ImportStatus.READY, ImportStatus.DONE, ImportStatus.QUEUED):
            return 100
        if not self.total_rows:
            return 0
        return min(100, self.checked_rows * 100 // self.total_rows)
