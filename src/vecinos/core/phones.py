"""Phone numbers: one normal form (E.164) before anything is stored, hashed or sent."""

from __future__ import annotations

from typing import Any

import phonenumbers
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

# Longer input is not a phone number; refusing early keeps odd or hostile text out of the parser.
MAX_INPUT_LENGTH = 40


class InvalidPhoneNumberError(ValueError):
    """The text is not a valid phone number for its region; the message is shown to people."""


def normalize_phone(raw: str, region: str | None = None) -> str:
    """Return ``raw`` as E.164 (``+12135550123``).

    Raises:
        InvalidPhoneNumberError: empty, too long, unparsable, or not a valid number in ``region``.
    """
    text = (raw or "").strip()
    if not text:
        raise InvalidPhoneNumberError(_("Enter a phone number."))
    if len(text) > MAX_INPUT_LENGTH:
        raise InvalidPhoneNumberError(_("That is too long to be a phone number."))
    try:
        number = phonenumbers.parse(text, region or settings.VECINOS_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        raise InvalidPhoneNumberError(_("That is not a phone number.")) from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhoneNumberError(_("That phone number does not exist. Check the digits."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(e164: str) -> str:
    """A number formatted for reading: national form at home, international otherwise."""
    if not e164:
        return ""
    number = phonenumbers.parse(e164, None)
    if phonenumbers.region_code_for_number(number) == settings.VECINOS_DEFAULT_REGION:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


class PhoneNumberField(forms.CharField):
    """Form field that cleans to E.164 and turns a bad number into a form error."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", MAX_INPUT_LENGTH)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("type", "tel")
        self.widget.attrs.setdefault("autocomplete", "tel")
        self.widget.input_type = "tel"

    def clean(self, value: Any) -> str:
        value = super().clean(value)
        if value in self.empty_values:
            return ""
        try:
            return normalize_phone(value)
        except InvalidPhoneNumberError as exc:
            raise forms.ValidationError(str(exc), code="invalid_phone") from None
