"""Pages for people: list, add, the audited contact page, and consent to be contacted."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from vecinos.core.htmx import htmx_partial
from vecinos.core.importers import ImportFailed
from vecinos.core.models import User
from vecinos.core.permissions import Capability, can, requires
from vecinos.messaging.services import do_record_consent
from vecinos.organizing import circles as circle_queries
from vecinos.organizing import exporting, jobs, services
from vecinos.organizing import growth as growth_queries
from vecinos.organizing.choices import ImportStatus, Stage
from vecinos.organizing.forms import (
    BroughtByForm,
    CircleForm,
    ConsentForm,
    ImportForm,
    JoinCircleForm,
    MemberForm,
    PeopleSearchForm,
    PersonForm,
    StageForm,
)
from vecinos.organizing.queries import (
    access_person,
    consents_for,
    find_people_by_phone,
    ladder_for,
    people_for,
)


@requires(Capability.VIEW_PEOPLE)
def person_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = PeopleSearchForm(request.GET or None)
    people = people_for(user)
    if form.is_valid():
        if form.cleaned_data["phone"]:
            people = (
                find_people_by_phone(user, form.cleaned_data["phone"])
                .select_related("account")
                .prefetch_related("account__role_assignments")
            )
        elif form.cleaned_data["name"]:
            people = people_for(user, name=form.cleaned_data["name"])
        if form.cleaned_data["stage"]:
            people = people.filter(stage=form.cleaned_data["stage"])
    elif form.is_bound:
        people = people.none()
    page = Paginator(people, 50).get_page(request.GET.get("page"))
    template = (
        "organizing/partials/person_table.html"
        if htmx_partial(request)
        else "organizing/person_list.html"
    )
    return render(request, template, {"form": form, "page": page})


@requires(Capability.EDIT_PEOPLE)
def person_create(request: HttpRequest) -> HttpResponse:
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person = services.do_create_person(request.user, **form.cleaned_data)  # type: ignore[arg-type]
        messages.success(request, _("Person added."))
        return redirect("organizing:person_detail", person_id=person.id)
    return render(request, "organizing/person_form.html", {"form": form})


@requires(Capability.EDIT_PEOPLE)
def person_edit(request: HttpRequest, person_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    person = access_person(user, person_id)
    initial = {field: getattr(person, field) for field in services.EDITABLE_FIELDS}
    form = PersonForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.do_update_person(user, person, **form.cleaned_data)
        messages.success(request, _("Saved."))
        return redirect("organizing:person_detail", person_id=person.id)
    return render(request, "organizing/person_form.html", {"form": form, "person": person})


@requires(Capability.VIEW_PEOPLE)
def person_detail(request: HttpRequest, person_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    person = access_person(user, person_id)
    context: dict[str, object] = {"person": person, **ladder_for(user, person)}
    if can(user, Capability.EDIT_PEOPLE):
        context.update(
            consents=consents_for(user, person),
            consent_form=ConsentForm(),
            stage_form=StageForm(initial={"stage": person.stage}),
            join_form=JoinCircleForm(),
        )
    return render(request, "organizing/person_detail.html", context)


@requires(Capability.EDIT_PEOPLE)
def person_stage(request: HttpRequest, person_id: int) -> HttpResponse:
    """Record a step on the ladder, dated."""
    user: User = request.user  # type: ignore[assignment]
    person = access_person(user, person_id)
    form = StageForm(request.POST or None, initial={"stage": person.stage})
    if request.method == "POST" and form.is_valid():
        services.do_record_stage(user, person, form.cleaned_data["stage"], at=form.at())
        messages.success(request, _("Step recorded."))
        return redirect("organizing:person_detail", person_id=person.id)
    return render(
        request,
        "organizing/person_step.html",
        {"person": person, "form": form, "title": _("Record a step on the ladder")},
    )


@requires(Capability.EDIT_PEOPLE)
def person_circles(request: HttpRequest, person_id: int) -> HttpResponse:
    """Put the person in a circle."""
    user: User = request.user  # type: ignore[assignment]
    person = access_person(user, person_id)
    form = JoinCircleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.do_add_to_circle(
            user, form.cleaned_data["circle"], person, vouches=form.cleaned_data["vouches"]
        )
        messages.success(request, _("Added to the circle."))
        return redirect("organizing:person_detail", person_id=person.id)
    return render(
        request,
        "organizing/person_step.html",
        {"person": person, "form": form, "title": _("Add to a circle")},
    )


@requires(Capability.EDIT_PEOPLE)
def person_brought_by(request: HttpRequest, person_id: int) -> HttpResponse:
    """Who brought this person in."""
    user: User = request.user  # type: ignore[assignment]
    person = access_person(user, person_id)
    initial = {"brought_by": f"#{person.brought_by_id}" if person.brought_by_id else ""}
    form = BroughtByForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_set_brought_by(user, person, form.cleaned_data["brought_by"])
        except ValueError:
            form.add_error("brought_by", _("That would make a loop: this person brought them in."))
        else:
            messages.success(request, _("Saved."))
            return redirect("organizing:person_detail", person_id=person.id)
    return render(
        request,
        "organizing/person_step.html",
        {"person": person, "form": form, "title": _("Who brought them in")},
    )


@requires(Capability.VIEW_PEOPLE)
def circle_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    return render(
        request,
        "organizing/circle_list.html",
        {"circles": circle_queries.circles_for(user), "days": circle_queries.GROWTH_DAYS},
    )


@requires(Capability.VIEW_PEOPLE)
def network(request: HttpRequest) -> HttpResponse:
    """The circles and the people who hold them together, as a picture (and the same as a table)."""
    user: User = request.user  # type: ignore[assignment]
    return render(
        request,
        "organizing/network.html",
        {"network": circle_queries.network_for(user), "days": circle_queries.GROWTH_DAYS},
    )


@requires(Capability.VIEW_PEOPLE)
def growth(request: HttpRequest) -> HttpResponse:
    """The network's growth over the last twelve months, as charts and the same as tables."""
    user: User = request.user  # type: ignore[assignment]
    return render(request, "organizing/growth.html", {"growth": growth_queries.growth_for(user)})


@requires(Capability.EDIT_PEOPLE)
def circle_create(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = CircleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        circle = services.do_create_circle(user, **form.cleaned_data)
        messages.success(request, _("Circle added."))
        return redirect("organizing:circle_detail", circle_id=circle.id)
    return render(request, "organizing/circle_form.html", {"form": form})


@requires(Capability.VIEW_PEOPLE)
def circle_detail(request: HttpRequest, circle_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    circle, summary, members = circle_queries.circle_detail(user, circle_id)
    form = MemberForm(request.POST or None) if can(user, Capability.EDIT_PEOPLE) else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            services.do_add_to_circle(
                user, circle, form.cleaned_data["person"], vouches=form.cleaned_data["vouches"]
            )
            messages.success(request, _("Added to the circle."))
            return redirect("organizing:circle_detail", circle_id=circle.id)
    context = {
        "circle": circle,
        "summary": summary,
        "members": members,
        "form": form,
        "days": circle_queries.GROWTH_DAYS,
    }
    return render(request, "organizing/circle_detail.html", context)


@requires(Capability.EDIT_PEOPLE)
def circle_edit(request: HttpRequest, circle_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    circle, _summary, _members = circle_queries.circle_detail(user, circle_id)
    form = CircleForm(
        request.POST or None, circle=circle, initial={"name": circle.name, "kind": circle.kind}
    )
    if request.method == "POST" and form.is_valid():
        services.do_update_circle(user, circle, **form.cleaned_data)
        messages.success(request, _("Saved."))
        return redirect("organizing:circle_detail", circle_id=circle.id)
    return render(request, "organizing/circle_form.html", {"form": form, "circle": circle})


@requires(Capability.EDIT_PEOPLE)
def circle_member(request: HttpRequest, circle_id: int, person_id: int) -> HttpResponse:
    """Mark or unmark a member as vouching for the circle, or take them out of it."""
    user: User = request.user  # type: ignore[assignment]
    circle, _summary, members = circle_queries.circle_detail(user, circle_id)
    membership = next((m for m in members if m.person_id == person_id), None)
    if membership is None:
        raise Http404
    if request.method == "POST":
        action = request.POST.get("action")
        if action in ("vouch", "unvouch"):
            services.do_set_vouching(user, membership, vouches=action == "vouch")
            messages.success(request, _("Saved."))
        elif action == "remove":
            services.do_remove_from_circle(user, membership)
            messages.success(request, _("Taken out of the circle."))
        else:
            messages.error(request, _("Choose what to do."))
            return redirect("organizing:circle_member", circle_id=circle.id, person_id=person_id)
        return redirect("organizing:circle_detail", circle_id=circle.id)
    return render(
        request, "organizing/circle_member.html", {"circle": circle, "membership": membership}
    )


@requires(Capability.IMPORT_PEOPLE)
def import_upload(request: HttpRequest) -> HttpResponse:
    """Upload a CSV: it is checked by the worker, then previewed; nothing is imported yet."""
    user: User = request.user  # type: ignore[assignment]
    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = jobs.do_upload_import(user, upload.name, upload.read())
        except ImportFailed:
            form.add_error("file", _("The file is not UTF-8 text: save it as CSV UTF-8."))
        else:
            return redirect("organizing:import_job", job_id=job.id)
    return render(request, "organizing/import.html", {"form": form, "jobs": jobs.jobs_for(user)})


@requires(Capability.IMPORT_PEOPLE)
def import_job(request: HttpRequest, job_id: int) -> HttpResponse:
    """An uploaded file: progress while it is checked, every bad row, or the preview and the
    go-ahead; then progress while it is imported, and what was done."""
    user: User = request.user  # type: ignore[assignment]
    job = jobs.access_job(user, job_id)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "confirm" and jobs.do_confirm_import(user, job):
            messages.success(request, _("Importing: this page shows the progress."))
        elif action == "cancel" and jobs.do_cancel_import(user, job):
            messages.success(request, _("Cancelled: nothing was imported."))
        else:
            messages.error(request, _("This import cannot do that now."))
        return redirect("organizing:import_job", job_id=job.id)
    stages = dict(Stage.choices)
    summary = job.summary or {}
    context = {
        "job": job,
        "summary": summary,
        "stage_counts": [
            (stages[value], summary.get("stages", {}).get(value, 0))
            for value in Stage.values
            if summary.get("stages", {}).get(value)
        ],
        "in_progress": job.status in ImportStatus.in_progress(),
        "now": timezone.now(),
    }
    template = (
        "organizing/partials/import_status.html"
        if htmx_partial(request)
        else "organizing/import_job.html"
    )
    return render(request, template, context)


@requires(Capability.EXPORT_PEOPLE)
def export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """Everyone as a CSV file (a POST, audited); the page explains what the file holds."""
    user: User = request.user  # type: ignore[assignment]
    if request.method == "POST":
        exporting.access_export(user)
        response = StreamingHttpResponse(exporting.rows(), content_type="text/csv; charset=utf-8")
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = f'attachment; filename="vecinos-people-{stamp}.csv"'
        return response
    return render(request, "organizing/export.html", {"columns": exporting.COLUMNS})


@requires(Capability.EDIT_PEOPLE)
def person_consent(request: HttpRequest, person_id: int) -> HttpResponse:
    """Each channel's consent with its history, and a form to record a new answer. htmx swaps
    only the consent section; without JavaScript a recorded answer leads back to the person."""
    user: User = request.user  # type: ignore[assignment]
    person = access_person(user, person_id)
    form = ConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        do_record_consent(
            person,
            form.cleaned_data["channel"],
            granted=form.cleaned_data["answer"] == "yes",
            method=form.cleaned_data["method"],
            recorded_by=user,
        )
        if not htmx_partial(request):
            messages.success(request, _("Answer recorded."))
            return redirect("organizing:person_detail", person_id=person.id)
        form = ConsentForm()
    context = {"person": person, "consents": consents_for(user, person), "consent_form": form}
    template = (
        "organizing/partials/consent.html"
        if htmx_partial(request)
        else "organizing/person_consent.html"
    )
    return render(request, template, context)
