"""A real Kannel on loopback: bearerbox with a fake SMS center, smsbox, Debian's fakesmsc as the
phone network, and the real `vecinos serve` as the target of get-url and dlr-url."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import unquote_to_bytes

import pytest

from tests.binaries import require_binary
from tests.processes import free_port, start_vecinos, vecinos_env, wait_for_port

BEARERBOX = "/usr/sbin/bearerbox"
SMSBOX = "/usr/sbin/smsbox"
FAKESMSC = "/usr/lib/kannel/test/fakesmsc"
SECRET = "kannel-loopback-secret"
PASSWORD = "kannel-loopback-password"
OUR_NUMBER = "+12135550100"

CONFIG = """
group = core
admin-port = {admin}
admin-password = {password}
smsbox-port = {smsbox}
box-allow-ip = "127.0.0.1"
log-file = "{dir}/bearerbox.log"
log-level = 1
dlr-storage = internal

group = smsc
smsc = fake
smsc-id = fake
port = {fake}
connect-allow-ip = 127.0.0.1

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = {smsbox}
sendsms-port = {sendsms}
log-file = "{dir}/smsbox.log"
log-level = 1
mo-recode = true

group = sendsms-user
username = vecinos
password = {password}
concatenation = true
max-messages = 10

group = sms-service
keyword = default
catch-all = true
max-messages = 0
get-url = "{web}/hooks/kannel/sms?secret={secret}&from=%p&to=%P&text=%a&id=%I"
"""


@dataclass
class Kannel:
    web: str
    sendsms_url: str
    phones: IO[bytes]
    network_log: Path

    def text_in(self, sender: str, body: str) -> None:
        """A phone sends a text to our number (fakesmsc reads one message per line)."""
        self.phones.write(f"{sender} {OUR_NUMBER} text {body}\n".encode())
        self.phones.flush()

    def received(self) -> list[str]:
        """What the phone network delivered, as "from to text" (fakesmsc's 'Got message' lines,
        whose UCS-2 bodies are URL-encoded UTF-16; a long text comes in parts)."""
        log = self.network_log.read_text(encoding="utf-8", errors="replace")
        found = []
        for line in log.splitlines():
            if "Got message" not in line:
                continue
            sender, receiver, kind, data = line.split(": <", 1)[1].rstrip(">").split(" ", 3)
            if kind == "udh":  # one part of a long text: "<udh> data <body>"
                data = data.partition(" data ")[2]
            if kind in {"ucs-2", "udh"}:
                raw = unquote_to_bytes(data.replace("+", "%20"))
                # The tests' long texts are Spanish or Korean, so UCS-2 like the short ones.
                data = raw.decode("utf-16-be")
            found.append(f"{sender} {receiver} {data}")
        return found


def wait_until(check: Any, limit: float = 30.0) -> Any:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.1)
    raise TimeoutError("gave up waiting")


@pytest.fixture
def kannel(transactional_db: None, tmp_path: Path, settings: Any) -> Iterator[Kannel]:
    for binary in (BEARERBOX, SMSBOX, FAKESMSC):
        require_binary(binary, "Install Debian's kannel and kannel-extras.")
    ports = {name: free_port() for name in ("admin", "smsbox", "fake", "sendsms")}
    web_port = free_port()
    web = f"http://127.0.0.1:{web_port}"
    config = tmp_path / "kannel.conf"
    config.write_text(
        CONFIG.format(dir=tmp_path, password=PASSWORD, secret=SECRET, web=web, **ports)
    )
    env = vecinos_env(VECINOS_PUBLIC_URL=web, VECINOS_KANNEL_SECRET=SECRET)
    settings.PUBLIC_URL = web
    settings.VECINOS_PHONE_GATEWAYS = ["kannel"]
    settings.VECINOS_KANNEL_SECRET = SECRET
    settings.VECINOS_KANNEL_PASSWORD = PASSWORD
    settings.VECINOS_KANNEL_FROM = [OUR_NUMBER]
    settings.VECINOS_SENDER_RATES = {OUR_NUMBER: 60_000}
    settings.VECINOS_KANNEL_SENDSMS_URL = f"http://127.0.0.1:{ports['sendsms']}/cgi-bin/sendsms"

    processes: list[subprocess.Popen[bytes]] = []
    network_log = tmp_path / "fakesmsc.log"
    try:
        with (tmp_path / "boxes.log").open("wb") as boxes, network_log.open("wb") as network:
            server = start_vecinos(
                "serve", "--port", str(web_port), env=env, stdout=boxes, stderr=boxes
            )
            processes.append(server)
            wait_for_port(web_port, server)
            bearerbox = subprocess.Popen([BEARERBOX, str(config)], stdout=boxes, stderr=boxes)
            processes.append(bearerbox)
            wait_for_port(ports["smsbox"], bearerbox)
            smsbox = subprocess.Popen([SMSBOX, str(config)], stdout=boxes, stderr=boxes)
            processes.append(smsbox)
            wait_for_port(ports["sendsms"], smsbox)
            fakesmsc = subprocess.Popen(
                [FAKESMSC, "-H", "127.0.0.1", "-r", str(ports["fake"]), "-i", "0.05", "-m", "-1"],
                stdin=subprocess.PIPE,
                stdout=network,
                stderr=network,
            )
            processes.append(fakesmsc)
            wait_until(
                lambda: "Fakesmsc client connected" in (tmp_path / "bearerbox.log").read_text()
            )
            assert fakesmsc.stdin is not None
            yield Kannel(web, settings.VECINOS_KANNEL_SENDSMS_URL, fakesmsc.stdin, network_log)
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if process.stdin:
                process.stdin.close()
