"""`vecinos import people FILE.csv`: every row or none, bad rows named, duplicates merged."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from vecinos.core.models import AuditEvent
from vecinos.messaging.models import AlertSubscription
from vecinos.organizing.models import Person
from vecinos.places import demo as places_demo
from vecinos.places.services import do_import_zones
from vecinos.responders.models import Responder

pytestmark = pytest.mark.django_db

GOOD = """name,phone,email,languages,zone,roles
Librada Urbina,(213) 555-0142,,"es, mix",El Centro,responder
Minjun Park,+1 323 555 0177,minjun@example.org,"Korean; English",90010,"responder; subscriber"
Rosa Tun,323-555-0188,,es,,subscriber
Sam Doe,,sam@example.org,English,,
"""


@pytest.fixture(autouse=True)
def zones() -> None:
    do_import_zones(None, places_demo.shapes())


def import_file(tmp_path: Path, text: str, encoding: str = "utf-8") -> str:
    path = tmp_path / "people.csv"
    path.write_bytes(text.encode(encoding))
    from io import StringIO

    out = StringIO()
    call_command("import", "people", str(path), stdout=out)
    return out.getvalue()


def test_a_good_file_adds_people_responders_and_subscribers(tmp_path: Path) -> None:
    summary = import_file(tmp_path, GOOD)
    assert "4 people added" in summary and "2 new responders" in summary
    librada = Person.objects.get(full_name="Librada Urbina")
    assert librada.phone == "+12135550142" and librada.languages == ["es", "mix"]
    assert librada.preferred_language == "es" and librada.zone.name == "El Centro"
    minjun = Person.objects.get(full_name="Minjun Park")
    assert minjun.languages == ["ko", "en"] and minjun.preferred_language == "ko"
    assert minjun.zone is not None and minjun.email == "minjun@example.org"
    responders = Responder.objects.select_related("person")
    assert {r.person.full_name for r in responders} == {"Librada Urbina", "Minjun Park"}
    assert all(r.cell and not r.eligible for r in responders), "a coordinator marks eligibility"
    assert AlertSubscription.objects.count() == 2
    assert Person.objects.get(full_name="Sam Doe").phone == ""
    assert AuditEvent.objects.filter(action="organizing.people.imported").count() == 1


def test_importing_again_merges_instead_of_duplicating(tmp_path: Path) -> None:
    import_file(tmp_path, GOOD)
    again = import_file(
        tmp_path,
        GOOD + "L. Urbina,+12135550142,,zap,,\n",
    )
    assert "0 people added, 5 updated" in again
    assert Person.objects.count() == 4
    librada = Person.objects.get(phone_hash=Person.objects.get(full_name="L. Urbina").phone_hash)
    assert librada.languages == ["es", "mix", "zap"], "languages are added, never dropped"
    assert Responder.objects.count() == 2 and AlertSubscription.objects.count() == 2


def test_every_bad_row_is_listed_and_nothing_is_imported(tmp_path: Path) -> None:
    bad = GOOD + (
        ",+12135550100,,,,\n"  # row 6: no name
        "Ana,not a phone,,,,\n"  # row 7
        "Bea,,bea@,,,\n"  # row 8
        "Cruz,,,klingon,,\n"  # row 9
        "Dora,,,,Atlantis,\n"  # row 10
        "Eva,,,,,dispatcher\n"  # row 11: not a role a file can give
        "Flor,,,,,subscriber\n"  # row 12: a subscriber needs a phone
    )
    with pytest.raises(CommandError) as refused:
        import_file(tmp_path, bad)
    message = str(refused.value)
    assert message.startswith("Nothing was imported. 7 problem(s)")
    for expected in (
        "row 6, column name",
        "row 7, column phone",
        "row 8, column email",
        "row 9, column languages",
        "row 10, column zone",
        "row 11, column roles",
        "row 12, column phone",
    ):
        assert expected in message
    assert not Person.objects.exists() and not Responder.objects.exists()
    assert not AlertSubscription.objects.exists()


@pytest.mark.parametrize(
    ("text", "encoding", "expected"),
    [
        ("phone,zone\n+12135550142,El Centro\n", "utf-8", "has no name column"),
        ("name,birthplace\nAna,Oaxaca\n", "utf-8", "column birthplace: unknown column"),
        ("name\nJosé\n", "latin-1", "not UTF-8"),
    ],
)
def test_a_file_of_the_wrong_shape_is_refused(
    tmp_path: Path, text: str, encoding: str, expected: str
) -> None:
    with pytest.raises(CommandError, match=expected):
        import_file(tmp_path, text, encoding)
    assert not Person.objects.exists()


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="cannot read"):
        call_command("import", "people", str(tmp_path / "nope.csv"))


def test_blank_lines_and_a_spreadsheet_bom_are_fine(tmp_path: Path) -> None:
    import_file(tmp_path, "\ufeffname,phone\nAna,2135550101\n,\n\n")
    assert list(Person.objects.values_list("full_name", flat=True)) == ["Ana"]


def test_stage_and_circles_columns_place_people_on_the_ladder_and_in_circles(
    tmp_path: Path,
) -> None:
    from vecinos.organizing.models import Circle, StageStep

    Circle.objects.create(name="Parroquia San Judas", kind="church")
    summary = import_file(
        tmp_path,
        "name,phone,stage,circles\n"
        "Ana Rendón,2135550111,volunteer,parroquia san judas; Club Tlaxiaco\n"
        'Beto Lozano,2135550112,"Came to an assembly",Club Tlaxiaco\n'
        "Cruz Nava,2135550113,,\n",
    )
    assert "1 new circles" in summary
    ana = Person.objects.get(full_name="Ana Rendón")
    assert ana.stage == "volunteer"
    assert sorted(ana.circles.values_list("name", flat=True)) == [
        "Club Tlaxiaco",
        "Parroquia San Judas",
    ]
    assert Person.objects.get(full_name="Beto Lozano").stage == "assembly"
    assert Person.objects.get(full_name="Cruz Nava").stage == "contact"
    assert StageStep.objects.count() == 3
    # A later file moves people up the ladder, never down.
    import_file(
        tmp_path, "name,phone,stage\nAna Rendón,2135550111,contact\nBeto,2135550112,leader\n"
    )
    assert Person.objects.get(phone_hash=ana.phone_hash).stage == "volunteer"
    assert Person.objects.get(full_name="Beto").stage == "leader"
    assert StageStep.objects.count() == 4


def test_an_action_network_activist_export_is_read_as_it_comes(tmp_path: Path) -> None:
    summary = import_file(
        tmp_path,
        "uuid,first_name,last_name,email,zip_code,can2_phone,can2_user_address,can2_user_city,"
        "can2_state_abbreviated,can2_county,can2_user_tags,Favorite taco\n"
        "a1,Minjun,Park,minjun@example.org,90010-1234,(323) 555-0177,12 Oak St,Los Angeles,CA,"
        "Los Angeles,volunteer,al pastor\n"
        "a2,Rosa,,rosa@example.org,,,,,,,,\n",
    )
    assert "2 people added" in summary
    minjun = Person.objects.get(full_name="Minjun Park")
    assert minjun.phone == "+13235550177" and minjun.email == "minjun@example.org"
    assert minjun.zone is not None, "ZIP+4 is read by its first five digits"
    assert Person.objects.filter(full_name="Rosa").exists()


def test_bad_stage_circle_and_action_network_rows_are_named(tmp_path: Path) -> None:
    with pytest.raises(CommandError) as refused:
        import_file(tmp_path, 'name,stage,circles\nAna,boss,\nBea,,"' + "x" * 151 + '"\n')
    message = str(refused.value)
    assert "row 2, column stage: unknown stage: 'boss'" in message
    assert "row 3, column circles" in message
    with pytest.raises(CommandError) as refused:
        import_file(tmp_path, "first_name,last_name,email,zip_code\n,,ana@example.org,99999\n")
    message = str(refused.value)
    assert "row 2, column first_name: empty" in message
    assert "row 2, column zip: no zone has this name or ZIP" in message
    assert not Person.objects.exists()
