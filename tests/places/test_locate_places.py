"""Placing reports and people: pins, ZIP codes, names; rings and adjacency of cells."""

from __future__ import annotations

import math

import h3
import pytest
from django.utils import translation

from tests.places.conftest import CENTRE, WEST, MakeZone
from vecinos.places.geo import (
    CELL_RESOLUTION,
    Placement,
    PlaceNotFound,
    cell_centre,
    cell_for_point,
    find_zone,
    locate,
    name_key,
    neighbors_or_same,
    rings,
    zone_for_cell,
)

pytestmark = pytest.mark.django_db


def test_a_point_gets_its_cell_at_the_network_resolution() -> None:
    cell = cell_for_point(*CENTRE)
    assert h3.get_resolution(cell) == CELL_RESOLUTION == 8
    assert cell == h3.latlng_to_cell(*CENTRE, 8)
    assert cell_for_point(34, -118) == h3.latlng_to_cell(34.0, -118.0, 8)


@pytest.mark.parametrize(
    ("lat", "lng"),
    [(90.5, 0), (-91, 0), (0, 180.01), (0, -200), (math.nan, 0), (0, math.inf), (1e308, 1)],
)
def test_it_refuses_coordinates_out_of_range(lat: float, lng: float) -> None:
    with pytest.raises(PlaceNotFound, match="between -90 and 90"):
        cell_for_point(lat, lng)
    with pytest.raises(PlaceNotFound):
        locate(lat=lat, lng=lng)


def test_it_refuses_coordinates_that_are_not_numbers() -> None:
    with pytest.raises(PlaceNotFound, match="numbers"):
        cell_for_point("34.05", -118.24)  # type: ignore[arg-type]  # what a careless caller does
    with pytest.raises(PlaceNotFound, match="numbers"):
        cell_for_point(True, -118.24)


def test_the_edges_of_the_range_are_places() -> None:
    for lat, lng in [(90, 180), (-90, -180), (0, 0)]:
        assert h3.is_valid_cell(cell_for_point(lat, lng))


def test_a_map_pin_wins_over_the_text(make_zone: MakeZone) -> None:
    centro = make_zone("El Centro", zips=["90005"])
    make_zone("Westlake", at=WEST, zips=["90057"])
    placed = locate("1200 W 7th St, Westlake 90057", lat=CENTRE[0], lng=CENTRE[1])
    assert placed == Placement(cell=cell_for_point(*CENTRE), zone=centro, label=placed.label)
    assert placed.label == "1200 W 7th St, Westlake 90057"


def test_a_pin_outside_every_zone_has_a_cell_but_no_zone(make_zone: MakeZone) -> None:
    make_zone("El Centro")
    placed = locate(lat=40.7128, lng=-74.006)
    assert placed.zone is None
    assert placed.cell == h3.latlng_to_cell(40.7128, -74.006, 8)
    assert placed.label == "40.7128, -74.0060"


def test_a_pin_without_text_is_labelled_with_its_zone(make_zone: MakeZone) -> None:
    make_zone("El Centro")
    assert locate(lat=CENTRE[0], lng=CENTRE[1]).label == "El Centro"


def test_half_a_pin_is_refused() -> None:
    with pytest.raises(PlaceNotFound, match="both a latitude and a longitude"):
        locate("El Centro", lat=34.05)
    with pytest.raises(PlaceNotFound):
        locate(lng=-118.2)


def test_a_zip_code_places_in_its_zone_at_the_zones_centre_cell(make_zone: MakeZone) -> None:
    centro = make_zone("El Centro", zips=["90005", "90010"])
    placed = locate("90010")
    assert placed == Placement(cell=centro.centre_cell, zone=centro, label="El Centro")
    assert placed.cell == cell_for_point(*CENTRE)


def test_an_address_line_with_a_zone_zip_code_is_placed_and_keeps_its_words(
    make_zone: MakeZone,
) -> None:
    make_zone("El Centro", zips=["90005"])
    westlake = make_zone("Westlake", at=WEST, zips=["90057"])
    # The house number has five digits too, and is a ZIP code of another zone: the last wins.
    placed = locate("90005 Wilshire Blvd, Los Angeles, CA 90057-1234")
    assert placed.zone == westlake
    assert placed.label == "90005 Wilshire Blvd, Los Angeles, CA 90057-1234"


def test_a_name_is_found_without_case_or_accents(make_zone: MakeZone) -> None:
    centro = make_zone("El Centro")
    alamos = make_zone("Los Álamos", at=WEST)
    assert locate("el centro").zone == centro
    assert locate("  EL   CENTRO ").label == "El Centro"
    assert locate("los alamos").zone == alamos
    assert locate("LOS ÁLAMOS").zone == alamos
    assert locate("Los Álamos.").zone == alamos


def test_a_name_inside_an_address_line_places_it(make_zone: MakeZone) -> None:
    make_zone("Centro")
    norte = make_zone("Centro Norte", at=WEST)
    placed = locate("Esquina de Alvarado y 6th, centro norte")
    assert placed.zone == norte  # the longest name that fits, not its prefix
    assert placed.label == "Esquina de Alvarado y 6th, centro norte"
    # Whole words only: "Centronia" is not "Centro".
    with pytest.raises(PlaceNotFound):
        locate("Calle Centronia 12")


def test_korean_names_are_found_too(make_zone: MakeZone) -> None:
    koreatown = make_zone("코리아타운")
    assert locate("코리아타운").zone == koreatown
    assert name_key("코리아타운") == "코리아타운"


def test_an_address_that_names_no_zone_cannot_be_placed(make_zone: MakeZone) -> None:
    make_zone("El Centro", zips=["90005"])
    with pytest.raises(PlaceNotFound) as caught:
        locate("1234 Elm Street, Springfield 62704")
    assert isinstance(caught.value, ValueError)
    assert "“1234 Elm Street, Springfield 62704” is not a ZIP code or neighborhood" in str(
        caught.value
    )
    assert "Put a pin on the map" in str(caught.value)


def test_the_message_is_translated_when_shown(make_zone: MakeZone) -> None:
    with pytest.raises(PlaceNotFound) as caught:
        locate("")
    with translation.override("en"):
        assert "Give a place" in str(caught.value)
    with translation.override("es"):
        spanish = str(caught.value)
    # Until the lead translates the catalogs, Spanish shows the English text; either way it is text.
    assert spanish


def test_a_very_long_text_is_cut_in_the_message_and_label(make_zone: MakeZone) -> None:
    make_zone("El Centro")
    with pytest.raises(PlaceNotFound) as caught:
        locate("x" * 5000)
    assert len(str(caught.value)) < 300
    placed = locate("El Centro " + "y" * 5000, lat=CENTRE[0], lng=CENTRE[1])
    assert len(placed.label) == 200


def test_a_zone_without_cells_cannot_place_a_caller(make_zone: MakeZone) -> None:
    from vecinos.places.models import Zone

    Zone.objects.create(name="Loma Nueva", name_key="loma nueva")
    with pytest.raises(PlaceNotFound, match="Loma Nueva has no area on the map yet"):
        locate("Loma Nueva")


def test_find_zone_gives_the_zone_or_none(make_zone: MakeZone) -> None:
    centro = make_zone("El Centro", zips=["90005"])
    assert find_zone("90005") == centro
    assert find_zone("el centro") == centro
    assert find_zone("90006") is None
    assert find_zone("!!!") is None


def test_zone_for_cell_is_one_indexed_query(
    make_zone: MakeZone, django_assert_num_queries: object
) -> None:
    centro = make_zone("El Centro")
    inside = cell_for_point(*CENTRE)
    with django_assert_num_queries(1):  # type: ignore[operator]  # pytest-django's fixture
        assert zone_for_cell(inside) == centro
    assert zone_for_cell(cell_for_point(*WEST)) is None
    # A finer cell (a pin dropped at resolution 12 by some tool) is looked up by its parent.
    assert zone_for_cell(h3.latlng_to_cell(*CENTRE, 12)) == centro
    with pytest.raises(ValueError, match="not at resolution 8"):
        zone_for_cell(h3.latlng_to_cell(*CENTRE, 5))
    with pytest.raises(ValueError, match="not an H3 cell"):
        zone_for_cell("not-a-cell")


def test_rings_widen_one_step_at_a_time() -> None:
    cell = cell_for_point(*CENTRE)
    result = rings(cell, 3)
    assert result[0] == [cell]
    assert [len(ring) for ring in result] == [1, 6, 12, 18]
    for k, ring in enumerate(result):
        assert all(h3.grid_distance(cell, other) == k for other in ring)
        assert ring == sorted(ring)
    flattened = [c for ring in result for c in ring]
    assert len(set(flattened)) == len(flattened) == 37
    assert set(flattened) == set(h3.grid_disk(cell, 3))
    assert rings(cell, 0) == [[cell]]


def test_rings_refuse_bad_input() -> None:
    with pytest.raises(ValueError):
        rings(cell_for_point(*CENTRE), -1)
    with pytest.raises(ValueError):
        rings("8829a1d63dffffx", 2)
    with pytest.raises(ValueError):
        rings(h3.latlng_to_cell(*CENTRE, 9), 2)


def test_rings_next_to_a_pentagon_are_still_whole() -> None:
    pentagon = next(iter(h3.get_pentagons(CELL_RESOLUTION)))
    result = rings(pentagon, 2)
    assert [len(ring) for ring in result] == [1, 5, 10]


def test_neighbors_are_the_same_cell_or_one_step_away() -> None:
    cell = cell_for_point(*CENTRE)
    first, second = rings(cell, 2)[1:]
    assert neighbors_or_same(cell, cell)
    assert all(neighbors_or_same(cell, other) for other in first)
    assert all(neighbors_or_same(other, cell) for other in first)
    assert not any(neighbors_or_same(cell, other) for other in second)
    assert not neighbors_or_same(cell, cell_for_point(*WEST))
    with pytest.raises(ValueError):
        neighbors_or_same(cell, "nonsense")


def test_a_cells_centre_is_inside_it_and_only_cells_have_one() -> None:
    cell = cell_for_point(*CENTRE)
    lat, lng = cell_centre(cell)
    assert cell_for_point(lat, lng) == cell
    for bad in ("nonsense", h3.cell_to_parent(cell, CELL_RESOLUTION - 1)):
        with pytest.raises(ValueError):
            cell_centre(bad)
