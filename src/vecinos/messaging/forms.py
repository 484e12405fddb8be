from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vecinos.core.phones import InvalidPhoneNumberError, PhoneNumberField, normalize_phone
from vecinos.messaging import rates
from vecinos.messaging.gateways.config import GATEWAY_LABELS, OPTIONS, WITH_SENDERS, SenderPace


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
