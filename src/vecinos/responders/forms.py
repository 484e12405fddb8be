from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vecinos.responders import geo


class ResponderSearchForm(forms.Form):
    name = forms.CharField(label=_("Name"), required=False, max_length=150)


class AddResponderForm(forms.Form):
    person = forms.CharField(
        label=_("Find a person to make a responder"),
        required=False,
        max_length=150,
        help_text=_("People with a phone number who are not responders yet."),
    )


class ResponderForm(forms.Form):
    """Where a responder usually is (coarse: one map cell, never an address), whether they are
    and whether they are available. (Eligibility follows trainings and vouches.)"""

    cell = forms.CharField(
        label=_("Area (map cell)"),
        required=False,
        max_length=20,
        help_text=_(
            "An H3 cell at resolution 8 (about 0.7 km²), or leave it empty and give a point "
            "below: it is turned into its cell and the point is not kept."
        ),
    )
    latitude = forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90)
    longitude = forms.FloatField(
        label=_("Longitude"), required=False, min_value=-180, max_value=180
    )
    available = forms.BooleanField(label=_("Available now"), required=False)
    available_until = forms.DateTimeField(
        label=_("Available until"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("Empty: until they say otherwise."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        latitude, longitude = data.get("latitude"), data.get("longitude")
        if (latitude is None) != (longitude is None):
            raise forms.ValidationError(_("A point needs both a latitude and a longitude."))
        if latitude is not None and longitude is not None:
            data["cell"] = geo.cell_for_point(latitude, longitude)
        cell = (data.get("cell") or "").strip().lower()
        if cell and not geo.is_cell(cell):
            self.add_error("cell", _("This is not a map cell at resolution 8."))
        data["cell"] = cell
        return data
