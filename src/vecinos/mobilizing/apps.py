from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# How often each worker looks for mobilizations whose reminders are due. A reminder an hour
# before may leave up to this late: a minute is nothing for a bus.
REMINDER_CHORE_SECONDS = 60


class MobilizingConfig(AppConfig):
    name = "vecinos.mobilizing"
    label = "mobilizing"
    verbose_name = _("Mobilizations")

    def ready(self) -> None:
        from vecinos.core import periodic
        from vecinos.messaging import inbound
        from vecinos.mobilizing import services

        # Installed after the responders and before the hotline (settings.INSTALLED_APPS): an
        # open alert's YES is a responder's, and an RSVP must never open a hotline report.
        inbound.register_handler(services.REPLY_HANDLER, services.take_reply_text)
        periodic.register("mobilizing.reminders", REMINDER_CHORE_SECONDS, services.send_reminders)
