"""Rings of H3 cells around an incident: the one place responders compute them.

The places app will provide ``places.geo.rings(cell, k_max)`` with the same result; when it lands,
:func:`ring` should call it and this module shrinks to that call.
"""

from __future__ import annotations

import h3

from vecinos.hotline.places import CELL_RESOLUTION


def is_cell(cell: str) -> bool:
    """A valid H3 cell at the network's resolution."""
    return (
        isinstance(cell, str)
        and bool(cell)
        and h3.is_valid_cell(cell)
        and h3.get_resolution(cell) == CELL_RESOLUTION
    )


def ring(cell: str, k: int) -> list[str]:
    """The cells exactly ``k`` steps from ``cell`` (ring 0 is the cell itself), sorted.

    Raises:
        ValueError: not a cell at the network's resolution, or ``k`` below 0.
    """
    if not is_cell(cell):
        raise ValueError(f"not an H3 cell at resolution {CELL_RESOLUTION}: {cell!r}")
    if k < 0:
        raise ValueError("a ring is 0 or more steps away")
    if k == 0:
        return [cell]
    try:
        cells = set(h3.grid_ring(cell, k))
    except h3.H3BaseException:
        # Near one of the 12 pentagons the fast walk fails; the difference of two disks does not.
        cells = set(h3.grid_disk(cell, k)) - set(h3.grid_disk(cell, k - 1))
    return sorted(cells)


def disk(cell: str, k: int) -> list[str]:
    """Every cell at most ``k`` steps from ``cell``: rings 0 to ``k``.

    Raises:
        ValueError: as :func:`ring`.
    """
    return [c for step in range(k + 1) for c in ring(cell, step)]
