"""Rings of H3 cells around an incident: the one place responders get them, from
:mod:`vecinos.places.geo` (responders never call h3 themselves)."""

from __future__ import annotations

from vecinos.places import geo as places

CELL_RESOLUTION = places.CELL_RESOLUTION


def is_cell(cell: str) -> bool:
    """A valid H3 cell at the network's resolution."""
    try:
        places.check_cell(cell)
    except ValueError:
        return False
    return True


def ring(cell: str, k: int) -> list[str]:
    """The cells exactly ``k`` steps from ``cell`` (ring 0 is the cell itself), sorted.

    Raises:
        ValueError: not a cell at the network's resolution, or ``k`` below 0.
    """
    return places.rings(cell, k)[k]


def disk(cell: str, k: int) -> list[str]:
    """Every cell at most ``k`` steps from ``cell``: rings 0 to ``k``.

    Raises:
        ValueError: as :func:`ring`.
    """
    return [c for cells in places.rings(cell, k) for c in cells]


def cell_for_point(lat: float, lng: float) -> str:
    """The cell of a point (a responder's area typed as a point; the point is not kept).

    Raises:
        places.geo.PlaceNotFound: the point is out of range.
    """
    return places.cell_for_point(lat, lng)
