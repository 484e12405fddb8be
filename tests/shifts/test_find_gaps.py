"""coverage(): who is on over the coming days, where nobody is, and where a hotline language has
no speaker."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from tests.shifts.conftest import LA, MakeDispatcher, MakeShift, local
from vecinos.shifts import services
from vecinos.shifts.choices import Weekday
from vecinos.shifts.queries import CoverageInterval, coverage

pytestmark = pytest.mark.django_db

MONDAY = date(2025, 6, 2)


def spans(intervals: list[CoverageInterval]) -> list[tuple[str, str]]:
    """Each interval as local "Mon 06:00" times."""
    return [
        (f"{i.start.astimezone(LA):%a %H:%M}", f"{i.end.astimezone(LA):%a %H:%M}")
        for i in intervals
    ]


def test_gaps_are_the_stretches_with_nobody_on_joined_across_midnight(
    make_dispatcher: MakeDispatcher, make_shift: MakeShift
) -> None:
    ana = make_dispatcher("ana", ["es", "en", "ko"])
    make_shift(Weekday.MONDAY, time(6), time(22), [ana])
    make_shift(Weekday.TUESDAY, time(6), time(22), [ana])
    week = coverage(MONDAY, days=2)
    assert spans(week.gaps) == [
        ("Mon 00:00", "Mon 06:00"),
        ("Mon 22:00", "Tue 06:00"),
        ("Tue 22:00", "Wed 00:00"),
    ]
    monday = week.days[0]
    assert monday.date == MONDAY and monday.has_gap
    assert [(i.is_gap, [u.username for u in i.dispatchers]) for i in monday.intervals] == [
        (True, []),
        (False, ["ana"]),
        (True, []),
    ]
    assert monday.intervals[0].missing_languages == ("en", "es", "ko")
    assert week.language_gaps == []


def test_a_shift_with_nobody_on_it_is_a_gap_too(
    make_dispatcher: MakeDispatcher, make_shift: MakeShift
) -> None:
    make_shift(Weekday.MONDAY, time(0), time(0), [])
    assert spans(coverage(MONDAY, days=1).gaps) == [("Mon 00:00", "Tue 00:00")]


def test_full_coverage_has_no_gap_and_overlaps_split_the_day(
    make_dispatcher: MakeDispatcher, make_shift: MakeShift
) -> None:
    ana = make_dispatcher("ana", ["es", "en"])
    min_ji = make_dispatcher("minji", ["ko"])
    for weekday in Weekday.values:
        make_shift(weekday, time(8), time(8), [ana])
    make_shift(Weekday.MONDAY, time(12), time(20), [min_ji])
    week = coverage(MONDAY, days=7)
    assert week.gaps == []
    assert not any(day.has_gap for day in week.days)
    assert len(week.days) == 7
    # Korean is missing except while Min-ji is on.
    assert spans(week.language_gaps[:3]) == [
        ("Mon 00:00", "Mon 12:00"),
        ("Mon 20:00", "Tue 00:00"),
        ("Tue 00:00", "Wed 00:00"),
    ]
    assert week.language_gaps[0].missing_languages == ("ko",)
    assert [str(label) for label in week.language_gaps[0].missing_language_labels] == ["Korean"]
    monday = week.days[0].intervals
    assert [[u.username for u in i.dispatchers] for i in monday] == [
        ["ana"],
        ["ana", "minji"],
        ["ana"],
    ]
    assert monday[1].missing_languages == ()


def test_the_hotline_languages_come_from_the_settings(
    make_dispatcher: MakeDispatcher, make_shift: MakeShift, settings: object
) -> None:
    ana = make_dispatcher("ana", ["es"])
    make_shift(Weekday.MONDAY, time(0), time(0), [ana])
    settings.LANGUAGES = [("es", "Español"), ("en", "English")]  # type: ignore[attr-defined]
    [day] = coverage(MONDAY, days=1).days
    assert day.intervals[0].missing_languages == ("en",)


def test_swaps_are_applied_to_the_coverage(
    make_dispatcher: MakeDispatcher, make_shift: MakeShift
) -> None:
    ana = make_dispatcher("ana", ["es", "en", "ko"])
    beto = make_dispatcher("beto", ["es"])
    shift = make_shift(Weekday.MONDAY, time(0), time(0), [ana])
    swap = services.do_offer_swap(ana, shift, MONDAY, now=local(2025, 6, 1))
    services.do_accept_swap(beto, swap, now=local(2025, 6, 1))
    [day] = coverage(MONDAY, days=1).days
    assert [[u.username for u in i.dispatchers] for i in day.intervals] == [["beto"]]
    assert day.intervals[0].missing_languages == ("en", "ko")


def test_the_days_the_clocks_change_are_23_and_25_hours_long(
    make_dispatcher: MakeDispatcher, make_shift: MakeShift
) -> None:
    ana = make_dispatcher("ana", ["es", "en", "ko"])
    make_shift(Weekday.SATURDAY, time(22), time(6), [ana])
    spring = coverage(date(2025, 3, 8), days=2)
    assert spring.end - spring.start == timedelta(hours=47)
    assert spans(spring.gaps) == [("Sat 00:00", "Sat 22:00"), ("Sun 06:00", "Mon 00:00")]
    autumn = coverage(date(2025, 11, 1), days=2)
    assert autumn.end - autumn.start == timedelta(hours=49)
    on, gap = autumn.days[1].intervals
    assert on.end - on.start == timedelta(hours=7), "Sunday 00:00 PDT to 06:00 PST"
    assert gap.is_gap and gap.end - gap.start == timedelta(hours=18)


def test_an_absurd_number_of_days_is_refused(db: None) -> None:
    for days in (0, -1, 367):
        with pytest.raises(ValueError, match="days"):
            coverage(MONDAY, days=days)
