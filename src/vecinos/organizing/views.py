"""Pages for people: list, add, the audited contact page, and consent to be contacted."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from vecinos.core.htmx import htmx_partial
from vecinos.core.models import User
from vecinos.core.permissions import Capability, can, requires
from vecinos.messaging.services import do_record_consent
from vecinos.organizing import services
from vecinos.organizing.forms import ConsentForm, PeopleSearchForm, PersonForm
from vecinos.organizing.queries import (
    access_person,
    consents_for,
    find_people_by_phone,
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
    context: dict[str, object] = {"person": person}
    if can(user, Capability.EDIT_PEOPLE):
        context.update(consents=consents_for(user, person), consent_form=ConsentForm())
    return render(request, "organizing/person_detail.html", context)


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
