from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "Run background jobs from the database queue. Several workers may run at once; on "
        "PostgreSQL each job is claimed with SKIP LOCKED, on SQLite under an exclusive lock."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch", action="store_true", help="Run every waiting job, then exit."
        )
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Seconds between looks at an empty queue."
        )

    def handle(self, *args: Any, batch: bool, interval: float, **options: Any) -> None:
        call_command(
            "db_worker",
            queue_name="*",
            interval=interval,
            batch=batch,
            reload=False,
            startup_delay=not batch,
            verbosity=options.get("verbosity", 1),
        )
