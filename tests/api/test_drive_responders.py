"""The responders panel's actions through the JSON API: alert, answers, approval, preview, send."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.test_use_api import api_as
from tests.responders.conftest import (
    HOME,
    MakeIncident,
    MakeResponder,
    TextIn,
    make_incident,
    make_responder,
    text_in,
)
from vecinos.core.models import User
from vecinos.hotline.choices import IncidentStatus
from vecinos.messaging import services as messaging

__all__ = ["make_incident", "make_responder", "text_in"]
pytestmark = pytest.mark.django_db


def test_a_script_alerts_responders_and_sends_the_broad_alert_once(
    dispatcher: User,
    coordinator: User,
    make_responder: MakeResponder,
    make_incident: MakeIncident,
    text_in: TextIn,
    settings: Any,
) -> None:
    settings.VECINOS_CONFIRMATIONS_NEEDED = 1
    near = make_responder("Ana Ruiz", cell=HOME, language="es")
    incident = make_incident(opened_by=dispatcher)
    messaging.do_subscribe("+13235550190", "", "ko")  # no area: every alert
    api = api_as(dispatcher, coordinator)
    path = f"/incidents/{incident.id}"

    alerted = api.post(f"{path}/responders")
    assert alerted.status_code == 200, alerted.content
    [row] = alerted.json()["alerted"]
    assert row["name"] == "Ana Ruiz", "the dispatcher who opened it handles it"
    assert api.post(f"{path}/responders").status_code == 409, "alerted once"

    assert api.post(f"{path}/broadcast/alert").status_code == 409, "not confirmed yet"
    text_in("CONFIRMED two vans", sender=near.person.phone)
    assert api.get(f"{path}/responders").json()["alerted"][0]["confirmed_at"]
    assert api.post(f"{path}/approval").status_code == 200
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.CONFIRMED

    shown = api.get(f"{path}/broadcast/alert").json()
    assert shown["can_send"] and shown["recipients"] == 1
    assert {text["language"] for text in shown["texts"]} == {"en", "es", "ko"}
    assert api.post(f"{path}/broadcast/alert").json() == {"queued": 1}
    assert api.post(f"{path}/broadcast/alert").status_code == 409, "sent once"


def test_other_dispatchers_see_answers_without_names(
    dispatcher: User,
    coordinator: User,
    make_account: Any,
    make_responder: MakeResponder,
    make_incident: MakeIncident,
) -> None:
    make_responder("Ana Ruiz", cell=HOME)
    incident = make_incident(opened_by=dispatcher)
    api_as(dispatcher, coordinator).post(f"/incidents/{incident.id}/responders")
    other = api_as(make_account("otra", "dispatcher"), coordinator)
    [row] = other.get(f"/incidents/{incident.id}/responders").json()["alerted"]
    assert row["name"] is None


def test_a_drill_never_reaches_the_broad_list(
    dispatcher: User, coordinator: User, make_incident: MakeIncident
) -> None:
    incident = make_incident(is_drill=True, opened_by=dispatcher)
    refused = api_as(dispatcher, coordinator).post(f"/incidents/{incident.id}/broadcast/alert")
    assert refused.status_code == 409 and refused.json()["detail"]


def test_a_correction_needs_an_audience(
    dispatcher: User, coordinator: User, make_incident: MakeIncident
) -> None:
    incident = make_incident(opened_by=dispatcher)
    api = api_as(dispatcher, coordinator)
    assert api.post(f"/incidents/{incident.id}/broadcast/correction").status_code == 409
    bad = api.post(f"/incidents/{incident.id}/broadcast/correction", {"audience": "everyone"})
    assert bad.status_code == 422
