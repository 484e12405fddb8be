"""Until the places app lands: the H3 cell of a pin at the network's resolution."""

from __future__ import annotations

import h3

CELL_RESOLUTION = 8


def cell_for_point(lat: float, lng: float) -> str:
    return str(h3.latlng_to_cell(lat, lng, CELL_RESOLUTION))
