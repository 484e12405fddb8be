"""Forms of the hotline's pages. They parse and validate; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from vecinos.core.phones import PhoneNumberField
from vecinos.hotline.choices import Agency, Warrant
from vecinos.hotline.models import Incident, Report
from vecinos.hotline.queries import Placement, PlaceNotFoundError, locate
from vecinos.hotline.services import ReportDetails

MAX_WHAT_SEEN = 5000


class PlaceForm(forms.Form):
    """Where: an address line (or cross streets, a neighbourhood, a ZIP code) and an optional
    map pin. Cleaned into :attr:`placement`."""

    place = forms.CharField(
        label=_("Where"),
        max_length=300,
        required=False,
        help_text=_("Address or cross streets, neighborhood or ZIP code."),
    )
    lat = forms.FloatField(
        label=_("Map pin: latitude"),
        required=False,
        min_value=-90,
        max_value=90,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    lng = forms.FloatField(
        label=_("Map pin: longitude"),
        required=False,
        min_value=-180,
        max_value=180,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    # A dispatcher may save the script's answers before knowing the place.
    place_required = True
    placement: Placement | None = None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if any(name in self.errors for name in ("place", "lat", "lng")):
            return cleaned
        text, lat, lng = cleaned.get("place", ""), cleaned.get("lat"), cleaned.get("lng")
        if not self.place_required and not text and lat is None and lng is None:
            self.placement = Placement(label="", cell="")
            return cleaned
        try:
            self.placement = locate(text, lat, lng)
        except PlaceNotFoundError as exc:
            self.add_error("place", str(exc))
        return cleaned


class FileReportForm(PlaceForm):
    """The web intake: a partner or a dispatcher files what they saw or were told."""

    what_seen = forms.CharField(
        label=_("What was seen"),
        max_length=MAX_WHAT_SEEN,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Say what was seen.")},
        help_text=_("Agents, vehicles, uniforms or markings, what they are doing, since when."),
    )
    language = forms.ChoiceField(
        label=_("Language of the report"),
        choices=settings.LANGUAGES,
        help_text=_("A dispatcher who speaks it calls back."),
    )
    callback = PhoneNumberField(label=_("Number to call back (optional)"), required=False)
    field_order = ["what_seen", "place", "lat", "lng", "language", "callback"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        hours = settings.VECINOS_CALLER_RETENTION_HOURS
        self.fields["callback"].help_text = _(
            "Erased %(hours)s hours after the report is closed."
        ) % {"hours": hours}

    def details(self) -> ReportDetails:
        """Call after ``is_valid()``."""
        placement = self.placement or Placement(label="", cell="")
        return ReportDetails(
            what_seen=self.cleaned_data["what_seen"],
            place=placement.label,
            cell=placement.cell,
        )


class DrillForm(PlaceForm):
    """Start a drill: what the practice report says, where, and in which language."""

    what_seen = forms.CharField(
        label=_("What the practice report says"),
        max_length=MAX_WHAT_SEEN,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say what the practice report says.")},
        help_text=_("As a caller would say it, e.g. two vans and agents in vests at a corner."),
    )
    language = forms.ChoiceField(
        label=_("Language of the practice caller"),
        choices=settings.LANGUAGES,
        help_text=_("Responders who speak it are alerted first, as for a real report."),
    )
    field_order = ["what_seen", "place", "lat", "lng", "language"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.placement is not None and not self.placement.cell:
            self.add_error(
                "place",
                _(
                    "A drill needs a place on the map, to practise alerting the responders "
                    "near it: give a neighborhood's name, a ZIP code or a map pin."
                ),
            )
        return cleaned

    def details(self) -> ReportDetails:
        """Call after ``is_valid()``."""
        placement = self.placement or Placement(label="", cell="")
        return ReportDetails(
            what_seen=self.cleaned_data["what_seen"], place=placement.label, cell=placement.cell
        )


class ReportDetailsForm(PlaceForm):
    """The intake script's answers, filled in as the caller talks."""

    place_required = False

    what_seen = forms.CharField(
        label=_("What was seen"),
        max_length=MAX_WHAT_SEEN,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    agency = forms.ChoiceField(label=_("Who the agents seem to be"), choices=Agency.choices)
    agents = forms.CharField(
        label=_("Agents, vehicles, markings"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    warrant = forms.ChoiceField(label=_("Warrant shown"), choices=Warrant.choices)
    people_detained = forms.IntegerField(
        label=_("People detained"), required=False, min_value=0, max_value=10000
    )
    field_order = ["what_seen", "place", "lat", "lng", "agency", "agents", "warrant"]

    @classmethod
    def initial_for(cls, report: Report) -> dict[str, Any]:
        return {
            "what_seen": report.what_seen,
            "place": report.place,
            "agency": report.agency,
            "agents": report.agents,
            "warrant": report.warrant,
            "people_detained": report.people_detained,
        }

    def details(self, report: Report) -> ReportDetails:
        """The answers as the service takes them. Without a new pin, a place whose text did not
        change keeps its cell (the pin given earlier is not in the form). Call after
        ``is_valid()``."""
        data = self.cleaned_data
        placement = self.placement or Placement(label="", cell="")
        pinned = data.get("lat") is not None
        if not pinned and placement.label == report.place:
            placement = Placement(label=report.place, cell=report.cell)
        return ReportDetails(
            what_seen=data["what_seen"],
            place=placement.label,
            cell=placement.cell,
            agency=data["agency"],
            agents=data["agents"],
            warrant=data["warrant"],
            people_detained=data["people_detained"],
        )


class IncidentField(forms.ModelChoiceField):  # type: ignore[type-arg]  # stubs' generic
    def label_from_instance(self, obj: Incident) -> str:
        return f"#{obj.id} · {obj.summary or obj.place or '—'}"[:120]


class JoinIncidentForm(forms.Form):
    """Add a report to an open incident: the proposed one, or another chosen by hand."""

    def __init__(self, *args: Any, incidents: QuerySet[Incident], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["incident"] = IncidentField(
            label=_("Incident"),
            queryset=incidents,
            error_messages={
                "invalid_choice": _("That incident is closed or gone. Choose an open one."),
            },
        )


class BlockNumberForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class MoveIncidentForm(forms.Form):
    status = forms.ChoiceField(choices=())
    note = forms.CharField(
        label=_("Note for the timeline (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, steps: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"] = forms.ChoiceField(
            choices=steps,
            error_messages={
                "invalid_choice": _(
                    "This incident cannot take that step now; someone may have moved it first."
                )
            },
        )


class ContentForm(forms.Form):
    """A new version of a hotline text."""

    body = forms.CharField(
        label=_("Text"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 14}),
        error_messages={"required": _("The text cannot be empty.")},
    )
    sources = forms.CharField(
        label=_("Sources"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Where the advice comes from (ACLU, ILRC, NILC…), one per line."),
    )
    legal_review = forms.CharField(
        label=_("Legal review"),
        max_length=300,
        required=False,
        help_text=_(
            "Who reviewed this exact text, and when. Leave empty unless a lawyer read this version."
        ),
    )

    def __init__(self, *args: Any, language: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The text is in its own language, which may not be the page's.
        self.fields["body"].widget.attrs["lang"] = language
