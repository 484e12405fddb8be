from __future__ import annotations

import signal
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker as TaskWorker

from vecinos.messaging.worker import OutboxWorker

WORKER_CONNECTION_SECONDS = 300


class Command(BaseCommand):
    help = (
        "Run background work: the message outbox and the job queue, both in the database. Several "
        "workers may run at once: on PostgreSQL each claims rows with SKIP LOCKED, on SQLite "
        "under an exclusive lock. SIGTERM or Ctrl-C lets the work in hand finish."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch", action="store_true", help="Do every waiting job and message, then exit."
        )
        parser.add_argument(
            "--interval", type=float, default=0.5, help="Seconds between looks at an empty queue."
        )
        parser.add_argument("--concurrency", type=int, default=None)

    def handle(self, *args: Any, batch: bool, interval: float, **options: Any) -> None:
        # The outbox loop runs a batch every few milliseconds: keep each thread's database
        # connection instead of opening one per batch (close_old_connections() still replaces
        # one that broke, and one older than this).
        for database in settings.DATABASES.values():
            if "pool" in database.get("OPTIONS", {}):
                continue  # pooled connections are kept already (and may not also be persistent)
            database["CONN_MAX_AGE"] = WORKER_CONNECTION_SECONDS
            database["CONN_HEALTH_CHECKS"] = True
        worker_id = f"worker-{get_random_string(12)}"
        concurrency = options["concurrency"] or settings.VECINOS_OUTBOX_CONCURRENCY
        messages = OutboxWorker(worker_id, concurrency, interval=interval)
        jobs = TaskWorker(
            queue_names=["*"],
            interval=interval,
            batch=batch,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id,
            excluded_queue_names=[],
        )

        def stop(signum: int, frame: Any) -> None:
            messages.stop.set()
            jobs.running = False

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        job_thread = threading.Thread(target=jobs.run, name="jobs")
        job_thread.start()
        try:
            messages.run(until_empty=batch)
        finally:
            if not batch:
                jobs.running = False
            job_thread.join()
