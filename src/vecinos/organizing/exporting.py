"""People as a CSV file in Vecinos' own columns, which `vecinos import people` reads back.

Exporting is the moment the whole list leaves Vecinos: only coordinators may (EXPORT_PEOPLE),
and each export is audited with how many people it held.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterator
from typing import TYPE_CHECKING

from vecinos.core import audit
from vecinos.core.permissions import Capability, check
from vecinos.organizing.models import CircleMembership, Person

if TYPE_CHECKING:
    from vecinos.core.models import User

COLUMNS = ("name", "phone", "email", "languages", "zone", "roles", "stage", "circles")
# A cell a spreadsheet would run as a formula starts with one of these.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    def write(self, value: str) -> str:
        return value


def _cell(text: str) -> str:
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def access_export(user: User) -> int:
    """Record that ``user`` exports everyone; returns how many people the file holds.

    Raises:
        PermissionDenied: the user may not export people (nothing is recorded).
    """
    check(user, Capability.EXPORT_PEOPLE)
    count = Person.objects.count()
    audit.record(user, audit.PEOPLE_EXPORTED, None, people=count)
    return count


def rows(batch: int = 1000) -> Iterator[str]:
    """The file, line by line (call :func:`access_export` first)."""
    from vecinos.messaging.models import AlertSubscription
    from vecinos.responders.models import Responder

    writer = csv.writer(_Echo())
    yield writer.writerow(COLUMNS)
    responders = set(Responder.objects.values_list("person_id", flat=True))
    subscribed = set(AlertSubscription.objects.values_list("address_hash", flat=True))
    last_id = 0
    while True:
        people = list(
            Person.objects.filter(id__gt=last_id).select_related("zone").order_by("id")[:batch]
        )
        if not people:
            return
        last_id = people[-1].id
        circles: dict[int, list[str]] = defaultdict(list)
        for person_id, name in CircleMembership.objects.filter(
            person_id__in=[p.id for p in people]
        ).values_list("person_id", "circle__name"):
            circles[person_id].append(name)
        for person in people:
            roles = []
            if person.id in responders:
                roles.append("responder")
            if person.phone_hash and person.phone_hash in subscribed and person.zone is not None:
                roles.append("subscriber")
            yield writer.writerow(
                (
                    _cell(person.full_name),
                    person.phone,
                    person.email,
                    ", ".join(person.languages),
                    _cell(person.zone.name) if person.zone else "",
                    "; ".join(roles),
                    person.stage,
                    _cell("; ".join(sorted(circles[person.id], key=str.casefold))),
                )
            )
