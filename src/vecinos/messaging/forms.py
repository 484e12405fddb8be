from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from vecinos.core.phones import PhoneNumberField
from vecinos.messaging import broadcasts
from vecinos.messaging.choices import BROADCAST_CHANNELS, Audience, Channel
from vecinos.messaging.models import Broadcast
from vecinos.messaging.text import MAX_SEGMENTS, clean, sms_cost

# An e-mail can be long; an SMS is refused at MAX_SEGMENTS segments long before this.
MAX_BODY_CHARACTERS = 5000


class SimulatedTextForm(forms.Form):
    sender = PhoneNumberField(
        label=_("From the phone"),
        help_text=_("One of the pretend phones below, or any other number."),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["sender"].widget.attrs["list"] = "pretend-phones"

    body = forms.CharField(
        label=_("Text"), max_length=1600, widget=forms.Textarea(attrs={"rows": 2})
    )


BODY_LABELS = {
    "en": _("Text in English"),
    "es": _("Text in Spanish"),
    "ko": _("Text in Korean"),
}


class BroadcastForm(forms.Form):
    """What to send, to whom, in which languages. The rules are the service's
    (``broadcasts.check_broadcast_fields``), explained here field by field."""

    channel = forms.ChoiceField(
        label=_("Send by"),
        choices=[(channel.value, channel.label) for channel in BROADCAST_CHANNELS],
    )
    audience = forms.ChoiceField(
        label=_("To"),
        choices=Audience.choices,
        help_text=_(
            "The community alert list is every number that texted JOIN. The contact list is "
            "everyone in Vecinos with an address for the channel who has not said no to it."
        ),
    )
    areas = forms.MultipleChoiceField(
        label=_("Only these areas (alert list)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick none to send to every area."),
    )
    fallback = forms.ChoiceField(
        label=_("For people whose language has no text, send the text in"),
        choices=settings.LANGUAGES,
    )

    def __init__(self, *args: Any, areas: list[tuple[str, int]] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        area_field = cast("forms.MultipleChoiceField", self.fields["areas"])
        area_field.choices = [
            (
                area,
                ngettext("%(area)s (%(count)s number)", "%(area)s (%(count)s numbers)", count)
                % {"area": area, "count": count},
            )
            for area, count in areas or []
        ]
        for language in broadcasts.languages():
            self.fields[f"body_{language}"] = forms.CharField(
                label=BODY_LABELS.get(language, language),
                required=False,
                max_length=MAX_BODY_CHARACTERS,
                widget=forms.Textarea(attrs={"rows": 4, "lang": language}),
            )
        bodies = [f"body_{language}" for language in broadcasts.languages()]
        self.order_fields(["channel", "audience", "areas", *bodies, "fallback"])

    def bodies(self) -> dict[str, str]:
        return {
            language: self.cleaned_data.get(f"body_{language}", "")
            for language in broadcasts.languages()
            if self.cleaned_data.get(f"body_{language}")
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        channel = data.get("channel")
        if data.get("audience") == Audience.ALERT_LIST and channel == Channel.EMAIL:
            self.add_error(
                "channel",
                _("The community alert list holds phone numbers: send to it by SMS or Signal."),
            )
        for language in broadcasts.languages():
            name = f"body_{language}"
            text = clean(data.get(name) or "")
            data[name] = text
            if text and channel == Channel.SMS:
                segments = sms_cost(text).segments
                if segments > MAX_SEGMENTS:
                    self.add_error(
                        name,
                        _(
                            "This text takes %(segments)s SMS segments; at most %(limit)s are "
                            "delivered as one message."
                        )
                        % {"segments": segments, "limit": MAX_SEGMENTS},
                    )
        if not any(data.get(f"body_{language}") for language in broadcasts.languages()):
            raise forms.ValidationError(_("Write the text in at least one language."))
        fallback = data.get("fallback")
        if fallback and not data.get(f"body_{fallback}"):
            self.add_error("fallback", _("Choose a language you wrote a text in."))
        return data

    def service_fields(self) -> dict[str, Any]:
        """The keyword arguments of ``do_draft_broadcast`` and ``do_change_draft``."""
        return {
            "channel": self.cleaned_data["channel"],
            "audience": self.cleaned_data["audience"],
            "areas": self.cleaned_data["areas"],
            "bodies": self.bodies(),
            "fallback": self.cleaned_data["fallback"],
        }

    @classmethod
    def initial_for(cls, broadcast: Broadcast) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "channel": broadcast.channel,
            "audience": broadcast.audience,
            "areas": broadcast.areas,
            "fallback": broadcast.fallback_language,
        }
        for language, text in broadcast.bodies.items():
            initial[f"body_{language}"] = text
        return initial
