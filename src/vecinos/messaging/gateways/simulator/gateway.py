"""Pretend phones for the demo and development: a message is delivered the moment it is sent, and
the simulator page shows it on the recipient's pretend phone."""

from __future__ import annotations

import uuid

from vecinos.messaging.choices import Channel
from vecinos.messaging.gateways.base import Gateway, Sent


class SimulatorGateway(Gateway):
    name = "simulator"
    channels = frozenset({Channel.SMS, Channel.SIGNAL, Channel.VOICE})

    def send(
        self,
        *,
        to: str,
        body: str,
        subject: str = "",
        validity_seconds: int | None = None,
        sender: str = "",
        channel: str = "",
        language: str = "",
    ) -> Sent:
        return Sent(provider_message_id=f"sim-{uuid.uuid4().hex}", delivered=True)
