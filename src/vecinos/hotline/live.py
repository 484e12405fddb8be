"""Carrying the console's events to every open console, in every web process.

:func:`announce` listens to :mod:`vecinos.hotline.events`. With ``VECINOS_REDIS_URL`` set it
publishes each event on a Redis channel, which every web process's open streams subscribe to;
without Redis it tells the streams of its own process (enough for one web process, as in the
demo). Either way an event carries ids and a kind only: each page then fetches what its viewer
may see. Pages also re-read every few seconds, so a dropped stream or an event from another
process without Redis (the worker's) is late, never lost.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from functools import lru_cache
from typing import Protocol

import redis
import redis.asyncio
from django.conf import settings
from django.db import connection

from vecinos.hotline.events import Event

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 15.0
# A stream ends after this long and the browser reconnects, so that a session that expired or an
# account deactivated meanwhile is refused at the next connection.
LIFETIME_SECONDS = 1800.0
# How long a browser waits before reconnecting a dropped stream.
RETRY_MILLISECONDS = 2000
# Events a slow stream may fall behind by before newer ones are dropped (its page re-reads).
QUEUE_SIZE = 200


def channel_name() -> str:
    """The Redis channel of this network's events. Named after the database (its engine and
    name: the host may be spelled differently by the web and the worker), so that two networks
    or two test runs sharing one Redis never hear each other."""
    db = connection.settings_dict
    identity = f"{db['ENGINE']}|{db['NAME']}"
    return "vecinos.console." + hashlib.sha256(identity.encode()).hexdigest()[:16]


def encode(event: Event) -> str:
    return json.dumps(
        {"kind": event.kind, "report_id": event.report_id, "incident_id": event.incident_id},
        separators=(",", ":"),
    )


class Hub:
    """The open streams of this process. :meth:`deliver` may be called from any thread (views
    and on-commit callbacks run in worker threads); each stream's queue lives in its event loop."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queues: dict[asyncio.Queue[str], asyncio.AbstractEventLoop] = {}

    def subscribe(self) -> asyncio.Queue[str]:
        """Call from the stream's event loop."""
        queue: asyncio.Queue[str] = asyncio.Queue(QUEUE_SIZE)
        with self._lock:
            self._queues[queue] = asyncio.get_running_loop()
        return queue

    def unsubscribe(self, queue: asyncio.Queue[str]) -> None:
        with self._lock:
            self._queues.pop(queue, None)

    def deliver(self, data: str) -> None:
        with self._lock:
            targets = list(self._queues.items())
        for queue, loop in targets:
            try:
                loop.call_soon_threadsafe(_put, queue, data)
            except RuntimeError:  # that loop has closed: its stream is gone
                self.unsubscribe(queue)

    def __len__(self) -> int:
        return len(self._queues)


def _put(queue: asyncio.Queue[str], data: str) -> None:
    try:
        queue.put_nowait(data)
    except asyncio.QueueFull:
        logger.warning("a console stream fell %s events behind; its page catches up", QUEUE_SIZE)


HUB = Hub()


@lru_cache(maxsize=4)
def _publisher(url: str) -> redis.Redis:
    # One connection pool per process and address (not per settings object: tests override it).
    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)


def announce(event: Event) -> None:
    """The :mod:`~vecinos.hotline.events` listener: publish to every web process, or, without
    Redis (or while it is down), to this process's streams."""
    data = encode(event)
    url = settings.VECINOS_REDIS_URL
    if url:
        try:
            _publisher(url).publish(channel_name(), data)
        except redis.RedisError:
            logger.warning("Redis is unreachable: the console event reaches this process only")
        else:
            return
    HUB.deliver(data)


class Subscription(Protocol):
    async def next(self, timeout: float) -> str | None:
        """The next event's data, or None after ``timeout`` seconds without one."""

    async def close(self) -> None: ...


class HubSubscription:
    """This process's events (no Redis)."""

    def __init__(self, hub: Hub = HUB) -> None:
        self.hub = hub
        self.queue = hub.subscribe()

    async def next(self, timeout: float) -> str | None:
        try:
            return await asyncio.wait_for(self.queue.get(), timeout)
        except TimeoutError:
            return None

    async def close(self) -> None:
        self.hub.unsubscribe(self.queue)


class RedisSubscription:
    """Every web process's events, through a Redis channel."""

    def __init__(self, client: redis.asyncio.Redis, pubsub: redis.asyncio.client.PubSub) -> None:
        self.client = client
        self.pubsub = pubsub

    @classmethod
    async def open(cls, url: str, channel: str) -> RedisSubscription:
        """Raises:
        redis.RedisError: Redis cannot be reached."""
        client = redis.asyncio.Redis.from_url(url, socket_connect_timeout=2)
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        try:
            await pubsub.subscribe(channel)
        except BaseException:
            await pubsub.aclose()  # type: ignore[no-untyped-call]  # redis-py leaves it untyped
            await client.aclose()
            raise
        return cls(client, pubsub)

    async def next(self, timeout: float) -> str | None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while (left := deadline - loop.time()) > 0:
            message = await self.pubsub.get_message(timeout=left)
            if message is not None and message.get("type") == "message":
                data = message["data"]
                return data.decode() if isinstance(data, bytes) else str(data)
        return None

    async def close(self) -> None:
        try:
            await self.pubsub.aclose()  # type: ignore[no-untyped-call]  # as above
        finally:
            await self.client.aclose()


async def subscribe(url: str | None = None) -> Subscription:
    """A subscription to the console's events: through Redis when configured and reachable, else
    this process's own."""
    url = settings.VECINOS_REDIS_URL if url is None else url
    if url:
        try:
            return await RedisSubscription.open(url, channel_name())
        except (redis.RedisError, OSError):
            logger.warning("Redis is unreachable: this console hears this process only")
    return HubSubscription()


async def stream(
    opener: Callable[[], Awaitable[Subscription]] = subscribe,
    heartbeat: float = HEARTBEAT_SECONDS,
    lifetime: float = LIFETIME_SECONDS,
) -> AsyncIterator[str]:
    """The text/event-stream of a console. It subscribes only once read (a response never sent
    holds nothing open), says "ready" once subscribed (the page then re-reads, so nothing between
    its first rendering and now is missed), then sends one ``data:`` line per event, and a
    comment every ``heartbeat`` seconds so that proxies keep the connection and a dead one is
    noticed. It ends after ``lifetime`` seconds; the browser reconnects and is checked again."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + lifetime
    subscription = await opener()
    try:
        yield f"retry: {RETRY_MILLISECONDS}\ndata: {json.dumps({'kind': 'ready'})}\n\n"
        while (left := deadline - loop.time()) > 0:
            data = await subscription.next(min(heartbeat, left))
            yield ": heartbeat\n\n" if data is None else f"data: {data}\n\n"
    finally:
        await subscription.close()
