"""The demo neighborhood has zones that place callers, and most demo people have one."""

from __future__ import annotations

import pytest

from vecinos.core.management.commands.demo import populate_all
from vecinos.organizing.models import Person
from vecinos.places.choices import ZoneKind
from vecinos.places.geo import locate, neighbors_or_same
from vecinos.places.models import Zone, ZoneCell

pytestmark = pytest.mark.django_db


def test_the_demo_has_zones_with_zip_codes_that_place_callers() -> None:
    counts = populate_all()
    zones = list(Zone.objects.filter(kind=ZoneKind.NEIGHBORHOOD))
    assert 4 <= counts["zones"] == len(zones) <= 6
    for zone in zones:
        assert zone.zip_code_list(), zone
        assert 5 <= zone.cells.count() <= 15, zone
        assert locate(zone.zip_code_list()[0]).zone == zone
        assert locate(zone.name.lower()).zone == zone
    # The messaging demo's subscribers wrote "JACARANDA": it names a zone.
    assert locate("JACARANDA").zone is not None
    assert locate("los alamos").zone == Zone.objects.get(name="Los Álamos")
    # Neighbouring zones meet: some cell of El Centro touches a cell of Pico Sur.
    centro = set(ZoneCell.objects.filter(zone__name="El Centro").values_list("cell", flat=True))
    pico = set(ZoneCell.objects.filter(zone__name="Pico Sur").values_list("cell", flat=True))
    assert any(neighbors_or_same(a, b) for a in centro for b in pico)


def test_most_demo_people_have_a_zone_and_every_zone_has_people() -> None:
    populate_all()
    people = Person.objects.filter(is_demo=True)
    with_zone = people.exclude(zone=None).count()
    assert 0.7 * people.count() <= with_zone < people.count()
    for zone in Zone.objects.filter(kind=ZoneKind.NEIGHBORHOOD):
        assert zone.people.exists(), zone


def test_the_demo_neighborhood_has_precincts_a_team_and_a_walk_list_in_three_languages() -> None:
    populate_all()
    centro = Zone.objects.get(name="El Centro", kind=ZoneKind.NEIGHBORHOOD)
    precincts = list(Zone.objects.filter(kind=ZoneKind.PRECINCT).order_by("name"))
    assert len(precincts) == 3
    assert all(p.parent_id == centro.id and p.cells.exists() for p in precincts)
    first = precincts[0]
    roles = sorted(first.team.values_list("role", flat=True))
    assert roles.count("captain") == 1
    assert len(roles) >= 3
    households = list(first.households.all())
    assert 25 <= len(households) <= 35
    assert {h.language for h in households} == {"es", "ko", "en"}
