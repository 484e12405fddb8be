"""Demo data for mobilizations: a 40-seat bus to a rally filled by text, with a waitlist (two of
its places taken by numbers nobody knew, who texted SI BUS after a friend forwarded the
invitation; one cancellation moved the first in line up); a court watch without a seat limit;
and last month's vigil, with check-in done and its no-shows.

Every answer by text goes through the same path as a real one (``inbound.receive``), so the
demo's phone simulator shows the invitations, the confirmations and the waitlist texts.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from django.utils import timezone

from vecinos.core.models import User
from vecinos.messaging import inbound
from vecinos.messaging.models import InboundMessage
from vecinos.mobilizing import queries, services
from vecinos.mobilizing.choices import Answer, RsvpSource, RsvpStatus
from vecinos.mobilizing.models import Mobilization, Rsvp
from vecinos.mobilizing.texts import reply_word
from vecinos.organizing.models import Circle, Person

BUS_SEATS = 40
# How many invited people answer YES by text: more than the seats, so that a waitlist forms.
BUS_YES = 44
BUS_NO = 6


def _at(days: int, hour: int, minute: int = 0) -> datetime:
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def populate(rng: random.Random) -> dict[str, int]:
    """Create the mobilizations. Call once, after organizing's and messaging's demo data."""
    organizer = User.objects.get(username="organizer", is_demo=True)
    bus = services.do_create_mobilization(
        organizer,
        title="Autobús a la marcha en Sacramento",
        starts_at=_at(5, 6, 30),
        place="Iglesia San Judas, estacionamiento de la calle 3",
        capacity=BUS_SEATS,
        code="BUS",
    )
    court = services.do_create_mobilization(
        organizer,
        title="Court watch: hearing at the federal building",
        starts_at=_at(2, 8, 30),
        place="300 N Los Angeles St, front steps",
        capacity=None,
        code="CORTE",
    )
    vigil = Mobilization.objects.create(
        title="Vigilia frente al centro de detención",
        starts_at=_at(-12, 19),
        place="Adelanto, Rancho Rd entrance",
        capacity=None,
        code="VIGILIA",
        created_by=organizer,
        day_reminder_at=_at(-13, 19),
        hour_reminder_at=_at(-12, 18),
    )
    Mobilization.objects.filter(id__in=[bus.id, court.id, vigil.id]).update(is_demo=True)

    invited = _invite_for_the_bus(rng, organizer, bus)
    texts = _fill_by_text(rng, bus, invited)
    _court_watch(rng, court, invited)
    _vigil(rng, organizer, vigil)
    return {"mobilizations": 3, "rsvp_texts": texts}


def _invite_for_the_bus(rng: random.Random, organizer: User, bus: Mobilization) -> list[Person]:
    """Recruit by circle when the neighborhood has circles, else from the contact list."""
    circles = list(Circle.objects.filter(is_demo=True).order_by("id")[:4])
    people: list[Person] = []
    circle_of: dict[int, int] = {}
    if circles:
        found = queries.recruiting(organizer, bus, circles)
        people, circle_of = found.invitable, found.circle_of
    wanted = BUS_YES + BUS_NO + 10
    if len(people) < wanted:
        chosen = {p.id for p in people}
        others = [
            p
            for p in Person.objects.filter(is_demo=True, account__isnull=True)
            .exclude(phone_hash="")
            .order_by("id")
            if p.id not in chosen
        ]
        people += rng.sample(others, min(len(others), wanted - len(people)))
    services.do_invite(organizer, bus, people[:wanted], circle_of=circle_of)
    return [p for p in people[:wanted] if p.phone]


def _text(sender: str, body: str) -> None:
    stored = inbound.receive(
        gateway="simulator",
        provider_message_id=f"demo-{InboundMessage.objects.count() + 1}",
        sender=sender,
        body=body,
    )
    if stored is not None:
        inbound.process(stored.id)


def _fill_by_text(rng: random.Random, bus: Mobilization, invited: list[Person]) -> int:
    answering = list(invited)
    rng.shuffle(answering)
    yes, no = answering[:BUS_YES], answering[BUS_YES : BUS_YES + BUS_NO]
    sent = 0
    for person in yes:
        word = reply_word(person.preferred_language, Answer.YES)
        _text(person.phone, rng.choice([word, word.lower(), f"{word}!"]))
        sent += 1
    for person in no:
        _text(person.phone, reply_word(person.preferred_language, Answer.NO))
        sent += 1
    # A friend forwarded the invitation to two numbers nobody knew: they answer with the code.
    taken = {person.phone for person in Person.objects.exclude(phone_hash="")}
    strangers = [
        phone
        for phone in (f"+1{area}55501{n:02d}" for area in (323, 818, 213) for n in range(100))
        if phone not in taken
    ]
    for phone, body in zip(rng.sample(strangers, 2), ("Si BUS", "yes bus"), strict=True):
        _text(phone, body)
        sent += 1
    Person.objects.filter(is_demo=False, rsvps__mobilization=bus).update(is_demo=True)
    # Someone with a seat can't come after all: the first on the waitlist moves up.
    first_going = (
        Rsvp.objects.filter(mobilization=bus, status=RsvpStatus.GOING)
        .select_related("person")
        .order_by("answered_at", "id")
        .first()
    )
    if first_going is not None:
        language = first_going.person.preferred_language
        _text(first_going.person.phone, f"{reply_word(language, Answer.NO)} BUS")
        sent += 1
    return sent


def _court_watch(rng: random.Random, court: Mobilization, invited: list[Person]) -> None:
    now = timezone.now()
    for person in rng.sample(invited, min(9, len(invited))):
        services.answer_for(court, person, Answer.YES, source=RsvpSource.ORGANIZER, now=now)


def _vigil(rng: random.Random, organizer: User, vigil: Mobilization) -> None:
    """Last month's vigil: 25 said yes, 19 were checked in, 6 did not come."""
    people = list(Person.objects.filter(is_demo=True).exclude(phone_hash="").order_by("id")[:120])
    answered_at = vigil.starts_at - timedelta(days=3)
    going = rng.sample(people, 25)
    Rsvp.objects.bulk_create(
        Rsvp(
            mobilization=vigil,
            person=person,
            status=RsvpStatus.GOING,
            source=RsvpSource.TEXT,
            answered_at=answered_at,
            checked_in_at=vigil.starts_at - timedelta(minutes=10) if n < 19 else None,
        )
        for n, person in enumerate(going)
    )
