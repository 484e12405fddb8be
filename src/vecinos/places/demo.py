"""Demo data for places: six invented neighborhoods on a slightly crooked grid west of downtown
Los Angeles (where the demo's 213 and 323 numbers and its ZIP codes are), and a zone for most of
the demo's people. The names are made up; the ZIP codes are real ones of that part of town."""

from __future__ import annotations

import json
import random

from vecinos.organizing.models import Person
from vecinos.places.choices import TeamRole, ZoneKind
from vecinos.places.geojson import ZoneShape, parse_zones
from vecinos.places.models import Household, TeamMember, Zone
from vecinos.places.services import do_import_zones

# Corners of the grid: three rows of four (latitude, longitude), nudged so that the zones are not
# perfect rectangles. Neighbouring zones share corners, so they meet without gaps or overlaps.
CORNERS = (
    ((34.0400, -118.3300), (34.0391, -118.3004), (34.0409, -118.2702), (34.0398, -118.2400)),
    ((34.0652, -118.3312), (34.0658, -118.2993), (34.0644, -118.2690), (34.0655, -118.2409)),
    ((34.0900, -118.3294), (34.0893, -118.3011), (34.0907, -118.2712), (34.0896, -118.2391)),
)
# (row, column) of each zone's south-west corner, its name and ZIP codes.
ZONES = (
    (0, 0, "Pico Sur", ["90006"]),
    (0, 1, "El Centro", ["90005", "90010"]),
    (0, 2, "Parque Lafayette", ["90057"]),
    (1, 0, "Jacaranda", ["90020"]),
    (1, 1, "Los Álamos", ["90004"]),
    (1, 2, "Loma Verde", ["90026"]),
)
WITHOUT_ZONE = 0.15


def feature_collection() -> dict[str, object]:
    """The demo zones as GeoJSON, as a network would import them."""
    features = []
    for row, column, name, zips in ZONES:
        ring = [
            CORNERS[row][column],
            CORNERS[row][column + 1],
            CORNERS[row + 1][column + 1],
            CORNERS[row + 1][column],
            CORNERS[row][column],
        ]
        features.append(
            {
                "type": "Feature",
                "properties": {"name": name, "zips": zips},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[lng, lat] for lat, lng in ring]],
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def shapes() -> list[ZoneShape]:
    return parse_zones(json.dumps(feature_collection()))


def populate(rng: random.Random) -> dict[str, int]:
    """The zones, then a zone for most people (some never said where they can be)."""
    do_import_zones(None, shapes())
    zones = list(Zone.objects.order_by("id"))
    people = list(Person.objects.filter(is_demo=True).order_by("id"))
    for person in people:
        person.zone = None if rng.random() < WITHOUT_ZONE else rng.choice(zones)
    Person.objects.bulk_update(people, ["zone"], batch_size=500)
    return {
        "zones": len(zones),
        "people_with_zones": sum(p.zone is not None for p in people),
        **populate_precincts(rng),
    }


# The demo's precincts: El Centro's hexes split from west to east, so each is inside it.
PRECINCT_NEIGHBORHOOD = "El Centro"
PRECINCTS = ("Precinto 0417", "Precinto 0418", "Precinto 0419")
# Invented households on streets of that part of town: (number, street, unit, language, notes).
STREETS = ("S Mariposa Ave", "W 6th St", "S Harvard Blvd", "S Serrano Ave")
LANGUAGE_WEIGHTS = (("es", 0.5), ("ko", 0.35), ("en", 0.15))
NOTES = {
    "es": ("", "", "Mejor por la tarde", "Tocar en la puerta lateral", "Quiere ir a la asamblea"),
    "ko": ("", "", "저녁에 방문하세요", "교회 모임에서 만남", "통역 필요 없음"),
    "en": ("", "", "Evenings are best", "Asked about the next meeting"),
}
HOUSEHOLDS = 30
TEAM_SIZE = 5


def precinct_shapes() -> list[ZoneShape]:
    """The demo precincts: the demo neighborhood's hexes in three bands from west to east."""
    from h3 import cell_to_latlng

    from vecinos.places.models import ZoneCell
    from vecinos.places.services import traced_outline

    cells = sorted(
        ZoneCell.objects.filter(
            zone__name=PRECINCT_NEIGHBORHOOD, kind=ZoneKind.NEIGHBORHOOD
        ).values_list("cell", flat=True),
        key=lambda cell: (cell_to_latlng(cell)[1], cell),
    )
    size = max(1, len(cells) // len(PRECINCTS))
    shapes = []
    for index, name in enumerate(PRECINCTS):
        band = cells[index * size : None if index == len(PRECINCTS) - 1 else (index + 1) * size]
        if band:
            shapes.append(
                ZoneShape(
                    index=index,
                    name=name,
                    cells=frozenset(band),
                    outline=traced_outline(band),
                    zip_codes=None,
                )
            )
    return shapes


def populate_precincts(rng: random.Random) -> dict[str, int]:
    """Precincts in the demo neighborhood, a team for the first and its walk list."""
    do_import_zones(None, precinct_shapes(), kind=ZoneKind.PRECINCT)
    precinct = Zone.objects.filter(kind=ZoneKind.PRECINCT).order_by("name").first()
    if precinct is None:
        return {"precincts": 0}
    neighborhood = precinct.parent
    people = list(
        Person.objects.filter(is_demo=True, zone=neighborhood).order_by("id")[:TEAM_SIZE]
    ) or list(Person.objects.filter(is_demo=True).order_by("id")[:TEAM_SIZE])
    TeamMember.objects.bulk_create(
        [
            TeamMember(
                zone=precinct,
                person=person,
                role=TeamRole.CAPTAIN if index == 0 else TeamRole.MEMBER,
            )
            for index, person in enumerate(people)
        ]
    )
    codes = [code for code, _weight in LANGUAGE_WEIGHTS]
    weights = [weight for _code, weight in LANGUAGE_WEIGHTS]
    households = []
    for _ in range(HOUSEHOLDS):
        language = rng.choices(codes, weights)[0]
        number = rng.randrange(500, 900)
        unit = f" Apt {rng.randrange(1, 20)}" if rng.random() < 0.4 else ""
        households.append(
            Household(
                zone=precinct,
                address=f"{number} {rng.choice(STREETS)}{unit}",
                language=language,
                notes=rng.choice(NOTES[language]),
            )
        )
    Household.objects.bulk_create(households)
    return {
        "precincts": Zone.objects.filter(kind=ZoneKind.PRECINCT).count(),
        "team_members": len(people),
        "households": len(households),
    }
