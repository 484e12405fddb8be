"""`vecinos bench intake`: signed inbound-SMS webhooks, as Twilio sends them, against a running
`vecinos serve` from a load generator on loopback.

Reports accepted webhooks per second with their p50 and p99 latency, and proves none was lost: every
accepted text is stored once before its answer, and every stored text is then read (as a keyword,
a report, …) by the worker's code, whose rate is reported too. One delivery in fifty repeats an
earlier MessageSid, as providers do on a timeout; those must be stored once. The baseline,
measured against the same server in the same run, is the rate of requests refused for a bad
signature: the HTTP floor with the signature check and no write.

The server's processes share a Redis (``--redis``, 127.0.0.1 by default), as several web processes
must for the consoles; the worker then reads the texts. By default no worker runs during the load
(a flood is accepted first, read right after); ``--with-worker`` runs `vecinos worker` beside the
server, as in production. ``--redis ''`` runs without Redis: each web process reads the texts it
stored, after answering.

Texts come from a pool of numbers, so most open a report (with its know-your-rights reply queued)
and the rest join one.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import uvloop
from django.db import connection
from twilio.request_validator import RequestValidator  # type: ignore[import-untyped]

from vecinos.hotline.models import Report
from vecinos.messaging import inbound
from vecinos.messaging.models import InboundMessage

AUTH_TOKEN = "bench-intake"  # noqa: S105  # loopback only
ACCOUNT_SID = "AC" + "1" * 32
HOTLINE = "+12135550100"
PATH = "/hooks/twilio/sms"
BODIES = [
    "Hay agentes de la migra en la esquina de Soto y Cesar Chavez",
    "ICE at the laundromat on 3rd, two vans",
    "집 앞에 이민국 요원들이 있어요",
    "they left going north",
    "STOP",
]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seconds", type=float, default=30, help="length of the signed load")
    parser.add_argument("--connections", type=int, default=16, help="requests in flight")
    parser.add_argument("--server-workers", type=int, default=2, help="`vecinos serve` processes")
    parser.add_argument("--senders", type=int, default=5000, help="distinct phone numbers")
    parser.add_argument(
        "--redis",
        default="redis://127.0.0.1:6379/0",
        help=(
            "VECINOS_REDIS_URL for the server, which several web processes need for the consoles "
            "(the worker then reads the texts); '' for none (each web process reads its own)"
        ),
    )
    parser.add_argument(
        "--with-worker",
        action="store_true",
        help="run `vecinos worker` during the load (it reads texts while they arrive)",
    )
    parser.add_argument(
        "--max-rate",
        type=int,
        default=1500,
        help="requests made in advance per second of load (the load stops early if they run out)",
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """`vecinos serve` in processes of its own, pointed at this benchmark's database."""

    def __init__(self, workers: int, redis_url: str = "") -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "VECINOS_PUBLIC_URL": self.url,
            "VECINOS_PHONE_GATEWAYS": "twilio",
            "VECINOS_TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "VECINOS_TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "VECINOS_TWILIO_FROM": HOTLINE,
            # Every number may open reports as fast as the load sends them.
            "VECINOS_INTAKE_TEXTS_PER_HOUR": "1000000",
            "VECINOS_REDIS_URL": redis_url,
        }
        self.env = env
        self.log = Path(
            tempfile.mkstemp(prefix="serve-", dir=os.environ.get("VECINOS_DATA_DIR"))[1]
        )
        with self.log.open("w") as log:
            self.process = subprocess.Popen(  # noqa: S603  # our own command
                [
                    sys.executable,
                    "-m",
                    "vecinos",
                    "serve",
                    "--port",
                    str(self.port),
                    "--workers",
                    str(workers),
                ],
                env=env,
                stdout=log,
                stderr=log,
            )
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    break
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    log = self.log.read_text()[-3000:]
                    raise RuntimeError(f"the server did not start:\n{log}") from None
                time.sleep(0.1)

    def errors(self) -> str:
        """The end of the server's log without the expected refusals of forged deliveries."""
        lines = self.log.read_text().splitlines()
        return "\n".join(line for line in lines if "Forbidden: " not in line)[-4000:]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


class Load:
    """Signed deliveries as raw HTTP/1.1 requests, all made before the clock starts, so the
    generator spends its share of the two cores writing bytes and reading status lines, not
    signing or building requests (a general-purpose HTTP client costs it about as much as the
    server's own parsing)."""

    def __init__(self, url: str, senders: int, seed: int = 7) -> None:
        self.url = url + PATH
        self.host = url.split("//", 1)[1]
        self.validator = RequestValidator(AUTH_TOKEN)
        self.random = random.Random(seed)  # noqa: S311  # a repeatable load, not a secret
        self.numbers = [f"+1323{5550000 + n:07d}" for n in range(senders)]
        self.made_sids: list[str] = []
        self.count = 0

    def make(self, forged: bool) -> tuple[bytes, str]:
        """One delivery: the request's bytes and its MessageSid. One in fifty repeats an earlier
        MessageSid, as a provider's retry does."""
        if self.made_sids and self.random.random() < 0.02:
            sid = self.random.choice(self.made_sids)
        else:
            self.count += 1
            sid = f"SM{self.count:032x}"
            self.made_sids.append(sid)
        params = {
            "MessageSid": sid,
            "AccountSid": ACCOUNT_SID,
            "From": self.random.choice(self.numbers),
            "To": HOTLINE,
            "Body": self.random.choice(BODIES),
            "NumMedia": "0",
        }
        signature = "forged" if forged else self.validator.compute_signature(self.url, params)
        body = urlencode(params).encode()
        head = (
            f"POST {PATH} HTTP/1.1\r\nHost: {self.host}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\nX-Twilio-Signature: {signature}\r\n\r\n"
        )
        return head.encode() + body, sid

    def batch(self, count: int, forged: bool) -> list[tuple[bytes, str]]:
        return [self.make(forged) for _ in range(count)]


async def exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> int:
    """Send one request on a kept-alive connection and read its answer; returns the status."""
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    if length:
        await reader.readexactly(length)
    return status


async def hammer(
    host_port: tuple[str, int], seconds: float, connections: int, requests: list[tuple[bytes, str]]
) -> tuple[list[float], dict[int, int], set[str], float]:
    """Keep ``connections`` requests in flight for ``seconds`` (or until ``requests`` run out);
    returns the latencies of answered requests, counts per status, the MessageSids answered 200,
    and the elapsed time."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    accepted: set[str] = set()
    pending = iter(requests)
    start = time.perf_counter()
    stop = start + seconds

    async def client() -> None:
        reader, writer = await asyncio.open_connection(*host_port)
        try:
            while time.perf_counter() < stop:
                item = next(pending, None)
                if item is None:
                    return
                request, sid = item
                sent = time.perf_counter()
                status = await exchange(reader, writer, request)
                latencies.append(time.perf_counter() - sent)
                statuses[status] = statuses.get(status, 0) + 1
                if status == 200:
                    accepted.add(sid)
        finally:
            writer.close()

    await asyncio.gather(*(client() for _ in range(connections)))
    elapsed = time.perf_counter() - start
    return latencies, statuses, accepted, elapsed


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def run(options: dict[str, Any]) -> dict[str, Any]:
    server = Server(options["server_workers"], options["redis"])
    try:
        load = Load(server.url, options["senders"])
        address = ("127.0.0.1", server.port)
        # Enough requests for a rate well above the target; made before any clock starts.
        per_second = options["max_rate"]
        baseline_seconds = min(10.0, options["seconds"])
        warm_up = load.batch(200, forged=True)
        forged = load.batch(int(per_second * baseline_seconds), forged=True)
        signed = load.batch(int(per_second * options["seconds"]), forged=False)

        # Warm up (imports, connections), then the baseline, then the signed load.
        uvloop.run(hammer(address, 2, options["connections"], warm_up))
        base_latencies, base_statuses, _, base_elapsed = asyncio.run(
            hammer(address, baseline_seconds, options["connections"], forged)
        )
        if set(base_statuses) != {403}:
            log = server.errors()
            raise RuntimeError(f"forged deliveries were not all refused: {base_statuses}\n{log}")
        worker = None
        if options["with_worker"]:
            worker = subprocess.Popen(  # our own command
                [sys.executable, "-m", "vecinos", "worker", "--interval", "0.2"],
                env=server.env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        try:
            latencies, statuses, accepted, elapsed = asyncio.run(
                hammer(address, options["seconds"], options["connections"], signed)
            )
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=120)
    finally:
        server.stop()
    if any(status >= 500 for status in statuses):
        raise RuntimeError(f"the server failed: {statuses}\n{server.errors()}")
    answered = sum(statuses.values())
    stored = set(
        InboundMessage.objects.filter(gateway="twilio").values_list(
            "provider_message_id", flat=True
        )
    )
    read_during_load = InboundMessage.objects.filter(processed_at__isnull=False).count()
    # What the worker does next: read every text still waiting, timed.
    started = time.perf_counter()
    read_after = inbound.process_pending()
    reading_s = time.perf_counter() - started
    unprocessed = InboundMessage.objects.filter(processed_at__isnull=True).count()
    return {
        "benchmark": "intake",
        "database": connection.vendor,
        "server_workers": options["server_workers"],
        "redis": bool(options["redis"]),
        "with_worker": options["with_worker"],
        "connections": options["connections"],
        "baseline_refused_per_s": round(sum(base_statuses.values()) / base_elapsed),
        "baseline_p50_ms": round(statistics.median(base_latencies) * 1000, 1),
        "accepted_per_s": round(statuses.get(200, 0) / elapsed),
        "accepted_vs_baseline": round(
            statuses.get(200, 0) / elapsed / (sum(base_statuses.values()) / base_elapsed), 3
        ),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        "requests": answered,
        # True when the requests made in advance ran out before the time was up (raise --max-rate).
        "ran_out": elapsed < options["seconds"] * 0.99,
        "answered_200": statuses.get(200, 0),
        "other_statuses": {str(k): v for k, v in statuses.items() if k != 200},
        "distinct_accepted": len(accepted),
        "stored": len(stored),
        "lost": len(accepted - stored),
        "read_during_load": read_during_load,
        "read_after_load": read_after,
        "read_per_s": round(read_after / reading_s) if read_after else None,
        "stored_unread": unprocessed,
        "reports_opened": Report.objects.count(),
    }
