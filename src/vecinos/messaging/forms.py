from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from vecinos.core.phones import PhoneNumberField


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
