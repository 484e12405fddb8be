"""The dispatchers' rota: weekly shifts, one-off swaps, the fallback list and calendar links."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vecinos.shifts.choices import SwapStatus, Weekday


class Shift(models.Model):
    """A weekly slot of the dispatchers' rota: on a weekday, from a local start time to a local
    end time, with the dispatchers on it. An end at or before the start is on the next day (equal
    times make a 24-hour shift)."""

    name = models.CharField(
        _("name"),
        max_length=60,
        blank=True,
        help_text=_("For example “Night”. Calendars show it, so no one's name here."),
    )
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    starts_at = models.TimeField(_("starts"))
    ends_at = models.TimeField(_("ends"))
    dispatchers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="rota_shifts",
        verbose_name=_("dispatchers"),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ("weekday", "starts_at", "id")

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts_at:%H:%M}-{self.ends_at:%H:%M}"

    @property
    def ends_next_day(self) -> bool:
        return self.ends_at <= self.starts_at

    def bounds(self, day: date, zone: tzinfo) -> tuple[datetime, datetime]:
        """Start and end, in UTC, of the occurrence that starts on the local ``day`` (which must
        be this shift's weekday).

        Times are wall-clock times in ``zone``: a 22:00 to 06:00 shift lasts seven hours over the
        spring change and nine over the autumn one. A start inside the spring gap (02:30) begins
        an hour later by the clock; an ambiguous one (01:30 in autumn) is the first 01:30.
        """
        end_day = day + timedelta(days=1) if self.ends_next_day else day
        start = datetime.combine(day, self.starts_at, tzinfo=zone).astimezone(UTC)
        end = datetime.combine(end_day, self.ends_at, tzinfo=zone).astimezone(UTC)
        return start, end

    def covers(self, at: datetime, zone: tzinfo) -> bool:
        """Whether the rota alone (no swaps) has this shift running at ``at``."""
        local_day = at.astimezone(zone).date()
        for day in (local_day - timedelta(days=1), local_day):
            if day.weekday() == self.weekday:
                start, end = self.bounds(day, zone)
                if start <= at < end:
                    return True
        return False


class Swap(models.Model):
    """One occurrence of a shift handed from one dispatcher to another. A dispatcher offers it
    (open, with a note) until a colleague accepts it or they withdraw it; a coordinator can also
    assign cover directly, which is covered from the start."""

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="swaps")
    # The local day the occurrence starts on: with the shift, it names one occurrence.
    date = models.DateField()
    # PROTECT: accounts are deactivated, never deleted.
    replaced = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    covered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(max_length=10, choices=SwapStatus.choices, default=SwapStatus.OPEN)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("shift swap")
        constraints = [
            # Offering the same occurrence twice (a double click, two tabs) is refused.
            models.UniqueConstraint(
                fields=["shift", "date", "replaced"],
                condition=Q(status=SwapStatus.OPEN),
                name="one_open_swap_per_occurrence",
            ),
            models.CheckConstraint(
                condition=Q(status=SwapStatus.COVERED, covered_by__isnull=False)
                | (~Q(status=SwapStatus.COVERED) & Q(covered_by__isnull=True)),
                name="swap_covered_has_cover",
            ),
        ]
        indexes = [
            # Occurrences in a date range fetch their swaps: on_shift() on every call, coverage,
            # the Shifts page and the calendar feeds.
            models.Index(fields=["date"], name="shift_swap_date_idx"),
        ]

    def __str__(self) -> str:
        return f"swap #{self.id} {self.shift_id}@{self.date} {self.status}"


class FallbackContact(models.Model):
    """One account on the coordinators' list of whom to ring, in order, when no dispatcher is on
    shift."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="fallback_contact"
    )
    position = models.PositiveIntegerField(default=0)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("position", "id")

    def __str__(self) -> str:
        return f"{self.position}: {self.user}"


class FeedToken(models.Model):
    """A dispatcher's secret calendar link. Only a keyed hash of the token is stored: the link is
    shown once, and a copy of the database does not reveal it. A new link replaces the old."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shift_feed"
    )
    # Unique, so also the index the feed's lookup by token uses.
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Shown to the dispatcher: a link read where they did not put it may have leaked.
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"calendar link of {self.user}"
