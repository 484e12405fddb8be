"""The demo's console is not empty: an incident, reports waiting, a claim and a proposal."""

from __future__ import annotations

import pytest

from vecinos.core.management.commands.demo import populate_all
from vecinos.hotline.choices import ReportChannel
from vecinos.hotline.models import Incident, Report
from vecinos.hotline.services import KYR_REPLY
from vecinos.messaging.models import OutboundMessage

pytestmark = pytest.mark.django_db


def test_the_demo_console_has_an_incident_and_reports_waiting() -> None:
    populate_all()
    [incident] = Incident.objects.all()
    assert incident.is_open and incident.cell and incident.reports.count() == 2
    waiting = Report.objects.filter(incident__isnull=True, status="open")
    assert waiting.count() == 4
    assert waiting.filter(claimed_by__username="dispatcher3").count() == 1
    assert waiting.filter(proposed_incident=incident).count() == 1
    assert waiting.filter(filed_by__username="partner", cell="").count() == 1
    assert {r.language for r in waiting} == {"es", "ko"}
    texts = Report.objects.filter(channel=ReportChannel.TEXT)
    assert texts.count() == 3
    replies = OutboundMessage.objects.filter(kind=KYR_REPLY)
    assert sorted(replies.values_list("language", flat=True)) == ["es", "es", "ko"]
