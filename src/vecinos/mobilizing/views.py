"""Pages for mobilizations: the coming ones and one's own answer; for organizers, adding one,
who is coming and the waitlist, answers taken by phone, check-in at the door, and recruiting."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from vecinos.core.htmx import htmx_partial
from vecinos.core.models import User
from vecinos.core.permissions import Capability, can, requires
from vecinos.mobilizing import queries, services
from vecinos.mobilizing.choices import Answer, RsvpStatus
from vecinos.mobilizing.forms import (
    AnswerForm,
    AnswerForSomeoneForm,
    CirclesForm,
    FindPersonForm,
    MobilizationForm,
)
from vecinos.organizing.models import Person


def _own_person(user: User) -> Person | None:
    return getattr(user, "person", None)


def _outcome_message(request: HttpRequest, outcome: services.Outcome, name: str = "") -> None:
    rsvp = outcome.rsvp
    if not outcome.changed:
        messages.info(request, _("Nothing changed: that was already the answer."))
    elif rsvp.status == RsvpStatus.GOING:
        messages.success(
            request, _("%(name)s has a place.") % {"name": name} if name else _("You have a place.")
        )
    elif rsvp.status == RsvpStatus.WAITLISTED:
        position = services.waitlist_position(rsvp)
        if name:
            text = _("It is full: %(name)s is number %(position)s on the waitlist.")
        else:
            text = _("It is full: you are number %(position)s on the waitlist.")
        messages.warning(request, text % {"name": name, "position": position})
    else:
        messages.success(
            request,
            _("%(name)s is not going.") % {"name": name}
            if name
            else _("Noted: you are not going."),
        )
    if outcome.promoted:
        count = len(outcome.promoted)
        messages.info(
            request,
            ngettext(
                "%(count)s person moved up from the waitlist and was texted.",
                "%(count)s people moved up from the waitlist and were texted.",
                count,
            )
            % {"count": count},
        )


@requires(Capability.JOIN_MOBILIZATIONS)
def mobilization_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    now = timezone.now()
    found = list(queries.coming(user, now))
    mine = queries.own_rsvps(_own_person(user), [m.id for m in found])
    rows = [(m, mine.get(m.id), m.has_started(now)) for m in found]
    return render(request, "mobilizing/mobilization_list.html", {"rows": rows, "now": now})


@requires(Capability.MANAGE_MOBILIZATIONS)
def mobilization_create(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = MobilizationForm(request.POST if request.method == "POST" else None, now=timezone.now())
    if request.method == "POST" and form.is_valid():
        try:
            mobilization = services.do_create_mobilization(user, **form.cleaned_data)
        except services.MobilizationError as error:
            form.add_error("code", str(error))
        else:
            messages.success(request, _("Mobilization added."))
            return redirect("mobilizing:detail", mobilization_id=mobilization.id)
    return render(request, "mobilizing/mobilization_form.html", {"form": form})


@requires(Capability.MANAGE_MOBILIZATIONS)
def mobilization_edit(request: HttpRequest, mobilization_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    mobilization = queries.access_mobilization(user, mobilization_id, manage=True)
    form = MobilizationForm(
        request.POST if request.method == "POST" else None,
        initial=MobilizationForm.initial_for(mobilization),
        now=timezone.now() if request.method == "POST" else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            promoted = services.do_update_mobilization(user, mobilization, **form.cleaned_data)
        except services.MobilizationError as error:
            form.add_error("code", str(error))
        else:
            messages.success(request, _("Saved."))
            if promoted:
                count = len(promoted)
                messages.info(
                    request,
                    ngettext(
                        "%(count)s person moved up from the waitlist and was texted.",
                        "%(count)s people moved up from the waitlist and were texted.",
                        count,
                    )
                    % {"count": count},
                )
            return redirect("mobilizing:detail", mobilization_id=mobilization.id)
    context = {"form": form, "mobilization": mobilization}
    return render(request, "mobilizing/mobilization_form.html", context)


@requires(Capability.MANAGE_MOBILIZATIONS)
def mobilization_detail(request: HttpRequest, mobilization_id: int) -> HttpResponse:
    """Counts, who is coming, the waitlist and who is not; an organizer records an answer given
    in person or by phone (found by name), or cancels someone's place."""
    user: User = request.user  # type: ignore[assignment]
    mobilization = queries.access_mobilization(user, mobilization_id, manage=True)
    now = timezone.now()
    if request.method == "POST":
        answer_form = AnswerForSomeoneForm(request.POST)
        if answer_form.is_valid():
            person = queries.person_to_answer_for(user, answer_form.cleaned_data["person"])
            if person is None:
                messages.error(request, _("This person is no longer on the list."))
            else:
                try:
                    outcome = services.do_answer(
                        user, mobilization, person, answer_form.cleaned_data["answer"], now=now
                    )
                except services.MobilizationError as error:
                    messages.error(request, str(error))
                else:
                    _outcome_message(request, outcome, person.full_name)
        else:
            messages.error(request, _("Choose a person and an answer."))
        return redirect("mobilizing:detail", mobilization_id=mobilization.id)
    find_form = FindPersonForm(request.GET or None)
    found = (
        queries.find_people(user, find_form.cleaned_data["name"], mobilization)
        if find_form.is_valid()
        else []
    )
    context: dict[str, Any] = {
        "mobilization": mobilization,
        "counts": queries.counts_of(mobilization, now),
        "roster": queries.roster(user, mobilization, now),
        "find_form": find_form,
        "found": found,
        "started": mobilization.has_started(now),
        "YES": Answer.YES,
        "NO": Answer.NO,
    }
    if htmx_partial(request):
        return render(request, "mobilizing/partials/found.html", context)
    return render(request, "mobilizing/mobilization_detail.html", context)


@requires(Capability.JOIN_MOBILIZATIONS)
def mobilization_answer(request: HttpRequest, mobilization_id: int) -> HttpResponse:
    """One's own answer: the time and meeting place, where one stands, YES or NO."""
    user: User = request.user  # type: ignore[assignment]
    mobilization = queries.access_mobilization(user, mobilization_id)
    person = _own_person(user)
    now = timezone.now()
    form = AnswerForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if person is None:
            messages.error(request, _("Your account is not linked to a contact; ask an organizer."))
        elif form.is_valid():
            try:
                outcome = services.do_answer(
                    user, mobilization, person, form.cleaned_data["answer"], now=now
                )
            except services.MobilizationError as error:
                messages.error(request, str(error))
            else:
                _outcome_message(request, outcome)
                return redirect("mobilizing:answer", mobilization_id=mobilization.id)
    rsvp = queries.own_rsvp(person, mobilization)
    context: dict[str, Any] = {
        "mobilization": mobilization,
        "form": form,
        "person": person,
        "rsvp": rsvp,
        "position": services.waitlist_position(rsvp)
        if rsvp is not None and rsvp.status == RsvpStatus.WAITLISTED
        else None,
        "counts": queries.counts_of(mobilization, now),
        "started": mobilization.has_started(now),
        "can_manage": can(user, Capability.MANAGE_MOBILIZATIONS),
    }
    return render(request, "mobilizing/mobilization_answer.html", context)


@requires(Capability.MANAGE_MOBILIZATIONS)
def mobilization_check_in(request: HttpRequest, mobilization_id: int) -> HttpResponse:
    """At the door, on a phone: everyone who said YES, a button each to check them in (or undo
    it). htmx swaps only the row; without JavaScript the page reloads."""
    user: User = request.user  # type: ignore[assignment]
    mobilization = queries.access_mobilization(user, mobilization_id, manage=True)
    now = timezone.now()
    if request.method == "POST":
        rsvp_id = request.POST.get("rsvp", "")
        if rsvp_id.isdigit() and len(rsvp_id) < 18:
            rsvp = queries.access_rsvp(user, mobilization, int(rsvp_id))
            services.do_check_in(user, rsvp, present=request.POST.get("present") != "0", now=now)
            if htmx_partial(request):
                return render(
                    request,
                    "mobilizing/partials/check_in_row.html",
                    {"rsvp": rsvp, "mobilization": mobilization},
                )
        else:
            messages.error(request, _("Choose someone to check in."))
        return redirect("mobilizing:check_in", mobilization_id=mobilization.id)
    roster = queries.roster(user, mobilization, now)
    context = {
        "mobilization": mobilization,
        "rows": roster[RsvpStatus.GOING] + roster[RsvpStatus.WAITLISTED],
        "counts": queries.counts_of(mobilization, now),
    }
    return render(request, "mobilizing/check_in.html", context)


@requires(Capability.MANAGE_MOBILIZATIONS)
def mobilization_recruit(request: HttpRequest, mobilization_id: int) -> HttpResponse:
    """Pick circles, see who in them has not been asked yet (and who opted out, who gets
    nothing), then send the invitation to them, each in their language on their channel."""
    user: User = request.user  # type: ignore[assignment]
    mobilization = queries.access_mobilization(user, mobilization_id, manage=True)
    data = request.POST if request.method == "POST" else request.GET
    form = CirclesForm(data if "circles" in data or request.method == "POST" else None)
    found = (
        queries.recruiting(user, mobilization, list(form.cleaned_data["circles"]))
        if form.is_valid()
        else None
    )
    if request.method == "POST" and found is not None:
        try:
            result = services.do_invite(
                user, mobilization, found.invitable, circle_of=found.circle_of, now=timezone.now()
            )
        except services.MobilizationError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)s invitation sent.", "%(count)s invitations sent.", result.invited
                )
                % {"count": result.invited},
            )
            skipped = result.opted_out + len(found.opted_out)
            if skipped:
                messages.info(
                    request,
                    ngettext(
                        "%(count)s person opted out and got nothing.",
                        "%(count)s people opted out and got nothing.",
                        skipped,
                    )
                    % {"count": skipped},
                )
            unreachable = result.unreachable + len(found.unreachable)
            if unreachable:
                messages.warning(
                    request,
                    ngettext(
                        "%(count)s person has no phone or e-mail.",
                        "%(count)s people have no phone or e-mail.",
                        unreachable,
                    )
                    % {"count": unreachable},
                )
        return redirect("mobilizing:detail", mobilization_id=mobilization.id)
    context = {"mobilization": mobilization, "form": form, "found": found}
    return render(request, "mobilizing/recruit.html", context)
