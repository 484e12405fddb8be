"""What `vecinos import KIND FILE` can import: each app registers its kinds in its
``AppConfig.ready()``, and the command makes one subcommand of each.

    register("zones", Importer(help=..., add_arguments=..., run=...))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from django.core.management.base import CommandParser


class ImportFailed(Exception):  # noqa: N818  # reads as "the import failed"
    """The file was refused and nothing was imported; the message says why, for the person who
    ran the command (name the line or feature at fault)."""


@dataclass(frozen=True)
class Importer:
    """One kind of import.

    ``add_arguments`` adds the subcommand's arguments (e.g. the file). ``run`` gets the parsed
    options, imports everything or nothing, and returns a one-line summary; it raises
    :class:`ImportFailed` for a file it refuses.
    """

    help: str
    add_arguments: Callable[[CommandParser], None]
    run: Callable[[dict[str, Any]], str]


IMPORTERS: dict[str, Importer] = {}


def register(kind: str, importer: Importer) -> None:
    """Make ``vecinos import <kind>`` run ``importer``. Call from ``AppConfig.ready()``.

    Raises:
        ImproperlyConfigured: another importer already has this kind.
    """
    if IMPORTERS.get(kind, importer) is not importer:
        raise ImproperlyConfigured(f"two importers for {kind!r}")
    IMPORTERS[kind] = importer
