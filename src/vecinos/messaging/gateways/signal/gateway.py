"""Signal through the HTTP API of signal-cli-rest-api: send with POST /v2/send, receive by polling
GET /v1/receive/{number}. Signal suits responders and dispatchers, not the broad list (groups cap
at 1,000 members and bots are rate-limited)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests

from vecinos.messaging.choices import Channel
from vecinos.messaging.gateways.base import Gateway, PermanentError, Sent, TransientError

TIMEOUT_SECONDS = 15


@dataclass(frozen=True)
class ReceivedText:
    sender: str
    body: str
    provider_message_id: str


class SignalGateway(Gateway):
    name = "signal"
    channels = frozenset({Channel.SIGNAL})
    reports_delivery = False

    @property
    def api(self) -> str:
        return self.config.option("api").rstrip("/")

    def send(
        self,
        *,
        to: str,
        body: str,
        subject: str = "",
        validity_seconds: int | None = None,
        sender: str = "",
        channel: str = "",
        language: str = "",
    ) -> Sent:
        payload = {"message": body, "number": self.config.option("number"), "recipients": [to]}
        try:
            response = requests.post(f"{self.api}/v2/send", json=payload, timeout=TIMEOUT_SECONDS)
        except requests.RequestException as exc:
            raise TransientError(f"Signal could not be reached ({type(exc).__name__})") from None
        if response.status_code in {200, 201}:
            timestamp = _json(response).get("timestamp", "")
            return Sent(provider_message_id=f"{to}-{timestamp}")
        error = str(_json(response).get("error", response.text))[:300]
        if response.status_code == 429 or response.status_code >= 500:
            raise TransientError(error or "Signal is busy", str(response.status_code))
        raise PermanentError(error or "Signal refused the message", str(response.status_code))

    def receive(self) -> list[ReceivedText]:
        """Texts waiting at signal-cli for our number. signal-cli hands each out once.

        Raises:
            TransientError: the API could not be reached or answered with an error.
        """
        url = f"{self.api}/v1/receive/{self.config.option('number')}"
        try:
            response = requests.get(url, timeout=TIMEOUT_SECONDS)
        except requests.RequestException as exc:
            raise TransientError(f"Signal could not be reached ({type(exc).__name__})") from None
        if response.status_code != 200:
            raise TransientError("Signal receive failed", str(response.status_code))
        texts = []
        for item in response.json() if isinstance(response.json(), list) else []:
            envelope = item.get("envelope", {}) if isinstance(item, dict) else {}
            data = envelope.get("dataMessage") or {}
            sender = envelope.get("sourceNumber") or envelope.get("source") or ""
            body = data.get("message")
            if not sender or not isinstance(body, str):
                continue  # receipts, typing indicators, reactions: nothing to read
            stamp = data.get("timestamp") or envelope.get("timestamp") or ""
            texts.append(ReceivedText(sender, body, f"{sender}-{stamp}"))
        return texts


def _json(response: requests.Response) -> dict[str, Any]:
    try:
        value = response.json()
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
