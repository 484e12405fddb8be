"""Widening: too few YES within M minutes alerts the next ring (a controllable clock, no sleeps);
enough YES tells the others "covered" once; two workers widen an alert once."""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

import pytest
from django.db import close_old_connections
from django.utils import timezone

from tests.responders.conftest import (
    MakeIncident,
    MakeResponder,
    TextIn,
    minutes_later,
    ring_cell,
    texts_to,
)
from vecinos.hotline.choices import IncidentStatus
from vecinos.hotline.models import Incident
from vecinos.hotline.services import do_move_incident
from vecinos.responders import services
from vecinos.responders.choices import StopReason
from vecinos.responders.models import Alert, Alerted, Responder

pytestmark = pytest.mark.django_db


@pytest.fixture
def rings(make_responder: MakeResponder) -> dict[int, list[Responder]]:
    """Two responders in the incident's cell, three in ring 1, one in ring 3 (ring 2 empty)."""
    return {
        0: [make_responder(), make_responder(language="ko", languages=["ko"])],
        1: [make_responder(cell=ring_cell(1, n)) for n in range(3)],
        3: [make_responder(cell=ring_cell(3, 4), language="en", languages=["en"])],
    }


def start(incident: Incident, dispatcher: Any) -> tuple[Alert, datetime]:
    now = timezone.now()
    return services.do_alert_responders(dispatcher, incident, now=now), now


def test_without_enough_yes_within_m_minutes_the_next_ring_is_alerted(
    rings: dict[int, list[Responder]], make_incident: MakeIncident, dispatcher: Any
) -> None:
    incident = make_incident()
    alert, now = start(incident, dispatcher)
    assert services.run_alerts(now=minutes_later(4.9, now)) == 0
    assert not any(texts_to(r) for r in rings[1])

    assert services.run_alerts(now=minutes_later(5, now)) == 1
    alert.refresh_from_db()
    assert alert.ring == 1 and alert.ring_started_at == minutes_later(5, now)
    for responder in rings[1]:
        [text] = texts_to(responder, services.ALERT_KIND)
        assert "SI/1" in text.body
    assert Alerted.objects.filter(alert=alert, ring=1).count() == 3
    note = incident.steps.order_by("-at", "-id").first()
    assert note is not None and note.actor_label == "automatic"
    assert "widened to ring 1, 3 responders alerted" in note.note
    # The same worker a moment later, and every later turn before M more minutes: nothing.
    assert services.run_alerts(now=minutes_later(6, now)) == 0
    assert len(texts_to(rings[1][0])) == 1


def test_an_empty_ring_is_skipped_and_the_last_ring_stops_the_widening(
    rings: dict[int, list[Responder]], make_incident: MakeIncident, dispatcher: Any
) -> None:
    incident = make_incident()
    alert, now = start(incident, dispatcher)
    services.run_alerts(now=minutes_later(5, now))
    services.run_alerts(now=minutes_later(10, now))
    alert.refresh_from_db()
    assert alert.ring == 3  # ring 2 has nobody
    [text] = texts_to(rings[3][0])
    assert "YES/1" in text.body
    assert services.run_alerts(now=minutes_later(15, now)) == 0
    alert.refresh_from_db()
    assert alert.stopped_reason == StopReason.LAST_RING and not alert.is_widening
    assert incident.steps.filter(note__contains="no one else to alert within 3 rings").count() == 1
    services.run_alerts(now=minutes_later(30, now))
    assert incident.steps.filter(note__contains="no one else to alert").count() == 1


def test_enough_yes_tells_the_others_covered_once_and_stops_the_widening(
    rings: dict[int, list[Responder]], make_incident: MakeIncident, dispatcher: Any,
    text_in: TextIn,
) -> None:  # fmt: skip
    incident = make_incident()
    alert, now = start(incident, dispatcher)
    services.run_alerts(now=minutes_later(5, now))  # ring 1 too: 5 alerted
    ring0, ring1 = rings[0], rings[1]
    text_in("si", sender=ring0[0].person.phone)
    text_in("네", sender=ring0[1].person.phone)
    text_in("no", sender=ring1[2].person.phone)
    assert not any(texts_to(r, services.COVERED_KIND) for r in ring0 + ring1)
    text_in("1", sender=ring1[0].person.phone)  # the third YES: enough

    alert.refresh_from_db()
    assert alert.covered_at is not None
    for responder in (ring1[1], ring1[2]):
        [covered] = texts_to(responder, services.COVERED_KIND)
        assert f"#{incident.id}" in covered.body
    for responder in (ring0[0], ring0[1], ring1[0]):
        assert not texts_to(responder, services.COVERED_KIND)
    text_in("yes", sender=ring1[1].person.phone)  # a late YES: no second round of "covered"
    assert sum(len(texts_to(r, services.COVERED_KIND)) for r in ring0 + ring1) == 2
    assert services.run_alerts(now=minutes_later(30, now)) == 0
    assert not texts_to(rings[3][0])


def test_a_decided_incident_stops_widening_and_says_why(
    rings: dict[int, list[Responder]], make_incident: MakeIncident, dispatcher: Any
) -> None:
    incident = make_incident()
    alert, now = start(incident, dispatcher)
    do_move_incident(dispatcher, incident, IncidentStatus.UNFOUNDED)
    assert services.run_alerts(now=minutes_later(5, now)) == 0
    alert.refresh_from_db()
    assert alert.stopped_reason == StopReason.DECIDED
    assert not any(texts_to(r) for r in rings[1])


def test_two_workers_that_read_the_same_ring_widen_once(
    rings: dict[int, list[Responder]], make_incident: MakeIncident, dispatcher: Any
) -> None:
    alert, now = start(make_incident(), dispatcher)
    later = minutes_later(5, now)
    # Both workers read the alert at ring 0; the first widens, the second finds it moved.
    assert services.widen(alert.id, 0, later) is True
    assert services.widen(alert.id, 0, later) is False
    assert Alerted.objects.filter(alert=alert, ring=1).count() == 3
    assert all(len(texts_to(r)) == 1 for r in rings[1])


@pytest.mark.django_db(transaction=True)
def test_two_workers_running_the_chore_at_the_same_moment_widen_once(
    rings: dict[int, list[Responder]], make_incident: MakeIncident, dispatcher: Any
) -> None:
    alert, now = start(make_incident(), dispatcher)
    later = minutes_later(5, now)
    barrier = threading.Barrier(2)
    results: list[int] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            results.append(services.run_alerts(now=later))
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    assert sorted(results) == [0, 1]
    assert Alerted.objects.filter(alert=alert, ring=1).count() == 3
    assert all(len(texts_to(r)) == 1 for r in rings[1])


def test_responders_going_get_updates_and_the_others_do_not(
    rings: dict[int, list[Responder]], make_incident: MakeIncident, dispatcher: Any,
    text_in: TextIn,
) -> None:  # fmt: skip
    incident = make_incident(is_drill=True)
    _alert, now = start(incident, dispatcher)
    going, not_going = rings[0]
    text_in("si", sender=going.person.phone)
    do_move_incident(dispatcher, incident, IncidentStatus.UNFOUNDED)
    services.run_alerts(now=minutes_later(1, now))
    services.run_alerts(now=minutes_later(1.1, now))
    [update] = texts_to(going, services.UPDATE_KIND)
    assert update.body.startswith("SIMULACRO: ")
    assert not texts_to(not_going, services.UPDATE_KIND)
    do_move_incident(dispatcher, incident, IncidentStatus.RESOLVED)
    services.run_alerts(now=minutes_later(2, now))
    assert len(texts_to(going, services.UPDATE_KIND)) == 2
