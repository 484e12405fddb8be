"""Pages of the meeting in progress: the room (agenda, speakers' list, interpreters), the live
minutes, their export, and the projector.

Members see the room and the projector; only those who run the room (:func:`room.can_run_room`)
see its controls, and anything they post is checked again by the services.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from vecinos.assembly import minutes, queries_room, room
from vecinos.assembly.choices_room import MinutesFormat, SpeakerStatus
from vecinos.assembly.forms_room import (
    AttendanceForm,
    AttendeeForm,
    ExportForm,
    InterpretationForm,
    NotesForm,
    RoomSettingsForm,
    SpeakerForm,
    TranslationsForm,
)
from vecinos.assembly.projector import projection
from vecinos.core.htmx import htmx_partial
from vecinos.core.models import User
from vecinos.core.permissions import Capability, requires


def _room_url(meeting_id: int, item_id: int | None = None) -> str:
    url = reverse("assembly:room", kwargs={"meeting_id": meeting_id})
    return f"{url}?item={item_id}" if item_id else url


@requires(Capability.VIEW_ASSEMBLIES)
def room_view(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """The room: the agenda with the current item, the chosen item's speakers' list, and who
    interprets. POST (those who run the room): one change, then back here."""
    user: User = request.user  # type: ignore[assignment]
    meeting = queries_room.access_meeting_room(user, meeting_id)
    runs = room.can_run_room(user, meeting)
    items = queries_room.agenda_of(meeting)
    item = queries_room.chosen_item(items, request.GET.get("item") or request.POST.get("item"))
    members = queries_room.members_of(meeting)
    speaker_form = SpeakerForm(members=members)
    interpretation_form = InterpretationForm()
    if request.method == "POST":
        if not runs:
            raise PermissionDenied
        action = request.POST.get("action", "")
        if action == "add_speaker":
            speaker_form = SpeakerForm(request.POST, members=members)
        if action == "interpreter":
            interpretation_form = InterpretationForm(request.POST)
        done = _act(request, user, meeting, item, action, speaker_form, interpretation_form)
        if done is not None:
            return redirect(done)
    settings = room.room_settings(meeting)
    context: dict[str, Any] = {
        "meeting": meeting,
        "runs": runs,
        "items": items,
        "item": item,
        "settings": settings,
        "settings_form": RoomSettingsForm(
            initial={
                "progressive_stack": settings.progressive_stack,
                "names_in_minutes": settings.names_in_minutes,
            }
        ),
        "speaker_form": speaker_form,
        "interpretation_form": interpretation_form,
        "interpretations": queries_room.interpretations_of(meeting),
        "uncovered": [minutes.language_label(c) for c in room.uncovered_languages(meeting)],
        "translations_form": _translations_form(meeting, item),
    }
    if item is not None:
        context.update(queries_room.speakers_of(item, progressive=settings.progressive_stack))
    return render(request, "assembly/room/room.html", context)


def _translations_form(meeting: Any, item: Any) -> TranslationsForm | None:
    if item is None or not meeting.languages:
        return None
    existing = dict(item.translations.values_list("language", "title"))
    return TranslationsForm(
        languages=list(meeting.languages),
        initial={f"title_{code}": title for code, title in existing.items()},
    )


def _act(
    request: HttpRequest,
    user: User,
    meeting: Any,
    item: Any,
    action: str,
    speaker_form: SpeakerForm,
    interpretation_form: InterpretationForm,
) -> str | None:
    """Run one posted change; the address to go back to, or None to show the page again (with
    the form's errors)."""
    item_id = item.id if item is not None else None
    try:
        if action == "settings":
            form = RoomSettingsForm(request.POST)
            form.is_valid()  # two checkboxes: never invalid
            room.do_set_room_settings(user, meeting, **form.cleaned_data)
            messages.success(request, _("Room settings saved."))
        elif action == "interpreter":
            if not interpretation_form.is_valid():
                return None
            room.do_assign_interpreter(user, meeting, **interpretation_form.cleaned_data)
            messages.success(request, _("Interpreter added."))
        elif action == "remove_interpreter":
            assignment = queries_room.interpretation_in(meeting, request.POST.get("interpretation"))
            room.do_remove_interpretation(user, assignment)
        elif item is None:
            messages.error(request, _("Choose an agenda item first."))
        elif action == "start_item":
            room.do_start_item(user, meeting, item)
        elif action == "finish_item":
            room.do_finish_item(user, item)
        elif action == "add_speaker":
            if not speaker_form.is_valid():
                return None
            room.do_add_speaker(
                user,
                item,
                name=speaker_form.cleaned_data["name"],
                person=speaker_form.cleaned_data["person"],
            )
        elif action == "next_speaker":
            speaker = room.do_next_speaker(user, item)
            if speaker is None:
                messages.info(request, _("Nobody is waiting to speak."))
        elif action in {"up", "down", "withdraw"}:
            entry = queries_room.speaker_on(item, request.POST.get("entry"))
            if action == "withdraw":
                room.do_withdraw_speaker(user, entry)
            else:
                room.do_move_speaker(user, entry, up=action == "up")
        elif action == "translations":
            translations = TranslationsForm(request.POST, languages=list(meeting.languages))
            if translations.is_valid():
                room.do_save_item_translations(user, item, translations.titles())
                messages.success(request, _("Translations saved."))
        else:
            messages.error(request, _("Unknown action."))
    except room.RoomError as error:
        messages.error(request, str(error))
    return _room_url(meeting.id, item_id)


@requires(Capability.VIEW_ASSEMBLIES)
def minutes_view(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """The live minutes: attendance, notes per item, decisions, and the export. POST (those who
    run the room): save the attendance, a name, or one item's notes."""
    user: User = request.user  # type: ignore[assignment]
    meeting = queries_room.access_meeting_room(user, meeting_id)
    runs = room.can_run_room(user, meeting)
    items = queries_room.agenda_of(meeting)
    attendance_form = AttendanceForm(initial={"attendance_count": meeting.attendance_count})
    attendee_form = AttendeeForm()
    notes_errors: dict[int, NotesForm] = {}
    if request.method == "POST":
        if not runs:
            raise PermissionDenied
        action = request.POST.get("action", "")
        url = reverse("assembly:room_minutes", kwargs={"meeting_id": meeting.id})
        try:
            if action == "attendance":
                attendance_form = AttendanceForm(request.POST)
                if attendance_form.is_valid():
                    room.do_record_attendance(
                        user, meeting, attendance_form.cleaned_data["attendance_count"]
                    )
                    messages.success(request, _("Attendance saved."))
                    return redirect(url)
            elif action == "attendee":
                attendee_form = AttendeeForm(request.POST)
                if attendee_form.is_valid():
                    room.do_add_attendee(user, meeting, name=attendee_form.cleaned_data["name"])
                    return redirect(url)
            elif action == "remove_attendee":
                attendee = queries_room.attendee_in(meeting, request.POST.get("attendee"))
                room.do_remove_attendee(user, attendee)
                return redirect(url)
            elif action == "notes":
                item = queries_room.chosen_item(items, request.POST.get("item"))
                form = NotesForm(request.POST, prefix=f"item{item.id}" if item else None)
                if item is not None and form.is_valid():
                    room.do_save_item_notes(user, item, form.cleaned_data["notes"])
                    messages.success(request, _("Notes saved."))
                    return redirect(f"{url}#item-{item.id}")
                if item is not None:
                    notes_errors[item.id] = form
            else:
                messages.error(request, _("Unknown action."))
                return redirect(url)
        except room.RoomError as error:
            messages.error(request, str(error))
            return redirect(url)
    built = minutes.build_minutes(meeting, request.LANGUAGE_CODE)
    context: dict[str, Any] = {
        "meeting": meeting,
        "runs": runs,
        "minutes": built,
        "settings": room.room_settings(meeting),
        "attendees": queries_room.attendees_of(meeting),
        "attendance_form": attendance_form,
        "attendee_form": attendee_form,
        "notes": [
            (
                item,
                notes_errors.get(item.id)
                or NotesForm(prefix=f"item{item.id}", initial={"notes": item.notes}),
            )
            for item in items
        ],
        "export_form": ExportForm(initial={"language": request.LANGUAGE_CODE, "format": "pdf"}),
    }
    return render(request, "assembly/room/minutes.html", context)


@requires(Capability.VIEW_ASSEMBLIES)
def minutes_export(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """The minutes as a file (PDF or Markdown) in the chosen language; without a choice, the
    form to make one."""
    user: User = request.user  # type: ignore[assignment]
    meeting = queries_room.access_meeting_room(user, meeting_id)
    form = ExportForm(request.GET if request.GET else None)
    if not form.is_valid():
        return render(
            request, "assembly/room/export.html", {"meeting": meeting, "export_form": form}
        )
    built = minutes.build_minutes(meeting, form.cleaned_data["language"])
    queries_room.record_export(user, meeting, form.cleaned_data)
    if form.cleaned_data["format"] == MinutesFormat.PDF:
        response = HttpResponse(minutes.to_pdf(built), content_type="application/pdf")
        name = minutes.filename(built, "pdf")
    else:
        response = HttpResponse(
            minutes.to_markdown(built), content_type="text/markdown; charset=utf-8"
        )
        name = minutes.filename(built, "md")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@requires(Capability.VIEW_ASSEMBLIES)
def projector_view(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """The current item in large type, in the room's languages side by side; the page asks for
    a fresh copy every few seconds (htmx), and works as a plain page without it."""
    user: User = request.user  # type: ignore[assignment]
    meeting = queries_room.access_meeting_room(user, meeting_id)
    context = {"p": projection(meeting), "speaking_status": SpeakerStatus.SPEAKING}
    if htmx_partial(request):
        return render(request, "assembly/room/partials/projector.html", context)
    return render(request, "assembly/room/projector.html", context)
