"""Small template helpers for the hotline's pages."""

from __future__ import annotations

from django import template

from vecinos.hotline.choices import IncidentStatus

register = template.Library()


@register.filter
def incident_colour(status: str) -> str:
    """The badge colour of an incident status (``badge-{{ status|incident_colour }}``)."""
    return IncidentStatus.colour(status)
