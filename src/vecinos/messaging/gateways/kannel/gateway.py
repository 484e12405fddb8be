"""SMS through a self-hosted Kannel (a GSM modem or an SMPP link): send with smsbox's `sendsms`
HTTP interface; texts and delivery reports come back to our webhooks."""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

import requests
from django.conf import settings

from vecinos.messaging.choices import Channel
from vecinos.messaging.gateways.base import Gateway, PermanentError, Sent, TransientError
from vecinos.messaging.text import sms_cost

TIMEOUT_SECONDS = 15
# Ask Kannel for every delivery report: delivered, failed, buffered, SMSC accepted, SMSC rejected.
DLR_MASK = 31


class KannelGateway(Gateway):
    name = "kannel"
    channels = frozenset({Channel.SMS})

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
        reference = uuid.uuid4().hex
        dlr_query = urlencode({"secret": self.config.option("secret"), "id": reference})
        params: dict[str, str | int] = {
            "username": self.config.option("username"),
            "password": self.config.option("password"),
            "from": sender or self.senders()[0],
            "to": to,
            "text": body,
            "charset": "UTF-8",
            # UCS-2 when the text needs it (accents outside GSM-7, Hangul), GSM-7 otherwise.
            "coding": 2 if sms_cost(body).encoding == "UCS-2" else 0,
            "dlr-mask": DLR_MASK,
            # Kannel fills in %d (the report's type) when it calls this address back.
            "dlr-url": f"{settings.PUBLIC_URL}/hooks/kannel/dlr?{dlr_query}&status=%d",
        }
        if validity_seconds is not None:
            params["validity"] = max(1, validity_seconds // 60)
        try:
            response = requests.get(
                self.config.option("sendsms_url"), params=params, timeout=TIMEOUT_SECONDS
            )
        except requests.RequestException as exc:
            raise TransientError(f"Kannel could not be reached ({type(exc).__name__})") from None
        answer = response.text.strip()[:200]
        # 202 "Accepted for delivery" / "Queued for later delivery"; 503 when smsbox is busy or
        # no SMSC is connected; other 4xx for a request Kannel will never accept.
        if response.status_code in {200, 202}:
            return Sent(provider_message_id=reference)
        if response.status_code >= 500:
            raise TransientError(answer or "Kannel is unavailable", str(response.status_code))
        raise PermanentError(answer or "Kannel refused the message", str(response.status_code))
