"""Starting a drill from the console, over HTTP as a dispatcher's browser does it, and the DRILL
marks that keep anyone from taking a practice incident for a real raid."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from vecinos.core import audit
from vecinos.core.models import AuditEvent, User
from vecinos.hotline import services
from vecinos.hotline.models import Incident, Report
from vecinos.hotline.services import ReportDetails
from vecinos.messaging.models import OutboundMessage
from vecinos.places.geo import name_key
from vecinos.places.models import ZipCode, Zone, ZoneCell

pytestmark = pytest.mark.django_db
LoggedIn = Callable[[User], Client]
NEW = "/hotline/drills/new/"
# Koreatown, Los Angeles: a pin, and its cell at the network's resolution.
PIN = {"lat": "34.0617", "lng": "-118.3005"}
HOME = services.cell_for_point(34.0617, -118.3005)


def drill_form(**overrides: str) -> dict[str, str]:
    return {
        "what_seen": "Practice: two vans and agents in vests at 6th and Vermont",
        "place": "6th & Vermont",
        **PIN,
        "language": "ko",
        **overrides,
    }


def koreatown() -> Zone:
    zone = Zone.objects.create(name="Koreatown", name_key=name_key("Koreatown"), centre_cell=HOME)
    ZoneCell.objects.create(cell=HOME, zone=zone)
    ZipCode.objects.create(code="90005", zone=zone)
    return zone


def test_a_dispatcher_starts_a_drill_and_lands_on_its_incident(
    dispatcher: User, logged_in: LoggedIn
) -> None:
    client = logged_in(dispatcher)
    form = client.get(NEW).content.decode()
    assert 'name="what_seen"' in form and 'name="lat"' in form and "badge-drill" in form

    response = client.post(NEW, drill_form())
    incident = Incident.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/hotline/incidents/{incident.id}/"
    report = Report.objects.get()
    assert incident.is_drill and report.is_drill and report.incident == incident
    assert incident.cell == HOME and incident.language == "ko"
    assert incident.opened_by == dispatcher and report.filed_by == dispatcher
    assert report.caller == "" and not report.caller_hash  # nobody called
    started = AuditEvent.objects.get(action=audit.DRILL_STARTED)
    assert started.actor == dispatcher and started.detail == {"report_id": report.id}
    # A drill has no caller: no automatic reply, and no text to anyone at all yet.
    assert not OutboundMessage.objects.exists()

    page = client.get(response["Location"]).content.decode()
    assert "<title>DRILL · Incident #" in page
    assert 'id="drill-banner"' in page and "This is a drill, not a real raid" in page
    assert "Drill started." in page


def test_a_drill_is_placed_by_a_zones_name_or_zip_code(
    dispatcher: User, logged_in: LoggedIn
) -> None:
    koreatown()
    client = logged_in(dispatcher)
    client.post(NEW, drill_form(place="koreatown", lat="", lng=""))
    client.post(NEW, drill_form(place="Wilshire Blvd, Los Angeles 90005", lat="", lng=""))
    first, second = Incident.objects.order_by("id")
    assert first.cell == second.cell == HOME
    assert first.place == "koreatown"  # as typed
    assert second.place == "Wilshire Blvd, Los Angeles 90005"


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"place": "Somewhere nice", "lat": "", "lng": ""}, "A drill needs a place on the map"),
        ({"place": "", "lat": "", "lng": ""}, "Say where"),
        ({"lat": "34.06", "lng": ""}, "needs both a latitude and a longitude"),
        ({"lat": "134", "lng": "-118.3"}, "less than or equal to 90"),
        ({"what_seen": ""}, "Say what the practice report says."),
        ({"what_seen": "x" * 5001}, "at most 5000 characters"),
        ({"language": "xx"}, "Select a valid choice"),
    ],
)
def test_a_drill_that_cannot_be_started_says_why_and_files_nothing(
    dispatcher: User, logged_in: LoggedIn, overrides: dict[str, str], error: str
) -> None:
    response = logged_in(dispatcher).post(NEW, drill_form(**overrides))
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Report.objects.exists() and not Incident.objects.exists()


@pytest.mark.parametrize("persona", ["responder", "organizer", "partner", "member"])
def test_only_console_users_start_drills(
    persona: str, request: pytest.FixtureRequest, logged_in: LoggedIn
) -> None:
    user: User = request.getfixturevalue(persona)
    client = logged_in(user)
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, drill_form()).status_code == 403
    assert not Report.objects.exists() and not Incident.objects.exists()
    with pytest.raises(PermissionDenied):
        services.do_start_drill(user, ReportDetails(what_seen="x", cell=HOME), language="es")
    assert not AuditEvent.objects.filter(action=audit.DRILL_STARTED).exists()


def test_the_service_refuses_a_drill_off_the_map(dispatcher: User) -> None:
    with pytest.raises(services.DrillNotOnMapError):
        services.do_start_drill(dispatcher, ReportDetails(what_seen="x", place="?"), language="es")
    assert not Report.objects.exists()


def test_drills_are_marked_drill_everywhere_on_the_console(
    dispatcher: User, logged_in: LoggedIn
) -> None:
    client = logged_in(dispatcher)
    real_report = services.do_file_report(
        dispatcher, ReportDetails(what_seen="Real: agents at the market", cell=HOME), language="es"
    )
    real = services.do_open_incident(dispatcher, real_report)
    drill = services.do_start_drill(
        dispatcher, ReportDetails(what_seen="Practice raid at the school", cell=HOME), language="es"
    )
    waiting_drill = services.do_file_report(
        dispatcher,
        ReportDetails(what_seen="Practice: a second caller", cell=""),
        language="es",
        is_drill=True,
    )

    def row(html: str, marker: str) -> str:
        start = html.index(marker)
        return html[start : html.index("</tr>", start)]

    for console in (
        client.get("/hotline/").content.decode(),
        client.get("/hotline/", headers={"HX-Request": "true"}).content.decode(),
    ):
        assert "DRILL" in row(console, f'data-incident-id="{drill.id}"')
        assert "DRILL" not in row(console, f'data-incident-id="{real.id}"')
        assert "DRILL" in row(console, f'data-report-id="{waiting_drill.id}"')
    assert f'href="{NEW}"' in client.get("/hotline/").content.decode()

    page = client.get(f"/hotline/incidents/{drill.id}/").content.decode()
    assert page.count("badge-drill") >= 3  # the heading, the timeline, its report
    live = client.get(
        f"/hotline/incidents/{drill.id}/", headers={"HX-Request": "true"}
    ).content.decode()
    assert "badge-drill" in live
    report_page = client.get(f"/hotline/reports/{drill.reports.get().id}/").content.decode()
    assert "<title>DRILL · Report #" in report_page and 'id="drill-banner"' in report_page

    real_page = client.get(f"/hotline/incidents/{real.id}/").content.decode()
    assert "badge-drill" not in real_page and "drill-banner" not in real_page
    assert "DRILL" not in real_page


def test_drills_and_real_incidents_never_mix(dispatcher: User, logged_in: LoggedIn) -> None:
    drill = services.do_start_drill(
        dispatcher, ReportDetails(what_seen="Practice", cell=HOME), language="es"
    )
    real = services.do_file_report(
        dispatcher, ReportDetails(what_seen="Real agents", cell=HOME), language="es"
    )
    assert real.proposed_incident is None
    page = logged_in(dispatcher).get(f"/hotline/reports/{real.id}/").content.decode()
    assert f'value="{drill.id}"' not in page
