"""A loopback stand-in for Twilio's Messages.json, run in a process of its own.

It answers ``POST /2010-04-01/Accounts/{AccountSid}/Messages.json`` (form-encoded, HTTP Basic auth)
with a Message resource as Twilio does, over keep-alive HTTP/1.1. It stands for a remote provider,
so it must not share the worker's CPU time slice or GIL: it is an asyncio server in its own
process, as cheap per request as plain Python allows. It counts what it received (per recipient,
so duplicates can be counted, and per sender number) and when, and reports it at ``GET /counts``.

Run as ``python -m benchmarks.loopback_twilio ACCOUNT_SID AUTH_TOKEN``: prints its port, then serves
until killed. :class:`LoopbackTwilio` does that from the benchmark.
"""

from __future__ import annotations

import asyncio
import base64
import json
import subprocess
import sys
import time
import urllib.request
import uuid
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import uvloop

REPO = Path(__file__).resolve().parents[1]


class Received:
    def __init__(self) -> None:
        self.by_recipient: Counter[str] = Counter()
        self.by_sender: Counter[str] = Counter()
        self.times: list[float] = []

    def summary(self) -> dict[str, Any]:
        received = sum(self.by_recipient.values())
        return {
            "received": received,
            "distinct_recipients": len(self.by_recipient),
            "duplicates": received - len(self.by_recipient),
            "by_sender": dict(self.by_sender),
            "times": self.times,
        }


def error(code: int, message: str, status: int) -> bytes:
    return json.dumps({"code": code, "message": message, "status": status}).encode()


def serve(account_sid: str, auth_token: str) -> None:
    received = Received()
    expected_auth = "Basic " + base64.b64encode(f"{account_sid}:{auth_token}".encode()).decode()
    messages_path = f"/2010-04-01/Accounts/{account_sid}/Messages.json"

    def answer(method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
        if method == "GET" and path == "/counts":
            return 200, json.dumps(received.summary()).encode()
        if headers.get("authorization") != expected_auth:
            return 401, json.dumps(
                {"code": 20003, "message": "Authenticate", "status": 401}
            ).encode()
        if method != "POST" or path != messages_path:
            return 404, json.dumps({"code": 20404, "message": "Not found", "status": 404}).encode()
        form = {key: values[0] for key, values in parse_qs(body.decode()).items()}
        to = form.get("To", "")
        sender = form.get("From") or form.get("MessagingServiceSid", "")
        received.by_recipient[to] += 1
        received.by_sender[sender] += 1
        received.times.append(time.time())
        sid = "SM" + uuid.uuid4().hex
        resource = {
            "sid": sid,
            "account_sid": account_sid,
            "to": to,
            "from": form.get("From"),
            "messaging_service_sid": form.get("MessagingServiceSid"),
            "body": form.get("Body"),
            "status": "queued",
            "num_segments": "1",
            "direction": "outbound-api",
            "api_version": "2010-04-01",
            "uri": f"/2010-04-01/Accounts/{account_sid}/Messages/{sid}.json",
        }
        return 201, json.dumps(resource).encode()

    async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
                request_line, *lines = head.split("\r\n")
                method, path, _version = request_line.split(" ", 2)
                headers = {}
                for line in lines:
                    name, _, value = line.partition(":")
                    if value:
                        headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                status, payload = answer(method, path, headers, body)
                head = (
                    f"HTTP/1.1 {status} {'OK' if status < 300 else 'Error'}\r\n"
                    "Content-Type: application/json\r\n"
                    f"Content-Length: {len(payload)}\r\n\r\n"
                )
                writer.write(head.encode() + payload)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def main() -> None:
        server = await asyncio.start_server(connection, "127.0.0.1", 0, backlog=1024)
        print(server.sockets[0].getsockname()[1], flush=True)  # the port, for the parent
        await server.serve_forever()

    uvloop.run(main())  # the cheapest loop: the stand-in must not be what limits the rate


class LoopbackTwilio:
    """Starts the stand-in in its own process; :meth:`counts` asks it what it received."""

    def __init__(self, account_sid: str, auth_token: str) -> None:
        self.process = subprocess.Popen(  # noqa: S603  # our own module
            [sys.executable, "-m", "benchmarks.loopback_twilio", account_sid, auth_token],
            cwd=REPO,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None  # noqa: S101  # asked for above
        self.port = int(self.process.stdout.readline())

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def counts(self) -> dict[str, Any]:
        with urllib.request.urlopen(f"{self.url}/counts", timeout=30) as response:  # noqa: S310  # loopback
            summary: dict[str, Any] = json.loads(response.read())
        return summary

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


if __name__ == "__main__":
    serve(sys.argv[1], sys.argv[2])
