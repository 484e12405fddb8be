from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganizingConfig(AppConfig):
    name = "vecinos.organizing"
    label = "organizing"
    verbose_name = _("Organizing")

    def ready(self) -> None:
        from vecinos.core.importers import Importer, register
        from vecinos.organizing import importing

        register(
            "people",
            Importer(
                help=(
                    "People from a CSV file: name, phone, email, languages, zone, roles, stage, "
                    "circles (or an Action Network activist export)."
                ),
                add_arguments=importing.add_arguments,
                run=importing.run,
            ),
        )
