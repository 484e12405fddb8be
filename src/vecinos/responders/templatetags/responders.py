"""The responders panel as one tag, so any incident page can include it with only the incident:
``{% responders_panel incident %}`` (see hotline.panels.INCIDENT_PANELS)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import template
from django.utils.translation import gettext as _

from vecinos.core.permissions import Capability, can
from vecinos.hotline.models import Incident
from vecinos.responders.panel import incident_panel

register = template.Library()


@register.inclusion_tag("responders/partials/panel.html", takes_context=True)
def responders_panel(context: template.Context, incident: Incident) -> dict[str, Any]:
    """The panel for the page's viewer; nothing for someone who may not alert responders."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not can(user, Capability.ALERT_RESPONDERS):
        return {"panel": None}
    return {
        "panel": incident_panel(user, incident),
        "incident": incident,
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def elapsed(value: timedelta | None, still_open: bool = True) -> str:
    """A duration as minutes and seconds ("4 min 05 s"). None: "Not yet" while the incident is
    open (``{{ t|elapsed:incident.is_open }}``), "Never" once it is closed."""
    if value is None:
        return _("Not yet") if still_open else _("Never")
    seconds = max(0, round(value.total_seconds()))
    return _("%(minutes)d min %(seconds)02d s") % {
        "minutes": seconds // 60,
        "seconds": seconds % 60,
    }
