"""Assemblies, their groups and members: who may change them, and what is refused."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from tests.assembly.conftest import MakeMember
from tests.conftest import log_in
from vecinos.assembly import services
from vecinos.assembly.choices import AssemblyKind, MemberRole, QuorumKind
from vecinos.assembly.models import Assembly, Membership
from vecinos.core.models import AuditEvent, User
from vecinos.organizing.models import Person


def test_an_organizer_creates_a_sanctuary_team_that_reports_to_the_assembly(
    organizer: User, assembly: Assembly
) -> None:
    client = log_in(Client(), organizer)

    response = client.post(
        "/assembly/bodies/new/",
        {
            "name": "Equipo santuario de la Escuela Hoover",
            "kind": AssemblyKind.SANCTUARY_TEAM,
            "sanctuary_place_kind": "school",
            "parent": assembly.id,
            "languages": ["es", "en"],
            "quorum_kind": QuorumKind.PERCENT,
            "quorum_value": 50,
        },
    )

    team = Assembly.objects.get(kind=AssemblyKind.SANCTUARY_TEAM)
    assert response.status_code == 302
    assert team.parent == assembly
    assert team.languages == ["es", "en"]
    assert AuditEvent.objects.filter(action="assembly.body.created").count() == 1


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"kind": AssemblyKind.WORKING_GROUP}, "parent", "belongs to an assembly"),
        (
            {"kind": AssemblyKind.NEIGHBORHOOD, "quorum_kind": "percent", "quorum_value": 150},
            "quorum_value",
            "at most 100",
        ),
        (
            {"kind": AssemblyKind.NEIGHBORHOOD, "quorum_kind": "count", "quorum_value": 0},
            "quorum_value",
            "at least 1",
        ),
        (
            {"kind": AssemblyKind.NEIGHBORHOOD, "sanctuary_place_kind": "school"},
            "sanctuary_place_kind",
            "Only a sanctuary team",
        ),
    ],
)
def test_a_body_form_with_bad_input_says_what_to_fix(
    organizer: User, data: dict[str, object], field: str, message: str
) -> None:
    client = log_in(Client(), organizer)
    fields = {"name": "Grupo", "quorum_kind": "none", "quorum_value": 0, **data}

    response = client.post("/assembly/bodies/new/", fields)

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not Assembly.objects.exists()


def test_a_body_cannot_report_to_its_own_group(organizer: User, assembly: Assembly) -> None:
    group = services.do_create_assembly(
        organizer, name="Vivienda", kind=AssemblyKind.WORKING_GROUP, parent=assembly
    )
    citywide = services.do_create_assembly(organizer, name="Citywide", kind=AssemblyKind.CITYWIDE)
    services.do_update_assembly(organizer, assembly, parent=citywide)

    with pytest.raises(services.AssemblyError):
        services.do_update_assembly(organizer, citywide, parent=assembly)
    assert group.parent == assembly


def test_members_are_added_once_and_their_role_changes(
    organizer: User, assembly: Assembly, make_person: object
) -> None:
    person = Person.objects.create(full_name="Librada Urbina")
    client = log_in(Client(), organizer)

    client.post(
        f"/assembly/bodies/{assembly.id}/members/add/", {"person": person.id, "role": "member"}
    )
    again = client.post(
        f"/assembly/bodies/{assembly.id}/members/add/", {"person": person.id, "role": "member"}
    )
    membership = Membership.objects.get()
    client.post(
        f"/assembly/bodies/{assembly.id}/",
        {"membership": membership.id, "action": "role", "role": MemberRole.NOTE_TAKER},
    )

    assert "Choose a person from the list" in again.content.decode()
    membership.refresh_from_db()
    assert membership.role == MemberRole.NOTE_TAKER
    with pytest.raises(services.AssemblyError, match="already a member"):
        services.do_add_member(organizer, assembly, person)


def test_names_of_members_are_shown_to_members_and_not_to_other_accounts(
    assembly: Assembly, plain_member: User, member: User, make_member: MakeMember
) -> None:
    make_member("Librada Urbina")

    as_member = log_in(Client(), plain_member).get(f"/assembly/bodies/{assembly.id}/")
    as_other = log_in(Client(), member).get(f"/assembly/bodies/{assembly.id}/")

    assert "Librada Urbina" in as_member.content.decode()
    assert "Librada Urbina" not in as_other.content.decode()
    assert "2 members" in as_other.content.decode()


def test_a_facilitator_of_this_body_runs_its_meetings_but_not_another_bodys(
    body_facilitator: User, assembly: Assembly
) -> None:
    other = Assembly.objects.create(name="Otra asamblea")

    assert assembly.can_run(body_facilitator)
    assert not other.can_run(body_facilitator)
    assert not assembly.can_manage(body_facilitator)
    with pytest.raises(PermissionDenied):
        services.do_add_member(body_facilitator, assembly, Person.objects.create(full_name="X"))
    client = log_in(Client(), body_facilitator)
    assert client.get(f"/assembly/bodies/{assembly.id}/meetings/new/").status_code == 200
    assert client.get(f"/assembly/bodies/{other.id}/meetings/new/").status_code == 403


def test_a_partner_sees_no_assembly(partner: User, assembly: Assembly) -> None:
    client = log_in(Client(), partner)

    assert client.get("/assembly/").status_code == 403
    assert client.get(f"/assembly/bodies/{assembly.id}/").status_code == 403


def test_quorum_by_percent_rounds_up(assembly: Assembly) -> None:
    assembly.quorum_kind, assembly.quorum_value = QuorumKind.PERCENT, 50

    assert assembly.quorum_needed(members=7) == 4
    assert assembly.quorum_needed(members=8) == 4
