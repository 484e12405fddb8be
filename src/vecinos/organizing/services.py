"""Changes to people, each audited in the same transaction."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from vecinos.core import audit
from vecinos.core.permissions import Capability, check
from vecinos.organizing.choices import CircleKind, Stage
from vecinos.organizing.models import Circle, CircleMembership, Person, StageStep

if TYPE_CHECKING:
    from vecinos.core.models import User
    from vecinos.places.models import Zone

EDITABLE_FIELDS = (
    "full_name",
    "phone",
    "email",
    "preferred_language",
    "preferred_channel",
    "languages",
    "zone",
)


def do_create_person(
    actor: User,
    *,
    full_name: str,
    phone: str = "",
    email: str = "",
    preferred_language: str = "es",
    preferred_channel: str = "sms",
    languages: list[str] | None = None,
    zone: Zone | None = None,
) -> Person:
    """Add a person. ``phone`` must already be E.164 (see ``vecinos.core.phones``).

    Raises:
        PermissionDenied: the actor may not edit people.
    """
    check(actor, Capability.EDIT_PEOPLE)
    with transaction.atomic():
        person = Person.objects.create(
            full_name=full_name,
            phone=phone,
            email=email,
            preferred_language=preferred_language,
            preferred_channel=preferred_channel,
            languages=languages or [],
            zone=zone,
        )
        StageStep.objects.create(
            person=person, stage=Stage.CONTACT, at=person.created_at, recorded_by=actor
        )
        audit.record(actor, audit.PERSON_CREATED, person)
    return person


def do_update_person(actor: User, person: Person, **changes: object) -> Person:
    """Change some of :data:`EDITABLE_FIELDS`; the audit entry names the fields, not the values.

    Raises:
        PermissionDenied: the actor may not edit people.
        ValueError: a field that cannot be edited here.
    """
    check(actor, Capability.EDIT_PEOPLE)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"cannot edit {sorted(unknown)}")
    changed = [field for field, value in changes.items() if getattr(person, field) != value]
    if not changed:
        return person
    for field in changed:
        setattr(person, field, changes[field])
    update_fields = [*changed, "updated_at"]
    if "phone" in changed:
        update_fields.append("phone_hash")
    if "email" in changed:
        update_fields.append("email_hash")
    with transaction.atomic():
        person.save(update_fields=update_fields)
        audit.record(actor, audit.PERSON_CHANGED, person, fields=sorted(changed))
    return person


def do_record_stage(
    actor: User | None, person: Person, stage: str, *, at: datetime | None = None
) -> StageStep:
    """Record that ``person`` reached ``stage`` (up or down the ladder) at ``at`` (now if None).

    The step joins the dated history; the person's current stage becomes that of their newest
    step, so recording an older step (a date in the past) does not overwrite a newer one.

    Raises:
        PermissionDenied: the actor may not edit people.
        ValueError: not a stage, or a date in the future.
    """
    if actor is not None:
        check(actor, Capability.EDIT_PEOPLE)
    if stage not in Stage.values:
        raise ValueError(f"not a stage: {stage!r}")
    now = timezone.now()
    at = at or now
    if at > now:
        raise ValueError("a step cannot be in the future")
    with transaction.atomic():
        step = StageStep.objects.create(person=person, stage=stage, at=at, recorded_by=actor)
        newest = (
            StageStep.objects.filter(person=person)
            .order_by("-at", "-id")
            .values_list("stage", flat=True)[:1]
        )
        current = newest[0] if newest else stage
        Person.objects.filter(id=person.id).update(stage=current, updated_at=now)
        person.stage = current
        audit.record(actor, audit.STAGE_RECORDED, person, stage=stage)
    return step


def do_create_circle(
    actor: User, *, name: str, kind: str = CircleKind.OTHER, created_at: datetime | None = None
) -> Circle:
    """Add a circle.

    Raises:
        PermissionDenied: the actor may not edit people.
    """
    check(actor, Capability.EDIT_PEOPLE)
    with transaction.atomic():
        circle = Circle.objects.create(
            name=name, kind=kind, created_at=created_at or timezone.now()
        )
        audit.record(actor, audit.CIRCLE_CREATED, circle)
    return circle


def do_update_circle(actor: User, circle: Circle, *, name: str, kind: str) -> Circle:
    """Rename a circle or change its kind.

    Raises:
        PermissionDenied: the actor may not edit people.
    """
    check(actor, Capability.EDIT_PEOPLE)
    with transaction.atomic():
        circle.name, circle.kind = name, kind
        circle.save(update_fields=["name", "kind"])
        audit.record(actor, audit.CIRCLE_CHANGED, circle)
    return circle


def do_add_to_circle(
    actor: User | None,
    circle: Circle,
    person: Person,
    *,
    vouches: bool = False,
    joined_at: datetime | None = None,
) -> CircleMembership:
    """Put ``person`` in ``circle`` (nothing changes if they are already in it, except that
    ``vouches=True`` marks them as vouching for the circle).

    Raises:
        PermissionDenied: the actor may not edit people.
    """
    if actor is not None:
        check(actor, Capability.EDIT_PEOPLE)
    with transaction.atomic():
        membership, created = CircleMembership.objects.get_or_create(
            circle=circle,
            person=person,
            defaults={"vouches_for_circle": vouches, "joined_at": joined_at or timezone.now()},
        )
        if created:
            audit.record(actor, audit.CIRCLE_MEMBER_ADDED, circle, person=person.id)
        elif vouches and not membership.vouches_for_circle:
            CircleMembership.objects.filter(id=membership.id).update(vouches_for_circle=True)
            membership.vouches_for_circle = True
            audit.record(actor, audit.CIRCLE_MEMBER_CHANGED, circle, person=person.id, vouches=True)
    return membership


def do_set_vouching(actor: User, membership: CircleMembership, *, vouches: bool) -> None:
    """Mark or unmark a member as a contact who vouches for their circle.

    Raises:
        PermissionDenied: the actor may not edit people.
    """
    check(actor, Capability.EDIT_PEOPLE)
    with transaction.atomic():
        changed = CircleMembership.objects.filter(
            id=membership.id, vouches_for_circle=not vouches
        ).update(vouches_for_circle=vouches)
        membership.vouches_for_circle = vouches
        if changed:
            audit.record(
                actor,
                audit.CIRCLE_MEMBER_CHANGED,
                membership.circle,
                person=membership.person_id,
                vouches=vouches,
            )


def do_remove_from_circle(actor: User, membership: CircleMembership) -> None:
    """Take a person out of a circle.

    Raises:
        PermissionDenied: the actor may not edit people.
    """
    check(actor, Capability.EDIT_PEOPLE)
    with transaction.atomic():
        deleted, _counts = CircleMembership.objects.filter(id=membership.id).delete()
        if deleted:
            audit.record(
                actor,
                audit.CIRCLE_MEMBER_REMOVED,
                membership.circle,
                person=membership.person_id,
            )


def do_set_brought_by(actor: User, person: Person, brought_by: Person | None) -> None:
    """Record who brought ``person`` in (None: nobody knows).

    Raises:
        PermissionDenied: the actor may not edit people.
        ValueError: a person cannot bring themself, nor someone they were brought by.
    """
    check(actor, Capability.EDIT_PEOPLE)
    if brought_by is not None:
        seen: set[int] = set()
        step: Person | None = brought_by
        while step is not None and step.id not in seen:
            if step.id == person.id:
                raise ValueError("that would make a loop of who brought whom")
            seen.add(step.id)
            step = step.brought_by
    with transaction.atomic():
        Person.objects.filter(id=person.id).update(brought_by=brought_by, updated_at=timezone.now())
        person.brought_by = brought_by
        audit.record(actor, audit.PERSON_CHANGED, person, fields=["brought_by"])
