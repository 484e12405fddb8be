"""The web import: the file is stored, checked by the worker (progress shows), previewed, and
imported on the uploader's go-ahead; a rejected file lists every bad row and imports nothing."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from vecinos.core.models import AuditEvent, User
from vecinos.organizing import jobs
from vecinos.organizing.choices import ImportStatus
from vecinos.organizing.models import Circle, ImportJob, Person
from vecinos.places import demo as places_demo
from vecinos.places.services import do_import_zones

pytestmark = pytest.mark.django_db

GOOD = (
    "name,phone,email,languages,zone,stage,circles\n"
    "Librada Urbina,(213) 555-0142,,es,El Centro,volunteer,Parroquia San Judas\n"
    "Minjun Park,+1 323 555 0177,minjun@example.org,ko,90010,,Club Tlaxiaco\n"
    "L. Urbina,2135550142,,mix,,,\n"
)


@pytest.fixture(autouse=True)
def zones() -> None:
    do_import_zones(None, places_demo.shapes())


def upload(client: Client, text: str, name: str = "people.csv") -> ImportJob:
    response = client.post(
        "/people/import/", {"file": SimpleUploadedFile(name, text.encode(), "text/csv")}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportJob.objects.latest("id")


def test_a_good_file_is_checked_previewed_and_imported_on_the_go_ahead(
    organizer: User, logged_in
) -> None:
    client: Client = logged_in(organizer)
    job = upload(client, GOOD)
    assert job.status == ImportStatus.WAITING and not Person.objects.exists()
    page = client.get(f"/people/import/{job.id}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in page and "<progress" in page
    jobs.run_import_jobs()
    job.refresh_from_db()
    assert job.status == ImportStatus.READY and not Person.objects.exists()
    assert job.summary["new"] == 2 and job.summary["merged"] == 1
    assert job.summary["new_circles"] == ["Club Tlaxiaco", "Parroquia San Judas"]
    page = client.get(f"/people/import/{job.id}/").content.decode()
    assert "Import them" in page and "Club Tlaxiaco, Parroquia San Judas" in page
    client.post(f"/people/import/{job.id}/", {"action": "confirm"})
    assert ImportJob.objects.get(id=job.id).status == ImportStatus.QUEUED
    jobs.run_import_jobs()
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.text == "", "the file's text is erased"
    assert Person.objects.count() == 2 and Circle.objects.count() == 2
    assert job.summary["counts"]["created"] == 2
    librada = Person.objects.get(full_name="L. Urbina")
    assert librada.languages == ["es", "mix"] and librada.stage == "volunteer"
    event = AuditEvent.objects.get(action="organizing.people.imported")
    assert event.actor == organizer
    assert "2 people added" in client.get(f"/people/import/{job.id}/").content.decode()


def test_a_bad_file_lists_every_bad_row_and_imports_nothing(organizer: User, logged_in) -> None:
    client: Client = logged_in(organizer)
    job = upload(client, GOOD + "Ana,not a phone,,,,,\n,,,,,,\nBea,,bea@,,Atlantis,chief,\n")
    jobs.run_import_jobs()
    job.refresh_from_db()
    assert job.status == ImportStatus.REJECTED and job.text == ""
    assert [row[:2] for row in job.errors] == [
        [5, "phone"],
        [7, "email"],
        [7, "zone"],
        [7, "stage"],
    ]
    page = client.get(f"/people/import/{job.id}/").content.decode()
    assert "Nothing was imported: 4 problems in the file." in page
    assert "not a phone number" in page
    assert client.post(f"/people/import/{job.id}/", {"action": "confirm"}).status_code == 302
    jobs.run_import_jobs()
    assert not Person.objects.exists() and not Circle.objects.exists()


def test_a_cancelled_file_imports_nothing(organizer: User, logged_in) -> None:
    client: Client = logged_in(organizer)
    job = upload(client, GOOD)
    jobs.run_import_jobs()
    client.post(f"/people/import/{job.id}/", {"action": "cancel"})
    job.refresh_from_db()
    assert job.status == ImportStatus.CANCELLED and job.text == ""
    assert not jobs.do_confirm_import(organizer, job)
    jobs.run_import_jobs()
    assert not Person.objects.exists()


def test_only_the_uploader_gives_the_go_ahead(organizer: User, make_account, logged_in) -> None:
    job = upload(logged_in(organizer), GOOD)
    jobs.run_import_jobs()
    other = make_account("organizer2", roles=["organizer"])
    assert not jobs.do_confirm_import(other, job)
    assert ImportJob.objects.get(id=job.id).status == ImportStatus.READY


def test_the_upload_form_explains_a_bad_file(organizer: User, logged_in) -> None:
    client: Client = logged_in(organizer)
    response = client.post("/people/import/", {})
    assert "This field is required." in response.content.decode()
    response = client.post(
        "/people/import/", {"file": SimpleUploadedFile("people.xlsx", b"PK\x03\x04", "x")}
    )
    assert "Choose a .csv file" in response.content.decode()
    response = client.post(
        "/people/import/",
        {"file": SimpleUploadedFile("people.csv", "name\nJosé\n".encode("latin-1"), "text/csv")},
    )
    assert "not UTF-8 text" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_dispatcher_cannot_import(dispatcher: User, logged_in) -> None:
    client: Client = logged_in(dispatcher)
    response = client.post(
        "/people/import/", {"file": SimpleUploadedFile("p.csv", GOOD.encode(), "text/csv")}
    )
    assert response.status_code == 403 and not ImportJob.objects.exists()


def test_the_upload_and_the_go_ahead_each_queue_a_worker_job(
    organizer: User, django_capture_on_commit_callbacks
) -> None:
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.do_upload_import(organizer, "people.csv", GOOD.encode())
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "vecinos.organizing.jobs.check_import"
    assert queued.args_kwargs["args"] == [job.id]
    jobs.check_job(job.id)
    assert not jobs.check_job(job.id), "a job runs once"
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.do_confirm_import(organizer, ImportJob.objects.get(id=job.id))
    assert sorted(DBTaskResult.objects.values_list("task_path", flat=True)) == [
        "vecinos.organizing.jobs.check_import",
        "vecinos.organizing.jobs.run_import",
    ]
    assert jobs.import_job(job.id) and Person.objects.count() == 2
