"""Twilio's inbound-text webhook answered in front of Django, under ASGI.

During a raid a whole block may text the hotline at once, and each text must be safe in the
database before Twilio gets its answer. Django's request machinery (a dozen middleware, sessions,
CSP headers, a thread hop per request) cost more than storing the text; none of it applies to a
provider's signed POST. This path reads the form, checks the signature and stores the text with
the same function as the Django view (``webhooks.accept_sms``), in a small pool of threads that
keep their database connections, and answers. The text is read next: by the worker when Redis
carries the consoles' events between processes, else here, after answering. Everything else, and
this URL under WSGI, is Django's.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import parse_qsl

from django.db import close_old_connections

from vecinos.messaging import inbound
from vecinos.messaging.gateways.twilio.webhooks import Answer, accept_sms

logger = logging.getLogger(__name__)

PATH = "/hooks/twilio/sms"
# Twilio's form for a text is a few kilobytes (1,600 characters of body at most, a few dozen
# fields); anything far larger is not Twilio.
MAX_BODY_BYTES = 64 * 1024
THREADS = 4

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_pool = ThreadPoolExecutor(THREADS, thread_name_prefix="twilio-sms")


def wrap(django: Callable[..., Awaitable[None]]) -> ASGIApp:
    """The ASGI application: POSTs to :data:`PATH` here, everything else to ``django``."""

    async def application(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == PATH and scope["method"] == "POST":
            await answer_sms(scope, receive, send)
        else:
            await django(scope, receive, send)

    return application


async def answer_sms(scope: Scope, receive: Receive, send: Send) -> None:
    body = await read_body(receive)
    if body is None:
        await respond(send, Answer(413, "text/plain", "too large for a text"))
        return
    headers = {name.lower(): value for name, value in scope["headers"]}
    form = b"application/x-www-form-urlencoded" in headers.get(b"content-type", b"")
    # As Django reads a form: the last value of a repeated field; not a form, no fields.
    text = body.decode("utf-8", "replace") if form else ""
    params = dict(parse_qsl(text, keep_blank_values=True))
    query = scope.get("query_string", b"").decode("latin-1")
    path = scope["path"] + (f"?{query}" if query else "")
    signature = headers.get(b"x-twilio-signature", b"").decode("latin-1")
    loop = asyncio.get_running_loop()
    answer, stored = await loop.run_in_executor(_pool, _accept, path, params, signature)
    await respond(send, answer)
    if stored is not None and not inbound.read_by_worker():
        # Read here, after answering: this process's consoles hear of it at once.
        await loop.run_in_executor(_pool, _read, stored)


def _accept(path: str, params: dict[str, str], signature: str) -> tuple[Answer, int | None]:
    # What Django does around each request: drop a connection that broke or outlived its age.
    close_old_connections()
    try:
        return accept_sms(path, params, signature)
    finally:
        close_old_connections()


def _read(inbound_id: int) -> None:
    close_old_connections()
    try:
        inbound.process(inbound_id)
    except Exception:
        # Stored and answered: the worker's sweep reads it later; say why it failed here.
        logger.exception("reading inbound text %s failed; the worker will retry", inbound_id)
    finally:
        close_old_connections()


async def read_body(receive: Receive) -> bytes | None:
    """The request's body, or None once it passes :data:`MAX_BODY_BYTES`."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def respond(send: Send, answer: Answer) -> None:
    payload = answer.body.encode()
    await send(
        {
            "type": "http.response.start",
            "status": answer.status,
            "headers": [
                (b"content-type", f"{answer.content_type}; charset=utf-8".encode()),
                (b"content-length", str(len(payload)).encode()),
                (b"x-content-type-options", b"nosniff"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})
