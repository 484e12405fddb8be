"""Pages for the assembly's bodies, membership, meetings, agendas, attachments, time polls and
calendar link. Thin: reads come from queries, changes from services; each page checks the body's
own rules (``Assembly.can_run``/``can_manage``) on top of its capability."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from vecinos.assembly import feeds, queries, services
from vecinos.assembly.forms import (
    AgendaItemForm,
    AssemblyForm,
    AttachmentForm,
    MeetingForm,
    MemberForm,
    RoleForm,
    TimeAnswerForm,
    TimePollForm,
)
from vecinos.assembly.models import Assembly, Meeting, TimeSlot
from vecinos.core.models import User
from vecinos.core.permissions import Capability, requires


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _posted_id(request: HttpRequest, name: str) -> int:
    """An id from the posted form; 0 (found nowhere) for anything that is not a number."""
    value = request.POST.get(name, "")
    return int(value) if value.isdigit() and len(value) < 12 else 0


def _refuse_unless(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


# --- Bodies ------------------------------------------------------------------------------------


@requires(Capability.VIEW_ASSEMBLIES)
@require_safe
def assembly_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    return render(
        request,
        "assembly/list.html",
        {
            "tree": queries.body_tree(),
            "mine": queries.my_bodies(user),
            "meetings": queries.upcoming_meetings(),
            "can_manage": Assembly().can_manage(user),
        },
    )


BODY_FIELDS = services.BODY_FIELDS


@requires(Capability.MANAGE_ASSEMBLIES)
def body_create(request: HttpRequest) -> HttpResponse:
    form = AssemblyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            body = services.do_create_assembly(
                _user(request), **{name: form.cleaned_data[name] for name in BODY_FIELDS}
            )
        except services.AssemblyError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("%(name)s created.") % {"name": body.name})
            return redirect("assembly:body_detail", body_id=body.id)
    return render(request, "assembly/body_form.html", {"form": form, "body": None})


@requires(Capability.MANAGE_ASSEMBLIES)
def body_edit(request: HttpRequest, body_id: int) -> HttpResponse:
    user = _user(request)
    body = queries.access_body(user, body_id)
    _refuse_unless(body.can_manage(user))
    form = AssemblyForm(request.POST or None, instance=body)
    if request.method == "POST" and form.is_valid():
        fresh = Assembly.objects.get(id=body.id)
        try:
            services.do_update_assembly(
                user, fresh, **{name: form.cleaned_data[name] for name in BODY_FIELDS}
            )
        except services.AssemblyError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Saved."))
            return redirect("assembly:body_detail", body_id=body.id)
    return render(request, "assembly/body_form.html", {"form": form, "body": body})


@requires(Capability.VIEW_ASSEMBLIES)
def body_detail(request: HttpRequest, body_id: int) -> HttpResponse:
    """A body: what it is, its groups, meetings, time polls, and (for its members and those who
    run it) who is in it. Managers change a member's role or remove them here."""
    user = _user(request)
    body = queries.access_body(user, body_id)
    if request.method == "POST":
        membership = get_object_or_404(
            body.memberships.select_related("person"), id=_posted_id(request, "membership")
        )
        if request.POST.get("action") == "remove":
            services.do_remove_member(user, membership)
            messages.success(
                request, _("%(name)s is no longer a member.") % {"name": membership.person}
            )
        else:
            form = RoleForm(request.POST)
            if form.is_valid():
                services.do_change_member_role(user, membership, form.cleaned_data["role"])
                messages.success(request, _("Role changed."))
            else:
                messages.error(request, _("Choose a role from the list."))
        return redirect("assembly:body_detail", body_id=body.id)
    see_members = queries.may_see_members(user, body)
    return render(
        request,
        "assembly/body_detail.html",
        {
            "body": body,
            "children": body.children.order_by("name", "id"),
            "members": queries.members_of(body) if see_members else None,
            "member_count": body.member_count(),
            "meetings": body.meetings.order_by("-starts_at", "-id")[:20],
            "polls": queries.open_polls(body),
            "can_manage": body.can_manage(user),
            "can_run": body.can_run(user),
            "my_role": body.role_of(user),
            "role_form": RoleForm(),
        },
    )


@requires(Capability.MANAGE_ASSEMBLIES)
def member_add(request: HttpRequest, body_id: int) -> HttpResponse:
    user = _user(request)
    body = queries.access_body(user, body_id)
    _refuse_unless(body.can_manage(user))
    form = MemberForm(request.POST or None, assembly=body)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_add_member(
                user, body, form.cleaned_data["person"], form.cleaned_data["role"]
            )
        except services.AssemblyError as exc:
            form.add_error("person", str(exc))
        else:
            messages.success(request, _("%(name)s added.") % {"name": form.cleaned_data["person"]})
            return redirect("assembly:body_detail", body_id=body.id)
    return render(request, "assembly/member_add.html", {"form": form, "body": body})


# --- Meetings and agendas ----------------------------------------------------------------------

MEETING_FIELDS = services.MEETING_FIELDS


@requires(Capability.VIEW_ASSEMBLIES)
def meeting_create(request: HttpRequest, body_id: int) -> HttpResponse:
    user = _user(request)
    body = queries.access_body(user, body_id)
    _refuse_unless(body.can_run(user))
    form = MeetingForm(request.POST or None, initial={"languages": body.languages})
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.do_create_meeting(
                user, body, **{name: form.cleaned_data[name] for name in MEETING_FIELDS}
            )
        except services.AssemblyError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Meeting scheduled. Add its agenda, then invite members."))
            return redirect("assembly:meeting_detail", meeting_id=meeting.id)
    return render(
        request, "assembly/meeting_form.html", {"form": form, "body": body, "meeting": None}
    )


@requires(Capability.VIEW_ASSEMBLIES)
def meeting_edit(request: HttpRequest, meeting_id: int) -> HttpResponse:
    user = _user(request)
    meeting = queries.access_meeting(user, meeting_id)
    _refuse_unless(meeting.assembly.can_run(user))
    form = MeetingForm(request.POST or None, instance=meeting)
    if request.method == "POST" and form.is_valid():
        fresh = Meeting.objects.select_related("assembly").get(id=meeting.id)
        try:
            services.do_update_meeting(
                user, fresh, **{name: form.cleaned_data[name] for name in MEETING_FIELDS}
            )
        except services.AssemblyError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Saved."))
            return redirect("assembly:meeting_detail", meeting_id=meeting.id)
    return render(
        request,
        "assembly/meeting_form.html",
        {"form": form, "body": meeting.assembly, "meeting": meeting},
    )


@requires(Capability.VIEW_ASSEMBLIES)
def meeting_detail(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """A meeting: when and where, languages, its agenda with time boxes, presenters and files.
    Those who run it reorder the agenda, remove files and send the invitations here."""
    user = _user(request)
    meeting = queries.access_meeting(user, meeting_id)
    can_run = meeting.assembly.can_run(user)
    if request.method == "POST":
        _refuse_unless(can_run)
        action = request.POST.get("action", "")
        try:
            if action == "invite":
                queued = services.do_send_invitations(user, meeting)
                messages.success(
                    request,
                    ngettext(
                        "%(count)s invitation queued, in the member's language and channel.",
                        "%(count)s invitations queued, each in the member's language and channel.",
                        queued,
                    )
                    % {"count": queued},
                )
            elif action in ("up", "down"):
                item = get_object_or_404(meeting.agenda_items, id=_posted_id(request, "item"))
                services.do_move_agenda_item(user, item, -1 if action == "up" else 1)
            elif action == "remove_file":
                attachment = get_object_or_404(
                    meeting.attachments, id=_posted_id(request, "attachment")
                )
                services.do_remove_attachment(user, attachment)
                messages.success(request, _("File removed."))
        except services.AssemblyError as exc:
            messages.error(request, str(exc))
        return redirect("assembly:meeting_detail", meeting_id=meeting.id)
    agenda = queries.agenda_of(meeting)
    return render(
        request,
        "assembly/meeting_detail.html",
        {
            "meeting": meeting,
            "body": meeting.assembly,
            "agenda": agenda,
            "total_minutes": sum(item.time_box_minutes for item in agenda),
            "files": meeting.attachments.filter(agenda_item__isnull=True),
            "may_open_files": queries.may_open_attachments(user, meeting),
            "can_run": can_run,
            "invited": meeting.notices.filter(kind="invitation").count(),
        },
    )


@requires(Capability.VIEW_ASSEMBLIES)
def agenda_item_add(request: HttpRequest, meeting_id: int) -> HttpResponse:
    user = _user(request)
    meeting = queries.access_meeting(user, meeting_id)
    _refuse_unless(meeting.assembly.can_run(user))
    form = AgendaItemForm(request.POST or None, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_add_agenda_item(user, meeting, **form.cleaned_data)
        except services.AssemblyError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Agenda item added."))
            if request.POST.get("another"):
                return redirect("assembly:agenda_item_add", meeting_id=meeting.id)
            return redirect("assembly:meeting_detail", meeting_id=meeting.id)
    return render(
        request, "assembly/agenda_item_form.html", {"form": form, "meeting": meeting, "item": None}
    )


@requires(Capability.VIEW_ASSEMBLIES)
def agenda_item_edit(request: HttpRequest, item_id: int) -> HttpResponse:
    user = _user(request)
    item = queries.access_agenda_item(user, item_id)
    meeting = item.meeting
    if request.method == "POST" and request.POST.get("action") == "delete":
        services.do_remove_agenda_item(user, item)
        messages.success(request, _("Agenda item removed."))
        return redirect("assembly:meeting_detail", meeting_id=meeting.id)
    form = AgendaItemForm(
        request.POST or None,
        meeting=meeting,
        initial={
            "title": item.title,
            "time_box_minutes": item.time_box_minutes,
            "presenter": item.presenter_id,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.do_update_agenda_item(user, item, **form.cleaned_data)
        except services.AssemblyError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Saved."))
            return redirect("assembly:meeting_detail", meeting_id=meeting.id)
    return render(
        request, "assembly/agenda_item_form.html", {"form": form, "meeting": meeting, "item": item}
    )


@requires(Capability.VIEW_ASSEMBLIES)
def attachment_add(request: HttpRequest, meeting_id: int) -> HttpResponse:
    user = _user(request)
    meeting = queries.access_meeting(user, meeting_id)
    _refuse_unless(meeting.assembly.can_run(user))
    form = AttachmentForm(request.POST or None, request.FILES or None, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_attach_file(
                user,
                meeting,
                form.cleaned_data["file"],
                agenda_item=form.cleaned_data["agenda_item"],
            )
        except services.AssemblyError as exc:
            form.add_error("file", str(exc))
        else:
            messages.success(request, _("File attached."))
            return redirect("assembly:meeting_detail", meeting_id=meeting.id)
    return render(request, "assembly/attachment_form.html", {"form": form, "meeting": meeting})


@requires(Capability.VIEW_ASSEMBLIES)
@require_safe
def attachment(request: HttpRequest, attachment_id: int) -> FileResponse:
    """A meeting's file, for its body's members and those who run it. Always a download (never
    shown inline), with its type fixed, so a file cannot act as a page of this site."""
    found = queries.access_attachment(_user(request), attachment_id)
    response = FileResponse(
        found.file.open("rb"),
        as_attachment=True,
        filename=found.name,
        content_type=found.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- Time polls --------------------------------------------------------------------------------


@requires(Capability.VIEW_ASSEMBLIES)
def poll_create(request: HttpRequest, body_id: int) -> HttpResponse:
    user = _user(request)
    body = queries.access_body(user, body_id)
    _refuse_unless(body.can_run(user))
    form = TimePollForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            poll = services.do_create_time_poll(
                user,
                body,
                title=form.cleaned_data["title"],
                slots=form.cleaned_data["slots"],
                closes_at=form.cleaned_data["closes_at"],
            )
        except services.AssemblyError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Time poll started. Send it to members when ready."))
            return redirect("assembly:poll_detail", poll_id=poll.id)
    return render(request, "assembly/poll_form.html", {"form": form, "body": body})


@requires(Capability.VIEW_ASSEMBLIES)
def poll_detail(request: HttpRequest, poll_id: int) -> HttpResponse:
    """A time poll: a member answers yes / if need be / no for each time; everyone sees the
    counts and the ranking; those who run the body send it by text, close it, or schedule the
    meeting at the chosen time."""
    user = _user(request)
    poll = queries.access_poll(user, poll_id)
    body = poll.assembly
    person = queries.person_of(user)
    can_run = body.can_run(user)
    form = TimeAnswerForm(poll=poll, initial_answers=queries.answers_of(poll, person))
    if request.method == "POST":
        action = request.POST.get("action", "answer")
        try:
            if action == "answer":
                form = TimeAnswerForm(
                    request.POST, poll=poll, initial_answers=queries.answers_of(poll, person)
                )
                if form.is_valid():
                    services.do_answer_time_poll(user, poll, form.answers())
                    messages.success(request, _("Your answers are saved."))
                    return redirect("assembly:poll_detail", poll_id=poll.id)
            else:
                _refuse_unless(can_run)
                if action == "send":
                    queued = services.do_send_time_poll(user, poll)
                    messages.success(
                        request,
                        ngettext("%(count)s message queued.", "%(count)s messages queued.", queued)
                        % {"count": queued},
                    )
                elif action == "close":
                    services.do_close_time_poll(user, poll)
                    messages.success(request, _("Time poll closed."))
                elif action == "schedule":
                    slot = get_object_or_404(TimeSlot, poll=poll, id=_posted_id(request, "slot"))
                    meeting = services.do_schedule_from_poll(
                        user, poll, slot, place=request.POST.get("place", "")[:300]
                    )
                    messages.success(request, _("Meeting scheduled at the chosen time."))
                    return redirect("assembly:meeting_edit", meeting_id=meeting.id)
                return redirect("assembly:poll_detail", poll_id=poll.id)
        except services.AssemblyError as exc:
            if action == "answer":
                form.add_error(None, str(exc))
            else:
                messages.error(request, str(exc))
                return redirect("assembly:poll_detail", poll_id=poll.id)
    is_member = person is not None and services.is_member(body, person)
    return render(
        request,
        "assembly/poll_detail.html",
        {
            "poll": poll,
            "body": body,
            "form": form,
            "results": queries.ranked_slots(poll),
            "answered": queries.answered_count(poll),
            "member_count": body.member_count(),
            "is_member": is_member,
            "can_run": can_run,
            "is_open": poll.is_open(),
        },
    )


# --- Calendar ----------------------------------------------------------------------------------


@requires(Capability.VIEW_ASSEMBLIES)
def calendar_link(request: HttpRequest) -> HttpResponse:
    """The account's meeting calendar link, shown once when made (only its keyed hash is kept)."""
    user = _user(request)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    context: dict[str, Any] = {"feed_link": queries.feed_link_of(user)}
    if action == "new":
        token = services.do_new_feed_link(user)
        url = settings.PUBLIC_URL + reverse("assembly:feed", kwargs={"token": token})
        context = {
            "feed_link": queries.feed_link_of(user),
            "new_url": url,
            "webcal_url": "webcal://" + url.split("://", 1)[1],
        }
        response = render(request, "assembly/calendar_link.html", context)
        response["Cache-Control"] = "no-store"
        return response
    if action == "stop":
        if services.do_stop_feed_link(user):
            messages.success(request, _("Your calendar link no longer works."))
        return redirect("assembly:calendar_link")
    return render(request, "assembly/calendar_link.html", context)


@never_cache
@require_safe
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """Meetings for calendar apps, which cannot log in: the secret token stands for the login."""
    owner = queries.feed_owner(token)
    response = HttpResponse(feeds.feed(owner), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="meetings.ics"'
    response["X-Robots-Tag"] = "noindex"
    return response
