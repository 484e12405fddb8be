"""Every page the project routes, found from the URL resolver: a new page is tested by default."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from django.urls import URLPattern, URLResolver, get_resolver, reverse

from vecinos.core.models import User
from vecinos.core.permissions import Capability
from vecinos.hotline.choices import ContentKind, IncidentStatus, ReportChannel
from vecinos.hotline.models import Incident, IncidentStep, Report
from vecinos.messaging.choices import Audience, BroadcastStatus, Channel
from vecinos.messaging.models import Broadcast
from vecinos.organizing.models import Person
from vecinos.places.models import Zone, ZoneCell
from vecinos.responders.models import Responder
from vecinos.shifts.models import Shift

# A cell of downtown Los Angeles at the network's resolution, for the zone pages.
SAMPLE_CELL = "8829a1d757fffff"


@dataclass(frozen=True)
class Page:
    name: str  # "namespace:name"
    pattern: URLPattern

    @property
    def required_capability(self) -> Capability | None:
        """What ``permissions.requires`` declared for the view (tests/test_project_rules.py
        checks that every page declares it)."""
        return getattr(self.pattern.callback, "required_capability", None)

    def url(self, person: Person, account: User) -> str:
        """The page's address; pages about one record point at ``person`` or ``account``."""
        kwargs: dict[str, int | str] = {}
        converters = self.pattern.pattern.converters
        for parameter in converters:
            if parameter == "person_id":
                kwargs[parameter] = person.pk
            elif parameter == "account_id":
                kwargs[parameter] = account.pk
            elif parameter == "name" and self.name == "messaging:gateway_edit":
                kwargs[parameter] = "simulator"
            elif parameter == "broadcast_id":
                kwargs[parameter] = draft_broadcast(account).pk
            elif parameter == "responder_id":
                kwargs[parameter] = Responder.objects.get_or_create(person=person)[0].pk
            elif parameter == "shift_id":
                kwargs[parameter] = rota_shift().pk
            elif parameter == "token" and self.name == "shifts:feed":
                kwargs[parameter] = "not-a-real-calendar-token-0123456789abcdef"
            elif parameter == "zone_id":
                kwargs[parameter] = sample_zone().pk
            elif parameter == "cell":
                kwargs[parameter] = SAMPLE_CELL
            elif parameter == "report_id":
                kwargs[parameter] = hotline_report().pk
            elif parameter == "incident_id":
                kwargs[parameter] = hotline_incident().pk
            elif parameter == "kind" and self.name == "hotline:content_edit":
                kwargs[parameter] = ContentKind.DISPATCHER_SCRIPT
            elif parameter == "language" and self.name == "hotline:content_edit":
                kwargs[parameter] = "es"
            else:
                raise AssertionError(f"{self.name}: teach tests/pages.py to fill in {parameter}")
        return reverse(self.name, kwargs=kwargs)


def draft_broadcast(author: User) -> Broadcast:
    """A draft broadcast for the broadcast pages (made once, through the ORM, unaudited)."""
    existing = Broadcast.objects.filter(status=BroadcastStatus.DRAFT).order_by("id").first()
    return existing or Broadcast.objects.create(
        channel=Channel.SMS,
        audience=Audience.ALERT_LIST,
        bodies={"es": "Asamblea el martes a las 7"},
        fallback_language="es",
        created_by=author,
    )


def rota_shift() -> Shift:
    """A shift on the rota for the rota pages (made once, through the ORM, unaudited)."""
    existing = Shift.objects.order_by("id").first()
    return existing or Shift.objects.create(weekday=0, starts_at=time(22), ends_at=time(6))


def sample_zone() -> Zone:
    """A zone of one cell for the zone pages (made once, through the ORM, unaudited)."""
    zone, created = Zone.objects.get_or_create(
        name_key="pages", defaults={"name": "Pages", "centre_cell": SAMPLE_CELL}
    )
    if created:
        ZoneCell.objects.create(cell=SAMPLE_CELL, zone=zone)
    return zone


def hotline_report() -> Report:
    """An open text report with a caller, in no incident (made once, through the ORM, unaudited)."""
    existing = Report.objects.filter(incident__isnull=True).order_by("id").first()
    return existing or Report.objects.create(
        channel=ReportChannel.TEXT,
        language="es",
        what_seen="Dos camionetas sin placas frente a la lavandería",
        place="Calle 3 y Vermont",
        caller="+13235550150",
    )


def hotline_incident() -> Incident:
    """An open incident with one report and its first step."""
    existing = Incident.objects.order_by("id").first()
    if existing is not None:
        return existing
    incident = Incident.objects.create(summary="Agentes en la tienda", place="Calle 3 y Vermont")
    IncidentStep.objects.create(incident=incident, status=IncidentStatus.REPORTED)
    Report.objects.create(
        channel=ReportChannel.WEB, language="en", what_seen="Agents at the store", incident=incident
    )
    return incident


def all_pages() -> list[Page]:
    """Every named page for people. Webhooks answer providers, not people: their signature checks
    are tested with each gateway."""
    found: list[Page] = []

    def walk(patterns: list[URLPattern | URLResolver], namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "api-v1":
                    continue  # the JSON API answers tokens, not sessions: tests/api/
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif not pattern.callback.__module__.endswith(".webhooks"):
                assert pattern.name, f"unnamed page {pattern.pattern}"
                found.append(Page(f"{namespace}:{pattern.name}", pattern))

    walk(get_resolver().url_patterns, "")
    assert found
    return found
