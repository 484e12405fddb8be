"""What the live console hears: "a report arrived", "an incident moved".

Services call :func:`publish` inside their transaction; listeners run after commit, so a screen
never shows a report that was rolled back. The console registers the listener that carries events
to every web process (see :mod:`vecinos.hotline.live`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

logger = logging.getLogger(__name__)

REPORT_NEW = "report.new"
REPORT_CHANGED = "report.changed"
INCIDENT_CHANGED = "incident.changed"


@dataclass(frozen=True)
class Event:
    kind: str
    report_id: int | None = None
    incident_id: int | None = None


Listener = Callable[[Event], None]
LISTENERS: list[Listener] = []


def listen(listener: Listener) -> None:
    if listener not in LISTENERS:
        LISTENERS.append(listener)


def publish(kind: str, *, report_id: int | None = None, incident_id: int | None = None) -> None:
    """Tell listeners after the current transaction commits. Carries ids only: each screen reads
    what its viewer may see."""
    event = Event(kind, report_id, incident_id)
    transaction.on_commit(lambda: _deliver(event))


def _deliver(event: Event) -> None:
    for listener in LISTENERS:
        try:
            listener(event)
        except Exception:
            # A console that misses an event catches up on its next poll; the report is saved.
            logger.exception("console listener failed on %s", event.kind)
