"""Writing messages into the outbox, and recording consent and opt-outs."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from itertools import islice
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from vecinos.core import audit
from vecinos.core.crypto import keyed_hash, keyed_hashes
from vecinos.core.fields import hash_input
from vecinos.core.permissions import Capability, check
from vecinos.messaging.choices import Channel, ConsentMethod, Priority
from vecinos.messaging.gateways import config as gateway_config
from vecinos.messaging.gateways.config import SenderPace, unseal
from vecinos.messaging.models import (
    AlertSubscription,
    Consent,
    GatewayHealth,
    GatewayProblem,
    GatewaySetup,
    OptOut,
    OutboundMessage,
    SenderNumber,
)
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
    """Write down a person's yes or no to ``channel``, and audit it. ``recorded_by`` is the person
    who wrote it down, or None when Vecinos itself did (an answer by text message). The newest
    answer wins; earlier ones stay as history.

    Raises:
        PermissionDenied: ``recorded_by`` may not edit people (nothing is recorded).
        ValueError: an unknown channel or method.
    """
    if recorded_by is not None:
        check(recorded_by, Capability.EDIT_PEOPLE)
    if channel not in Channel.values:
        raise ValueError(f"unknown channel {channel!r}")
    if method not in ConsentMethod.values:
        raise ValueError(f"unknown consent method {method!r}")
    with transaction.atomic():
        consent = Consent.objects.create(
            person=person, channel=channel, granted=granted, method=method, recorded_by=recorded_by
        )
        audit.record(
            recorded_by,
            audit.CONSENT_RECORDED,
            person,
            channel=channel,
            granted=granted,
            method=method,
        )
    return consent


def consent_refused(person: Person | None, channel: str) -> bool:
    """True only when the person's newest answer for this channel is no. Absence of an answer is
    not a refusal: consent given on a paper sign-up sheet may not be typed in yet."""
    if person is None:
        return False
    latest = Consent.objects.filter(person=person, channel=channel).order_by("-at", "-id").first()
    return latest is not None and not latest.granted


def do_save_gateway(
    user: User,
    name: str,
    *,
    enabled: bool,
    options: dict[str, str],
    secrets: dict[str, str],
    senders: list[SenderPace] | None = None,
) -> GatewaySetup:
    """Create or change one gateway on the gateways page. Secrets not given are kept; the audit
    entry names what changed, never a value. Saving the first row makes the page the source of
    all gateway settings (see gateways.config)."""
    with transaction.atomic():
        # The first save on the page copies the environment's gateways, so none is dropped.
        do_import_gateways(user)
        return _write_gateway(
            user, name, enabled=enabled, options=options, secrets=secrets, senders=senders
        )


def _write_gateway(
    user: User,
    name: str,
    *,
    enabled: bool,
    options: dict[str, str],
    secrets: dict[str, str],
    senders: list[SenderPace] | None,
) -> GatewaySetup:
    """Write one gateway's row and its audit entry. Call inside a transaction."""
    setup = GatewaySetup.objects.select_for_update().filter(name=name).first()
    created = setup is None
    if setup is None:
        position = GatewaySetup.objects.count()
        setup = GatewaySetup(name=name, position=position)
    kept = unseal(setup.secrets)
    changed = sorted(
        [k for k, v in options.items() if (setup.options or {}).get(k, "") != v]
        + [k for k, v in secrets.items() if kept.get(k) != v]
        + (["enabled"] if setup.enabled != enabled else [])
    )
    setup.options = options
    setup.secrets = json.dumps({**kept, **secrets}) if (kept or secrets) else ""
    setup.enabled = enabled
    setup.updated_by = user
    setup.save()
    if senders is not None:
        before = {(n.number, n.per_minute, n.per_day) for n in setup.numbers.all()}
        after = {(s.number, s.per_minute, s.per_day) for s in senders}
        if before != after:
            changed.append("senders")
            setup.numbers.all().delete()
            SenderNumber.objects.bulk_create(
                SenderNumber(
                    gateway=setup, number=s.number, per_minute=s.per_minute, per_day=s.per_day
                )
                for s in senders
            )
    audit.record(user, audit.GATEWAY_CHANGED, setup, gateway=name, created=created, changed=changed)
    return setup


def do_import_gateways(user: User) -> int:
    """Copy the gateways the environment describes onto the gateways page (secrets included,
    sealed), so that coordinators can change them there. Returns how many were copied."""
    with transaction.atomic():
        if GatewaySetup.objects.exists():
            return 0
        environment = gateway_config.from_environment()
        for gateway in environment.gateways:  # each new row goes last: the same order
            _write_gateway(
                user,
                gateway.name,
                enabled=True,
                options={k: v for k, v in gateway.options.items() if v},
                secrets={k: v for k, v in gateway.secrets.items() if v},
                senders=list(gateway.senders),
            )
    return len(environment.gateways)


def do_move_gateway(user: User, name: str, step: int) -> None:
    """Move a gateway up (-1) or down (+1) in the failover order."""
    with transaction.atomic():
        rows = list(GatewaySetup.objects.select_for_update().order_by("position", "id"))
        index = next((i for i, row in enumerate(rows) if row.name == name), None)
        if index is None or not 0 <= index + step < len(rows):
            return
        rows[index], rows[index + step] = rows[index + step], rows[index]
        for position, row in enumerate(rows):
            if row.position != position:
                row.position = position
                row.save(update_fields=["position"])
        audit.record(user, audit.GATEWAY_CHANGED, rows[index + step], gateway=name, moved=step)


def do_remove_gateway(user: User, name: str) -> None:
    with transaction.atomic():
        setup = GatewaySetup.objects.filter(name=name).first()
        if setup is None:
            return
        audit.record(user, audit.GATEWAY_REMOVED, setup, gateway=name)
        setup.delete()


def do_resolve_gateway_problem(user: User, problem_id: int) -> bool:
    """A coordinator says a gateway problem is over: the banner goes, and the gateway is no
    longer set aside."""
    with transaction.atomic():
        problem = GatewayProblem.objects.filter(id=problem_id, resolved_at__isnull=True).first()
        if problem is None:
            return False
        GatewayProblem.objects.filter(id=problem.id).update(resolved_at=timezone.now())
        GatewayHealth.objects.filter(name=problem.gateway).update(down_until=None, failures=0)
        audit.record(user, audit.GATEWAY_PROBLEM_RESOLVED, problem, gateway=problem.gateway)
    return True


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
