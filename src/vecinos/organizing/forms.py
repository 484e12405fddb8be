from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from vecinos.core.phones import PhoneNumberField
from vecinos.messaging.choices import Channel, ConsentMethod
from vecinos.organizing.choices import SpokenLanguage
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
        queryset=Zone.objects.all(),
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


class ConsentForm(forms.Form):
    """A person's yes or no to one channel, and how they gave it."""

    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    answer = forms.ChoiceField(
        label=_("Answer"), choices=[("yes", _("Yes, they agree")), ("no", _("No, they refuse"))]
    )
    method = forms.ChoiceField(label=_("How they answered"), choices=ConsentMethod.choices)
