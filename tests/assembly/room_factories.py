"""Small factories for the meeting-room tests: a meeting in progress with an agenda, and
accounts that hold a role in its assembly."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.utils import timezone

from tests.conftest import MakeAccount
from vecinos.assembly.choices import AssemblyKind, ItemStatus, MeetingStatus, MemberRole
from vecinos.assembly.models import AgendaItem, Assembly, Meeting, Membership
from vecinos.core.models import User
from vecinos.organizing.models import Person


def make_meeting(
    *,
    assembly: Assembly | None = None,
    title: str = "Asamblea de abril",
    languages: Iterable[str] = ("es", "ko"),
    interpretation_needed: Iterable[str] = ("ko",),
    items: Iterable[str] = ("Huelga de alquileres", "Red de respuesta rápida"),
    status: str = MeetingStatus.OPEN,
) -> Meeting:
    """A meeting of ``assembly`` (a new neighborhood assembly by default) with one agenda item
    per title, none current yet."""
    if assembly is None:
        assembly = Assembly.objects.create(
            name="Asamblea de Koreatown", kind=AssemblyKind.NEIGHBORHOOD, languages=["es", "ko"]
        )
    meeting = Meeting.objects.create(
        assembly=assembly,
        title=title,
        starts_at=timezone.now() - timedelta(minutes=30),
        place="Salón de la iglesia, 3rd St",
        languages=list(languages),
        interpretation_needed=list(interpretation_needed),
        status=status,
    )
    for position, item_title in enumerate(items):
        AgendaItem.objects.create(
            meeting=meeting,
            position=position,
            title=item_title,
            time_box_minutes=15,
            status=ItemStatus.PENDING,
        )
    return meeting


def items_of(meeting: Meeting) -> list[AgendaItem]:
    return list(meeting.agenda_items.order_by("position"))


def join(assembly: Assembly, user: User, role: str = MemberRole.MEMBER) -> Membership:
    """Give ``user`` (their person, made if missing) a role in ``assembly``."""
    person = Person.objects.filter(account=user).first() or Person.objects.create(
        full_name=user.display_name, account=user, languages=["es"]
    )
    return Membership.objects.create(assembly=assembly, person=person, role=role)


def room_runner(
    make_account: MakeAccount,
    meeting: Meeting,
    username: str = "lupe",
    role: str = MemberRole.FACILITATOR,
    account_role: str = "member",
) -> User:
    """An account with only ``account_role`` that holds ``role`` in the meeting's assembly."""
    user = make_account(username, account_role)
    join(meeting.assembly, user, role)
    return user
