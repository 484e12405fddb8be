"""The console's live stream: a new report reaches every open console, through this process or,
with Redis, through every web process; the stream carries ids only."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.test import AsyncClient, Client, override_settings

from tests.conftest import log_in
from tests.core.test_read_settings import SETUP, clean_env
from tests.core.test_read_settings import run as run_python
from tests.hotline.conftest import TextIn
from vecinos.core.models import User
from vecinos.hotline import events, live
from vecinos.hotline.models import Report
from vecinos.hotline.services import do_claim_report

pytestmark = pytest.mark.django_db
T = TypeVar("T")
# Only how long a broken test may hang before failing; nothing asserts on time.
PATIENCE = 10.0


def run(coroutine_function: Callable[[], Awaitable[T]]) -> T:
    """Run an async test body; ORM calls inside go through sync_to_async to this thread, which
    holds the test's transaction."""
    return async_to_sync(coroutine_function)()


async def next_event(chunks: AsyncIterator[Any]) -> dict[str, Any]:
    """The next ``data:`` event of a stream, skipping heartbeats."""
    while True:
        chunk = await asyncio.wait_for(anext(chunks), PATIENCE)
        text = chunk.decode() if isinstance(chunk, bytes) else chunk
        for line in text.splitlines():
            if line.startswith("data: "):
                return dict(json.loads(line[len("data: ") :]))


async def hang_up(chunks: AsyncIterator[Any]) -> None:
    """Close the stream the way the server does when the browser goes away: the task reading it
    is cancelled where it waits."""
    reading = asyncio.ensure_future(anext(chunks))
    await asyncio.sleep(0)
    reading.cancel()
    with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
        await reading


async def open_console_stream(client: Client) -> tuple[Any, AsyncIterator[Any]]:
    browser = AsyncClient()
    browser.cookies = client.cookies
    response = await browser.get("/hotline/live/")
    return response, aiter(response.streaming_content)


def test_a_text_reaches_an_open_console_within_this_process(
    dispatcher: User, text_in: TextIn
) -> None:
    client = log_in(Client(), dispatcher)

    async def body() -> None:
        response, chunks = await open_console_stream(client)
        assert response.status_code == 200
        assert response["Content-Type"] == "text/event-stream"
        assert response["Cache-Control"] == "no-cache, no-store"
        assert await next_event(chunks) == {"kind": "ready"}
        assert len(live.HUB) == 1
        await sync_to_async(text_in)("Hay agentes en la escuela")
        report_id = await sync_to_async(lambda: Report.objects.get().id)()
        assert await next_event(chunks) == {
            "kind": "report.new",
            "report_id": report_id,
            "incident_id": None,
        }
        await sync_to_async(do_claim_report)(dispatcher, report_id)
        # The claim's event was published inside a transaction the test never commits.
        events._deliver(events.Event(events.REPORT_CHANGED, report_id=report_id))
        changed = await next_event(chunks)
        assert changed["kind"] == "report.changed" and changed["report_id"] == report_id
        await hang_up(chunks)
        assert len(live.HUB) == 0

    run(body)


def test_the_stream_says_nothing_of_what_a_report_says(dispatcher: User, text_in: TextIn) -> None:
    client = log_in(Client(), dispatcher)

    async def body() -> str:
        _response, chunks = await open_console_stream(client)
        await next_event(chunks)
        await sync_to_async(text_in)("Migra en Soto y 4th, llamen al 323 555 0150")
        chunk = await asyncio.wait_for(anext(chunks), PATIENCE)
        await hang_up(chunks)
        return chunk.decode() if isinstance(chunk, bytes) else str(chunk)

    sent = run(body)
    assert "report.new" in sent
    assert "Soto" not in sent and "0150" not in sent


def test_a_quiet_stream_sends_heartbeats() -> None:
    async def in_process() -> live.Subscription:
        return live.HubSubscription()

    async def body() -> list[str]:
        chunks = live.stream(in_process, heartbeat=0.01)
        received = [await anext(chunks) for _ in range(3)]
        await chunks.aclose()
        return received

    ready, *beats = run(body)
    assert ready.startswith("retry: 2000\n") and '"ready"' in ready
    assert beats == [": heartbeat\n\n", ": heartbeat\n\n"]
    assert len(live.HUB) == 0


def test_a_stream_ends_after_its_lifetime_so_the_browser_reconnects_and_is_checked_again() -> None:
    async def in_process() -> live.Subscription:
        return live.HubSubscription()

    async def body() -> list[str]:
        return [chunk async for chunk in live.stream(in_process, heartbeat=0.01, lifetime=0.05)]

    ready, *rest = run(body)
    assert '"ready"' in ready and set(rest) <= {": heartbeat\n\n"}
    assert len(live.HUB) == 0


def test_an_event_reaches_every_web_process_through_redis(redis_url: str) -> None:
    """Two web processes each hold their own subscription; one publish reaches both."""

    async def body() -> list[str | None]:
        first = await live.RedisSubscription.open(redis_url, live.channel_name())
        second = await live.RedisSubscription.open(redis_url, live.channel_name())
        try:
            with override_settings(VECINOS_REDIS_URL=redis_url):
                await sync_to_async(live.announce)(events.Event(events.REPORT_NEW, report_id=7))
            return [await first.next(PATIENCE), await second.next(PATIENCE)]
        finally:
            await first.close()
            await second.close()

    expected = json.dumps({"kind": "report.new", "report_id": 7, "incident_id": None})
    assert run(body) == [expected.replace(" ", "")] * 2
    assert len(live.HUB) == 0  # with Redis, nothing went the in-process way


def test_a_console_stream_hears_reports_through_redis(
    dispatcher: User, text_in: TextIn, redis_url: str
) -> None:
    client = log_in(Client(), dispatcher)

    async def body() -> dict[str, Any]:
        with override_settings(VECINOS_REDIS_URL=redis_url):
            _response, chunks = await open_console_stream(client)
            assert await next_event(chunks) == {"kind": "ready"}
            assert len(live.HUB) == 0  # subscribed through Redis, not this process
            await sync_to_async(text_in)("ICE at the bus stop on Cesar Chavez")
            event = await next_event(chunks)
            await hang_up(chunks)
            return event

    event = run(body)
    assert event["kind"] == "report.new"
    assert event["report_id"] == Report.objects.get().id


def test_without_redis_reachable_events_stay_in_this_process() -> None:
    """A Redis that is down costs the other processes their live updates (their pages re-read
    every 10 seconds), never this process's, and never the report."""
    down = "redis://127.0.0.1:9/0"

    async def body() -> str | None:
        with override_settings(VECINOS_REDIS_URL=down):
            subscription = await live.subscribe()
            assert isinstance(subscription, live.HubSubscription)
            await sync_to_async(live.announce)(events.Event(events.INCIDENT_CHANGED, incident_id=3))
            try:
                return await subscription.next(PATIENCE)
            finally:
                await subscription.close()

    assert json.loads(run(body) or "{}") == {
        "kind": "incident.changed",
        "report_id": None,
        "incident_id": 3,
    }


def test_two_networks_on_one_redis_use_different_channels(settings: Any) -> None:
    ours = live.channel_name()
    from django.db import connection

    original = connection.settings_dict["NAME"]
    connection.settings_dict["NAME"] = f"{original}-other"
    try:
        assert live.channel_name() != ours
    finally:
        connection.settings_dict["NAME"] = original
    assert live.channel_name() == ours


@pytest.mark.parametrize("value", ["localhost:6379", "http://127.0.0.1:6379", "127.0.0.1"])
def test_a_redis_address_without_its_scheme_stops_start_up(value: str, tmp_path: Path) -> None:
    result = run_python(SETUP, clean_env(tmp_path, VECINOS_DEMO="true", VECINOS_REDIS_URL=value))
    assert result.returncode != 0
    assert "VECINOS_REDIS_URL must be a redis://" in result.stderr
