"""The demo's assembly: bodies, an upcoming meeting with an agenda, and a time poll."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.utils import timezone

from vecinos.assembly.choices import AssemblyKind, SanctuaryPlaceKind
from vecinos.assembly.models import Assembly, Meeting, SlotVote, TimePoll
from vecinos.core.management.commands.demo import populate_all
from vecinos.core.models import User


def test_the_demo_has_an_assembly_with_groups_a_sanctuary_team_a_meeting_and_a_poll(
    db: Any,
) -> None:
    populate_all()

    assembly = Assembly.objects.get(kind=AssemblyKind.NEIGHBORHOOD)
    kinds = set(assembly.children.values_list("kind", flat=True))
    assert kinds == {AssemblyKind.WORKING_GROUP, AssemblyKind.BREAKOUT, AssemblyKind.SANCTUARY_TEAM}
    team = assembly.children.get(kind=AssemblyKind.SANCTUARY_TEAM)
    assert team.sanctuary_place_kind == SanctuaryPlaceKind.SCHOOL
    coming = Meeting.objects.filter(assembly=assembly, starts_at__gt=timezone.now()).get()
    assert coming.agenda_items.count() >= 5
    assert coming.attachments.get().file.read().startswith(b"%PDF-")
    poll = TimePoll.objects.get()
    assert SlotVote.objects.filter(slot__poll=poll).exists()
    facilitator = User.objects.get(username="facilitator")
    assert assembly.can_run(facilitator)
    client = Client()
    client.force_login(facilitator)
    page = client.get(f"/assembly/meetings/{coming.id}/")
    assert page.status_code == 200
    assert "orden-del-dia.pdf" in page.content.decode()
