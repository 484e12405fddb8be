"""Factories for mobilizations and the people answering, and texts delivered the way every
gateway does."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import count
from typing import Any, Protocol

import pytest
from django.utils import timezone

from vecinos.messaging import inbound
from vecinos.messaging.choices import Channel, ConsentMethod
from vecinos.messaging.models import Consent, InboundMessage, OutboundMessage
from vecinos.mobilizing.models import Mobilization
from vecinos.organizing.models import Person

_numbers = count(10)
_codes = count(1)
# A fixed "now" for tests that pass the clock explicitly; mobilizations start two days later.
NOW = timezone.now().replace(microsecond=0)


class MakeMobilization(Protocol):
    def __call__(
        self,
        title: str = ...,
        *,
        capacity: int | None = ...,
        starts_at: datetime | None = ...,
        code: str = ...,
    ) -> Mobilization: ...


class MakeContact(Protocol):
    def __call__(
        self,
        name: str = ...,
        *,
        language: str = ...,
        channel: str = ...,
        phone: str | None = ...,
        email: str = ...,
    ) -> Person: ...


class TextIn(Protocol):
    def __call__(self, body: str, sender: str, message_id: str = ...) -> Any: ...


@pytest.fixture
def make_mobilization(db: Any) -> MakeMobilization:
    def make(
        title: str = "Bus to the rally",
        *,
        capacity: int | None = 40,
        starts_at: datetime | None = None,
        code: str = "",
    ) -> Mobilization:
        return Mobilization.objects.create(
            title=title,
            capacity=capacity,
            starts_at=starts_at or timezone.now() + timedelta(days=2),
            place="Parque MacArthur, Alvarado entrance",
            code=code or ("BUS" if not Mobilization.objects.exists() else f"BUS{next(_codes)}"),
        )

    return make


@pytest.fixture
def make_contact(db: Any) -> MakeContact:
    def make(
        name: str = "",
        *,
        language: str = "es",
        channel: str = Channel.SMS,
        phone: str | None = None,
        email: str = "",
    ) -> Person:
        n = next(_numbers)
        person = Person.objects.create(
            full_name=name or f"Contact {n}",
            phone=f"+1213555{n:04d}" if phone is None else phone,
            email=email,
            preferred_language=language,
            preferred_channel=channel,
            languages=[language],
        )
        Consent.objects.create(
            person=person, channel=Channel.SMS, granted=True, method=ConsentMethod.IN_PERSON
        )
        return person

    return make


@pytest.fixture
def text_in(django_capture_on_commit_callbacks: Any) -> TextIn:
    """Deliver a text the way every gateway's webhook does (processed after commit)."""

    def deliver(body: str, sender: str, message_id: str = "") -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            stored = inbound.receive(
                gateway="simulator",
                provider_message_id=message_id or f"id-{InboundMessage.objects.count()}",
                sender=sender,
                body=body,
            )
        if stored is not None:
            stored.refresh_from_db()  # as it was read
        return stored

    return deliver


def texts_to(person: Person, kind: str = "") -> list[OutboundMessage]:
    """What the outbox holds for a person (optionally of one kind), oldest first."""
    found = OutboundMessage.objects.filter(person=person).order_by("id")
    if kind:
        found = found.filter(kind=kind)
    return list(found)
