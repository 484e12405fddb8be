"""The incident's responders panel, through its page's HTTP actions: alert, answers shown,
confirm by phone, approve, preview in every language, send, all-clear, correction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import Client, RequestFactory

from tests.responders.conftest import MakeIncident, MakeResponder, TextIn
from vecinos.core.choices import Role
from vecinos.core.models import User
from vecinos.hotline.choices import IncidentStatus
from vecinos.hotline.panels import INCIDENT_PANELS
from vecinos.hotline.services import do_move_incident
from vecinos.messaging.models import AlertSubscription, OutboundMessage
from vecinos.responders.models import Alerted

pytestmark = pytest.mark.django_db
LoggedIn = Callable[[User], Client]


def url(incident: Any) -> str:
    return f"/responders/incidents/{incident.id}/"


def test_a_dispatcher_runs_an_incident_from_alert_to_broad_alert(
    dispatcher: User, logged_in: LoggedIn, make_responder: MakeResponder,
    make_incident: MakeIncident, text_in: TextIn,
) -> None:  # fmt: skip
    responder = make_responder("Jacinta Flores")
    make_responder("Nicanor Ruiz")
    AlertSubscription.objects.create(address="+13235550201", area="90005", language="ko")
    incident = make_incident()
    client = logged_in(dispatcher)
    page = client.get(url(incident)).content.decode()
    assert "Alert responders" in page

    response = client.post(url(incident), {"action": "alert"})
    assert response.status_code == 302 and response["Location"] == url(incident)
    page = client.get(url(incident)).content.decode()
    assert "2 responders alerted." in page
    assert "Jacinta Flores" in page  # the dispatcher who alerted them handles it
    assert "+1213555" not in page

    text_in("si, 5 min", sender=responder.person.phone)
    text_in("confirmo", sender=responder.person.phone)
    page = client.get(url(incident)).content.decode()
    assert "Confirmed agents there" in page and "Approve: confirmed" in page

    assert client.post(url(incident), {"action": "approve"}).status_code == 302
    page = client.get(url(incident)).content.decode()
    assert "Broad alert: check before sending" in page
    for label in ("English", "Español", "한국어"):
        assert label in page
    assert "Send the broad alert to 1 number" in page

    client.post(url(incident), {"action": "send"})
    [sent] = OutboundMessage.objects.filter(kind="responders.broad_alert")
    assert sent.language == "ko" and sent.address == "+13235550201"
    page = client.get(url(incident)).content.decode()
    assert "handed to the provider" in page
    client.post(url(incident), {"action": "send"})  # a second click sends nothing
    assert OutboundMessage.objects.filter(kind="responders.broad_alert").count() == 1

    do_move_incident(dispatcher, incident, IncidentStatus.RESOLVED)
    assert "All-clear to the same people" in client.get(url(incident)).content.decode()
    client.post(url(incident), {"action": "all_clear"})
    assert OutboundMessage.objects.filter(kind="responders.all_clear").count() == 1


def test_another_dispatcher_sees_answers_but_not_names(
    dispatcher: User, make_account: Any, logged_in: LoggedIn, make_responder: MakeResponder,
    make_incident: MakeIncident,
) -> None:  # fmt: skip
    make_responder("Jacinta Flores")
    incident = make_incident()
    logged_in(dispatcher).post(url(incident), {"action": "alert"})
    other = make_account("other", Role.DISPATCHER)
    page = logged_in(other).get(url(incident)).content.decode()
    assert "Jacinta Flores" not in page and "#1" in page
    assert "names only for the dispatchers handling this incident" in page


def test_refusals_are_shown_not_raised(
    dispatcher: User, logged_in: LoggedIn, make_incident: MakeIncident
) -> None:
    client = logged_in(dispatcher)
    incident = make_incident()
    response = client.post(url(incident), {"action": "alert"}, follow=True)
    assert "No eligible responder is available" in response.content.decode()
    response = client.post(url(incident), {"action": "send"}, follow=True)
    assert "Not enough responders have confirmed" in response.content.decode()


@pytest.mark.parametrize(
    "data",
    [{"action": "explode"}, {"action": "confirm", "alerted": "x"},
     {"action": "confirm", "alerted": "999"}, {"action": "correct", "audience": "everyone"}],
)  # fmt: skip
def test_requests_no_panel_sends_are_bad_requests(
    data: dict[str, str], dispatcher: User, logged_in: LoggedIn, make_incident: MakeIncident
) -> None:
    assert logged_in(dispatcher).post(url(make_incident()), data).status_code == 400


def test_next_leads_back_only_to_this_site(
    dispatcher: User, logged_in: LoggedIn, make_incident: MakeIncident
) -> None:
    incident = make_incident()
    client = logged_in(dispatcher)
    back = client.post(url(incident), {"action": "approve", "next": "/hotline/incidents/1/"})
    assert back["Location"] == "/hotline/incidents/1/"
    away = client.post(url(incident), {"action": "approve", "next": "https://evil.example/"})
    assert away["Location"] == url(incident)


def test_an_unknown_incident_is_not_found(dispatcher: User, logged_in: LoggedIn) -> None:
    assert logged_in(dispatcher).get("/responders/incidents/999999/").status_code == 404


def test_a_drill_says_so_and_offers_no_broad_alert(
    dispatcher: User, logged_in: LoggedIn, make_responder: MakeResponder,
    make_incident: MakeIncident, text_in: TextIn,
) -> None:  # fmt: skip
    responder = make_responder()
    incident = make_incident(is_drill=True)
    client = logged_in(dispatcher)
    client.post(url(incident), {"action": "alert"})
    text_in("3", sender=responder.person.phone)
    text_in("4", sender=responder.person.phone)
    client.post(url(incident), {"action": "approve"})
    page = client.get(url(incident)).content.decode()
    assert "Drill: every message says so" in page
    assert "This is a drill: it never reaches the alert list." in page
    assert "Send the broad alert" not in page
    assert "Drill times" in page and "First responder on scene" in page and "min" in page


def test_the_console_can_include_the_panel_with_only_the_incident(
    dispatcher: User, make_responder: MakeResponder, make_incident: MakeIncident
) -> None:
    assert "responders/incident_panel.html" in INCIDENT_PANELS
    make_responder()
    incident = make_incident()
    request = RequestFactory().get("/hotline/")
    request.user = dispatcher
    html = render_to_string(INCIDENT_PANELS[0], {"incident": incident}, request=request)
    assert "Alert responders" in html
    request.user = User.objects.create_user("nobody", display_name="Nobody")
    assert "Alert responders" not in render_to_string(
        INCIDENT_PANELS[0], {"incident": incident}, request=request
    )


def test_the_panels_queries_do_not_grow_with_the_responders_alerted(
    dispatcher: User, logged_in: LoggedIn, make_responder: MakeResponder,
    make_incident: MakeIncident, django_assert_max_num_queries: Any,
) -> None:  # fmt: skip
    for _ in range(25):
        make_responder()
    incident = make_incident()
    client = logged_in(dispatcher)
    client.post(url(incident), {"action": "alert"})
    assert Alerted.objects.count() == 25
    with django_assert_max_num_queries(20):
        client.get(url(incident))


def test_the_consoles_incident_page_shows_the_panel_and_its_buttons_lead_back(
    dispatcher: User, logged_in: LoggedIn, make_responder: MakeResponder,
    make_incident: MakeIncident,
) -> None:  # fmt: skip
    make_responder("Jacinta Flores")
    incident = make_incident()
    client = logged_in(dispatcher)
    console = f"/hotline/incidents/{incident.id}/"
    page = client.get(console).content.decode()
    assert "Alert responders" in page and f'name="next" value="{console}"' in page
    response = client.post(url(incident), {"action": "alert", "next": console})
    assert response["Location"] == console
    assert "Jacinta Flores" in client.get(console).content.decode()
