"""Changes to mobilizations and RSVPs: answers by web or by text, the waitlist, invitations,
reminders and check-in.

Every change to one mobilization's RSVPs runs while holding that mobilization's row lock
(``select_for_update``; on SQLite the IMMEDIATE transaction serializes writers anyway), so that
two YESes for the last seat, or two cancellations at once, each see the other's result: seats are
never given twice and each freed seat goes to exactly one person on the waitlist.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from vecinos.core import audit
from vecinos.core.crypto import keyed_hashes
from vecinos.core.fields import hash_input
from vecinos.core.permissions import Capability, can, check
from vecinos.messaging import inbound as inbox
from vecinos.messaging import services as messaging
from vecinos.messaging.choices import Channel, ConsentMethod, Priority
from vecinos.messaging.keywords import normalize, parse_keyword
from vecinos.mobilizing import texts
from vecinos.mobilizing.choices import Answer, RsvpSource, RsvpStatus
from vecinos.mobilizing.models import Invitation, Mobilization, Rsvp, RsvpText
from vecinos.organizing.models import Person

if TYPE_CHECKING:
    from collections.abc import Callable

    from vecinos.core.models import User
    from vecinos.messaging.models import InboundMessage

logger = logging.getLogger(__name__)

REPLY_HANDLER = "mobilizing.reply"
INVITATION_KIND = "mobilizing.invitation"
GOING_KIND = "mobilizing.going"
WAITLISTED_KIND = "mobilizing.waitlisted"
NOT_GOING_KIND = "mobilizing.not_going"
PROMOTED_KIND = "mobilizing.promoted"
CLOSED_KIND = "mobilizing.closed"
DAY_REMINDER_KIND = "mobilizing.reminder.day"
HOUR_REMINDER_KIND = "mobilizing.reminder.hour"

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
CODE = re.compile(r"^[A-Z0-9]{2,12}$")


class MobilizationError(Exception):
    """A change that cannot be made; the message is translated and shown to the person."""


@dataclass
class Outcome:
    """What one answer did: the RSVP as it now stands, whether anything changed, and who moved
    up from the waitlist because of it."""

    rsvp: Rsvp
    changed: bool
    promoted: list[Rsvp] = field(default_factory=list)


@dataclass
class InviteResult:
    invited: int = 0
    opted_out: int = 0  # texted STOP, or said no to every channel we could use: sent nothing
    unreachable: int = 0  # no phone or e-mail for their channel
    already: int = 0  # asked before, or answered already


# ---------------------------------------------------------------------------------------------
# Mobilizations


def clean_code(code: str) -> str:
    """The text code as stored: upper case letters and digits.

    Raises:
        MobilizationError: not 2 to 12 letters or digits.
    """
    code = normalize(code).upper()
    if not CODE.match(code):
        raise MobilizationError(_("Use 2 to 12 letters or digits, without spaces."))
    if code.lower() in texts.WORDS or parse_keyword(code) is not None:
        raise MobilizationError(_("This word already means something in a text; choose another."))
    return code


def do_create_mobilization(
    actor: User,
    *,
    title: str,
    starts_at: datetime,
    place: str,
    capacity: int | None,
    code: str,
) -> Mobilization:
    """Add a mobilization.

    Raises:
        PermissionDenied: the actor may not manage mobilizations.
        MobilizationError: the text code is malformed or already used.
    """
    check(actor, Capability.MANAGE_MOBILIZATIONS)
    code = clean_code(code)
    with transaction.atomic():
        if Mobilization.objects.filter(code=code).exists():
            raise MobilizationError(_("Another mobilization already uses this text code."))
        mobilization = Mobilization.objects.create(
            title=title,
            starts_at=starts_at,
            place=place,
            capacity=capacity,
            code=code,
            created_by=actor,
        )
        audit.record(actor, audit.MOBILIZATION_CREATED, mobilization)
    return mobilization


def do_update_mobilization(
    actor: User,
    mobilization: Mobilization,
    *,
    title: str,
    starts_at: datetime,
    place: str,
    capacity: int | None,
    code: str,
    now: datetime | None = None,
) -> list[Rsvp]:
    """Change a mobilization. More seats (or none counted any more) move people up from the
    waitlist, who are texted; fewer seats take nobody's place away. A new start time makes
    the reminders due again. Returns who moved up.

    Raises:
        PermissionDenied: the actor may not manage mobilizations.
        MobilizationError: the text code is malformed or already used.
    """
    check(actor, Capability.MANAGE_MOBILIZATIONS)
    code = clean_code(code)
    now = now or timezone.now()
    with transaction.atomic():
        locked = Mobilization.objects.select_for_update().get(id=mobilization.id)
        if Mobilization.objects.filter(code=code).exclude(id=locked.id).exists():
            raise MobilizationError(_("Another mobilization already uses this text code."))
        new = {
            "title": title,
            "starts_at": starts_at,
            "place": place,
            "capacity": capacity,
            "code": code,
        }
        changed = sorted(name for name, value in new.items() if getattr(locked, name) != value)
        if not changed:
            return []
        for name in changed:
            setattr(locked, name, new[name])
        fields = list(changed)
        if "starts_at" in changed:
            locked.day_reminder_at = locked.hour_reminder_at = None
            fields += ["day_reminder_at", "hour_reminder_at"]
        locked.save(update_fields=fields)
        promoted = _promote(locked, now)
        audit.record(actor, audit.MOBILIZATION_CHANGED, locked, fields=changed)
    for name in changed:
        setattr(mobilization, name, new[name])
    return promoted


# ---------------------------------------------------------------------------------------------
# Answers


def do_answer(
    actor: User,
    mobilization: Mobilization,
    person: Person,
    answer: str,
    *,
    now: datetime | None = None,
) -> Outcome:
    """Record a YES or NO given on the web: by the person themselves (their own account), or by
    an organizer for someone who answered them in person or by phone, who is then texted where
    they stand, as if they had answered by text.

    Raises:
        PermissionDenied: neither the person's own account nor an organizer.
        MobilizationError: the mobilization has started.
    """
    own = person.account_id is not None and person.account_id == actor.id
    if own:
        check(actor, Capability.JOIN_MOBILIZATIONS)
    elif not can(actor, Capability.MANAGE_MOBILIZATIONS):
        raise PermissionDenied
    now = now or timezone.now()
    if mobilization.has_started(now):
        raise MobilizationError(_("This mobilization has started; answers are closed."))
    source = RsvpSource.WEB if own else RsvpSource.ORGANIZER
    with transaction.atomic():
        outcome = answer_for(mobilization, person, answer, source=source, now=now)
        if outcome.changed:
            audit.record(
                actor, audit.RSVP_RECORDED, outcome.rsvp, answer=answer, status=outcome.rsvp.status
            )
            if not own:
                _tell_where_they_stand(outcome.rsvp, mobilization, person)
    return outcome


def answer_for(
    mobilization: Mobilization, person: Person, answer: str, *, source: str, now: datetime
) -> Outcome:
    """Apply one YES or NO. A YES takes a seat if one is free, else joins the end of the
    waitlist; a NO frees the seat, which goes to the first on the waitlist (texted in their
    language). Repeating the current answer changes nothing. Call inside a transaction; the
    mobilization's row is locked here until it ends."""
    if answer not in Answer.values:
        raise ValueError(f"unknown answer {answer!r}")
    locked = Mobilization.objects.select_for_update().get(id=mobilization.id)
    rsvp = Rsvp.objects.filter(mobilization=locked, person=person).first()
    before = rsvp.status if rsvp is not None else None
    if answer == Answer.YES:
        unchanged = before in (RsvpStatus.GOING, RsvpStatus.WAITLISTED)
        status = RsvpStatus.GOING if _seats_left(locked) != 0 else RsvpStatus.WAITLISTED
    else:
        unchanged = before == RsvpStatus.NOT_GOING
        status = RsvpStatus.NOT_GOING
    if unchanged and rsvp is not None:
        return Outcome(rsvp, changed=False)
    values = {
        "status": status,
        "source": source,
        "answered_at": now,
        "waitlisted_at": now if status == RsvpStatus.WAITLISTED else None,
        "promoted_at": None,
    }
    if rsvp is None:
        rsvp = Rsvp.objects.create(mobilization=locked, person=person, **values)
    else:
        # Conditional on the status read above, as every state change is (see the module's
        # docstring for why the lock alone already makes this hold).
        updated = Rsvp.objects.filter(id=rsvp.id, status=before).update(**values)
        if updated != 1:
            raise RuntimeError(f"RSVP {rsvp.id} changed under the mobilization's lock")
        for name, value in values.items():
            setattr(rsvp, name, value)
    promoted = _promote(locked, now) if before == RsvpStatus.GOING else []
    return Outcome(rsvp, changed=True, promoted=promoted)


def _seats_left(mobilization: Mobilization) -> int | None:
    """Free seats (never below zero), or None when seats are not counted."""
    if mobilization.capacity is None:
        return None
    going = Rsvp.objects.filter(mobilization=mobilization, status=RsvpStatus.GOING).count()
    return max(0, mobilization.capacity - going)


def _promote(mobilization: Mobilization, now: datetime) -> list[Rsvp]:
    """Give free seats to the waitlist, oldest first, and text each person who moved up. Nobody
    moves up once the mobilization has started. Call holding the mobilization's row lock."""
    if mobilization.has_started(now):
        return []
    free = _seats_left(mobilization)
    waiting = Rsvp.objects.filter(
        mobilization=mobilization, status=RsvpStatus.WAITLISTED
    ).select_related("person")
    waiting = waiting.order_by("waitlisted_at", "id")
    chosen = list(waiting if free is None else waiting[:free])
    promoted = []
    for rsvp in chosen:
        updated = Rsvp.objects.filter(id=rsvp.id, status=RsvpStatus.WAITLISTED).update(
            status=RsvpStatus.GOING, promoted_at=now
        )
        if updated != 1:
            continue
        rsvp.status, rsvp.promoted_at = RsvpStatus.GOING, now
        promoted.append(rsvp)
        send_to_person(
            rsvp.person,
            lambda language: texts.promoted(mobilization, language),
            kind=PROMOTED_KIND,
            priority=Priority.REPLY,
        )
    return promoted


def waitlist_position(rsvp: Rsvp) -> int:
    """1 for the first in line. Only meaningful for a WAITLISTED RSVP."""
    ahead = Rsvp.objects.filter(
        mobilization_id=rsvp.mobilization_id,
        status=RsvpStatus.WAITLISTED,
        waitlisted_at__lt=rsvp.waitlisted_at,
    ).count()
    same_time = Rsvp.objects.filter(
        mobilization_id=rsvp.mobilization_id,
        status=RsvpStatus.WAITLISTED,
        waitlisted_at=rsvp.waitlisted_at,
        id__lt=rsvp.id,
    ).count()
    return ahead + same_time + 1


def _where_they_stand(rsvp: Rsvp, mobilization: Mobilization) -> Callable[[str], str]:
    if rsvp.status == RsvpStatus.GOING:
        return lambda language: texts.going(mobilization, language)
    if rsvp.status == RsvpStatus.WAITLISTED:
        position = waitlist_position(rsvp)
        return lambda language: texts.waitlisted(mobilization, language, position)
    return lambda language: texts.not_going(mobilization, language)


STATUS_KINDS: dict[str, str] = {
    RsvpStatus.GOING: GOING_KIND,
    RsvpStatus.WAITLISTED: WAITLISTED_KIND,
    RsvpStatus.NOT_GOING: NOT_GOING_KIND,
}


def _tell_where_they_stand(rsvp: Rsvp, mobilization: Mobilization, person: Person) -> None:
    send_to_person(
        person,
        _where_they_stand(rsvp, mobilization),
        kind=STATUS_KINDS[rsvp.status],
        priority=Priority.REPLY,
    )


# ---------------------------------------------------------------------------------------------
# Answers by text


def take_reply_text(message: InboundMessage) -> bool:
    """The messaging handler for answers to invitations: YES or NO in English, Spanish or
    Korean, or 1 and 2, optionally followed by a mobilization's text code ("SI BUS").

    With the code, the answer is for that mobilization, from anyone: a number nobody knows
    becomes a contact (consent to texts recorded as given by text) and takes a seat or a place on
    the waitlist. Without it, the answer is for the newest coming mobilization the sender was
    invited to or answered before; a sender with an open hotline report, or one who was never
    asked, is declined, so that "yes" to a dispatcher's question stays with the hotline.

    Idempotent: a re-run after a crash finds the text recorded and changes nothing.
    """
    # Read first, without a query: most texts that reach this reader (reports to the hotline)
    # are not answers, and are declined before the idempotency check below.
    reply = inbox.take_reply(message, texts.reply_codes())
    if reply is None:
        return False
    if RsvpText.objects.filter(inbound=message).exists():
        return True
    now = message.received_at
    mobilization = _coded_mobilization(reply.note)
    if mobilization is None:
        if message.person is None or _has_open_report(message.sender):
            return False
        mobilization = _mobilization_asked_about(message.person, now)
        if mobilization is None:
            return False
    channel = Channel.SIGNAL if message.gateway == "signal" else Channel.SMS
    language = _sender_language(message, reply.words)
    if mobilization.has_started(now):
        RsvpText.objects.create(
            mobilization=mobilization, inbound=message, answer=reply.code, at=now
        )
        _reply(message, channel, language, texts.already_started(mobilization, language))
        return True
    person = message.person
    if person is None:
        if reply.code == Answer.NO:
            # Someone nobody knows says no: nothing about them is worth keeping.
            RsvpText.objects.create(
                mobilization=mobilization, inbound=message, answer=reply.code, at=now
            )
            _reply(message, channel, language, texts.not_going(mobilization, language))
            return True
        person = _new_contact(message, channel, language)
    outcome = answer_for(mobilization, person, reply.code, source=RsvpSource.TEXT, now=now)
    RsvpText.objects.create(
        rsvp=outcome.rsvp, mobilization=mobilization, inbound=message, answer=reply.code, at=now
    )
    if outcome.changed:
        language = texts.known_language(person.preferred_language)
        body = _where_they_stand(outcome.rsvp, mobilization)(language)
        _reply(message, channel, language, body, kind=STATUS_KINDS[outcome.rsvp.status])
    return True


def _coded_mobilization(note: str) -> Mobilization | None:
    words = normalize(note).split()
    if not words:
        return None
    return Mobilization.objects.filter(code=words[0].upper()).first()


def _has_open_report(e164: str) -> bool:
    from vecinos.hotline.choices import ReportStatus
    from vecinos.hotline.models import Report

    hashes = keyed_hashes(hash_input(e164, "phone"), "phone")
    return Report.objects.filter(caller_hash__in=hashes, status=ReportStatus.OPEN).exists()


def _mobilization_asked_about(person: Person, now: datetime) -> Mobilization | None:
    """The mobilization the person was most recently invited to or answered, coming or started
    less than a day ago (a late YES is told answers are closed rather than opening a report)."""
    since = now - DAY
    invited = (
        Invitation.objects.filter(person=person, mobilization__starts_at__gt=since)
        .order_by("-invited_at", "-id")
        .values_list("mobilization_id", "invited_at")
        .first()
    )
    answered = (
        Rsvp.objects.filter(person=person, mobilization__starts_at__gt=since)
        .order_by("-answered_at", "-id")
        .values_list("mobilization_id", "answered_at")
        .first()
    )
    newest = max((row for row in (invited, answered) if row), key=lambda row: row[1], default=None)
    return Mobilization.objects.get(id=newest[0]) if newest else None


def _sender_language(message: InboundMessage, words: str) -> str:
    if message.person is not None:
        return texts.known_language(message.person.preferred_language)
    return texts.known_language(texts.language_of(words) or settings.LANGUAGE_CODE)


def _new_contact(message: InboundMessage, channel: str, language: str) -> Person:
    """A contact for a number nobody knew, who answered YES by text: their consent to texts is
    recorded as given by text message. Their name is not known yet; an organizer asks at the
    bus and edits it."""
    with translation.override(settings.LANGUAGE_CODE):
        name = _("New contact by text")
    person = Person.objects.create(
        full_name=name,
        phone=message.sender,
        preferred_language=language,
        preferred_channel=channel,
        languages=[language],
    )
    audit.record(None, audit.PERSON_CREATED, person, via="text")
    messaging.do_record_consent(person, channel, granted=True, method=ConsentMethod.TEXT_MESSAGE)
    type(message).objects.filter(id=message.id).update(person=person)
    message.person = person
    return person


def _reply(
    message: InboundMessage, channel: str, language: str, body: str, kind: str = CLOSED_KIND
) -> None:
    messaging.queue_message(
        channel=channel,
        address=message.sender,
        body=body,
        kind=kind,
        person=message.person,
        language=language,
        priority=Priority.REPLY,
    )


# ---------------------------------------------------------------------------------------------
# Sending to people


def reach(person: Person) -> tuple[str, str] | None:
    """The channel and address to write to ``person`` on: their preferred channel when we have
    its address (a call becomes a text: invitations and reminders are read, not heard), else
    a text, else an e-mail. None when we have neither a phone nor an e-mail."""
    preferred = person.preferred_channel
    if preferred == Channel.EMAIL and person.email:
        return Channel.EMAIL, person.email
    if preferred == Channel.SIGNAL and person.phone:
        return Channel.SIGNAL, person.phone
    if person.phone:
        return Channel.SMS, person.phone
    if person.email:
        return Channel.EMAIL, person.email
    return None


def send_to_person(
    person: Person,
    build: Callable[[str], str],
    *,
    kind: str,
    priority: int = Priority.NORMAL,
    subject: Callable[[str], str] | None = None,
) -> bool:
    """Queue ``build(language)`` to the person, in their language, on :func:`reach`'s channel.
    Opt-outs and refused consent are left to the outbox, which records them as not sent.
    Returns False when the person cannot be reached at all. Call inside the event's
    transaction."""
    found = reach(person)
    if found is None:
        logger.info("person %s has no phone or e-mail; %s not queued", person.id, kind)
        return False
    channel, address = found
    language = texts.known_language(person.preferred_language)
    messaging.queue_message(
        channel=channel,
        address=address,
        body=build(language),
        subject=subject(language) if subject is not None else "",
        kind=kind,
        person=person,
        language=language,
        priority=priority,
    )
    return True


def do_invite(
    actor: User,
    mobilization: Mobilization,
    people: Iterable[Person],
    *,
    circle_of: Mapping[int, int] | None = None,
    now: datetime | None = None,
) -> InviteResult:
    """Invite people, each in their language on their channel, once per mobilization
    (``circle_of`` maps a person's id to the circle they were recruited through). People who
    texted STOP, or whose newest answer for that channel is no, get nothing and are not marked
    as asked; neither are people with no phone or e-mail.

    Raises:
        PermissionDenied: the actor may not manage mobilizations.
        MobilizationError: the mobilization has started.
    """
    check(actor, Capability.MANAGE_MOBILIZATIONS)
    now = now or timezone.now()
    if mobilization.has_started(now):
        raise MobilizationError(_("This mobilization has started; answers are closed."))
    result = InviteResult()
    people = list(people)
    asked = set(
        Invitation.objects.filter(mobilization=mobilization).values_list("person_id", flat=True)
    ) | set(Rsvp.objects.filter(mobilization=mobilization).values_list("person_id", flat=True))
    reachable: list[tuple[Person, str, str]] = []
    for person in people:
        if person.id in asked:
            result.already += 1
            continue
        found = reach(person)
        if found is None:
            result.unreachable += 1
            continue
        reachable.append((person, *found))
    phones = [address for _p, channel, address in reachable if channel != Channel.EMAIL]
    opted_out = messaging.opted_out_among(phones)
    refused = messaging.consent_refused_among([(p.id, channel) for p, channel, _a in reachable])
    with transaction.atomic():
        for person, channel, address in reachable:
            if (channel != Channel.EMAIL and address in opted_out) or (
                person.id,
                channel,
            ) in refused:
                result.opted_out += 1
                continue
            by_email = channel == Channel.EMAIL
            send_to_person(
                person,
                partial(texts.invitation_by_email if by_email else texts.invitation, mobilization),
                subject=lambda language: texts.invitation_subject(mobilization, language),
                kind=INVITATION_KIND,
                priority=Priority.BULK,
            )
            Invitation.objects.create(
                mobilization=mobilization,
                person=person,
                invited_at=now,
                invited_by=actor,
                channel=channel,
                circle_id=(circle_of or {}).get(person.id),
            )
            result.invited += 1
        audit.record(
            actor,
            audit.INVITATIONS_SENT,
            mobilization,
            invited=result.invited,
            opted_out=result.opted_out,
            unreachable=result.unreachable,
        )
    return result


# ---------------------------------------------------------------------------------------------
# Reminders and check-in


def send_reminders(now: datetime | None = None) -> int:
    """The worker's chore: remind everyone going, the day before (once the start is less than
    a day away) and an hour before. Each reminder is claimed by a conditional UPDATE, so it is
    sent once even with several workers; when the hour reminder is due first (a mobilization
    made the same afternoon), the day reminder is skipped. Returns how many were queued."""
    now = now or timezone.now()
    queued = 0
    day_due = Mobilization.objects.filter(
        day_reminder_at__isnull=True, starts_at__gt=now + HOUR, starts_at__lte=now + DAY
    ).values_list("id", flat=True)
    for mobilization_id in day_due:
        with transaction.atomic():
            claimed = Mobilization.objects.filter(
                id=mobilization_id, day_reminder_at__isnull=True
            ).update(day_reminder_at=now)
            if claimed:
                queued += _remind(mobilization_id, texts.day_reminder, DAY_REMINDER_KIND)
    hour_due = Mobilization.objects.filter(
        hour_reminder_at__isnull=True, starts_at__gt=now, starts_at__lte=now + HOUR
    ).values_list("id", flat=True)
    for mobilization_id in hour_due:
        with transaction.atomic():
            claimed = Mobilization.objects.filter(
                id=mobilization_id, hour_reminder_at__isnull=True
            ).update(hour_reminder_at=now, day_reminder_at=Coalesce("day_reminder_at", now))
            if claimed:
                queued += _remind(mobilization_id, texts.hour_reminder, HOUR_REMINDER_KIND)
    return queued


def _remind(mobilization_id: int, build: Callable[[Mobilization, str], str], kind: str) -> int:
    mobilization = Mobilization.objects.get(id=mobilization_id)
    going = Rsvp.objects.filter(mobilization=mobilization, status=RsvpStatus.GOING)
    queued = 0
    for rsvp in going.select_related("person").order_by("id"):
        queued += send_to_person(
            rsvp.person, lambda language: build(mobilization, language), kind=kind
        )
    return queued


def do_check_in(
    actor: User, rsvp: Rsvp, *, present: bool = True, now: datetime | None = None
) -> bool:
    """Mark someone as there (or undo it). Anyone who answered YES can be checked in, a person
    still on the waitlist too: they came anyway. Returns False when nothing changed.

    Raises:
        PermissionDenied: the actor may not manage mobilizations.
    """
    check(actor, Capability.MANAGE_MOBILIZATIONS)
    now = now or timezone.now()
    with transaction.atomic():
        rows = Rsvp.objects.filter(id=rsvp.id)
        if present:
            updated = rows.filter(
                checked_in_at__isnull=True,
                status__in=[RsvpStatus.GOING, RsvpStatus.WAITLISTED],
            ).update(checked_in_at=now)
        else:
            updated = rows.filter(checked_in_at__isnull=False).update(checked_in_at=None)
        if updated:
            audit.record(actor, audit.RSVP_CHECKED_IN, rsvp, present=present)
    if updated:
        rsvp.checked_in_at = now if present else None
    return bool(updated)
