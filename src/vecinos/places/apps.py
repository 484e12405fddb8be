from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacesConfig(AppConfig):
    name = "vecinos.places"
    label = "places"
    verbose_name = _("Places")

    def ready(self) -> None:
        from vecinos.core.importers import register
        from vecinos.places.importer import ZONES_IMPORTER

        register("zones", ZONES_IMPORTER)
