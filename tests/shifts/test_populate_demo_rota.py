"""The demo's rota covers most of the week, with a gap or two to show, an open swap offer and a
fallback list."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from vecinos.core.management.commands.demo import populate_all
from vecinos.shifts.choices import SwapStatus
from vecinos.shifts.models import Swap
from vecinos.shifts.queries import coverage, fallback_contacts, on_shift

pytestmark = pytest.mark.django_db


def test_the_demo_rota_covers_most_of_the_week_with_deliberate_gaps() -> None:
    counts = populate_all()
    assert counts["shifts"] == 20
    week = coverage(timezone.localdate(), 7)
    gaps = week.gaps
    uncovered = sum((g.end - g.start for g in gaps), timedelta())
    assert 1 <= len(gaps) <= 3
    assert timedelta(hours=8) <= uncovered <= timedelta(hours=16)
    dispatchers = {u.username for i in week.intervals for u in i.dispatchers}
    assert dispatchers == {"dispatcher", "dispatcher2", "dispatcher3"}
    assert (
        Swap.objects.filter(status=SwapStatus.OPEN, replaced__username="dispatcher3").count() == 1
    )
    assert [u.username for u in fallback_contacts()] == ["coordinator", "dispatcher2"]
    assert len(on_shift()) <= 2
