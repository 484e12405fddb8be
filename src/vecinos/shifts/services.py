"""Changes to the rota, swaps, the fallback list and calendar links, each checked and audited in
one transaction. State changes that two people could race (accepting a swap) are conditional
UPDATEs: exactly one of them changes the row."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import date, datetime, time
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vecinos.core import audit, crypto
from vecinos.core.choices import Role
from vecinos.core.permissions import Capability, can, check
from vecinos.shifts.choices import SwapStatus, Weekday
from vecinos.shifts.models import FallbackContact, FeedToken, Shift, Swap
from vecinos.shifts.queries import Occurrence, occurrence

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from vecinos.core.models import User

NOTE_MAX_LENGTH = 300
# Keeps the keyed hashes of calendar tokens apart from those of phone numbers and e-mail.
FEED_HASH_PURPOSE = "shift calendar link"


class ShiftError(Exception):
    """A change to the rota that cannot be made as asked. ``str()`` is a sentence for people,
    translated into the language active when it is shown."""

    message: Promise

    def __str__(self) -> str:
        return str(self.message)


class NoSuchOccurrenceError(ShiftError):
    message = _("This shift does not take place on that day.")


class ShiftOverError(ShiftError):
    message = _("This shift is already over.")


class NotOnShiftError(ShiftError):
    message = _("You are not on this shift that day, so you cannot offer it.")


class ReplacedNotOnShiftError(ShiftError):
    message = _("That dispatcher is not on this shift that day.")


class AlreadyOfferedError(ShiftError):
    message = _("You already offered this shift; it is waiting for someone to take it.")


class SwapTakenError(ShiftError):
    message = _("Someone else took this shift first, or it was withdrawn. Nothing was changed.")


class SwapNotOpenError(ShiftError):
    message = _("Someone already took this shift, so it can no longer be withdrawn.")


class OwnSwapError(ShiftError):
    message = _("This is your own shift.")


class AlreadyOnShiftError(ShiftError):
    message = _("You are already on this shift that day.")


class CoverAlreadyOnError(ShiftError):
    message = _("That dispatcher is already on this shift that day.")


class NotADispatcherError(ShiftError):
    message = _("Only active accounts with the dispatcher role can be on shifts.")


class NotEligibleFallbackError(ShiftError):
    message = _("Only active coordinators and dispatchers can be on the fallback list.")


class AlreadyOnFallbackError(ShiftError):
    message = _("That account is already on the fallback list.")


def is_dispatcher(user: User) -> bool:
    return user.is_active and user.has_role(Role.DISPATCHER)


# --- The weekly rota --------------------------------------------------------------------------


def check_shift_fields(
    *, name: str, weekday: int, starts_at: time, ends_at: time, dispatchers: Iterable[User]
) -> dict[str, object]:
    """The fields of a shift, cleaned: times to the minute, the name trimmed.

    Raises:
        ValueError: a weekday outside 0 to 6 or a name over 60 characters.
        NotADispatcherError: one of ``dispatchers`` is not an active dispatcher.
    """
    if weekday not in Weekday.values:
        raise ValueError(f"weekday must be 0-6, not {weekday!r}")
    name = name.strip()
    if len(name) > 60:
        raise ValueError("a shift's name has at most 60 characters")
    people = list(dict.fromkeys(dispatchers))
    if not all(is_dispatcher(u) for u in people):
        raise NotADispatcherError
    return {
        "name": name,
        "weekday": weekday,
        "starts_at": starts_at.replace(second=0, microsecond=0, tzinfo=None),
        "ends_at": ends_at.replace(second=0, microsecond=0, tzinfo=None),
        "dispatchers": people,
    }


def do_create_shift(
    actor: User,
    *,
    name: str = "",
    weekday: int,
    starts_at: time,
    ends_at: time,
    dispatchers: Iterable[User] = (),
) -> Shift:
    """Add a weekly shift.

    Raises:
        PermissionDenied: the actor may not manage shifts.
        ValueError, NotADispatcherError: see :func:`check_shift_fields`.
    """
    check(actor, Capability.MANAGE_SHIFTS)
    fields = check_shift_fields(
        name=name, weekday=weekday, starts_at=starts_at, ends_at=ends_at, dispatchers=dispatchers
    )
    people = fields.pop("dispatchers")
    with transaction.atomic():
        shift = Shift.objects.create(**fields)
        shift.dispatchers.set(people)  # type: ignore[arg-type]  # a list of accounts
        audit.record(actor, audit.SHIFT_CREATED, shift, **_describe(shift))
    return shift


def do_update_shift(
    actor: User,
    shift: Shift,
    *,
    name: str,
    weekday: int,
    starts_at: time,
    ends_at: time,
    dispatchers: Iterable[User],
) -> Shift:
    """Change a weekly shift. Swaps already agreed keep their days: a shift moved to another
    weekday leaves them pointing at days it no longer has, where they change nothing.

    Raises:
        PermissionDenied: the actor may not manage shifts.
        ValueError, NotADispatcherError: see :func:`check_shift_fields`.
    """
    check(actor, Capability.MANAGE_SHIFTS)
    fields = check_shift_fields(
        name=name, weekday=weekday, starts_at=starts_at, ends_at=ends_at, dispatchers=dispatchers
    )
    people: list[User] = fields.pop("dispatchers")  # type: ignore[assignment]
    before = _describe(shift)
    with transaction.atomic():
        for field, value in fields.items():
            setattr(shift, field, value)
        shift.save(update_fields=list(fields))
        shift.dispatchers.set(people)
        after = _describe(shift)
        changed = sorted(k for k in after if after[k] != before[k])
        if changed:
            audit.record(actor, audit.SHIFT_CHANGED, shift, changed=changed, **after)
    return shift


def do_delete_shift(actor: User, shift: Shift) -> None:
    """Remove a weekly shift, with its swaps.

    Raises:
        PermissionDenied: the actor may not manage shifts.
    """
    check(actor, Capability.MANAGE_SHIFTS)
    with transaction.atomic():
        audit.record(actor, audit.SHIFT_DELETED, shift, **_describe(shift))
        shift.delete()


def _describe(shift: Shift) -> dict[str, object]:
    return {
        "weekday": shift.weekday,
        "starts_at": shift.starts_at.strftime("%H:%M"),
        "ends_at": shift.ends_at.strftime("%H:%M"),
        "dispatchers": sorted(shift.dispatchers.values_list("id", flat=True)),
    }


# --- Swaps and cover --------------------------------------------------------------------------


def _upcoming(shift: Shift, day: date, now: datetime) -> Occurrence:
    found = occurrence(shift, day)
    if found is None:
        raise NoSuchOccurrenceError
    if found.end <= now:
        raise ShiftOverError
    return found


def do_offer_swap(
    actor: User, shift: Shift, day: date, *, note: str = "", now: datetime | None = None
) -> Swap:
    """Offer the occurrence of ``shift`` starting on ``day`` for a colleague to take. The actor
    stays on it until someone accepts.

    Raises:
        PermissionDenied: the actor may not see shifts.
        ValueError: the note is longer than :data:`NOTE_MAX_LENGTH`.
        NoSuchOccurrenceError, ShiftOverError: no such occurrence, or it has ended.
        NotOnShiftError: the actor is not on it (swaps applied).
        AlreadyOfferedError: the actor has an open offer for it already.
    """
    check(actor, Capability.VIEW_SHIFTS)
    now = timezone.now() if now is None else now
    note = note.strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise ValueError(f"a note has at most {NOTE_MAX_LENGTH} characters")
    found = _upcoming(shift, day, now)
    if not found.has(actor):
        raise NotOnShiftError
    try:
        with transaction.atomic():
            swap = Swap.objects.create(
                shift=shift,
                date=day,
                replaced=actor,
                note=note,
                created_by=actor,
                created_at=now,
            )
            audit.record(actor, audit.SWAP_OFFERED, swap, shift=shift.id, date=day.isoformat())
    except IntegrityError:
        raise AlreadyOfferedError from None
    return swap


def do_accept_swap(actor: User, swap: Swap, *, now: datetime | None = None) -> Swap:
    """Take over an open swap: from now on the actor is on that occurrence instead of the one
    who offered it. Of two dispatchers accepting at once, exactly one gets it.

    Raises:
        PermissionDenied: the actor may not see shifts.
        NotADispatcherError: the actor is not an active dispatcher.
        OwnSwapError: the actor offered it.
        NoSuchOccurrenceError, ShiftOverError: the shift changed day, or it has ended.
        AlreadyOnShiftError: the actor is on that occurrence already.
        SwapTakenError: someone else took it first, or it was withdrawn; nothing changed.
    """
    check(actor, Capability.VIEW_SHIFTS)
    now = timezone.now() if now is None else now
    if not is_dispatcher(actor):
        raise NotADispatcherError
    if swap.replaced_id == actor.id:
        raise OwnSwapError
    if swap.status != SwapStatus.OPEN:
        raise SwapTakenError
    found = _upcoming(swap.shift, swap.date, now)
    if found.has(actor):
        raise AlreadyOnShiftError
    with transaction.atomic():
        taken = Swap.objects.filter(id=swap.id, status=SwapStatus.OPEN).update(
            status=SwapStatus.COVERED, covered_by=actor, decided_at=now
        )
        if taken != 1:
            raise SwapTakenError
        audit.record(
            actor,
            audit.SWAP_ACCEPTED,
            swap,
            shift=swap.shift_id,
            date=swap.date.isoformat(),
            replaced=swap.replaced_id,
        )
    swap.refresh_from_db()
    return swap


def do_withdraw_swap(actor: User, swap: Swap, *, now: datetime | None = None) -> Swap:
    """Take back an offer nobody has accepted yet (the one who offered it, or a coordinator).

    Raises:
        PermissionDenied: the actor neither offered it nor manages shifts.
        SwapNotOpenError: it was accepted (or withdrawn) meanwhile; nothing changed.
    """
    check(actor, Capability.VIEW_SHIFTS)
    if swap.replaced_id != actor.id and not can(actor, Capability.MANAGE_SHIFTS):
        raise PermissionDenied
    now = timezone.now() if now is None else now
    with transaction.atomic():
        withdrawn = Swap.objects.filter(id=swap.id, status=SwapStatus.OPEN).update(
            status=SwapStatus.WITHDRAWN, decided_at=now
        )
        if withdrawn != 1:
            raise SwapNotOpenError
        audit.record(
            actor, audit.SWAP_WITHDRAWN, swap, shift=swap.shift_id, date=swap.date.isoformat()
        )
    swap.refresh_from_db()
    return swap


def do_assign_cover(
    actor: User,
    shift: Shift,
    day: date,
    *,
    replaced: User,
    cover: User,
    now: datetime | None = None,
) -> Swap:
    """A coordinator puts ``cover`` on the occurrence instead of ``replaced``. An open offer by
    ``replaced`` for it is closed as covered by the same change.

    Raises:
        PermissionDenied: the actor may not manage shifts.
        NotADispatcherError: ``cover`` is not an active dispatcher.
        NoSuchOccurrenceError, ShiftOverError: no such occurrence, or it has ended.
        ReplacedNotOnShiftError: ``replaced`` is not on it.
        CoverAlreadyOnError: ``cover`` is on it already.
        SwapTakenError: a colleague accepted ``replaced``'s offer meanwhile; nothing changed.
    """
    check(actor, Capability.MANAGE_SHIFTS)
    now = timezone.now() if now is None else now
    if not is_dispatcher(cover):
        raise NotADispatcherError
    found = _upcoming(shift, day, now)
    if not found.has(replaced):
        raise ReplacedNotOnShiftError
    if found.has(cover):
        raise CoverAlreadyOnError
    with transaction.atomic():
        offer = Swap.objects.filter(
            shift=shift, date=day, replaced=replaced, status=SwapStatus.OPEN
        ).first()
        if offer is None:
            swap = Swap.objects.create(
                shift=shift,
                date=day,
                replaced=replaced,
                covered_by=cover,
                status=SwapStatus.COVERED,
                created_by=actor,
                created_at=now,
                decided_at=now,
            )
        else:
            closed = Swap.objects.filter(id=offer.id, status=SwapStatus.OPEN).update(
                status=SwapStatus.COVERED, covered_by=cover, decided_at=now
            )
            if closed != 1:
                raise SwapTakenError
            swap = Swap.objects.get(id=offer.id)
        audit.record(
            actor,
            audit.COVER_ASSIGNED,
            swap,
            shift=shift.id,
            date=day.isoformat(),
            replaced=replaced.id,
            cover=cover.id,
        )
    return swap


# --- The fallback list ------------------------------------------------------------------------


def do_add_fallback(actor: User, user: User) -> FallbackContact:
    """Put ``user`` at the end of the fallback list.

    Raises:
        PermissionDenied: the actor may not manage shifts.
        NotEligibleFallbackError: ``user`` is not an active coordinator or dispatcher.
        AlreadyOnFallbackError: ``user`` is on the list already.
    """
    check(actor, Capability.MANAGE_SHIFTS)
    if not (user.is_active and user.has_role(Role.COORDINATOR, Role.DISPATCHER)):
        raise NotEligibleFallbackError
    try:
        with transaction.atomic():
            last = FallbackContact.objects.aggregate(last=Max("position"))["last"]
            contact = FallbackContact.objects.create(
                user=user, position=0 if last is None else last + 1, added_by=actor
            )
            audit.record(
                actor, audit.FALLBACK_CHANGED, contact, added=user.id, order=_fallback_order()
            )
    except IntegrityError:
        raise AlreadyOnFallbackError from None
    return contact


def do_remove_fallback(actor: User, contact: FallbackContact) -> None:
    """Take an account off the fallback list.

    Raises:
        PermissionDenied: the actor may not manage shifts.
    """
    check(actor, Capability.MANAGE_SHIFTS)
    with transaction.atomic():
        user_id = contact.user_id
        FallbackContact.objects.filter(id=contact.id).delete()
        audit.record(actor, audit.FALLBACK_CHANGED, removed=user_id, order=_fallback_order())


def do_move_fallback(actor: User, contact: FallbackContact, offset: int) -> None:
    """Move an entry ``offset`` places (negative: up, rung earlier); the list is renumbered.

    Raises:
        PermissionDenied: the actor may not manage shifts.
    """
    check(actor, Capability.MANAGE_SHIFTS)
    with transaction.atomic():
        rows = list(FallbackContact.objects.select_for_update().order_by("position", "id"))
        ids = [row.id for row in rows]
        if contact.id not in ids:
            return
        index = ids.index(contact.id)
        target = max(0, min(len(rows) - 1, index + offset))
        rows.insert(target, rows.pop(index))
        for position, row in enumerate(rows):
            row.position = position
        FallbackContact.objects.bulk_update(rows, ["position"])
        audit.record(
            actor, audit.FALLBACK_CHANGED, contact, moved=contact.user_id, order=_fallback_order()
        )


def _fallback_order() -> list[int]:
    return list(FallbackContact.objects.order_by("position", "id").values_list("user", flat=True))


# --- Calendar links ---------------------------------------------------------------------------


def feed_token_hashes(token: str) -> list[str]:
    """The keyed hashes a stored link may carry: under every configured key, so that links made
    before a key rotation keep working until the old key is removed."""
    return crypto.keyed_hashes(token, FEED_HASH_PURPOSE)


def do_new_feed_link(actor: User, *, now: datetime | None = None) -> str:
    """Make the actor's calendar link and return its secret token; the old link, if any, stops
    working. Only the token's keyed hash is stored, so this is the only time it can be shown.

    Raises:
        PermissionDenied: the actor may not see shifts.
    """
    check(actor, Capability.VIEW_SHIFTS)
    now = timezone.now() if now is None else now
    token = secrets.token_urlsafe(32)
    token_hash = crypto.keyed_hash(token, FEED_HASH_PURPOSE)
    with transaction.atomic():
        link, created = FeedToken.objects.update_or_create(
            user=actor,
            defaults={"token_hash": token_hash, "created_at": now, "last_used_at": None},
        )
        audit.record(actor, audit.FEED_LINK_CREATED, link, replaced_old=not created)
    return token


def do_stop_feed_link(actor: User) -> bool:
    """Revoke the actor's calendar link. Returns whether there was one.

    Raises:
        PermissionDenied: the actor may not see shifts.
    """
    check(actor, Capability.VIEW_SHIFTS)
    with transaction.atomic():
        deleted, _counts = FeedToken.objects.filter(user=actor).delete()
        if deleted:
            audit.record(actor, audit.FEED_LINK_REVOKED)
    return bool(deleted)
