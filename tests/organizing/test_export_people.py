"""CSV export: coordinators only, audited, in the columns the import reads back."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from tests.conftest import MakePerson
from vecinos.core.models import AuditEvent, User
from vecinos.organizing.importing import do_import_people
from vecinos.organizing.models import Circle, CircleMembership, Person

pytestmark = pytest.mark.django_db


def download(client: Client) -> list[dict[str, str]]:
    response = client.post("/people/export/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="vecinos-people-')
    text = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    return list(csv.DictReader(io.StringIO(text)))


def test_a_coordinator_exports_everyone_and_the_export_is_audited(
    coordinator: User, make_person: MakePerson, logged_in
) -> None:
    ana = make_person("Ana Rendón", phone="+12135550111", email="ana@example.org")
    ana.stage = "volunteer"
    ana.save()
    circle = Circle.objects.create(name="Club Tlaxiaco", kind="hometown")
    CircleMembership.objects.create(circle=circle, person=ana)
    make_person("=HYPERLINK(1)", phone="+12135550112")
    client: Client = logged_in(coordinator)
    assert client.get("/people/export/").status_code == 200
    assert not AuditEvent.objects.filter(action="organizing.people.exported").exists()
    rows = download(client)
    assert rows[0] == {
        "name": "Ana Rendón",
        "phone": "+12135550111",
        "email": "ana@example.org",
        "languages": "es",
        "zone": "",
        "roles": "",
        "stage": "volunteer",
        "circles": "Club Tlaxiaco",
    }
    assert rows[1]["name"] == "'=HYPERLINK(1)", "a spreadsheet must not run a name as a formula"
    event = AuditEvent.objects.get(action="organizing.people.exported")
    assert event.actor == coordinator and event.detail == {"people": 2}


def test_an_export_imports_back_without_duplicates(
    coordinator: User, make_person: MakePerson, logged_in
) -> None:
    make_person("Ana Rendón", phone="+12135550111")
    rows = download(logged_in(coordinator))
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    counts = do_import_people(None, text.getvalue())
    assert counts["created"] == 0 and counts["updated"] == 1 and Person.objects.count() == 1


def test_an_organizer_cannot_export_and_nothing_is_recorded(
    organizer: User, make_person: MakePerson, logged_in
) -> None:
    make_person()
    client: Client = logged_in(organizer)
    assert client.post("/people/export/").status_code == 403
    assert not AuditEvent.objects.filter(action="organizing.people.exported").exists()
