from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# How often each worker recomputes responders whose training expired.
EXPIRY_CHORE_SECONDS = 60


class TrainingsConfig(AppConfig):
    name = "vecinos.trainings"
    label = "trainings"
    verbose_name = _("Trainings")

    def ready(self) -> None:
        from vecinos.core import periodic
        from vecinos.messaging import inbound
        from vecinos.trainings import services

        # After the responders' reader (an alert's YES is not a code), before the hotline's
        # (a sign-in code is not a report): see settings.INSTALLED_APPS.
        inbound.register_handler(services.SIGN_IN_HANDLER, services.take_sign_in)
        periodic.register("trainings.expiries", EXPIRY_CHORE_SECONDS, services.run_expiries)
