"""Factories for responders and incidents, and texts delivered the way every gateway does."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from itertools import count
from typing import Any, Protocol

import h3
import pytest
from django.utils import timezone

from vecinos.hotline.choices import IncidentStatus
from vecinos.hotline.models import Incident, IncidentStep
from vecinos.messaging import inbound
from vecinos.messaging.models import InboundMessage, OutboundMessage
from vecinos.organizing.models import Person
from vecinos.responders.models import Responder

# An H3 cell at resolution 8 in Koreatown, Los Angeles.
HOME = str(h3.latlng_to_cell(34.0617, -118.3005, 8))
_numbers = count(100)


def ring_cell(k: int, n: int = 0) -> str:
    """The ``n``-th cell (sorted) ``k`` rings from HOME."""
    return HOME if k == 0 else sorted(h3.grid_ring(HOME, k))[n]


class MakeResponder(Protocol):
    def __call__(
        self,
        name: str = ...,
        *,
        cell: str = HOME,
        languages: list[str] | None = None,
        language: str = "es",
        eligible: bool = True,
        available: bool = True,
        available_until: datetime | None = None,
        phone: str = "",
    ) -> Responder: ...


@pytest.fixture
def make_responder(db: Any) -> MakeResponder:
    def make(
        name: str = "",
        *,
        cell: str = HOME,
        languages: list[str] | None = None,
        language: str = "es",
        eligible: bool = True,
        available: bool = True,
        available_until: datetime | None = None,
        phone: str = "",
    ) -> Responder:
        n = next(_numbers)
        person = Person.objects.create(
            full_name=name or f"Responder {n}",
            phone=phone or f"+1213555{n:04d}",
            preferred_language=language,
            languages=[language] if languages is None else languages,
        )
        # Eligible: the facts trainings keep (a current training, two vouches) and the flag.
        return Responder.objects.create(
            person=person,
            cell=cell,
            eligible=eligible,
            trained_until=timezone.now() + timedelta(days=300) if eligible else None,
            vouches=2 if eligible else 0,
            available=available,
            available_until=available_until,
        )

    return make


MakeIncident = Callable[..., Incident]


@pytest.fixture
def make_incident(db: Any) -> MakeIncident:
    def make(
        *,
        cell: str = HOME,
        place: str = "3rd St & Vermont Ave, 90005",
        language: str = "es",
        is_drill: bool = False,
        opened_by: Any = None,
    ) -> Incident:
        incident = Incident.objects.create(
            cell=cell,
            place=place,
            summary="Agents at the corner",
            language=language,
            is_drill=is_drill,
            opened_by=opened_by,
        )
        IncidentStep.objects.create(incident=incident, status=IncidentStatus.REPORTED)
        return incident

    return make


TextIn = Callable[..., InboundMessage | None]


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


def texts_to(responder: Responder, kind: str = "") -> list[OutboundMessage]:
    """What the outbox holds for a responder (optionally of one kind), oldest first."""
    found = OutboundMessage.objects.filter(person=responder.person).order_by("id")
    if kind:
        found = found.filter(kind=kind)
    return list(found)


def minutes_later(minutes: float, start: datetime | None = None) -> datetime:
    return (start or timezone.now()) + timedelta(minutes=minutes)
