"""`vecinos demo` as a newcomer runs it: fresh data folder, web and worker, Ctrl-C, run again."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

from tests.processes import REPO, free_port, wait_for_port


def demo_env(data_dir: Path) -> dict[str, str]:
    # Nothing from the test run leaks in: the demo must work from a bare environment.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VECINOS_", "DJANGO_"))}
    env["VECINOS_DATA_DIR"] = str(data_dir)
    return env


def test_the_demo_starts_serves_the_login_page_stops_cleanly_and_keeps_its_data(
    tmp_path: Path,
) -> None:
    port = free_port()
    # A file, not a pipe: nothing the demo or its children print can ever wait on this test
    # reading it, and what they printed is there to read if the demo does not stop.
    log = tmp_path / "demo.log"
    # Started as a script starts it in the background (CI runs the two databases' suites so):
    # with SIGINT ignored, which the demo inherits. Ctrl-C must stop it all the same.
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    with log.open("wb") as sink:
        demo = subprocess.Popen(
            [sys.executable, "-m", "vecinos", "demo", "--port", str(port)],
            cwd=REPO,
            env=demo_env(tmp_path),
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    signal.signal(signal.SIGINT, previous)
    try:
        wait_for_port(port, demo, limit=120)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=10) as response:
            page = response.read().decode()
        assert response.status == 200
        assert 'name="password"' in page
        demo.send_signal(signal.SIGINT)
        # About two seconds on a quiet machine; under load, the worker may be finishing a batch
        # of the demo's first messages when asked to stop.
        try:
            demo.wait(timeout=180)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"the demo did not stop:\n{log.read_text()}") from None
    finally:
        if demo.poll() is None:
            demo.kill()
    output = log.read_text()
    assert demo.returncode == 0, output
    assert f"open http://127.0.0.1:{port}/" in output
    assert "dispatcher" in output and "vecinos-demo" in output
    assert "vecinos demo-otp" in output
    assert "Creating the demo neighborhood" in output
    assert (tmp_path / "vecinos.sqlite3").exists()
    assert oct((tmp_path / "field_key").stat().st_mode & 0o777) == "0o600"
    assert "Stopped." in output
    # The web server is gone: the port can be listened on again (TIME_WAIT aside).
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
        sock.listen()

    again = subprocess.run(
        [sys.executable, "-m", "vecinos", "demo", "--prepare-only"],
        cwd=REPO,
        env=demo_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert "Creating the demo neighborhood" not in again.stdout
    codes = subprocess.run(
        [sys.executable, "-m", "vecinos", "demo-otp", "dispatcher"],
        cwd=REPO,
        env=demo_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert codes.stdout.split()[0] == "dispatcher"
    assert codes.stdout.split()[1].isdigit()
