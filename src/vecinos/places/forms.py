from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from vecinos.places import maps
from vecinos.places.geo import PlaceNotFound, check_point
from vecinos.places.geojson import MAX_ZIP_CODES, NAME_MAX


class ZoneForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=NAME_MAX)
    zip_codes = forms.CharField(
        label=_("ZIP codes"),
        required=False,
        max_length=400,
        help_text=_(
            "5-digit ZIP codes, separated by commas. A caller who gives one is placed in this "
            "zone; each ZIP code names one zone only."
        ),
    )

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not re.search(r"\w", name):
            raise forms.ValidationError(_("Enter a name with letters or digits."))
        return name

    def clean_zip_codes(self) -> list[str]:
        codes = []
        for part in re.split(r"[\s,;]+", self.cleaned_data["zip_codes"]):
            if not part:
                continue
            if not re.fullmatch(r"\d{5}", part):
                raise forms.ValidationError(
                    _("“%(zip)s” is not a 5-digit ZIP code."), params={"zip": part[:20]}
                )
            if part not in codes:
                codes.append(part)
        if len(codes) > MAX_ZIP_CODES:
            raise forms.ValidationError(
                _("Give at most %(limit)d ZIP codes."), params={"limit": MAX_ZIP_CODES}
            )
        return codes


class CellForm(forms.Form):
    """Put a hex into the zone or take it out (the same answer twice changes nothing)."""

    # Sent by the hex links and the one-hex page, never shown as a field.
    inside = forms.TypedChoiceField(choices=[("1", "1"), ("0", "0")], coerce=lambda v: v == "1")


class PointForm(forms.Form):
    """A point given as numbers (copied from any map app) whose hex joins the zone."""

    latitude = forms.FloatField(label=_("Latitude"), help_text=_("For example 34.0614"))
    longitude = forms.FloatField(label=_("Longitude"), help_text=_("For example -118.2934"))

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        if "latitude" in cleaned and "longitude" in cleaned:
            try:
                check_point(cleaned["latitude"], cleaned["longitude"])
            except PlaceNotFound as error:
                raise forms.ValidationError(str(error)) from None
        return cleaned


class MapSettingsForm(forms.Form):
    tile_url = forms.CharField(
        label=_("Tile address"),
        required=False,
        max_length=500,
        help_text=_(
            "Leave empty for maps without tiles. For example "
            "https://tile.example.org/{z}/{x}/{y}.png. Every map view then asks that server for "
            "images: it learns the viewer's internet address and which area they look at. Use "
            "a server the network trusts."
        ),
    )
    tile_attribution = forms.CharField(
        label=_("Tile credit"),
        required=False,
        max_length=200,
        help_text=_("Shown under maps, as the tile server's terms ask, e.g. © OpenStreetMap."),
    )

    def clean_tile_url(self) -> str:
        url: str = self.cleaned_data["tile_url"].strip()
        if not url:
            return ""
        try:
            return maps.check_tile_url(url)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None
