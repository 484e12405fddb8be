"""Demo data for the rota: the demo dispatchers on three shifts a day, with two deliberate gaps
(Wednesday afternoon has nobody, Saturday night has no shift), an open swap offer, and the
fallback list."""

from __future__ import annotations

import random
from datetime import time, timedelta

from django.utils import timezone

from vecinos.core.models import User
from vecinos.shifts.choices import SwapStatus, Weekday
from vecinos.shifts.models import FallbackContact, Shift, Swap
from vecinos.shifts.queries import occurrences

MORNING = (time(6), time(14), "Morning")
AFTERNOON = (time(14), time(22), "Afternoon")
NIGHT = (time(22), time(6), "Night")

# Who is on each day's morning, afternoon and night, by demo username. Empty: the shift has
# nobody (a gap); None: there is no such shift (also a gap).
ROTA: dict[int, tuple[tuple[str, ...] | None, ...]] = {
    Weekday.MONDAY: (("dispatcher2",), ("dispatcher3",), ("dispatcher",)),
    Weekday.TUESDAY: (("dispatcher3",), ("dispatcher2", "dispatcher"), ("dispatcher2",)),
    Weekday.WEDNESDAY: (("dispatcher",), (), ("dispatcher3",)),
    Weekday.THURSDAY: (("dispatcher2",), ("dispatcher",), ("dispatcher3",)),
    Weekday.FRIDAY: (("dispatcher3",), ("dispatcher2",), ("dispatcher", "dispatcher2")),
    Weekday.SATURDAY: (("dispatcher",), ("dispatcher3",), None),
    Weekday.SUNDAY: (("dispatcher2",), ("dispatcher",), ("dispatcher3",)),
}


def populate(rng: random.Random) -> dict[str, int]:
    """Create the rota. Call once, after organizing's demo made the dispatcher accounts."""
    accounts = {u.username: u for u in User.objects.filter(is_demo=True)}
    shifts = 0
    for weekday, slots in ROTA.items():
        for (starts_at, ends_at, name), usernames in zip(
            (MORNING, AFTERNOON, NIGHT), slots, strict=True
        ):
            if usernames is None:
                continue
            shift = Shift.objects.create(
                weekday=weekday, starts_at=starts_at, ends_at=ends_at, name=name
            )
            shift.dispatchers.set([accounts[u] for u in usernames])
            shifts += 1

    # One colleague asks for cover a few days from now, so the demo shows the Take button.
    now = timezone.now()
    asking = accounts["dispatcher3"]
    coming = occurrences(now + timedelta(days=2), now + timedelta(days=9), user=asking)
    if coming:
        first = coming[0]
        Swap.objects.create(
            shift=first.shift,
            date=first.date,
            replaced=asking,
            status=SwapStatus.OPEN,
            note="Family visit that day. Can anyone take it?",
            created_by=asking,
        )

    for position, username in enumerate(("coordinator", "dispatcher2")):
        FallbackContact.objects.create(user=accounts[username], position=position)
    return {"shifts": shifts}
