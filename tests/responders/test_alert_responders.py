"""'Alert responders': the plan frozen on the incident, the nearest ring texted in each
responder's language through the priority lane, with the reply words and digits."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.test import override_settings

from tests.responders.conftest import HOME, MakeIncident, MakeResponder, ring_cell, texts_to
from vecinos.core.models import AuditEvent
from vecinos.hotline.choices import IncidentStatus
from vecinos.messaging.choices import Priority
from vecinos.messaging.models import OutboundMessage
from vecinos.responders import services
from vecinos.responders.models import Alert, Alerted, Verification

pytestmark = pytest.mark.django_db


def test_the_nearest_responders_are_texted_in_their_language_through_the_alert_lane(
    make_responder: MakeResponder, make_incident: MakeIncident, dispatcher: Any
) -> None:
    spanish = make_responder(language="es")
    korean = make_responder(language="ko", languages=["ko"])
    english = make_responder(language="en", languages=["en"])
    make_responder(cell=ring_cell(1))  # next ring: not yet
    incident = make_incident()
    alert = services.do_alert_responders(dispatcher, incident)

    assert alert.ring == 0
    assert Alerted.objects.filter(alert=alert).count() == 3
    for responder, words in (
        (spanish, ["SI/1", "NO/2", "LLEGUE/3", "CONFIRMO/4", "FALSO/5"]),
        (korean, ["네/1", "아니요/2", "도착/3", "확인/4", "거짓/5"]),
        (english, ["YES/1", "NO/2", "ARRIVED/3", "CONFIRMED/4", "FALSE/5"]),
    ):
        [text] = texts_to(responder)
        assert text.kind == services.ALERT_KIND
        assert text.priority == Priority.ALERT and text.deadline is not None
        assert text.language == responder.person.preferred_language
        assert "3rd St & Vermont Ave" in text.body
        for word in words:
            assert word in text.body
        assert "DRILL" not in text.body and "SIMULACRO" not in text.body
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.RESPONDERS_ALERTED
    step = incident.steps.get(status=IncidentStatus.RESPONDERS_ALERTED)
    assert step.actor == dispatcher and "3 responders alerted in ring 0" in step.note
    assert AuditEvent.objects.filter(action="responders.alert.started", actor=dispatcher).exists()


def test_the_alert_text_never_names_the_caller_or_the_summary(
    make_responder: MakeResponder, make_incident: MakeIncident, dispatcher: Any
) -> None:
    responder = make_responder(language="en")
    incident = make_incident()
    incident.summary = "Maria Lopez called from her kitchen"
    incident.save()
    services.do_alert_responders(dispatcher, incident)
    [text] = texts_to(responder)
    assert "Maria" not in text.body and "kitchen" not in text.body


def test_an_english_alert_fits_in_two_segments(
    make_responder: MakeResponder, make_incident: MakeIncident, dispatcher: Any
) -> None:
    responder = make_responder(language="en")
    services.do_alert_responders(dispatcher, make_incident(place="x" * 300))
    [text] = texts_to(responder)
    assert text.segments <= 3
    assert "x" * 79 in text.body and "x" * 81 not in text.body


def test_the_plan_is_frozen_when_the_dispatcher_clicks(
    make_responder: MakeResponder, make_incident: MakeIncident, dispatcher: Any
) -> None:
    make_responder()
    with override_settings(
        VECINOS_ALERT_ENOUGH_YES=4,
        VECINOS_ALERT_WIDEN_MINUTES=7,
        VECINOS_ALERT_MAX_RINGS=2,
        VECINOS_CONFIRMATIONS_NEEDED=2,
        VECINOS_SECOND_APPROVAL=True,
    ):
        incident = make_incident()
        services.do_alert_responders(dispatcher, incident)
    alert = Alert.objects.get(incident=incident)
    assert (alert.enough_yes, alert.widen_minutes, alert.max_rings) == (4, 7, 2)
    assert (alert.cell, alert.language) == (HOME, "es")
    verification = Verification.objects.get(incident=incident)
    assert verification.confirmations_needed == 2 and verification.second_approval


def test_an_empty_ring_zero_texts_the_nearest_ring_with_someone(
    make_responder: MakeResponder, make_incident: MakeIncident, dispatcher: Any
) -> None:
    two_away = make_responder(cell=ring_cell(2, 1))
    make_responder(cell=ring_cell(3, 1))
    alert = services.do_alert_responders(dispatcher, make_incident())
    assert alert.ring == 2
    assert [a.responder for a in Alerted.objects.all()] == [two_away]


def test_with_nobody_near_nothing_is_sent_and_the_dispatcher_is_told(
    make_responder: MakeResponder, make_incident: MakeIncident, dispatcher: Any
) -> None:
    make_responder(cell=ring_cell(4))  # beyond the 3 rings
    make_responder(eligible=False)
    incident = make_incident()
    with pytest.raises(services.NoRespondersError):
        services.do_alert_responders(dispatcher, incident)
    assert not Alert.objects.exists() and not OutboundMessage.objects.exists()
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.REPORTED


def test_an_incident_is_alerted_once(
    make_responder: MakeResponder, make_incident: MakeIncident, dispatcher: Any
) -> None:
    make_responder()
    incident = make_incident()
    services.do_alert_responders(dispatcher, incident)
    with pytest.raises(services.AlreadyAlertedError):
        services.do_alert_responders(dispatcher, incident)
    assert OutboundMessage.objects.count() == 1


def test_one_alerted_row_per_responder_per_incident_is_a_constraint(
    make_responder: MakeResponder, make_incident: MakeIncident, dispatcher: Any
) -> None:
    responder = make_responder()
    incident = make_incident()
    alert = services.do_alert_responders(dispatcher, incident)
    with pytest.raises(IntegrityError), transaction.atomic():
        Alerted.objects.create(
            alert=alert, incident=incident, responder=responder, ring=1, language="es"
        )


def test_an_incident_without_a_place_on_the_map_or_closed_is_refused(
    make_responder: MakeResponder, make_incident: MakeIncident, dispatcher: Any
) -> None:
    make_responder()
    with pytest.raises(services.NoPlaceError):
        services.do_alert_responders(dispatcher, make_incident(cell=""))
    with pytest.raises(services.NoPlaceError):
        services.do_alert_responders(dispatcher, make_incident(cell="8029fffffffffff"))
    closed = make_incident()
    from vecinos.hotline.services import do_move_incident

    do_move_incident(dispatcher, closed, IncidentStatus.RESOLVED)
    with pytest.raises(services.IncidentClosedError):
        services.do_alert_responders(dispatcher, closed)
    assert not OutboundMessage.objects.exists()


@pytest.mark.parametrize("persona", ["member", "organizer", "responder", "outsider"])
def test_only_dispatchers_and_coordinators_alert_responders(
    persona: str, request: pytest.FixtureRequest, make_responder: MakeResponder,
    make_incident: MakeIncident,
) -> None:  # fmt: skip
    make_responder()
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        services.do_alert_responders(user, make_incident())
    assert not OutboundMessage.objects.exists()


@pytest.mark.parametrize(
    ("language", "marker"), [("en", "DRILL: "), ("es", "SIMULACRO: "), ("ko", "훈련: ")]
)
def test_every_text_of_a_drill_says_drill_in_the_readers_language(
    language: str, marker: str, make_responder: MakeResponder, make_incident: MakeIncident,
    dispatcher: Any,
) -> None:  # fmt: skip
    responder = make_responder(language=language, languages=[language])
    services.do_alert_responders(dispatcher, make_incident(is_drill=True))
    [text] = texts_to(responder)
    assert text.body.startswith(marker)
