"""Precinct teams: organizers and coordinators put people on a team as captain or member."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import MakePerson
from tests.places.conftest import MakeZone
from vecinos.core.models import AuditEvent, User
from vecinos.places.choices import TeamRole, ZoneKind
from vecinos.places.models import TeamMember, Zone

pytestmark = pytest.mark.django_db

LoggedIn = Callable[[User], Client]


@pytest.fixture
def precinct(make_zone: MakeZone) -> Zone:
    return make_zone("Precinto 0417", kind=ZoneKind.PRECINCT)


def test_an_organizer_adds_a_captain_and_a_member(
    organizer: User, precinct: Zone, make_person: MakePerson, logged_in: LoggedIn
) -> None:
    librada = make_person("Librada Urbina")
    jiwoo = make_person("Ji-woo Park", phone="+12135550143")
    client = logged_in(organizer)
    url = reverse("places:precinct_team", kwargs={"zone_id": precinct.id})

    client.post(url, {"person": librada.id, "role": "captain"})
    client.post(url, {"person": jiwoo.id, "role": "member"})
    page = client.get(url).content.decode()

    assert dict(TeamMember.objects.values_list("person_id", "role")) == {
        librada.id: TeamRole.CAPTAIN,
        jiwoo.id: TeamRole.MEMBER,
    }
    assert page.index("Librada Urbina") < page.index("Ji-woo Park")
    assert AuditEvent.objects.filter(action="places.team.member_added").count() == 2


def test_a_coordinator_changes_a_role_and_takes_someone_off_the_team(
    coordinator: User, precinct: Zone, make_person: MakePerson, logged_in: LoggedIn
) -> None:
    person = make_person()
    member = TeamMember.objects.create(zone=precinct, person=person)
    client = logged_in(coordinator)
    url = reverse("places:team_member", kwargs={"zone_id": precinct.id, "member_id": member.id})

    client.post(url, {"role": "captain"})
    assert TeamMember.objects.get().role == TeamRole.CAPTAIN
    client.post(url, {"remove": "1"})

    assert not TeamMember.objects.exists()
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions[-2:] == ["places.team.member_changed", "places.team.member_removed"]


def test_the_form_needs_a_person_and_a_known_role(
    organizer: User, precinct: Zone, make_person: MakePerson, logged_in: LoggedIn
) -> None:
    person = make_person()
    url = reverse("places:precinct_team", kwargs={"zone_id": precinct.id})

    response = logged_in(organizer).post(url, {"person": "", "role": "boss"})

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"person", "role"}
    assert not TeamMember.objects.exists()
    assert person.id


def test_people_of_the_precincts_neighborhood_are_offered(
    organizer: User,
    make_zone: MakeZone,
    make_person: MakePerson,
    logged_in: LoggedIn,
) -> None:
    neighborhood = make_zone("El Centro", rings=2)
    precinct = make_zone("0417", rings=0, kind=ZoneKind.PRECINCT)
    Zone.objects.filter(id=precinct.id).update(parent=neighborhood)
    near = make_person("Vecina Cercana")
    near.zone = neighborhood
    near.save()
    make_person("Otra Persona", phone="+12135550199")

    response = logged_in(organizer).get(
        reverse("places:precinct_team", kwargs={"zone_id": precinct.id})
    )

    assert list(response.context["form"].fields["person"].queryset) == [near]


@pytest.mark.parametrize("role", ["dispatcher", "responder", "member", "partner", "facilitator"])
def test_others_may_not_see_or_change_teams(
    request: pytest.FixtureRequest,
    precinct: Zone,
    make_person: MakePerson,
    logged_in: LoggedIn,
    role: str,
) -> None:
    user: User = request.getfixturevalue(role)
    member = TeamMember.objects.create(zone=precinct, person=make_person())
    client = logged_in(user)

    assert client.get(reverse("places:precinct_list")).status_code == 403
    assert (
        client.get(reverse("places:precinct_team", kwargs={"zone_id": precinct.id})).status_code
        == 403
    )
    url = reverse("places:team_member", kwargs={"zone_id": precinct.id, "member_id": member.id})
    assert client.post(url, {"remove": "1"}).status_code == 403
    assert TeamMember.objects.exists()


def test_the_precinct_list_shows_team_and_household_counts(
    organizer: User, precinct: Zone, make_person: MakePerson, logged_in: LoggedIn
) -> None:
    TeamMember.objects.create(zone=precinct, person=make_person())

    response = logged_in(organizer).get(reverse("places:precinct_list"))

    (row,) = response.context["precincts"]
    assert (row.team_count, row.household_count) == (1, 0)


def test_deleting_a_precinct_warns_that_its_walk_list_and_team_go_with_it(
    coordinator: User, precinct: Zone, make_person: MakePerson, logged_in: LoggedIn
) -> None:
    TeamMember.objects.create(zone=precinct, person=make_person())
    precinct.households.create(address="1 Main St", language="es")

    page = logged_in(coordinator).get(
        reverse("places:zone_delete", kwargs={"zone_id": precinct.id})
    )

    assert "(households: 1; team members: 1)" in page.content.decode()
