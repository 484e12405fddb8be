"""Demo data for responders: every demo account with the responder role has a profile near the
demo neighborhood (Koreatown, Los Angeles: the ZIP codes the alert list uses), most of them
marked eligible by the demo coordinator, so "Alert responders" reaches pretend phones."""

from __future__ import annotations

import random

from django.utils import timezone

from vecinos.core.choices import Role
from vecinos.core.models import User
from vecinos.organizing.models import Person
from vecinos.responders import geo
from vecinos.responders.models import Responder

# The H3 cell of Wilshire and Vermont: where demo incidents can be placed.
CENTRE = "8829a1d63bfffff"


def populate(rng: random.Random) -> dict[str, int]:
    coordinator = User.objects.filter(is_demo=True, username="coordinator").first()
    near, further = geo.disk(CENTRE, 1), [c for k in (2, 3) for c in geo.ring(CENTRE, k)]
    people = Person.objects.filter(
        is_demo=True, account__role_assignments__role=Role.RESPONDER
    ).exclude(phone_hash="")
    now = timezone.now()
    profiles = []
    for person in people.order_by("id"):
        eligible = rng.random() < 0.85
        profiles.append(
            Responder(
                person=person,
                cell=rng.choice(near if rng.random() < 0.75 else further),
                available=rng.random() < 0.8,
                eligible=eligible,
                eligible_changed_by=coordinator if eligible else None,
                eligible_changed_at=now if eligible else None,
            )
        )
    Responder.objects.bulk_create(profiles)
    return {"responders": len(profiles)}
