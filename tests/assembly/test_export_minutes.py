"""Minutes taken live and exported as Markdown and PDF in a chosen language: a count of who came
(names only when the room agreed), who interpreted, notes per item, and decisions pulled in."""

from __future__ import annotations

import re
import zlib
from datetime import UTC, datetime

import pytest
from django.test import Client
from django.urls import reverse

from tests.assembly.room_factories import items_of, make_meeting, room_runner
from tests.conftest import MakeAccount, log_in
from vecinos.assembly import minutes, room
from vecinos.assembly.minutes import DecisionLine
from vecinos.assembly.models import Meeting
from vecinos.core.models import AuditEvent, User

KOREAN_NOTES = "임대료 파업을 지지합니다. 다음 주 토요일에 행진."
SPANISH_NOTES = "Se apoya la huelga de alquileres.\n\nMarcha el sábado próximo."


@pytest.fixture
def meeting(db: None) -> Meeting:
    meeting = make_meeting()
    meeting.starts_at = datetime(2026, 4, 14, 2, 0, tzinfo=UTC)  # 13 April, 19:00 in LA
    meeting.save(update_fields=["starts_at"])
    return meeting


@pytest.fixture
def lupe(make_account: MakeAccount, meeting: Meeting) -> User:
    lupe = room_runner(make_account, meeting)
    strike, network = items_of(meeting)
    room.do_record_attendance(lupe, meeting, 42)
    room.do_save_item_notes(lupe, strike, f"{SPANISH_NOTES}\n\n{KOREAN_NOTES}")
    room.do_save_item_translations(lupe, strike, {"ko": "임대료 파업", "es": ""})
    room.do_assign_interpreter(lupe, meeting, language="ko", table="Mesa 3", interpreter_name="Min")
    room.do_add_attendee(lupe, meeting, name="Librada Urbina")
    room.do_add_speaker(lupe, strike, name="Ana")
    room.do_next_speaker(lupe, strike)
    del network
    return lupe


@pytest.fixture
def decisions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        minutes,
        "decision_source",
        lambda meeting: [
            DecisionLine(
                title="Apoyar la huelga",
                outcome="Adoptada",
                method="Mayoría",
                counts="30 sí, 5 no, 7 abstenciones",
                without_quorum=True,
                actions=("Grupo de trabajo legal: carta al dueño, 1 de mayo",),
            )
        ],
    )


def export(client: Client, meeting: Meeting, language: str, fmt: str) -> bytes:
    url = reverse("assembly:room_minutes_export", kwargs={"meeting_id": meeting.id})
    response = client.get(url, {"language": language, "format": fmt})
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="minutes-2026-04-13-{language}.{fmt}"'
    )
    return response.content


def unicode_in_pdf(document: bytes) -> set[str]:
    """Every character the PDF's fonts map back to text (their ToUnicode tables): what a reader
    copying the text out of the document gets."""
    found: set[str] = set()
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", document, re.DOTALL):
        try:
            data = zlib.decompress(stream)
        except zlib.error:
            data = stream
        if b"begincmap" not in data:
            continue
        for hexcode in re.findall(rb"<[0-9A-Fa-f]+>\s*<([0-9A-Fa-f]{4,})>", data):
            found.add(bytes.fromhex(hexcode.decode()).decode("utf-16-be", errors="ignore"))
    return found


def test_markdown_in_spanish_has_the_count_notes_interpreters_and_no_names(
    lupe: User, meeting: Meeting
) -> None:
    text = export(log_in(Client(), lupe), meeting, "es", "md").decode()
    assert text.startswith("# ")
    assert "Asamblea de abril" in text
    assert "13 de abril de 2026" in text  # Django's Spanish dates
    assert "42" in text
    assert "Librada" not in text  # names are off by default
    assert "Min" in text and "Mesa 3" in text
    assert "## 1. Huelga de alquileres" in text
    assert "Se apoya la huelga de alquileres.\n\nMarcha el sábado próximo." in text
    assert KOREAN_NOTES in text
    assert "## 2. Red de respuesta rápida" in text


def test_names_are_in_the_minutes_only_once_the_room_agreed(lupe: User, meeting: Meeting) -> None:
    room.do_set_room_settings(lupe, meeting, progressive_stack=False, names_in_minutes=True)
    assert "Librada Urbina" in minutes.to_markdown(minutes.build_minutes(meeting, "es"))


def test_korean_markdown_uses_the_korean_title_and_date(lupe: User, meeting: Meeting) -> None:
    text = export(log_in(Client(), lupe), meeting, "ko", "md").decode()
    assert "## 1. 임대료 파업" in text
    assert "2026년 4월 13일" in text
    assert "## 2. Red de respuesta rápida" in text  # no Korean title: the one written


def test_the_korean_pdf_is_valid_and_carries_the_hangul_text(lupe: User, meeting: Meeting) -> None:
    document = export(log_in(Client(), lupe), meeting, "ko", "pdf")
    assert document.startswith(b"%PDF-")
    assert document.rstrip().endswith(b"%%EOF")
    assert b"/Lang (ko)" in document
    assert b"NanumGothic" in document
    mapped = unicode_in_pdf(document)
    hangul = {c for c in KOREAN_NOTES + "임대료 파업" if "\uac00" <= c <= "\ud7a3"}
    assert hangul <= mapped
    assert set("sábado próximo") - {" "} <= mapped  # Spanish notes in the same document


def test_the_spanish_pdf_is_valid_and_carries_the_accents(lupe: User, meeting: Meeting) -> None:
    document = export(log_in(Client(), lupe), meeting, "es", "pdf")
    assert document.startswith(b"%PDF-")
    assert b"/Lang (es)" in document
    assert set("Huelga de alquileresábó") - {" "} <= unicode_in_pdf(document)


def test_decisions_are_pulled_in_from_the_register(
    lupe: User, meeting: Meeting, decisions: None
) -> None:
    text = minutes.to_markdown(minutes.build_minutes(meeting, "es"))
    assert "Apoyar la huelga: Adoptada" in text
    assert "Mayoría · 30 sí, 5 no, 7 abstenciones" in text
    assert "Grupo de trabajo legal: carta al dueño, 1 de mayo" in text
    page = log_in(Client(), lupe).get(
        reverse("assembly:room_minutes", kwargs={"meeting_id": meeting.id})
    )
    assert "Apoyar la huelga" in page.content.decode()


def test_each_export_is_on_the_audit_log(lupe: User, meeting: Meeting) -> None:
    export(log_in(Client(), lupe), meeting, "es", "md")
    event = AuditEvent.objects.get(action="assembly.minutes.exported")
    assert event.detail == {"language": "es", "format": "md"}


def test_a_bad_choice_shows_the_form_with_an_error(lupe: User, meeting: Meeting) -> None:
    url = reverse("assembly:room_minutes_export", kwargs={"meeting_id": meeting.id})
    response = log_in(Client(), lupe).get(url, {"language": "xx", "format": "doc"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not AuditEvent.objects.filter(action="assembly.minutes.exported").exists()


def test_attendance_must_be_a_sensible_count(lupe: User, meeting: Meeting) -> None:
    url = reverse("assembly:room_minutes", kwargs={"meeting_id": meeting.id})
    client = log_in(Client(), lupe)
    for bad in ("-3", "many", "1000001"):
        response = client.post(url, {"action": "attendance", "attendance_count": bad})
        assert response.status_code == 200
        assert 'class="error"' in response.content.decode(), bad
    meeting.refresh_from_db()
    assert meeting.attendance_count == 42
    client.post(url, {"action": "attendance", "attendance_count": "57"})
    meeting.refresh_from_db()
    assert meeting.attendance_count == 57


def test_notes_are_saved_per_item(lupe: User, meeting: Meeting) -> None:
    url = reverse("assembly:room_minutes", kwargs={"meeting_id": meeting.id})
    network = items_of(meeting)[1]
    response = log_in(Client(), lupe).post(
        url,
        {"action": "notes", "item": network.id, f"item{network.id}-notes": "Turnos de noche: 3"},
    )
    assert response.status_code == 302
    network.refresh_from_db()
    assert network.notes == "Turnos de noche: 3"


def test_notes_keep_their_lists_but_cannot_break_the_outline(lupe: User, meeting: Meeting) -> None:
    network = items_of(meeting)[1]
    room.do_save_item_notes(lupe, network, "# Urgente\n- turno del martes\n- turno del jueves")
    text = minutes.to_markdown(minutes.build_minutes(meeting, "es"))
    assert "\\# Urgente" in text
    assert "\n# Urgente" not in text
    assert "- turno del martes" in text
