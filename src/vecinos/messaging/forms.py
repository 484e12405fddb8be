from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from vecinos.core.phones import PhoneNumberField


class SimulatedTextForm(forms.Form):
    sender = PhoneNumberField(label=_("From the phone"))
    body = forms.CharField(
        label=_("Text"), max_length=1600, widget=forms.Textarea(attrs={"rows": 2})
    )
