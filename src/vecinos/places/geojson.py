"""Reading zones from GeoJSON (RFC 7946): checked completely before anything is written.

Each Feature is one zone: its ``name`` property names it, its Polygon or MultiPolygon gives its
cells (those whose centre lies inside) and its outline, and an optional ``zip`` or ``zips``
property gives its ZIP codes.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import h3

from vecinos.places.geo import CELL_RESOLUTION, name_key

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_FEATURES = 2000
# About 15,000 km² at resolution 8: a city, not a state. Larger shapes are a mistake (a wrong
# coordinate order, a whole county) that would fill the database with millions of cells.
MAX_CELLS_PER_ZONE = 20_000
NAME_MAX = 100
MAX_ZIP_CODES = 50
# About a metre: more digits only make outlines heavier to store and draw.
COORDINATE_DIGITS = 5
ZIP_FORMAT = re.compile(r"\d{5}")
EARTH_RADIUS_KM = 6371.0088

Fail = Callable[..., "ZoneFileError"]


class ZoneFileError(ValueError):
    """A GeoJSON file that cannot be imported. The message names the feature at fault by its
    index in ``features`` (and its name, once known). It is for the operator who runs the import
    command, in English like every command's output; a page that imports files would mark these
    messages for translation."""

    def __init__(
        self,
        message: str,
        *,
        feature: tuple[int, str] | None = None,
        **params: object,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.feature = feature
        self.params = params

    def __str__(self) -> str:
        problem = self.message % self.params if self.params else self.message
        if self.feature is None:
            return problem
        index, name = self.feature
        return f"features[{index}] (“{name}”): {problem}"


@dataclass(frozen=True)
class ZoneShape:
    """One zone as a file describes it. ``zip_codes`` is None when the file says nothing about
    them (importing then keeps the ZIP codes the zone already has)."""

    index: int
    name: str
    cells: frozenset[str]
    outline: dict[str, Any]
    zip_codes: tuple[str, ...] | None


def parse_zones(raw: bytes | str) -> list[ZoneShape]:
    """Every zone of a FeatureCollection (or of a single Feature).

    Raises:
        ZoneFileError: the file is too large, not JSON, not GeoJSON features, or one feature is
            unusable (no name, a name given twice, not a polygon, bad coordinates, bad ZIP codes,
            too large an area).
    """
    if len(raw) > MAX_FILE_BYTES:
        raise ZoneFileError(
            "The file is larger than %(limit)d MB.", limit=MAX_FILE_BYTES // 1024 // 1024
        )
    try:
        data = json.loads(raw)
    except UnicodeDecodeError:
        raise ZoneFileError("The file is not text in UTF-8.") from None
    except json.JSONDecodeError as error:
        raise ZoneFileError(
            "The file is not valid JSON (line %(line)d, column %(column)d: %(error)s).",
            line=error.lineno,
            column=error.colno,
            error=error.msg,
        ) from None
    if isinstance(data, dict) and data.get("type") == "Feature":
        features: object = [data]
    elif isinstance(data, dict) and data.get("type") == "FeatureCollection":
        features = data.get("features")
    else:
        raise ZoneFileError("The file is not a GeoJSON FeatureCollection.")
    if not isinstance(features, list) or not features:
        raise ZoneFileError("The file has no features.")
    if len(features) > MAX_FEATURES:
        raise ZoneFileError("The file has more than %(limit)d features.", limit=MAX_FEATURES)
    shapes: list[ZoneShape] = []
    seen: dict[str, int] = {}
    for index, feature in enumerate(features):
        shape = _parse_feature(index, feature)
        key = name_key(shape.name)
        if key in seen:
            raise ZoneFileError(
                "features[%(other)d] has the same name.",
                feature=(index, shape.name),
                other=seen[key],
            )
        seen[key] = index
        shapes.append(shape)
    return shapes


def _parse_feature(index: int, feature: object) -> ZoneShape:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise ZoneFileError("features[%(index)d] is not a GeoJSON Feature.", index=index)
    properties = feature.get("properties") or {}
    if not isinstance(properties, dict):
        raise ZoneFileError("features[%(index)d]: its properties are not an object.", index=index)
    name = properties.get("name")
    name = " ".join(name.split()) if isinstance(name, str) else ""
    if not name_key(name):
        raise ZoneFileError(
            "features[%(index)d] has no “name” property to name its zone.", index=index
        )
    if len(name) > NAME_MAX:
        raise ZoneFileError(
            "features[%(index)d]: its name is longer than %(limit)d characters.",
            index=index,
            limit=NAME_MAX,
        )

    def fail(message: str, **params: object) -> ZoneFileError:
        return ZoneFileError(message, feature=(index, name), **params)

    geometry = feature.get("geometry")
    if not isinstance(geometry, dict):
        raise fail("it has no geometry; a zone needs a Polygon or MultiPolygon.")
    kind = geometry.get("type")
    if kind not in {"Polygon", "MultiPolygon"}:
        raise fail(
            "its geometry is a %(kind)s; a zone needs a Polygon or MultiPolygon.",
            kind=str(kind)[:30],
        )
    polygons = geometry.get("coordinates")
    if not isinstance(polygons, list) or not polygons:
        raise fail("its coordinates are not a list of rings.")
    if kind == "Polygon":
        polygons = [polygons]
    clean = [_clean_polygon(polygon, fail) for polygon in polygons]
    outline: dict[str, Any] = {"type": "MultiPolygon", "coordinates": clean}
    if len(clean) == 1:
        outline = {"type": "Polygon", "coordinates": clean[0]}
    estimate = sum(_ring_area_km2(polygon[0]) for polygon in clean)
    if estimate / h3.average_hexagon_area(CELL_RESOLUTION, "km^2") > MAX_CELLS_PER_ZONE:
        raise fail(
            "its area (%(area)d km²) is too large for a neighborhood; check its coordinates.",
            area=round(estimate),
        )
    try:
        cells = frozenset(h3.geo_to_cells(outline, CELL_RESOLUTION))
    except (h3.H3BaseException, ValueError, TypeError) as error:
        raise fail("its polygon cannot be read (%(error)s).", error=str(error)) from None
    if not cells:
        # Too small to hold any cell's centre: it still needs a cell to be found by.
        lng, lat = _centroid(clean)
        cells = frozenset({h3.latlng_to_cell(lat, lng, CELL_RESOLUTION)})
    return ZoneShape(
        index=index,
        name=name,
        cells=cells,
        outline=outline,
        zip_codes=_zip_codes(properties, fail),
    )


def _clean_polygon(polygon: object, fail: Fail) -> list[list[list[float]]]:
    """Rings as [[lng, lat], …], rounded, closed, without altitudes or repeated points."""
    if not isinstance(polygon, list) or not polygon:
        raise fail("a polygon has no rings.")
    rings = []
    for ring in polygon:
        if not isinstance(ring, list):
            raise fail("a polygon ring is not a list of positions.")
        points: list[list[float]] = []
        for position in ring:
            if (
                not isinstance(position, list)
                or len(position) < 2
                or not all(
                    isinstance(v, int | float) and not isinstance(v, bool) for v in position[:2]
                )
            ):
                raise fail("a position is not [longitude, latitude].")
            lng, lat = float(position[0]), float(position[1])
            if not (
                math.isfinite(lng)
                and math.isfinite(lat)
                and -180 <= lng <= 180
                and -90 <= lat <= 90
            ):
                raise fail(
                    "the position [%(lng)s, %(lat)s] is out of range (longitude comes first).",
                    lng=position[0],
                    lat=position[1],
                )
            point = [round(lng, COORDINATE_DIGITS), round(lat, COORDINATE_DIGITS)]
            if not points or points[-1] != point:
                points.append(point)
        if len(points) > 1 and points[0] != points[-1]:
            points.append(points[0])
        if len(points) < 4:
            raise fail("a polygon ring has fewer than 3 distinct corners.")
        rings.append(points)
    return rings


def _zip_codes(properties: dict[str, Any], fail: Fail) -> tuple[str, ...] | None:
    if "zips" in properties:
        given = properties["zips"]
    elif "zip" in properties:
        given = properties["zip"]
    else:
        return None
    if isinstance(given, str):
        items: list[object] = [part for part in re.split(r"[\s,;]+", given) if part]
    elif isinstance(given, list):
        items = given
    elif isinstance(given, int) and not isinstance(given, bool):
        items = [given]
    elif given is None:
        items = []
    else:
        raise fail("its ZIP codes are neither text nor a list.")
    codes: list[str] = []
    for item in items:
        # A ZIP code written as a JSON number has lost its leading zeros (02134 → 2134).
        code = f"{item:05d}" if isinstance(item, int) and not isinstance(item, bool) else item
        if not isinstance(code, str) or not ZIP_FORMAT.fullmatch(code.strip()):
            raise fail("“%(zip)s” is not a 5-digit ZIP code.", zip=str(item)[:20])
        if code.strip() not in codes:
            codes.append(code.strip())
    if len(codes) > MAX_ZIP_CODES:
        raise fail("it has more than %(limit)d ZIP codes.", limit=MAX_ZIP_CODES)
    return tuple(codes)


def _ring_area_km2(ring: list[list[float]]) -> float:
    """Area of a ring on an equirectangular projection around its latitude: enough to tell a
    neighborhood from a county."""
    mean_lat = math.radians(sum(p[1] for p in ring) / len(ring))
    km_per_degree = math.pi * EARTH_RADIUS_KM / 180
    xs = [p[0] * km_per_degree * math.cos(mean_lat) for p in ring]
    ys = [p[1] * km_per_degree for p in ring]
    twice = sum(xs[i] * ys[i + 1] - xs[i + 1] * ys[i] for i in range(len(ring) - 1))
    return abs(twice) / 2


def _centroid(polygons: list[list[list[list[float]]]]) -> tuple[float, float]:
    """(lng, lat) of the largest polygon's outer ring: its area-weighted centre, or the mean of
    its corners when it has no area."""
    ring = max((polygon[0] for polygon in polygons), key=_ring_area_km2)
    twice_area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in pairwise(ring):
        cross = x0 * y1 - x1 * y0
        twice_area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if abs(twice_area) < 1e-15:
        corners = ring[:-1]
        return (
            sum(p[0] for p in corners) / len(corners),
            sum(p[1] for p in corners) / len(corners),
        )
    return cx / (3 * twice_area), cy / (3 * twice_area)
