"""What a drill is run to measure: from the incident's opening to the first responder's YES, the
first on the scene, and the confirmation. Every time here comes from a controlled clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

import pytest
from django.db import transaction
from django.test import Client, override_settings

from tests.responders.conftest import HOME, MakeResponder
from vecinos.api import services as tokens
from vecinos.core.models import User
from vecinos.hotline import services as hotline
from vecinos.hotline.choices import IncidentStatus
from vecinos.hotline.models import Incident
from vecinos.hotline.services import ReportDetails
from vecinos.messaging.models import InboundMessage, OutboundMessage
from vecinos.responders import broad, services
from vecinos.responders.models import Alerted, BroadRecipient, Responder
from vecinos.responders.queries import IncidentTimes, incident_times

pytestmark = pytest.mark.django_db
LoggedIn = Callable[[User], Client]
# 3 a.m. on a weeknight, when raids happen.
T0 = datetime(2026, 3, 4, 11, 0, tzinfo=UTC)
_ids = count()


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def drill(dispatcher: User, minutes: float = 0) -> Incident:
    return hotline.do_start_drill(
        dispatcher,
        ReportDetails(what_seen="Practice: agents at the school", place="6th & Vermont", cell=HOME),
        language="es",
        now=at(minutes),
    )


def answer(responder: Responder, body: str, minutes: float) -> None:
    """A responder's text received at ``minutes``, handled as the messaging layer does."""
    message = InboundMessage.objects.create(
        gateway="simulator",
        provider_message_id=f"time-{next(_ids)}",
        sender=responder.person.phone,
        person=responder.person,
        body=body,
        received_at=at(minutes),
    )
    with transaction.atomic():
        assert services.take_answer(message)


def times_section(page: str) -> str:
    start = page.index('id="times-')
    return page[start : page.index("</section>", start)]


def minutes(value: timedelta | None) -> float | None:
    return None if value is None else value.total_seconds() / 60


def test_the_times_are_counted_from_the_incidents_opening(
    dispatcher: User, make_responder: MakeResponder
) -> None:
    ana, beto = make_responder("Ana"), make_responder("Beto")
    incident = drill(dispatcher)
    assert incident_times(incident) == IncidentTimes(T0, None, None, None, None)

    services.do_alert_responders(dispatcher, incident, now=at(1))
    answer(ana, "si, voy", 2.5)
    answer(ana, "no, perdón", 3)  # taken back: the first YES still came at 2.5
    answer(beto, "llegué", 9)
    answer(beto, "confirmo", 11)
    broad.do_approve(dispatcher, incident, now=at(12))

    times = incident_times(Incident.objects.get(id=incident.id))
    assert times.opened_at == T0
    assert minutes(times.alerted) == 1
    assert minutes(times.first_going) == 2.5
    assert minutes(times.first_on_scene) == 9
    assert minutes(times.confirmed) == 11  # the K-th (here the first) confirmation
    # Read from what is stored, never the clock: asked again, the same answer.
    assert incident_times(Incident.objects.get(id=incident.id)) == times


def test_confirmation_is_the_kth_responder_or_the_confirmed_step_whichever_first(
    dispatcher: User, make_responder: MakeResponder
) -> None:
    ana, beto, cruz = make_responder(), make_responder(), make_responder()
    with override_settings(VECINOS_CONFIRMATIONS_NEEDED=2):
        incident = drill(dispatcher)
        services.do_alert_responders(dispatcher, incident, now=at(2))
    answer(ana, "4", 4)  # CONFIRMED straight away: she went, and she is there
    times = incident_times(incident)
    assert (minutes(times.first_going), minutes(times.first_on_scene)) == (4, 4)
    assert times.confirmed is None  # 1 of 2
    beto_alerted = Alerted.objects.get(responder=beto)
    services.do_record_confirmation(dispatcher, incident, beto_alerted.id, now=at(6))
    assert minutes(incident_times(incident).confirmed) == 6

    other = drill(dispatcher, minutes=10)
    with override_settings(VECINOS_CONFIRMATIONS_NEEDED=2):
        services.do_alert_responders(dispatcher, other, now=at(11))
    answer(cruz, "confirmed", 13)
    # A dispatcher confirms by hand before a second responder does.
    hotline.do_move_incident(dispatcher, other, IncidentStatus.CONFIRMED, now=at(15))
    assert minutes(incident_times(other).confirmed) == 5
    services.do_record_confirmation(
        dispatcher, other, Alerted.objects.get(responder=ana, incident=other).id, now=at(20)
    )
    assert minutes(incident_times(other).confirmed) == 5


def test_the_incident_page_shows_the_drill_times_and_what_has_not_happened_yet(
    dispatcher: User, logged_in: LoggedIn, make_responder: MakeResponder
) -> None:
    responder = make_responder()
    incident = drill(dispatcher)
    services.do_alert_responders(dispatcher, incident, now=at(1))
    answer(responder, "si", 3.25)
    client = logged_in(dispatcher)
    url = f"/hotline/incidents/{incident.id}/"

    times = times_section(client.get(url).content.decode())
    assert "Drill times" in times
    assert "1 min 00 s" in times and "3 min 15 s" in times
    assert times.count("Not yet") == 2  # on scene, confirmed

    hotline.do_move_incident(dispatcher, incident, IncidentStatus.RESOLVED, now=at(30))
    times = times_section(client.get(url).content.decode())
    assert times.count("Never") == 2 and "Not yet" not in times

    real = hotline.do_open_incident(
        dispatcher,
        hotline.do_file_report(dispatcher, ReportDetails(cell=HOME), language="es"),
    )
    times = times_section(client.get(f"/hotline/incidents/{real.id}/").content.decode())
    assert ">Times</h2>" in times and "Drill times" not in times
    assert times.count("Not yet") == 4


def test_the_api_gives_an_incidents_times_in_seconds(
    coordinator: User, dispatcher: User, make_responder: MakeResponder
) -> None:
    responder = make_responder()
    incident = drill(dispatcher)
    services.do_alert_responders(dispatcher, incident, now=at(1))
    answer(responder, "llegué", 7)
    _row, token = tokens.do_issue_token(coordinator, dispatcher, "drill script")
    response = Client().get(
        f"/api/v1/incidents/{incident.id}", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200
    assert response.json()["is_drill"] is True
    assert response.json()["times"] == {
        "responders_alerted": 60,
        "first_responder_yes": 420,
        "first_responder_on_scene": 420,
        "confirmed": None,
    }
    listed = Client().get("/api/v1/incidents", headers={"Authorization": f"Bearer {token}"})
    assert "times" not in listed.json()[0]  # lists stay one query per kind of row


def test_a_drill_started_on_the_console_says_drill_to_everyone_and_never_goes_broad(
    dispatcher: User, logged_in: LoggedIn, make_responder: MakeResponder, text_in: Any,
) -> None:  # fmt: skip
    readers = {
        "es": make_responder(language="es"),
        "ko": make_responder(language="ko", languages=["ko"]),
        "en": make_responder(language="en", languages=["en"]),
    }
    client = logged_in(dispatcher)
    started = client.post(
        "/hotline/drills/new/",
        {"what_seen": "Practice", "place": "", "lat": "34.0617", "lng": "-118.3005",
         "language": "es"},
    )  # fmt: skip
    incident = Incident.objects.get()
    assert started["Location"] == f"/hotline/incidents/{incident.id}/"
    client.post(f"/responders/incidents/{incident.id}/", {"action": "alert"})
    text_in("si", sender=readers["es"].person.phone)
    text_in("네", sender=readers["ko"].person.phone)
    text_in("confirmed", sender=readers["en"].person.phone)
    client.post(f"/responders/incidents/{incident.id}/", {"action": "approve"})
    client.post(f"/responders/incidents/{incident.id}/", {"action": "send"})
    services.run_alerts()  # tells those going that it is confirmed

    marker = {"es": "SIMULACRO: ", "ko": "훈련: ", "en": "DRILL: "}
    sent = list(OutboundMessage.objects.all())
    assert len(sent) >= 6  # an alert each, the answers' replies, the confirmed updates
    for message in sent:
        assert message.person is not None, "only responders are texted"
        assert message.body.startswith(marker[message.language]), message.body
    assert not BroadRecipient.objects.exists()
    assert broad.refusal(incident, "alert") is not None
