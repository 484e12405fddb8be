"""Pages: training sessions (schedule, sign-in code, who attended, marking someone present),
vouching, and a responder's vouch chain for coordinators."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from vecinos.core.models import User
from vecinos.core.permissions import Capability, requires
from vecinos.trainings import queries, services
from vecinos.trainings.forms import FindPersonForm, SessionForm, VouchByPhoneForm
from vecinos.trainings.models import SIGN_IN_CLOSES_AFTER, SIGN_IN_OPENS_BEFORE


@requires(Capability.RUN_TRAININGS)
def session_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    now = timezone.now()
    sessions = queries.sessions_for(user)
    return render(
        request,
        "trainings/session_list.html",
        {
            "coming": sessions.filter(ends_at__gte=now - SIGN_IN_CLOSES_AFTER).order_by(
                "starts_at", "id"
            ),
            "past": sessions.filter(ends_at__lt=now - SIGN_IN_CLOSES_AFTER)[:50],
        },
    )


@requires(Capability.RUN_TRAININGS)
def session_create(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = SessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session = services.do_schedule_session(
                user,
                kind=data["kind"],
                title=data["title"],
                place=data["place"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
            )
        except services.TrainingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, _("Scheduled. Its sign-in code is %(code)s.") % {"code": session.code}
            )
            return redirect("trainings:session", session_id=session.id)
    return render(request, "trainings/session_form.html", {"form": form})


@requires(Capability.RUN_TRAININGS)
def session_detail(request: HttpRequest, session_id: int) -> HttpResponse:
    """The sign-in code to show at the door, who signed in, and marking someone present (a POST
    with ``person_id``)."""
    user: User = request.user  # type: ignore[assignment]
    session = queries.access_session(user, session_id)
    if request.method == "POST":
        if not request.POST.get("person_id", "").isdigit():
            return HttpResponseBadRequest(_("Choose a person."))
        person = queries.access_person_to_mark(user, int(request.POST["person_id"]))
        _certificate, created = services.do_mark_attended(user, session, person)
        if created:
            messages.success(request, _("%(name)s is marked present.") % {"name": person.full_name})
        else:
            messages.info(
                request, _("%(name)s had signed in already.") % {"name": person.full_name}
            )
        return redirect("trainings:session", session_id=session.id)
    form = FindPersonForm(request.GET or None)
    name = form.cleaned_data["name"] if form.is_valid() else ""
    now = timezone.now()
    return render(
        request,
        "trainings/session_detail.html",
        {
            "session": session,
            "attendance": queries.attendance(session),
            "form": form,
            "searched": bool(name),
            "candidates": queries.people_to_mark(user, session, name),
            "open_now": session.sign_in_open(now),
            "opens_before_minutes": int(SIGN_IN_OPENS_BEFORE.total_seconds() // 60),
        },
    )


@requires(Capability.VOUCH_FOR_RESPONDERS)
def vouches(request: HttpRequest) -> HttpResponse:
    """Vouching: by phone number for everyone who may vouch; coordinators and organizers also
    see who waits, and vouch with one button. Withdrawing one's own vouch."""
    user: User = request.user  # type: ignore[assignment]
    phone_form = VouchByPhoneForm(request.POST if request.POST.get("action") == "phone" else None)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "vouch":
                if not request.POST.get("person_id", "").isdigit():
                    return HttpResponseBadRequest(_("Choose a responder."))
                person = queries.access_responder_to_vouch(user, int(request.POST["person_id"]))
                services.do_vouch(user, person)
                messages.success(request, _("You vouch for %(name)s.") % {"name": person.full_name})
                return redirect("trainings:vouches")
            if action == "withdraw":
                if not request.POST.get("vouch_id", "").isdigit():
                    return HttpResponseBadRequest(_("Choose a vouch."))
                services.do_withdraw_vouch(user, int(request.POST["vouch_id"]))
                messages.success(request, _("Your vouch is withdrawn."))
                return redirect("trainings:vouches")
            if action == "phone":
                if phone_form.is_valid():
                    services.do_vouch_by_phone(user, phone_form.cleaned_data["phone"])
                    messages.success(request, _("Your vouch is recorded. Thank you."))
                    return redirect("trainings:vouches")
            else:
                return HttpResponseBadRequest(_("Unknown action."))
        except services.TrainingError as exc:
            if action == "phone":
                phone_form.add_error(None, str(exc))
            else:
                messages.error(request, str(exc))
                return redirect("trainings:vouches")
    waiting = queries.waiting_responders(user) if queries.sees_waiting_list(user) else None
    return render(
        request,
        "trainings/vouches.html",
        {
            "phone_form": phone_form,
            "waiting": waiting,
            "mine": queries.my_vouches(user),
            "may_vouch": services.may_vouch(user),
        },
    )


@requires(Capability.VIEW_VOUCH_CHAIN)
def vouch_chain(request: HttpRequest, person_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    return render(
        request, "trainings/vouch_chain.html", {"chain": queries.vouch_chain(user, person_id)}
    )
