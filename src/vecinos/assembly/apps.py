from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# How often each worker looks for meetings whose members are due a reminder.
REMINDER_CHORE_SECONDS = 300


class AssemblyConfig(AppConfig):
    name = "vecinos.assembly"
    label = "assembly"
    verbose_name = _("Popular assembly")

    def ready(self) -> None:
        from vecinos.assembly import proposals, services
        from vecinos.core import periodic
        from vecinos.hotline.services import TEXT_HANDLER
        from vecinos.messaging import inbound

        # Ahead of the hotline, which takes any text it is handed as a report; time-poll answers
        # ("H12 120") first, then votes ("KM47 YES"), whose reader answers a member's unknown
        # code-shaped word as an unknown vote code.
        inbound.register_handler(
            services.POLL_HANDLER, services.take_poll_text, before=TEXT_HANDLER
        )
        inbound.register_handler(proposals.TEXT_HANDLER, proposals.take_vote, before=TEXT_HANDLER)
        periodic.register("assembly.reminders", REMINDER_CHORE_SECONDS, services.send_due_reminders)
