from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# How often each worker looks for alerts to widen and steps to tell responders about.
ALERT_CHORE_SECONDS = 5


class RespondersConfig(AppConfig):
    name = "vecinos.responders"
    label = "responders"
    verbose_name = _("Responders")

    def ready(self) -> None:
        from vecinos.core import periodic
        from vecinos.hotline.panels import add_incident_map_layer, add_incident_panel
        from vecinos.messaging import inbound
        from vecinos.responders import panel, services

        # Installed before the hotline: a responder's YES must be read before any text from an
        # unknown number can open a report (see settings.INSTALLED_APPS).
        inbound.register_handler(services.REPLY_HANDLER, services.take_answer)
        periodic.register("responders.alerts", ALERT_CHORE_SECONDS, services.run_alerts)
        add_incident_panel("responders/incident_panel.html")
        add_incident_map_layer(panel.incident_map_layer)
