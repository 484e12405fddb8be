"""Deployment checks of our own, run by `vecinos check --deploy`."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register


@register(Tags.security, deploy=True)
def check_public_url_is_https(**kwargs: Any) -> list[CheckMessage]:
    if settings.HTTPS or settings.DEMO:
        return []
    return [
        Warning(
            "VECINOS_PUBLIC_URL is not https://: passwords, sessions and people's details would "
            "cross the network unencrypted.",
            hint="Serve Vecinos behind a TLS reverse proxy and set VECINOS_PUBLIC_URL=https://…",
            id="vecinos.W001",
        )
    ]


@register(Tags.security, deploy=True)
def check_not_demo(**kwargs: Any) -> list[CheckMessage]:
    if not settings.DEMO:
        return []
    return [
        Warning(
            "VECINOS_DEMO is on: keys come from the data folder and demo accounts show their "
            "two-factor codes.",
            hint="Unset VECINOS_DEMO on a real server.",
            id="vecinos.W002",
        )
    ]
