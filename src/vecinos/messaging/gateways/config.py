"""Which gateways carry messages, in which order, with which options, secrets and sender numbers.

Two sources, never mixed: the coordinators' gateways page (``GatewaySetup`` rows, secrets sealed)
or, while nothing has been saved there, the environment (``VECINOS_PHONE_GATEWAYS``,
``VECINOS_TWILIO_*``, …). Mixing them would leave coordinators guessing which value is in force.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vecinos.messaging import rates

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

DATABASE = "database"
ENVIRONMENT = "environment"


@dataclass(frozen=True)
class Option:
    """One setting of a gateway, as the gateways page asks for it."""

    key: str
    label: str | _StrPromise
    secret: bool = False
    default: str = ""
    required: bool = False
    yes_no: bool = False  # a tick box, kept as "true" / "false"


# What each gateway needs. Secrets are sealed in the database and never shown again once saved.
OPTIONS: dict[str, tuple[Option, ...]] = {
    "twilio": (
        Option("account_sid", _("Account SID"), required=True),
        Option("auth_token", _("Auth token"), secret=True, required=True),
        Option("api_base", _("API address"), default="https://api.twilio.com"),
    ),
    "kannel": (
        Option(
            "sendsms_url", _("sendsms address"), default="http://127.0.0.1:13013/cgi-bin/sendsms"
        ),
        Option("username", _("sendsms user"), default="vecinos"),
        Option("password", _("sendsms password"), secret=True),
        Option("secret", _("Shared secret for get-url and dlr-url"), secret=True, required=True),
    ),
    "signal": (
        Option("api", _("signal-cli-rest-api address"), default="http://127.0.0.1:8080"),
        Option("number", _("Signal number"), required=True),
    ),
    "email": (
        Option("host", _("SMTP server"), required=True),
        Option("port", _("SMTP port"), default="587"),
        Option("user", _("SMTP login")),
        Option("password", _("SMTP password"), secret=True),
        Option("tls", _("Encrypt the connection (STARTTLS)"), default="true", yes_no=True),
        Option("from_address", _("From address"), default="vecinos@localhost"),
    ),
    "simulator": (),
}
GATEWAY_LABELS: dict[str, str | _StrPromise] = {
    "twilio": _("Twilio (or a Twilio-compatible provider)"),
    "kannel": _("Kannel (own GSM modem or SMPP link)"),
    "signal": _("Signal (signal-cli-rest-api)"),
    "email": _("E-mail (SMTP)"),
    "simulator": _("Phone simulator (demo only)"),
}
# Gateways whose sender numbers are paced by the outbox.
WITH_SENDERS = frozenset({"twilio", "kannel"})


@dataclass(frozen=True)
class SenderPace:
    """A sender number and the pace carriers allow it, in segments."""

    number: str
    per_minute: int
    per_day: int | None


@dataclass(frozen=True)
class GatewayConfig:
    name: str
    options: Mapping[str, str] = field(default_factory=dict)
    secrets: Mapping[str, str] = field(default_factory=dict)
    senders: tuple[SenderPace, ...] = ()

    def option(self, key: str) -> str:
        """The option's value, or its default."""
        value = self.options.get(key) or self.secrets.get(key)
        if value:
            return str(value)
        return next((o.default for o in OPTIONS.get(self.name, ()) if o.key == key), "")

    def pace(self, number: str) -> SenderPace:
        for sender in self.senders:
            if sender.number == number:
                return sender
        return SenderPace(number, rates.per_minute(number), rates.per_day(number))


@dataclass(frozen=True)
class Setup:
    """The gateways in force, in failover order (enabled ones only), and where they came from."""

    gateways: tuple[GatewayConfig, ...]
    source: str

    def get(self, name: str) -> GatewayConfig | None:
        return next((g for g in self.gateways if g.name == name), None)

    def for_channel(self, channel: str) -> list[GatewayConfig]:
        from vecinos.messaging.gateways import GATEWAYS

        return [
            g for g in self.gateways if g.name in GATEWAYS and channel in GATEWAYS[g.name].channels
        ]


def load() -> Setup:
    """The configuration in force now: the gateways page's when anything was saved there."""
    from vecinos.messaging.models import GatewaySetup

    rows = list(GatewaySetup.objects.prefetch_related("numbers").order_by("position", "id"))
    if not rows:
        return from_environment()
    gateways = []
    for row in rows:
        if not row.enabled:
            continue
        gateways.append(
            GatewayConfig(
                name=row.name,
                options={k: str(v) for k, v in (row.options or {}).items()},
                secrets=unseal(row.secrets),
                senders=tuple(
                    SenderPace(
                        n.number,
                        n.per_minute or rates.per_minute(n.number),
                        n.per_day if n.per_day is not None else rates.per_day(n.number),
                    )
                    for n in row.numbers.all()
                ),
            )
        )
    return Setup(tuple(gateways), DATABASE)


def credentials(name: str) -> GatewayConfig:
    """Gateway ``name``'s settings even when it is switched off: its webhooks keep answering for
    messages it already carries (delivery reports, replies)."""
    from vecinos.messaging.models import GatewaySetup

    # One query for every webhook: this gateway's row, or else any row (then the page is in force
    # and this gateway is not set up there), or none (then the environment is).
    first = (
        GatewaySetup.objects.annotate(wanted=Q(name=name))
        .order_by("-wanted", "id")
        .only("name", "options", "secrets")
        .first()
    )
    if first is None:
        return from_environment(every=True).get(name) or GatewayConfig(name)
    if first.name != name:
        return GatewayConfig(name)
    return GatewayConfig(name, options=dict(first.options or {}), secrets=unseal(first.secrets))


def unseal(secrets: str) -> dict[str, str]:
    """The secrets JSON of a row (the field itself is decrypted on read)."""
    if not secrets:
        return {}
    value = json.loads(secrets)
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def _paces(numbers: list[str]) -> tuple[SenderPace, ...]:
    return tuple(SenderPace(n, rates.per_minute(n), rates.per_day(n)) for n in numbers)


def from_environment(every: bool = False) -> Setup:
    """The gateways the ``VECINOS_*`` settings describe (``every``: also those not listed in
    VECINOS_PHONE_GATEWAYS, for webhooks)."""
    gateways = []
    names = list(settings.VECINOS_PHONE_GATEWAYS)
    if every:
        names += [name for name in ("twilio", "kannel", "signal") if name not in names]
    for name in names:
        if name == "twilio":
            gateways.append(
                GatewayConfig(
                    "twilio",
                    options={
                        "account_sid": settings.VECINOS_TWILIO_ACCOUNT_SID,
                        "api_base": settings.VECINOS_TWILIO_API_BASE,
                    },
                    secrets={"auth_token": settings.VECINOS_TWILIO_AUTH_TOKEN},
                    senders=_paces(list(settings.VECINOS_TWILIO_FROM)),
                )
            )
        elif name == "kannel":
            gateways.append(
                GatewayConfig(
                    "kannel",
                    options={
                        "sendsms_url": settings.VECINOS_KANNEL_SENDSMS_URL,
                        "username": settings.VECINOS_KANNEL_USERNAME,
                    },
                    secrets={
                        "password": settings.VECINOS_KANNEL_PASSWORD,
                        "secret": settings.VECINOS_KANNEL_SECRET,
                    },
                    senders=_paces(list(settings.VECINOS_KANNEL_FROM)),
                )
            )
        elif name == "signal":
            gateways.append(
                GatewayConfig(
                    "signal",
                    options={
                        "api": settings.VECINOS_SIGNAL_API,
                        "number": settings.VECINOS_SIGNAL_NUMBER,
                    },
                )
            )
        elif name in OPTIONS and name != "email":
            gateways.append(GatewayConfig(name))
    if settings.VECINOS_SMTP_HOST:
        gateways.append(
            GatewayConfig(
                "email",
                # Django's EMAIL_* settings are derived from VECINOS_SMTP_* (settings.py).
                options={
                    "host": settings.EMAIL_HOST,
                    "port": str(settings.EMAIL_PORT),
                    "user": settings.EMAIL_HOST_USER,
                    "tls": "true" if settings.EMAIL_USE_TLS else "false",
                    "from_address": settings.VECINOS_EMAIL_FROM,
                },
                secrets={"password": settings.EMAIL_HOST_PASSWORD},
            )
        )
    return Setup(tuple(gateways), ENVIRONMENT)


def channels_of(name: str) -> frozenset[str]:
    from vecinos.messaging.gateways import GATEWAYS

    cls = GATEWAYS.get(name)
    return cls.channels if cls is not None else frozenset()
