"""Reads for the dispatcher console. Reports and incidents are fetched through ``access_*``; a
caller's number only through :func:`access_caller`, which records every read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from vecinos.core import audit
from vecinos.core.permissions import Capability, check
from vecinos.hotline import content
from vecinos.hotline.choices import ContentKind, IncidentStatus, ReportStatus
from vecinos.hotline.models import ContentVersion, Incident, IncidentStep, Report
from vecinos.hotline.panels import INCIDENT_MAP_LAYERS, MapLayer
from vecinos.hotline.services import NEXT_STEPS
from vecinos.places import geo, maps
from vecinos.places.queries import zones_among

if TYPE_CHECKING:
    from vecinos.core.models import User

# The console is one screen: past this many rows it says how many more there are.
CONSOLE_ROWS = 100


def access_report(user: User, report_id: int) -> Report:
    """A report, without its caller's number (see :func:`access_caller`).

    Raises:
        PermissionDenied: the user may not use the console.
        Http404: no such report.
    """
    check(user, Capability.USE_CONSOLE)
    return get_object_or_404(
        Report.objects.select_related("claimed_by", "filed_by", "incident", "proposed_incident"),
        id=report_id,
    )


def access_incident(user: User, incident_id: int) -> Incident:
    """Raises:
    PermissionDenied: the user may not use the console.
    Http404: no such incident."""
    check(user, Capability.USE_CONSOLE)
    return get_object_or_404(Incident.objects.select_related("opened_by"), id=incident_id)


def access_caller(user: User, report: Report) -> str:
    """The number to call the reporter back on ("" once erased); every read is recorded, so a
    dispatcher copying out callers' numbers shows in the audit log.

    Raises:
        PermissionDenied: the user may not use the console (nothing is recorded).
    """
    check(user, Capability.USE_CONSOLE)
    audit.record(user, audit.REPORT_CALLER_VIEWED, report, erased=not report.caller_hash)
    return str(report.caller)


def open_incidents(user: User) -> QuerySet[Incident]:
    """Open incidents, the most recently reported first, each with ``report_count``.

    Raises:
        PermissionDenied: the user may not use the console.
    """
    check(user, Capability.USE_CONSOLE)
    return (
        Incident.objects.filter(closed_at__isnull=True)
        .annotate(report_count=Count("reports"))
        .order_by("-last_report_at", "-id")
    )


def unassigned_reports(user: User) -> QuerySet[Report]:
    """Open reports in no incident yet, newest first, with who claimed each and the incident
    grouping proposes for it.

    Raises:
        PermissionDenied: the user may not use the console.
    """
    check(user, Capability.USE_CONSOLE)
    return (
        Report.objects.filter(status=ReportStatus.OPEN, incident__isnull=True)
        .select_related("claimed_by", "proposed_incident")
        .defer("caller")
        .order_by("-received_at", "-id")
    )


@dataclass(frozen=True)
class ConsoleLists:
    incidents: list[Incident]
    more_incidents: int
    reports: list[Report]
    more_reports: int


def console_lists(user: User) -> ConsoleLists:
    """What the console shows: at most :data:`CONSOLE_ROWS` of each list, and how many more.
    A fixed number of queries whatever the number of rows.

    Raises:
        PermissionDenied: the user may not use the console.
    """
    incidents = list(open_incidents(user)[: CONSOLE_ROWS + 1])
    reports = list(unassigned_reports(user)[: CONSOLE_ROWS + 1])
    more_incidents = more_reports = 0
    if len(incidents) > CONSOLE_ROWS:
        more_incidents = open_incidents(user).count() - CONSOLE_ROWS
    if len(reports) > CONSOLE_ROWS:
        more_reports = unassigned_reports(user).count() - CONSOLE_ROWS
    return ConsoleLists(
        incidents[:CONSOLE_ROWS], more_incidents, reports[:CONSOLE_ROWS], more_reports
    )


@dataclass(frozen=True)
class JoinedText:
    """A text that joined a report: when and what, never who sent it."""

    received_at: datetime
    body: str


def report_texts(user: User, report: Report) -> list[JoinedText]:
    """The texts of a report (fetched with :func:`access_report`), oldest first.

    Raises:
        PermissionDenied: the user may not use the console.
    """
    check(user, Capability.USE_CONSOLE)
    rows = report.texts.select_related("inbound").only("inbound__received_at", "inbound__body")
    return [JoinedText(row.inbound.received_at, row.inbound.body) for row in rows]


def incident_reports(user: User, incident: Incident) -> QuerySet[Report]:
    """The reports of an incident, oldest first, without callers' numbers.

    Raises:
        PermissionDenied: the user may not use the console.
    """
    check(user, Capability.USE_CONSOLE)
    return (
        incident.reports.select_related("claimed_by").defer("caller").order_by("received_at", "id")
    )


def incident_timeline(user: User, incident: Incident) -> QuerySet[IncidentStep]:
    """Raises:
    PermissionDenied: the user may not use the console."""
    check(user, Capability.USE_CONSOLE)
    return incident.steps.select_related("actor").order_by("at", "id")


def next_steps(incident: Incident) -> list[tuple[str, str]]:
    """The steps the incident may move to now, in the path's order, as (value, label)."""
    if incident.closed_at is not None:
        return []
    allowed = NEXT_STEPS.get(incident.status, frozenset()) | {IncidentStatus.RESOLVED}
    return [(value, str(label)) for value, label in IncidentStatus.choices if value in allowed]


def incidents_to_join(user: User, report: Report) -> QuerySet[Incident]:
    """Open incidents a report may be added to by hand (drills and real ones never mix).

    Raises:
        PermissionDenied: the user may not use the console.
    """
    return open_incidents(user).filter(is_drill=report.is_drill)


def dispatcher_script(report: Report) -> content.Content:
    """The intake script in the caller's language."""
    return content.current(ContentKind.DISPATCHER_SCRIPT, report.language)


# --- Places --------------------------------------------------------------------------------


class PlaceNotFoundError(ValueError):
    """What a person typed cannot be placed; the message says what to give instead."""


@dataclass(frozen=True)
class Placement:
    """Where a report is: the text to show, and its H3 cell ("" = not on the map)."""

    label: str
    cell: str


def locate(text: str = "", lat: float | None = None, lng: float | None = None) -> Placement:
    """Place a report from an address line, neighbourhood or ZIP code, and an optional map pin
    (:func:`vecinos.places.geo.locate`). An address that names no zone is still kept, as text
    with no cell: a report is never refused for where it is, and its page says it is not on the
    map so the dispatcher asks for cross streets or a pin.

    Raises:
        PlaceNotFoundError: nothing given, half a pin, or a pin that is not a place on Earth.
    """
    text = " ".join(text.split())[:300]
    if (lat is None) != (lng is None):
        raise PlaceNotFoundError(_("A map pin needs both a latitude and a longitude."))
    if lat is None and not text:
        raise PlaceNotFoundError(
            _("Say where: an address or cross streets, a neighborhood, a ZIP code, or a map pin.")
        )
    try:
        placed = geo.locate(text, lat, lng)
    except geo.PlaceNotFound as exc:
        if lat is not None:
            raise PlaceNotFoundError(str(exc)) from exc
        return Placement(label=text, cell="")
    return Placement(label=text or placed.label, cell=placed.cell)


# --- The incident's map --------------------------------------------------------------------

# Rings of cells around an incident that its map shows at least (about 0.9 km each).
MAP_RINGS = 2


@dataclass(frozen=True)
class RingCount:
    """One ring of cells around the incident (0 is its own cell), in words under the map."""

    ring: int
    count: int
    label: str  # what the count means, e.g. "2 available responders"
    reached: bool


@dataclass(frozen=True)
class IncidentMap:
    """The map on an incident's page. ``svg`` is None when the incident is not on the map."""

    svg: SafeString | None
    tiles: maps.TileSource | None = None
    reached_ring: int | None = None
    rings: tuple[RingCount, ...] = ()
    counted: bool = False


def incident_map(user: User, incident: Incident) -> IncidentMap:
    """The incident's cell, the zones around it, and what other apps add
    (:data:`~vecinos.hotline.panels.INCIDENT_MAP_LAYERS`): how far the alert reached, and counts
    per cell (how many responders could go from there), never names or points.

    Raises:
        PermissionDenied: the user may not use the console.
    """
    check(user, Capability.USE_CONSOLE)
    try:
        geo.check_cell(incident.cell)
    except ValueError:
        return IncidentMap(svg=None)
    found = (source(user, incident) for source in INCIDENT_MAP_LAYERS)
    layers = [layer for layer in found if layer is not None]
    radius = max([MAP_RINGS, *(layer.rings for layer in layers)])
    by_ring = geo.rings(incident.cell, radius)
    disk = [cell for ring in by_ring for cell in ring]
    reached = max(
        (min(layer.reached_ring, radius) for layer in layers if layer.reached_ring is not None),
        default=None,
    )
    counting = next((layer for layer in layers if layer.counts is not None), MapLayer())
    in_disk = set(disk)
    counts = {cell: n for cell, n in (counting.counts or {}).items() if cell in in_disk and n > 0}
    highlight = [incident.cell] if reached is None else disk[: _cells_within(by_ring, reached)]
    lat, lng = geo.cell_centre(incident.cell)
    tiles = maps.tile_source()
    svg = maps.render_map_svg(
        zones=zones_among(in_disk),
        cells=disk,
        highlight_cells=highlight,
        markers=[maps.Marker(lat, lng, _("Incident #%(number)s") % {"number": incident.id})],
        counts={cell: maps.CellCount(n, counting.describe(n)) for cell, n in counts.items()},
        tiles=tiles,
        title=_("Map of incident #%(number)s and the zones around it") % {"number": incident.id},
        map_id="incident-map",
    )
    rings = []
    for k, cells in enumerate(by_ring):
        count = sum(counts.get(cell, 0) for cell in cells)
        reached_k = reached is not None and k <= reached
        rings.append(RingCount(k, count, counting.describe(count), reached_k))
    return IncidentMap(
        svg=svg,
        tiles=tiles,
        reached_ring=reached,
        rings=tuple(rings),
        counted=counting.counts is not None,
    )


def _cells_within(by_ring: list[list[str]], ring: int) -> int:
    """How many cells rings 0 to ``ring`` hold."""
    return sum(len(cells) for cells in by_ring[: ring + 1])


# --- Hotline texts -------------------------------------------------------------------------


@dataclass(frozen=True)
class ContentRow:
    """One hotline text in one language, as the editor lists it."""

    kind: str
    kind_label: str
    language: str
    language_label: str
    text: content.Content
    saved_at: datetime | None
    saved_by: str

    @property
    def reviewed(self) -> bool:
        return bool(self.text.legal_review)


def content_overview(user: User) -> list[ContentRow]:
    """Every kind of hotline text in every language, with the version in force.

    Raises:
        PermissionDenied: the user may not edit hotline texts.
    """
    check(user, Capability.EDIT_HOTLINE_CONTENT)
    newest: dict[tuple[str, str], ContentVersion] = {}
    for version in ContentVersion.objects.select_related("saved_by").order_by("version"):
        newest[(version.kind, version.language)] = version
    rows = []
    for kind, kind_label in ContentKind.choices:
        for language, language_label in settings.LANGUAGES:
            saved = newest.get((kind, language))
            rows.append(
                ContentRow(
                    kind=kind,
                    kind_label=str(kind_label),
                    language=language,
                    language_label=language_label,
                    text=_in_force(kind, language, saved),
                    saved_at=saved.saved_at if saved else None,
                    saved_by=saved.saved_by.display_name if saved and saved.saved_by else "",
                )
            )
    return rows


def _in_force(kind: str, language: str, saved: ContentVersion | None) -> content.Content:
    if saved is None:
        body = content.default_body(kind, language)
        return content.Content(kind, language, body, content.SOURCES, 0, "")
    return content.Content(
        kind, language, saved.body, saved.sources, saved.version, saved.legal_review
    )


def content_in_force(user: User, kind: str, language: str) -> content.Content:
    """Raises:
    PermissionDenied: the user may not edit hotline texts."""
    check(user, Capability.EDIT_HOTLINE_CONTENT)
    return content.current(kind, language)


def content_history(user: User, kind: str, language: str) -> QuerySet[ContentVersion]:
    """Every saved version of one text, newest first.

    Raises:
        PermissionDenied: the user may not edit hotline texts.
    """
    check(user, Capability.EDIT_HOTLINE_CONTENT)
    return (
        ContentVersion.objects.filter(kind=kind, language=language)
        .select_related("saved_by")
        .order_by("-version")
    )
