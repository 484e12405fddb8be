"""The map on the console's incident page: the incident's cell (and the rings its alert reached),
the zones around it, and how many responders could go from each cell, never who."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from xml.etree import ElementTree

import h3
import pytest
from django.test import Client
from django.utils import timezone

from vecinos.core.models import User
from vecinos.hotline import panels, queries, services
from vecinos.hotline.models import Incident
from vecinos.hotline.services import ReportDetails
from vecinos.messaging.models import OptOut
from vecinos.organizing.models import Person
from vecinos.places.geo import name_key
from vecinos.places.models import MapSettings, Zone, ZoneCell
from vecinos.responders import services as responders
from vecinos.responders.models import Responder

pytestmark = pytest.mark.django_db
LoggedIn = Callable[[User], Client]
SVG = "{http://www.w3.org/2000/svg}"
HOME = services.cell_for_point(34.0617, -118.3005)
RING_1 = sorted(h3.grid_ring(HOME, 1))
FAR = sorted(h3.grid_ring(HOME, 6))[0]
TRAINED = timezone.now() + timedelta(days=300)


def responder(name: str, cell: str, n: int, **fields: object) -> Responder:
    person = Person.objects.create(
        full_name=name, phone=f"+1213555{n:04d}", preferred_language="es", languages=["es"]
    )
    return Responder.objects.create(
        person=person,
        cell=cell,
        # Eligible: a current training and two vouches (kept by trainings), and the flag.
        **{"eligible": True, "available": True, "trained_until": TRAINED, "vouches": 2, **fields},
    )


def neighbourhood(dispatcher: User) -> Incident:
    """Koreatown as a zone, responders around it, and an incident at its centre."""
    zone = Zone.objects.create(name="Koreatown", name_key=name_key("Koreatown"), centre_cell=HOME)
    ZoneCell.objects.bulk_create([ZoneCell(cell=cell, zone=zone) for cell in h3.grid_disk(HOME, 1)])
    responder("Jacinta Flores", HOME, 1)
    responder("Nicanor Ruiz", HOME, 2)
    responder("Rosalba Quintero", RING_1[0], 3)
    responder("Ulises Mena", RING_1[1], 4, eligible=False)
    responder("Zoila Tapia", RING_1[2], 5, available=False)
    stopped = responder("Abundio Lara", RING_1[3], 6)
    OptOut.objects.create(address=stopped.person.phone, keyword="stop")
    responder("Casimira Vega", FAR, 7)  # beyond the widest ring
    report = services.do_file_report(
        dispatcher,
        ReportDetails(what_seen="Agents at the corner", place="6th & Vermont", cell=HOME),
        language="es",
    )
    return services.do_open_incident(dispatcher, report)


def map_section(page: str) -> str:
    start = page.index('aria-labelledby="map-heading"')
    return page[start : page.index("</section>", start)]


def svg_of(section: str) -> ElementTree.Element:
    svg = re.search(r"<svg.*</svg>", section, re.DOTALL)
    assert svg is not None
    return ElementTree.fromstring(svg.group(0))  # noqa: S314  # our own output, in a test


def test_the_map_shows_the_incident_the_zones_and_counts_of_available_responders(
    dispatcher: User, logged_in: LoggedIn
) -> None:
    incident = neighbourhood(dispatcher)
    page = logged_in(dispatcher).get(f"/hotline/incidents/{incident.id}/").content.decode()
    section = map_section(page)
    root = svg_of(section)
    assert root.get("aria-labelledby") == "incident-map-title"
    assert f"Map of incident #{incident.id}" in root.find(f"{SVG}title").text  # type: ignore[union-attr,operator]
    # Only the incident's cell is outlined before any alert, and marked.
    assert len(root.findall(f".//{SVG}polygon[@class='map-highlight']")) == 1
    assert root.find(f".//{SVG}g[@class='map-marker map-marker-incident']") is not None
    assert [t.text for t in root.findall(f".//{SVG}text[@class='map-label']")] == ["Koreatown"]
    # Counts, never people: 2 in the incident's cell, 1 in ring 1 (not the ineligible, the
    # unavailable or the one who texted STOP), and nobody drawn from beyond the widest ring.
    counts = root.findall(f".//{SVG}g[@class='map-count']")
    numbers = sorted(g.find(f"{SVG}text").text for g in counts)  # type: ignore[union-attr,type-var]
    assert numbers == ["1", "2"]
    titles = sorted(g.find(f"{SVG}title").text for g in counts)  # type: ignore[union-attr,type-var]
    assert titles == ["1 available responder", "2 available responders"]
    assert "The incident's cell: 2 available responders" in section
    assert "Ring 1: 1 available responder" in section
    assert "Ring 3: 0 available responders" in section  # out to VECINOS_ALERT_MAX_RINGS
    for name in ("Jacinta", "Nicanor", "Rosalba", "Ulises", "Zoila", "Abundio", "Casimira"):
        assert name not in section
    assert "+1213555" not in page and "555-0001" not in page
    assert "style=" not in section and "<script" not in section


def test_the_rings_the_alert_reached_are_outlined_and_listed(
    dispatcher: User, logged_in: LoggedIn
) -> None:
    incident = neighbourhood(dispatcher)
    now = timezone.now()
    responders.do_alert_responders(dispatcher, incident, now=now)
    responders.run_alerts(now=now + timedelta(minutes=5))  # too few said YES: ring 1
    section = map_section(
        logged_in(dispatcher).get(f"/hotline/incidents/{incident.id}/").content.decode()
    )
    assert len(svg_of(section).findall(f".//{SVG}polygon[@class='map-highlight']")) == 7
    assert "the rings of cells alerted so far" in section
    assert section.count(">alerted</span>") == 2  # rings 0 and 1
    # The dispatcher who alerted sees names in the responders panel, but not on the map.
    assert "Jacinta" not in section and "Rosalba" not in section


def test_an_incident_off_the_map_says_so(dispatcher: User, logged_in: LoggedIn) -> None:
    report = services.do_file_report(
        dispatcher, ReportDetails(what_seen="Somewhere downtown", place="downtown"), language="es"
    )
    incident = services.do_open_incident(dispatcher, report)
    section = map_section(
        logged_in(dispatcher).get(f"/hotline/incidents/{incident.id}/").content.decode()
    )
    assert "Not on the map" in section and "<svg" not in section


def test_without_a_layer_the_map_still_draws_the_incident_and_its_zones(
    dispatcher: User,
) -> None:
    incident = neighbourhood(dispatcher)
    before = list(panels.INCIDENT_MAP_LAYERS)
    try:
        panels.INCIDENT_MAP_LAYERS.clear()
        drawn = queries.incident_map(dispatcher, incident)
    finally:
        panels.INCIDENT_MAP_LAYERS[:] = before
    assert drawn.svg is not None and not drawn.counted and drawn.reached_ring is None
    assert "map-count" not in drawn.svg and "Koreatown" in drawn.svg
    assert [ring.ring for ring in drawn.rings] == [0, 1, 2]  # queries.MAP_RINGS


def test_configured_tiles_are_allowed_on_the_incident_page_only_there(
    dispatcher: User, logged_in: LoggedIn
) -> None:
    incident = neighbourhood(dispatcher)
    settings = MapSettings.load()
    settings.tile_url = "https://tile.example.org/{z}/{x}/{y}.png"
    settings.tile_attribution = "© OpenStreetMap"
    settings.save()
    client = logged_in(dispatcher)
    response = client.get(f"/hotline/incidents/{incident.id}/")
    html = response.content.decode()
    assert "https://tile.example.org" in response["Content-Security-Policy"]
    assert re.search(r'<image href="https://tile\.example\.org/\d+/\d+/\d+\.png"', html)
    assert "© OpenStreetMap" in map_section(html)
    assert "tile.example.org" not in client.get("/hotline/")["Content-Security-Policy"]
