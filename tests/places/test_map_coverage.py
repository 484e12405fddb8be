"""The coverage map: trained, available responders per zone; empty zones stand out."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import h3
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.places.conftest import CENTRE, WEST, MakeZone
from tests.responders.conftest import MakeResponder
from vecinos.core.models import User
from vecinos.places.choices import EMPTY_COLOUR, ZoneKind
from vecinos.places.geo import CELL_RESOLUTION
from vecinos.places.queries import coverage

pytestmark = pytest.mark.django_db

LoggedIn = Callable[[User], Client]
CENTRE_CELL = h3.latlng_to_cell(*CENTRE, CELL_RESOLUTION)


@pytest.fixture
def zones(make_zone: MakeZone) -> None:
    make_zone("El Centro", at=CENTRE)
    make_zone("Pico Sur", at=WEST)


def test_only_eligible_available_responders_in_the_zone_are_counted(
    zones: None, organizer: User, make_responder: MakeResponder
) -> None:
    now = timezone.now()
    make_responder(cell=CENTRE_CELL)
    make_responder(cell=h3.grid_disk(CENTRE_CELL, 1)[1])
    make_responder(cell=CENTRE_CELL, available_until=now + timedelta(hours=1))
    make_responder(cell=CENTRE_CELL, eligible=False)
    make_responder(cell=CENTRE_CELL, available=False)
    make_responder(cell=CENTRE_CELL, available_until=now - timedelta(minutes=1))
    make_responder(cell=h3.latlng_to_cell(40.7, -74.0, CELL_RESOLUTION))  # far away
    make_responder(cell="")

    counts = {row.zone.name: row.responders for row in coverage(organizer)}

    assert counts == {"El Centro": 3, "Pico Sur": 0}


def test_the_page_marks_an_empty_zone_with_a_colour_and_a_word(
    zones: None, organizer: User, make_responder: MakeResponder, logged_in: LoggedIn
) -> None:
    make_responder(cell=CENTRE_CELL)
    make_responder(cell=CENTRE_CELL)

    response = logged_in(organizer).get(reverse("places:coverage"))
    page = response.content.decode()

    assert response.status_code == 200
    assert "Pico Sur: none" in page
    assert "El Centro: 2" in page
    assert f'fill="{EMPTY_COLOUR}"' in page
    assert "1 zone has no responder." in page
    # The same numbers as a table, for screen readers.
    table = page[page.index("<table") :]
    assert "Empty: no responder" in table
    assert '<th scope="row">Pico Sur</th>' in table
    # Nothing from elsewhere: no script, no tiles when none are configured.
    assert '<script src="http' not in page
    assert "<image" not in page


def test_precincts_can_be_shown_with_their_parent(
    zones: None, organizer: User, make_zone: MakeZone, logged_in: LoggedIn
) -> None:
    precinct = make_zone("0417", rings=0, kind=ZoneKind.PRECINCT)

    response = logged_in(organizer).get(reverse("places:coverage"), {"kind": "precinct"})

    assert [row.zone for row in response.context["rows"]] == [precinct]
    assert "0417: none" in response.content.decode()


def test_an_unknown_kind_shows_neighborhoods_and_says_why(
    zones: None, organizer: User, logged_in: LoggedIn
) -> None:
    response = logged_in(organizer).get(reverse("places:coverage"), {"kind": "county"})

    assert response.status_code == 200
    assert "kind" in response.context["form"].errors
    assert len(response.context["rows"]) == 2


def test_an_empty_database_draws_a_map(organizer: User, logged_in: LoggedIn) -> None:
    response = logged_in(organizer).get(reverse("places:coverage"))

    assert response.status_code == 200
    assert "No zones of this kind yet." in response.content.decode()


@pytest.mark.parametrize("role", ["responder", "member", "partner", "facilitator"])
def test_people_without_the_map_may_not_see_coverage(
    request: pytest.FixtureRequest, logged_in: LoggedIn, role: str
) -> None:
    user: User = request.getfixturevalue(role)

    assert logged_in(user).get(reverse("places:coverage")).status_code == 403
