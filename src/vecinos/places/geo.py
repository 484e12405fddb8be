"""Where things are: points, ZIP codes and neighborhood names turned into H3 cells and zones.

Other apps call these plain functions; they never touch h3 directly, so the resolution and the
rules for placing a report live here only. Cells are h3 v4 strings such as ``"8829a1d63dfffff"``.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

import h3
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from vecinos.places.models import Zone

# One resolution for everything: cells of about 0.74 km² (edge about 0.5 km). Coarse enough that a
# responder's cell is never a home address; fine enough that rings of cells mean "a few minutes".
CELL_RESOLUTION = 8

ZIP_CODE = re.compile(r"(?<!\d)(\d{5})(?:-\d{4})?(?!\d)")
LABEL_MAX = 200


class PlaceNotFound(ValueError):  # noqa: N818  # the name other apps were promised
    """A place that cannot be put on the map. The message says why, in the reader's language (it is
    translated when shown, not when raised)."""

    def __init__(self, message: str | Promise, **params: object) -> None:
        super().__init__(message)
        self.message = message
        self.params = params

    def __str__(self) -> str:
        return str(self.message) % self.params if self.params else str(self.message)


@dataclass(frozen=True)
class Placement:
    """Where something is: its cell, its zone (None outside every zone) and what to call it."""

    cell: str
    zone: Zone | None
    label: str


def name_key(name: str) -> str:
    """A name without case, accents or punctuation: "Los Álamos" and "los alamos" are one key.

    Hangul and other scripts keep their letters (decomposed, then composed again)."""
    decomposed = unicodedata.normalize("NFKD", name)
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    words = re.sub(r"[\W_]+", " ", unicodedata.normalize("NFC", letters).casefold())
    return " ".join(words.split())


def check_point(lat: float, lng: float) -> None:
    """Raises:
    PlaceNotFound: not a latitude in [-90, 90] and a longitude in [-180, 180]."""
    for value in (lat, lng):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise PlaceNotFound(_("Latitude and longitude must be numbers."))
    if not (math.isfinite(lat) and math.isfinite(lng) and -90 <= lat <= 90 and -180 <= lng <= 180):
        raise PlaceNotFound(
            _("Latitude must be between -90 and 90, and longitude between -180 and 180.")
        )


def check_cell(cell: str) -> str:
    """The cell, if it is a valid cell at :data:`CELL_RESOLUTION`.

    Raises:
        ValueError: anything else."""
    if not isinstance(cell, str) or not h3.is_valid_cell(cell):
        raise ValueError(f"not an H3 cell: {cell!r}")
    if h3.get_resolution(cell) != CELL_RESOLUTION:
        raise ValueError(f"cell {cell} is not at resolution {CELL_RESOLUTION}")
    return cell


def cell_for_point(lat: float, lng: float) -> str:
    """The cell that holds a point (WGS84 degrees).

    Raises:
        PlaceNotFound: the point is out of range."""
    check_point(lat, lng)
    return str(h3.latlng_to_cell(lat, lng, CELL_RESOLUTION))


def cell_centre(cell: str) -> tuple[float, float]:
    """The (latitude, longitude) of a cell's centre, e.g. to mark an incident on a map: the
    cell is all that is known of where it is.

    Raises:
        ValueError: not a cell at :data:`CELL_RESOLUTION`."""
    lat, lng = h3.cell_to_latlng(check_cell(cell))
    return float(lat), float(lng)


def zone_for_cell(cell: str) -> Zone | None:
    """The zone a cell belongs to, or None. A finer cell is looked up by its parent.

    Raises:
        ValueError: not a cell, or a cell coarser than :data:`CELL_RESOLUTION`."""
    from vecinos.places.choices import ZoneKind
    from vecinos.places.models import ZoneCell

    if (
        isinstance(cell, str)
        and h3.is_valid_cell(cell)
        and h3.get_resolution(cell) > CELL_RESOLUTION
    ):
        cell = h3.cell_to_parent(cell, CELL_RESOLUTION)
    row = (
        ZoneCell.objects.select_related("zone")
        .filter(kind=ZoneKind.NEIGHBORHOOD, cell=check_cell(cell))
        .first()
    )
    return row.zone if row is not None else None


def find_zone(text: str) -> Zone | None:
    """The neighborhood that ``text`` names by a ZIP code (the last one given, as addresses end
    with it) or else by name, whole words, the longest name first; None if it names none."""
    from vecinos.places.choices import ZoneKind
    from vecinos.places.models import ZipCode, Zone

    neighborhoods = Zone.objects.filter(kind=ZoneKind.NEIGHBORHOOD)
    codes = ZIP_CODE.findall(text)
    if codes:
        by_code = {
            z.code: z.zone for z in ZipCode.objects.select_related("zone").filter(code__in=codes)
        }
        for code in reversed(codes):
            if code in by_code:
                return by_code[code]
    key = name_key(text)
    if not key:
        return None
    exact = neighborhoods.filter(name_key=key).first()
    if exact is not None:
        return exact
    padded = f" {key} "
    named = [
        (len(zone_key), zone_id)
        for zone_id, zone_key in neighborhoods.values_list("id", "name_key")
        if f" {zone_key} " in padded
    ]
    return Zone.objects.filter(id=max(named)[1]).first() if named else None


def locate(text: str = "", lat: float | None = None, lng: float | None = None) -> Placement:
    """Place a report or a person: a map pin wins; else a ZIP code of a zone; else a zone's name
    (case and accents ignored). ``text`` is an address line or what the caller said; with a pin it
    becomes the label.

    Raises:
        PlaceNotFound: half a pin or a point out of range; or no pin and the text names no zone's
            ZIP code or name; or the zone it names has no cells yet.
    """
    text = " ".join(text.split())[:LABEL_MAX]
    if lat is not None or lng is not None:
        if lat is None or lng is None:
            raise PlaceNotFound(_("A map pin needs both a latitude and a longitude."))
        cell = cell_for_point(lat, lng)
        zone = zone_for_cell(cell)
        if text:
            label = text
        elif zone is not None:
            label = zone.name
        else:
            label = f"{lat:.4f}, {lng:.4f}"
        return Placement(cell=cell, zone=zone, label=label)
    if not text:
        raise PlaceNotFound(_("Give a place: a map pin, a ZIP code or a neighborhood's name."))
    zone = find_zone(text)
    if zone is None:
        raise PlaceNotFound(
            _(
                "“%(text)s” is not a ZIP code or neighborhood of this network. Put a pin on the "
                "map, or give the neighborhood's name or ZIP code."
            ),
            text=text[:60],
        )
    if not zone.centre_cell:
        raise PlaceNotFound(
            _("The neighborhood %(name)s has no area on the map yet. Put a pin on the map."),
            name=zone.name,
        )
    names_only_the_zone = name_key(text) == zone.name_key or text in ZIP_CODE.findall(text)
    return Placement(
        cell=zone.centre_cell, zone=zone, label=zone.name if names_only_the_zone else text
    )


def rings(cell: str, k_max: int) -> list[list[str]]:
    """Cells by distance from ``cell``: ring 0 is ``[cell]``, ring k the hollow ring of cells k
    steps away (6k of them away from pentagons), each sorted. For alerts that widen ring by ring.

    Raises:
        ValueError: not a cell at :data:`CELL_RESOLUTION`, or ``k_max`` below 0."""
    check_cell(cell)
    if k_max < 0:
        raise ValueError("k_max must be 0 or more")
    result = [[cell]]
    for k in range(1, k_max + 1):
        try:
            ring = h3.grid_ring(cell, k)
        except h3.H3BaseException:
            # Near one of the 12 pentagons (all far out at sea or in remote places) the fast ring
            # walk fails; the difference of two disks is always right.
            ring = set(h3.grid_disk(cell, k)) - set(h3.grid_disk(cell, k - 1))
        result.append(sorted(ring))
    return result


def neighbors_or_same(a: str, b: str) -> bool:
    """Whether two cells are the same or share an edge (reports there may be one event).

    Raises:
        ValueError: either is not a cell at :data:`CELL_RESOLUTION`."""
    check_cell(a)
    check_cell(b)
    return a == b or bool(h3.are_neighbor_cells(a, b))
