"""The phone simulator (pretend phones that text in through the real inbound path), and
broadcasts: compose, preview, send, progress."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from vecinos.core.htmx import htmx_partial
from vecinos.core.models import User
from vecinos.core.permissions import Capability, requires
from vecinos.messaging import broadcasts, inbound
from vecinos.messaging.choices import BroadcastStatus
from vecinos.messaging.forms import BroadcastForm, SimulatedTextForm
from vecinos.messaging.queries import check_simulator, pretend_phones


@requires(Capability.USE_PHONE_SIMULATOR)
def simulator(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    check_simulator(user)
    form = SimulatedTextForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        inbound.receive(
            gateway="simulator",
            provider_message_id=f"sim-in-{uuid.uuid4().hex}",
            sender=form.cleaned_data["sender"],
            body=form.cleaned_data["body"],
        )
        messages.success(request, _("Text sent. Replies appear when the worker sends them."))
        return redirect("messaging:simulator")
    template = (
        "messaging/partials/phones.html" if htmx_partial(request) else "messaging/simulator.html"
    )
    return render(request, template, {"phones": pretend_phones(user), "form": form})


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
