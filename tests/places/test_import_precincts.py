"""`vecinos import zones --kind ward|precinct`: kinds, parents found by containment, errors."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from tests.places.conftest import CENTRE, MakeZone
from vecinos.core.models import AuditEvent
from vecinos.places.choices import ZoneKind
from vecinos.places.geo import cell_for_point, find_zone, zone_for_cell
from vecinos.places.models import ZipCode, Zone, ZoneCell

pytestmark = pytest.mark.django_db


def square(lat: float, lng: float, size: float) -> dict[str, Any]:
    ring = [[lng, lat], [lng + size, lat], [lng + size, lat + size], [lng, lat + size], [lng, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def collection(*features: tuple[str, dict[str, Any] | None]) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"name": name}, "geometry": geometry}
            for name, geometry in features
        ],
    }


def run(tmp_path: Path, data: object, *kind: str) -> str:
    path = tmp_path / "zones.geojson"
    path.write_text(json.dumps(data), encoding="utf-8")
    out = StringIO()
    call_command("import", "zones", *kind, str(path), stdout=out)
    return out.getvalue()


LAT, LNG = CENTRE


class TestKinds:
    def test_existing_and_default_zones_are_neighborhoods(
        self, tmp_path: Path, make_zone: MakeZone
    ) -> None:
        old = make_zone("Pico Sur", at=(LAT + 0.1, LNG))
        run(tmp_path, collection(("Centro", square(LAT - 0.02, LNG - 0.02, 0.04))))

        assert old.kind == ZoneKind.NEIGHBORHOOD
        assert Zone.objects.get(name="Centro").kind == ZoneKind.NEIGHBORHOOD

    def test_a_precinct_file_makes_precincts_inside_their_neighborhood(
        self, tmp_path: Path
    ) -> None:
        run(tmp_path, collection(("Centro", square(LAT - 0.02, LNG - 0.02, 0.04))))

        out = run(
            tmp_path,
            collection(
                ("0417", square(LAT - 0.01, LNG - 0.01, 0.01)),
                ("0418", square(LAT, LNG, 0.01)),
            ),
            "--kind",
            "precinct",
        )

        centro = Zone.objects.get(name="Centro")
        precincts = Zone.objects.filter(kind=ZoneKind.PRECINCT).order_by("name")
        assert [p.name for p in precincts] == ["0417", "0418"]
        assert all(p.parent_id == centro.id for p in precincts)
        assert "Imported 2 zones (precincts)" in out
        # The neighborhood keeps its cells: a precinct's cells are also its neighborhood's.
        cell = cell_for_point(LAT + 0.005, LNG + 0.005)
        assert zone_for_cell(cell) == centro
        assert ZoneCell.objects.filter(cell=cell).count() == 2

    def test_a_precinct_goes_into_its_ward_when_the_ward_is_smaller_than_the_neighborhood(
        self, tmp_path: Path
    ) -> None:
        run(tmp_path, collection(("Centro", square(LAT - 0.05, LNG - 0.05, 0.1))))
        run(tmp_path, collection(("0417", square(LAT, LNG, 0.01))), "--kind", "precinct")
        run(
            tmp_path, collection(("Ward 1", square(LAT - 0.02, LNG - 0.02, 0.04))), "--kind", "ward"
        )

        precinct = Zone.objects.get(kind=ZoneKind.PRECINCT)
        ward = Zone.objects.get(kind=ZoneKind.WARD)
        assert precinct.parent == ward
        assert ward.parent == Zone.objects.get(name="Centro")

    def test_the_same_name_may_be_a_neighborhood_and_a_precinct(self, tmp_path: Path) -> None:
        geometry = square(LAT, LNG, 0.02)
        run(tmp_path, collection(("Centro", geometry)))
        run(tmp_path, collection(("centro", geometry)), "--kind", "precinct")

        assert Zone.objects.filter(name_key="centro").count() == 2
        assert find_zone("Centro") == Zone.objects.get(kind=ZoneKind.NEIGHBORHOOD)

    def test_a_precinct_file_gives_no_zip_codes(self, tmp_path: Path) -> None:
        data = collection(("0417", square(LAT, LNG, 0.01)))
        data["features"][0]["properties"]["zip"] = "90005"

        run(tmp_path, data, "--kind", "precinct")

        assert not ZipCode.objects.exists()

    def test_the_audit_row_names_the_kind(self, tmp_path: Path) -> None:
        run(tmp_path, collection(("0417", square(LAT, LNG, 0.01))), "--kind", "precinct")

        assert AuditEvent.objects.get(action="places.zones.imported").detail["kind"] == "precinct"


class TestErrors:
    def test_a_bad_feature_imports_no_precinct_and_says_which(self, tmp_path: Path) -> None:
        data = collection(
            ("0417", square(LAT, LNG, 0.01)),
            ("0418", {"type": "Point", "coordinates": [LNG, LAT]}),
        )

        with pytest.raises(CommandError, match=r"Nothing was imported.*features\[1\].*Point"):
            run(tmp_path, data, "--kind", "precinct")

        assert not Zone.objects.exists()

    def test_a_precinct_named_twice_is_refused(self, tmp_path: Path) -> None:
        data = collection(("0417", square(LAT, LNG, 0.01)), ("0417", square(LAT, LNG, 0.01)))

        with pytest.raises(CommandError, match="same name"):
            run(tmp_path, data, "--kind", "precinct")

        assert not Zone.objects.exists()

    def test_an_unknown_kind_is_refused(self, tmp_path: Path) -> None:
        with pytest.raises(CommandError, match="invalid choice"):
            run(tmp_path, collection(("0417", square(LAT, LNG, 0.01))), "--kind", "county")

        assert not Zone.objects.exists()
