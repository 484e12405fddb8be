"""Reads of zones for pages. Zones are not about anyone, so reading them is not audited."""

from __future__ import annotations

from typing import TYPE_CHECKING

import h3
from django.db.models import Count, QuerySet
from django.http import Http404

from vecinos.core.permissions import Capability, check
from vecinos.places.models import Zone, ZoneCell

if TYPE_CHECKING:
    from vecinos.core.models import User

# Rings of cells drawn around the network (and the zone) on a zone's drawing map.
CANVAS_RINGS = 2
# Beyond this many cells the drawing map shows only the zone's surroundings (a page of many
# thousand links would be too heavy for a phone).
MAX_CANVAS_CELLS = 4000


def zones_for(user: User) -> QuerySet[Zone]:
    """Every zone with its ZIP codes, its number of cells and of people, for the zone list.

    Raises:
        PermissionDenied: the user may not see the map.
    """
    check(user, Capability.VIEW_MAP)
    return Zone.objects.prefetch_related("zip_codes").annotate(
        cell_count=Count("cells", distinct=True), people_count=Count("people", distinct=True)
    )


def access_zone(user: User, zone_id: int) -> Zone:
    """A zone to change.

    Raises:
        PermissionDenied: the user may not manage zones.
        Http404: no such zone.
    """
    check(user, Capability.MANAGE_ZONES)
    zone = Zone.objects.filter(id=zone_id).prefetch_related("zip_codes").first()
    if zone is None:
        raise Http404
    return zone


def network_cells() -> set[str]:
    """The network's area: every cell of every zone."""
    return set(ZoneCell.objects.values_list("cell", flat=True))


def drawing_canvas(zone: Zone) -> set[str]:
    """The cells a zone can be drawn on: the network's area and the zone, with rings around them.
    For a very large network only the zone's own surroundings."""
    own = cells_of(zone)
    area = network_cells() | own
    if len(area) * (1 + 3 * CANVAS_RINGS * (CANVAS_RINGS + 1)) > MAX_CANVAS_CELLS:
        area = own
    canvas: set[str] = set()
    for cell in area:
        canvas.update(h3.grid_disk(cell, CANVAS_RINGS))
    return canvas


def cells_of(zone: Zone) -> set[str]:
    return set(ZoneCell.objects.filter(zone=zone).values_list("cell", flat=True))


def zones_among(cells: set[str]) -> list[Zone]:
    """The zones that hold any of ``cells``, by name."""
    zone_ids = set(
        ZoneCell.objects.filter(cell__in=sorted(cells)).values_list("zone_id", flat=True)
    )
    return list(Zone.objects.filter(id__in=zone_ids))
