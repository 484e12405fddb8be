"""Changes to zones and map settings, each checked and audited in one transaction."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import h3
from django.db import transaction
from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from vecinos.core import audit
from vecinos.core.permissions import Capability, check
from vecinos.places.choices import TeamRole, ZoneKind
from vecinos.places.geo import cell_for_point, check_cell, name_key
from vecinos.places.geojson import COORDINATE_DIGITS, ZoneFileError, ZoneShape
from vecinos.places.models import (
    SETTINGS_ID,
    Household,
    MapSettings,
    TeamMember,
    ZipCode,
    Zone,
    ZoneCell,
)
from vecinos.places.walklists import HouseholdRow

if TYPE_CHECKING:
    from vecinos.core.models import User
    from vecinos.organizing.models import Person

# SQLite allows a limited number of parameters in one statement; batches stay well under it.
BATCH = 500


class ZoneError(ValueError):
    """A zone change refused because it clashes with another zone; ``field`` is the form field
    at fault. The message is translated when shown."""

    def __init__(self, field: str, message: str | Promise, **params: object) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.params = params

    def __str__(self) -> str:
        return str(self.message) % self.params if self.params else str(self.message)


@dataclass
class ImportSummary:
    """What an import did, for the person who ran it."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    cells: int = 0
    # Cells another zone held that the file gave to one of its zones (last one wins).
    moved: int = 0


def do_create_zone(
    actor: User,
    *,
    name: str,
    zip_codes: Sequence[str] = (),
    kind: str = ZoneKind.NEIGHBORHOOD,
) -> Zone:
    """Add a zone with no cells yet (they are drawn on the map or imported). Only neighborhoods
    have ZIP codes.

    Raises:
        PermissionDenied: the actor may not manage zones.
        ZoneError: another zone of its kind has this name (ignoring case and accents), or another
            zone one of the ZIP codes.
    """
    check(actor, Capability.MANAGE_ZONES)
    with transaction.atomic():
        _check_unique(None, name, zip_codes, kind)
        zone = Zone.objects.create(name=name, name_key=name_key(name), kind=kind)
        ZipCode.objects.bulk_create([ZipCode(code=code, zone=zone) for code in zip_codes])
        audit.record(actor, audit.ZONE_CREATED, zone, name=name)
    return zone


def do_update_zone(actor: User, zone: Zone, *, name: str, zip_codes: Sequence[str]) -> Zone:
    """Rename a zone and set its ZIP codes.

    Raises:
        PermissionDenied: the actor may not manage zones.
        ZoneError: another zone has this name or one of the ZIP codes.
    """
    check(actor, Capability.MANAGE_ZONES)
    with transaction.atomic():
        _check_unique(zone, name, zip_codes, zone.kind)
        changed = []
        if zone.name != name:
            zone.name, zone.name_key = name, name_key(name)
            zone.save(update_fields=["name", "name_key", "updated_at"])
            changed.append("name")
        if sorted(zip_codes) != zone.zip_code_list():
            ZipCode.objects.filter(zone=zone).delete()
            ZipCode.objects.bulk_create([ZipCode(code=code, zone=zone) for code in zip_codes])
            changed.append("zip_codes")
        if changed:
            audit.record(actor, audit.ZONE_CHANGED, zone, fields=changed)
    return zone


def do_delete_zone(actor: User, zone: Zone) -> None:
    """Delete a zone with its cells and ZIP codes; people in it keep no zone.

    Raises:
        PermissionDenied: the actor may not manage zones.
    """
    check(actor, Capability.MANAGE_ZONES)
    with transaction.atomic():
        audit.record(actor, audit.ZONE_DELETED, zone, name=zone.name)
        zone.delete()


def do_set_zone_cell(actor: User, zone: Zone, cell: str, *, inside: bool) -> bool:
    """Put a cell into a zone (taking it from any other zone) or take it out. The same request
    twice changes nothing the second time. The outlines of the zones concerned are traced again
    around their cells. Returns whether anything changed.

    Raises:
        PermissionDenied: the actor may not manage zones.
        ValueError: not a cell at the network's resolution.
    """
    check(actor, Capability.MANAGE_ZONES)
    check_cell(cell)
    with transaction.atomic():
        previous: Zone | None = None
        if inside:
            row, created = ZoneCell.objects.select_for_update().get_or_create(
                kind=zone.kind, cell=cell, defaults={"zone": zone}
            )
            if not created:
                if row.zone_id == zone.id:
                    return False
                previous = row.zone
                ZoneCell.objects.filter(id=row.id).update(zone=zone)
        elif not ZoneCell.objects.filter(cell=cell, zone=zone).delete()[0]:
            return False
        _reshape(zone, trace=True)
        if previous is not None:
            _reshape(previous, trace=True)
        detail: dict[str, Any] = {"cell": cell, "inside": inside}
        if previous is not None:
            detail["taken_from"] = previous.name
        audit.record(actor, audit.ZONE_CELLS_CHANGED, zone, **detail)
    return True


def do_add_zone_point(actor: User, zone: Zone, lat: float, lng: float) -> str:
    """Put the cell holding a point into a zone (a start for drawing where no zone is yet).
    Returns the cell.

    Raises:
        PermissionDenied: the actor may not manage zones.
        PlaceNotFound: the point is out of range.
    """
    cell = cell_for_point(lat, lng)
    do_set_zone_cell(actor, zone, cell, inside=True)
    return cell


def do_import_zones(
    actor: User | None, shapes: Sequence[ZoneShape], *, kind: str = ZoneKind.NEIGHBORHOOD
) -> ImportSummary:
    """Create or update (by name within ``kind``, ignoring case and accents) one zone of that kind
    per shape, all or nothing. A zone's cells become exactly the shape's; a cell another zone of
    the kind held moves to it (within the file, the later feature wins). ZIP codes are replaced
    where the shape gives them (neighborhoods only: other kinds ignore them). Afterwards every
    zone's parent is found again (:func:`assign_parents`). ``actor`` is None for the command line,
    which the server's operator runs.

    Raises:
        PermissionDenied: ``actor`` may not manage zones.
        ZoneFileError: a ZIP code is given twice in the file, or names a zone not in the file.
    """
    if actor is not None:
        check(actor, Capability.MANAGE_ZONES)
    if kind not in ZoneKind.values:
        raise ZoneFileError("“%(kind)s” is not a kind of zone.", kind=kind)
    if kind != ZoneKind.NEIGHBORHOOD:
        shapes = [replace(shape, zip_codes=None) for shape in shapes]
    summary = ImportSummary()
    with transaction.atomic():
        keys = [name_key(shape.name) for shape in shapes]
        existing = {
            zone.name_key: zone for zone in Zone.objects.filter(kind=kind, name_key__in=keys)
        }
        _check_file_zip_codes(shapes, keys)
        zones: list[Zone] = []
        for shape, key in zip(shapes, keys, strict=True):
            zone = existing.get(key)
            if zone is None:
                zone = Zone.objects.create(
                    name=shape.name, name_key=key, kind=kind, outline=shape.outline
                )
                summary.created.append(zone.name)
            else:
                zone.name, zone.outline = shape.name, shape.outline
                zone.save(update_fields=["name", "outline", "updated_at"])
                summary.updated.append(zone.name)
            zones.append(zone)

        owner: dict[str, Zone] = {}
        for shape, zone in zip(shapes, zones, strict=True):
            for cell in shape.cells:
                owner[cell] = zone
        zone_ids = [zone.id for zone in zones]
        ZoneCell.objects.filter(zone_id__in=zone_ids).delete()
        losers: set[int] = set()
        for batch in _batches(sorted(owner)):
            taken = ZoneCell.objects.filter(kind=kind, cell__in=batch)
            losers.update(taken.values_list("zone_id", flat=True))
            summary.moved += taken.delete()[0]
        ZoneCell.objects.bulk_create(
            [ZoneCell(cell=cell, zone=zone, kind=kind) for cell, zone in sorted(owner.items())],
            batch_size=BATCH,
        )
        summary.cells = len(owner)

        given = [(s, z) for s, z in zip(shapes, zones, strict=True) if s.zip_codes is not None]
        ZipCode.objects.filter(zone__in=[zone for _shape, zone in given]).delete()
        ZipCode.objects.bulk_create(
            [
                ZipCode(code=code, zone=zone)
                for shape, zone in given
                for code in shape.zip_codes or ()
            ]
        )
        cells_of: dict[int, list[str]] = {zone.id: [] for zone in zones}
        for cell, zone in owner.items():
            cells_of[zone.id].append(cell)
        for zone in zones:
            zone.centre_cell = centre_cell(cells_of[zone.id])
            zone.save(update_fields=["centre_cell"])
        for loser in Zone.objects.filter(id__in=losers - set(zone_ids)):
            _reshape(loser, trace=False)
        assign_parents()
        audit.record(
            actor,
            audit.ZONES_IMPORTED,
            None,
            kind=kind,
            created=summary.created,
            updated=summary.updated,
            cells=summary.cells,
            moved=summary.moved,
        )
    return summary


def do_save_map_settings(actor: User, *, tile_url: str, tile_attribution: str) -> MapSettings:
    """Set (or with an empty address, turn off) the map tiles. The tile address must have passed
    ``maps.check_tile_url``; the audit entry names the fields changed, not the address, which may
    carry a key.

    Raises:
        PermissionDenied: the actor may not manage zones.
    """
    check(actor, Capability.MANAGE_ZONES)
    with transaction.atomic():
        current = MapSettings.load()
        changed = [
            name
            for name, value in (("tile_url", tile_url), ("tile_attribution", tile_attribution))
            if getattr(current, name) != value
        ]
        if not changed:
            return current
        saved, _created = MapSettings.objects.update_or_create(
            id=SETTINGS_ID,
            defaults={
                "tile_url": tile_url,
                "tile_attribution": tile_attribution,
                "updated_by": actor,
            },
        )
        audit.record(actor, audit.MAP_SETTINGS_CHANGED, saved, fields=changed, tiles=bool(tile_url))
    return saved


def assign_parents() -> int:
    """Give every zone the zone of another kind that holds more than half of its cells and is
    larger than it (the smallest such: a precinct's ward before its neighborhood when the ward is
    the smaller), or none. Returns how many parents changed. One read of every cell: the
    network's cells number in the thousands."""
    cells_of: dict[int, set[str]] = {}
    by_kind_cell: dict[tuple[str, str], int] = {}
    for cell, zone_id, kind in ZoneCell.objects.values_list("cell", "zone_id", "kind"):
        cells_of.setdefault(zone_id, set()).add(cell)
        by_kind_cell[(kind, cell)] = zone_id
    kind_of = dict(Zone.objects.values_list("id", "kind"))
    changed = 0
    for zone_id, current in Zone.objects.values_list("id", "parent_id"):
        own = cells_of.get(zone_id, set())
        overlap: dict[int, int] = {}
        for other_kind in ZoneKind.values:
            if other_kind == kind_of[zone_id]:
                continue
            for cell in own:
                holder = by_kind_cell.get((other_kind, cell))
                if holder is not None:
                    overlap[holder] = overlap.get(holder, 0) + 1
        candidates = [
            (len(cells_of[holder]), holder)
            for holder, shared in overlap.items()
            if shared * 2 > len(own) and len(cells_of[holder]) > len(own)
        ]
        parent = min(candidates)[1] if candidates else None
        if parent != current:
            Zone.objects.filter(id=zone_id).update(parent_id=parent)
            changed += 1
    return changed


def _check_precinct(actor: User, zone: Zone) -> None:
    check(actor, Capability.ORGANIZE_PRECINCTS)
    if zone.kind != ZoneKind.PRECINCT:
        raise ValueError(f"zone {zone.id} is not a precinct")


def do_add_team_member(actor: User, precinct: Zone, person: Person, role: str) -> TeamMember:
    """Put a person on a precinct's team, or give them ``role`` if they are on it already.

    Raises:
        PermissionDenied: the actor may not organize precincts.
        ValueError: the zone is not a precinct, or not a team role.
    """
    _check_precinct(actor, precinct)
    if role not in TeamRole.values:
        raise ValueError(f"not a team role: {role!r}")
    with transaction.atomic():
        member, created = TeamMember.objects.get_or_create(
            zone=precinct, person=person, defaults={"role": role, "added_by": actor}
        )
        if created:
            audit.record(actor, audit.TEAM_MEMBER_ADDED, member, precinct=precinct.id, role=role)
        elif member.role != role:
            TeamMember.objects.filter(id=member.id).update(role=role)
            member.role = role
            audit.record(actor, audit.TEAM_MEMBER_CHANGED, member, precinct=precinct.id, role=role)
    return member


def do_remove_team_member(actor: User, member: TeamMember) -> None:
    """Raises:
    PermissionDenied: the actor may not organize precincts."""
    check(actor, Capability.ORGANIZE_PRECINCTS)
    with transaction.atomic():
        audit.record(actor, audit.TEAM_MEMBER_REMOVED, member, precinct=member.zone_id)
        TeamMember.objects.filter(id=member.id).delete()


def do_add_household(
    actor: User, precinct: Zone, *, address: str, language: str, notes: str = ""
) -> Household:
    """Add a door to a precinct's walk list (the address and notes are checked by the form or by
    :func:`walklists.parse_households`). The audit entry names the precinct, not the address.

    Raises:
        PermissionDenied: the actor may not organize precincts.
        ValueError: the zone is not a precinct.
    """
    _check_precinct(actor, precinct)
    with transaction.atomic():
        household = Household.objects.create(
            zone=precinct, address=address, language=language, notes=notes, created_by=actor
        )
        audit.record(actor, audit.HOUSEHOLD_ADDED, household, precinct=precinct.id)
    return household


def do_remove_household(actor: User, household: Household) -> None:
    """Raises:
    PermissionDenied: the actor may not organize precincts."""
    check(actor, Capability.ORGANIZE_PRECINCTS)
    with transaction.atomic():
        audit.record(actor, audit.HOUSEHOLD_REMOVED, household, precinct=household.zone_id)
        Household.objects.filter(id=household.id).delete()


def do_import_households(actor: User, precinct: Zone, rows: Sequence[HouseholdRow]) -> int:
    """Add every household of a checked file (:func:`walklists.parse_households`) to the walk
    list, in one transaction. Returns how many.

    Raises:
        PermissionDenied: the actor may not organize precincts.
        ValueError: the zone is not a precinct.
    """
    _check_precinct(actor, precinct)
    with transaction.atomic():
        Household.objects.bulk_create(
            [
                Household(
                    zone=precinct,
                    address=row.address,
                    language=row.language,
                    notes=row.notes,
                    created_by=actor,
                )
                for row in rows
            ],
            batch_size=BATCH,
        )
        audit.record(actor, audit.HOUSEHOLDS_IMPORTED, precinct, households=len(rows))
    return len(rows)


def centre_cell(cells: Iterable[str]) -> str:
    """The cell nearest the mean of the cells' centres ("" for none): inside the zone even when
    the zone is a crescent whose mean lies outside it."""
    points = {cell: h3.cell_to_latlng(cell) for cell in cells}
    if not points:
        return ""
    lat = sum(p[0] for p in points.values()) / len(points)
    lng = sum(p[1] for p in points.values()) / len(points)
    return min(sorted(points), key=lambda c: math.dist(points[c], (lat, lng)))


def traced_outline(cells: Iterable[str]) -> dict[str, Any]:
    """A GeoJSON Polygon or MultiPolygon around the cells ({} for none)."""
    cells = list(cells)
    if not cells:
        return {}
    geometry = json.loads(json.dumps(h3.cells_to_geo(cells)))  # tuples to lists

    def rounded(value: Any) -> Any:
        if isinstance(value, list):
            return [rounded(item) for item in value]
        return round(value, COORDINATE_DIGITS)

    return {"type": geometry["type"], "coordinates": rounded(geometry["coordinates"])}


def _reshape(zone: Zone, *, trace: bool) -> None:
    """Recompute a zone's centre cell, and with ``trace`` its outline, from its cells."""
    cells = list(ZoneCell.objects.filter(zone=zone).values_list("cell", flat=True))
    zone.centre_cell = centre_cell(cells)
    fields = ["centre_cell", "updated_at"]
    if trace:
        zone.outline = traced_outline(cells)
        fields.append("outline")
    zone.save(update_fields=fields)


def _check_unique(zone: Zone | None, name: str, zip_codes: Sequence[str], kind: str) -> None:
    if zip_codes and kind != ZoneKind.NEIGHBORHOOD:
        raise ZoneError("zip_codes", _("Only neighborhoods have ZIP codes."))
    others = Zone.objects.exclude(id=zone.id) if zone is not None else Zone.objects.all()
    same_name = others.filter(kind=kind, name_key=name_key(name)).first()
    if same_name is not None:
        raise ZoneError("name", _("The zone %(name)s already has this name."), name=same_name.name)
    taken = (
        ZipCode.objects.filter(code__in=zip_codes)
        .exclude(Q(zone=zone) if zone is not None else Q())
        .select_related("zone")
        .first()
    )
    if taken is not None:
        raise ZoneError(
            "zip_codes",
            _("ZIP code %(code)s already belongs to the zone %(name)s."),
            code=taken.code,
            name=taken.zone.name,
        )


def _check_file_zip_codes(shapes: Sequence[ZoneShape], keys: list[str]) -> None:
    first: dict[str, ZoneShape] = {}
    for shape in shapes:
        for code in shape.zip_codes or ():
            if code in first:
                raise ZoneFileError(
                    "ZIP code %(code)s is also given to features[%(other)d].",
                    feature=(shape.index, shape.name),
                    code=code,
                    other=first[code].index,
                )
            first[code] = shape
    # Zones whose ZIP codes the file replaces; any other zone keeps its own.
    replacing = {
        key for shape, key in zip(shapes, keys, strict=True) if shape.zip_codes is not None
    }
    for taken in ZipCode.objects.filter(code__in=list(first)).select_related("zone"):
        if taken.zone.name_key not in replacing:
            shape = first[taken.code]
            raise ZoneFileError(
                "ZIP code %(code)s already belongs to the zone %(other)s.",
                feature=(shape.index, shape.name),
                code=taken.code,
                other=taken.zone.name,
            )


def _batches(items: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(items), BATCH):
        yield items[start : start + BATCH]
