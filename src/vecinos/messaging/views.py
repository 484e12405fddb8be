"""The phone simulator (pretend phones that text and call in through the real inbound paths),
broadcasts (compose, preview, send, progress) and the gateways page."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from vecinos.core.htmx import htmx_partial
from vecinos.core.models import User
from vecinos.core.permissions import Capability, requires
from vecinos.messaging import broadcasts, inbound, services
from vecinos.messaging.choices import BroadcastStatus
from vecinos.messaging.forms import (
    AddGatewayForm,
    BroadcastForm,
    GatewayForm,
    SimulatedCallForm,
    SimulatedTextForm,
)
from vecinos.messaging.gateways import config
from vecinos.messaging.gateways.simulator import calls as simulated_calls
from vecinos.messaging.queries import (
    check_simulator,
    gateway_overview,
    gateway_settings,
    pretend_phones,
)

# Where the last simulated call's transcript waits for the page after the redirect.
CALL_TRANSCRIPT = "messaging.simulated_call"


@requires(Capability.USE_PHONE_SIMULATOR)
def simulator(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    check_simulator(user)
    calling = request.method == "POST" and request.POST.get("kind") == "call"
    form = SimulatedTextForm(None if calling else (request.POST or None))
    call_form = SimulatedCallForm(request.POST if calling else None, prefix="call")
    if calling and call_form.is_valid():
        heard = simulated_calls.place_call(
            call_form.cleaned_data["caller"] or "",
            simulated_calls.Choices(
                keys=call_form.cleaned_data["keys"],
                answered=call_form.cleaned_data["answered"] == "yes",
            ),
        )
        request.session[CALL_TRANSCRIPT] = [[line.text, line.language] for line in heard]
        return redirect("messaging:simulator")
    if request.method == "POST" and not calling and form.is_valid():
        inbound.receive(
            gateway="simulator",
            provider_message_id=f"sim-in-{uuid.uuid4().hex}",
            sender=form.cleaned_data["sender"],
            body=form.cleaned_data["body"],
        )
        messages.success(request, _("Text sent. Replies appear when the worker sends them."))
        return redirect("messaging:simulator")
    if htmx_partial(request):  # the phones' refresh: the transcript waits for the page
        return render(request, "messaging/partials/phones.html", {"phones": pretend_phones(user)})
    transcript = [
        simulated_calls.Heard(text, language)
        for text, language in request.session.pop(CALL_TRANSCRIPT, [])
    ]
    context = {
        "phones": pretend_phones(user),
        "form": form,
        "call_form": call_form,
        "transcript": transcript,
    }
    return render(request, "messaging/simulator.html", context)


@requires(Capability.MANAGE_GATEWAYS)
def gateway_list(request: HttpRequest) -> HttpResponse:
    """The gateways in failover order, their health and open problems; moving, importing the
    environment's settings, and resolving problems are small POST forms on the same page."""
    user: User = request.user  # type: ignore[assignment]
    overview = gateway_overview(user)
    if request.method == "POST":
        action = request.POST.get("action", "")
        name = request.POST.get("name", "")
        if action in {"up", "down"}:
            services.do_move_gateway(user, name, -1 if action == "up" else 1)
        elif action == "import":
            copied = services.do_import_gateways(user)
            messages.success(
                request,
                ngettext(
                    "%(count)s gateway copied. This page is now where gateways are set.",
                    "%(count)s gateways copied. This page is now where gateways are set.",
                    copied,
                )
                % {"count": copied},
            )
        elif action == "resolve" and request.POST.get("problem", "").isdigit():
            services.do_resolve_gateway_problem(user, int(request.POST["problem"]))
        elif action == "add":
            form = AddGatewayForm({row.name for row in overview.rows}, request.POST)
            if form.is_valid():
                return redirect("messaging:gateway_edit", name=form.cleaned_data["name"])
        else:
            return HttpResponseBadRequest(_("Unknown action."))
        return redirect("messaging:gateway_list")
    add_form = AddGatewayForm({row.name for row in overview.rows})
    return render(
        request,
        "messaging/gateway_list.html",
        {"overview": overview, "add_form": add_form, "now": timezone.now()},
    )


@requires(Capability.MANAGE_GATEWAYS)
def gateway_edit(request: HttpRequest, name: str) -> HttpResponse:
    """One gateway's settings. While the environment's settings are in force, the form starts
    from them, and saving copies every environment gateway here first (nothing is dropped)."""
    user: User = request.user  # type: ignore[assignment]
    shown = gateway_settings(user, name)
    form = GatewayForm(name, shown.saved_secrets, request.POST or None, initial=shown.initial)
    if request.method == "POST" and request.POST.get("action") == "remove":
        services.do_remove_gateway(user, name)
        messages.success(request, _("Gateway removed."))
        return redirect("messaging:gateway_list")
    if request.method == "POST" and form.is_valid():
        services.do_save_gateway(
            user,
            name,
            enabled=form.cleaned_data["enabled"],
            options=form.options(),
            secrets=form.secrets(),
            senders=form.cleaned_data.get("senders"),
        )
        messages.success(request, _("Gateway saved."))
        return redirect("messaging:gateway_list")
    return render(
        request,
        "messaging/gateway_edit.html",
        {"form": form, "shown": shown, "label": config.GATEWAY_LABELS[name]},
    )


@requires(Capability.SEND_BROADCASTS)
def broadcast_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    page = Paginator(broadcasts.broadcasts_for(user), 50).get_page(request.GET.get("page"))
    return render(request, "messaging/broadcast_list.html", {"page": page})


@requires(Capability.SEND_BROADCASTS)
def broadcast_create(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = BroadcastForm(
        request.POST or None, areas=broadcasts.alert_areas(), initial={"fallback": "es"}
    )
    if request.method == "POST" and form.is_valid():
        broadcast = broadcasts.do_draft_broadcast(user, **form.service_fields())
        return redirect("messaging:broadcast_detail", broadcast_id=broadcast.id)
    return render(request, "messaging/broadcast_form.html", {"form": form})


@requires(Capability.SEND_BROADCASTS)
def broadcast_edit(request: HttpRequest, broadcast_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    broadcast = broadcasts.access_broadcast(user, broadcast_id)
    if broadcast.status != BroadcastStatus.DRAFT:
        messages.info(request, _("This broadcast was sent; it can no longer be changed."))
        return redirect("messaging:broadcast_detail", broadcast_id=broadcast.id)
    form = BroadcastForm(
        request.POST or None,
        areas=broadcasts.alert_areas(),
        initial=BroadcastForm.initial_for(broadcast),
    )
    if request.method == "POST" and form.is_valid():
        try:
            broadcasts.do_change_draft(user, broadcast, **form.service_fields())
        except broadcasts.BroadcastError as exc:
            messages.error(request, str(exc))
        return redirect("messaging:broadcast_detail", broadcast_id=broadcast.id)
    return render(request, "messaging/broadcast_form.html", {"form": form, "broadcast": broadcast})


@requires(Capability.SEND_BROADCASTS)
def broadcast_detail(request: HttpRequest, broadcast_id: int) -> HttpResponse:
    """A draft shows its preview and the Send button (a POST here); a sent broadcast shows its
    progress, and htmx polls just the progress while messages are pending."""
    user: User = request.user  # type: ignore[assignment]
    broadcast = broadcasts.access_broadcast(user, broadcast_id)
    if request.method == "POST" and request.POST.get("action") == "send":
        try:
            queued = broadcasts.do_send_broadcast(user, broadcast)
        except broadcasts.NotADraftError as exc:
            messages.info(request, str(exc))
        except broadcasts.BroadcastError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)s message is in the outbox; the worker is sending it.",
                    "%(count)s messages are in the outbox; the worker is sending them.",
                    queued,
                )
                % {"count": queued},
            )
        return redirect("messaging:broadcast_detail", broadcast_id=broadcast.id)
    if broadcast.status == BroadcastStatus.DRAFT:
        return render(
            request,
            "messaging/broadcast_preview.html",
            {
                "broadcast": broadcast,
                "preview": broadcasts.preview(user, broadcast),
                "texts": broadcasts.texts(broadcast),
            },
        )
    context = {
        "broadcast": broadcast,
        "progress": broadcasts.progress(user, broadcast),
        "texts": broadcasts.texts(broadcast),
    }
    if htmx_partial(request):
        return render(request, "messaging/partials/broadcast_progress.html", context)
    return render(request, "messaging/broadcast_detail.html", context)
