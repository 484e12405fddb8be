"""Forms of the meeting room, the live minutes and their export."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from vecinos.assembly.choices_room import MinutesFormat
from vecinos.assembly.models_room import NAME_MAX_LENGTH, TABLE_MAX_LENGTH
from vecinos.assembly.room import MAX_ATTENDANCE, NOTES_MAX_LENGTH
from vecinos.organizing.choices import SpokenLanguage
from vecinos.organizing.models import Person


class SpeakerForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=NAME_MAX_LENGTH,
        required=False,
        help_text=_("As they want to be called; a first name is enough."),
    )
    person = forms.ModelChoiceField(
        label=_("Or a member"),
        queryset=Person.objects.none(),
        required=False,
        empty_label=_("(not a member on the list)"),
    )

    def __init__(self, *args: Any, members: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = members  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("name", "").strip() and cleaned.get("person") is None:
            raise forms.ValidationError(_("Write the speaker's name, or choose a member."))
        return cleaned


class InterpretationForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=SpokenLanguage.choices)
    table = forms.CharField(
        label=_("Table (optional)"),
        max_length=TABLE_MAX_LENGTH,
        required=False,
        help_text=_("For example “Table 3” or “Channel 2”. Empty: the whole room."),
    )
    interpreter_name = forms.CharField(label=_("Interpreter"), max_length=NAME_MAX_LENGTH)


class AttendanceForm(forms.Form):
    attendance_count = forms.IntegerField(
        label=_("How many people came"), min_value=0, max_value=MAX_ATTENDANCE
    )


class AttendeeForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=NAME_MAX_LENGTH,
        help_text=_("Only people who agreed to be named in the minutes."),
    )


class NotesForm(forms.Form):
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=NOTES_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class RoomSettingsForm(forms.Form):
    progressive_stack = forms.BooleanField(
        label=_("Progressive stack"),
        required=False,
        help_text=_("Those who have not spoken yet in this meeting go first."),
    )
    names_in_minutes = forms.BooleanField(
        label=_("Names in the minutes"),
        required=False,
        help_text=_("Off: the minutes give only how many came."),
    )


class TranslationsForm(forms.Form):
    """The current item's title in each language of the room, as people translate it."""

    def __init__(self, *args: Any, languages: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(SpokenLanguage.choices)
        for code in languages:
            self.fields[f"title_{code}"] = forms.CharField(
                label=labels.get(code, code), max_length=200, required=False
            )
        self.languages = languages

    def titles(self) -> dict[str, str]:
        return {code: self.cleaned_data.get(f"title_{code}", "") for code in self.languages}


class ExportForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    format = forms.ChoiceField(
        label=_("File"), choices=MinutesFormat.choices, widget=forms.RadioSelect
    )
