"""Panels other apps add to an incident's page (responders, and later evidence).

Each app appends a template name in its ``AppConfig.ready``; the incident page includes them in
order with the incident in the context as ``incident``.
"""

from __future__ import annotations

INCIDENT_PANELS: list[str] = []
