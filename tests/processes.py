"""Run the real ``vecinos`` command as a subprocess against the test database."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

REPO = Path(__file__).resolve().parent.parent


def test_database_url() -> str:
    """The URL of the database this test is using (pytest-django's test database)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    if connection.vendor == "postgresql":
        auth = quote(db["USER"] or "")
        if db.get("PASSWORD"):
            auth += ":" + quote(db["PASSWORD"])
        host = db["HOST"] or "127.0.0.1"
        port = db["PORT"] or 5432
        return f"postgres://{auth}@{host}:{port}/{db['NAME']}"
    raise RuntimeError(f"the tests run on SQLite or PostgreSQL, not {connection.vendor}")


def vecinos_env(**extra: str) -> dict[str, str]:
    """The environment for a ``vecinos`` subprocess that shares this test's database and keys."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="tests.settings",
        VECINOS_DATABASE_URL=test_database_url(),
        VECINOS_DATA_DIR=str(settings.DATA_DIR),
        PYTHONPATH=str(REPO),
    )
    env.update(extra)
    return env


def start_vecinos(
    *args: str, env: dict[str, str] | None = None, **popen: object
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # type: ignore[call-overload, no-any-return]  # popen passes through
        [sys.executable, "-m", "vecinos", *args], cwd=REPO, env=env or vecinos_env(), **popen
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes], limit: float = 30.0) -> None:
    """Wait until something listens on ``port``; fail early if ``process`` died."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listened on port {port}")
