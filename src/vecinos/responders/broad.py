"""Verification, then the community: approvals, the broad alert, its all-clear, and corrections.

An incident reaches the alert list only when it is confirmed: at least K responders confirmed it
(by text, or by phone through a dispatcher) and a dispatcher approved, or two different ones when
``VECINOS_SECOND_APPROVAL`` was on when its responders were alerted. These rules are checked here,
in the services, whatever page or API calls them. A drill never reaches the alert list.

Each number gets each kind of message (alert, all-clear, correction) at most once per incident: a
row per number in :class:`BroadRecipient`, under a unique constraint, written in the same
transaction as the outbox rows by two ``INSERT … SELECT`` (as broadcasts do: sealed addresses are
copied, not decrypted and sealed again).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

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
    TextField,
    Value,
    When,
)
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from vecinos.core import audit
from vecinos.core.models import User
from vecinos.core.permissions import Capability, check
from vecinos.hotline import events
from vecinos.hotline.choices import IncidentStatus
from vecinos.hotline.models import Incident, IncidentStep
from vecinos.hotline.services import do_move_incident
from vecinos.messaging import broadcasts
from vecinos.messaging.choices import (
    Audience,
    BroadcastStatus,
    Channel,
    MessageStatus,
    Priority,
    SkipReason,
)
from vecinos.messaging.gateways import gateway_for
from vecinos.messaging.keywords import normalize
from vecinos.messaging.models import AlertSubscription, Broadcast, Consent, OptOut, OutboundMessage
from vecinos.messaging.services import checked_body
from vecinos.organizing.models import Person
from vecinos.places.models import ZipCode, Zone, ZoneCell
from vecinos.responders import geo, texts
from vecinos.responders.choices import BroadKind, CorrectionAudience
from vecinos.responders.models import Alerted, BroadRecipient, Verification
from vecinos.responders.services import about, note_on_timeline, text_responder

OUTBOX_KINDS: dict[str, str] = {
    BroadKind.ALERT: "responders.broad_alert",
    BroadKind.ALL_CLEAR: "responders.all_clear",
    BroadKind.CORRECTION: "responders.correction",
}
AUDIT_ACTIONS: dict[str, str] = {
    BroadKind.ALERT: audit.BROAD_ALERT_SENT,
    BroadKind.ALL_CLEAR: audit.ALL_CLEAR_SENT,
    BroadKind.CORRECTION: audit.CORRECTION_SENT,
}
# Steps from which approval can confirm an incident (hotline.services.NEXT_STEPS allows them).
APPROVABLE = frozenset({IncidentStatus.RESPONDERS_ALERTED, IncidentStatus.ON_SCENE,
                        IncidentStatus.UNVERIFIED, IncidentStatus.CONFIRMED})  # fmt: skip


class BroadAlertError(Exception):
    """Something that may not be sent or approved now. ``str()`` is a sentence for the
    dispatcher, translated into the language active when it is shown."""

    message: Promise

    def __str__(self) -> str:
        return str(self.message)


class DrillError(BroadAlertError):
    message = gettext_lazy("This is a drill: it never reaches the alert list.")


class NotEnoughConfirmationsError(BroadAlertError):
    message = gettext_lazy("Not enough responders have confirmed this incident on the scene yet.")


class NotApprovedError(BroadAlertError):
    message = gettext_lazy("A dispatcher has not approved the broad alert yet.")


class SecondApprovalNeededError(BroadAlertError):
    message = gettext_lazy("A second dispatcher must approve the broad alert.")


class SameApproverError(BroadAlertError):
    message = gettext_lazy("The second approval must come from a different dispatcher.")


class AlreadyApprovedError(BroadAlertError):
    message = gettext_lazy("This incident was already approved.")


class NotApprovableError(BroadAlertError):
    message = gettext_lazy("This incident cannot be confirmed from its current step.")


class NotConfirmedError(BroadAlertError):
    message = gettext_lazy("Only a confirmed incident can be announced to the alert list.")


class AlreadySentError(BroadAlertError):
    message = gettext_lazy("This was already sent; it was not sent again.")


class NoBroadAlertError(BroadAlertError):
    message = gettext_lazy("No broad alert was sent for this incident, so there is no all-clear.")


class NotResolvedError(BroadAlertError):
    message = gettext_lazy("The all-clear goes out once the incident is resolved.")


class NotUnfoundedError(BroadAlertError):
    message = gettext_lazy("A correction is only for an incident marked unfounded.")


class NoRecipientsError(BroadAlertError):
    message = gettext_lazy("Nobody would receive this message.")


class NoGatewayError(BroadAlertError):
    message = gettext_lazy("No gateway is configured for text messages, so nothing can be sent.")


# --- Confirmations and approval ------------------------------------------------------------


def confirmations(incident: Incident) -> int:
    """Responders who confirmed the incident on the scene (by text or by phone)."""
    return Alerted.objects.filter(incident=incident, confirmed_at__isnull=False).count()


def do_approve(user: User, incident: Incident, *, now: datetime | None = None) -> Verification:
    """A dispatcher approves the broad alert of an incident that enough responders confirmed.
    With one approval needed (or the second one given) the incident becomes confirmed.

    Raises:
        PermissionDenied: the user may not approve broad alerts.
        NotEnoughConfirmationsError: fewer than K confirmations (or no responder alerted).
        NotApprovableError: the incident is closed or past confirmation (e.g. unfounded).
        SameApproverError: the second approval from the dispatcher who gave the first.
        AlreadyApprovedError: nothing left to approve.
    """
    check(user, Capability.APPROVE_BROAD_ALERT)
    now = now or timezone.now()
    with transaction.atomic():
        verification = (
            Verification.objects.select_for_update().filter(incident_id=incident.id).first()
        )
        if verification is None:
            raise NotEnoughConfirmationsError
        current = Incident.objects.get(id=incident.id)
        if current.closed_at is not None or current.status not in APPROVABLE:
            raise NotApprovableError
        if confirmations(current) < verification.confirmations_needed:
            raise NotEnoughConfirmationsError
        if verification.approved_by_id is None:
            verification.approved_by, verification.approved_at = user, now
            fields = ["approved_by", "approved_at"]
        elif verification.second_approval and verification.second_approved_by_id is None:
            if verification.approved_by_id == user.id:
                raise SameApproverError
            verification.second_approved_by, verification.second_approved_at = user, now
            fields = ["second_approved_by", "second_approved_at"]
        else:
            raise AlreadyApprovedError
        verification.save(update_fields=fields)
        audit.record(user, audit.BROAD_ALERT_APPROVED, current, approval=verification.approvals)
        if verification.approved and current.status != IncidentStatus.CONFIRMED:
            with translation.override(settings.LANGUAGE_CODE):
                note = _("Confirmed by responders on the scene and approved.")
            do_move_incident(user, current, IncidentStatus.CONFIRMED, note=note, now=now)
        events.publish(events.INCIDENT_CHANGED, incident_id=current.id)
    incident.status = current.status
    return verification


def was_unfounded(incident: Incident) -> bool:
    """Marked unfounded at some point (it may have been resolved since)."""
    return incident.status == IncidentStatus.UNFOUNDED or (
        IncidentStep.objects.filter(incident=incident, status=IncidentStatus.UNFOUNDED).exists()
    )


def refusal(
    incident: Incident, kind: str, audience: str = CorrectionAudience.AREA
) -> BroadAlertError | None:
    """Why ``kind`` may not be sent for ``incident`` now, or None when it may. The one place
    these rules are decided: the send services raise what this returns, pages show it."""
    verification = Verification.objects.filter(incident_id=incident.id).first()
    to_the_list = not (kind == BroadKind.CORRECTION and audience == CorrectionAudience.RESPONDERS)
    if incident.is_drill and to_the_list:
        return DrillError()
    if kind == BroadKind.ALERT:
        if verification is None or confirmations(incident) < verification.confirmations_needed:
            return NotEnoughConfirmationsError()
        if verification.approved_by_id is None:
            return NotApprovedError()
        if not verification.approved:
            return SecondApprovalNeededError()
        if incident.status != IncidentStatus.CONFIRMED:
            return NotConfirmedError()
        if verification.broad_sent_at is not None:
            return AlreadySentError()
        return None
    if kind == BroadKind.ALL_CLEAR:
        if verification is None or verification.broad_sent_at is None:
            return NoBroadAlertError()
        if incident.status != IncidentStatus.RESOLVED:
            return NotResolvedError()
        if verification.all_clear_sent_at is not None:
            return AlreadySentError()
        return None
    if not was_unfounded(incident):
        return NotUnfoundedError()
    if to_the_list:
        done = verification is not None and verification.corrected_area_at is not None
    elif verification is None:
        return NoRecipientsError()  # no responder was ever alerted for it
    else:
        done = verification.corrected_responders_at is not None
    return AlreadySentError() if done else None


# --- Who is in range -----------------------------------------------------------------------


def area_key(text: str) -> str:
    """An area as compared: case, accents, hyphens and punctuation ignored ("Pico-Union",
    "PICO UNION" and "pico union" are one area)."""
    return " ".join(normalize(text).replace("-", " ").replace("'", "").split())


def areas_in_range(incident: Incident) -> list[str]:
    """The alert-list areas an incident concerns: THE matching rule, kept in this function.

    Subscribers name an area as they texted it after JOIN: a ZIP code or a neighborhood's name
    (``AlertSubscription.area``). An area is in range when

    - the incident's place, or the place of one of its reports, names it as whole words (a place
      "3rd & Vermont, 90005" concerns area 90005; "Pico-Union" concerns PICO UNION); or
    - it is the name or a ZIP code of a zone (places app) with a cell within
      ``VECINOS_BROAD_ALERT_RINGS`` rings of the incident's cell.

    A subscriber with no area gets every broad alert (see :func:`subscribers_in_range`).
    Returns the stored areas that match, sorted.
    """
    known = (
        AlertSubscription.objects.exclude(area="")
        .order_by()
        .values_list("area", flat=True)
        .distinct()
    )
    places = [incident.place, *incident.reports.values_list("place", flat=True)]
    named = f" {area_key(' '.join(places))} "
    zones = _zone_keys_in_range(incident)
    matched = set()
    for area in known:
        key = area_key(area)
        if key and (f" {key} " in named or key in zones):
            matched.add(area)
    return sorted(matched)


def _zone_keys_in_range(incident: Incident) -> set[str]:
    """Names and ZIP codes (as :func:`area_key`) of the zones with a cell within
    ``VECINOS_BROAD_ALERT_RINGS`` rings of the incident's cell."""
    if not geo.is_cell(incident.cell):
        return set()
    near = geo.disk(incident.cell, settings.VECINOS_BROAD_ALERT_RINGS)
    zone_ids = set(
        ZoneCell.objects.filter(kind="neighborhood", cell__in=near).values_list(
            "zone_id", flat=True
        )
    )
    names = Zone.objects.filter(id__in=zone_ids).values_list("name", flat=True)
    codes = ZipCode.objects.filter(zone_id__in=zone_ids).values_list("code", flat=True)
    return {area_key(value) for value in [*names, *codes]}


def subscribers_in_range(incident: Incident) -> QuerySet[AlertSubscription]:
    """Alert-list subscriptions for the incident: those with no area, and those whose area is
    in range (:func:`areas_in_range`)."""
    return AlertSubscription.objects.filter(Q(area="") | Q(area__in=areas_in_range(incident)))


def _audience(incident: Incident, kind: str) -> QuerySet[AlertSubscription]:
    if kind == BroadKind.ALL_CLEAR:
        alerted = BroadRecipient.objects.filter(
            incident=incident, kind=BroadKind.ALERT, skip_reason=""
        ).values("subscription_id")
        return AlertSubscription.objects.filter(id__in=alerted)
    return subscribers_in_range(incident)


SKIP = Q(opted_out=True) | Q(consent=False)


def _recipients(incident: Incident, kind: str) -> QuerySet[Any]:
    """Each number of the audience once, not already sent this kind for this incident,
    annotated with ``r_person`` (the person with that number), ``consent`` (their newest answer
    for SMS; None when there is none) and ``opted_out`` (texted STOP)."""
    chosen = _audience(incident, kind)
    earlier = chosen.filter(address_hash=OuterRef("address_hash"), id__lt=OuterRef("id"))
    sent = BroadRecipient.objects.filter(
        incident=incident, kind=kind, address_hash=OuterRef("address_hash")
    )
    person = Person.objects.filter(phone_hash=OuterRef("address_hash")).order_by("id")
    newest = Consent.objects.filter(
        person__phone_hash=OuterRef("address_hash"), channel=Channel.SMS
    ).order_by("-at", "-id")
    rows: QuerySet[Any] = (
        chosen.filter(~Exists(earlier), ~Exists(sent))
        .annotate(
            r_person=Subquery(person.values("id")[:1], output_field=IntegerField()),
            consent=Subquery(newest.values("granted")[:1], output_field=BooleanField()),
            opted_out=Exists(OptOut.objects.filter(address_hash=OuterRef("address_hash"))),
        )
        .order_by()
    )
    return rows


# --- Preview -------------------------------------------------------------------------------


@dataclass(frozen=True)
class BroadText:
    language: str
    label: str
    body: str
    segments: int
    recipients: int


@dataclass(frozen=True)
class BroadPreview:
    """What a dispatcher sees before sending: the text in every language, who gets which, and
    why some get nothing."""

    kind: str
    texts: list[BroadText]
    recipients: int
    opted_out: int
    refused: int
    areas: list[str]
    refusal: BroadAlertError | None

    @property
    def can_send(self) -> bool:
        return self.refusal is None and self.recipients > 0


def bodies(incident: Incident, kind: str) -> dict[str, str]:
    """The text of ``kind`` in every language of the network."""
    builders: dict[str, Callable[[str, texts.About], str]] = {
        BroadKind.ALERT: texts.broad_alert,
        BroadKind.ALL_CLEAR: texts.all_clear,
        BroadKind.CORRECTION: texts.correction,
    }
    build = builders[kind]
    return {code: build(code, about(incident)) for code, _name in settings.LANGUAGES}


def preview(user: User, incident: Incident, kind: str = BroadKind.ALERT) -> BroadPreview:
    """The texts and the count of recipients per language.

    Raises:
        PermissionDenied: the user may not approve broad alerts.
    """
    check(user, Capability.APPROVE_BROAD_ALERT)
    counts = (
        _recipients(incident, kind)
        .values("language")
        .annotate(
            all_rows=Count("id"),
            stopped=Count("id", filter=Q(opted_out=True)),
            said_no=Count("id", filter=Q(consent=False) & ~Q(opted_out=True)),
        )
        .order_by()
    )
    texts_by_language = bodies(incident, kind)
    fallback = settings.LANGUAGE_CODE
    getting = dict.fromkeys(texts_by_language, 0)
    opted_out = refused = 0
    for row in counts:
        opted_out += row["stopped"]
        refused += row["said_no"]
        language = row["language"] if row["language"] in getting else fallback
        getting[language] += row["all_rows"] - row["stopped"] - row["said_no"]
    names = dict(settings.LANGUAGES)
    shown = [
        BroadText(
            language=code,
            label=names[code],
            body=body,
            segments=checked_body(Channel.SMS, body)[1],
            recipients=getting[code],
        )
        for code, body in texts_by_language.items()
    ]
    return BroadPreview(
        kind=kind,
        texts=shown,
        recipients=sum(getting.values()),
        opted_out=opted_out,
        refused=refused,
        areas=areas_in_range(incident) if kind != BroadKind.ALL_CLEAR else [],
        refusal=refusal(incident, kind),
    )


# --- Sending -------------------------------------------------------------------------------


def do_send_broad_alert(user: User, incident: Incident, *, now: datetime | None = None) -> int:
    """Send a confirmed incident's alert to the subscribers in range, each in their language,
    once. Returns the outbox rows written (those recorded as not sent included).

    Raises:
        PermissionDenied: the user may not approve broad alerts.
        BroadAlertError: see :func:`refusal` (a drill, not confirmed, already sent…), or
            NoRecipientsError / NoGatewayError. Nothing is sent.
    """
    return _send(user, incident, BroadKind.ALERT, "broad_sent_at", now=now)


def do_send_all_clear(user: User, incident: Incident, *, now: datetime | None = None) -> int:
    """After resolution: the all-clear to the numbers that were sent the broad alert, once.

    Raises:
        PermissionDenied, BroadAlertError: as :func:`do_send_broad_alert`.
    """
    return _send(user, incident, BroadKind.ALL_CLEAR, "all_clear_sent_at", now=now)


def do_send_correction(
    user: User, incident: Incident, audience: str, *, now: datetime | None = None
) -> int:
    """Correct a rumor marked unfounded: to the alert-list subscribers in its area, or to the
    responders alerted for it. Once per audience.

    Raises:
        PermissionDenied, BroadAlertError: as :func:`do_send_broad_alert`.
        ValueError: an unknown audience.
    """
    if audience == CorrectionAudience.AREA:
        return _send(user, incident, BroadKind.CORRECTION, "corrected_area_at", now=now)
    if audience != CorrectionAudience.RESPONDERS:
        raise ValueError(f"unknown audience {audience!r}")
    check(user, Capability.APPROVE_BROAD_ALERT)
    now = now or timezone.now()
    with transaction.atomic():
        Verification.objects.select_for_update().filter(incident_id=incident.id).first()
        problem = refusal(incident, BroadKind.CORRECTION, audience)
        if problem is not None:
            raise problem
        Verification.objects.filter(incident_id=incident.id).update(corrected_responders_at=now)
        rows = Alerted.objects.filter(incident=incident).select_related("responder__person")
        sent = 0
        for row in rows:
            person = row.responder.person
            _, created = BroadRecipient.objects.get_or_create(
                incident=incident,
                kind=BroadKind.CORRECTION,
                address_hash=person.phone_hash,
                defaults={"person": person, "language": row.language, "at": now},
            )
            if created and person.phone_hash:
                text_responder(
                    person,
                    texts.correction(row.language, about(incident)),
                    kind=OUTBOX_KINDS[BroadKind.CORRECTION],
                    language=row.language,
                )
                sent += 1
        audit.record(user, audit.CORRECTION_SENT, incident, audience=audience, recipients=sent)
        events.publish(events.INCIDENT_CHANGED, incident_id=incident.id)
    return sent


def _send(
    user: User, incident: Incident, kind: str, sent_field: str, *, now: datetime | None
) -> int:
    check(user, Capability.APPROVE_BROAD_ALERT)
    if gateway_for(Channel.SMS) is None:
        raise NoGatewayError
    now = now or timezone.now()
    with transaction.atomic():
        # A correction may follow an incident no responder was alerted for: its row starts here.
        verification, _created = Verification.objects.select_for_update().get_or_create(
            incident_id=incident.id,
            defaults={
                "confirmations_needed": settings.VECINOS_CONFIRMATIONS_NEEDED,
                "second_approval": settings.VECINOS_SECOND_APPROVAL,
            },
        )
        incident = Incident.objects.get(id=incident.id)
        problem = refusal(incident, kind)
        if problem is not None:
            raise problem
        moved = Verification.objects.filter(
            id=verification.id, **{f"{sent_field}__isnull": True}
        ).update(
            **{sent_field: now, **({"broad_sent_by": user} if kind == BroadKind.ALERT else {})}
        )
        if not moved:
            raise AlreadySentError
        texts_by_language = bodies(incident, kind)
        broadcast = Broadcast.objects.create(
            channel=Channel.SMS,
            audience=Audience.ALERT_LIST,
            areas=areas_in_range(incident) if kind != BroadKind.ALL_CLEAR else [],
            bodies=texts_by_language,
            fallback_language=settings.LANGUAGE_CODE,
            status=BroadcastStatus.SENDING,
            created_by=user,
            created_at=now,
            sent_by=user,
            sent_at=now,
        )
        verification.broadcasts.add(broadcast)
        _insert_recipients(incident, kind, texts_by_language, now)
        queued = _insert_outbox(incident, kind, texts_by_language, broadcast, now)
        # The timeline says how many numbers it goes to: not those recorded as not sent (STOP,
        # no consent), which ``queued`` counts with the rest.
        going = OutboundMessage.objects.filter(
            broadcast=broadcast, status=MessageStatus.QUEUED
        ).count()
        if not going:
            raise NoRecipientsError  # rolls back: nothing was sent
        Broadcast.objects.filter(id=broadcast.id).update(recipients=queued)
        audit.record(user, AUDIT_ACTIONS[kind], incident, recipients=queued, broadcast=broadcast.id)
        with translation.override(settings.LANGUAGE_CODE):
            note = _sent_note(kind, going)
        note_on_timeline(incident, note, at=now, actor=user)
        if queued >= broadcasts.ANALYZE_AFTER and connection.vendor == "postgresql":
            transaction.on_commit(broadcasts.analyze_outbox)
        events.publish(events.INCIDENT_CHANGED, incident_id=incident.id)
    return queued


def _sent_note(kind: str, count: int) -> str:
    if kind == BroadKind.ALERT:
        text = ngettext(
            "Broad alert sent to %(count)s number.", "Broad alert sent to %(count)s numbers.", count
        )
    elif kind == BroadKind.ALL_CLEAR:
        text = ngettext(
            "All-clear sent to %(count)s number.", "All-clear sent to %(count)s numbers.", count
        )
    else:
        text = ngettext(
            "Correction sent to %(count)s number.", "Correction sent to %(count)s numbers.", count
        )
    return text % {"count": count}


def _insert_recipients(
    incident: Incident, kind: str, texts_by_language: dict[str, str], now: datetime
) -> int:
    """One BroadRecipient row per number (the promise of "once"), by INSERT … SELECT."""
    columns: dict[str, Any] = {
        "incident_id": Value(incident.id),
        "kind": Value(kind),
        "address_hash": F("address_hash"),
        "subscription_id": F("id"),
        "person_id": F("r_person"),
        "language": Case(
            When(language__in=list(texts_by_language), then=F("language")),
            default=Value(settings.LANGUAGE_CODE),
            output_field=CharField(),
        ),
        "skip_reason": Case(
            When(opted_out=True, then=Value(SkipReason.OPTED_OUT)),
            When(consent=False, then=Value(SkipReason.NO_CONSENT)),
            default=Value(""),
            output_field=CharField(),
        ),
        "at": Value(now, output_field=DateTimeField()),
    }
    return broadcasts.insert_select(BroadRecipient, _recipients(incident, kind), columns)


def _by_language(values: dict[str, Any], output_field: Any) -> Case:
    fallback = settings.LANGUAGE_CODE
    return Case(
        *[
            When(language=language, then=Value(value))
            for language, value in values.items()
            if language != fallback
        ],
        default=Value(values[fallback]),
        output_field=output_field,
    )


def _insert_outbox(
    incident: Incident,
    kind: str,
    texts_by_language: dict[str, str],
    broadcast: Broadcast,
    now: datetime,
) -> int:
    """The outbox rows of the BroadRecipient rows just written, by INSERT … SELECT: the sealed
    address copied from the subscription; none for those recorded as not sent."""
    segments = {
        language: checked_body(Channel.SMS, body)[1] for language, body in texts_by_language.items()
    }
    skipped = ~Q(skip_reason="")
    columns: dict[str, Any] = {
        "channel": Value(Channel.SMS),
        "address": Case(
            When(skipped, then=Value("")),
            default=F("subscription__address"),
            output_field=TextField(),
        ),
        "address_hash": Case(
            When(skipped, then=Value("")), default=F("address_hash"), output_field=CharField()
        ),
        "person_id": F("person_id"),
        "body": _by_language(texts_by_language, TextField()),
        "subject": Value(""),
        "language": F("language"),
        "segments": _by_language(segments, IntegerField()),
        "priority": Value(Priority.NORMAL),
        "kind": Value(OUTBOX_KINDS[kind]),
        "status": Case(
            When(skipped, then=Value(MessageStatus.SKIPPED)),
            default=Value(MessageStatus.QUEUED),
            output_field=CharField(),
        ),
        "skip_reason": F("skip_reason"),
        "created_at": Value(now, output_field=DateTimeField()),
        "not_before": Value(now, output_field=DateTimeField()),
        "broadcast_id": Value(broadcast.id),
    }
    for field in OutboundMessage._meta.concrete_fields:
        if field.primary_key or field.attname in columns:
            continue
        default = field.get_default()
        if default is None and field.null:
            continue
        columns[field.attname] = Value(default, output_field=field)
    rows = BroadRecipient.objects.filter(incident=incident, kind=kind, at=now).order_by()
    return broadcasts.insert_select(OutboundMessage, rows, columns)
