"""Gateways by name, and which one carries each channel (the first configured that can)."""

from __future__ import annotations

from django.conf import settings

from vecinos.messaging.choices import Channel
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


def configured_gateways(channel: str) -> list[str]:
    """Names of the gateways for ``channel``, in failover order."""
    if channel == Channel.EMAIL:
        return ["email"] if settings.VECINOS_SMTP_HOST else []
    return [
        name
        for name in settings.VECINOS_PHONE_GATEWAYS
        if name in GATEWAYS and channel in GATEWAYS[name].channels
    ]


def gateway_for(channel: str) -> Gateway | None:
    """A fresh instance of the first gateway configured for ``channel``, or None."""
    names = configured_gateways(channel)
    return GATEWAYS[names[0]]() if names else None
