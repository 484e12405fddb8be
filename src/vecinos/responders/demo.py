"""Demo data for responders: every demo account with the responder role has a profile near the
demo neighborhood (Koreatown, Los Angeles: the ZIP codes the alert list uses). Their trainings
and vouches (which make most of them eligible, so "Alert responders" reaches pretend phones) come
from vecinos.trainings.demo, which runs after this."""

from __future__ import annotations

import random

from vecinos.core.choices import Role
from vecinos.organizing.models import Person
from vecinos.responders import geo
from vecinos.responders.models import Responder

# The H3 cell of Wilshire and Vermont: where demo incidents can be placed.
CENTRE = "8829a1d63bfffff"


def populate(rng: random.Random) -> dict[str, int]:
    near, further = geo.disk(CENTRE, 1), [c for k in (2, 3) for c in geo.ring(CENTRE, k)]
    people = Person.objects.filter(
        is_demo=True, account__role_assignments__role=Role.RESPONDER
    ).exclude(phone_hash="")
    profiles = []
    for person in people.order_by("id"):
        # Drawn as before trainings existed, so the rest of the demo stays the same.
        rng.random()
        profiles.append(
            Responder(
                person=person,
                cell=rng.choice(near if rng.random() < 0.75 else further),
                available=rng.random() < 0.8,
            )
        )
    Responder.objects.bulk_create(profiles)
    return {"responders": len(profiles)}
