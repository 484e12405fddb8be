"""Reads of the rota: who is on when, with swaps applied, and where nobody is.

:func:`on_shift`, :func:`fallback_contacts` and :func:`coverage` are what other parts call (the
voice intake rings whoever :func:`on_shift` returns). They check no permission: they return
accounts and their languages, never a phone number; whoever then reads ``user.person.phone``
decides whether that read needs auditing.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from vecinos.core.choices import Role
from vecinos.core.models import User
from vecinos.core.permissions import Capability, check
from vecinos.organizing.choices import SpokenLanguage
from vecinos.shifts.choices import SwapStatus
from vecinos.shifts.models import FallbackContact, FeedToken, Shift, Swap


def network_zone() -> tzinfo:
    """The network's time zone (``VECINOS_TIME_ZONE``), in which shifts are written."""
    return timezone.get_default_timezone()


def hotline_languages() -> list[str]:
    """The languages callers can choose on the hotline: the interface's languages."""
    return [code for code, _name in settings.LANGUAGES]


def languages_of(user: User) -> list[str]:
    """The codes of the languages the person behind ``user`` speaks ([] without a person)."""
    try:
        return list(user.person.languages)
    except ObjectDoesNotExist:
        return []


def language_labels(codes: Iterable[str]) -> list[str]:
    labels = dict(SpokenLanguage.choices)
    return [str(labels.get(code, code)) for code in codes]


def dispatchers() -> QuerySet[User]:
    """Active accounts that hold the dispatcher role: only they are ever on shift."""
    return (
        User.objects.filter(is_active=True, role_assignments__role=Role.DISPATCHER)
        .select_related("person")
        .order_by("display_name", "id")
    )


@dataclass(frozen=True)
class Occurrence:
    """One shift on one day, with the dispatchers on it once swaps are applied."""

    shift: Shift
    date: date  # the local day it starts on
    start: datetime  # UTC
    end: datetime  # UTC
    dispatchers: tuple[User, ...]
    # Ids of the dispatchers on it through a swap or a coordinator's cover, not the rota.
    covering: frozenset[int] = frozenset()

    @property
    def key(self) -> str:
        """Names the occurrence in forms: ``"<shift id>:<YYYY-MM-DD>"``."""
        return f"{self.shift.id}:{self.date.isoformat()}"

    def has(self, user: User) -> bool:
        return any(d.id == user.id for d in self.dispatchers)

    def covers(self, at: datetime) -> bool:
        return self.start <= at < self.end


def occurrences(start: datetime, end: datetime, *, user: User | None = None) -> list[Occurrence]:
    """Every occurrence that overlaps ``[start, end)``, in order, with swaps applied; only those
    ``user`` is on, if given. Dispatchers who are deactivated or lost the role are left out.

    Five queries, whatever the range: the shifts, who is on them, the swaps, and the accounts.

    Raises:
        ValueError: ``start`` or ``end`` is naive.
    """
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise ValueError("occurrences() needs aware datetimes")
    zone = network_zone()
    # An occurrence starts on its local day and lasts at most 24 hours: the day before the
    # range can still be running at its start.
    first = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date()
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    weekdays = {day.weekday() for day in days}
    shifts = list(Shift.objects.filter(weekday__in=weekdays))
    rota: dict[int, set[int]] = defaultdict(set)
    through = Shift.dispatchers.through.objects.filter(shift__in=shifts)
    for shift_id, user_id in through.values_list("shift_id", "user_id"):
        rota[shift_id].add(user_id)
    swaps: dict[tuple[int, date], list[tuple[int, int]]] = defaultdict(list)
    covered = Swap.objects.filter(
        date__gte=first, date__lte=last, status=SwapStatus.COVERED, shift__in=shifts
    ).order_by("decided_at", "id")
    for shift_id, day, replaced_id, cover_id in covered.values_list(
        "shift_id", "date", "replaced_id", "covered_by_id"
    ):
        swaps[(shift_id, day)].append((replaced_id, cover_id))

    found: list[tuple[Shift, date, datetime, datetime, set[int], set[int]]] = []
    for day in days:
        for shift in shifts:
            if shift.weekday != day.weekday():
                continue
            shift_start, shift_end = shift.bounds(day, zone)
            if not (shift_start < end and shift_end > start) or shift_end <= shift_start:
                continue
            on = set(rota[shift.id])
            covering: set[int] = set()
            # In the order they were decided: B covering A, then C covering B, leaves C on.
            # A cover whose dispatcher has meanwhile left the rota still adds the cover, who
            # agreed to be on: an extra dispatcher is safer than a missing one.
            for replaced_id, cover_id in swaps[(shift.id, day)]:
                on.discard(replaced_id)
                covering.discard(replaced_id)
                on.add(cover_id)
                covering.add(cover_id)
            found.append((shift, day, shift_start, shift_end, on, covering))

    accounts = {u.id: u for u in dispatchers().filter(id__in=set().union(*(f[4] for f in found)))}
    result = []
    for shift, day, shift_start, shift_end, on, covering in found:
        if user is not None and user.id not in on:
            continue
        people = sorted(
            (accounts[i] for i in on if i in accounts), key=lambda u: (u.display_name, u.id)
        )
        result.append(
            Occurrence(
                shift=shift,
                date=day,
                start=shift_start,
                end=shift_end,
                dispatchers=tuple(people),
                covering=frozenset(covering & {u.id for u in people}),
            )
        )
    result.sort(key=lambda o: (o.start, o.end, o.shift.id))
    return result


def occurrence(shift: Shift, day: date) -> Occurrence | None:
    """The occurrence of ``shift`` that starts on local ``day``, or None if it has none then."""
    if day.weekday() != shift.weekday:
        return None
    start, end = shift.bounds(day, network_zone())
    for found in occurrences(start, end):
        if found.shift.id == shift.id and found.date == day:
            return found
    return None


def on_shift(at: datetime | None = None, language: str | None = None) -> list[User]:
    """The dispatchers on shift at ``at`` (default: now), swaps applied, ordered by name; only
    those who speak ``language`` (a code such as ``"ko"``) if given. Each account comes with its
    ``person`` loaded, so reading ``user.person`` costs no query.

    Raises:
        ValueError: ``at`` is naive.
    """
    at = timezone.now() if at is None else at
    on: dict[int, User] = {}
    for found in occurrences(at, at + timedelta(microseconds=1)):
        if found.covers(at):
            on.update((u.id, u) for u in found.dispatchers)
    people = sorted(on.values(), key=lambda u: (u.display_name, u.id))
    if language is not None:
        people = [u for u in people if language in languages_of(u)]
    return people


def fallback_contacts() -> list[User]:
    """The coordinators' ordered list to ring when nobody is on shift. Deactivated accounts and
    accounts no longer coordinator or dispatcher are skipped. ``person`` is loaded with each."""
    contacts = (
        FallbackContact.objects.filter(
            user__is_active=True,
            user__role_assignments__role__in=[Role.COORDINATOR, Role.DISPATCHER],
        )
        .select_related("user__person")
        .order_by("position", "id")
        .distinct()
    )
    return [contact.user for contact in contacts]


@dataclass(frozen=True)
class CoverageInterval:
    """A stretch of time during which the same dispatchers are on."""

    start: datetime  # UTC
    end: datetime  # UTC
    dispatchers: tuple[User, ...]
    # Hotline languages that nobody on speaks (all of them in a gap).
    missing_languages: tuple[str, ...]

    @property
    def is_gap(self) -> bool:
        """Nobody at all is on: calls ring the fallback list."""
        return not self.dispatchers

    @property
    def missing_language_labels(self) -> list[str]:
        return language_labels(self.missing_languages)

    def people(self) -> list[tuple[User, list[str]]]:
        """Each dispatcher on, with the names of the languages they speak."""
        return [(u, language_labels(languages_of(u))) for u in self.dispatchers]


@dataclass(frozen=True)
class CoverageDay:
    date: date  # local
    intervals: tuple[CoverageInterval, ...]

    @property
    def has_gap(self) -> bool:
        return any(i.is_gap for i in self.intervals)


@dataclass(frozen=True)
class Coverage:
    """Who is on over some days, as intervals split at local midnight (for showing day by day)."""

    start: datetime
    end: datetime
    days: tuple[CoverageDay, ...]

    @property
    def intervals(self) -> list[CoverageInterval]:
        return [i for day in self.days for i in day.intervals]

    @property
    def gaps(self) -> list[CoverageInterval]:
        """Stretches with no dispatcher at all, joined across midnight."""
        return _join([i for i in self.intervals if i.is_gap])

    @property
    def language_gaps(self) -> list[CoverageInterval]:
        """Stretches with someone on, but nobody on who speaks one of the hotline's languages."""
        return [i for i in self.intervals if not i.is_gap and i.missing_languages]


def coverage(start: date, days: int = 7) -> Coverage:
    """Who is on from local midnight of ``start`` for ``days`` days, and the gaps.

    Raises:
        ValueError: ``days`` is not between 1 and 366.
    """
    if not 1 <= days <= 366:
        raise ValueError("days must be between 1 and 366")
    zone = network_zone()
    midnights = [
        datetime.combine(start + timedelta(days=n), datetime.min.time(), tzinfo=zone).astimezone(
            UTC
        )
        for n in range(days + 1)
    ]
    window_start, window_end = midnights[0], midnights[-1]
    found = occurrences(window_start, window_end)
    cuts = set(midnights)
    for o in found:
        cuts.update(t for t in (o.start, o.end) if window_start < t < window_end)
    points = sorted(cuts)
    languages = hotline_languages()
    by_day: dict[date, list[CoverageInterval]] = defaultdict(list)
    for a, b in itertools.pairwise(points):
        on: dict[int, User] = {}
        for o in found:
            if o.start <= a and o.end >= b:
                on.update((u.id, u) for u in o.dispatchers)
        people = tuple(sorted(on.values(), key=lambda u: (u.display_name, u.id)))
        spoken = {code for u in people for code in languages_of(u)}
        interval = CoverageInterval(
            start=a,
            end=b,
            dispatchers=people,
            missing_languages=tuple(code for code in languages if code not in spoken),
        )
        by_day[a.astimezone(zone).date()].append(interval)
    return Coverage(
        start=window_start,
        end=window_end,
        days=tuple(
            CoverageDay(date=day, intervals=tuple(_join(by_day[day])))
            for day in (start + timedelta(days=n) for n in range(days))
        ),
    )


def _join(intervals: list[CoverageInterval]) -> list[CoverageInterval]:
    """Adjacent intervals with the same people become one."""
    joined: list[CoverageInterval] = []
    for interval in intervals:
        last = joined[-1] if joined else None
        if (
            last is not None
            and last.end == interval.start
            and [u.id for u in last.dispatchers] == [u.id for u in interval.dispatchers]
        ):
            joined[-1] = CoverageInterval(
                last.start, interval.end, last.dispatchers, last.missing_languages
            )
        else:
            joined.append(interval)
    return joined


# --- For the Shifts pages -------------------------------------------------------------------


def open_swaps(user: User, *, now: datetime | None = None) -> list[Swap]:
    """Swaps still looking for cover, for occurrences not yet over, soonest first.

    Raises:
        PermissionDenied: the user may not see shifts.
    """
    check(user, Capability.VIEW_SHIFTS)
    now = timezone.now() if now is None else now
    zone = network_zone()
    yesterday = now.astimezone(zone).date() - timedelta(days=1)
    swaps = (
        Swap.objects.filter(status=SwapStatus.OPEN, date__gte=yesterday)
        .select_related("shift", "replaced")
        .order_by("date", "shift__starts_at", "id")
    )
    return [s for s in swaps if s.shift.bounds(s.date, zone)[1] > now]


def access_swap(user: User, swap_id: int) -> Swap:
    """A swap, for someone who may see shifts.

    Raises:
        PermissionDenied: the user may not see shifts.
        Http404: no such swap.
    """
    check(user, Capability.VIEW_SHIFTS)
    return get_object_or_404(Swap.objects.select_related("shift", "replaced"), id=swap_id)


def access_shift(user: User, shift_id: int) -> Shift:
    """A rota shift, for someone who may change the rota.

    Raises:
        PermissionDenied: the user may not manage shifts.
        Http404: no such shift.
    """
    check(user, Capability.MANAGE_SHIFTS)
    return get_object_or_404(Shift, id=shift_id)


def rota_for(user: User) -> QuerySet[Shift]:
    """The weekly rota with its dispatchers (and their languages).

    Raises:
        PermissionDenied: the user may not see shifts.
    """
    check(user, Capability.VIEW_SHIFTS)
    return Shift.objects.prefetch_related(
        Prefetch("dispatchers", queryset=User.objects.select_related("person"))
    )


def fallback_list_for(user: User) -> QuerySet[FallbackContact]:
    """The fallback list as coordinators edit it, inactive accounts included (shown as such).

    Raises:
        PermissionDenied: the user may not manage shifts.
    """
    check(user, Capability.MANAGE_SHIFTS)
    return FallbackContact.objects.select_related("user__person").prefetch_related(
        "user__role_assignments"
    )


def feed_link_of(user: User) -> FeedToken | None:
    """The user's calendar link's record (never the token itself), if they made one."""
    return FeedToken.objects.filter(user=user).first()
