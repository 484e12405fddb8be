"""A neighborhood assembly with members (phones, languages), a facilitator, and helpers to bring
proposals, set up votes and text in. Everything through the ORM and the real services."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any, Protocol

import pytest
from django.utils import timezone

from tests.conftest import MakeAccount
from vecinos.assembly import proposals as services
from vecinos.assembly.choices import MemberRole
from vecinos.assembly.models import Assembly, Membership
from vecinos.assembly.models_proposals import Proposal, Vote
from vecinos.core.choices import Role
from vecinos.core.models import User
from vecinos.messaging import inbound
from vecinos.messaging.models import InboundMessage, OutboundMessage
from vecinos.organizing.models import Person


class MakeMember(Protocol):
    def __call__(
        self,
        name: str,
        *,
        phone: str = "",
        language: str = "es",
        account: User | None = None,
        role: str = MemberRole.MEMBER,
    ) -> Person: ...


class MakeVote(Protocol):
    def __call__(
        self,
        method: str,
        *,
        options: list[dict[str, str]] | None = None,
        secret: bool = False,
        open_it: bool = True,
        closes_in: timedelta | None = timedelta(hours=12),
        dots: int = 3,
        score_max: int = 5,
    ) -> Vote: ...


@pytest.fixture
def body(db: Any) -> Assembly:
    return Assembly.objects.create(name="Koreatown Assembly", languages=["es", "en", "ko"])


@pytest.fixture
def make_member(body: Assembly) -> MakeMember:
    count = {"n": 0}

    def make(
        name: str,
        *,
        phone: str = "",
        language: str = "es",
        account: User | None = None,
        role: str = MemberRole.MEMBER,
    ) -> Person:
        count["n"] += 1
        person = Person.objects.create(
            full_name=name,
            phone=phone or f"+1213555{count['n']:04d}",
            preferred_language=language,
            account=account,
        )
        Membership.objects.create(assembly=body, person=person, role=role)
        return person

    return make


@pytest.fixture
def runner(make_account: MakeAccount) -> User:
    """An account with the facilitator role: runs every body's meetings."""
    return make_account("runner", Role.FACILITATOR, display_name="Rosa Runner")


@pytest.fixture
def voter(make_account: MakeAccount, make_member: MakeMember) -> User:
    """A member of the body with an account, to vote on the web."""
    user = make_account("voter", Role.MEMBER, display_name="Vera Voter")
    make_member("Vera Voter", account=user, language="en")
    return user


@pytest.fixture
def proposal(body: Assembly, runner: User) -> Proposal:
    return services.do_create_proposal(
        runner,
        body,
        language="es",
        title="Un segundo turno de despacho",
        body="Proponemos un segundo turno de despacho por la noche.",
    )


STRATEGIES = [
    {"en": "Night dispatch shift", "es": "Turno de noche"},
    {"en": "Know-your-rights trainings", "es": "Talleres de derechos"},
    {"en": "Outreach at the bus stops", "es": "Volantes en las paradas"},
    {"en": "Legal fund", "es": "Fondo legal"},
]


@pytest.fixture
def make_vote(proposal: Proposal, runner: User) -> MakeVote:
    def make(
        method: str,
        *,
        options: list[dict[str, str]] | None = None,
        secret: bool = False,
        open_it: bool = True,
        closes_in: timedelta | None = timedelta(hours=12),
        dots: int = 3,
        score_max: int = 5,
    ) -> Vote:
        vote = services.do_create_vote(
            runner,
            proposal,
            method=method,
            secret=secret,
            options=options,
            dots_per_voter=dots,
            score_max=score_max,
        )
        if open_it:
            now = timezone.now()
            services.do_open_vote(
                runner,
                vote,
                opens_at=now - timedelta(minutes=1),
                closes_at=now + closes_in if closes_in else None,
                announce=False,
            )
        vote.refresh_from_db()
        return vote

    return make


TextIn = Callable[..., InboundMessage]


@pytest.fixture
def text_in(django_capture_on_commit_callbacks: Any) -> TextIn:
    """Receive a text as a gateway would, and process it (after commit, as in production)."""
    counter = {"n": 0}

    def send(sender: Person | str, body: str) -> InboundMessage:
        counter["n"] += 1
        number = sender if isinstance(sender, str) else sender.phone
        with django_capture_on_commit_callbacks(execute=True):
            stored = inbound.receive(
                gateway="simulator",
                provider_message_id=f"test-{counter['n']}",
                sender=number,
                body=body,
            )
        assert stored is not None
        stored.refresh_from_db()
        return stored

    return send


def last_reply(to: Person | str) -> OutboundMessage:
    number = to if isinstance(to, str) else to.phone
    found = [m for m in OutboundMessage.objects.order_by("-id") if m.address == number]
    assert found, "no reply"
    return found[0]
