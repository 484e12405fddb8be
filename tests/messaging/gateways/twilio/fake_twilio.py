"""Loopback stand-ins for Twilio.

:class:`FakeTwilio` is its REST API, speaking the documented wire format: form-encoded POST to
/2010-04-01/Accounts/{AccountSid}/Messages.json (a text) or .../Calls.json (a phone call) with HTTP
Basic auth, answered with the Message or Call resource as JSON, or an error object
{code, message, more_info, status}.

:class:`TwilioCall` plays Twilio's voice engine for one incoming call: it posts the webhooks Twilio
would, with Twilio's parameters, signed with the auth token exactly as Twilio signs them, and
follows the TwiML we answer with to the next webhook (twilio.com/docs/voice/twiml).
"""

from __future__ import annotations

import base64
import json
import threading
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.test import Client
from twilio.request_validator import RequestValidator

ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "loopback-auth-token"
PUBLIC = "https://vecinos.example.org"
HOTLINE = "+12135550100"


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


def signed_post(client: Client, url: str, params: dict[str, str], token: str = AUTH_TOKEN) -> Any:
    """POST ``params`` to ``url`` (absolute, or a path under PUBLIC) as Twilio does: signed over
    the full URL, query string included, and the sorted parameters."""
    full = url if url.startswith("http") else f"{PUBLIC}{url}"
    parts = urlsplit(full)
    assert f"{parts.scheme}://{parts.netloc}" == PUBLIC, "Twilio only calls our public address"
    path = f"{parts.path}?{parts.query}" if parts.query else parts.path
    signature = RequestValidator(token).compute_signature(full, params)
    return client.post(path, params, HTTP_X_TWILIO_SIGNATURE=signature)


@dataclass
class TwilioCall:
    """One incoming call as Twilio would run it against our webhooks. Each method performs what
    the caller (or the dispatchers' phones) did at the verb the last answer is waiting on, and
    returns our next answer; ``twiml`` holds the latest one."""

    client: Client
    caller: str = "+13235550161"
    number: str = HOTLINE
    sid: str = field(default_factory=lambda: "CA" + uuid.uuid4().hex)
    twiml: ET.Element = field(default_factory=lambda: ET.Element("Response"))
    # The last <Record> and the recording it made (its URL and length).
    recording: tuple[ET.Element, str, int] | None = None

    def params(self, **extra: str) -> dict[str, str]:
        # What Twilio sends on every request of a call, including facts we must not keep.
        return {
            "CallSid": self.sid,
            "AccountSid": ACCOUNT_SID,
            "From": self.caller,
            "To": self.number,
            "Called": self.number,
            "CallStatus": "in-progress",
            "Direction": "inbound",
            "ApiVersion": "2010-04-01",
            "FromCity": "LOS ANGELES",
            "FromZip": "90005",
            **extra,
        }

    def answer(self, response: Any) -> ET.Element:
        assert response.status_code == 200, response.content
        assert response["Content-Type"].startswith("text/xml")
        self.twiml = ET.fromstring(response.content)  # noqa: S314  # TwiML our server made
        assert self.twiml.tag == "Response"
        return self.twiml

    def verb(self, tag: str) -> ET.Element:
        """The verb the call is at: Twilio runs verbs in order, and one that waits ends the
        document for now."""
        for element in self.twiml:
            if element.tag in {"Gather", "Dial", "Record", "Hangup", "Redirect"}:
                assert element.tag == tag, f"the call is at <{element.tag}>, not <{tag}>"
                return element
        raise AssertionError(f"no <{tag}> in {ET.tostring(self.twiml, encoding='unicode')}")

    def start(self) -> ET.Element:
        return self.answer(
            signed_post(self.client, "/hooks/twilio/voice", self.params(CallStatus="ringing"))
        )

    def press(self, digits: str) -> ET.Element:
        """Keys at the <Gather>; "" is pressing nothing until it times out."""
        action = self.verb("Gather").attrib["action"]
        extra = {"Digits": digits} if digits else {}
        return self.answer(signed_post(self.client, action, self.params(**extra)))

    def dial_ends(self, status: str, seconds: int = 0) -> ET.Element:
        """The <Dial> ended with DialCallStatus ``status`` (completed, no-answer, busy, failed,
        canceled)."""
        action = self.verb("Dial").attrib["action"]
        extra = {"DialCallStatus": status, "DialCallDuration": str(seconds)}
        if status in {"completed", "answered"}:
            extra["DialCallSid"] = "CA" + uuid.uuid4().hex
        return self.answer(signed_post(self.client, action, self.params(**extra)))

    def record(self, url: str = "", seconds: int = 21) -> ET.Element:
        """The caller spoke after the beep and pressed # (the <Record>'s action)."""
        record = self.verb("Record")
        recordings = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings"
        self.recording = (record, url or f"{recordings}/RE{uuid.uuid4().hex}", seconds)
        params = self.params(
            RecordingUrl=self.recording[1],
            RecordingDuration=str(seconds),
            RecordingSid=self.recording[1].rsplit("/", 1)[-1],
            Digits="#",
        )
        return self.answer(signed_post(self.client, record.attrib["action"], params))

    def recording_ready(self, status: str = "completed") -> Any:
        """The <Record>'s recordingStatusCallback: sent on its own, with no caller or number."""
        assert self.recording is not None, "record() first"
        record, url, seconds = self.recording
        params = {
            "AccountSid": ACCOUNT_SID,
            "CallSid": self.sid,
            "RecordingSid": url.rsplit("/", 1)[-1],
            "RecordingUrl": url,
            "RecordingStatus": status,
            "RecordingDuration": str(seconds),
            "RecordingChannels": "1",
            "RecordingSource": "RecordVerb",
        }
        return signed_post(self.client, record.attrib["recordingStatusCallback"], params)

    def says(self) -> list[tuple[str, str]]:
        """(language, text) of each <Say> in the latest answer, menus included."""
        return [(s.get("language", ""), s.text or "") for s in self.twiml.iter("Say")]
