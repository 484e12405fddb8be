from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from vecinos.core.demo import DEMO_PASSWORD
from vecinos.core.models import User

STOP_GRACE_SECONDS = 10


class Command(BaseCommand):
    help = (
        "Start the demo: SQLite in the data folder, demo data on first run, the web server and the "
        "worker together. Ctrl-C stops both. Running it again keeps the data."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--prepare-only",
            action="store_true",
            help="Migrate and load demo data, then exit without starting servers.",
        )

    def handle(self, *args: Any, host: str, port: int, prepare_only: bool, **options: Any) -> None:
        if not settings.DEMO:
            raise CommandError("Run the demo as `vecinos demo`.")
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        if User.objects.filter(is_demo=False).exists():
            raise CommandError(
                "This database has real accounts; the demo will not mix invented people into it. "
                "Point VECINOS_DATA_DIR or VECINOS_DATABASE_URL somewhere else."
            )
        if not User.objects.filter(is_demo=True).exists():
            self.stdout.write("Creating the demo neighborhood…")
            with transaction.atomic():
                counts = populate_all()
            self.stdout.write(f"  {counts}")
        self.print_welcome(host, port)
        if prepare_only:
            return
        self.run_processes(host, port)

    def print_welcome(self, host: str, port: int) -> None:
        from vecinos.organizing.demo import DEMO_ACCOUNTS

        url = f"http://{host}:{port}/"
        lines = [
            "",
            f"Vecinos demo: open {url}",
            f"Data folder: {settings.DATA_DIR}",
            "",
            f"Demo logins (password for all: {DEMO_PASSWORD})",
        ]
        for spec in DEMO_ACCOUNTS:
            roles = ", ".join(str(r) for r in spec.roles)
            lines.append(f"  {spec.username:<13} {spec.display_name:<20} {roles}")
        lines += [
            "",
            "Coordinators and dispatchers need a two-factor code. In the demo, the code page shows",
            "the current code for demo accounts; or run in another terminal:",
            "  .venv/bin/vecinos demo-otp",
            "",
            f"Texts go to pretend phones: log in as coordinator and open {url}messages/simulator/",
            "",
            "Press Ctrl-C to stop.",
            "",
        ]
        self.stdout.write("\n".join(lines))

    def run_processes(self, host: str, port: int) -> None:
        base = [sys.executable, "-m", "vecinos"]
        children = [
            # Own sessions: Ctrl-C reaches only this process, which then stops each child once,
            # so the worker finishes its current job instead of being interrupted twice.
            subprocess.Popen(  # noqa: S603
                [*base, "serve", "--host", host, "--port", str(port)], start_new_session=True
            ),
            subprocess.Popen([*base, "worker"], start_new_session=True),  # noqa: S603
        ]

        def stop(signum: int, frame: Any) -> None:
            raise KeyboardInterrupt

        # SIGINT too, explicitly: a process started in the background by a shell script begins
        # with SIGINT ignored, and Python then leaves it ignored; Ctrl-C must always stop the demo.
        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        exit_code = 0
        try:
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
            exit_code = 1
            self.stderr.write("A demo process stopped unexpectedly; stopping the other.")
        except KeyboardInterrupt:
            self.stdout.write("\nStopping the web server and the worker…")
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        self.stdout.write("Stopped. Your demo data stays in the data folder.")
        if exit_code:
            sys.exit(exit_code)


def populate_all() -> dict[str, int]:
    """Each app that has a ``demo`` module adds its part of the neighborhood, in app order."""
    from importlib import import_module
    from importlib.util import find_spec

    from django.apps import apps

    rng = random.Random(2016)  # noqa: S311  # a fixed seed: the same neighborhood every time
    counts: dict[str, int] = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("vecinos."):
            continue
        if find_spec(f"{config.name}.demo") is None:
            continue
        module = import_module(f"{config.name}.demo")
        if hasattr(module, "populate"):
            counts.update(module.populate(rng))
    return counts
