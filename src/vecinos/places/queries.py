"""Reads of zones for pages. Zones are not about anyone, so reading them is not audited; walk
lists hold home addresses, so every read of one is (:func:`access_walk_list`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import h3
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from vecinos.core import audit
from vecinos.core.permissions import Capability, check
from vecinos.places.choices import ZoneKind
from vecinos.places.geo import CELL_RESOLUTION
from vecinos.places.models import Household, TeamMember, Zone, ZoneCell
from vecinos.places.walklists import group_by_street

if TYPE_CHECKING:
    from collections.abc import Iterable

    from vecinos.core.models import User

# Rings of cells drawn around the network (and the zone) on a zone's drawing map.
CANVAS_RINGS = 2
# Beyond this many cells the drawing map shows only the zone's surroundings (a page of many
# thousand links would be too heavy for a phone).
MAX_CANVAS_CELLS = 4000


def zones_for(user: User, kind: str | None = None) -> QuerySet[Zone]:
    """Every zone (of ``kind``, if given) with its ZIP codes, parent, number of cells and of
    people, for the zone list.

    Raises:
        PermissionDenied: the user may not see the map.
    """
    check(user, Capability.VIEW_MAP)
    zones = Zone.objects.select_related("parent").prefetch_related("zip_codes")
    if kind is not None:
        zones = zones.filter(kind=kind)
    return zones.annotate(
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


def zones_among(cells: set[str], kind: str = ZoneKind.NEIGHBORHOOD) -> list[Zone]:
    """The zones of ``kind`` that hold any of ``cells``, by name."""
    zone_ids = set(
        ZoneCell.objects.filter(kind=kind, cell__in=sorted(cells)).values_list("zone_id", flat=True)
    )
    return list(Zone.objects.filter(id__in=zone_ids))


def precincts_for(user: User) -> QuerySet[Zone]:
    """Every precinct with its parent, team size and number of households.

    Raises:
        PermissionDenied: the user may not organize precincts.
    """
    check(user, Capability.ORGANIZE_PRECINCTS)
    return (
        Zone.objects.filter(kind=ZoneKind.PRECINCT)
        .select_related("parent")
        .annotate(
            team_count=Count("team", distinct=True),
            household_count=Count("households", distinct=True),
        )
    )


def access_precinct(user: User, zone_id: int) -> Zone:
    """A precinct, for its team and walk list (not audited: a precinct is not about anyone).

    Raises:
        PermissionDenied: the user may not organize precincts.
        Http404: no such precinct.
    """
    check(user, Capability.ORGANIZE_PRECINCTS)
    zone = Zone.objects.filter(id=zone_id, kind=ZoneKind.PRECINCT).select_related("parent").first()
    if zone is None:
        raise Http404
    return zone


def team_of(user: User, precinct: Zone) -> list[TeamMember]:
    """The precinct's team, captains first, by name.

    Raises:
        PermissionDenied: the user may not organize precincts.
    """
    check(user, Capability.ORGANIZE_PRECINCTS)
    members = TeamMember.objects.filter(zone=precinct).select_related("person")
    return sorted(members, key=lambda m: (m.role != "captain", m.person.full_name.casefold()))


def access_team_member(user: User, precinct: Zone, member_id: int) -> TeamMember:
    """Raises:
    PermissionDenied: the user may not organize precincts.
    Http404: no such member of this precinct's team."""
    check(user, Capability.ORGANIZE_PRECINCTS)
    member = TeamMember.objects.filter(id=member_id, zone=precinct).select_related("person").first()
    if member is None:
        raise Http404
    return member


@dataclass(frozen=True)
class WalkList:
    """A precinct's households grouped by street, as read (and audited) once."""

    precinct: Zone
    streets: list[tuple[str, list[Household]]]

    @property
    def count(self) -> int:
        return sum(len(households) for _street, households in self.streets)


def access_walk_list(user: User, precinct: Zone, *, printed: bool = False) -> WalkList:
    """A precinct's walk list: the home addresses are decrypted for this read, which is recorded
    (as a print when ``printed``), with the number of households and never an address.

    Raises:
        PermissionDenied: the user may not organize precincts (nothing is recorded).
    """
    check(user, Capability.ORGANIZE_PRECINCTS)
    households = list(Household.objects.filter(zone=precinct))
    action = audit.WALK_LIST_PRINTED if printed else audit.WALK_LIST_VIEWED
    audit.record(user, action, precinct, households=len(households))
    return WalkList(precinct=precinct, streets=group_by_street(households))


def access_household(user: User, precinct: Zone, household_id: int) -> Household:
    """One household to remove; reading it is recorded like a walk list.

    Raises:
        PermissionDenied: the user may not organize precincts.
        Http404: no such household on this precinct's list.
    """
    check(user, Capability.ORGANIZE_PRECINCTS)
    household = Household.objects.filter(id=household_id, zone=precinct).first()
    if household is None:
        raise Http404
    audit.record(user, audit.WALK_LIST_VIEWED, precinct, households=1)
    return household


@dataclass(frozen=True)
class Coverage:
    """How many trained, available responders are in a zone now (a count, never who)."""

    zone: Zone
    responders: int

    @property
    def empty(self) -> bool:
        return self.responders == 0


def coverage(user: User, kind: str = ZoneKind.NEIGHBORHOOD) -> list[Coverage]:
    """For each zone of ``kind``, the responders whose cell is in it and whom an alert could reach
    now: eligible (trained and vouched for), available, not opted out; the rule matching and the
    incident map share (``responders.queries.dispatchable``). Three queries whatever the number
    of responders.

    Raises:
        PermissionDenied: the user may not see the map.
    """
    from vecinos.responders.queries import dispatchable

    check(user, Capability.VIEW_MAP)
    per_zone = count_per_zone(
        dispatchable(timezone.now())
        .exclude(cell="")
        .order_by()
        .values("cell")
        .annotate(n=Count("id"))
        .values_list("cell", "n"),
        kind,
    )
    zones = Zone.objects.filter(kind=kind).select_related("parent")
    return [Coverage(zone, per_zone.get(zone.id, 0)) for zone in zones]


def count_per_zone(per_cell: Iterable[tuple[str, int]], kind: str) -> dict[int | None, int]:
    """Counts per H3 cell summed per zone of ``kind`` (a finer cell counts in its parent), in
    one query. Counts in cells outside every zone of that kind are under the key None."""
    by_cell: dict[str, int] = {}
    for cell, n in per_cell:
        if h3.is_valid_cell(cell) and h3.get_resolution(cell) > CELL_RESOLUTION:
            cell = h3.cell_to_parent(cell, CELL_RESOLUTION)
        by_cell[cell] = by_cell.get(cell, 0) + n
    per_zone: dict[int | None, int] = {}
    for zone_id, cell in ZoneCell.objects.filter(
        Q(kind=kind) & Q(cell__in=sorted(by_cell))
    ).values_list("zone_id", "cell"):
        per_zone[zone_id] = per_zone.get(zone_id, 0) + by_cell.pop(cell)
    if by_cell:
        per_zone[None] = sum(by_cell.values())
    return per_zone
