"""`vecinos import zones FILE.geojson`: good files, bad files, re-imports; all or nothing."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import h3
import pytest
from django.core.management import CommandError, call_command

from tests.places.conftest import CENTRE, MakeZone
from vecinos.core import audit
from vecinos.core.importers import IMPORTERS, Importer, register
from vecinos.core.models import AuditEvent
from vecinos.places.geo import cell_for_point, locate
from vecinos.places.models import ZipCode, Zone, ZoneCell

pytestmark = pytest.mark.django_db


def square(lat: float, lng: float, size: float = 0.02) -> list[list[list[float]]]:
    """A square polygon (GeoJSON: longitude first) with its south-west corner at the point."""
    return [
        [
            [lng, lat],
            [lng + size, lat],
            [lng + size, lat + size],
            [lng, lat + size],
            [lng, lat],
        ]
    ]


def feature(name: object, geometry: dict[str, Any] | None, **properties: object) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {"name": name, **properties},
        "geometry": geometry,
    }


def polygon(lat: float, lng: float, size: float = 0.02) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": square(lat, lng, size)}


def write(tmp_path: Path, data: object, name: str = "zones.geojson") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def run(path: Path) -> str:
    out = StringIO()
    call_command("import", "zones", str(path), stdout=out)
    return out.getvalue()


def collection(*features: dict[str, Any]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features)}


GOOD = collection(
    feature("El Centro", polygon(34.04, -118.26), zips=["90005", "90010"]),
    feature(
        "Los Álamos",
        {
            "type": "MultiPolygon",
            "coordinates": [square(34.07, -118.30), square(34.10, -118.30, 0.01)],
        },
        zip="90004",
    ),
    feature("Loma Verde", polygon(34.04, -118.32)),
)


def test_it_imports_polygons_and_multipolygons_with_their_zip_codes(tmp_path: Path) -> None:
    output = run(write(tmp_path, GOOD))
    assert "Imported 3 zones" in output and "3 new, 0 updated" in output
    centro = Zone.objects.get(name="El Centro")
    alamos = Zone.objects.get(name="Los Álamos")
    assert centro.zip_code_list() == ["90005", "90010"]
    assert alamos.zip_code_list() == ["90004"]
    assert Zone.objects.get(name="Loma Verde").zip_code_list() == []
    # Cells are those whose centres lie inside: a 0.02° square holds a handful at resolution 8.
    expected = set(h3.geo_to_cells(polygon(34.04, -118.26), 8))
    assert set(centro.cells.values_list("cell", flat=True)) == expected
    assert 3 <= len(expected) <= 8
    assert alamos.outline["type"] == "MultiPolygon"
    assert len(alamos.outline["coordinates"]) == 2
    assert centro.centre_cell in expected
    assert locate("los alamos").zone == alamos
    assert locate("90010").zone == centro
    entry = AuditEvent.objects.get(action=audit.ZONES_IMPORTED)
    assert entry.actor is None
    assert entry.detail["created"] == ["El Centro", "Los Álamos", "Loma Verde"]


def test_a_tiny_polygon_still_gets_the_cell_of_its_centroid(tmp_path: Path) -> None:
    # About 20 m across: no cell centre lies inside it.
    tiny = polygon(CENTRE[0], CENTRE[1], 0.0002)
    assert not h3.geo_to_cells(tiny, 8)
    run(write(tmp_path, collection(feature("Plaza", tiny))))
    zone = Zone.objects.get(name="Plaza")
    assert list(zone.cells.values_list("cell", flat=True)) == [
        cell_for_point(CENTRE[0] + 0.0001, CENTRE[1] + 0.0001)
    ]
    assert zone.centre_cell == zone.cells.get().cell


def test_importing_a_zone_again_by_name_updates_it(tmp_path: Path, make_zone: MakeZone) -> None:
    run(write(tmp_path, GOOD))
    centro = Zone.objects.get(name="El Centro")
    moved = collection(
        feature("el centro", polygon(34.08, -118.26), zips=["90010"]),
        feature("Los Álamos", polygon(34.07, -118.30)),  # no ZIP property: keeps 90004
    )
    output = run(write(tmp_path, moved))
    assert "0 new, 2 updated" in output
    centro.refresh_from_db()
    assert centro.name == "el centro"  # the file's spelling
    assert set(centro.cells.values_list("cell", flat=True)) == set(
        h3.geo_to_cells(polygon(34.08, -118.26), 8)
    )
    assert centro.zip_code_list() == ["90010"]
    assert Zone.objects.get(name="Los Álamos").zip_code_list() == ["90004"]
    assert Zone.objects.count() == 3  # Loma Verde, not in the file, is untouched
    assert Zone.objects.get(name="Loma Verde").cells.exists()
    assert Zone.objects.filter(id=centro.id).exists()


def test_cells_of_another_zone_move_to_the_imported_one(
    tmp_path: Path, make_zone: MakeZone
) -> None:
    old = make_zone("Viejo", rings=2)
    big = {
        "type": "Polygon",
        "coordinates": square(CENTRE[0] - 0.01, CENTRE[1] - 0.01, 0.02),
    }
    output = run(write(tmp_path, collection(feature("Nuevo", big))))
    nuevo = Zone.objects.get(name="Nuevo")
    taken = set(h3.geo_to_cells(big, 8))
    assert f"{len(taken & set(h3.grid_disk(cell_for_point(*CENTRE), 2)))} hexes moved" in output
    assert not old.cells.filter(cell__in=taken).exists()
    assert set(nuevo.cells.values_list("cell", flat=True)) == taken
    old.refresh_from_db()
    assert old.centre_cell in set(old.cells.values_list("cell", flat=True)) or not old.centre_cell


def test_a_single_feature_file_is_accepted(tmp_path: Path) -> None:
    run(write(tmp_path, feature("Solo", polygon(34.04, -118.26))))
    assert Zone.objects.filter(name="Solo").exists()


def assert_refused(path: Path, *fragments: str) -> str:
    before = (Zone.objects.count(), ZoneCell.objects.count(), ZipCode.objects.count())
    audits = AuditEvent.objects.count()
    with pytest.raises(CommandError) as caught:
        run(path)
    message = str(caught.value)
    assert message.startswith("Nothing was imported.")
    for fragment in fragments:
        assert fragment in message, message
    assert (Zone.objects.count(), ZoneCell.objects.count(), ZipCode.objects.count()) == before
    assert AuditEvent.objects.count() == audits
    return message


def test_malformed_json_is_refused_with_its_line(tmp_path: Path) -> None:
    assert_refused(write(tmp_path, '{"type": "FeatureCollection",\n "features": [}'), "line 2")


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ("", "not valid JSON"),
        ("[]", "not a GeoJSON FeatureCollection"),
        ('{"type": "Topology"}', "not a GeoJSON FeatureCollection"),
        ('{"type": "FeatureCollection", "features": []}', "has no features"),
        ('{"type": "FeatureCollection", "features": {}}', "has no features"),
        ('{"type": "FeatureCollection", "features": [1]}', "features[0] is not a GeoJSON"),
    ],
)
def test_files_that_are_not_feature_collections_are_refused(
    tmp_path: Path, data: str, fragment: str
) -> None:
    assert_refused(write(tmp_path, data), fragment)


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "latin1.geojson"
    path.write_bytes(json.dumps(GOOD, ensure_ascii=False).encode("latin-1"))
    assert_refused(path, "UTF-8")


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    assert_refused(tmp_path / "nowhere.geojson", "Cannot read")


def test_a_feature_without_a_name_is_refused_and_named_by_its_index(tmp_path: Path) -> None:
    for name in (None, "", "   ", 42, "!!"):
        data = collection(
            feature("El Centro", polygon(34.04, -118.26)), feature(name, polygon(34.07, -118.3))
        )
        assert_refused(write(tmp_path, data), "features[1] has no “name” property")
    data = collection({"type": "Feature", "geometry": polygon(34.04, -118.26)})
    assert_refused(write(tmp_path, data), "features[0]")


@pytest.mark.parametrize(
    "geometry",
    [
        {"type": "Point", "coordinates": [-118.26, 34.04]},
        {"type": "LineString", "coordinates": [[-118.26, 34.04], [-118.25, 34.05]]},
        {"type": "GeometryCollection", "geometries": []},
    ],
)
def test_a_geometry_that_is_not_a_polygon_is_refused(
    tmp_path: Path, geometry: dict[str, Any]
) -> None:
    data = collection(
        feature("El Centro", polygon(34.04, -118.26)),
        feature("Punto", geometry),
    )
    assert_refused(
        write(tmp_path, data),
        "features[1] (“Punto”)",
        f"its geometry is a {geometry['type']}; a zone needs a Polygon or MultiPolygon",
    )


def test_a_feature_without_geometry_is_refused(tmp_path: Path) -> None:
    assert_refused(write(tmp_path, collection(feature("Nada", None))), "features[0] (“Nada”)")


@pytest.mark.parametrize(
    ("coordinates", "fragment"),
    [
        (
            [[[34.04, -118.26], [34.05, -118.26], [34.05, -118.25], [34.04, -118.26]]],
            "out of range",
        ),
        ([[[-118.26, 34.04], [-118.25, 34.04], [-118.26, 34.04]]], "fewer than 3"),
        ([[["a", "b"], [1, 2], [3, 4], [5, 6]]], "not [longitude, latitude]"),
        ([[[-118.26, 34.04, 5], [-118.25, 34.04], [None, 1], [-118.26, 34.04]]], "longitude"),
        ([], "not a list of rings"),
        ("nope", "not a list of rings"),
        ([["x"]], "not [longitude, latitude]"),
        ([-118.26], "not a list of positions"),
    ],
)
def test_bad_coordinates_are_refused(tmp_path: Path, coordinates: object, fragment: str) -> None:
    data = collection(feature("Raro", {"type": "Polygon", "coordinates": coordinates}))
    assert_refused(write(tmp_path, data), "features[0] (“Raro”)", fragment)


def test_a_polygon_the_size_of_a_state_is_refused(tmp_path: Path) -> None:
    data = collection(feature("California", polygon(32.5, -124.4, 8)))
    assert_refused(write(tmp_path, data), "too large for a neighborhood")


@pytest.mark.parametrize(
    ("zips", "fragment"),
    [
        (["9000"], "“9000” is not a 5-digit ZIP code"),
        (["90005-1234"], "not a 5-digit"),
        ("90005, abcde", "“abcde”"),
        ({"a": 1}, "neither text nor a list"),
        ([True], "not a 5-digit"),
    ],
)
def test_bad_zip_codes_are_refused(tmp_path: Path, zips: object, fragment: str) -> None:
    data = collection(feature("El Centro", polygon(34.04, -118.26), zips=zips))
    assert_refused(write(tmp_path, data), "features[0] (“El Centro”)", fragment)


def test_zip_codes_as_numbers_or_text_are_read(tmp_path: Path) -> None:
    data = collection(
        feature("Boston", polygon(42.35, -71.07), zip=2134),
        feature("Otro", polygon(42.30, -71.07), zips="02135, 02136;02136"),
    )
    run(write(tmp_path, data))
    assert Zone.objects.get(name="Boston").zip_code_list() == ["02134"]
    assert Zone.objects.get(name="Otro").zip_code_list() == ["02135", "02136"]


def test_a_zip_code_given_to_two_features_is_refused(tmp_path: Path) -> None:
    data = collection(
        feature("El Centro", polygon(34.04, -118.26), zips=["90005"]),
        feature("Westlake", polygon(34.07, -118.30), zips=["90057", "90005"]),
    )
    assert_refused(write(tmp_path, data), "features[1] (“Westlake”)", "features[0]", "90005")


def test_a_zip_code_of_a_zone_not_in_the_file_is_refused(
    tmp_path: Path, make_zone: MakeZone
) -> None:
    make_zone("Pico Sur", zips=["90006"])
    data = collection(feature("El Centro", polygon(34.04, -118.26), zips=["90006"]))
    assert_refused(write(tmp_path, data), "ZIP code 90006 already belongs to the zone Pico Sur")


def test_a_zip_code_can_move_between_zones_of_the_file(tmp_path: Path) -> None:
    run(write(tmp_path, GOOD))
    swapped = collection(
        feature("El Centro", polygon(34.04, -118.26), zips=["90004"]),
        feature("Los Álamos", polygon(34.07, -118.30), zips=["90005", "90010"]),
    )
    run(write(tmp_path, swapped))
    assert Zone.objects.get(name="El Centro").zip_code_list() == ["90004"]
    assert Zone.objects.get(name="Los Álamos").zip_code_list() == ["90005", "90010"]


def test_two_features_with_the_same_name_are_refused(tmp_path: Path) -> None:
    data = collection(
        feature("El Centro", polygon(34.04, -118.26)),
        feature("EL CENTRO", polygon(34.07, -118.30)),
    )
    assert_refused(write(tmp_path, data), "features[1] (“EL CENTRO”)", "features[0] has the same")


def test_an_error_in_the_last_feature_imports_nothing(tmp_path: Path, make_zone: MakeZone) -> None:
    make_zone("Pico Sur", zips=["90006"])
    data = collection(*GOOD["features"], feature("Malo", {"type": "Point", "coordinates": [0, 0]}))
    message = assert_refused(write(tmp_path, data), "features[3] (“Malo”)")
    assert "features[0]" not in message
    assert list(Zone.objects.values_list("name", flat=True)) == ["Pico Sur"]


def test_a_database_refusal_rolls_back_everything(tmp_path: Path, make_zone: MakeZone) -> None:
    """The checks run before writing; should the database still refuse (here: a ZIP code taken
    between the check and the write), the transaction leaves nothing behind."""
    from vecinos.places import services
    from vecinos.places.geojson import parse_zones

    shapes = parse_zones(json.dumps(GOOD))
    original = services._check_file_zip_codes
    make_zone("Pico Sur", zips=["90005"])
    services._check_file_zip_codes = lambda shapes, keys: None  # type: ignore[assignment]
    try:
        with pytest.raises(Exception, match=r"UNIQUE|unique|duplicate"):
            services.do_import_zones(None, shapes)
    finally:
        services._check_file_zip_codes = original
    assert list(Zone.objects.values_list("name", flat=True)) == ["Pico Sur"]
    assert ZoneCell.objects.filter(zone__name="El Centro").count() == 0


def test_an_oversized_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from vecinos.places import geojson, importer

    monkeypatch.setattr(geojson, "MAX_FILE_BYTES", 100)
    monkeypatch.setattr(importer, "MAX_FILE_BYTES", 100)
    assert_refused(write(tmp_path, GOOD), "larger than")


def test_another_app_can_register_an_importer() -> None:
    seen: dict[str, Any] = {}

    def add_arguments(parser: Any) -> None:
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true")

    def run_people(options: dict[str, Any]) -> str:
        seen.update(options)
        return "Imported 0 people."

    people = Importer(help="People from CSV.", add_arguments=add_arguments, run=run_people)
    register("people-test", people)
    try:
        out = StringIO()
        call_command("import", "people-test", "people.csv", "--dry-run", stdout=out)
        assert out.getvalue().strip() == "Imported 0 people."
        assert seen["file"] == "people.csv" and seen["dry_run"] is True
        register("people-test", people)  # the same importer again is harmless
        with pytest.raises(Exception, match="two importers"):
            register("people-test", Importer(help="", add_arguments=add_arguments, run=run_people))
    finally:
        IMPORTERS.pop("people-test")
    assert "zones" in IMPORTERS


def test_the_command_needs_a_kind() -> None:
    with pytest.raises(CommandError):
        call_command("import")
    with pytest.raises(CommandError):
        call_command("import", "planets", "x.json")
