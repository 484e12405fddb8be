"""The meeting calendar link: the meetings of one's own bodies, no one's name, a secret link."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from tests.assembly.conftest import MakeMember
from tests.conftest import log_in
from vecinos.assembly import services
from vecinos.assembly.models import AgendaItem, Assembly, Meeting, MeetingFeedToken
from vecinos.core.models import User


def test_the_feed_lists_my_bodies_meetings_with_the_agenda_and_no_names(
    plain_member: User, meeting: Meeting, make_member: MakeMember
) -> None:
    presenter = make_member("Librada Urbina")
    AgendaItem.objects.create(
        meeting=meeting, position=1, title="Brigada", time_box_minutes=20, presenter=presenter
    )
    elsewhere = Assembly.objects.create(name="Otra")
    Meeting.objects.create(
        assembly=elsewhere, title="Not mine", starts_at=timezone.now() + timedelta(days=2)
    )
    token = services.do_new_feed_link(plain_member)

    response = Client().get(f"/assembly/calendar/{token}.ics")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    assert [str(e["summary"]) for e in events] == ["Asamblea de Pico-Union: Asamblea de noviembre"]
    assert str(events[0]["location"]) == "Escuela Hoover"
    assert "Brigada (20 min)" in str(events[0]["description"])
    assert b"Librada" not in response.content and b"Tom" not in response.content


def test_a_new_link_stops_the_old_one_and_a_wrong_token_is_not_found(
    plain_member: User, meeting: Meeting
) -> None:
    old = services.do_new_feed_link(plain_member)
    client = log_in(Client(), plain_member)

    page = client.post("/assembly/calendar/", {"action": "new"})

    assert page["Cache-Control"] == "no-store"
    assert Client().get(f"/assembly/calendar/{old}.ics").status_code == 404
    assert Client().get("/assembly/calendar/short.ics").status_code == 404
    client.post("/assembly/calendar/", {"action": "stop"})
    assert not MeetingFeedToken.objects.filter(user=plain_member).exists()
