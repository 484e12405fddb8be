"""Zones for the places tests, built through the ORM."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import h3
import pytest

from tests.responders.conftest import make_responder  # noqa: F401  # for the coverage tests
from vecinos.places.choices import ZoneKind
from vecinos.places.geo import CELL_RESOLUTION, name_key
from vecinos.places.models import ZipCode, Zone, ZoneCell
from vecinos.places.services import centre_cell, traced_outline

# Downtown Los Angeles, and a point about 3 km west of it.
CENTRE = (34.0522, -118.2437)
WEST = (34.0522, -118.2762)


class MakeZone(Protocol):
    def __call__(
        self,
        name: str = "El Centro",
        *,
        at: tuple[float, float] = CENTRE,
        rings: int = 1,
        zips: Sequence[str] = (),
        kind: str = ZoneKind.NEIGHBORHOOD,
    ) -> Zone: ...


@pytest.fixture
def make_zone(db: Any) -> MakeZone:
    def make(
        name: str = "El Centro",
        *,
        at: tuple[float, float] = CENTRE,
        rings: int = 1,
        zips: Sequence[str] = (),
        kind: str = ZoneKind.NEIGHBORHOOD,
    ) -> Zone:
        """A zone of the cells within ``rings`` of the point ``at`` (7 cells for one ring)."""
        cells = sorted(h3.grid_disk(h3.latlng_to_cell(*at, CELL_RESOLUTION), rings))
        zone = Zone.objects.create(
            name=name,
            name_key=name_key(name),
            outline=traced_outline(cells),
            centre_cell=centre_cell(cells),
            kind=kind,
        )
        ZoneCell.objects.bulk_create([ZoneCell(cell=cell, zone=zone, kind=kind) for cell in cells])
        ZipCode.objects.bulk_create([ZipCode(code=code, zone=zone) for code in zips])
        return zone

    return make
