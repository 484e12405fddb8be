"""Demo data for places: six invented neighborhoods on a slightly crooked grid west of downtown
Los Angeles (where the demo's 213 and 323 numbers and its ZIP codes are), and a zone for most of
the demo's people. The names are made up; the ZIP codes are real ones of that part of town."""

from __future__ import annotations

import json
import random

from vecinos.organizing.models import Person
from vecinos.places.geojson import ZoneShape, parse_zones
from vecinos.places.models import Zone
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
    return {"zones": len(zones), "people_with_zones": sum(p.zone is not None for p in people)}
