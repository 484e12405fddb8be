"""Demo data for messaging: the consent each demo person gave on the sign-up sheet, and the
numbers that texted JOIN to be on the community alert list."""

from __future__ import annotations

import random

from vecinos.messaging.choices import Channel, ConsentMethod
from vecinos.messaging.models import AlertSubscription, Consent
from vecinos.organizing.models import Person


def populate(rng: random.Random) -> dict[str, int]:
    """Everyone with a phone agreed to texts at a sign-up table; a few said no to calls."""
    consents = []
    for person in Person.objects.filter(is_demo=True).exclude(phone_hash=""):
        consents.append(
            Consent(
                person=person, channel=Channel.SMS, granted=True, method=ConsentMethod.IN_PERSON
            )
        )
        if rng.random() < 0.1:
            consents.append(
                Consent(
                    person=person,
                    channel=Channel.VOICE,
                    granted=False,
                    method=ConsentMethod.IN_PERSON,
                )
            )
    Consent.objects.bulk_create(consents)
    # About half the neighborhood joined the alert list, by ZIP code or by the colonia's name.
    subscriptions = [
        AlertSubscription(
            address=person.phone,
            area=rng.choice(AREAS),
            language=person.preferred_language,
        )
        for person in Person.objects.filter(is_demo=True).exclude(phone_hash="")
        if rng.random() < 0.5
    ]
    AlertSubscription.objects.bulk_create(subscriptions)
    return {"consents": len(consents), "alert_subscriptions": len(subscriptions)}


AREAS = ("90005", "90020", "JACARANDA")
