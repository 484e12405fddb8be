"""The dispatcher console, reports and incidents, the web intake form, and the hotline texts.

Each page reads through :mod:`vecinos.hotline.queries` and changes things through one
:mod:`vecinos.hotline.services` call. Actions on a report or an incident are small POST forms on
its page (``action=…``), so every button works without JavaScript; the console's script only
makes the pages update themselves.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.http.response import HttpResponseBase, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from vecinos.core.htmx import htmx_partial
from vecinos.core.models import User
from vecinos.core.permissions import Capability, can, requires
from vecinos.core.phones import format_phone
from vecinos.hotline import live, queries, services
from vecinos.hotline.choices import ContentKind, ReportStatus
from vecinos.hotline.forms import (
    BlockNumberForm,
    ContentForm,
    DrillForm,
    FileReportForm,
    JoinIncidentForm,
    MoveIncidentForm,
    ReportDetailsForm,
)
from vecinos.hotline.panels import INCIDENT_PANELS
from vecinos.places import maps


@requires(Capability.USE_CONSOLE)
def console(request: HttpRequest) -> HttpResponse:
    """Open incidents and unassigned reports; htmx (and the live script) fetch just the lists."""
    user: User = request.user  # type: ignore[assignment]
    context = {"lists": queries.console_lists(user)}
    if htmx_partial(request):
        return render(request, "hotline/partials/console_lists.html", context)
    return render(request, "hotline/console.html", context)


@requires(Capability.USE_CONSOLE)
@require_GET
async def stream(request: HttpRequest) -> HttpResponseBase:
    """Server-sent events: which report or incident changed, never what it says (see
    :mod:`vecinos.hotline.live`). One per browser: the page's script shares it between tabs."""
    response = StreamingHttpResponse(live.stream(), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache, no-store"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
    return response


@requires(Capability.USE_CONSOLE)
def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    """What was reported, the script beside the form filled in while talking, claiming, the
    caller's number on request, grouping into incidents, closing and blocking."""
    user: User = request.user  # type: ignore[assignment]
    report = queries.access_report(user, report_id)
    if htmx_partial(request):
        return render(request, "hotline/partials/report_live.html", {"report": report})
    form = ReportDetailsForm(initial=ReportDetailsForm.initial_for(report))
    join_form = JoinIncidentForm(incidents=queries.incidents_to_join(user, report))
    block_form = BlockNumberForm()
    caller: str | None = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "save":
            form = ReportDetailsForm(request.POST)
            if form.is_valid():
                services.do_update_report(user, report, form.details(report))
                messages.success(request, _("Saved."))
                return redirect("hotline:report_detail", report_id=report.id)
        elif action == "claim":
            if services.do_claim_report(user, report.id):
                messages.success(request, _("This report is yours: call the person back."))
            else:
                holder = queries.access_report(user, report.id).claimed_by
                messages.error(
                    request,
                    _("%(name)s is already calling this person back.")
                    % {"name": holder.display_name if holder else _("Another dispatcher")},
                )
            return redirect("hotline:report_detail", report_id=report.id)
        elif action == "release":
            if not services.do_release_report(user, report.id):
                messages.error(request, _("Only the dispatcher holding a report can give it back."))
            return redirect("hotline:report_detail", report_id=report.id)
        elif action == "show_caller":
            caller = queries.access_caller(user, report)
        elif action == "close":
            if services.do_close_report(user, report):
                messages.success(request, _("Report closed."))
            return redirect("hotline:report_detail", report_id=report.id)
        elif action == "block":
            block_form = BlockNumberForm(request.POST)
            if block_form.is_valid():
                if services.do_block_number(user, report, block_form.cleaned_data["reason"]):
                    messages.success(
                        request, _("Blocked: texts and calls from this number open no report.")
                    )
                else:
                    messages.info(request, _("This number was already blocked, or is erased."))
                return redirect("hotline:report_detail", report_id=report.id)
        elif action == "join":
            join_form = JoinIncidentForm(
                request.POST, incidents=queries.incidents_to_join(user, report)
            )
            if join_form.is_valid():
                incident = join_form.cleaned_data["incident"]
                if services.do_add_to_incident(user, report, incident):
                    messages.success(request, _("Added to the incident."))
                else:
                    messages.error(request, _("This report is already part of an incident."))
                return redirect("hotline:report_detail", report_id=report.id)
        elif action == "new_incident":
            incident = services.do_open_incident(user, report)
            return redirect("hotline:incident_detail", incident_id=incident.id)
        else:
            return HttpResponseBadRequest(_("Unknown action."))
    context = {
        "report": report,
        "texts": queries.report_texts(user, report),
        "script": queries.dispatcher_script(report),
        "form": form,
        "join_form": join_form,
        "block_form": block_form,
        "caller": format_phone(caller) if caller else caller,
        "caller_e164": caller,
        "is_open": report.status == ReportStatus.OPEN,
        "retention_hours": settings.VECINOS_CALLER_RETENTION_HOURS,
    }
    response = render(request, "hotline/report_detail.html", context)
    if caller is not None:
        response["Cache-Control"] = "no-store"  # a caller's number stays out of every cache
    return response


@requires(Capability.USE_CONSOLE)
def incident_detail(request: HttpRequest, incident_id: int) -> HttpResponse:
    """The incident's map, reports and timeline, its next steps, and other apps' panels."""
    user: User = request.user  # type: ignore[assignment]
    incident = queries.access_incident(user, incident_id)
    steps = queries.next_steps(incident)
    form = MoveIncidentForm(steps=steps)
    if request.method == "POST":
        form = MoveIncidentForm(request.POST, steps=steps)
        if form.is_valid():
            try:
                services.do_move_incident(
                    user, incident, form.cleaned_data["status"], note=form.cleaned_data["note"]
                )
            except services.StepNotAllowedError:
                messages.error(
                    request,
                    _("This incident cannot take that step now; someone may have moved it first."),
                )
            else:
                messages.success(request, _("Step recorded on the timeline."))
            return redirect("hotline:incident_detail", incident_id=incident.id)
    context = {
        "incident": incident,
        "reports": queries.incident_reports(user, incident),
        "timeline": queries.incident_timeline(user, incident),
        "steps": steps,
        "form": form,
        "panels": INCIDENT_PANELS,
    }
    if htmx_partial(request):
        return render(request, "hotline/partials/incident_live.html", context)
    incident_map = queries.incident_map(user, incident)
    response = render(request, "hotline/incident_detail.html", {**context, "map": incident_map})
    return maps.allow_tiles(response, incident_map.tiles)


@requires(Capability.USE_CONSOLE)
def drill_create(request: HttpRequest) -> HttpResponse:
    """Start a drill: a practice report and its incident, then the incident's page, where the
    dispatcher alerts responders as for a real one."""
    user: User = request.user  # type: ignore[assignment]
    language = user.preferred_language or settings.LANGUAGE_CODE
    form = DrillForm(request.POST or None, initial={"language": language})
    if request.method == "POST" and form.is_valid():
        incident = services.do_start_drill(
            user, form.details(), language=form.cleaned_data["language"]
        )
        messages.success(
            request,
            _(
                "Drill started. Every message it causes says DRILL, and it never reaches the "
                "alert list."
            ),
        )
        return redirect("hotline:incident_detail", incident_id=incident.id)
    return render(request, "hotline/drill_form.html", {"form": form})


@requires(Capability.FILE_REPORTS)
def report_create(request: HttpRequest) -> HttpResponse:
    """The web intake, for partners and dispatchers."""
    user: User = request.user  # type: ignore[assignment]
    language = user.preferred_language or settings.LANGUAGE_CODE
    form = FileReportForm(request.POST or None, initial={"language": language})
    if request.method == "POST" and form.is_valid():
        report = services.do_file_report(
            user,
            form.details(),
            language=form.cleaned_data["language"],
            caller=form.cleaned_data["callback"],
        )
        if not report.cell:
            messages.warning(
                request,
                _(
                    "Not placed on the map: without a map pin this report is not grouped with "
                    "reports nearby. A dispatcher will place it."
                ),
            )
        if can(user, Capability.USE_CONSOLE):
            return redirect("hotline:report_detail", report_id=report.id)
        messages.success(request, _("Report sent. The dispatchers on shift see it now."))
        return redirect("hotline:report_create")
    return render(request, "hotline/report_form.html", {"form": form})


@requires(Capability.EDIT_HOTLINE_CONTENT)
def content_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    return render(request, "hotline/content_list.html", {"rows": queries.content_overview(user)})


@requires(Capability.EDIT_HOTLINE_CONTENT)
def content_edit(request: HttpRequest, kind: str, language: str) -> HttpResponse:
    """Edit one text in one language: saving makes a new version; the old ones stay below."""
    user: User = request.user  # type: ignore[assignment]
    if kind not in ContentKind.values or language not in dict(settings.LANGUAGES):
        raise Http404
    history = queries.content_history(user, kind, language)
    current = queries.content_in_force(user, kind, language)
    form = ContentForm(
        request.POST or None,
        initial={"body": current.body, "sources": current.sources},
        language=language,
    )
    if request.method == "POST" and form.is_valid():
        version = services.do_save_content(user, kind, language, **form.cleaned_data)
        messages.success(
            request,
            _("Version %(version)s saved; it is in use now.") % {"version": version.version},
        )
        return redirect("hotline:content_edit", kind=kind, language=language)
    return render(
        request,
        "hotline/content_edit.html",
        {
            "form": form,
            "current": current,
            "kind_label": ContentKind(kind).label,
            "language_label": dict(settings.LANGUAGES)[language],
            "history": history,
        },
    )
