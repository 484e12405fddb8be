from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShiftsConfig(AppConfig):
    name = "vecinos.shifts"
    label = "shifts"
    verbose_name = _("Dispatchers' shifts")
