"""The web intake: partners and dispatchers file a report with a form; bad input gets a clear
error and stores nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from vecinos.core import audit
from vecinos.core.models import AuditEvent, User
from vecinos.hotline import services
from vecinos.hotline.choices import ReportChannel
from vecinos.hotline.models import Report

pytestmark = pytest.mark.django_db
LoggedIn = Callable[[User], Client]
URL = "/hotline/reports/new/"
GOOD = {
    "what_seen": "Three agents in vests marked POLICE ICE knocking at 1420 Soto St",
    "place": "1420 Soto St",
    "lat": "",
    "lng": "",
    "language": "es",
    "callback": "(323) 555-0150",
}


def test_a_partner_files_a_report_the_dispatchers_see(
    partner: User, logged_in: LoggedIn, django_capture_on_commit_callbacks: Any
) -> None:
    client = logged_in(partner)
    assert client.get(URL).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, GOOD, follow=True)
    page = response.content.decode()
    assert response.redirect_chain == [(URL, 302)]
    assert "Report sent." in page
    assert "Not placed on the map" in page  # an address without a pin, until places lands
    report = Report.objects.get()
    assert (report.channel, report.language, report.filed_by) == (ReportChannel.WEB, "es", partner)
    assert report.caller == "+13235550150" and report.place == "1420 Soto St"
    assert report.cell == ""
    assert AuditEvent.objects.filter(action=audit.REPORT_FILED, actor=partner).count() == 1
    # A partner files; reading what follows is the dispatchers' work.
    assert client.get(f"/hotline/reports/{report.id}/").status_code == 403


def test_a_dispatcher_files_with_a_pin_and_lands_on_the_report(
    dispatcher: User, logged_in: LoggedIn
) -> None:
    data = {**GOOD, "lat": "34.0403", "lng": "-118.2050", "callback": "", "language": "ko"}
    response = logged_in(dispatcher).post(URL, data)
    report = Report.objects.get()
    assert response["Location"] == f"/hotline/reports/{report.id}/"
    assert report.cell == services.cell_for_point(34.0403, -118.2050)
    assert (report.caller, report.caller_hash, report.language) == ("", "", "ko")


def test_a_pin_alone_is_a_place(dispatcher: User, logged_in: LoggedIn) -> None:
    data = {**GOOD, "place": "", "lat": "34.0403", "lng": "-118.2050"}
    logged_in(dispatcher).post(URL, data)
    assert Report.objects.get().place == "34.0403, -118.2050"


@pytest.mark.parametrize(
    ("changes", "field", "error"),
    [
        ({"what_seen": "   "}, "what_seen", "Say what was seen."),
        ({"what_seen": "x" * 5001}, "what_seen", "at most 5000 characters"),
        ({"what_seen": "agents\x00here"}, "what_seen", "Null characters are not allowed."),
        ({"place": ""}, "place", "Say where: an address or cross streets"),
        (
            {"place": "", "lat": "34.04"},
            "place",
            "A map pin needs both a latitude and a longitude.",
        ),
        ({"lat": "34.04", "lng": "inf"}, "lng", "Enter a number."),
        ({"lat": "-91", "lng": "0"}, "lat", "greater than or equal to -90"),
        ({"place": "y" * 301}, "place", "at most 300 characters"),
        ({"language": "fr"}, "language", "Select a valid choice."),
        ({"callback": "call me"}, "callback", "That is not a phone number."),
        ({"callback": "555"}, "callback", "That phone number does not exist."),
        ({"callback": "1" * 41}, "callback", "at most 40 characters"),
    ],
)
def test_bad_input_gets_a_clear_error_and_files_nothing(
    changes: dict[str, str], field: str, error: str, partner: User, logged_in: LoggedIn
) -> None:
    response = logged_in(partner).post(URL, {**GOOD, **changes})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert any(error in message for message in errors[field]), errors
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not Report.objects.exists()


def test_odd_text_is_kept_as_written(partner: User, logged_in: LoggedIn) -> None:
    text = "¡Migra! 이민국 <script>alert(1)</script> \u202e reversed"
    logged_in(partner).post(URL, {**GOOD, "what_seen": text, "place": "Vermont & 3rd"})
    report = Report.objects.get()
    assert report.what_seen == text and report.place == "Vermont & 3rd"


@pytest.mark.parametrize("persona", ["responder", "member", "organizer", "outsider"])
def test_only_partners_and_dispatchers_file_reports(
    persona: str, request: pytest.FixtureRequest, logged_in: LoggedIn
) -> None:
    client = logged_in(request.getfixturevalue(persona))
    assert client.get(URL).status_code == 403
    assert client.post(URL, GOOD).status_code == 403
    assert not Report.objects.exists()
