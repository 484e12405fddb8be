"""Reads of people. What reveals contact details goes through ``access_*`` and is audited."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from vecinos.core import audit
from vecinos.core.choices import Role
from vecinos.core.crypto import keyed_hashes
from vecinos.core.fields import hash_input
from vecinos.core.permissions import Capability, check
from vecinos.messaging.choices import Channel
from vecinos.messaging.models import Consent
from vecinos.organizing.choices import SpokenLanguage, Stage
from vecinos.organizing.models import CircleMembership, Person, StageStep

if TYPE_CHECKING:
    from vecinos.core.models import User


def access_person(user: User, person_id: int) -> Person:
    """The person, for someone allowed to see contact details; records the read.

    Raises:
        PermissionDenied: the user may not see people (nothing is recorded).
        Http404: no such person.
    """
    check(user, Capability.VIEW_PEOPLE)
    person = get_object_or_404(Person, id=person_id)
    audit.record(user, audit.PERSON_VIEWED, person)
    return person


@dataclass
class ChannelConsent:
    """One channel's answer for a person: the newest recorded, and every one before it."""

    channel: str
    label: str
    history: list[Consent] = field(default_factory=list)  # newest first

    @property
    def current(self) -> Consent | None:
        return self.history[0] if self.history else None


def consents_for(user: User, person: Person) -> list[ChannelConsent]:
    """Each channel's consent for ``person`` (fetched with :func:`access_person`, which recorded
    the read), in the order channels are listed, with who recorded each answer.

    Raises:
        PermissionDenied: the user may not edit people, who alone see and record consent.
    """
    check(user, Capability.EDIT_PEOPLE)
    rows = {channel: ChannelConsent(channel, str(label)) for channel, label in Channel.choices}
    answers = (
        Consent.objects.filter(person=person).select_related("recorded_by").order_by("-at", "-id")
    )
    for consent in answers:
        rows[consent.channel].history.append(consent)
    return list(rows.values())


def people_for(user: User, *, name: str = "") -> QuerySet[Person]:
    """People listed for ``user``: names and languages only; opening one is an audited read.

    Raises:
        PermissionDenied: the user may not see people.
    """
    check(user, Capability.VIEW_PEOPLE)
    people = Person.objects.select_related("account").prefetch_related("account__role_assignments")
    if name:
        people = people.filter(full_name__icontains=name)
    return people


def find_people_by_phone(user: User, e164: str) -> QuerySet[Person]:
    """People with exactly this (normalized) number; the search itself is recorded.

    Raises:
        PermissionDenied: the user may not see people.
    """
    check(user, Capability.VIEW_PEOPLE)
    audit.record(user, audit.PERSON_SEARCHED)
    return Person.objects.filter(phone_hash__in=keyed_hashes(hash_input(e164, "phone"), "phone"))


def responder_languages() -> list[tuple[str, int]]:
    """How many active responders speak each language, most common first (names only, no
    contact details, so not audited)."""
    labels = dict(SpokenLanguage.choices)
    counts: Counter[str] = Counter()
    rows = Person.objects.filter(
        account__role_assignments__role=Role.RESPONDER, account__is_active=True
    ).values_list("languages", flat=True)
    for languages in rows:
        counts.update(languages)
    return [(str(labels.get(code, code)), n) for code, n in counts.most_common()]


@dataclass
class Rung:
    stage: str
    label: str
    reached: StageStep | None  # the newest step to this stage, if any
    is_current: bool


def ladder_for(user: User, person: Person) -> dict[str, object]:
    """A person's ladder (each stage, with when they last reached it), the dated history of every
    step, their circles, who brought them and whom they brought. For the person's page, after
    :func:`access_person` recorded the read.

    Raises:
        PermissionDenied: the user may not see people.
    """
    check(user, Capability.VIEW_PEOPLE)
    steps = list(
        StageStep.objects.filter(person=person).select_related("recorded_by").order_by("-at", "-id")
    )
    newest: dict[str, StageStep] = {}
    for step in steps:
        newest.setdefault(step.stage, step)
    rungs = [
        Rung(value, str(label), newest.get(value), value == person.stage)
        for value, label in Stage.choices
    ]
    return {
        "rungs": rungs,
        "steps": steps,
        "memberships": list(
            CircleMembership.objects.filter(person=person)
            .select_related("circle")
            .order_by("circle__name")
        ),
        "brought": list(Person.objects.filter(brought_by=person).order_by("full_name", "id")),
        "brought_by": (
            Person.objects.filter(id=person.brought_by_id).first() if person.brought_by_id else None
        ),
    }
