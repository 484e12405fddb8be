"""Reads for the phone simulator."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.http import Http404

from vecinos.core.permissions import Capability, check
from vecinos.messaging.choices import Channel
from vecinos.messaging.gateways import config
from vecinos.messaging.models import InboundMessage, OutboundMessage
from vecinos.messaging.services import address_hash
from vecinos.organizing.models import Person

if TYPE_CHECKING:
    from datetime import datetime

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
