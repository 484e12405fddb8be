"""A neighborhood assembly with members in three languages, built through the ORM."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests.conftest import MakeAccount
from vecinos.assembly.choices import AssemblyKind, MemberRole
from vecinos.assembly.models import Assembly, Meeting, Membership
from vecinos.core.choices import Role
from vecinos.core.models import User
from vecinos.messaging import inbound
from vecinos.messaging.choices import Channel
from vecinos.messaging.models import InboundMessage
from vecinos.organizing.models import Person


@pytest.fixture
def assembly(db: Any) -> Assembly:
    return Assembly.objects.create(
        name="Asamblea de Pico-Union", kind=AssemblyKind.NEIGHBORHOOD, languages=["es", "en"]
    )


MakeMember = Callable[..., Person]


@pytest.fixture
def make_member(assembly: Assembly) -> MakeMember:
    def make(
        name: str,
        *,
        phone: str = "",
        email: str = "",
        language: str = "es",
        channel: str = Channel.SMS,
        role: str = MemberRole.MEMBER,
        body: Assembly | None = None,
        account: User | None = None,
    ) -> Person:
        person = Person.objects.create(
            full_name=name,
            phone=phone,
            email=email,
            preferred_language=language,
            preferred_channel=channel,
            account=account,
        )
        Membership.objects.create(assembly=body or assembly, person=person, role=role)
        return person

    return make


@pytest.fixture
def meeting(assembly: Assembly) -> Meeting:
    return Meeting.objects.create(
        assembly=assembly,
        title="Asamblea de noviembre",
        starts_at=timezone.now() + timedelta(days=7),
        place="Escuela Hoover",
        languages=["es", "en"],
    )


@pytest.fixture
def body_facilitator(make_account: MakeAccount, make_member: MakeMember) -> User:
    """An account with only the member role who facilitates THIS assembly."""
    user = make_account("rosa", Role.MEMBER, display_name="Rosa")
    make_member("Rosa Quispe", role=MemberRole.FACILITATOR, account=user)
    return user


@pytest.fixture
def plain_member(make_account: MakeAccount, make_member: MakeMember) -> User:
    user = make_account("tomas", Role.MEMBER, display_name="Tomás")
    make_member("Tomás Ixcot", phone="+12135550177", account=user)
    return user


TextIn = Callable[..., InboundMessage | None]


@pytest.fixture
def text_in(django_capture_on_commit_callbacks: Any) -> TextIn:
    """Deliver a text the way every gateway's webhook does (processed after commit)."""

    def deliver(body: str, sender: str, at: datetime | None = None) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            message = inbound.receive(
                gateway="simulator",
                provider_message_id=f"id-{InboundMessage.objects.count()}",
                sender=sender,
                body=body,
            )
            if message is not None and at is not None:
                InboundMessage.objects.filter(id=message.id).update(received_at=at)
        if message is not None:
            message.refresh_from_db()  # as it was read
        return message

    return deliver
