from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "vecinos.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from vecinos.core import checks, receivers  # noqa: F401  # checks and signal receivers
