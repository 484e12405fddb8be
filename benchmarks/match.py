"""`vecinos bench match`: choose responders for incidents among N responders.

N responders (people with sealed phone numbers, as the app stores them) are spread at random over
the cells of a city-sized disk of H3 cells (radius 25 rings: 1,951 cells, about 1,400 km²), with
a mix of languages, eligibility and availability; they are created first and not timed. Then, for
``--queries`` random incident cells and each ring in ``--rings``, ``match_responders`` (what
"Alert responders" and the widening call) is timed: median and p99 in milliseconds.

The baseline, measured in the same run on the same database: the same selection as one raw SQL
query (``cell IN`` the ring's cells, eligible and available) with no ORM and no sorting in
Python, i.e. what the index alone costs. The plan is checked to use ``responder_dispatch_idx``.

Run inside a throwaway database (the `bench` command sets one up).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import timedelta
from typing import Any

import h3
from django.db import connection, transaction
from django.utils import timezone

from vecinos.organizing.models import Person
from vecinos.responders import geo
from vecinos.responders.models import Responder
from vecinos.responders.queries import match_responders

CENTRE = str(h3.latlng_to_cell(34.0617, -118.3005, 8))  # Koreatown, Los Angeles
RADIUS = 25
LANGUAGES = [["es"], ["es", "en"], ["en"], ["ko", "en"], ["ko"], ["es", "mix"]]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--responders", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=500, help="incident cells per ring")
    parser.add_argument("--rings", default="0,1,2", help="rings to time, comma-separated")
    parser.add_argument("--seed", type=int, default=4)


def populate(count: int, rng: random.Random, batch: int = 5000) -> list[str]:
    """``count`` responders over the disk's cells (not timed); returns the cells."""
    cells = geo.disk(CENTRE, RADIUS)
    # Eligible: a current training and two vouches, as vecinos.trainings keeps them.
    trained = timezone.now() + timedelta(days=200)
    for offset in range(0, count, batch):
        size = min(batch, count - offset)
        with transaction.atomic():
            people = Person.objects.bulk_create(
                Person(
                    full_name=f"Responder {n}",
                    phone=f"+1{213 + n // 10_000_000:03d}{5_550_000 + n % 10_000_000:07d}",
                    languages=rng.choice(LANGUAGES),
                    preferred_language="es",
                )
                for n in range(offset, offset + size)
            )
            profiles = []
            for person in people:
                cell, eligible = rng.choice(cells), rng.random() < 0.9
                profiles.append(
                    Responder(
                        person=person,
                        cell=cell,
                        eligible=eligible,
                        trained_until=trained if eligible else None,
                        vouches=2 if eligible else 0,
                        available=rng.random() < 0.6,
                    )
                )
            Responder.objects.bulk_create(profiles)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return cells


def raw_select(cells: list[str]) -> list[int]:
    """The baseline: the index's part of the work, one raw query."""
    table = Responder._meta.db_table
    marks = ", ".join(["%s"] * len(cells))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {table} WHERE eligible AND available AND cell IN ({marks})",  # noqa: S608  # placeholders only
            cells,
        )
        return [row[0] for row in cursor.fetchall()]


def uses_index() -> bool:
    """Whether the database plans the selection on ``responder_dispatch_idx``."""
    cells = geo.ring(CENTRE, 1)
    query = Responder.objects.eligible().available(timezone.now()).filter(cell__in=cells).query
    sql, params = query.sql_with_params()
    explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        cursor.execute(explain + sql, params)
        plan = " ".join(str(value) for row in cursor.fetchall() for value in row)
    return "responder_dispatch_idx" in plan


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run(options: dict[str, Any]) -> dict[str, Any]:
    rng = random.Random(options["seed"])  # noqa: S311  # placing test data, not secrets
    count = options["responders"]
    setup_start = time.perf_counter()
    cells = populate(count, rng)
    setup_seconds = time.perf_counter() - setup_start
    # Incidents away from the disk's edge, so every ring is full of cells.
    inner = geo.disk(CENTRE, RADIUS - 5)
    rings = [int(ring) for ring in options["rings"].split(",")]
    figures: dict[str, Any] = {
        "benchmark": "match",
        "database": connection.vendor,
        "responders": count,
        "cells": len(cells),
        "queries_per_ring": options["queries"],
        "setup_seconds": round(setup_seconds, 1),
        "uses_responder_dispatch_idx": uses_index(),
    }
    now = timezone.now()
    for ring in rings:
        incidents = [rng.choice(inner) for _ in range(options["queries"])]
        match_responders(incidents[0], "es", ring, at=now)  # warm the connection and caches
        timed, baseline, found = [], [], []
        for cell in incidents:
            language = rng.choice(["es", "en", "ko"])
            start = time.perf_counter()
            chosen = match_responders(cell, language, ring, at=now)
            timed.append((time.perf_counter() - start) * 1000)
            found.append(len(chosen))
            start = time.perf_counter()
            raw_select(geo.ring(cell, ring))
            baseline.append((time.perf_counter() - start) * 1000)
        figures.update(
            {
                f"ring{ring}_median_ms": round(statistics.median(timed), 3),
                f"ring{ring}_p99_ms": round(percentile(timed, 0.99), 3),
                f"ring{ring}_baseline_raw_sql_median_ms": round(statistics.median(baseline), 3),
                f"ring{ring}_baseline_raw_sql_p99_ms": round(percentile(baseline, 0.99), 3),
                f"ring{ring}_responders_found_mean": round(statistics.mean(found), 1),
            }
        )
    return figures
