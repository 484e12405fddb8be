"""Forms for bodies, members, meetings, agendas, attachments and time polls. Each refuses bad
input with a message that says what to fix."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vecinos.assembly import services
from vecinos.assembly.choices import (
    CHILD_KINDS,
    AssemblyKind,
    MemberRole,
    QuorumKind,
    SlotAnswer,
)
from vecinos.assembly.models import AgendaItem, Assembly, Meeting, TimePoll
from vecinos.organizing.choices import SpokenLanguage
from vecinos.organizing.models import Person

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _languages_field(
    label: StrOrPromise, help_text: StrOrPromise = ""
) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        choices=SpokenLanguage.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=help_text,
    )


class AssemblyForm(forms.ModelForm[Assembly]):
    languages = _languages_field(_("Languages of the room"))

    class Meta:
        model = Assembly
        fields = (
            "name",
            "kind",
            "sanctuary_place_kind",
            "parent",
            "languages",
            "quorum_kind",
            "quorum_value",
            "allow_proxy",
            "secret_ballot_default",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parents = Assembly.objects.exclude(kind__in=CHILD_KINDS)
        if self.instance.id:
            parents = parents.exclude(id=self.instance.id)
        self.fields["parent"].queryset = parents  # type: ignore[attr-defined]
        self.fields["parent"].help_text = _(
            "A working group or breakout group belongs to an assembly; a sanctuary team may "
            "report to one."
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        if kind in CHILD_KINDS and not data.get("parent"):
            self.add_error("parent", _("A working group or breakout group belongs to an assembly."))
        if data.get("sanctuary_place_kind") and kind != AssemblyKind.SANCTUARY_TEAM:
            self.add_error(
                "sanctuary_place_kind", _("Only a sanctuary team is based at a sanctuary place.")
            )
        quorum_kind, value = data.get("quorum_kind"), data.get("quorum_value") or 0
        if quorum_kind in (QuorumKind.COUNT, QuorumKind.PERCENT) and value < 1:
            self.add_error("quorum_value", _("Give the quorum: at least 1."))
        if quorum_kind == QuorumKind.PERCENT and value > 100:
            self.add_error("quorum_value", _("A percent is at most 100."))
        return data


class MemberForm(forms.Form):
    person = forms.ModelChoiceField(label=_("Person"), queryset=Person.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=MemberRole.choices, initial=MemberRole.MEMBER)

    def __init__(self, *args: Any, assembly: Assembly, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = Person.objects.exclude(  # type: ignore[attr-defined]
            assembly_memberships__assembly=assembly
        )
        self.fields["person"].error_messages["invalid_choice"] = _(
            "Choose a person from the list; members already in this body are not listed."
        )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=MemberRole.choices)


class MeetingForm(forms.ModelForm[Meeting]):
    languages = _languages_field(_("Languages of the room"))
    interpretation_needed = _languages_field(
        _("Interpretation needed into"), _("Languages someone must interpret into.")
    )
    online_link = forms.URLField(label=_("Online link"), required=False, assume_scheme="https")

    class Meta:
        model = Meeting
        fields = (
            "title",
            "starts_at",
            "ends_at",
            "place",
            "online_link",
            "languages",
            "interpretation_needed",
        )
        widgets = {"starts_at": DATETIME, "ends_at": DATETIME}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The meeting must end after it starts."))
        if not data.get("place") and not data.get("online_link"):
            self.add_error("place", _("Say where: a place, an online link, or both."))
        return data


class AgendaItemForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    time_box_minutes = forms.IntegerField(
        label=_("Minutes"),
        min_value=1,
        max_value=600,
        initial=10,
        help_text=_("How long this item may take."),
    )
    presenter = forms.ModelChoiceField(
        label=_("Presenter"), queryset=Person.objects.none(), required=False
    )

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["presenter"].queryset = Person.objects.filter(  # type: ignore[attr-defined]
            assembly_memberships__assembly_id=meeting.assembly_id
        )
        self.fields["presenter"].help_text = _("A member of %(body)s.") % {
            "body": meeting.assembly.name
        }


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"))
    agenda_item = forms.ModelChoiceField(
        label=_("For agenda item"), queryset=AgendaItem.objects.none(), required=False
    )

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agenda_item"].queryset = meeting.agenda_items.all()  # type: ignore[attr-defined]
        self.fields["file"].help_text = _("At most %(limit)s MB. Allowed: %(kinds)s.") % {
            "limit": settings.ASSEMBLY_ATTACHMENT_MAX_BYTES // 1024 // 1024,
            "kinds": services.allowed_extensions(),
        }

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        try:
            services.check_upload(upload)
        except services.AssemblyError as exc:
            raise forms.ValidationError(str(exc)) from None
        return upload


class TimePollForm(forms.Form):
    title = forms.CharField(
        label=_("What for"), max_length=200, help_text=_("For example “Assembly in December”.")
    )
    minutes = forms.IntegerField(
        label=_("How long (minutes)"), min_value=15, max_value=600, initial=90
    )
    closes_at = forms.DateTimeField(
        label=_("Answers until"),
        required=False,
        widget=DATETIME,
        help_text=_("Empty: until a facilitator closes the poll."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for number in range(1, services.MAX_SLOTS + 1):
            self.fields[f"slot_{number}"] = forms.DateTimeField(
                label=_("Time %(number)s") % {"number": number},
                required=False,
                widget=DATETIME,
            )

    def slot_fields(self) -> list[forms.BoundField]:
        return [self[f"slot_{n}"] for n in range(1, services.MAX_SLOTS + 1)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts: list[datetime] = [
            data[f"slot_{n}"] for n in range(1, services.MAX_SLOTS + 1) if data.get(f"slot_{n}")
        ]
        if len(starts) < 2:
            raise forms.ValidationError(_("Propose at least two times."))
        if len(set(starts)) != len(starts):
            raise forms.ValidationError(_("The same time is proposed twice."))
        now = timezone.now()
        if any(start <= now for start in starts):
            raise forms.ValidationError(_("Every proposed time must be in the future."))
        closes = data.get("closes_at")
        if closes is not None and closes <= now:
            self.add_error("closes_at", _("Answers must close in the future."))
        minutes = data.get("minutes") or 0
        data["slots"] = [
            services.SlotInput(start, start + timedelta(minutes=minutes)) for start in starts
        ]
        return data


class TimeAnswerForm(forms.Form):
    """One yes / if need be / no per proposed time."""

    def __init__(self, *args: Any, poll: TimePoll, initial_answers: dict[int, str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.slots = list(poll.slots.all())
        for slot in self.slots:
            self.fields[f"slot_{slot.id}"] = forms.ChoiceField(
                label=str(slot),
                choices=SlotAnswer.choices,
                widget=forms.RadioSelect,
                initial=initial_answers.get(slot.id),
                error_messages={"required": _("Answer this time: yes, if need be, or no.")},
            )

    def answers(self) -> dict[int, str]:
        return {slot.id: self.cleaned_data[f"slot_{slot.id}"] for slot in self.slots}

    def rows(self) -> list[tuple[Any, forms.BoundField]]:
        return [(slot, self[f"slot_{slot.id}"]) for slot in self.slots]


def people_in(assembly: Assembly) -> QuerySet[Person]:
    return Person.objects.filter(assembly_memberships__assembly=assembly)
