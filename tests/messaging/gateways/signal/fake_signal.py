"""A loopback stand-in for signal-cli-rest-api, speaking its documented wire format: POST /v2/send
with {"message", "number", "recipients"} answered 201 {"timestamp"}; GET /v1/receive/{number}
answered with the list of envelopes waiting, each handed out once."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class FakeSignal:
    number: str
    sent: list[dict[str, Any]] = field(default_factory=list)
    inbox: list[dict[str, Any]] = field(default_factory=list)
    refuse: dict[str, int] = field(default_factory=dict)  # recipient → HTTP status
    lock: threading.Lock = field(default_factory=threading.Lock)

    def text_in(self, sender: str, body: str) -> None:
        stamp = int(time.time() * 1000) + len(self.inbox)
        with self.lock:
            self.inbox.append(
                {
                    "envelope": {
                        "source": sender,
                        "sourceNumber": sender,
                        "timestamp": stamp,
                        "dataMessage": {"timestamp": stamp, "message": body},
                    },
                    "account": self.number,
                }
            )
            # A read receipt: not a text, must be ignored.
            self.inbox.append({"envelope": {"source": sender, "receiptMessage": {"when": stamp}}})

    def start(self) -> FakeSignal:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                if self.path != "/v2/send":
                    return self.reply(404, {"error": "not found"})
                payload = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if payload.get("number") != fake.number:
                    return self.reply(400, {"error": "unknown sender number"})
                for recipient in payload["recipients"]:
                    if recipient in fake.refuse:
                        return self.reply(fake.refuse[recipient], {"error": "refused"})
                with fake.lock:
                    fake.sent.append(payload)
                return self.reply(201, {"timestamp": str(int(time.time() * 1000))})

            def do_GET(self) -> None:
                if self.path != f"/v1/receive/{fake.number}":
                    return self.reply(404, {"error": "not found"})
                with fake.lock:
                    waiting, fake.inbox[:] = list(fake.inbox), []
                return self.reply(200, waiting)

            def reply(self, status: int, payload: Any) -> None:
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"
