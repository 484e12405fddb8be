"""Gateways by name, and which one carries each channel: the first in the configured order that
can and is not set aside as failing or slow (see :mod:`vecinos.messaging.health`)."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from vecinos.messaging.gateways import config
from vecinos.messaging.gateways.base import Gateway
from vecinos.messaging.gateways.email.gateway import EmailGateway
from vecinos.messaging.gateways.kannel.gateway import KannelGateway
from vecinos.messaging.gateways.signal.gateway import SignalGateway
from vecinos.messaging.gateways.simulator.gateway import SimulatorGateway
from vecinos.messaging.gateways.twilio.gateway import TwilioGateway

GATEWAYS: dict[str, type[Gateway]] = {
    SimulatorGateway.name: SimulatorGateway,
    EmailGateway.name: EmailGateway,
    TwilioGateway.name: TwilioGateway,
    KannelGateway.name: KannelGateway,
    SignalGateway.name: SignalGateway,
}


def build(gateway: config.GatewayConfig) -> Gateway:
    return GATEWAYS[gateway.name](gateway)


def gateway_for(
    channel: str, setup: config.Setup | None = None, now: datetime | None = None
) -> Gateway | None:
    """A fresh instance of the gateway that should carry ``channel`` now, or None when none is
    configured. When every gateway for the channel is set aside, the first is tried anyway:
    waiting for a failing gateway is no better than trying it."""
    from vecinos.messaging.health import set_aside_names

    setup = setup if setup is not None else config.load()
    candidates = setup.for_channel(channel)
    if not candidates:
        return None
    aside = set_aside_names(now or timezone.now())
    chosen = next((g for g in candidates if g.name not in aside), candidates[0])
    return build(chosen)
