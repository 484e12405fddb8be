"""A loopback stand-in for Twilio's REST API, speaking its documented wire format: form-encoded
POST to /2010-04-01/Accounts/{AccountSid}/Messages.json (a text) or .../Calls.json (a phone call)
with HTTP Basic auth, answered with the Message or Call resource as JSON, or an error object
{code, message, more_info, status}."""

from __future__ import annotations

import base64
import json
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "loopback-auth-token"


@dataclass
class FakeTwilio:
    port: int = 0
    received: list[dict[str, str]] = field(default_factory=list)
    calls: list[dict[str, str]] = field(default_factory=list)
    # To number → (HTTP status, Twilio error code) to answer with instead of accepting.
    errors: dict[str, tuple[int, int]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> FakeTwilio:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:  # http.server's hook name
                expected = (
                    "Basic " + base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
                )
                if self.headers.get("Authorization") != expected:
                    return self.reply(401, {"code": 20003, "message": "Authenticate"})
                account = f"/2010-04-01/Accounts/{ACCOUNT_SID}"
                if self.path not in (f"{account}/Messages.json", f"{account}/Calls.json"):
                    return self.reply(404, {"code": 20404, "message": "Not found"})
                length = int(self.headers.get("Content-Length", "0"))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                to = form.get("To", "")
                if to in fake.errors:
                    status, code = fake.errors[to]
                    return self.reply(status, {"code": code, "message": f"error {code}"})
                if self.path.endswith("/Calls.json"):
                    return self.call(form)
                with fake.lock:
                    fake.received.append(form)
                sid = "SM" + uuid.uuid4().hex
                return self.reply(
                    201,
                    {
                        "sid": sid,
                        "account_sid": ACCOUNT_SID,
                        "to": to,
                        "from": form.get("From"),
                        "messaging_service_sid": form.get("MessagingServiceSid"),
                        "body": form.get("Body"),
                        "status": "queued",
                        "num_segments": "1",
                        "direction": "outbound-api",
                        "api_version": "2010-04-01",
                        "uri": f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{sid}.json",
                    },
                )

            def call(self, form: dict[str, str]) -> None:
                if not form.get("From") or not (form.get("Twiml") or form.get("Url")):
                    return self.reply(400, {"code": 21205, "message": "Url or Twiml is required"})
                with fake.lock:
                    fake.calls.append(form)
                sid = "CA" + uuid.uuid4().hex
                return self.reply(
                    201,
                    {
                        "sid": sid,
                        "account_sid": ACCOUNT_SID,
                        "to": form["To"],
                        "from": form["From"],
                        "status": "queued",
                        "direction": "outbound-api",
                        "api_version": "2010-04-01",
                        "uri": f"/2010-04-01/Accounts/{ACCOUNT_SID}/Calls/{sid}.json",
                    },
                )

            def reply(self, status: int, payload: dict[str, object]) -> None:
                if status >= 400:
                    payload = {**payload, "status": status, "more_info": "https://example.org"}
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"
