"""Demo data for trainings: past and coming sessions, certificates and vouches, so that most demo
responders are eligible for dispatch, a few show why not (an expired training, one vouch, no
training), and one, Ana's case, waits with a current training and one vouch: the organizer can
vouch them into the pool from the vouches page.

Draws from a generator of its own, so the other apps' demo data stays the same."""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from vecinos.core.choices import Role
from vecinos.core.models import User
from vecinos.organizing.models import Person
from vecinos.responders.models import Responder
from vecinos.trainings.choices import SignInMethod, TrainingKind
from vecinos.trainings.models import Certificate, TrainingSession, Vouch
from vecinos.trainings.services import expiry_for, new_code, refresh_responder

# The responder account who waits for the organizer's vouch in the demo.
PENDING_USERNAME = "responder29"


def populate(_rng: random.Random) -> dict[str, int]:
    rng = random.Random(6)  # noqa: S311  # demo data, not secrets
    now = timezone.now().replace(second=0, microsecond=0)
    demo = {u.username: u for u in User.objects.filter(is_demo=True)}
    coordinator, organizer = demo.get("coordinator"), demo.get("organizer")
    trainer = demo.get("facilitator") or organizer
    if coordinator is None or organizer is None or trainer is None:
        return {"training_sessions": 0}

    def session(kind: str, days: int, title: str, place: str, hours: int = 3) -> TrainingSession:
        starts = (now + timedelta(days=days)).replace(hour=18, minute=0)
        return TrainingSession.objects.create(
            kind=kind,
            title=title,
            place=place,
            starts_at=starts,
            ends_at=starts + timedelta(hours=hours),
            code=new_code(),
            trainer=trainer,
            created_by=organizer,
        )

    expired = session(
        TrainingKind.FIRST_RESPONDER, -420, "Rapid response basics", "St. Basil's parish hall"
    )
    current = session(
        TrainingKind.FIRST_RESPONDER, -60, "Rapid response basics", "Union local 11 hall"
    )
    kyr = session(TrainingKind.KNOW_YOUR_RIGHTS, -30, "", "Koreatown library, community room")
    session(TrainingKind.LEGAL_OBSERVER, 9, "With the legal clinic", "Union local 11 hall")
    # Happening today, its sign-in open: text its code from the phone simulator.
    TrainingSession.objects.create(
        kind=TrainingKind.FIRST_RESPONDER,
        title="Rapid response basics",
        place="Wilshire Park church basement",
        starts_at=now,
        ends_at=now + timedelta(hours=4),
        code=new_code(),
        trainer=trainer,
        created_by=organizer,
    )

    certificates: list[Certificate] = []
    vouches: list[Vouch] = []

    def attend(person: Person, at: TrainingSession) -> None:
        certificates.append(
            Certificate(
                session=at,
                person=person,
                kind=at.kind,
                method=rng.choice([SignInMethod.TEXT, SignInMethod.TRAINER]),
                recorded_by=trainer,
                issued_at=at.starts_at + timedelta(minutes=rng.randint(0, 40)),
                expires_at=expiry_for(at),
            )
        )

    def vouch(person: Person, *by: User) -> None:
        for voucher in by:
            vouches.append(
                Vouch(
                    person=person,
                    voucher=voucher,
                    voucher_person=getattr(voucher, "person", None),
                    at=current.ends_at + timedelta(days=rng.randint(1, 20)),
                )
            )

    responders = list(
        Responder.objects.filter(person__is_demo=True)
        .select_related("person__account")
        .order_by("id")
    )
    trusted: list[User] = []  # responders with accounts who are eligible: they vouch for later ones
    for responder in responders:
        person = responder.person
        account = person.account
        username = account.username if account is not None else ""
        if username == PENDING_USERNAME:
            attend(person, current)
            vouch(person, coordinator)
            continue
        always = username in {"responder", "dispatcher"}
        draw = rng.random()
        # The first ones are vouched for by the coordinator and the organizer; later ones by
        # the organizer and a responder already trusted: the vouch chain has depth.
        first = coordinator if len(trusted) < 4 else rng.choice(trusted)
        if always or draw < 0.85:
            attend(person, current)
            vouch(person, first, organizer)
            if account is not None and account.has_role(Role.RESPONDER):
                trusted.append(account)
        elif draw < 0.91:
            attend(person, expired)
            vouch(person, first, organizer)
        elif draw < 0.96:
            attend(person, current)
            vouch(person, organizer)
    # Know Your Rights for some contacts.
    contacts = Person.objects.filter(is_demo=True, responder__isnull=True).order_by("id")[:25]
    for person in contacts:
        attend(person, kyr)
    Certificate.objects.bulk_create(certificates)
    Vouch.objects.bulk_create(vouches)
    for responder in responders:
        refresh_responder(responder.person_id, now)
    return {
        "training_sessions": TrainingSession.objects.count(),
        "certificates": len(certificates),
        "vouches": len(vouches),
        "eligible_responders": Responder.objects.eligible().count(),
    }
