"""The demo's circles: a church, a hometown club, a union local, a school council (and a partner),
with people whose steps up the ladder are spread over the last year, so growth shows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from vecinos.core.management.commands.demo import populate_all
from vecinos.core.models import User
from vecinos.organizing.choices import CircleKind, Stage
from vecinos.organizing.circles import circles_for
from vecinos.organizing.models import Circle, Person, StageStep

pytestmark = pytest.mark.django_db


def test_the_demo_has_circles_that_grow_and_some_that_depend_on_one_person() -> None:
    populate_all()
    organizer = User.objects.get(username="organizer")
    kinds = set(Circle.objects.values_list("kind", flat=True))
    assert {
        CircleKind.CHURCH,
        CircleKind.HOMETOWN_CLUB,
        CircleKind.UNION_LOCAL,
        CircleKind.SCHOOL_COUNCIL,
    } <= kinds
    circles = {summary.name: summary for summary in circles_for(organizer)}
    assert all(summary.members >= 5 for summary in circles.values())
    assert sum(summary.new_members for summary in circles.values()) > 0
    assert circles["Iglesia Hanbit"].depends_on_one_person
    assert circles["Club Social Tlaxiaco"].depends_on_one_person
    assert not circles["Parroquia San Judas Tadeo"].depends_on_one_person
    now = timezone.now()
    a_year_ago = Person.objects.filter(created_at__lt=now - timedelta(days=270)).count()
    assert Person.objects.count() >= 3 * a_year_ago, "the network grew over the year"
    assert Person.objects.get(account__username="coordinator").stage == Stage.LEADER
    assert StageStep.objects.filter(stage=Stage.RESPONDER).count() >= 29
    assert Person.objects.filter(brought_by__isnull=False).count() > 50
    client = Client()
    client.force_login(organizer)
    page = client.get("/people/circles/network/").content.decode()
    assert "Iglesia Hanbit" in page and 'stroke-dasharray="6 4"' in page
