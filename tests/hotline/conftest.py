from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from vecinos.messaging import inbound
from vecinos.messaging.models import InboundMessage

TextIn = Callable[..., InboundMessage | None]


@pytest.fixture
def text_in(django_capture_on_commit_callbacks: Any) -> TextIn:
    """Deliver a text to the hotline number the way every gateway's webhook does."""

    def deliver(body: str, sender: str = "+13235550150", message_id: str = "") -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            stored = inbound.receive(
                gateway="simulator",
                provider_message_id=message_id or f"id-{InboundMessage.objects.count()}",
                sender=sender,
                body=body,
            )
        if stored is not None:
            stored.refresh_from_db()  # as it was read
        return stored

    return deliver
