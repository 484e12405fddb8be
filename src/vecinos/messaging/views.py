"""The phone simulator: pretend phones that text in through the real inbound path."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from vecinos.core.htmx import htmx_partial
from vecinos.core.models import User
from vecinos.core.permissions import Capability, requires
from vecinos.messaging import inbound
from vecinos.messaging.forms import SimulatedTextForm
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
