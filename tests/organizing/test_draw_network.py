"""The network picture: circles sized by members, growth in the last 90 days, and a flag on a
circle that depends on one person (exactly one vouching contact, or one person who brought in at
least half of its members)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import MakePerson
from vecinos.core.models import User
from vecinos.organizing.choices import CircleKind
from vecinos.organizing.circles import circles_for, dependency, network_for
from vecinos.organizing.models import Circle, CircleMembership, Person

pytestmark = pytest.mark.django_db


def people(make_person: MakePerson, count: int, prefix: str) -> list[Person]:
    return [
        make_person(f"{prefix} {n}", phone=f"+1213555{prefix_number(prefix)}{n:02d}")
        for n in range(count)
    ]


def prefix_number(prefix: str) -> str:
    return {"A": "01", "B": "02", "C": "03"}[prefix]


def join(circle: Circle, person: Person, *, days_ago: int = 200, vouches: bool = False) -> None:
    CircleMembership.objects.create(
        circle=circle,
        person=person,
        joined_at=timezone.now() - timedelta(days=days_ago),
        vouches_for_circle=vouches,
    )


def by_name(user: User) -> dict[str, object]:
    return {summary.name: summary for summary in circles_for(user)}


def test_one_vouching_contact_makes_a_circle_depend_on_that_person() -> None:
    person, why = dependency(10, [(1, "Ana")], None)
    assert person == (1, "Ana") and "only Ana vouches for it" in why
    assert dependency(10, [(1, "Ana"), (2, "Beto")], None) == (None, "")
    assert dependency(10, [], None) == (None, ""), "nobody vouching is flagged apart"


def test_one_person_who_brought_in_half_the_members_makes_it_depend_on_them() -> None:
    vouchers = [(1, "Ana"), (2, "Beto")]
    person, why = dependency(8, vouchers, (3, "Cruz", 4))
    assert person == (3, "Cruz") and "4 of its 8 members" in why
    assert dependency(8, vouchers, (3, "Cruz", 3)) == (None, ""), "fewer than half"
    assert dependency(2, vouchers, (3, "Cruz", 1)) == (None, ""), (
        "one person brought is not a pattern"
    )


def test_growth_counts_members_who_joined_in_the_last_90_days(
    organizer: User, make_person: MakePerson
) -> None:
    church = Circle.objects.create(name="San Judas", kind=CircleKind.CHURCH)
    club = Circle.objects.create(name="Club Tlaxiaco", kind=CircleKind.HOMETOWN_CLUB)
    for n, person in enumerate(people(make_person, 6, "A")):
        join(church, person, days_ago=200 if n < 2 else 30, vouches=n < 2)
    for person in people(make_person, 3, "B"):
        join(club, person, days_ago=300, vouches=True)
    circles = by_name(organizer)
    assert circles["San Judas"].members == 6 and circles["San Judas"].new_members == 4
    assert circles["San Judas"].growth_percent == 200 and circles["San Judas"].is_growing
    assert circles["Club Tlaxiaco"].new_members == 0 and not circles["Club Tlaxiaco"].is_growing


def test_the_circles_list_flags_dependency_on_one_person(
    organizer: User, make_person: MakePerson
) -> None:
    union = Circle.objects.create(name="Local 11", kind=CircleKind.UNION_LOCAL)
    school = Circle.objects.create(name="Escuela Norte", kind=CircleKind.SCHOOL_COUNCIL)
    a = people(make_person, 5, "A")
    for person in a:
        join(union, person, vouches=person is a[0])
    b = people(make_person, 5, "B")
    for person in b:
        join(school, person, vouches=person in b[:2])
    Person.objects.filter(id__in=[p.id for p in b[2:]]).update(brought_by=b[0])
    circles = by_name(organizer)
    assert circles["Local 11"].key_person == (a[0].id, a[0].full_name)
    assert circles["Escuela Norte"].key_person == (b[0].id, b[0].full_name)
    assert "brought in 3 of its 5 members" in circles["Escuela Norte"].dependency
    Person.objects.filter(id=b[4].id).update(brought_by=b[1])
    assert by_name(organizer)["Escuela Norte"].key_person is None


def test_the_network_is_drawn_with_shared_members_and_the_flag(
    organizer: User, make_person: MakePerson, logged_in
) -> None:
    church = Circle.objects.create(name="San Judas", kind=CircleKind.CHURCH)
    club = Circle.objects.create(name="Club Tlaxiaco", kind=CircleKind.HOMETOWN_CLUB)
    a = people(make_person, 6, "A")
    for person in a:
        join(church, person, vouches=person is a[0], days_ago=10)
    for person in a[:2] + people(make_person, 2, "B"):
        join(club, person, vouches=True)
    network = network_for(organizer)
    assert [node.summary.name for node in network.nodes] == ["San Judas", "Club Tlaxiaco"]
    big, small = network.nodes
    assert big.r > small.r, "sized by members"
    assert [edge.shared for edge in network.edges] == [2]
    assert [dot.is_key for dot in big.satellites] == [True]
    page = logged_in(organizer).get("/people/circles/network/").content.decode()
    assert "<svg" in page and 'stroke-dasharray="6 4"' in page and "+6" in page
    assert "2 shared members" in page


def test_the_network_draws_on_an_empty_database(organizer: User, logged_in) -> None:
    client: Client = logged_in(organizer)
    response = client.get("/people/circles/network/")
    assert response.status_code == 200 and "No circles yet." in response.content.decode()
    assert network_for(organizer).nodes == []


def test_a_crowded_network_draws_the_largest_circles_and_those_at_risk(
    organizer: User, make_person: MakePerson, logged_in
) -> None:
    a = people(make_person, 20, "A")
    for n in range(20):
        circle = Circle.objects.create(name=f"Circle {n:02d}", kind=CircleKind.OTHER)
        for person in a[: 20 - n]:
            join(circle, person, vouches=person in a[:2])
    lonely = Circle.objects.create(name="Tiny but fragile", kind=CircleKind.PARTNER)
    join(lonely, a[0], vouches=True)
    network = network_for(organizer)
    drawn = [node.summary.name for node in network.nodes]
    assert drawn[:12] == [f"Circle {n:02d}" for n in range(12)]
    assert "Tiny but fragile" in drawn and "Circle 19" in drawn, "one vouching contact each"
    assert network.left_out == 7
    page = logged_in(organizer).get("/people/circles/network/").content.decode()
    assert "7 smaller circles are not drawn" in page and "Circle 18" in page


def test_the_circles_page_costs_the_same_queries_for_many_circles(
    organizer: User, make_person: MakePerson, django_assert_num_queries
) -> None:
    a = people(make_person, 10, "A")

    def add(count: int) -> None:
        for n in range(count):
            circle = Circle.objects.create(name=f"C{Circle.objects.count()}", kind="other")
            for person in a[: n + 1]:
                join(circle, person, vouches=person is a[0])
            Person.objects.filter(id=a[1].id).update(brought_by=a[0])

    add(2)
    network_for(organizer)  # the account's roles, read once and kept
    with django_assert_num_queries(5) as first:
        network_for(organizer)
    add(8)
    with django_assert_num_queries(len(first.captured_queries)):
        network_for(organizer)
