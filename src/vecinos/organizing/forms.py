from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vecinos.core.phones import PhoneNumberField
from vecinos.messaging.choices import Channel, ConsentMethod
from vecinos.organizing.choices import CircleKind, SpokenLanguage, Stage
from vecinos.organizing.jobs import MAX_UPLOAD_BYTES
from vecinos.organizing.models import Circle, Person
from vecinos.places.models import Zone


class PersonForm(forms.Form):
    full_name = forms.CharField(label=_("Name"), max_length=150)
    phone = PhoneNumberField(label=_("Phone"), required=False)
    email = forms.EmailField(label=_("E-mail"), required=False, max_length=254)
    preferred_language = forms.ChoiceField(
        label=_("Language for messages"), choices=settings.LANGUAGES, initial="es"
    )
    preferred_channel = forms.ChoiceField(
        label=_("How to reach them"), choices=Channel.choices, initial=Channel.SMS
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages spoken"),
        choices=SpokenLanguage.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    zone = forms.ModelChoiceField(
        label=_("Zone"),
        queryset=Zone.objects.filter(kind="neighborhood"),  # not wards or precincts
        required=False,
        help_text=_("The neighborhood where they can respond. Never write down a home address."),
    )

    def clean_full_name(self) -> str:
        name: str = self.cleaned_data["full_name"].strip()
        if not name:
            raise forms.ValidationError(_("Enter a name."))
        return name


class PeopleSearchForm(forms.Form):
    name = forms.CharField(label=_("Name"), required=False, max_length=150)
    phone = PhoneNumberField(label=_("Exact phone number"), required=False)
    stage = forms.ChoiceField(
        label=_("Stage"), required=False, choices=[("", _("Any stage")), *Stage.choices]
    )


class ConsentForm(forms.Form):
    """A person's yes or no to one channel, and how they gave it."""

    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    answer = forms.ChoiceField(
        label=_("Answer"), choices=[("yes", _("Yes, they agree")), ("no", _("No, they refuse"))]
    )
    method = forms.ChoiceField(label=_("How they answered"), choices=ConsentMethod.choices)


class StageForm(forms.Form):
    """A step on the ladder, dated (today by default; never in the future)."""

    stage = forms.ChoiceField(label=_("Stage"), choices=Stage.choices)
    on = forms.DateField(
        label=_("On"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for today."),
    )

    def clean_on(self) -> date | None:
        on: date | None = self.cleaned_data.get("on")
        if on is not None and on > timezone.localdate():
            raise forms.ValidationError(_("A step cannot be in the future."))
        return on

    def at(self) -> datetime | None:
        """The step's moment: noon of the chosen day, or None for now."""
        on: date | None = self.cleaned_data.get("on")
        if on is None or on == timezone.localdate():
            return None
        return timezone.make_aware(datetime.combine(on, time(12)))


class CircleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    kind = forms.ChoiceField(label=_("Kind"), choices=CircleKind.choices, initial=CircleKind.OTHER)

    def __init__(self, *args: Any, circle: Circle | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.circle = circle

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Enter a name."))
        taken = Circle.objects.filter(name__iexact=name)
        if self.circle is not None:
            taken = taken.exclude(id=self.circle.id)
        if taken.exists():
            raise forms.ValidationError(_("There is already a circle with this name."))
        return name


class PersonPickField(forms.CharField):
    """A person by their exact name, or by their number as shown on their page (#123)."""

    def to_python(self, value: Any) -> Person | None:  # type: ignore[override]
        text = (super().to_python(value) or "").strip()
        if not text:
            return None
        if text.startswith("#") and text[1:].isdigit():
            found = list(Person.objects.filter(id=int(text[1:]))[:1])
            if not found:
                raise forms.ValidationError(
                    _("No one has the number %(number)s.") % {"number": text}
                )
            return found[0]
        matches = list(Person.objects.filter(full_name__iexact=text)[:2])
        if not matches:
            raise forms.ValidationError(
                _("No one has this name. Check the spelling on the list of people.")
            )
        if len(matches) > 1:
            raise forms.ValidationError(
                _("Several people have this name: write the number on their page instead (#123).")
            )
        return matches[0]


class MemberForm(forms.Form):
    """Add someone to a circle (from the circle's page)."""

    person = PersonPickField(
        label=_("Person"), help_text=_("Their full name, or their number from their page (#123).")
    )
    vouches = forms.BooleanField(label=_("Vouches for the circle"), required=False)


class JoinCircleForm(forms.Form):
    """Put a person in a circle (from the person's page)."""

    circle = forms.ModelChoiceField(label=_("Circle"), queryset=Circle.objects.all())
    vouches = forms.BooleanField(label=_("Vouches for the circle"), required=False)


class BroughtByForm(forms.Form):
    brought_by = PersonPickField(
        label=_("Brought in by"),
        required=False,
        help_text=_(
            "Their full name, or their number from their page (#123). Leave empty if nobody knows."
        ),
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Vecinos' columns (name, phone, email, languages, zone or zip, roles, stage, circles) "
            "or an Action Network activist export, saved as CSV UTF-8."
        ),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        if not upload.name.lower().endswith((".csv", ".txt")):
            raise forms.ValidationError(
                _("Choose a .csv file (save the spreadsheet as CSV UTF-8).")
            )
        return upload
