"""Extension point: sections other apps add to the incident page.

Another app appends a template name to :data:`INCIDENT_PANELS` in its ``AppConfig.ready()``
(the responders app adds its alert and verification panel). The incident page includes each in
order, with ``incident`` (an :class:`~vecinos.hotline.models.Incident`, fetched through
``access_incident``), ``request``, ``user`` and ``can`` in the context. A panel must show no
caller data: responders never see who called.
"""

from __future__ import annotations

INCIDENT_PANELS: list[str] = []


def add_incident_panel(template_name: str) -> None:
    """Append ``template_name`` once (``ready()`` may run twice in tests)."""
    if template_name not in INCIDENT_PANELS:
        INCIDENT_PANELS.append(template_name)
