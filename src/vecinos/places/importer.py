"""`vecinos import zones FILE.geojson`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from vecinos.core.importers import Importer, ImportFailed
from vecinos.places.choices import ZoneKind
from vecinos.places.geojson import MAX_FILE_BYTES, ZoneFileError, parse_zones
from vecinos.places.services import do_import_zones

if TYPE_CHECKING:
    from django.core.management.base import CommandParser


def add_arguments(parser: CommandParser) -> None:
    parser.add_argument(
        "--kind",
        dest="zone_kind",
        choices=ZoneKind.values,
        default=ZoneKind.NEIGHBORHOOD,
        help="What the file's zones are (default: neighborhood). Each zone's parent (a precinct's "
        "ward or neighborhood) is the zone of another kind that holds most of its hexes.",
    )
    parser.add_argument(
        "file",
        type=Path,
        help="A GeoJSON FeatureCollection: each Feature a Polygon or MultiPolygon with a `name` "
        "property, and optionally `zip` or `zips` (5-digit ZIP codes).",
    )


def run(options: dict[str, Any]) -> str:
    """Import every zone of the file, or none.

    Raises:
        ImportFailed: the file cannot be read or a feature is unusable (named by its index).
    """
    path: Path = options["file"]
    kind: str = options.get("zone_kind") or ZoneKind.NEIGHBORHOOD
    try:
        with path.open("rb") as file:
            raw = file.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise ImportFailed(f"Cannot read {path}: {error.strerror}.") from None
    try:
        summary = do_import_zones(None, parse_zones(raw), kind=kind)
    except ZoneFileError as error:
        raise ImportFailed(f"{path}: {error}") from None
    return (
        f"Imported {len(summary.created) + len(summary.updated)} zones"
        + ("" if kind == ZoneKind.NEIGHBORHOOD else f" ({kind}s)")
        + f" from {path} "
        f"({len(summary.created)} new, {len(summary.updated)} updated), {summary.cells} hexes"
        + (f"; {summary.moved} hexes moved from other zones." if summary.moved else ".")
    )


ZONES_IMPORTER = Importer(
    help="Zones (neighborhoods, or with --kind wards or precincts) from a GeoJSON file; a zone of "
    "the same kind and name is updated.",
    add_arguments=add_arguments,
    run=run,
)
