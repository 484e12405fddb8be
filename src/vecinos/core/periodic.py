"""Chores the worker runs every so often (purging expired caller numbers, widening alerts).

Apps register them in ``AppConfig.ready``; `vecinos worker` calls :func:`run_due` between batches.
Each chore must be safe to run twice at once: with several workers, each runs its own schedule.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

logger = logging.getLogger(__name__)


@dataclass
class Chore:
    name: str
    every_seconds: float
    run: Callable[[], object]
    last_run: float = field(default=float("-inf"))


CHORES: dict[str, Chore] = {}


def register(name: str, every_seconds: float, run: Callable[[], object]) -> None:
    """Run ``run()`` at most every ``every_seconds`` in each worker (first time: at start)."""
    CHORES.setdefault(name, Chore(name, every_seconds, run))


def run_due(now: float | None = None) -> list[str]:
    """Run every chore whose time has come; returns their names. A failing chore is logged and
    tried again at its next turn: one broken chore must not stop the outbox."""
    now = time.monotonic() if now is None else now
    ran = []
    for chore in CHORES.values():
        if now - chore.last_run < chore.every_seconds:
            continue
        chore.last_run = now
        try:
            chore.run()
        except Exception:
            logger.exception("periodic chore %s failed", chore.name)
        ran.append(chore.name)
    return ran
