"""How the network grew, month by month: people on each step of the ladder, people at the
assemblies, trainings completed, and responders per neighborhood. Counts only, never who, so
the dashboard can be shown at an assembly ("we quadrupled in a year" is a chart).

Each figure is a few aggregate queries whatever the size of the network, except the ladder,
which replays the dated steps once (one row per step, read in order).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from vecinos.core import charts
from vecinos.core.permissions import Capability, check
from vecinos.organizing.choices import Stage
from vecinos.organizing.models import Person, StageStep

if TYPE_CHECKING:
    from vecinos.core.models import User

MONTHS = 12

# One colour per rung of the ladder, from the first contact (light) to leaders (dark).
STAGE_CHART_COLOURS = {
    Stage.CONTACT: "#9db8d9",
    Stage.ASSEMBLY: "#5d8fc7",
    Stage.VOLUNTEER: "#2e7d4f",
    Stage.RESPONDER: "#b5651d",
    Stage.DISPATCHER: "#a23b3b",
    Stage.LEADER: "#4b2384",
}


@dataclass(frozen=True)
class Month:
    """A calendar month in the network's time zone; ``end`` is the next month's start, or now
    for the month under way (its figures are so far)."""

    start: datetime
    end: datetime

    @property
    def short(self) -> str:
        return date_format(self.start, "M")

    @property
    def long(self) -> str:
        return date_format(self.start, "YEAR_MONTH_FORMAT")


def last_months(now: datetime | None = None, count: int = MONTHS) -> list[Month]:
    """The ``count`` calendar months up to and including the current one, oldest first."""
    now = timezone.localtime(now or timezone.now())
    first = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    starts = []
    year, month = first.year, first.month
    for _i in range(count):
        starts.append(first.replace(year=year, month=month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    # (The zone's rules give each start its own offset: a month may begin on the other side of
    # a change to or from summer time.)
    starts.reverse()
    ends = [*starts[1:], now]
    return [Month(s, e) for s, e in zip(starts, ends, strict=True)]


@dataclass(frozen=True)
class Ladder:
    """People on each stage at the end of each month (``counts[stage][i]`` for months[i])."""

    months: list[Month]
    counts: dict[str, list[int]]

    def totals(self) -> list[int]:
        return [sum(c[i] for c in self.counts.values()) for i in range(len(self.months))]


def ladder_by_month(months: list[Month]) -> Ladder:
    """Replays the dated steps (StageStep) in time order: at each month's end, every person is on
    the stage of their newest step so far. People who were deleted are in no month. Two queries,
    read in chunks, merged in time order."""
    counts = {stage: [0] * len(months) for stage in Stage.values}
    current: dict[int, str] = {}
    on_stage = dict.fromkeys(Stage.values, 0)
    end = months[-1].end
    dated = (
        (at, person_id, stage)
        for person_id, stage, at in StageStep.objects.filter(at__lt=end)
        .order_by("at", "id")
        .values_list("person_id", "stage", "at")
        .iterator(chunk_size=5000)
    )
    # Someone added without a step (by a text, say) is a contact since they were added.
    undated = (
        (created_at, person_id, Stage.CONTACT.value)
        for person_id, created_at in Person.objects.filter(
            stage_steps__isnull=True, created_at__lt=end
        )
        .order_by("created_at", "id")
        .values_list("id", "created_at")
        .iterator(chunk_size=5000)
    )
    steps = ((p, s, at) for at, p, s in heapq.merge(dated, undated, key=lambda step: step[0]))
    i = 0
    for person_id, stage, at in steps:
        while i < len(months) and at >= months[i].end:
            for s in Stage.values:
                counts[s][i] = on_stage[s]
            i += 1
        before = current.pop(person_id, None)
        if before is not None:
            on_stage[before] -= 1
        if stage in on_stage:  # a stage no longer on the ladder counts nowhere
            current[person_id] = stage
            on_stage[stage] += 1
    while i < len(months):
        for s in Stage.values:
            counts[s][i] = on_stage[s]
        i += 1
    return Ladder(months, counts)


def attendance_by_month(months: list[Month]) -> tuple[list[int], list[int]]:
    """People present (the counts taken in the room, summed) and meetings held, per month, at
    the assemblies themselves: working groups and breakouts are the same people again."""
    from vecinos.assembly.choices import AssemblyKind
    from vecinos.assembly.models import Meeting

    rows = list(
        Meeting.objects.filter(
            assembly__kind__in=[AssemblyKind.NEIGHBORHOOD, AssemblyKind.CITYWIDE],
            attendance_count__isnull=False,
            starts_at__gte=months[0].start,
            starts_at__lt=months[-1].end,
        )
        .annotate(month=TruncMonth("starts_at", tzinfo=timezone.get_current_timezone()))
        .order_by()
        .values("month")
        .annotate(people=Sum("attendance_count"), meetings=Count("id"))
    )
    return _per_month(months, rows, "people"), _per_month(months, rows, "meetings")


def trainings_by_month(months: list[Month]) -> dict[str, list[int]]:
    """Certificates issued (people who completed a training) per month, per kind of training."""
    from vecinos.trainings.choices import TrainingKind
    from vecinos.trainings.models import Certificate

    rows = list(
        Certificate.objects.filter(issued_at__gte=months[0].start, issued_at__lt=months[-1].end)
        .annotate(month=TruncMonth("issued_at", tzinfo=timezone.get_current_timezone()))
        .order_by()
        .values("month", "kind")
        .annotate(n=Count("id"))
    )
    return {
        kind: _per_month(months, [r for r in rows if r["kind"] == kind], "n")
        for kind in TrainingKind.values
    }


def _per_month(months: list[Month], rows: Iterable[Mapping[str, Any]], field: str) -> list[int]:
    """Rows of a query grouped by TruncMonth, as one value per month shown (zero where none)."""
    values = [0] * len(months)
    index = {(m.start.year, m.start.month): i for i, m in enumerate(months)}
    for row in rows:
        month = row["month"]
        if timezone.is_aware(month):
            month = timezone.localtime(month)
        i = index.get((month.year, month.month))
        if i is not None:
            values[i] += row[field] or 0
    return values


@dataclass(frozen=True)
class ZoneResponders:
    name: str
    registered: int
    eligible: int

    @property
    def not_eligible(self) -> int:
        return self.registered - self.eligible


def responders_by_zone() -> list[ZoneResponders]:
    """Responders registered in each neighborhood now, and how many of them may be alerted
    (trained and vouched for: the dispatch rule). Responders with no area, or an area outside
    every neighborhood, are one row at the end."""
    from vecinos.places.choices import ZoneKind
    from vecinos.places.models import Zone
    from vecinos.places.queries import count_per_zone
    from vecinos.responders.models import Responder, eligible_at

    now = timezone.now()
    rows = list(
        Responder.objects.exclude(cell="")
        .order_by()
        .values("cell")
        .annotate(n=Count("id"), ok=Count("id", filter=eligible_at(now)))
        .values_list("cell", "n", "ok")
    )
    registered = count_per_zone(((cell, n) for cell, n, _ok in rows), ZoneKind.NEIGHBORHOOD)
    eligible = count_per_zone(((cell, ok) for cell, _n, ok in rows), ZoneKind.NEIGHBORHOOD)
    nowhere = Responder.objects.filter(cell="").aggregate(
        n=Count("id"), ok=Count("id", filter=eligible_at(now))
    )
    result = [
        ZoneResponders(zone.name, registered.get(zone.id, 0), eligible.get(zone.id, 0))
        for zone in Zone.objects.filter(kind=ZoneKind.NEIGHBORHOOD).order_by("name")
    ]
    outside = registered.get(None, 0) + nowhere["n"]
    if outside:
        result.append(
            ZoneResponders(
                _("No neighborhood"), outside, eligible.get(None, 0) + (nowhere["ok"] or 0)
            )
        )
    return result


@dataclass(frozen=True)
class Growth:
    """Everything the dashboard shows, and its charts."""

    months: list[Month]
    ladder: Ladder
    attendance: list[int]
    meetings: list[int]
    trainings: dict[str, list[int]]
    zones: list[ZoneResponders]

    @property
    def people_now(self) -> int:
        return self.ladder.totals()[-1]

    @property
    def people_a_year_ago(self) -> int:
        """People on the ladder at the end of the first month shown."""
        return self.ladder.totals()[0]

    @property
    def times_as_many(self) -> str:
        """ "4.0" when the network quadrupled; empty when there is nothing to compare with."""
        if not self.people_a_year_ago:
            return ""
        ratio = self.people_now / self.people_a_year_ago
        return f"{ratio:.0f}" if ratio >= 10 else f"{ratio:.1f}"

    def training_rows(self) -> list[tuple[Month, list[int], int]]:
        kinds = list(self.trainings.values())
        return [
            (month, [k[i] for k in kinds], sum(k[i] for k in kinds))
            for i, month in enumerate(self.months)
        ]

    def ladder_rows(self) -> list[tuple[Month, list[int], int]]:
        stages = list(self.ladder.counts.values())
        return [
            (month, [s[i] for s in stages], sum(s[i] for s in stages))
            for i, month in enumerate(self.months)
        ]

    @property
    def attendance_per_meeting(self) -> list[int]:
        """People present per meeting, on average, each month: a month with two assemblies
        does not look like a surge."""
        return [
            round(people / meetings) if meetings else 0
            for people, meetings in zip(self.attendance, self.meetings, strict=True)
        ]

    def attendance_rows(self) -> list[tuple[Month, int, int, int]]:
        return list(
            zip(
                self.months,
                self.meetings,
                self.attendance,
                self.attendance_per_meeting,
                strict=True,
            )
        )

    def ladder_chart(self) -> charts.Chart:
        labels = dict(Stage.choices)
        return charts.columns(
            _("People on each step of the ladder, at the end of each month"),
            [m.short for m in self.months],
            [
                charts.Series(str(labels[stage]), values, STAGE_CHART_COLOURS[Stage(stage)])
                for stage, values in self.ladder.counts.items()
            ],
        )

    def attendance_chart(self) -> charts.Chart:
        return charts.columns(
            _("People present per assembly meeting, on average, per month"),
            [m.short for m in self.months],
            [charts.Series(_("People present"), self.attendance_per_meeting, charts.PALETTE[0])],
        )

    def trainings_chart(self) -> charts.Chart:
        from vecinos.trainings.choices import TrainingKind

        labels = dict(TrainingKind.choices)
        return charts.columns(
            _("Trainings completed, per month"),
            [m.short for m in self.months],
            [
                charts.Series(str(labels[kind]), values, charts.PALETTE[i % len(charts.PALETTE)])
                for i, (kind, values) in enumerate(self.trainings.items())
            ],
        )

    def zones_chart(self) -> charts.Chart:
        return charts.bars(
            _("Responders per neighborhood"),
            [z.name for z in self.zones],
            [
                charts.Series(
                    _("Can be alerted"), [z.eligible for z in self.zones], charts.PALETTE[1]
                ),
                charts.Series(
                    _("Not yet (training or vouches missing)"),
                    [z.not_eligible for z in self.zones],
                    "#b9bec6",
                ),
            ],
        )


def growth_for(user: User, now: datetime | None = None) -> Growth:
    """The dashboard's figures for the last twelve months.

    Raises:
        PermissionDenied: the user may not see people (organizers and coordinators may).
    """
    check(user, Capability.VIEW_PEOPLE)
    months = last_months(now)
    attendance, meetings = attendance_by_month(months)
    return Growth(
        months=months,
        ladder=ladder_by_month(months),
        attendance=attendance,
        meetings=meetings,
        trainings=trainings_by_month(months),
        zones=responders_by_zone(),
    )
