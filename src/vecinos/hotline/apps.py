from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HotlineConfig(AppConfig):
    name = "vecinos.hotline"
    label = "hotline"
    verbose_name = _("Hotline")

    def ready(self) -> None:
        from vecinos.core import periodic
        from vecinos.hotline import calls, events, live, services
        from vecinos.messaging import inbound

        # Registered after the apps that read their own replies (responders' YES/NO), so that a
        # text nobody else expected opens or joins a report.
        inbound.register_handler(services.TEXT_HANDLER, services.take_text)
        calls.register()
        periodic.register("hotline.purge_callers", 300, services.purge_expired_callers)
        # Every open console hears of new and changed reports (through Redis when configured).
        events.listen(live.announce)
