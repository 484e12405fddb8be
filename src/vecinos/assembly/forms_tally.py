"""The form of the paper-ballot upload page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vecinos.assembly.ballots import GapRule
from vecinos.assembly.paper import MAX_UPLOAD_BYTES, PaperMethod, parse_options


class FieldGroup:
    """Some of a form's fields, shaped like a form for ``vecinos/form_fields.html``."""

    def __init__(self, form: forms.Form, names: tuple[str, ...], *, errors: bool) -> None:
        self.form = form
        self.names = names
        self.show_errors = errors

    def hidden_fields(self) -> list[forms.BoundField]:
        return []

    def visible_fields(self) -> list[forms.BoundField]:
        return [self.form[name] for name in self.names]

    def non_field_errors(self) -> Any:
        return self.form.non_field_errors() if self.show_errors else ""

    @property
    def has_errors(self) -> bool:
        return any(self.form[name].errors for name in self.names)


class TallyForm(forms.Form):
    method = forms.TypedChoiceField(
        label=_("How to count"),
        choices=[(m.value, m.label) for m in PaperMethod],
        coerce=PaperMethod,
        initial=PaperMethod.IRV.value,
    )
    file = forms.FileField(
        label=_("Ballots (CSV file)"),
        help_text=_(
            "One row per ballot. Ranked ballots: columns rank1, rank2, and so on, a blank cell is "
            "a skipped ranking. Score ballots: one column per option, a whole number or blank."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv,text/plain"}),
    )
    options = forms.CharField(
        label=_("Options (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line. When given, any other name on a ballot is an error."),
    )
    lot = forms.CharField(
        label=_("Lots drawn for ties (optional)"),
        required=False,
        max_length=2000,
        help_text=_(
            "The options in the order they were drawn, separated by commas: the first drawn is "
            "eliminated first when a tie remains in every round."
        ),
    )
    low = forms.IntegerField(label=_("Lowest score"), initial=0, min_value=-100, max_value=100)
    high = forms.IntegerField(label=_("Highest score"), initial=5, min_value=-100, max_value=100)
    gaps = forms.TypedChoiceField(
        label=_("A blank ranking before a choice"),
        choices=[
            (GapRule.SKIP.value, _("Skip it: the next choice moves up")),
            (GapRule.ERROR.value, _("Refuse the ballot")),
        ],
        coerce=GapRule,
        initial=GapRule.SKIP.value,
    )

    BASIC = ("method", "file")
    MORE = ("options", "lot", "low", "high", "gaps")

    def basic(self) -> FieldGroup:
        return FieldGroup(self, self.BASIC, errors=True)

    def more(self) -> FieldGroup:
        """Options most counts do not need, shown folded unless one of them has an error."""
        return FieldGroup(self, self.MORE, errors=False)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is too large (at most %(megabytes)s MB).")
                % {"megabytes": MAX_UPLOAD_BYTES // (1024 * 1024)}
            )
        return upload

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        low, high = cleaned.get("low"), cleaned.get("high")
        if low is not None and high is not None and low >= high:
            self.add_error("high", _("The highest score must be above the lowest."))
        cleaned["options"] = parse_options(cleaned.get("options") or "")
        cleaned["lot"] = parse_options(cleaned.get("lot") or "")
        return cleaned
