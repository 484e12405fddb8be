"""People the network knows."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vecinos.core.fields import EncryptedTextField, KeyedHashField
from vecinos.core.phones import format_phone
from vecinos.messaging.choices import Channel
from vecinos.organizing.choices import SpokenLanguage


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
