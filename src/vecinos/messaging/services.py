"""Writing messages into the outbox, and recording consent and opt-outs."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import islice
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from vecinos.core.crypto import keyed_hash, keyed_hashes
from vecinos.core.fields import hash_input
from vecinos.messaging.choices import Channel, ConsentMethod, Priority
from vecinos.messaging.models import AlertSubscription, Consent, OptOut, OutboundMessage
from vecinos.messaging.text import MAX_SEGMENTS, clean, sms_cost

if TYPE_CHECKING:
    from vecinos.core.models import User
    from vecinos.organizing.models import Person

PHONE_CHANNELS = frozenset({Channel.SMS, Channel.VOICE, Channel.SIGNAL})


class MessageTooLongError(ValueError):
    """The text would take more SMS segments than carriers deliver as one message."""


def address_hash(channel: str, address: str) -> str:
    purpose = Channel.hash_purpose(channel)
    return keyed_hash(hash_input(address, purpose), purpose)


def alert_deadline() -> datetime:
    return timezone.now() + timedelta(minutes=settings.VECINOS_ALERT_VALIDITY_MINUTES)


def checked_body(channel: str, body: str) -> tuple[str, int]:
    """The cleaned text and its SMS segments (1 off SMS).

    Raises:
        MessageTooLongError: an SMS longer than :data:`MAX_SEGMENTS` segments.
    """
    text = clean(body)
    segments = sms_cost(text).segments if channel == Channel.SMS else 1
    if segments > MAX_SEGMENTS:
        raise MessageTooLongError(f"{segments} SMS segments; at most {MAX_SEGMENTS}")
    return text, segments


def queue_message(
    *,
    channel: str,
    address: str,
    body: str,
    kind: str,
    person: Person | None = None,
    language: str = "en",
    priority: int = Priority.NORMAL,
    deadline: datetime | None = None,
    subject: str = "",
) -> OutboundMessage:
    """Put one message in the outbox. Call inside the transaction of the event that causes it: the
    message exists exactly when the event does, and the worker sends it after commit.

    ``address`` must be normalized (E.164 for phone channels).

    Raises:
        MessageTooLongError: an SMS longer than :data:`MAX_SEGMENTS` segments.
    """
    text, segments = checked_body(channel, body)
    return OutboundMessage.objects.create(
        channel=channel,
        address=address,
        address_hash=address_hash(channel, address),
        person=person,
        body=text,
        subject=subject,
        language=language,
        priority=priority,
        kind=kind,
        deadline=deadline,
        segments=segments,
    )


def queue_broadcast(
    *,
    channel: str,
    addresses: list[str],
    body: str,
    kind: str,
    language: str = "en",
    priority: int = Priority.BULK,
    deadline: datetime | None = None,
    batch_size: int = 1000,
) -> int:
    """Put one message per address in the outbox with bulk inserts. Call inside the transaction
    of the event that causes the broadcast. Returns how many were queued.

    Raises:
        MessageTooLongError: an SMS longer than :data:`MAX_SEGMENTS` segments.
    """
    text, segments = checked_body(channel, body)
    now = timezone.now()
    rows = (
        OutboundMessage(
            channel=channel,
            address=address,
            address_hash=address_hash(channel, address),
            body=text,
            language=language,
            priority=priority,
            kind=kind,
            deadline=deadline,
            segments=segments,
            created_at=now,
            not_before=now,
        )
        for address in addresses
    )
    queued = 0
    while batch := list(islice(rows, batch_size)):
        OutboundMessage.objects.bulk_create(batch)
        queued += len(batch)
    return queued


def _opt_outs(e164: str) -> QuerySet[OptOut]:
    return OptOut.objects.filter(address_hash__in=keyed_hashes(hash_input(e164, "phone"), "phone"))


def is_opted_out(e164: str) -> bool:
    return _opt_outs(e164).exists()


def opted_out_among(e164s: list[str]) -> set[str]:
    """Which of these numbers texted STOP, in one query for a whole batch of messages (each
    number hashed under every key, as :func:`is_opted_out` does)."""
    by_hash = {
        hashed: e164
        for e164 in set(e164s)
        for hashed in keyed_hashes(hash_input(e164, "phone"), "phone")
    }
    if not by_hash:
        return set()
    found = OptOut.objects.filter(address_hash__in=list(by_hash))
    return {by_hash[hashed] for hashed in found.values_list("address_hash", flat=True)}


def do_opt_out(e164: str, keyword: str) -> bool:
    """Stop everything to this number, on every gateway. Returns False if it already was."""
    if is_opted_out(e164):
        return False
    try:
        with transaction.atomic():
            OptOut.objects.create(address=e164, keyword=keyword[:32])
    except IntegrityError:  # the same STOP arrived twice at once
        return False
    return True


def do_opt_in(e164: str) -> bool:
    """Undo a STOP. Returns False if the number was not opted out."""
    deleted, _ = _opt_outs(e164).delete()
    return bool(deleted)


def do_subscribe(e164: str, area: str, language: str) -> bool:
    """Sign a number up for community alerts in ``area``. Returns False if it already was."""
    area = area.strip().upper()[:60]
    hashes = keyed_hashes(hash_input(e164, "phone"), "phone")
    if AlertSubscription.objects.filter(address_hash__in=hashes, area=area).exists():
        return False
    try:
        with transaction.atomic():
            AlertSubscription.objects.create(address=e164, area=area, language=language)
    except IntegrityError:
        return False
    return True


def do_record_consent(
    person: Person,
    channel: str,
    *,
    granted: bool,
    method: str = ConsentMethod.WEB_FORM,
    recorded_by: User | None = None,
) -> Consent:
    with transaction.atomic():
        return Consent.objects.create(
            person=person, channel=channel, granted=granted, method=method, recorded_by=recorded_by
        )


def consent_refused(person: Person | None, channel: str) -> bool:
    """True only when the person's newest answer for this channel is no. Absence of an answer is
    not a refusal: consent given on a paper sign-up sheet may not be typed in yet."""
    if person is None:
        return False
    latest = Consent.objects.filter(person=person, channel=channel).order_by("-at", "-id").first()
    return latest is not None and not latest.granted


def consent_refused_among(pairs: list[tuple[int, str]]) -> set[tuple[int, str]]:
    """Which (person id, channel) pairs have "no" as the newest answer, as
    :func:`consent_refused` decides, in one query for a whole batch of messages."""
    wanted = set(pairs)
    if not wanted:
        return set()
    answers = (
        Consent.objects.filter(
            person_id__in={person_id for person_id, _ in wanted},
            channel__in={channel for _, channel in wanted},
        )
        .order_by("person_id", "channel", "-at", "-id")
        .values_list("person_id", "channel", "granted")
    )
    newest: dict[tuple[int, str], bool] = {}
    for person_id, channel, granted in answers:
        newest.setdefault((person_id, channel), granted)
    return {pair for pair in wanted if newest.get(pair) is False}
