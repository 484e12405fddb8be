from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from vecinos.core.choices import Role
from vecinos.core.models import User
from vecinos.shifts.choices import Weekday
from vecinos.shifts.models import Shift
from vecinos.shifts.queries import Occurrence, dispatchers, language_labels, languages_of
from vecinos.shifts.services import NOTE_MAX_LENGTH


class DispatcherChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    """Dispatchers as checkboxes, each with the languages they speak."""

    def label_from_instance(self, obj: Any) -> str:
        spoken = ", ".join(language_labels(languages_of(obj)))
        return f"{obj.display_name} ({spoken})" if spoken else str(obj.display_name)


class ShiftForm(forms.Form):
    name = forms.CharField(
        label=_("Name (optional)"),
        max_length=60,
        required=False,
        help_text=Shift._meta.get_field("name").help_text,
    )
    weekday = forms.TypedChoiceField(label=_("Day"), choices=Weekday.choices, coerce=int)
    starts_at = forms.TimeField(
        label=_("Starts"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    ends_at = forms.TimeField(
        label=_("Ends"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("An end at or before the start is on the next day."),
    )
    dispatchers = DispatcherChoiceField(
        label=_("Dispatchers"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dispatchers"].queryset = dispatchers()  # type: ignore[attr-defined]

    @classmethod
    def initial_for(cls, shift: Shift) -> dict[str, Any]:
        return {
            "name": shift.name,
            "weekday": shift.weekday,
            "starts_at": shift.starts_at,
            "ends_at": shift.ends_at,
            "dispatchers": list(shift.dispatchers.all()),
        }


def occurrence_choices(found: list[Occurrence]) -> list[tuple[str, str]]:
    """Occurrences as choices, labelled with their local day and times."""
    choices = []
    for o in found:
        start, end = timezone.localtime(o.start), timezone.localtime(o.end)
        label = f"{formats.date_format(start, 'D j M, H:i')}\u2013{formats.time_format(end, 'H:i')}"
        if o.shift.name:
            label = f"{label} · {o.shift.name}"
        choices.append((o.key, label))
    return choices


def parse_occurrence_key(key: str) -> tuple[int, date] | None:
    """``"<shift id>:<YYYY-MM-DD>"`` as (shift id, day), or None if malformed."""
    shift_id, _sep, day = key.partition(":")
    if not shift_id.isdigit() or len(shift_id) > 18:
        return None
    try:
        return int(shift_id), date.fromisoformat(day)
    except ValueError:
        return None


class OfferSwapForm(forms.Form):
    """Offer one of my coming occurrences, with an optional note for colleagues."""

    occurrence = forms.ChoiceField(label=_("Which shift"))
    note = forms.CharField(
        label=_("Note for colleagues (optional)"),
        max_length=NOTE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, mine: list[Occurrence], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["occurrence"].choices = occurrence_choices(mine)  # type: ignore[attr-defined]


class CoverForm(forms.Form):
    """A coordinator puts one dispatcher on an occurrence instead of another."""

    occurrence = forms.ChoiceField(label=_("Which shift"))
    replaced = forms.ModelChoiceField(
        label=_("Dispatcher who cannot come"), queryset=User.objects.none()
    )
    cover = forms.ModelChoiceField(label=_("Dispatcher who covers"), queryset=User.objects.none())

    def __init__(self, *args: Any, upcoming: list[Occurrence], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["occurrence"].choices = occurrence_choices(upcoming)  # type: ignore[attr-defined]
        # The one who cannot come may since have lost the role; the cover must hold it.
        everyone = User.objects.filter(role_assignments__role=Role.DISPATCHER).order_by(
            "display_name", "id"
        )
        self.fields["replaced"].queryset = everyone  # type: ignore[attr-defined]
        self.fields["cover"].queryset = dispatchers()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("replaced") and data.get("replaced") == data.get("cover"):
            self.add_error("cover", _("Choose someone else to cover."))
        return data


class FallbackAddForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Account"), queryset=User.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = (  # type: ignore[attr-defined]
            User.objects.filter(
                is_active=True,
                role_assignments__role__in=[Role.COORDINATOR, Role.DISPATCHER],
                fallback_contact__isnull=True,
            )
            .distinct()
            .order_by("display_name", "id")
        )
