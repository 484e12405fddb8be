from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vecinos.core.phones import InvalidPhoneNumberError, normalize_phone
from vecinos.trainings.choices import TrainingKind


class SessionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Training"), choices=TrainingKind.choices)
    title = forms.CharField(
        label=_("Title"),
        required=False,
        max_length=150,
        help_text=_("Optional: how people know this session."),
    )
    place = forms.CharField(
        label=_("Where"),
        max_length=150,
        help_text=_("A hall, a church, a union office: never someone's home address."),
    )
    starts_at = forms.DateTimeField(
        label=_("Starts at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label=_("Ends at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts is not None and ends is not None and ends <= starts:
            self.add_error("ends_at", _("A training has to end after it starts."))
        return data


class FindPersonForm(forms.Form):
    name = forms.CharField(label=_("Find someone by name"), required=False, max_length=150)


class VouchByPhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("Their phone number"),
        max_length=32,
        help_text=_(
            "Vouch for a responder you know in person, by the number they gave the network."
        ),
    )

    def clean_phone(self) -> str:
        try:
            return normalize_phone(self.cleaned_data["phone"])
        except InvalidPhoneNumberError as exc:
            raise forms.ValidationError(_("This is not a phone number.")) from exc
