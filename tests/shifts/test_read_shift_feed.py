"""The calendar feed: a secret link per dispatcher, stored only as a keyed hash; their shifts with
stable UIDs and time zone, nobody else's name and no phone number; a wrong link is not found."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, time, timedelta

import pytest
from django.http import HttpResponse
from django.test import Client
from django.utils.html import escape
from icalendar import Calendar

from tests.shifts.conftest import LA, MakeDispatcher, MakeShift, local
from vecinos.core import audit
from vecinos.core.choices import Role
from vecinos.core.models import AuditEvent, RoleAssignment, User
from vecinos.shifts.choices import Weekday
from vecinos.shifts.feeds import feed
from vecinos.shifts.models import FeedToken, Shift

pytestmark = pytest.mark.django_db

WEDNESDAY = local(2025, 6, 4, 12)


@pytest.fixture
def ana(make_dispatcher: MakeDispatcher) -> User:
    return make_dispatcher("ana", ["es", "en"], phone="+12135550111")


@pytest.fixture
def night(make_shift: MakeShift, make_dispatcher: MakeDispatcher, ana: User) -> Shift:
    beto = make_dispatcher("beto", ["es"], phone="+12135550122")
    beto.display_name = "Beto Colleague"
    beto.save(update_fields=["display_name"])
    return make_shift(Weekday.MONDAY, time(22), time(6), [ana, beto], name="Night")


def events(text: bytes) -> list:  # type: ignore[type-arg]
    return list(Calendar.from_ical(text).walk("VEVENT"))


def plain(response: HttpResponse) -> str:
    """The page without its CSRF token, which differs on every response, and its own address,
    which the language switcher repeats."""
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    return page.replace(escape(response.wsgi_request.get_full_path()), "ADDRESS")


def new_link(client: Client) -> str:
    response = client.post("/shifts/calendar/", {"action": "new"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    match = re.search(
        r"http://[^\s<\"]+/shifts/feed/([A-Za-z0-9_-]+)\.ics", response.content.decode()
    )
    assert match, "the new link is shown once"
    assert f"webcal://{match.group(0).split('://')[1]}" in response.content.decode()
    return match.group(1)


def test_the_feed_holds_my_shifts_from_last_week_to_eight_weeks_ahead(
    ana: User, night: Shift
) -> None:
    text = feed(ana, now=WEDNESDAY)
    found = events(text)
    starts = [e.decoded("dtstart") for e in found]
    # Monday 2 June (last week's side) through Monday 28 July (eight weeks ahead).
    assert [s.date() for s in starts] == [date(2025, 6, 2) + timedelta(weeks=n) for n in range(9)]
    first = found[0]
    assert first["DTSTART"].params["TZID"] == "America/Los_Angeles"
    assert first.decoded("dtstart") == local(2025, 6, 2, 22)
    assert first.decoded("dtend") == local(2025, 6, 3, 6)
    assert str(first["SUMMARY"]) == "Dispatch shift: Night"
    assert str(first["UID"]) == f"shift-{night.id}-20250602-{ana.id}@localhost"
    assert b"BEGIN:VTIMEZONE" in text and b"TZID:America/Los_Angeles" in text
    assert all(str(e["DTSTAMP"].dt.tzinfo) == "UTC" for e in found)


def test_the_uids_stay_the_same_from_one_read_to_the_next(ana: User, night: Shift) -> None:
    first = [str(e["UID"]) for e in events(feed(ana, now=WEDNESDAY))]
    later = [str(e["UID"]) for e in events(feed(ana, now=WEDNESDAY + timedelta(days=7)))]
    assert len(set(first)) == len(first)
    assert first[1:] == later[:-1]


def test_the_feed_never_names_a_colleague_or_carries_a_phone_number(
    ana: User, night: Shift
) -> None:
    text = feed(ana, now=WEDNESDAY).decode()
    assert "Beto" not in text and "beto" not in text
    for digits in ("5550111", "5550122", "555-0111", "555-0122"):
        assert digits not in text
    assert "Ana" not in text, "not even the owner's own name: calendars sync it elsewhere"


def test_a_winter_shift_has_the_standard_offset_and_a_summer_one_daylight_time(
    ana: User, night: Shift
) -> None:
    winter = events(feed(ana, now=local(2025, 12, 10, 12)))
    assert winter[0].decoded("dtstart").utcoffset() == timedelta(hours=-8)
    summer = events(feed(ana, now=WEDNESDAY))
    assert summer[0].decoded("dtstart").utcoffset() == timedelta(hours=-7)
    assert winter[0].decoded("dtstart").tzinfo == LA


def test_a_link_works_without_a_login_and_only_its_keyed_hash_is_stored(
    ana: User, night: Shift, logged_in: Callable[[User], Client], client: Client
) -> None:
    token = new_link(logged_in(ana))
    response = client.get(f"/shifts/feed/{token}.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "no-cache" in response["Cache-Control"]
    assert len(events(response.content)) >= 8
    assert client.head(f"/shifts/feed/{token}.ics").status_code == 200, "some apps check first"
    link = FeedToken.objects.get(user=ana)
    assert link.token_hash != token and len(link.token_hash) == 64
    assert link.last_used_at is not None
    stored = str(list(FeedToken.objects.values())) + str(list(AuditEvent.objects.values()))
    assert token not in stored
    assert AuditEvent.objects.filter(action=audit.FEED_LINK_CREATED, actor=ana).count() == 1


def test_a_new_link_revokes_the_old_and_a_stopped_link_is_not_found(
    ana: User, night: Shift, logged_in: Callable[[User], Client], client: Client
) -> None:
    browser = logged_in(ana)
    old = new_link(browser)
    new = new_link(browser)
    assert old != new
    assert client.get(f"/shifts/feed/{old}.ics").status_code == 404
    assert client.get(f"/shifts/feed/{new}.ics").status_code == 200
    page = browser.get("/shifts/calendar/").content.decode()
    assert new not in page, "a link is shown only when it is made"
    assert browser.post("/shifts/calendar/", {"action": "stop"}).status_code == 302
    assert client.get(f"/shifts/feed/{new}.ics").status_code == 404
    assert not FeedToken.objects.exists()
    actions = list(AuditEvent.objects.filter(actor=ana).values_list("action", flat=True))
    assert actions.count(audit.FEED_LINK_CREATED) == 2
    assert actions.count(audit.FEED_LINK_REVOKED) == 1


@pytest.mark.parametrize(
    "token",
    [
        "A" * 43,
        "short",
        "x" * 2000,
        "not a token with spaces and ñ",
        "../../etc/passwd",
        "%00" * 20,
    ],
)
def test_a_wrong_link_gets_the_same_answer_as_an_address_that_does_not_exist(
    token: str, ana: User, night: Shift, logged_in: Callable[[User], Client], client: Client
) -> None:
    new_link(logged_in(ana))
    response = client.get(f"/shifts/feed/{token}.ics")
    nowhere = client.get("/shifts/no-such-page/")
    assert (response.status_code, nowhere.status_code) == (404, 404)
    assert plain(response) == plain(nowhere)
    assert FeedToken.objects.get().last_used_at is None


def test_a_link_stops_working_when_its_account_may_no_longer_see_shifts(
    ana: User, night: Shift, logged_in: Callable[[User], Client], client: Client
) -> None:
    token = new_link(logged_in(ana))
    RoleAssignment.objects.filter(user=ana, role=Role.DISPATCHER).delete()
    assert client.get(f"/shifts/feed/{token}.ics").status_code == 404
    RoleAssignment.objects.create(user=ana, role=Role.DISPATCHER)
    assert client.get(f"/shifts/feed/{token}.ics").status_code == 200
    ana.is_active = False
    ana.save(update_fields=["is_active"])
    assert client.get(f"/shifts/feed/{token}.ics").status_code == 404
