"""Every page the project routes, found from the URL resolver: a new page is tested by default."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver, reverse

from vecinos.core.models import User
from vecinos.core.permissions import Capability
from vecinos.hotline.models import Incident
from vecinos.messaging.choices import Audience, BroadcastStatus, Channel
from vecinos.messaging.models import Broadcast
from vecinos.organizing.models import Person
from vecinos.responders.models import Responder


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
            elif parameter == "incident_id":
                kwargs[parameter] = open_incident().pk
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


def open_incident() -> Incident:
    """An open incident for the incident pages (made once, through the ORM)."""
    existing = Incident.objects.filter(closed_at__isnull=True).order_by("id").first()
    return existing or Incident.objects.create(
        cell="8829a1d63bfffff", place="3rd St & Vermont Ave", summary="Agents at the corner"
    )


def all_pages() -> list[Page]:
    """Every named page for people. Webhooks answer providers, not people: their signature checks
    are tested with each gateway."""
    found: list[Page] = []

    def walk(patterns: list[URLPattern | URLResolver], namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif not pattern.callback.__module__.endswith(".webhooks"):
                assert pattern.name, f"unnamed page {pattern.pattern}"
                found.append(Page(f"{namespace}:{pattern.name}", pattern))

    walk(get_resolver().url_patterns, "")
    assert found
    return found
