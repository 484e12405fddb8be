"""Query-count baselines: the organizers' pages must not issue a query per person."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from tests.mobilizing.conftest import MakeContact, MakeMobilization
from vecinos.core.models import User
from vecinos.mobilizing import services
from vecinos.mobilizing.choices import Answer, RsvpSource
from vecinos.organizing.models import Circle, CircleMembership

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("people", [3, 30])
def test_the_roster_check_in_list_and_recruit_pages_take_a_fixed_number_of_queries(
    people: int,
    make_mobilization: MakeMobilization,
    make_contact: MakeContact,
    organizer: User,
    logged_in,  # type: ignore[no-untyped-def]
    django_assert_max_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    bus = make_mobilization(capacity=people // 2)
    church = Circle.objects.create(name="San Judas")
    contacts = [make_contact() for _ in range(people)]
    with transaction.atomic():
        for person in contacts:
            services.answer_for(bus, person, Answer.YES, source=RsvpSource.TEXT, now=timezone.now())
    CircleMembership.objects.bulk_create(
        CircleMembership(circle=church, person=make_contact()) for _ in range(people)
    )
    client: Client = logged_in(organizer)
    for url in (
        "/mobilizations/",
        f"/mobilizations/{bus.id}/",
        f"/mobilizations/{bus.id}/people/",
        f"/mobilizations/{bus.id}/check-in/",
        f"/mobilizations/{bus.id}/recruit/?circles={church.id}",
    ):
        with django_assert_max_num_queries(25):
            assert client.get(url).status_code == 200
