from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.messaging.smtp import Mailbox, start_smtp
from tests.processes import free_port


@pytest.fixture
def smtp(settings: Any) -> Iterator[Mailbox]:
    """A loopback SMTP server, with Vecinos' e-mail settings pointed at it."""
    port = free_port()
    controller, mailbox = start_smtp(port)
    settings.VECINOS_SMTP_HOST = "127.0.0.1"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    try:
        yield mailbox
    finally:
        controller.stop()


@pytest.fixture(autouse=True)
def messaging_alone() -> Iterator[None]:
    """Messaging's own tests see no other app's handlers (the hotline takes every text nobody
    else expected): they test the layer below, with handlers they register themselves."""
    from vecinos.messaging import inbound, voice

    texts, calls = list(inbound.HANDLERS), list(voice.CALL_HANDLERS)
    steps = dict(voice.CALL_STEPS)
    inbound.HANDLERS.clear()
    voice.CALL_HANDLERS.clear()
    voice.CALL_STEPS.clear()
    try:
        yield
    finally:
        inbound.HANDLERS[:] = texts
        voice.CALL_HANDLERS[:] = calls
        voice.CALL_STEPS.clear()
        voice.CALL_STEPS.update(steps)
