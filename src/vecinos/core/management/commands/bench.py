from __future__ import annotations

import argparse
import importlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import psycopg
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from vecinos import keyfiles

REPO = Path(__file__).resolve().parents[5]
BENCHMARKS = ("fanout", "intake", "match", "alert", "tally")


class Command(BaseCommand):
    help = (
        "Run a benchmark from benchmarks/ in a throwaway database: SQLite by default, or a new "
        "database on the PostgreSQL server given with --postgres URL. Ends with one line of JSON."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", choices=BENCHMARKS)
        parser.add_argument("options", nargs=argparse.REMAINDER)

    def handle(self, *args: Any, name: str, options: list[str], **_: Any) -> None:
        sys.path.insert(0, str(REPO))
        module = importlib.import_module(f"benchmarks.{name}")
        parser = argparse.ArgumentParser(prog=f"vecinos bench {name}")
        parser.add_argument("--postgres", default="", help="a PostgreSQL server's URL")
        parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
        module.add_arguments(parser)
        chosen = parser.parse_args(options)
        if chosen.inside:
            call_command("migrate", interactive=False, verbosity=0)
            self.stdout.write(json.dumps(module.run(vars(chosen))))
            return
        figures = self.run_isolated(name, options, chosen.postgres)
        for key, value in figures.items():
            self.stdout.write(f"{key:>34}: {value}")
        self.stdout.write(json.dumps(figures))

    def run_isolated(self, name: str, options: list[str], postgres: str) -> dict[str, Any]:
        """Run the benchmark in a child process on a fresh database with fresh keys."""
        with tempfile.TemporaryDirectory(prefix="vecinos-bench-") as tmp:
            env = {k: v for k, v in os.environ.items() if not k.startswith(("VECINOS_", "DJANGO_"))}
            env.update(
                DJANGO_SETTINGS_MODULE="vecinos.settings",
                VECINOS_DATA_DIR=tmp,
                VECINOS_SECRET_KEY=keyfiles.new_secret_key(),
                VECINOS_FIELD_KEY=keyfiles.new_field_key(),
                PYTHONPATH=str(REPO),
            )
            database = f"vecinos_bench_{os.getpid()}"
            if postgres:
                with psycopg.connect(postgres, autocommit=True) as admin:
                    admin.execute(f'CREATE DATABASE "{database}"')
                env["VECINOS_DATABASE_URL"] = postgres.rsplit("/", 1)[0] + f"/{database}"
            try:
                result = subprocess.run(  # noqa: S603  # our own command
                    [sys.executable, "-m", "vecinos", "bench", name, "--inside", *options],
                    env=env,
                    capture_output=True,
                    text=True,
                    check=False,
                )
            finally:
                if postgres:
                    with psycopg.connect(postgres, autocommit=True) as admin:
                        admin.execute(f'DROP DATABASE IF EXISTS "{database}"')
        if result.returncode:
            raise CommandError(result.stderr.strip()[-2000:])
        figures: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
        return figures
