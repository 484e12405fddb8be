"""The demo: a bus to a rally filled by text, with a waitlist."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import timezone

from vecinos.core.management.commands.demo import populate_all
from vecinos.core.models import User
from vecinos.messaging.choices import ConsentMethod
from vecinos.messaging.models import Consent, OutboundMessage
from vecinos.mobilizing import queries, services
from vecinos.mobilizing.choices import RsvpSource, RsvpStatus
from vecinos.mobilizing.models import Mobilization, Rsvp
from vecinos.organizing.models import Person

pytestmark = pytest.mark.django_db


def test_the_demo_bus_is_filled_by_text_with_a_waitlist() -> None:
    populate_all()
    bus = Mobilization.objects.get(code="BUS")
    counts = queries.counts_of(bus, timezone.now())
    assert (counts.going, counts.capacity) == (40, 40)
    assert counts.waitlisted >= 4 and counts.not_going >= 6
    by_text = Rsvp.objects.filter(mobilization=bus, source=RsvpSource.TEXT)
    assert by_text.count() == Rsvp.objects.filter(mobilization=bus).count()
    assert Rsvp.objects.filter(mobilization=bus, promoted_at__isnull=False).count() == 1
    strangers = Consent.objects.filter(method=ConsentMethod.TEXT_MESSAGE)
    assert strangers.count() == 2
    assert not Person.objects.filter(is_demo=False).exists()
    for person in Person.objects.exclude(phone_hash=""):
        assert re.fullmatch(r"\+1(213|323|818)55501\d\d", person.phone)
    waitlisted = OutboundMessage.objects.filter(kind=services.WAITLISTED_KIND)
    assert waitlisted.count() >= 4
    assert OutboundMessage.objects.filter(kind=services.PROMOTED_KIND).count() == 1
    assert OutboundMessage.objects.filter(kind=services.INVITATION_KIND).count() >= 50
    vigil = Mobilization.objects.get(code="VIGILIA")
    assert queries.counts_of(vigil, timezone.now()).no_shows == 6
    assert Rsvp.objects.filter(mobilization__code="CORTE", status=RsvpStatus.GOING).exists()


def test_the_demo_organizer_sees_the_full_bus_and_its_waitlist() -> None:
    populate_all()
    bus = Mobilization.objects.get(code="BUS")
    client = Client()
    organizer = User.objects.get(username="organizer")
    organizer.preferred_language = "en"  # the demo organizer reads Spanish; this test, English
    organizer.save(update_fields=["preferred_language"])
    client.force_login(organizer)
    page = client.get(f"/mobilizations/{bus.id}/people/").content.decode()
    assert "40 of 40" in page and "New contact by text" in page and "moved up" in page
    listing = client.get("/mobilizations/").content.decode()
    assert "Autobús a la marcha en Sacramento" in listing and "40 of 40 taken" in listing
    vigil = Mobilization.objects.get(code="VIGILIA")
    assert client.get(f"/mobilizations/{vigil.id}/people/").status_code == 200
