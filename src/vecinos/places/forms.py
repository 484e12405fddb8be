from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from vecinos.organizing.choices import SpokenLanguage
from vecinos.organizing.models import Person
from vecinos.places import maps
from vecinos.places.choices import TeamRole, ZoneKind
from vecinos.places.geo import PlaceNotFound, check_point
from vecinos.places.geojson import MAX_ZIP_CODES, NAME_MAX
from vecinos.places.models import Zone
from vecinos.places.walklists import (
    ADDRESS_MAX,
    NOTES_MAX,
    HouseholdFileError,
    HouseholdRow,
    check_address,
    check_notes,
    parse_households,
)
from vecinos.places.walklists import MAX_FILE_BYTES as WALK_LIST_FILE_BYTES


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


class ZoneCreateForm(ZoneForm):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=ZoneKind.choices,
        initial=ZoneKind.NEIGHBORHOOD,
        required=False,
        help_text=_("Only neighborhoods place callers and have ZIP codes."),
    )

    def clean_kind(self) -> str:
        return str(self.cleaned_data.get("kind") or ZoneKind.NEIGHBORHOOD)


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


class ZoneKindForm(forms.Form):
    """Which kind of zone a map or list shows (a GET form)."""

    kind = forms.ChoiceField(
        label=_("Show"), choices=ZoneKind.choices, required=False, initial=ZoneKind.NEIGHBORHOOD
    )


class TeamMemberForm(forms.Form):
    """A person to put on a precinct's team. People of the precinct's neighborhood are listed
    first; anyone the network knows can be chosen."""

    person = forms.ModelChoiceField(label=_("Person"), queryset=Person.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=TeamRole.choices, initial=TeamRole.MEMBER)

    def __init__(self, *args: Any, precinct: Zone, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: forms.ModelChoiceField[Person] = self.fields["person"]  # type: ignore[assignment]
        field.queryset = Person.objects.order_by("full_name", "id")
        area = precinct.parent
        while area is not None and area.kind != ZoneKind.NEIGHBORHOOD:
            area = area.parent
        if area is not None:
            near = Person.objects.filter(zone=area).order_by("full_name", "id")
            if near.exists():
                field.queryset = near
                field.help_text = _("People of %(zone)s.") % {"zone": area.name}


class TeamRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=TeamRole.choices)


class HouseholdForm(forms.Form):
    address = forms.CharField(
        label=_("Address"),
        max_length=ADDRESS_MAX,
        help_text=_("Number, street and unit, e.g. 512 S Mariposa Ave Apt 3."),
    )
    language = forms.ChoiceField(label=_("Language spoken at home"), choices=SpokenLanguage.choices)
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=NOTES_MAX,
        help_text=_(
            "Only what outreach needs, such as the best time to knock. Never anything about "
            "anyone's immigration status or papers."
        ),
    )

    def clean_address(self) -> str:
        return _checked(check_address(self.cleaned_data["address"]))

    def clean_notes(self) -> str:
        return _checked(check_notes(self.cleaned_data["notes"]))


class HouseholdFileForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns: address, language (a code such as es, ko or en, or the language's name) "
            "and optionally notes. Nothing is imported if any row is wrong."
        ),
    )

    def clean_file(self) -> list[HouseholdRow]:
        upload = self.cleaned_data["file"]
        if upload.size > WALK_LIST_FILE_BYTES:
            raise forms.ValidationError(_("The file is larger than 1 MB."))
        try:
            return parse_households(upload.read())
        except HouseholdFileError as error:
            self.row_errors = error.errors
            raise forms.ValidationError(
                ngettext(
                    "The file has %(count)d problem; nothing was imported.",
                    "The file has %(count)d problems; nothing was imported.",
                    len(error.errors),
                ),
                params={"count": len(error.errors)},
            ) from None


def _checked(result: str | Promise) -> str:
    if isinstance(result, str):
        return result
    raise forms.ValidationError(str(result))
