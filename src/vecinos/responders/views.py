"""Pages: the coordinators' roster of responders and its edit page, and an incident's responders
panel on a page of its own (the console includes the same panel on its incident page)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from vecinos.core.models import User
from vecinos.core.permissions import Capability, requires
from vecinos.hotline.models import Incident
from vecinos.responders import broad, services
from vecinos.responders.choices import CorrectionAudience
from vecinos.responders.forms import AddResponderForm, ResponderForm, ResponderSearchForm
from vecinos.responders.models import Alerted, vouches_required
from vecinos.responders.panel import incident_panel
from vecinos.responders.queries import (
    access_incident,
    access_person_to_add,
    access_responder,
    people_to_add,
    responders_for,
)


@requires(Capability.MANAGE_RESPONDERS)
def responder_list(request: HttpRequest) -> HttpResponse:
    """The roster, and making a person a responder (a POST with ``person_id``)."""
    user: User = request.user  # type: ignore[assignment]
    if request.method == "POST":
        if not request.POST.get("person_id", "").isdigit():
            return HttpResponseBadRequest(_("Choose a person."))
        person = access_person_to_add(user, int(request.POST["person_id"]))
        responder = services.do_create_responder(user, person)
        messages.success(request, _("%(name)s is a responder now.") % {"name": person.full_name})
        return redirect("responders:edit", responder_id=responder.id)
    form = ResponderSearchForm(request.GET or None)
    name = form.cleaned_data["name"] if form.is_valid() else ""
    page = Paginator(responders_for(user, name=name), 50).get_page(request.GET.get("page"))
    add_form = AddResponderForm(request.GET or None)
    wanted = add_form.cleaned_data["person"] if add_form.is_valid() else ""
    return render(
        request,
        "responders/responder_list.html",
        {
            "form": form,
            "page": page,
            "add_form": add_form,
            "candidates": people_to_add(user, wanted),
            "searched": bool(wanted),
            "vouches_required": vouches_required(),
        },
    )


@requires(Capability.MANAGE_RESPONDERS)
def responder_edit(request: HttpRequest, responder_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    responder = access_responder(user, responder_id)
    initial = {
        "cell": responder.cell,
        "available": responder.available,
        "available_until": responder.available_until,
    }
    form = ResponderForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.do_update_responder(
            user,
            responder,
            cell=form.cleaned_data["cell"],
            available=form.cleaned_data["available"],
            available_until=form.cleaned_data["available_until"],
        )
        messages.success(request, _("Saved."))
        return redirect("responders:list")
    return render(request, "responders/responder_form.html", {"form": form, "responder": responder})


@requires(Capability.ALERT_RESPONDERS)
def incident(request: HttpRequest, incident_id: int) -> HttpResponse:
    """The responders panel of one incident. Its buttons are small POST forms here, from this
    page or from the console's incident page (``next`` leads back there)."""
    user: User = request.user  # type: ignore[assignment]
    found = access_incident(user, incident_id)
    if request.method == "POST":
        response = _act(request, user, found)
        if response is not None:
            return response
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            back = reverse("responders:incident", kwargs={"incident_id": found.id})
        return redirect(back)
    return render(
        request,
        "responders/incident.html",
        {"incident": found, "panel": incident_panel(user, found)},
    )


def _act(request: HttpRequest, user: User, found: Incident) -> HttpResponse | None:
    """Run the panel's action; a message says what happened. Returns a response only for a
    request no panel could have sent."""
    action = request.POST.get("action", "")
    try:
        if action == "alert":
            alert = services.do_alert_responders(user, found)
            count = Alerted.objects.filter(alert=alert).count()
            messages.success(
                request,
                ngettext("%(count)s responder alerted.", "%(count)s responders alerted.", count)
                % {"count": count},
            )
        elif action == "confirm":
            if not request.POST.get("alerted", "").isdigit():
                return HttpResponseBadRequest(_("Choose a responder."))
            try:
                services.do_record_confirmation(user, found, int(request.POST["alerted"]))
            except Alerted.DoesNotExist:
                return HttpResponseBadRequest(_("That responder was not alerted for it."))
            messages.success(request, _("Confirmation recorded."))
        elif action == "approve":
            broad.do_approve(user, found)
            messages.success(request, _("Approved."))
        elif action in {"send", "all_clear"}:
            send = broad.do_send_broad_alert if action == "send" else broad.do_send_all_clear
            queued = send(user, found)
            messages.success(
                request,
                ngettext(
                    "%(count)s message is in the outbox.",
                    "%(count)s messages are in the outbox.",
                    queued,
                )
                % {"count": queued},
            )
        elif action == "correct":
            audience = request.POST.get("audience", "")
            if audience not in CorrectionAudience.values:
                return HttpResponseBadRequest(_("Choose who gets the correction."))
            queued = broad.do_send_correction(user, found, audience)
            messages.success(
                request,
                ngettext(
                    "Correction sent to %(count)s number.",
                    "Correction sent to %(count)s numbers.",
                    queued,
                )
                % {"count": queued},
            )
        else:
            return HttpResponseBadRequest(_("Unknown action."))
    except (services.AlertError, broad.BroadAlertError) as exc:
        messages.error(request, str(exc))
    return None
