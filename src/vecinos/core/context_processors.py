from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from vecinos.core.permissions import Capability, capabilities


def vecinos(request: HttpRequest) -> dict[str, Any]:
    """What every page's header needs: the menu the person may use, and whether this is the demo."""
    user = getattr(request, "user", None)
    granted = capabilities(user) if user is not None else frozenset()
    return {
        "can": {capability.name: capability in granted for capability in Capability},
        "demo_mode": settings.DEMO,
        # Only the demo's pretend phones: a real network never configures the simulator.
        "simulator_on": settings.DEMO or "simulator" in settings.VECINOS_PHONE_GATEWAYS,
    }
