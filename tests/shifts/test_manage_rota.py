"""Coordinators keep the rota and the fallback list; dispatchers read the Shifts page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import time, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from tests.conftest import MakeAccount
from tests.shifts.conftest import MakeDispatcher, MakeShift
from vecinos.core import audit
from vecinos.core.choices import Role
from vecinos.core.models import AuditEvent, User
from vecinos.shifts import services
from vecinos.shifts.choices import Weekday
from vecinos.shifts.models import FallbackContact, Shift
from vecinos.shifts.queries import fallback_contacts

pytestmark = pytest.mark.django_db


def test_a_coordinator_adds_changes_and_removes_a_shift_on_the_pages(
    coordinator: User, make_dispatcher: MakeDispatcher, logged_in: Callable[[User], Client]
) -> None:
    ana = make_dispatcher("ana", ["es", "mix"])
    beto = make_dispatcher("beto", ["ko"])
    browser = logged_in(coordinator)
    form = browser.get("/shifts/rota/new/").content.decode()
    assert "Ana (Spanish, Mixtec)" in form, "dispatchers are listed with their languages"
    response = browser.post(
        "/shifts/rota/new/",
        {
            "name": "Night",
            "weekday": "4",
            "starts_at": "22:00",
            "ends_at": "06:00",
            "dispatchers": [str(ana.id), str(beto.id)],
        },
    )
    assert response.status_code == 302
    shift = Shift.objects.get()
    assert (shift.weekday, shift.starts_at, shift.ends_at, shift.ends_next_day) == (
        Weekday.FRIDAY,
        time(22),
        time(6),
        True,
    )
    assert set(shift.dispatchers.all()) == {ana, beto}
    rota = browser.get("/shifts/rota/").content.decode()
    assert "22:00\u201306:00 (next day)" in rota and "Beto (Korean)" in rota

    browser.post(
        f"/shifts/rota/{shift.id}/",
        {"weekday": "5", "starts_at": "21:30", "ends_at": "23:00", "dispatchers": [str(beto.id)]},
    )
    shift.refresh_from_db()
    assert (shift.weekday, shift.starts_at, shift.name) == (Weekday.SATURDAY, time(21, 30), "")
    assert list(shift.dispatchers.all()) == [beto]

    browser.post(f"/shifts/rota/{shift.id}/", {"action": "delete"})
    assert not Shift.objects.exists()
    assert list(AuditEvent.objects.filter(actor=coordinator).values_list("action", flat=True)) == [
        audit.SHIFT_DELETED,
        audit.SHIFT_CHANGED,
        audit.SHIFT_CREATED,
        audit.USER_LOGGED_IN,
    ]
    assert browser.get(f"/shifts/rota/{shift.id}/").status_code == 404


def test_bad_shift_input_gets_a_clear_error(
    coordinator: User, make_account: MakeAccount, logged_in: Callable[[User], Client]
) -> None:
    responder = make_account("responder", Role.RESPONDER)
    browser = logged_in(coordinator)
    response = browser.post(
        "/shifts/rota/new/",
        {"weekday": "9", "starts_at": "25:00", "ends_at": "", "name": "x" * 61},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('class="error"') == 4
    assert not Shift.objects.exists()
    # Only dispatchers are offered, and the service refuses anyone else.
    response = browser.post(
        "/shifts/rota/new/",
        {"weekday": "1", "starts_at": "08:00", "ends_at": "16:00", "dispatchers": [responder.id]},
    )
    assert "Select a valid choice" in response.content.decode()
    with pytest.raises(services.NotADispatcherError):
        services.do_create_shift(
            coordinator, weekday=1, starts_at=time(8), ends_at=time(16), dispatchers=[responder]
        )
    with pytest.raises(ValueError, match="weekday"):
        services.do_create_shift(coordinator, weekday=7, starts_at=time(8), ends_at=time(16))
    assert not Shift.objects.exists()


def test_only_coordinators_change_the_rota(dispatcher: User, make_shift: MakeShift) -> None:
    shift = make_shift(Weekday.MONDAY, time(8), time(16), [dispatcher])
    with pytest.raises(PermissionDenied):
        services.do_create_shift(dispatcher, weekday=1, starts_at=time(8), ends_at=time(16))
    with pytest.raises(PermissionDenied):
        services.do_update_shift(
            dispatcher,
            shift,
            name="",
            weekday=1,
            starts_at=time(8),
            ends_at=time(9),
            dispatchers=[],
        )
    with pytest.raises(PermissionDenied):
        services.do_delete_shift(dispatcher, shift)
    with pytest.raises(PermissionDenied):
        services.do_add_fallback(dispatcher, dispatcher)
    assert Shift.objects.get().weekday == Weekday.MONDAY
    assert not AuditEvent.objects.exists()


def test_the_fallback_list_is_kept_in_order_and_skips_who_can_no_longer_answer(
    coordinator: User,
    make_account: MakeAccount,
    make_dispatcher: MakeDispatcher,
    logged_in: Callable[[User], Client],
) -> None:
    ana = make_dispatcher("ana", ["es"], phone="+12135550111")
    boss = make_account("boss", Role.COORDINATOR)
    member = make_account("member", Role.MEMBER)
    browser = logged_in(coordinator)
    for user in (ana, boss, coordinator):
        assert (
            browser.post("/shifts/fallback/", {"action": "add", "user": user.id}).status_code == 302
        )
    assert fallback_contacts() == [ana, boss, coordinator]
    assert fallback_contacts()[0].person.phone == "+12135550111"

    entry = FallbackContact.objects.get(user=coordinator)
    browser.post("/shifts/fallback/", {"action": "up", "contact": entry.id})
    assert fallback_contacts() == [ana, coordinator, boss]
    browser.post("/shifts/fallback/", {"action": "up", "contact": entry.id})
    browser.post("/shifts/fallback/", {"action": "up", "contact": entry.id})
    assert fallback_contacts() == [coordinator, ana, boss]
    browser.post("/shifts/fallback/", {"action": "down", "contact": entry.id})
    assert fallback_contacts() == [ana, coordinator, boss]

    page = browser.get("/shifts/fallback/").content.decode()
    assert page.index("Ana") < page.index("Coordinator") < page.index("Boss")
    response = browser.post("/shifts/fallback/", {"action": "add", "user": member.id}, follow=True)
    assert "Choose an account to add." in response.content.decode()
    with pytest.raises(services.NotEligibleFallbackError):
        services.do_add_fallback(coordinator, member)
    with pytest.raises(services.AlreadyOnFallbackError):
        services.do_add_fallback(coordinator, ana)

    boss.is_active = False
    boss.save(update_fields=["is_active"])
    ana.role_assignments.all().delete()
    assert fallback_contacts() == [coordinator]
    browser.post(
        "/shifts/fallback/",
        {"action": "remove", "contact": FallbackContact.objects.get(user=ana).id},
    )
    assert FallbackContact.objects.count() == 2
    changes = AuditEvent.objects.filter(action=audit.FALLBACK_CHANGED)
    assert changes.count() == 3 + 4 + 1
    assert changes.first().detail["order"] == [coordinator.id, boss.id]  # type: ignore[union-attr]


def test_the_shifts_page_shows_who_is_on_now_and_the_gaps_of_the_week(
    make_dispatcher: MakeDispatcher,
    make_shift: MakeShift,
    logged_in: Callable[[User], Client],
    django_assert_max_num_queries: Callable[[int], object],
) -> None:
    ana = make_dispatcher("ana", ["es", "en"])
    beto = make_dispatcher("beto", ["ko"])
    today = timezone.localdate()
    make_shift(today.weekday(), time(0), time(0), [ana], name="All day")
    tomorrow = (today + timedelta(days=1)).weekday()
    make_shift(tomorrow, time(8), time(20), [ana, beto])
    browser = logged_in(beto)
    with django_assert_max_num_queries(30):  # type: ignore[operator]
        page = browser.get("/shifts/").content.decode()
    now_section = page[page.index('id="now-heading"') : page.index('id="week-heading"')]
    assert "Ana" in now_section and "Spanish, English" in now_section
    assert "Nobody on shift now speaks: Korean." in now_section
    assert page.count('class="slot slot-gap"') >= 5, "most of the week is a gap"
    assert page.count("Gap: no dispatcher on shift") == page.count('class="slot slot-gap"')
    assert "no speaker of Korean" in page
    assert 'class="bar-gap"' in page
    mine = page[page.index('id="mine-heading"') : page.index('id="swaps-heading"')]
    assert "Offer this shift" in mine, "Beto is on tomorrow and may offer it"


def test_with_nobody_on_the_page_says_so_in_words_not_only_in_red(
    dispatcher: User, logged_in: Callable[[User], Client]
) -> None:
    page = logged_in(dispatcher).get("/shifts/").content.decode()
    assert "Nobody is on shift now." in page and "Calls ring the fallback list." in page
    assert page.count("Gap: no dispatcher on shift") == 7
    assert "You have no shifts in the next four weeks." in page
    assert "No shift is waiting for cover." in page


def test_a_coordinator_assigns_cover_on_the_cover_page(
    coordinator: User,
    make_dispatcher: MakeDispatcher,
    make_shift: MakeShift,
    logged_in: Callable[[User], Client],
) -> None:
    ana, beto = make_dispatcher("ana"), make_dispatcher("beto")
    tomorrow = timezone.localdate() + timedelta(days=1)
    shift = make_shift(tomorrow.weekday(), time(9), time(17), [ana])
    key = f"{shift.id}:{tomorrow.isoformat()}"
    browser = logged_in(coordinator)
    page = browser.get(f"/shifts/cover/?occurrence={key}").content.decode()
    assert f'<option value="{key}" selected>' in page
    response = browser.post(
        "/shifts/cover/", {"occurrence": key, "replaced": ana.id, "cover": beto.id}
    )
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action=audit.COVER_ASSIGNED).count() == 1
    again = browser.post(
        "/shifts/cover/", {"occurrence": key, "replaced": ana.id, "cover": beto.id}
    )
    assert "That dispatcher is not on this shift that day." in again.content.decode()
    same = browser.post(
        "/shifts/cover/", {"occurrence": key, "replaced": beto.id, "cover": beto.id}
    )
    assert "Choose someone else to cover." in same.content.decode()
    odd = browser.post("/shifts/cover/", {"occurrence": "1:not-a-date", "replaced": ana.id})
    assert odd.status_code == 200 and "Select a valid choice" in odd.content.decode()
