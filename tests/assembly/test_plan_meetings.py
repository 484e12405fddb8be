"""Meetings and their agendas: time boxes, presenters, order, and files."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.assembly.conftest import MakeMember
from tests.conftest import log_in
from vecinos.assembly import services
from vecinos.assembly.models import AgendaItem, Assembly, Attachment, Meeting
from vecinos.core.models import User


def test_a_facilitator_schedules_a_meeting_with_languages_and_interpretation(
    body_facilitator: User, assembly: Assembly
) -> None:
    client = log_in(Client(), body_facilitator)

    response = client.post(
        f"/assembly/bodies/{assembly.id}/meetings/new/",
        {
            "title": "Asamblea de diciembre",
            "starts_at": "2030-12-02T18:30",
            "ends_at": "2030-12-02T20:30",
            "place": "Iglesia de la Soledad",
            "languages": ["es", "en"],
            "interpretation_needed": ["en", "mix"],
        },
    )

    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert meeting.interpretation_needed == ["en", "mix"]
    assert meeting.created_by == body_facilitator
    page = client.get(f"/assembly/meetings/{meeting.id}/").content.decode()
    assert "Mixtec" in page and "Iglesia de la Soledad" in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"ends_at": "2030-12-02T17:00"}, "ends_at", "end after it starts"),
        ({"place": ""}, "place", "Say where"),
        ({"starts_at": "mañana"}, "starts_at", "valid date"),
        ({"online_link": "not a link"}, "online_link", "valid URL"),
    ],
)
def test_a_meeting_form_with_bad_input_says_what_to_fix(
    body_facilitator: User, assembly: Assembly, data: dict[str, str], field: str, message: str
) -> None:
    fields = {"title": "Asamblea", "starts_at": "2030-12-02T18:30", "place": "Escuela", **data}

    response = log_in(Client(), body_facilitator).post(
        f"/assembly/bodies/{assembly.id}/meetings/new/", fields
    )

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not Meeting.objects.exists()


def test_the_agenda_keeps_time_boxes_presenters_and_order(
    body_facilitator: User, meeting: Meeting, make_member: MakeMember
) -> None:
    presenter = make_member("Librada Urbina")
    client = log_in(Client(), body_facilitator)
    url = f"/assembly/meetings/{meeting.id}/agenda/add/"

    client.post(url, {"title": "Bienvenida", "time_box_minutes": 5})
    client.post(url, {"title": "Brigada", "time_box_minutes": 20, "presenter": presenter.id})
    second = AgendaItem.objects.get(title="Brigada")
    client.post(f"/assembly/meetings/{meeting.id}/", {"action": "up", "item": second.id})

    assert [i.title for i in meeting.agenda_items.all()] == ["Brigada", "Bienvenida"]
    page = client.get(f"/assembly/meetings/{meeting.id}/").content.decode()
    assert "Presented by Librada Urbina" in page
    assert "In all: 25 minutes." in page


def test_an_agenda_item_refuses_a_presenter_from_outside_and_a_bad_time_box(
    body_facilitator: User, meeting: Meeting, make_person: Any
) -> None:
    outsider = make_person("Someone Else")
    client = log_in(Client(), body_facilitator)
    url = f"/assembly/meetings/{meeting.id}/agenda/add/"

    bad_box = client.post(url, {"title": "Brigada", "time_box_minutes": 0})
    bad_presenter = client.post(
        url, {"title": "Brigada", "time_box_minutes": 10, "presenter": outsider.id}
    )

    assert "greater than or equal to 1" in " ".join(
        bad_box.context["form"].errors["time_box_minutes"]
    )
    assert bad_presenter.context["form"].errors["presenter"]
    assert not AgendaItem.objects.exists()
    with pytest.raises(services.AssemblyError, match="not a member"):
        services.do_add_agenda_item(
            body_facilitator, meeting, title="X", time_box_minutes=5, presenter=outsider
        )


def test_a_file_is_attached_and_opened_only_by_the_bodys_members(
    body_facilitator: User, meeting: Meeting, plain_member: User, member: User
) -> None:
    client = log_in(Client(), body_facilitator)

    response = client.post(
        f"/assembly/meetings/{meeting.id}/files/add/",
        {"file": SimpleUploadedFile("Orden del día.txt", "Orden del día\n".encode())},
    )

    attachment = Attachment.objects.get()
    assert response.status_code == 302
    assert attachment.name == "Orden del día.txt"
    assert "Orden" not in attachment.file.name  # stored under a random name
    download = log_in(Client(), plain_member).get(f"/assembly/files/{attachment.id}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == "Orden del día\n".encode()  # type: ignore[attr-defined]
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert log_in(Client(), member).get(f"/assembly/files/{attachment.id}/").status_code == 403


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("programa.exe", b"MZ\x90\x00", "cannot be attached"),
        ("volante.pdf", b"MZ\x90\x00 not a pdf", "not really a .pdf"),
        ("notas.txt", b"\xff\xfe\x00\x00binary\x00\xff" * 10, "not plain text"),
        ("vacio.txt", b"", "empty"),
    ],
)
def test_a_refused_file_gets_a_clear_error(
    body_facilitator: User, meeting: Meeting, name: str, content: bytes, message: str
) -> None:
    response = log_in(Client(), body_facilitator).post(
        f"/assembly/meetings/{meeting.id}/files/add/", {"file": SimpleUploadedFile(name, content)}
    )

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["file"])
    assert not Attachment.objects.exists()


def test_a_file_over_the_limit_is_refused_with_the_limit(
    body_facilitator: User, meeting: Meeting, settings: Any
) -> None:
    settings.ASSEMBLY_ATTACHMENT_MAX_BYTES = 1024 * 1024
    big = SimpleUploadedFile("acta.pdf", b"%PDF-1.4\n" + b"0" * (2 * 1024 * 1024))

    response = log_in(Client(), body_facilitator).post(
        f"/assembly/meetings/{meeting.id}/files/add/", {"file": big}
    )

    assert "files may be at most 1 MB" in " ".join(response.context["form"].errors["file"])
    assert not Attachment.objects.exists()


def test_removing_a_file_deletes_it_from_storage(
    body_facilitator: User, meeting: Meeting, django_capture_on_commit_callbacks: Any
) -> None:
    attachment = services.do_attach_file(
        body_facilitator, meeting, SimpleUploadedFile("volante.pdf", b"%PDF-1.4 hola")
    )
    storage, name = attachment.file.storage, attachment.file.name

    with django_capture_on_commit_callbacks(execute=True):
        log_in(Client(), body_facilitator).post(
            f"/assembly/meetings/{meeting.id}/",
            {"action": "remove_file", "attachment": attachment.id},
        )

    assert not Attachment.objects.exists()
    assert not storage.exists(name)


def test_a_posted_id_that_is_not_a_number_is_not_found(
    body_facilitator: User, meeting: Meeting
) -> None:
    response = log_in(Client(), body_facilitator).post(
        f"/assembly/meetings/{meeting.id}/", {"action": "up", "item": "1 OR 1=1"}
    )

    assert response.status_code == 404
