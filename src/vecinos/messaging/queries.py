"""Reads for the phone simulator and the gateways page."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from django.http import Http404

from vecinos.core.permissions import Capability, check
from vecinos.messaging.choices import Channel
from vecinos.messaging.gateways import config
from vecinos.messaging.gateways.config import SenderPace
from vecinos.messaging.models import (
    GatewayHealth,
    GatewayProblem,
    GatewaySetup,
    InboundMessage,
    OutboundMessage,
)
from vecinos.messaging.services import address_hash
from vecinos.organizing.models import Person

if TYPE_CHECKING:
    from vecinos.core.models import User

# A stranger's phone: the caller at a door, whose number is nobody's in the demo.
STRANGER = "+13235550199"


@dataclass
class Bubble:
    at: datetime
    body: str
    incoming: bool  # sent by the pretend phone
    status: str = ""


@dataclass
class PretendPhone:
    number: str
    label: str
    bubbles: list[Bubble] = field(default_factory=list)


def check_simulator(user: User) -> None:
    """Raises:
    PermissionDenied: not a coordinator.
    Http404: this server does not send through the simulator."""
    check(user, Capability.USE_PHONE_SIMULATOR)
    if config.load().get("simulator") is None:
        raise Http404


def pretend_phones(user: User, limit: int = 6) -> list[PretendPhone]:
    """A stranger and a few demo people, each with the texts they sent and received lately.

    Raises:
        PermissionDenied / Http404: see :func:`check_simulator`.
    """
    check_simulator(user)
    phones = [PretendPhone(STRANGER, "")]
    demo_people = (
        Person.objects.filter(is_demo=True).exclude(phone_hash="").select_related("account")
    )
    for person in demo_people.order_by("-account_id", "id")[:limit]:
        phones.append(PretendPhone(person.phone, person.full_name))
    by_hash = {address_hash(Channel.SMS, phone.number): phone for phone in phones}
    for message in OutboundMessage.objects.filter(address_hash__in=by_hash).order_by("-created_at")[
        :200
    ]:
        by_hash[message.address_hash].bubbles.append(
            Bubble(message.created_at, message.body, incoming=False, status=message.status)
        )
    for text in InboundMessage.objects.filter(sender_hash__in=by_hash).order_by("-received_at")[
        :200
    ]:
        by_hash[text.sender_hash].bubbles.append(Bubble(text.received_at, text.body, True))
    for phone in phones:
        phone.bubbles.sort(key=lambda bubble: bubble.at)
        phone.bubbles = phone.bubbles[-12:]
    return phones


@dataclass
class GatewayRow:
    name: str
    label: str
    channels: list[str]
    enabled: bool
    senders: list[SenderPace]
    failures: int = 0
    down_until: datetime | None = None
    last_error: str = ""


@dataclass
class GatewayOverview:
    source: str
    rows: list[GatewayRow]
    problems: list[GatewayProblem]
    addable: bool


def gateway_overview(user: User) -> GatewayOverview:
    """The gateways in failover order with their health, for the gateways page.

    Raises:
        PermissionDenied: not allowed to manage gateways.
    """
    check(user, Capability.MANAGE_GATEWAYS)
    saved = list(GatewaySetup.objects.prefetch_related("numbers").order_by("position", "id"))
    health = {h.name: h for h in GatewayHealth.objects.all()}
    rows: list[GatewayRow] = []
    if saved:
        source = config.DATABASE
        in_force = config.load()
        for setup in saved:
            configured = in_force.get(setup.name) or config.GatewayConfig(setup.name)
            rows.append(_row(setup.name, setup.enabled, list(configured.senders), health))
    else:
        source = config.ENVIRONMENT
        for gateway in config.from_environment().gateways:
            rows.append(_row(gateway.name, True, list(gateway.senders), health))
    problems = list(
        GatewayProblem.objects.filter(resolved_at__isnull=True).order_by("-started_at")[:20]
    )
    addable = len(rows) < len(config.OPTIONS)
    return GatewayOverview(source, rows, problems, addable=addable)


def _row(
    name: str, enabled: bool, senders: list[SenderPace], health: dict[str, GatewayHealth]
) -> GatewayRow:
    labels = dict(Channel.choices)
    state = health.get(name)
    return GatewayRow(
        name=name,
        label=str(config.GATEWAY_LABELS.get(name, name)),
        channels=[str(labels[c]) for c in Channel.values if c in config.channels_of(name)],
        enabled=enabled,
        senders=senders,
        failures=state.failures if state else 0,
        down_until=state.down_until if state and state.down_until else None,
        last_error=state.last_error if state else "",
    )


@dataclass
class GatewaySettings:
    """What the form for one gateway starts from."""

    initial: dict[str, object]
    saved_secrets: frozenset[str]
    saved: bool  # a row exists on the gateways page
    source: str


def gateway_settings(user: User, name: str) -> GatewaySettings:
    """The current settings of gateway ``name`` (never its secrets' values), from the gateways
    page's row or, while the environment is in force, from the environment.

    Raises:
        PermissionDenied: not allowed to manage gateways.
        Http404: no such kind of gateway.
    """
    check(user, Capability.MANAGE_GATEWAYS)
    if name not in config.OPTIONS:
        raise Http404
    row = GatewaySetup.objects.prefetch_related("numbers").filter(name=name).first()
    if row is not None:
        current = config.GatewayConfig(
            name,
            options=dict(row.options or {}),
            secrets=config.unseal(row.secrets),
            senders=tuple(
                SenderPace(n.number, n.per_minute or 0, n.per_day) for n in row.numbers.all()
            ),
        )
        enabled, source = row.enabled, config.DATABASE
    else:
        source = config.DATABASE if GatewaySetup.objects.exists() else config.ENVIRONMENT
        found = config.from_environment().get(name) if source == config.ENVIRONMENT else None
        current = found or config.GatewayConfig(name)
        enabled = True
    initial: dict[str, object] = {
        o.key: current.option(o.key) == "true" if o.yes_no else current.option(o.key)
        for o in config.OPTIONS[name]
        if not o.secret
    }
    initial["enabled"] = enabled
    initial["senders"] = "\n".join(
        " ".join(str(part) for part in (s.number, s.per_minute, s.per_day) if part)
        for s in current.senders
    )
    return GatewaySettings(
        initial=initial,
        saved_secrets=frozenset(k for k, v in current.secrets.items() if v),
        saved=row is not None,
        source=source,
    )
