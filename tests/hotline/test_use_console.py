"""The dispatcher console: who may open it, what it lists, and the report page's actions, all
through HTTP as a dispatcher's browser sends them."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from tests.conftest import MakeAccount
from tests.hotline.conftest import TextIn
from vecinos.core import audit
from vecinos.core.choices import Role
from vecinos.core.models import AuditEvent, User
from vecinos.hotline import content, queries, services
from vecinos.hotline.choices import ContentKind, IncidentStatus, ReportStatus
from vecinos.hotline.models import BlockedNumber, Incident, Report
from vecinos.hotline.services import ReportDetails

pytestmark = pytest.mark.django_db
NUMBER = "+13235550150"
HERE = services.cell_for_point(34.0403, -118.2050)
LoggedIn = Callable[[User], Client]


def file(user: User, cell: str = HERE, **details: Any) -> Report:
    details.setdefault("what_seen", "Agents at the laundromat on 3rd")
    return services.do_file_report(
        user, ReportDetails(cell=cell, **details), language="es", caller=NUMBER
    )


def detail(report: Report) -> str:
    return f"/hotline/reports/{report.id}/"


def test_the_console_lists_open_incidents_and_unassigned_reports_with_their_claims(
    dispatcher: User, make_account: MakeAccount, logged_in: LoggedIn
) -> None:
    other = make_account("fermin", Role.DISPATCHER, display_name="Fermín Olvera")
    incident = services.do_open_incident(
        dispatcher, file(dispatcher, what_seen="Raid at the market")
    )
    services.do_add_to_incident(dispatcher, file(dispatcher), incident)
    waiting = file(dispatcher, cell="", what_seen="Two vans without plates near the school")
    claimed = file(dispatcher, cell="", what_seen="Checkpoint on Olympic")
    services.do_claim_report(other, claimed.id)
    closed = file(dispatcher, cell="")
    services.do_close_report(dispatcher, closed)

    page = logged_in(dispatcher).get("/hotline/").content.decode()
    assert f'data-incident-id="{incident.id}"' in page
    assert "Raid at the market" in page
    assert f'data-report-id="{waiting.id}"' in page and "Two vans without plates" in page
    assert f'data-report-id="{claimed.id}"' in page and "Fermín Olvera" in page
    assert f'data-report-id="{closed.id}"' not in page
    assert NUMBER not in page and "555-0150" not in page  # no caller in any list
    assert 'data-live-stream="/hotline/live/"' in page


def test_the_console_costs_the_same_queries_for_one_report_or_many(
    dispatcher: User, logged_in: LoggedIn, django_assert_max_num_queries: Any
) -> None:
    client = logged_in(dispatcher)
    incident = services.do_open_incident(dispatcher, file(dispatcher))
    file(dispatcher, cell="")
    client.get("/hotline/")  # warm the session
    with django_assert_max_num_queries(12) as few:
        client.get("/hotline/", headers={"HX-Request": "true"})
    for n in range(15):
        report = file(dispatcher, cell="", what_seen=f"report {n}")
        services.do_claim_report(dispatcher, report.id)
        services.do_add_to_incident(dispatcher, file(dispatcher), incident)
        services.do_open_incident(dispatcher, file(dispatcher, cell=""))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/hotline/", headers={"HX-Request": "true"})
    page = response.content.decode()
    assert page.count("data-report-id") == 16 and page.count("data-incident-id") == 16


@pytest.mark.parametrize("persona", ["responder", "organizer", "member", "partner", "outsider"])
def test_people_without_the_console_are_refused_and_read_nothing(
    persona: str, request: pytest.FixtureRequest, dispatcher: User, logged_in: LoggedIn
) -> None:
    user: User = request.getfixturevalue(persona)
    report = file(dispatcher)
    incident = services.do_open_incident(dispatcher, report)
    client = logged_in(user)
    before = AuditEvent.objects.count()
    for url in (
        "/hotline/",
        "/hotline/live/",
        detail(report),
        f"/hotline/incidents/{incident.id}/",
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(detail(report), {"action": "show_caller"}).status_code == 403
    assert client.post(detail(report), {"action": "claim"}).status_code == 403
    assert AuditEvent.objects.count() == before
    with pytest.raises(PermissionDenied):
        queries.access_caller(user, report)
    with pytest.raises(PermissionDenied):
        queries.access_report(user, report.id)
    assert not AuditEvent.objects.filter(action=audit.REPORT_CALLER_VIEWED).exists()
    report.refresh_from_db()
    assert report.claimed_by is None


def test_the_number_is_shown_only_on_request_and_every_read_is_recorded(
    dispatcher: User, logged_in: LoggedIn
) -> None:
    report = file(dispatcher)
    client = logged_in(dispatcher)
    page = client.get(detail(report)).content.decode()
    assert "555-0150" not in page and NUMBER not in page
    assert "Show number to call back" in page
    assert not AuditEvent.objects.filter(action=audit.REPORT_CALLER_VIEWED).exists()
    for _ in range(2):
        shown = client.post(detail(report), {"action": "show_caller"})
        assert shown.status_code == 200
        assert f'href="tel:{NUMBER}"' in shown.content.decode()
        assert shown["Cache-Control"] == "no-store"
    reads = AuditEvent.objects.filter(action=audit.REPORT_CALLER_VIEWED)
    assert [(e.actor, e.target_id) for e in reads] == [(dispatcher, str(report.id))] * 2
    assert NUMBER not in str(list(reads.values_list("detail", flat=True)))


def test_an_erased_number_says_so(dispatcher: User, logged_in: LoggedIn) -> None:
    report = file(dispatcher)
    services.do_close_report(dispatcher, report)
    Report.objects.filter(id=report.id).update(caller="", caller_hash="")
    page = logged_in(dispatcher).post(detail(report), {"action": "show_caller"}).content.decode()
    assert "The number was erased" in page


def test_the_second_dispatcher_to_claim_is_told_who_holds_the_report(
    dispatcher: User, make_account: MakeAccount, logged_in: LoggedIn
) -> None:
    fermin = make_account("fermin", Role.DISPATCHER, display_name="Fermín Olvera")
    report = file(dispatcher)
    first, second = logged_in(fermin), logged_in(dispatcher)
    claimed = first.post(detail(report), {"action": "claim"}, follow=True)
    assert "This report is yours" in claimed.content.decode()
    lost = second.post(detail(report), {"action": "claim"}, follow=True).content.decode()
    assert "Fermín Olvera is already calling this person back." in lost
    report.refresh_from_db()
    assert report.claimed_by == fermin
    # Only the holder can give it back; then the other may take it.
    refused = second.post(detail(report), {"action": "release"}, follow=True).content.decode()
    assert "Only the dispatcher holding a report can give it back." in refused
    first.post(detail(report), {"action": "release"})
    second.post(detail(report), {"action": "claim"})
    report.refresh_from_db()
    assert report.claimed_by == dispatcher
    fragment = second.get(detail(report), headers={"HX-Request": "true"}).content.decode()
    assert "You hold this report." in fragment and "<html" not in fragment


def test_the_report_page_shows_the_texts_and_the_script_in_the_callers_language(
    dispatcher: User, text_in: TextIn, logged_in: LoggedIn
) -> None:
    text_in("Hay agentes de la migra en la esquina de Main y 5th")
    text_in("son dos camionetas blancas")
    report = Report.objects.get()
    page = logged_in(dispatcher).get(detail(report)).content.decode()
    assert "esquina de Main y 5th" in page and "dos camionetas blancas" in page
    script = content.current(ContentKind.DISPATCHER_SCRIPT, "es").body.splitlines()[0]
    assert 'lang="es"' in page and escape(script) in page
    assert "Not reviewed by a lawyer" in page
    assert "Not placed on the map" in page
    assert NUMBER not in page


def test_saving_the_answers_with_a_pin_places_the_report_on_the_map(
    dispatcher: User, logged_in: LoggedIn
) -> None:
    report = file(dispatcher, cell="")
    client = logged_in(dispatcher)
    answers = {
        "action": "save",
        "what_seen": "ICE agents at the car wash",
        "place": "Car wash, Olympic and Soto",
        "lat": "34.0403",
        "lng": "-118.2050",
        "agency": "ice",
        "agents": "Six agents, two grey SUVs, vests marked ERO",
        "warrant": "administrative",
        "people_detained": "2",
    }
    response = client.post(detail(report), answers)
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.cell, report.place, report.agency, report.warrant, report.people_detained) == (
        HERE,
        "Car wash, Olympic and Soto",
        "ice",
        "administrative",
        2,
    )
    # Saved again without a pin and with the same place: it stays on the map.
    client.post(detail(report), {**answers, "lat": "", "lng": "", "people_detained": "3"})
    report.refresh_from_db()
    assert report.cell == HERE and report.people_detained == 3
    # A new address without a pin is kept as text, and the page says it is not on the map.
    client.post(detail(report), {**answers, "lat": "", "lng": "", "place": "Soto y Whittier"})
    report.refresh_from_db()
    assert (report.place, report.cell) == ("Soto y Whittier", "")
    assert "Not placed on the map" in client.get(detail(report)).content.decode()


@pytest.mark.parametrize(
    ("answers", "error"),
    [
        ({"lat": "34.04", "lng": ""}, "A map pin needs both a latitude and a longitude."),
        ({"lat": "134.04", "lng": "-118.2"}, "less than or equal to 90"),
        ({"lat": "nan", "lng": "-118.2"}, "Enter a number."),
        ({"people_detained": "-1"}, "greater than or equal to 0"),
        ({"what_seen": "x" * 5001}, "at most 5000 characters"),
        ({"agency": "gestapo"}, "Select a valid choice."),
    ],
)
def test_bad_answers_are_refused_with_a_clear_error(
    answers: dict[str, str], error: str, dispatcher: User, logged_in: LoggedIn
) -> None:
    report = file(dispatcher, cell="")
    data = {"action": "save", "agency": "unknown", "warrant": "unknown", **answers}
    response = logged_in(dispatcher).post(detail(report), data)
    assert response.status_code == 200
    assert error in response.content.decode()
    report.refresh_from_db()
    assert report.what_seen == "Agents at the laundromat on 3rd"


def test_a_dispatcher_accepts_a_proposed_grouping(dispatcher: User, logged_in: LoggedIn) -> None:
    incident = services.do_open_incident(dispatcher, file(dispatcher))
    second = file(dispatcher)
    assert second.proposed_incident == incident
    client = logged_in(dispatcher)
    page = client.get(detail(second)).content.decode()
    assert "Same event: add it to the incident" in page
    response = client.post(detail(second), {"action": "join", "incident": str(incident.id)})
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.incident == incident and second.proposed_incident is None
    assert AuditEvent.objects.filter(action=audit.REPORT_GROUPED, actor=dispatcher).count() == 1


def test_a_dispatcher_splits_a_report_into_a_new_incident(
    dispatcher: User, logged_in: LoggedIn
) -> None:
    first = services.do_open_incident(dispatcher, file(dispatcher))
    second = file(dispatcher)
    response = logged_in(dispatcher).post(detail(second), {"action": "new_incident"})
    second.refresh_from_db()
    assert second.incident is not None and second.incident != first
    assert response["Location"] == f"/hotline/incidents/{second.incident.id}/"
    assert Incident.objects.count() == 2


def test_a_report_is_added_by_hand_only_to_an_open_incident(
    dispatcher: User, logged_in: LoggedIn
) -> None:
    far = services.do_open_incident(dispatcher, file(dispatcher, cell=""))
    resolved = services.do_open_incident(dispatcher, file(dispatcher, cell=""))
    services.do_move_incident(dispatcher, resolved, IncidentStatus.RESOLVED)
    report = file(dispatcher, cell="")
    client = logged_in(dispatcher)
    refused = client.post(detail(report), {"action": "join", "incident": str(resolved.id)})
    assert "That incident is closed or gone. Choose an open one." in refused.content.decode()
    assert (
        client.post(detail(report), {"action": "join", "incident": str(far.id)}).status_code == 302
    )
    report.refresh_from_db()
    assert report.incident == far


def test_closing_and_blocking_from_the_report_page(dispatcher: User, logged_in: LoggedIn) -> None:
    report = file(dispatcher)
    client = logged_in(dispatcher)
    client.post(detail(report), {"action": "block", "reason": "threats"})
    assert BlockedNumber.objects.get().reason == "threats"
    assert not services.is_blocked("+13235550199") and services.is_blocked(NUMBER)
    client.post(detail(report), {"action": "close"})
    report.refresh_from_db()
    assert report.status == ReportStatus.CLOSED
    assert "Close this report" not in client.get(detail(report)).content.decode()
    assert client.post(detail(report), {"action": "explode"}).status_code == 400


def test_an_incident_moves_by_its_page_and_a_stale_step_gets_a_clear_message(
    dispatcher: User, logged_in: LoggedIn
) -> None:
    incident = services.do_open_incident(dispatcher, file(dispatcher))
    url = f"/hotline/incidents/{incident.id}/"
    client = logged_in(dispatcher)
    page = client.get(url).content.decode()
    assert 'value="responders_alerted"' in page and 'value="resolved"' in page
    client.post(url, {"status": "unfounded", "note": "It was a film crew"})
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.UNFOUNDED
    # A second dispatcher's page still offered "on scene", which can no longer follow.
    stale = client.post(url, {"status": "on_scene"})
    assert "someone may have moved it first" in stale.content.decode()
    timeline = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "It was a film crew" in timeline and "Dispatcher" in timeline
    client.post(url, {"status": "resolved"})
    incident.refresh_from_db()
    assert not incident.is_open
    assert 'name="status"' not in client.get(url).content.decode()


def test_the_incident_page_includes_the_panels_other_apps_register(
    dispatcher: User, logged_in: LoggedIn, settings: Any
) -> None:
    from vecinos.hotline import panels

    settings.TEMPLATES = [
        {
            **settings.TEMPLATES[0],
            "APP_DIRS": False,
            "OPTIONS": {
                **settings.TEMPLATES[0]["OPTIONS"],
                "loaders": [
                    (
                        "django.template.loaders.locmem.Loader",
                        {
                            "one.html": "<p>PANEL ONE {{ incident.id }}</p>",
                            "two.html": "<p>PANEL TWO {{ incident.get_status_display }}</p>",
                        },
                    ),
                    "django.template.loaders.app_directories.Loader",
                ],
            },
        }
    ]
    incident = services.do_open_incident(dispatcher, file(dispatcher))
    before = list(panels.INCIDENT_PANELS)
    try:
        panels.add_incident_panel("one.html")
        panels.add_incident_panel("two.html")
        panels.add_incident_panel("one.html")
        page = logged_in(dispatcher).get(f"/hotline/incidents/{incident.id}/").content.decode()
    finally:
        panels.INCIDENT_PANELS[:] = before
    assert page.index(f"PANEL ONE {incident.id}") < page.index("PANEL TWO Reported")
    assert page.count("PANEL ONE") == 1


def test_no_page_a_responder_can_open_shows_who_called(
    dispatcher: User, responder: User, member: User, text_in: TextIn, logged_in: LoggedIn
) -> None:
    from tests.pages import all_pages

    text_in("ICE at the corner store, call me back")
    report = Report.objects.get()
    services.do_open_incident(dispatcher, report)
    client = logged_in(responder)
    person = responder.person  # type: ignore[attr-defined]
    opened = []
    for page in all_pages():
        if page.name in {"core:logout", "core:set_language", "hotline:stream"}:
            continue
        response = client.get(page.url(person, member))
        if response.status_code == 200:
            opened.append(page.name)
            text = response.content.decode()
            assert "555-0150" not in text and "5550150" not in text, page.name
            assert "corner store" not in text, page.name
    assert "core:home" in opened
    assert not any(name.startswith("hotline:") for name in opened)
