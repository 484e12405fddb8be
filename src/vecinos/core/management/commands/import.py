# ruff: noqa: N999  # the module names the command `vecinos import`; Django loads it by name
"""`vecinos import KIND FILE`: one subcommand per importer that an app registered in
vecinos.core.importers (zones from places; people from organizing)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vecinos.core.importers import IMPORTERS, ImportFailed


class Command(BaseCommand):
    help = "Import zones, people and more from files. Each file is imported whole or not at all."

    def add_arguments(self, parser: CommandParser) -> None:
        kinds = parser.add_subparsers(dest="kind", metavar="KIND", required=True)
        for kind, importer in sorted(IMPORTERS.items()):
            importer.add_arguments(kinds.add_parser(kind, help=importer.help))

    def handle(self, *args: Any, kind: str, **options: Any) -> None:
        try:
            summary = IMPORTERS[kind].run(options)
        except ImportFailed as error:
            raise CommandError(f"Nothing was imported. {error}") from None
        self.stdout.write(summary)
