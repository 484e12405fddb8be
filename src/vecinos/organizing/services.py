"""Changes to people, each audited in the same transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from vecinos.core import audit
from vecinos.core.permissions import Capability, check
from vecinos.organizing.models import Person

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
