"""Responders answer by text in English, Spanish, Korean or a digit; what each answer does."""

from __future__ import annotations

from typing import Any

import pytest

from tests.responders.conftest import MakeIncident, MakeResponder, TextIn, texts_to
from vecinos.hotline.choices import IncidentStatus
from vecinos.hotline.models import Incident, Report
from vecinos.hotline.services import TEXT_HANDLER, do_move_incident
from vecinos.responders import services
from vecinos.responders.choices import Answer
from vecinos.responders.models import Alerted, AnswerText, Responder

pytestmark = pytest.mark.django_db


@pytest.fixture
def alerted_incident(
    make_responder: MakeResponder, make_incident: MakeIncident, dispatcher: Any
) -> tuple[Incident, list[Responder]]:
    responders = [make_responder(language=code, languages=[code]) for code in ("es", "ko", "en")]
    responders += [make_responder(language="es")]
    incident = make_incident()
    services.do_alert_responders(dispatcher, incident)
    return incident, responders


def answer_of(responder: Responder) -> Alerted:
    return Alerted.objects.get(responder=responder)


@pytest.mark.parametrize(
    ("body", "answer"),
    [
        ("yes", Answer.YES), ("Sí", Answer.YES), ("si voy", Answer.YES), ("네", Answer.YES),
        ("1", Answer.YES), ("no", Answer.NO), ("no puedo", Answer.NO), ("아니요", Answer.NO),
        ("2", Answer.NO), ("arrived", Answer.ARRIVED), ("llegué", Answer.ARRIVED),
        ("도착", Answer.ARRIVED), ("3", Answer.ARRIVED), ("CONFIRMED", Answer.CONFIRMED),
        ("confirmo", Answer.CONFIRMED), ("확인", Answer.CONFIRMED), ("4", Answer.CONFIRMED),
        ("false", Answer.FALSE), ("falso", Answer.FALSE), ("no hay nada", Answer.FALSE),
        ("거짓", Answer.FALSE), ("5", Answer.FALSE),
    ],
)  # fmt: skip
def test_answers_are_read_in_every_language_and_as_digits(
    body: str, answer: str, alerted_incident: tuple[Incident, list[Responder]], text_in: TextIn
) -> None:
    _incident, responders = alerted_incident
    stored = text_in(body, sender=responders[0].person.phone)
    stored.refresh_from_db()
    assert stored.handled_as == services.REPLY_HANDLER
    assert answer_of(responders[0]).answer == answer
    [kept] = AnswerText.objects.all()
    assert (kept.answer, kept.inbound) == (answer, stored)
    assert not Report.objects.exists()


def test_a_yes_keeps_its_note_and_is_told_what_to_text_next(
    alerted_incident: tuple[Incident, list[Responder]], text_in: TextIn
) -> None:
    _incident, responders = alerted_incident
    korean = responders[1]
    stored = text_in("네, 10분 후 도착", sender=korean.person.phone)
    stored.refresh_from_db()
    assert (stored.reply_code, stored.reply_note) == (Answer.YES, "10분 후 도착")
    alerted = answer_of(korean)
    assert alerted.yes_at is not None and alerted.note == "10분 후 도착"
    [going] = texts_to(korean, services.GOING_KIND)
    assert going.language == "ko" and "도착/3" in going.body
    text_in("yes", sender=korean.person.phone)  # a second YES: no second instructions
    assert len(texts_to(korean, services.GOING_KIND)) == 1


def test_arrived_puts_the_incident_on_scene(
    alerted_incident: tuple[Incident, list[Responder]], text_in: TextIn
) -> None:
    incident, responders = alerted_incident
    text_in("3", sender=responders[2].person.phone)
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.ON_SCENE
    step = incident.steps.get(status=IncidentStatus.ON_SCENE)
    assert step.actor is None and step.actor_label == "responder"
    assert answer_of(responders[2]).arrived_at is not None


def test_confirmed_is_a_confirmation_on_the_timeline(
    alerted_incident: tuple[Incident, list[Responder]], text_in: TextIn
) -> None:
    incident, responders = alerted_incident
    text_in("confirmo, dos camionetas", sender=responders[0].person.phone)
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.ON_SCENE  # confirmed needs a dispatcher's approval
    alerted = answer_of(responders[0])
    assert alerted.confirmed_at is not None and alerted.note == "dos camionetas"
    assert incident.steps.filter(note__contains="confirmed agents").exists()
    assert responders[0].person.full_name not in " ".join(s.note for s in incident.steps.all())


def test_false_signals_the_dispatcher_who_decides(
    alerted_incident: tuple[Incident, list[Responder]], text_in: TextIn
) -> None:
    incident, responders = alerted_incident
    text_in("falso", sender=responders[0].person.phone)
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.RESPONDERS_ALERTED
    assert incident.steps.filter(note__contains="says the report is false").exists()
    assert answer_of(responders[0]).false_at is not None


def test_a_text_from_someone_with_no_open_alert_becomes_a_report(
    alerted_incident: tuple[Incident, list[Responder]], text_in: TextIn,
    make_responder: MakeResponder, dispatcher: Any,
) -> None:  # fmt: skip
    incident, responders = alerted_incident
    not_alerted = make_responder(eligible=False)
    stored = text_in("yes", sender=not_alerted.person.phone)
    stored.refresh_from_db()
    assert stored.handled_as == TEXT_HANDLER
    do_move_incident(dispatcher, incident, IncidentStatus.RESOLVED)
    stored = text_in("yes", sender=responders[0].person.phone)
    stored.refresh_from_db()
    assert stored.handled_as == TEXT_HANDLER  # its incident is closed
    assert not AnswerText.objects.exists()


def test_a_text_that_is_not_an_answer_becomes_a_report(
    alerted_incident: tuple[Incident, list[Responder]], text_in: TextIn
) -> None:
    _incident, responders = alerted_incident
    stored = text_in("more agents at the school on 5th", sender=responders[0].person.phone)
    stored.refresh_from_db()
    assert stored.handled_as == TEXT_HANDLER
    assert (stored.reply_code, stored.reply_note) == ("", "")
    assert Report.objects.count() == 1


def test_taking_the_same_answer_again_changes_nothing(
    alerted_incident: tuple[Incident, list[Responder]], text_in: TextIn
) -> None:
    _incident, responders = alerted_incident
    stored = text_in("yes", sender=responders[0].person.phone)
    before = texts_to(responders[0])
    assert services.take_answer(stored) is True
    assert AnswerText.objects.count() == 1
    assert texts_to(responders[0]) == before


def test_stop_is_still_stop_for_a_responder_with_an_alert(
    alerted_incident: tuple[Incident, list[Responder]], text_in: TextIn
) -> None:
    _incident, responders = alerted_incident
    stored = text_in("STOP", sender=responders[0].person.phone)
    stored.refresh_from_db()
    assert stored.handled_as == "keyword.stop"
    assert not AnswerText.objects.exists()


def test_a_dispatcher_writes_down_a_confirmation_given_by_phone(
    alerted_incident: tuple[Incident, list[Responder]], dispatcher: Any
) -> None:
    incident, responders = alerted_incident
    alerted = answer_of(responders[3])
    assert services.do_record_confirmation(dispatcher, incident, alerted.id)
    assert not services.do_record_confirmation(dispatcher, incident, alerted.id)
    alerted.refresh_from_db()
    assert alerted.confirmed_by == dispatcher and alerted.confirmed_at is not None
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.ON_SCENE
