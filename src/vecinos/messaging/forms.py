from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from vecinos.core.phones import InvalidPhoneNumberError, PhoneNumberField, normalize_phone
from vecinos.messaging import broadcasts, rates
from vecinos.messaging.choices import BROADCAST_CHANNELS, Audience, Channel
from vecinos.messaging.gateways.config import GATEWAY_LABELS, OPTIONS, WITH_SENDERS, SenderPace
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


class SimulatedCallForm(forms.Form):
    """A call from a pretend phone, with what its caller will do."""

    caller = PhoneNumberField(
        label=_("From the phone"),
        required=False,
        help_text=_("Empty: a hidden number."),
    )
    keys = forms.ChoiceField(
        label=_("Key pressed at the menu"),
        required=False,
        initial="1",
        # The languages as the menu offers them, each in its own language.
        choices=[("1", "1 English"), ("2", "2 Español"), ("3", "3 한국어"), ("", _("No key"))],
    )
    answered = forms.ChoiceField(
        label=_("When phones ring"),
        choices=[
            ("no", _("Nobody answers: the caller leaves a voicemail")),
            ("yes", _("A dispatcher answers")),
        ],
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["caller"].widget.attrs["list"] = "pretend-phones"


SENDER_LINE_HELP = _(
    "One per line: the number in E.164 (or a short code, or a Twilio messaging service MG…), "
    "then optionally its segments per minute and per day. Example: +12135550100 60 6000"
)


class GatewayForm(forms.Form):
    """The settings of one gateway. Fields come from gateways.config.OPTIONS; a secret already
    saved is never shown again, and an empty secret field keeps it."""

    enabled = forms.BooleanField(label=_("In use"), required=False, initial=True)

    def __init__(
        self, name: str, saved_secrets: frozenset[str], *args: object, **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.name = name
        self.saved_secrets = saved_secrets
        for option in OPTIONS[name]:
            if option.secret:
                self.fields[option.key] = forms.CharField(
                    label=option.label,
                    required=option.required and option.key not in saved_secrets,
                    widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
                    help_text=_("Saved. Leave empty to keep it.")
                    if option.key in saved_secrets
                    else "",
                    max_length=500,
                )
            elif option.yes_no:
                self.fields[option.key] = forms.BooleanField(
                    label=option.label, required=False, initial=option.default == "true"
                )
            else:
                self.fields[option.key] = forms.CharField(
                    label=option.label,
                    required=option.required,
                    initial=option.default,
                    max_length=500,
                )
        if name in WITH_SENDERS:
            self.fields["senders"] = forms.CharField(
                label=_("Sender numbers"),
                required=True,
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text=SENDER_LINE_HELP,
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for key in ("api_base", "sendsms_url", "api"):
            value = data.get(key)
            if value and not str(value).startswith(("http://", "https://")):
                self.add_error(key, _("Enter an address that starts with http:// or https://."))
        if self.name == "email" and data.get("port") and not str(data["port"]).isdigit():
            self.add_error("port", _("Enter a port number."))
        if self.name == "signal" and data.get("number"):
            try:
                data["number"] = normalize_phone(str(data["number"]))
            except InvalidPhoneNumberError:
                self.add_error("number", _("Enter a phone number."))
        return data

    def clean_senders(self) -> list[SenderPace]:
        lines = [line.split() for line in self.cleaned_data["senders"].splitlines() if line.strip()]
        senders: list[SenderPace] = []
        for number_line, parts in enumerate(lines, start=1):
            if len(parts) > 3 or not all(p.isdigit() and int(p) > 0 for p in parts[1:]):
                raise forms.ValidationError(
                    _("Line %(line)s: a sender number, then up to two whole numbers above zero."),
                    params={"line": number_line},
                )
            number = parts[0]
            if not (number.startswith("MG") or (number.isdigit() and len(number) <= 6)):
                try:
                    number = normalize_phone(number)
                except InvalidPhoneNumberError:
                    raise forms.ValidationError(
                        _("Line %(line)s: %(number)s is not a phone number."),
                        params={"line": number_line, "number": parts[0]},
                    ) from None
            per_minute = int(parts[1]) if len(parts) > 1 else rates.per_minute(number)
            per_day = int(parts[2]) if len(parts) > 2 else rates.per_day(number)
            if any(s.number == number for s in senders):
                raise forms.ValidationError(
                    _("Line %(line)s: %(number)s is listed twice."),
                    params={"line": number_line, "number": number},
                )
            senders.append(SenderPace(number, per_minute, per_day))
        return senders

    def options(self) -> dict[str, str]:
        values = {}
        for option in OPTIONS[self.name]:
            value = self.cleaned_data.get(option.key)
            if option.yes_no:
                values[option.key] = "true" if value else "false"
            elif not option.secret:
                values[option.key] = str(value or "")
        return values

    def secrets(self) -> dict[str, str]:
        """Only the secrets typed in now; empty fields keep what is saved."""
        return {
            o.key: str(self.cleaned_data[o.key])
            for o in OPTIONS[self.name]
            if o.secret and self.cleaned_data.get(o.key)
        }


class AddGatewayForm(forms.Form):
    name = forms.ChoiceField(label=_("Gateway"))

    def __init__(self, taken: set[str], *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["name"].choices = [  # type: ignore[attr-defined]
            (name, GATEWAY_LABELS[name]) for name in OPTIONS if name not in taken
        ]


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
