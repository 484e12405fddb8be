from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vecinos.mobilizing.choices import Answer
from vecinos.mobilizing.models import Mobilization
from vecinos.mobilizing.services import MobilizationError, clean_code
from vecinos.organizing.models import Circle


class MobilizationForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=120,
        help_text=_("As people will read it in the invitation, for example “Bus to the rally”."),
    )
    starts_at = forms.DateTimeField(
        label=_("Starts"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    place = forms.CharField(
        label=_("Where to meet"),
        max_length=160,
        help_text=Mobilization._meta.get_field("place").help_text,
    )
    capacity = forms.IntegerField(
        label=_("Seats"),
        required=False,
        min_value=1,
        max_value=100000,
        help_text=Mobilization._meta.get_field("capacity").help_text,
    )
    code = forms.CharField(
        label=_("Text code"),
        max_length=12,
        help_text=_(
            "One short word people text after YES or NO, for example BUS: “YES BUS”. "
            "It lets anyone who got the invitation from a friend answer too."
        ),
    )

    def __init__(self, *args: Any, now: datetime | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.now = now

    @classmethod
    def initial_for(cls, mobilization: Mobilization) -> dict[str, Any]:
        return {
            "title": mobilization.title,
            "starts_at": mobilization.starts_at,
            "place": mobilization.place,
            "capacity": mobilization.capacity,
            "code": mobilization.code,
        }

    def clean_title(self) -> str:
        title: str = " ".join(self.cleaned_data["title"].split())
        if not title:
            raise forms.ValidationError(_("Enter a title."))
        return title

    def clean_place(self) -> str:
        place: str = " ".join(self.cleaned_data["place"].split())
        if not place:
            raise forms.ValidationError(_("Say where people meet."))
        return place

    def clean_starts_at(self) -> datetime:
        starts_at: datetime = self.cleaned_data["starts_at"]
        if self.now is not None and starts_at <= self.now:
            raise forms.ValidationError(_("Choose a time in the future."))
        return starts_at

    def clean_code(self) -> str:
        try:
            return clean_code(self.cleaned_data["code"])
        except MobilizationError as error:
            raise forms.ValidationError(str(error)) from error


class AnswerForm(forms.Form):
    """One's own YES or NO on the web."""

    answer = forms.ChoiceField(
        label=_("Your answer"),
        choices=[(Answer.YES, _("I'm coming")), (Answer.NO, _("I can't come"))],
        widget=forms.RadioSelect,
    )


class AnswerForSomeoneForm(forms.Form):
    """An organizer records the answer someone gave in person or by phone."""

    person = forms.IntegerField(label=_("Person"), widget=forms.HiddenInput)
    answer = forms.ChoiceField(
        label=_("Answer"), choices=[(Answer.YES, _("Coming")), (Answer.NO, _("Not coming"))]
    )


class FindPersonForm(forms.Form):
    name = forms.CharField(label=_("Find a person by name"), max_length=150)

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        if len(name) < 2:
            raise forms.ValidationError(_("Type at least two letters of the name."))
        return name


class CirclesForm(forms.Form):
    """Which circles to recruit from."""

    circles = forms.ModelMultipleChoiceField(
        label=_("Circles"),
        queryset=Circle.objects.order_by("name", "id"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one circle.")},
    )
