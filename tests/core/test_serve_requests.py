"""How the web server runs Django: the middleware chain in one thread under ASGI."""

from __future__ import annotations

from asgiref.sync import SyncToAsync
from django.conf import settings
from django.core.handlers.asgi import ASGIHandler
from django.utils.module_loading import import_string


def test_the_innermost_middleware_is_sync_only() -> None:
    # Django adapts each middleware to the mode of the one inside it: a sync-only one innermost
    # puts every middleware above it in sync mode, with no thread hops between them.
    innermost = import_string(settings.MIDDLEWARE[-1])
    assert getattr(innermost, "async_capable", False) is False
    assert getattr(innermost, "sync_capable", True) is True


def test_the_asgi_chain_enters_its_thread_once() -> None:
    chain = ASGIHandler()._middleware_chain
    assert isinstance(chain, SyncToAsync)
