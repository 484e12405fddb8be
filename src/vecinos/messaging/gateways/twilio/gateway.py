"""SMS and phone calls through Twilio's REST API with the official library. The API base URL is a
setting, which also serves Twilio-compatible providers (and the loopback stand-in the tests use)."""

from __future__ import annotations

import asyncio
import threading
from typing import Any
from urllib.parse import urlencode

import aiohttp
import requests
from django.conf import settings
from twilio.base.exceptions import TwilioException, TwilioRestException  # type: ignore[import-untyped]
from twilio.http.async_http_client import AsyncTwilioHttpClient  # type: ignore[import-untyped]
from twilio.http.http_client import TwilioHttpClient  # type: ignore[import-untyped]
from twilio.rest import Client  # type: ignore[import-untyped]

from vecinos.messaging.choices import Channel
from vecinos.messaging.gateways.base import (
    Gateway,
    Outgoing,
    PermanentError,
    Sent,
    TransientError,
)
from vecinos.messaging.gateways.config import GatewayConfig
from vecinos.messaging.gateways.twilio.twiml import render
from vecinos.messaging.voice import message_call

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
# Twilio refuses a call's inline TwiML longer than this many characters.
MAX_TWIML = 4000
# A call that reads a message twice needs a minute or two; this bounds the cost of a stuck call.
MAX_CALL_SECONDS = 300


_clients = threading.local()


def client(config: GatewayConfig) -> Client:
    """This thread's Twilio client for the settings in force. Kept between messages, so its HTTP
    session keeps the connection to Twilio open instead of a new TCP and TLS handshake per text;
    one per thread because a requests session is not safe to share. Keyed by the settings it was
    built from, so a changed setting (on the gateways page, or override_settings in a test) takes
    effect at once."""
    key = (config.option("account_sid"), config.option("auth_token"), config.option("api_base"))
    cached: tuple[tuple[str, str, str], Client] | None = getattr(_clients, "cached", None)
    if cached is not None and cached[0] == key:
        return cached[1]
    if cached is not None:
        cached[1].http_client.session.close()
    account_sid, auth_token, api_base = key
    http = TwilioHttpClient(timeout=TIMEOUT_SECONDS)
    # requests re-reads proxy and CA settings from the environment on every request (a third of
    # the client's time per text); read them once here instead.
    found = http.session.merge_environment_settings(api_base, {}, None, None, None)
    http.proxy, http.session.verify = found["proxies"], found["verify"]
    http.session.trust_env = False
    twilio = Client(account_sid, auth_token, http_client=http)
    twilio.api.base_url = api_base.rstrip("/")
    _clients.cached = (key, twilio)
    return twilio


def _refusal(exc: TwilioRestException) -> TransientError | PermanentError:
    """Twilio's error answer as ours: busy or broken is worth retrying, a refusal is not."""
    code = str(exc.code or exc.status)
    if exc.status == 429 or exc.status >= 500:
        return TransientError(exc.msg or "Twilio is busy", code)
    if exc.code in PERMANENT_CODES or 400 <= exc.status < 500:
        return PermanentError(exc.msg or "Twilio refused the message", code)
    return TransientError(exc.msg or "Twilio error", code)


_loops = threading.local()


def _event_loop() -> asyncio.AbstractEventLoop:
    """This thread's event loop for batch sending, kept so that its client's connections stay
    open between batches."""
    loop: asyncio.AbstractEventLoop | None = getattr(_loops, "loop", None)
    if loop is None or loop.is_closed():
        loop = asyncio.new_event_loop()
        _loops.loop = loop
    return loop


class FormEncodingClient(AsyncTwilioHttpClient):  # type: ignore[misc]
    """Twilio's asynchronous HTTP client, with each request's form encoded here. Handed a dict,
    aiohttp builds a multipart writer with a random boundary for every request before it settles
    on a URL-encoded body: about a twelfth of the CPU a text costs a worker during a broadcast."""

    async def request(
        self,
        method: str,
        url: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Any:
        body: object = data
        if isinstance(data, dict):
            # As aiohttp's FormData encodes a dict: repeated keys for list values.
            body = urlencode(list(data.items()), doseq=True).encode()
            headers = {**(headers or {}), "Content-Type": "application/x-www-form-urlencoded"}
        return await super().request(
            method, url, params, body, headers, auth, timeout, allow_redirects
        )


async def _async_client(config: GatewayConfig) -> Client:
    """This thread's asynchronous Twilio client for the settings in force (built inside the
    loop, as aiohttp wants its session to be), rebuilt when a setting changes."""
    key = (config.option("account_sid"), config.option("auth_token"), config.option("api_base"))
    cached: tuple[tuple[str, str, str], Client] | None = getattr(_loops, "client", None)
    if cached is not None and cached[0] == key:
        return cached[1]
    if cached is not None:
        await cached[1].http_client.session.close()
    account_sid, auth_token, api_base = key
    twilio = Client(
        account_sid, auth_token, http_client=FormEncodingClient(timeout=TIMEOUT_SECONDS)
    )
    twilio.api.base_url = api_base.rstrip("/")
    _loops.client = (key, twilio)
    return twilio


def close_async_client() -> None:
    """Close this thread's batch-sending connections and loop (a worker that stops)."""
    loop: asyncio.AbstractEventLoop | None = getattr(_loops, "loop", None)
    cached = getattr(_loops, "client", None)
    if loop is None or loop.is_closed():
        return
    if cached is not None:
        loop.run_until_complete(cached[1].http_client.session.close())
    loop.close()
    _loops.client = None


class TwilioGateway(Gateway):
    name = "twilio"
    channels = frozenset({Channel.SMS, Channel.VOICE})
    batch_channels = frozenset({Channel.SMS})

    def senders(self, channel: str = "") -> list[str]:
        # Calls are not paced by the texts' token buckets: carriers cap texts per number, while
        # Twilio caps calls per account (calls per second) and queues the calls above that cap.
        return [] if channel == Channel.VOICE else super().senders(channel)

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
        if channel == Channel.VOICE:
            return self.call(to=to, body=body, language=language, sender=sender)
        options = self._text(to, body, validity_seconds, sender)
        try:
            message = client(self.config).messages.create(**options)
        except TwilioRestException as exc:
            raise _refusal(exc) from None
        except (requests.RequestException, TwilioException) as exc:
            raise TransientError(f"Twilio could not be reached ({type(exc).__name__})") from None
        return Sent(provider_message_id=str(message.sid))

    def send_batch(self, messages: list[Outgoing]) -> list[Sent | Exception]:
        """Texts through Twilio's asynchronous client: the whole batch in flight at once on one
        event loop, at about a third of the processor time per text of the threaded client."""
        return _event_loop().run_until_complete(self._send_texts(messages))

    async def _send_texts(self, messages: list[Outgoing]) -> list[Sent | Exception]:
        twilio = await _async_client(self.config)

        async def send_one(item: Outgoing) -> Sent | Exception:
            options = self._text(item.to, item.body, item.validity_seconds, item.sender)
            try:
                message = await twilio.messages.create_async(**options)
            except TwilioRestException as exc:
                return _refusal(exc)
            except (aiohttp.ClientError, TimeoutError, TwilioException) as exc:
                return TransientError(f"Twilio could not be reached ({type(exc).__name__})")
            return Sent(provider_message_id=str(message.sid))

        results = await asyncio.gather(*(send_one(m) for m in messages), return_exceptions=True)
        return [r if isinstance(r, Sent | Exception) else TypeError(repr(r)) for r in results]

    def _text(
        self, to: str, body: str, validity_seconds: int | None, sender: str
    ) -> dict[str, object]:
        """The Messages.json request for one text."""
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
        return options

    def call(self, *, to: str, body: str, language: str = "", sender: str = "") -> Sent:
        """Phone ``to`` and read ``body`` in ``language``. The call's outcome comes later to
        /hooks/twilio/status (CallSid, CallStatus).

        Raises:
            TransientError: Twilio busy or unreachable; try again later.
            PermanentError: an invalid number, no number to call from, or a message too long.
        """
        caller = sender if sender and not sender.startswith("MG") else self._caller_id()
        twiml = str(render(message_call(body, language)))
        if len(twiml) > MAX_TWIML:
            raise PermanentError(f"the message is too long for a call ({len(twiml)} characters)")
        try:
            placed = client(self.config).calls.create(
                to=to,
                from_=caller,
                twiml=twiml,
                status_callback=f"{settings.PUBLIC_URL}/hooks/twilio/status",
                time_limit=MAX_CALL_SECONDS,
            )
        except TwilioRestException as exc:
            code = str(exc.code or exc.status)
            if exc.status == 429 or exc.status >= 500:
                raise TransientError(exc.msg or "Twilio is busy", code) from None
            raise PermanentError(exc.msg or "Twilio refused the call", code) from None
        except (requests.RequestException, TwilioException) as exc:
            raise TransientError(f"Twilio could not be reached ({type(exc).__name__})") from None
        return Sent(provider_message_id=str(placed.sid))

    def _caller_id(self) -> str:
        """A call must come from one of our phone numbers: a messaging service (MG…) cannot call.

        Raises:
            PermanentError: VECINOS_TWILIO_FROM names no phone number.
        """
        numbers = [n.number for n in self.config.senders if not n.number.startswith("MG")]
        if not numbers:
            raise PermanentError("VECINOS_TWILIO_FROM has no phone number to call from")
        return numbers[0]
