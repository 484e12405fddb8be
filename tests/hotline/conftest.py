from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest
import redis

from vecinos.messaging import inbound
from vecinos.messaging.models import InboundMessage

TextIn = Callable[..., InboundMessage | None]


@pytest.fixture
def text_in(django_capture_on_commit_callbacks: Any) -> TextIn:
    """Deliver a text to the hotline number the way every gateway's webhook does."""

    def deliver(body: str, sender: str = "+13235550150", message_id: str = "") -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return inbound.receive(
                gateway="simulator",
                provider_message_id=message_id or f"id-{InboundMessage.objects.count()}",
                sender=sender,
                body=body,
            )

    return deliver


REDIS_URL = os.environ.get("VECINOS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def redis_url() -> str:
    """A real Redis (127.0.0.1:6379 unless VECINOS_TEST_REDIS_URL says otherwise). Skips on a
    laptop without one; fails under VECINOS_REQUIRE_ALL=1, where a skip would hide a broken
    setup."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        message = f"Redis is not reachable at {REDIS_URL}: {exc}"
        if os.environ.get("VECINOS_REQUIRE_ALL") == "1":
            pytest.fail(message + " (VECINOS_REQUIRE_ALL=1 forbids skipping)")
        pytest.skip(message)
    return REDIS_URL
