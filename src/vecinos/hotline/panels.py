"""Extension points: sections other apps add to the incident page, and what they add to its map.

Another app appends a template name to :data:`INCIDENT_PANELS` in its ``AppConfig.ready()``
(the responders app adds its alert and verification panel). The incident page includes each in
order, with ``incident`` (an :class:`~vecinos.hotline.models.Incident`, fetched through
``access_incident``), ``request``, ``user`` and ``can`` in the context. A panel must show no
caller data: responders never see who called.

An app may also add a layer to the incident's map with :func:`add_incident_map_layer` (the
responders app adds how far its alert reached and how many responders could go from each cell).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vecinos.core.models import User
    from vecinos.hotline.models import Incident

INCIDENT_PANELS: list[str] = []


def add_incident_panel(template_name: str) -> None:
    """Append ``template_name`` once (``ready()`` may run twice in tests)."""
    if template_name not in INCIDENT_PANELS:
        INCIDENT_PANELS.append(template_name)


@dataclass(frozen=True)
class MapLayer:
    """What an app adds to an incident's map. Counts per H3 cell only: a map every console user
    sees must never show who someone is or where exactly they are.

    ``rings``: how many rings of cells around the incident the map should show at least.
    ``reached_ring``: the rings alerted so far (drawn with the incident's cell), or None.
    ``counts``: a number per cell (None: this layer counts nothing; the map shows the counts of
    the first layer that has them); ``describe(n)`` says what it counts, for one cell.
    """

    rings: int = 0
    reached_ring: int | None = None
    counts: Mapping[str, int] | None = None
    describe: Callable[[int], str] = str


# Called as ``source(user, incident)`` for each viewing of an incident page with a map: read
# only, quick (a few queries), and None when this user may not see the layer.
MapLayerSource = Callable[["User", "Incident"], MapLayer | None]
INCIDENT_MAP_LAYERS: list[MapLayerSource] = []


def add_incident_map_layer(source: MapLayerSource) -> None:
    """Add ``source`` once (``ready()`` may run twice in tests)."""
    if source not in INCIDENT_MAP_LAYERS:
        INCIDENT_MAP_LAYERS.append(source)
