"""on_shift(): who is on at a moment, across midnight and the clock changes, by language."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from django.utils import timezone

from tests.shifts.conftest import MakeDispatcher, MakeShift, local
from vecinos.core.choices import Role
from vecinos.core.models import RoleAssignment
from vecinos.shifts.choices import Weekday
from vecinos.shifts.queries import occurrences, on_shift

pytestmark = pytest.mark.django_db


def names(users: list) -> list[str]:  # type: ignore[type-arg]
    return [u.username for u in users]


def test_a_night_shift_runs_past_midnight_into_the_next_day(
    make_dispatcher: MakeDispatcher, make_shift: MakeShift
) -> None:
    noche = make_dispatcher("noche")
    make_shift(Weekday.MONDAY, time(22), time(6), [noche])
    # 2 June 2025 is a Monday.
    assert on_shift(local(2025, 6, 2, 21, 59)) == []
    assert names(on_shift(local(2025, 6, 2, 22, 0))) == ["noche"]
    assert names(on_shift(local(2025, 6, 3, 0, 0))) == ["noche"]
    assert names(on_shift(local(2025, 6, 3, 5, 59))) == ["noche"]
    assert on_shift(local(2025, 6, 3, 6, 0)) == [], "the end is not part of the shift"
    assert on_shift(local(2025, 6, 3, 23, 0)) == [], "Tuesday night has no shift"
    assert names(on_shift(local(2025, 6, 9, 23, 0))) == ["noche"], "every week"


def test_the_moment_may_be_given_in_any_time_zone(
    make_dispatcher: MakeDispatcher, make_shift: MakeShift
) -> None:
    noche = make_dispatcher("noche")
    make_shift(Weekday.MONDAY, time(22), time(6), [noche])
    # Tuesday 05:30 UTC is Monday 22:30 in Los Angeles (summer time, UTC-7).
    assert names(on_shift(datetime(2025, 6, 3, 5, 30, tzinfo=UTC))) == ["noche"]
    assert on_shift(datetime(2025, 6, 2, 23, 0, tzinfo=UTC)) == []


def test_a_night_shift_over_the_spring_change_is_an_hour_shorter(
    make_dispatcher: MakeDispatcher, make_shift: MakeShift
) -> None:
    noche = make_dispatcher("noche")
    make_shift(Weekday.SATURDAY, time(22), time(6), [noche])
    # Clocks go from 02:00 to 03:00 on Sunday 9 March 2025.
    [night] = occurrences(local(2025, 3, 8, 12), local(2025, 3, 9, 12))
    assert night.end - night.start == timedelta(hours=7)
    assert night.start == datetime(2025, 3, 9, 6, 0, tzinfo=UTC)  # 22:00 PST
    assert night.end == datetime(2025, 3, 9, 13, 0, tzinfo=UTC)  # 06:00 PDT
    assert names(on_shift(datetime(2025, 3, 9, 12, 59, tzinfo=UTC))) == ["noche"]
    # Without the change the shift would run until 14:00 UTC.
    assert on_shift(datetime(2025, 3, 9, 13, 30, tzinfo=UTC)) == []


def test_a_night_shift_over_the_autumn_change_is_an_hour_longer(
    make_dispatcher: MakeDispatcher, make_shift: MakeShift
) -> None:
    noche = make_dispatcher("noche")
    make_shift(Weekday.SATURDAY, time(22), time(6), [noche])
    # Clocks go from 02:00 back to 01:00 on Sunday 2 November 2025.
    [night] = occurrences(local(2025, 11, 1, 12), local(2025, 11, 2, 12))
    assert night.end - night.start == timedelta(hours=9)
    assert names(on_shift(local(2025, 11, 2, 1, 30, fold=0))) == ["noche"]
    assert names(on_shift(local(2025, 11, 2, 1, 30, fold=1))) == ["noche"]
    assert names(on_shift(datetime(2025, 11, 2, 13, 59, tzinfo=UTC))) == ["noche"]  # 05:59 PST
    assert on_shift(datetime(2025, 11, 2, 14, 0, tzinfo=UTC)) == []


def test_a_shift_starting_in_the_spring_gap_starts_when_the_clock_has_jumped(
    make_dispatcher: MakeDispatcher, make_shift: MakeShift
) -> None:
    early = make_dispatcher("early")
    make_shift(Weekday.SUNDAY, time(2, 30), time(8), [early])
    [shift] = occurrences(local(2025, 3, 9), local(2025, 3, 10))
    # 02:30 does not exist that day: the shift begins at 03:30 PDT (10:30 UTC).
    assert shift.start == datetime(2025, 3, 9, 10, 30, tzinfo=UTC)
    assert shift.end == local(2025, 3, 9, 8)
    assert on_shift(datetime(2025, 3, 9, 10, 29, tzinfo=UTC)) == []
    assert names(on_shift(datetime(2025, 3, 9, 10, 30, tzinfo=UTC))) == ["early"]


def test_equal_start_and_end_make_a_whole_day(
    make_dispatcher: MakeDispatcher, make_shift: MakeShift
) -> None:
    allday = make_dispatcher("allday")
    make_shift(Weekday.WEDNESDAY, time(8), time(8), [allday])
    assert names(on_shift(local(2025, 6, 4, 8))) == ["allday"]
    assert names(on_shift(local(2025, 6, 5, 7, 59))) == ["allday"]
    assert on_shift(local(2025, 6, 5, 8)) == []


def test_the_language_filter_keeps_only_those_who_speak_it(
    make_dispatcher: MakeDispatcher, make_shift: MakeShift
) -> None:
    ana = make_dispatcher("ana", ["es", "en"])
    min_ji = make_dispatcher("minji", ["ko", "en"])
    beto = make_dispatcher("beto", ["es", "mix"])
    make_shift(Weekday.MONDAY, time(8), time(16), [ana, min_ji])
    make_shift(Weekday.MONDAY, time(12), time(20), [beto])
    at = local(2025, 6, 2, 13)
    assert names(on_shift(at)) == ["ana", "beto", "minji"]
    assert names(on_shift(at, language="es")) == ["ana", "beto"]
    assert names(on_shift(at, language="ko")) == ["minji"]
    assert names(on_shift(at, language="en")) == ["ana", "minji"]
    assert names(on_shift(at, language="mix")) == ["beto"]
    assert on_shift(at, language="zh") == []
    assert names(on_shift(local(2025, 6, 2, 17), language="es")) == ["beto"]


def test_someone_on_two_overlapping_shifts_is_listed_once(
    make_dispatcher: MakeDispatcher, make_shift: MakeShift
) -> None:
    ana = make_dispatcher("ana")
    make_shift(Weekday.MONDAY, time(8), time(16), [ana])
    make_shift(Weekday.MONDAY, time(12), time(20), [ana])
    assert names(on_shift(local(2025, 6, 2, 13))) == ["ana"]


def test_deactivated_accounts_and_those_no_longer_dispatchers_are_never_on(
    make_dispatcher: MakeDispatcher, make_shift: MakeShift
) -> None:
    ana, beto, cruz = (make_dispatcher(n) for n in ("ana", "beto", "cruz"))
    make_shift(Weekday.MONDAY, time(8), time(16), [ana, beto, cruz])
    beto.is_active = False
    beto.save(update_fields=["is_active"])
    RoleAssignment.objects.filter(user=cruz, role=Role.DISPATCHER).delete()
    assert names(on_shift(local(2025, 6, 2, 9))) == ["ana"]


def test_each_account_comes_with_its_person_and_costs_a_fixed_number_of_queries(
    make_dispatcher: MakeDispatcher,
    make_shift: MakeShift,
    django_assert_max_num_queries: object,
) -> None:
    team = [make_dispatcher(f"d{n}", ["es"], phone=f"+1213555010{n}") for n in range(8)]
    make_shift(Weekday.MONDAY, time(8), time(16), team)
    make_shift(Weekday.SUNDAY, time(20), time(10), team[:3])
    with django_assert_max_num_queries(5):  # type: ignore[operator]
        users = on_shift(local(2025, 6, 2, 9))
        assert [u.person.phone for u in users] == [f"+1213555010{n}" for n in range(8)]


def test_without_a_moment_it_means_now_and_a_naive_moment_is_refused(
    make_dispatcher: MakeDispatcher, make_shift: MakeShift
) -> None:
    ana = make_dispatcher("ana")
    now = timezone.localtime()
    make_shift(now.weekday(), time(0), time(0), [ana])
    assert names(on_shift()) == ["ana"]
    with pytest.raises(ValueError, match="aware"):
        on_shift(datetime(2025, 6, 2, 9))  # noqa: DTZ001  # naive on purpose


def test_a_shift_knows_whether_the_rota_alone_has_it_running(make_shift: MakeShift) -> None:
    night = make_shift(Weekday.SUNDAY, time(22), time(6))
    zone = local(2025, 1, 1).tzinfo
    assert zone is not None
    assert night.covers(local(2025, 6, 2, 5, 59), zone), "Monday morning, from Sunday night"
    assert not night.covers(local(2025, 6, 2, 6), zone)
    assert not night.covers(local(2025, 6, 2, 23), zone)
    assert night.covers(local(2025, 6, 1, 23), zone)
