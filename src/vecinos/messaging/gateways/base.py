"""The one interface every gateway implements. Vendor details (error codes, payloads) stay inside
each adapter; the outbox sees only :class:`Sent`, :class:`TransientError` and
:class:`PermanentError`."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

from vecinos.messaging.gateways.config import GatewayConfig


@dataclass(frozen=True)
class Sent:
    provider_message_id: str
    # True when handing over is delivery (the simulator); providers confirm later by receipt.
    delivered: bool = False


class GatewayError(Exception):
    """A send that did not happen. ``code`` is the provider's own error code, kept for people."""

    def __init__(self, message: str, code: str = "") -> None:
        super().__init__(message)
        self.code = code

    def __str__(self) -> str:
        text = super().__str__()
        return f"{self.code}: {text}" if self.code else text


class TransientError(GatewayError):
    """Worth trying again later: a timeout, the provider overloaded or rate-limiting us."""


class PermanentError(GatewayError):
    """Never worth retrying: an invalid number, a number opted out at the provider."""


@dataclass(frozen=True)
class Outgoing:
    """One message for :meth:`Gateway.send_batch`: the same facts :meth:`Gateway.send` takes."""

    to: str
    body: str
    subject: str = ""
    validity_seconds: int | None = None
    sender: str = ""
    channel: str = ""
    language: str = ""


class NotSupportedError(Exception):
    """The gateway does not offer this optional capability."""


class Gateway(ABC):
    """Sends messages on some channels. Built per use from the configuration in force, never
    cached, so a changed setting takes effect at once."""

    name: ClassVar[str]
    channels: ClassVar[frozenset[str]]
    # Whether the provider reports delivery later (then "sent" is not yet "delivered").
    reports_delivery: ClassVar[bool] = True
    # Channels for which :meth:`send_batch` hands a whole batch over at once.
    batch_channels: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, config: GatewayConfig | None = None) -> None:
        """``config`` defaults to this gateway's settings in force now."""
        if config is None:
            from vecinos.messaging.gateways.config import load

            config = load().get(self.name) or GatewayConfig(self.name)
        self.config = config

    def senders(self, channel: str = "") -> list[str]:
        """The numbers this gateway sends ``channel`` from, each paced by the outbox; empty when
        the provider needs no pacing from us (the simulator, e-mail, Twilio's calls)."""
        return [sender.number for sender in self.config.senders]

    @abstractmethod
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
        """Hand one message to the provider.

        ``sender`` is one of :meth:`senders`, chosen by the outbox's pacing (or empty).
        ``validity_seconds`` tells providers that support it to drop the message rather than
        deliver it after that long (a raid alert hours late does harm).
        ``channel`` is the message's channel, for gateways that carry several in different ways
        (Twilio texts or calls); empty means the gateway's first, text. ``language`` is the
        message's language code, which a call needs to pick its voice.

        Raises:
            TransientError: try again later.
            PermanentError: do not try again.
        """

    def send_batch(self, messages: list[Outgoing]) -> list[Sent | Exception]:
        """Hand several messages to the provider at once, for gateways whose client can keep many
        requests in flight without a thread each (Twilio's asynchronous client). One result per
        message, in order: what :meth:`send` would have returned, or the exception it would have
        raised (``TransientError``, ``PermanentError``, or anything else for a bug).

        Raises:
            NotSupportedError: the gateway has no batch sending (see ``batch_channels``).
        """
        raise NotSupportedError(self.name)
