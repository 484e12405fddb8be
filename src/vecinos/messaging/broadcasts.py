"""Broadcasts: one message to the community alert list or the contact list, in each recipient's
language. Drafted, previewed (recipients, SMS segments, time to deliver), sent once, followed.

Sending does no encryption or hashing per recipient. Each recipient's address is already stored
sealed, with its keyed hash beside it (``AlertSubscription.address``, ``Person.phone``/``email``),
so one INSERT … SELECT, compiled from querysets, copies both into the outbox and picks each
recipient's text by language with CASE. Copying a sealed token is safe: it opens to the same
address. The worker sends the rows later; the web request never waits for a provider.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from vecinos.core import audit
from vecinos.core.permissions import Capability, check
from vecinos.messaging import rates
from vecinos.messaging.choices import (
    BROADCAST_CHANNELS,
    Audience,
    BroadcastStatus,
    Channel,
    MessageStatus,
    Priority,
    SkipReason,
)
from vecinos.messaging.gateways import gateway_for
from vecinos.messaging.models import (
    AlertSubscription,
    Broadcast,
    Consent,
    OptOut,
    OutboundMessage,
)
from vecinos.messaging.services import PHONE_CHANNELS, checked_body
from vecinos.messaging.text import clean, sms_cost
from vecinos.organizing.models import Person

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from vecinos.core.models import User

KIND = "messaging.broadcast"
# Signal groups cap at 1,000 and a bot sending to hundreds of new numbers gets rate-limited (field
# notes 1.6): above this many recipients the preview says Signal is for responders.
SIGNAL_BROAD_LIST = 300
EMAIL_SUBJECT = _("A message from %(network)s")
PENDING = (MessageStatus.QUEUED, MessageStatus.SENDING)
MINUTES_A_DAY = 24 * 60


def languages() -> list[str]:
    """The languages a broadcast can have a text in, in the order the form shows them."""
    return [code for code, _name in settings.LANGUAGES]


class BroadcastError(Exception):
    """A broadcast that cannot be sent as asked. ``str()`` is a sentence for people, translated
    into the language active when it is shown."""

    message: Promise

    def __str__(self) -> str:
        return str(self.message)


class NotADraftError(BroadcastError):
    message = _("This broadcast was already sent; it was not sent again.")


class NoGatewayError(BroadcastError):
    message = _("No gateway is configured for this channel, so nothing can be sent on it.")


class NoRecipientsError(BroadcastError):
    message = _("Nobody would receive this broadcast.")


# --- Access ------------------------------------------------------------------------------------


def check_broadcasts(user: User) -> None:
    """Raises:
    PermissionDenied: the user may not send broadcasts."""
    check(user, Capability.SEND_BROADCASTS)


def access_broadcast(user: User, broadcast_id: int) -> Broadcast:
    """Raises:
    PermissionDenied: the user may not send broadcasts.
    Http404: no such broadcast."""
    check_broadcasts(user)
    try:
        return Broadcast.objects.select_related("created_by", "sent_by").get(id=broadcast_id)
    except Broadcast.DoesNotExist:
        raise Http404 from None


def broadcasts_for(user: User) -> QuerySet[Broadcast]:
    """Every broadcast, newest first, each with ``pending``: its messages not yet handed to a
    provider (one subquery per page that reads only the pending rows, through their index).

    Raises:
        PermissionDenied: the user may not send broadcasts.
    """
    check_broadcasts(user)
    pending = (
        OutboundMessage.objects.filter(broadcast=OuterRef("id"), status__in=PENDING)
        .order_by()
        .values("broadcast")
        .annotate(count=Count("id"))
        .values("count")
    )
    return (
        Broadcast.objects.select_related("created_by", "sent_by")
        .annotate(pending=Coalesce(Subquery(pending, output_field=IntegerField()), 0))
        .order_by("-id")
    )


def alert_areas() -> list[tuple[str, int]]:
    """The areas people texted JOIN for, with how many numbers joined each."""
    rows = AlertSubscription.objects.values("area").annotate(count=Count("id")).order_by("area")
    return [(row["area"], row["count"]) for row in rows]


def texts(broadcast: Broadcast) -> list[tuple[str, str, str]]:
    """(language, its name, text) for each language the broadcast has a text in."""
    names = dict(settings.LANGUAGES)
    return [
        (language, names[language], broadcast.bodies[language])
        for language in languages()
        if language in broadcast.bodies
    ]


# --- Recipients --------------------------------------------------------------------------------


def _first_per_address(rows: QuerySet[Any], hash_name: str) -> QuerySet[Any]:
    """``rows`` without those whose keyed hash an earlier row of ``rows`` has: a number that
    joined two areas, or a household's shared phone, gets the broadcast once. (NOT EXISTS on the
    hash's index: no sort or grouping of the whole list.)"""
    earlier = rows.filter(**{hash_name: OuterRef(hash_name), "id__lt": OuterRef("id")})
    return rows.filter(~Exists(earlier))


def _recipients(broadcast: Broadcast) -> QuerySet[Any]:
    """Every recipient once, annotated with what its outbox row needs: ``r_address`` (the sealed
    token), ``r_hash``, ``r_language``, ``r_person``, ``opted_out`` (texted STOP) and ``consent``
    (the person's newest answer for the channel; None when there is none)."""
    no_answer = Value(None, output_field=BooleanField())
    rows: QuerySet[Any]
    if broadcast.audience == Audience.ALERT_LIST:
        hash_name = "address_hash"
        chosen = AlertSubscription.objects.all()
        if broadcast.areas:
            chosen = chosen.filter(area__in=broadcast.areas)
        rows = _first_per_address(chosen, hash_name).annotate(
            r_address=F("address"),
            r_hash=F(hash_name),
            r_language=F("language"),
            r_person=Value(None, output_field=IntegerField()),
            consent=no_answer,
        )
    else:
        address = "email" if broadcast.channel == Channel.EMAIL else "phone"
        hash_name = f"{address}_hash"
        newest = (
            Consent.objects.filter(person=OuterRef("id"), channel=broadcast.channel)
            .order_by("-at", "-id")
            .values("granted")[:1]
        )
        reachable = Person.objects.exclude(**{hash_name: ""})
        rows = _first_per_address(reachable, hash_name).annotate(
            r_address=F(address),
            r_hash=F(hash_name),
            r_language=F("preferred_language"),
            r_person=F("id"),
            consent=Subquery(newest, output_field=BooleanField()),
        )
    # STOP is kept per phone number; it means nothing for e-mail. A STOP hashed under an older
    # key than the recipient's row is not seen here, but the worker re-checks under every key.
    opted_out = (
        Exists(OptOut.objects.filter(address_hash=OuterRef(hash_name)))
        if broadcast.channel in PHONE_CHANNELS
        else Value(False, output_field=BooleanField())
    )
    annotated: QuerySet[Any] = rows.annotate(opted_out=opted_out).order_by()
    return annotated


SKIP = Q(opted_out=True) | Q(consent=False)


# --- Preview -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LanguageCost:
    """What one language's text costs: who gets it and how many SMS segments it takes."""

    language: str
    label: str
    body: str
    recipients: int
    fallback: int  # of ``recipients``, those whose own language has no text
    encoding: str  # "GSM-7" or "UCS-2"; empty off SMS
    segments: int  # per message; 1 off SMS

    @property
    def total_segments(self) -> int:
        return self.recipients * self.segments

    @property
    def costly(self) -> bool:
        """UCS-2: an accent such as á, or Hangul, cuts each segment from 153 characters to 67."""
        return self.encoding == "UCS-2"


@dataclass(frozen=True)
class Pace:
    """How long the sender numbers take to hand this broadcast's segments over at their
    configured pace, after what is already waiting in the outbox, with their daily limits
    starting again at local midnight."""

    segments: int  # this broadcast's
    ahead: int  # segments already waiting in the outbox on this channel: they go first
    numbers: int  # sender numbers
    per_minute: int  # all numbers together
    per_day: int | None  # all numbers together; None when one of them has no daily limit
    sent_today: int  # segments the numbers have already sent today
    minutes: float  # from now until this broadcast's last segment goes out
    today_segments: int  # this broadcast's segments that go out before midnight
    minutes_left_today: float
    capped_by_daily_limit: bool  # the daily limits, not the pace, stop the sending today

    @property
    def finishes_today(self) -> bool:
        return self.today_segments >= self.segments

    @property
    def rest_segments(self) -> int:
        return self.segments - self.today_segments

    def duration(self) -> str:
        return duration_words(self.minutes)

    def rest_duration(self) -> str:
        """From midnight until the last segment goes out."""
        return duration_words(self.minutes - self.minutes_left_today)


@dataclass(frozen=True)
class Preview:
    """Everything a coordinator should know before pressing Send."""

    broadcast: Broadcast
    recipients: int  # who will be sent the message
    opted_out: int  # texted STOP: recorded as not sent
    refused: int  # said no to this channel: recorded as not sent
    languages: list[LanguageCost]
    gateway: str  # name of the gateway that will carry it; empty when none is configured
    pace: Pace | None  # None: no pacing on our side (e-mail, the simulator, Signal)

    @property
    def skipped(self) -> int:
        return self.opted_out + self.refused

    @property
    def fallback(self) -> int:
        return sum(cost.fallback for cost in self.languages)

    @property
    def total_segments(self) -> int:
        return sum(cost.total_segments for cost in self.languages)

    @property
    def costly(self) -> bool:
        """Some text is UCS-2 (accents such as á, or Korean)."""
        return any(cost.costly for cost in self.languages)

    @property
    def fallback_label(self) -> str:
        code = self.broadcast.fallback_language
        return str(translation.get_language_info(code)["name_translated"]) if code else ""

    @property
    def is_sms(self) -> bool:
        return self.broadcast.channel == Channel.SMS

    @property
    def signal_too_broad(self) -> bool:
        return self.broadcast.channel == Channel.SIGNAL and self.recipients > SIGNAL_BROAD_LIST

    @property
    def can_send(self) -> bool:
        return (
            self.broadcast.status == BroadcastStatus.DRAFT
            and bool(self.gateway)
            and self.recipients > 0
        )


def preview(user: User, broadcast: Broadcast, now: datetime | None = None) -> Preview:
    """Count the recipients per language and what the texts cost, and estimate the time to send.

    Raises:
        PermissionDenied: the user may not send broadcasts.
    """
    check_broadcasts(user)
    counts = (
        _recipients(broadcast)
        .values("r_language")
        .annotate(
            all_rows=Count("id"),
            stopped=Count("id", filter=Q(opted_out=True)),
            said_no=Count("id", filter=Q(consent=False) & ~Q(opted_out=True)),
        )
        .order_by()
    )
    bodies = broadcast.bodies
    fallback = broadcast.fallback_language
    getting: dict[str, list[int]] = {language: [0, 0] for language in bodies}
    opted_out = refused = 0
    for row in counts:
        opted_out += row["stopped"]
        refused += row["said_no"]
        reached = row["all_rows"] - row["stopped"] - row["said_no"]
        own = row["r_language"] in bodies
        entry = getting[row["r_language"] if own else fallback]
        entry[0] += reached
        entry[1] += 0 if own else reached
    names = dict(settings.LANGUAGES)
    costs = []
    for language in languages():
        if language not in bodies:
            continue
        body = bodies[language]
        cost = sms_cost(body) if broadcast.channel == Channel.SMS else None
        costs.append(
            LanguageCost(
                language=language,
                label=names[language],
                body=body,
                recipients=getting[language][0],
                fallback=getting[language][1],
                encoding=cost.encoding if cost else "",
                segments=cost.segments if cost else 1,
            )
        )
    gateway = gateway_for(broadcast.channel)
    recipients = sum(cost.recipients for cost in costs)
    segments = sum(cost.total_segments for cost in costs)
    senders = gateway.senders() if gateway is not None else []
    pace = None
    if senders:
        now = now or timezone.now()
        ahead, sent_today = _outbox_load(broadcast.channel, senders, now)
        pace = estimate_pace(segments, senders, now, ahead=ahead, sent_today=sent_today)
    return Preview(
        broadcast=broadcast,
        recipients=recipients,
        opted_out=opted_out,
        refused=refused,
        languages=costs,
        gateway=gateway.name if gateway is not None else "",
        pace=pace,
    )


def estimate_pace(
    segments: int,
    senders: list[str],
    now: datetime,
    *,
    ahead: int = 0,
    sent_today: dict[str, int] | None = None,
) -> Pace:
    """Time for ``senders`` to hand over ``ahead`` and then ``segments`` segments, each number at
    ``rates.per_minute`` until its ``rates.per_day`` (less what it ``sent_today``) runs out; the
    daily limits start again at local midnight (T-Mobile's caps reset at midnight Pacific, the
    default time zone)."""
    sent_today = sent_today or {}
    limits = [(rates.per_minute(sender), rates.per_day(sender)) for sender in senders]
    left = [
        (rate, None if daily is None else max(0, daily - sent_today.get(sender, 0)))
        for sender, (rate, daily) in zip(senders, limits, strict=True)
    ]
    caps = [daily for _rate, daily in limits]
    caps_left = [daily for _rate, daily in left]
    local = timezone.localtime(now)
    midnight = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=local.tzinfo)
    left_today = (midnight - now).total_seconds() / 60

    total = ahead + segments
    today = min(total, math.floor(_sent_within(left_today, left)))
    if today >= total:
        minutes = _minutes_for(total, left)
    else:
        rest = total - today
        a_day = _sent_within(MINUTES_A_DAY, limits)
        full_days = math.ceil(rest / a_day) - 1
        minutes = (
            left_today + full_days * MINUTES_A_DAY + _minutes_for(rest - full_days * a_day, limits)
        )
    return Pace(
        segments=segments,
        ahead=ahead,
        numbers=len(senders),
        per_minute=sum(rate for rate, _daily in limits),
        per_day=None if None in caps else sum(cap for cap in caps if cap is not None),
        sent_today=sum(sent_today.get(sender, 0) for sender in senders),
        minutes=minutes,
        today_segments=min(segments, max(0, today - ahead)),
        minutes_left_today=left_today,
        capped_by_daily_limit=None not in caps_left
        and today >= sum(cap for cap in caps_left if cap is not None),
    )


def _outbox_load(channel: str, senders: list[str], now: datetime) -> tuple[int, dict[str, int]]:
    """Segments waiting in the outbox on ``channel`` (served by the ready and sending indexes),
    and segments each sender number has sent since local midnight."""
    ahead = OutboundMessage.objects.filter(channel=channel, status__in=PENDING).aggregate(
        total=Sum("segments")
    )["total"]
    midnight = datetime.combine(timezone.localdate(now), time(0), timezone.get_current_timezone())
    sent = (
        OutboundMessage.objects.filter(sender__in=senders, sent_at__gte=midnight)
        .order_by()
        .values("sender")
        .annotate(total=Sum("segments"))
        .values_list("sender", "total")
    )
    return ahead or 0, dict(sent)


def _sent_within(minutes: float, limits: list[tuple[int, int | None]]) -> float:
    return sum(min(rate * minutes, math.inf if daily is None else daily) for rate, daily in limits)


def _minutes_for(amount: float, limits: list[tuple[int, int | None]]) -> float:
    """When the numbers, starting a fresh day together, have sent ``amount`` segments: all send
    at once, and each stops when its daily limit is spent."""
    by_exhaustion = sorted(
        limits, key=lambda limit: math.inf if limit[1] is None else limit[1] / limit[0]
    )
    rate = float(sum(rate for rate, _daily in limits))
    elapsed = done = 0.0
    for own_rate, daily in by_exhaustion:
        spent_at = math.inf if daily is None else daily / own_rate
        reachable = done + rate * (spent_at - elapsed)
        if amount <= reachable:
            return elapsed + (amount - done) / rate
        done, elapsed, rate = reachable, spent_at, rate - own_rate
    return math.inf


def duration_words(minutes: float) -> str:
    """'less than a minute', '14 minutes', '2 hours 20 minutes', '3 days 4 hours'."""
    if minutes < 1:
        return str(_("less than a minute"))
    whole = math.ceil(minutes)
    days, rest = divmod(whole, MINUTES_A_DAY)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(ngettext("%(count)d day", "%(count)d days", days) % {"count": days})
    if hours:
        parts.append(ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours})
    if mins and not days:
        parts.append(ngettext("%(count)d minute", "%(count)d minutes", mins) % {"count": mins})
    return " ".join(parts)


# --- Progress ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    colour: str
    count: int


@dataclass(frozen=True)
class Progress:
    """A sent broadcast's messages counted by status."""

    counts: list[StatusCount]

    @property
    def total(self) -> int:
        return sum(row.count for row in self.counts)

    @property
    def pending(self) -> int:
        return sum(row.count for row in self.counts if row.status in PENDING)

    @property
    def handled(self) -> int:
        return self.total - self.pending

    @property
    def finished(self) -> bool:
        return self.pending == 0

    @property
    def percent(self) -> int:
        return math.floor(100 * self.handled / self.total) if self.total else 100


def progress(user: User, broadcast: Broadcast) -> Progress:
    """Raises:
    PermissionDenied: the user may not send broadcasts."""
    check_broadcasts(user)
    found = dict(
        OutboundMessage.objects.filter(broadcast=broadcast)
        .order_by()
        .values("status")
        .annotate(count=Count("id"))
        .values_list("status", "count")
    )
    return Progress(
        [
            StatusCount(status, str(label), MessageStatus.colour(status), found.get(status, 0))
            for status, label in MessageStatus.choices
        ]
    )


# --- Changes -----------------------------------------------------------------------------------


def check_broadcast_fields(
    *, channel: str, audience: str, areas: list[str], bodies: dict[str, str], fallback: str
) -> dict[str, Any]:
    """The fields of a broadcast, cleaned. Forms explain these rules to people first; this
    refuses what a form would have refused.

    Raises:
        ValueError: a channel, audience or language that cannot be used, no text, or no text in
            the fallback language.
        MessageTooLongError: an SMS text longer than MAX_SEGMENTS segments.
    """
    if channel not in BROADCAST_CHANNELS:
        raise ValueError(f"a broadcast cannot go by {channel!r}")
    if audience not in Audience.values:
        raise ValueError(f"unknown audience {audience!r}")
    if audience == Audience.ALERT_LIST and channel == Channel.EMAIL:
        raise ValueError("the alert list holds phone numbers, not e-mail addresses")
    unknown = set(bodies) - set(languages())
    if unknown:
        raise ValueError(f"no such language: {sorted(unknown)}")
    cleaned = {}
    for language in languages():
        text = clean(bodies.get(language, ""))
        if text:
            cleaned[language] = checked_body(channel, text)[0]
    if fallback not in cleaned:
        raise ValueError("the fallback language needs a text")
    return {
        "channel": channel,
        "audience": audience,
        "areas": sorted({area.strip().upper() for area in areas if area.strip()})
        if audience == Audience.ALERT_LIST
        else [],
        "bodies": cleaned,
        "fallback_language": fallback,
    }


def do_draft_broadcast(
    user: User,
    *,
    channel: str,
    audience: str,
    areas: list[str],
    bodies: dict[str, str],
    fallback: str,
) -> Broadcast:
    """Save a broadcast to preview. Nothing is queued until :func:`do_send_broadcast`.

    Raises:
        PermissionDenied: the user may not send broadcasts.
        ValueError, MessageTooLongError: see :func:`check_broadcast_fields`.
    """
    check_broadcasts(user)
    fields = check_broadcast_fields(
        channel=channel, audience=audience, areas=areas, bodies=bodies, fallback=fallback
    )
    with transaction.atomic():
        broadcast = Broadcast.objects.create(created_by=user, **fields)
        audit.record(user, audit.BROADCAST_DRAFTED, broadcast, channel=channel, audience=audience)
    return broadcast


def do_change_draft(
    user: User,
    broadcast: Broadcast,
    *,
    channel: str,
    audience: str,
    areas: list[str],
    bodies: dict[str, str],
    fallback: str,
) -> Broadcast:
    """Change a broadcast that is still a draft.

    Raises:
        PermissionDenied: the user may not send broadcasts.
        NotADraftError: it was sent meanwhile (perhaps from another tab); nothing changed.
        ValueError, MessageTooLongError: see :func:`check_broadcast_fields`.
    """
    check_broadcasts(user)
    fields = check_broadcast_fields(
        channel=channel, audience=audience, areas=areas, bodies=bodies, fallback=fallback
    )
    with transaction.atomic():
        changed = Broadcast.objects.filter(id=broadcast.id, status=BroadcastStatus.DRAFT).update(
            **fields
        )
        if not changed:
            raise NotADraftError
        audit.record(
            user, audit.BROADCAST_DRAFTED, broadcast, channel=channel, audience=audience, changed=1
        )
    broadcast.refresh_from_db()
    return broadcast


# Outbox rows a broadcast must add before PostgreSQL is told to look at the table again.
ANALYZE_AFTER = 2000


def analyze_outbox() -> None:
    """Refresh PostgreSQL's statistics of the outbox. A broadcast can make it many times larger
    in one statement, long before autovacuum notices; planned from the old statistics, every claim
    of the worker then sorts the whole queue (72 ms a claim at 100,000 rows, against 0.1 ms)."""
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {OutboundMessage._meta.db_table}")


def do_send_broadcast(user: User, broadcast: Broadcast) -> int:
    """Queue one outbox row per recipient, in one transaction with the move from draft to
    sending and the audit entry. Returns how many rows were written (those recorded as not sent
    because the number texted STOP or the person refused the channel included).

    A second call for the same broadcast (a double-clicked Send, a second tab) finds it no longer
    a draft and queues nothing.

    Raises:
        PermissionDenied: the user may not send broadcasts.
        NotADraftError: it was already sent.
        NoGatewayError: no gateway carries its channel.
        NoRecipientsError: it would reach nobody (or only people who said no); it stays a draft.
    """
    check_broadcasts(user)
    if gateway_for(broadcast.channel) is None:
        raise NoGatewayError
    now = timezone.now()
    with transaction.atomic():
        moved = Broadcast.objects.filter(id=broadcast.id, status=BroadcastStatus.DRAFT).update(
            status=BroadcastStatus.SENDING, sent_by=user, sent_at=now
        )
        if not moved:
            raise NotADraftError
        # The texts as the row holds them now: a change saved in another tab before the move.
        broadcast.refresh_from_db()
        queued = _queue(broadcast, now)
        to_send = OutboundMessage.objects.filter(
            broadcast=broadcast, status=MessageStatus.QUEUED
        ).exists()
        if not to_send:
            raise NoRecipientsError  # rolls back: it stays a draft
        Broadcast.objects.filter(id=broadcast.id).update(recipients=queued)
        audit.record(
            user, audit.BROADCAST_SENT, broadcast, channel=broadcast.channel, recipients=queued
        )
        if queued >= ANALYZE_AFTER and connection.vendor == "postgresql":
            transaction.on_commit(analyze_outbox)
    broadcast.recipients = queued
    return queued


def _by_language(values: dict[str, Any], fallback: str, output_field: Any) -> Case:
    """CASE on the recipient's language: its own text, else the fallback language's."""
    return Case(
        *[
            When(r_language=language, then=Value(value))
            for language, value in values.items()
            if language != fallback
        ],
        default=Value(values[fallback]),
        output_field=output_field,
    )


def _queue(broadcast: Broadcast, now: datetime) -> int:
    """One INSERT … SELECT of the outbox rows. Call inside the sending transaction."""
    bodies = broadcast.bodies
    fallback = broadcast.fallback_language
    segments = {
        language: checked_body(broadcast.channel, text)[1] for language, text in bodies.items()
    }
    subjects = dict.fromkeys(bodies, "")
    if broadcast.channel == Channel.EMAIL:
        for language in bodies:
            with translation.override(language):
                subjects[language] = str(EMAIL_SUBJECT) % {"network": settings.VECINOS_NETWORK_NAME}
    columns: dict[str, Any] = {
        "channel": Value(broadcast.channel),
        # Not-sent rows keep no copy of the address: the row records that, and why.
        "address": Case(
            When(SKIP, then=Value("")), default=F("r_address"), output_field=TextField()
        ),
        "address_hash": Case(
            When(SKIP, then=Value("")), default=F("r_hash"), output_field=CharField()
        ),
        "person_id": F("r_person"),
        "body": _by_language(bodies, fallback, TextField()),
        "subject": _by_language(subjects, fallback, CharField()),
        "language": Case(
            When(r_language__in=list(bodies), then=F("r_language")),
            default=Value(fallback),
            output_field=CharField(),
        ),
        "segments": _by_language(segments, fallback, IntegerField()),
        "priority": Value(Priority.BULK),
        "kind": Value(KIND),
        "status": Case(
            When(SKIP, then=Value(MessageStatus.SKIPPED)),
            default=Value(MessageStatus.QUEUED),
            output_field=CharField(),
        ),
        "skip_reason": Case(
            When(opted_out=True, then=Value(SkipReason.OPTED_OUT)),
            When(consent=False, then=Value(SkipReason.NO_CONSENT)),
            default=Value(""),
            output_field=CharField(),
        ),
        "created_at": Value(now, output_field=DateTimeField()),
        "not_before": Value(now, output_field=DateTimeField()),
        "broadcast_id": Value(broadcast.id),
    }
    # Every other column gets its model default, so a column added later needs no change here.
    for field in OutboundMessage._meta.concrete_fields:
        if field.primary_key or field.attname in columns:
            continue
        default = field.get_default()
        if default is None and field.null:
            continue  # the database's NULL
        columns[field.attname] = Value(default, output_field=field)
    return insert_select(OutboundMessage, _recipients(broadcast), columns)


def insert_select(model: Any, rows: QuerySet[Any], columns: dict[str, Any]) -> int:
    """``INSERT INTO model (columns) SELECT …`` with the SELECT compiled from ``rows`` annotated
    with ``columns`` (column name -> expression). Runs on SQLite and PostgreSQL alike. Returns the
    number of rows inserted. Model code (``save``, signals, field conversions) does not run."""
    aliases = {f"insert_{name}": expression for name, expression in columns.items()}
    select = rows.values(**aliases)
    compiler = select.query.get_compiler(using=select.db)
    sql, params = compiler.as_sql()
    # The compiler's own order of the selected aliases, which is what the SELECT returns.
    order = [alias for _expression, _sql, alias in compiler.select]
    if sorted(order) != sorted(aliases):
        raise AssertionError(f"the SELECT returns {order}, not {sorted(aliases)}")
    quote = connection.ops.quote_name
    column_of = {field.attname: field.column for field in model._meta.concrete_fields}
    names = ", ".join(quote(column_of[alias.removeprefix("insert_")]) for alias in order)
    # Table and column names come from the model; every value is a query parameter.
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(model._meta.db_table)} ({names}) {sql}", params)
        return int(cursor.rowcount)
