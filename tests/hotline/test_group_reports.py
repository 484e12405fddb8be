"""Reports about one event become one incident, by a dispatcher's choice; incidents move along
the verification path one recorded step at a time."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import h3
import pytest

from vecinos.core.models import AuditEvent
from vecinos.hotline import services
from vecinos.hotline.choices import IncidentStatus, ReportStatus
from vecinos.hotline.models import Incident, Report
from vecinos.hotline.services import ReportDetails, StepNotAllowedError

pytestmark = pytest.mark.django_db
# Boyle Heights, Los Angeles, at the network's resolution.
HERE = services.cell_for_point(34.0403, -118.2050)
NEXT_DOOR = sorted(h3.grid_ring(HERE, 1))[0]
TWO_AWAY = sorted(h3.grid_ring(HERE, 2))[0]


def file(user: Any, cell: str, **extra: Any) -> Report:
    return services.do_file_report(
        user, ReportDetails(what_seen="Agents at the market", cell=cell), language="en", **extra
    )


def test_a_report_next_to_an_open_incident_is_proposed_as_part_of_it(dispatcher: Any) -> None:
    first = file(dispatcher, HERE)
    incident = services.do_open_incident(dispatcher, first)
    second = file(dispatcher, NEXT_DOOR)
    assert second.proposed_incident == incident
    assert second.incident is None  # proposed, not merged: a dispatcher decides
    assert services.do_add_to_incident(dispatcher, second, incident)
    assert set(incident.reports.all()) == {first, second}
    assert AuditEvent.objects.filter(action="hotline.report.grouped").count() == 1


def test_far_or_late_reports_are_not_proposed(dispatcher: Any, settings: Any) -> None:
    incident = services.do_open_incident(dispatcher, file(dispatcher, HERE))
    assert file(dispatcher, TWO_AWAY).proposed_incident is None
    late = Report.objects.create(channel="web", cell=HERE, language="en")
    late.received_at = incident.last_report_at + timedelta(minutes=91)
    late.save(update_fields=["received_at"])
    assert services.propose_incident(late) is None
    assert services.propose_incident(Report.objects.create(channel="web", language="en")) is None


def test_splitting_makes_a_new_incident(dispatcher: Any) -> None:
    first = services.do_open_incident(dispatcher, file(dispatcher, HERE))
    second = file(dispatcher, HERE)
    assert second.proposed_incident == first
    split = services.do_open_incident(dispatcher, second)
    second.refresh_from_db()
    assert split != first and second.incident == split and second.proposed_incident is None
    assert [s.status for s in split.steps.all()] == [IncidentStatus.REPORTED]


def test_drills_and_real_incidents_never_mix(dispatcher: Any) -> None:
    services.do_open_incident(dispatcher, file(dispatcher, HERE, is_drill=True))
    assert file(dispatcher, HERE).proposed_incident is None


def test_only_one_of_two_dispatchers_claims_a_report(dispatcher: Any, coordinator: Any) -> None:
    report = file(dispatcher, HERE)
    assert services.do_claim_report(dispatcher, report.id)
    assert not services.do_claim_report(coordinator, report.id)
    assert services.do_claim_report(dispatcher, report.id)  # holding it already
    assert not services.do_release_report(coordinator, report.id)
    assert services.do_release_report(dispatcher, report.id)
    assert services.do_claim_report(coordinator, report.id)


def test_an_incident_moves_along_the_path_and_resolving_closes_its_reports(
    dispatcher: Any,
) -> None:
    report = file(dispatcher, HERE)
    incident = services.do_open_incident(dispatcher, report)
    with pytest.raises(StepNotAllowedError):
        services.do_move_incident(dispatcher, incident, IncidentStatus.ON_SCENE)
    services.do_move_incident(dispatcher, incident, IncidentStatus.RESPONDERS_ALERTED)
    services.do_move_incident(None, incident, IncidentStatus.ON_SCENE, actor_label="responder")
    services.do_move_incident(None, incident, IncidentStatus.CONFIRMED, actor_label="responder")
    with pytest.raises(StepNotAllowedError):
        services.do_move_incident(dispatcher, incident, IncidentStatus.UNFOUNDED)
    services.do_move_incident(dispatcher, incident, IncidentStatus.RESOLVED, note="agents left")
    incident.refresh_from_db()
    report.refresh_from_db()
    assert incident.closed_at is not None and incident.status == IncidentStatus.RESOLVED
    assert report.status == ReportStatus.CLOSED and report.closed_at == incident.closed_at
    assert [s.status for s in incident.steps.all()] == [
        "reported",
        "responders_alerted",
        "on_scene",
        "confirmed",
        "resolved",
    ]
    with pytest.raises(StepNotAllowedError):
        services.do_move_incident(dispatcher, incident, IncidentStatus.CONFIRMED)
    assert Incident.objects.get().steps.last().note == "agents left"
