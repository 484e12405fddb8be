"""Handlers of texts run in registration order, unless one asks to run before another."""

from __future__ import annotations

from vecinos.messaging import inbound
from vecinos.messaging.models import InboundMessage


def nobody(_message: InboundMessage) -> bool:
    return False


def test_a_handler_registered_before_another_runs_first_and_only_once() -> None:
    saved = list(inbound.HANDLERS)
    try:
        inbound.HANDLERS[:] = []
        inbound.register_handler("first", nobody)
        inbound.register_handler("catch-all", nobody)
        inbound.register_handler("votes", nobody, before="catch-all")
        inbound.register_handler("votes", nobody, before="first")
        inbound.register_handler("late", nobody, before="not-registered")

        assert [name for name, _h in inbound.HANDLERS] == ["first", "votes", "catch-all", "late"]
    finally:
        inbound.HANDLERS[:] = saved
