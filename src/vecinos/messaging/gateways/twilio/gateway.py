"""SMS through Twilio's REST API with the official library. The API base URL is a setting, which
also serves Twilio-compatible providers (and the loopback stand-in the tests use)."""

from __future__ import annotations

import threading

import requests
from django.conf import settings
from twilio.base.exceptions import TwilioException, TwilioRestException  # type: ignore[import-untyped]
from twilio.http.http_client import TwilioHttpClient  # type: ignore[import-untyped]
from twilio.rest import Client  # type: ignore[import-untyped]

from vecinos.messaging.choices import Channel
from vecinos.messaging.gateways.base import Gateway, PermanentError, Sent, TransientError

# Twilio error codes that no retry can fix (twilio.com/docs/api/errors).
PERMANENT_CODES = frozenset(
    {
        21211,  # invalid 'To' number
        21214,  # 'To' number cannot be reached
        21408,  # region not enabled
        21610,  # the recipient replied STOP to this sender
        21612,  # cannot route to this number
        21614,  # 'To' is not a mobile number
    }
)
# Twilio keeps a message at most this long (4 h) when told to drop it rather than deliver late.
MAX_VALIDITY_SECONDS = 14_400
TIMEOUT_SECONDS = 15


_clients = threading.local()


def client() -> Client:
    """This thread's Twilio client for the current settings. Kept between messages, so its HTTP
    session keeps the connection to Twilio open instead of a new TCP and TLS handshake per text;
    one per thread because a requests session is not safe to share. Keyed by the settings it was
    built from, so a changed setting (or override_settings in a test) takes effect at once."""
    key = (
        settings.VECINOS_TWILIO_ACCOUNT_SID,
        settings.VECINOS_TWILIO_AUTH_TOKEN,
        settings.VECINOS_TWILIO_API_BASE,
    )
    cached: tuple[tuple[str, str, str], Client] | None = getattr(_clients, "cached", None)
    if cached is not None and cached[0] == key:
        return cached[1]
    if cached is not None:
        cached[1].http_client.session.close()
    http = TwilioHttpClient(timeout=TIMEOUT_SECONDS)
    # requests re-reads proxy and CA settings from the environment on every request (a third of
    # the client's time per text); read them once here instead.
    found = http.session.merge_environment_settings(
        settings.VECINOS_TWILIO_API_BASE, {}, None, None, None
    )
    http.proxy, http.session.verify = found["proxies"], found["verify"]
    http.session.trust_env = False
    twilio = Client(
        settings.VECINOS_TWILIO_ACCOUNT_SID, settings.VECINOS_TWILIO_AUTH_TOKEN, http_client=http
    )
    twilio.api.base_url = settings.VECINOS_TWILIO_API_BASE
    _clients.cached = (key, twilio)
    return twilio


class TwilioGateway(Gateway):
    name = "twilio"
    channels = frozenset({Channel.SMS})

    def senders(self) -> list[str]:
        return list(settings.VECINOS_TWILIO_FROM)

    def send(
        self,
        *,
        to: str,
        body: str,
        subject: str = "",
        validity_seconds: int | None = None,
        sender: str = "",
    ) -> Sent:
        sender = sender or self.senders()[0]
        options: dict[str, object] = {
            "to": to,
            "body": body,
            "status_callback": f"{settings.PUBLIC_URL}/hooks/twilio/status",
        }
        # A messaging service (MG…) spreads a broadcast over its pool of numbers.
        options["messaging_service_sid" if sender.startswith("MG") else "from_"] = sender
        if validity_seconds is not None:
            options["validity_period"] = max(1, min(validity_seconds, MAX_VALIDITY_SECONDS))
        try:
            message = client().messages.create(**options)
        except TwilioRestException as exc:
            code = str(exc.code or exc.status)
            if exc.status == 429 or exc.status >= 500:
                raise TransientError(exc.msg or "Twilio is busy", code) from None
            if exc.code in PERMANENT_CODES or 400 <= exc.status < 500:
                raise PermanentError(exc.msg or "Twilio refused the message", code) from None
            raise TransientError(exc.msg or "Twilio error", code) from None
        except (requests.RequestException, TwilioException) as exc:
            raise TransientError(f"Twilio could not be reached ({type(exc).__name__})") from None
        return Sent(provider_message_id=str(message.sid))
