"""Responders' workflows: profiles, the alert that sends them to look, their answers by text, and
the widening of an alert that too few answered.

Every text goes through the outbox in the transaction of the event that causes it. Alerts go in
the priority lane with the alert deadline (a raid alert delivered late is worse than none); the
others are replies.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
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
from vecinos.hotline.services import StepNotAllowedError, do_move_incident, phone_hashes
from vecinos.messaging import inbound as inbox
from vecinos.messaging import services as messaging
from vecinos.messaging.choices import Channel, Priority
from vecinos.messaging.models import InboundMessage, OutboundMessage
from vecinos.organizing.models import Person
from vecinos.responders import geo, texts
from vecinos.responders.choices import Answer, StopReason
from vecinos.responders.models import Alert, Alerted, AnswerText, Responder, Verification
from vecinos.responders.queries import Candidate, match_responders

logger = logging.getLogger(__name__)

REPLY_HANDLER = "responders.reply"
ALERT_KIND = "responders.alert"
GOING_KIND = "responders.going"
COVERED_KIND = "responders.covered"
UPDATE_KIND = "responders.update"
# Steps an incident may be at while its alert still widens.
UNDECIDED = frozenset({IncidentStatus.REPORTED, IncidentStatus.RESPONDERS_ALERTED,
                       IncidentStatus.ON_SCENE})  # fmt: skip
# Steps responders going to an incident are told about.
TOLD_STEPS = frozenset({IncidentStatus.CONFIRMED, IncidentStatus.UNFOUNDED,
                        IncidentStatus.UNVERIFIED, IncidentStatus.RESOLVED})  # fmt: skip
# How responders appear on an incident's timeline: never by name (the timeline is for every
# dispatcher, and may be shown to partners).
RESPONDER_LABEL = "responder"
AUTOMATIC_LABEL = "automatic"


class AlertError(Exception):
    """An alert that cannot be sent as asked. ``str()`` is a sentence for the dispatcher,
    translated into the language active when it is shown."""

    message: Promise

    def __str__(self) -> str:
        return str(self.message)


class AlreadyAlertedError(AlertError):
    message = gettext_lazy("Responders were already alerted for this incident.")


class IncidentClosedError(AlertError):
    message = gettext_lazy("This incident is closed.")


class NoPlaceError(AlertError):
    message = gettext_lazy(
        "This incident has no place on the map yet: give it a map pin, a ZIP code or a "
        "neighborhood first."
    )


class NoRespondersError(AlertError):
    message = gettext_lazy(
        "No eligible responder is available near this incident right now. Nothing was sent; "
        "try again later, or call the responders you know."
    )


# --- Profiles ----------------------------------------------------------------------------------


def check_cell(cell: str) -> str:
    """A responder's area: empty, or an H3 cell at the network's resolution.

    Raises:
        ValueError: anything else.
    """
    cell = cell.strip().lower()
    if cell and not geo.is_cell(cell):
        raise ValueError(f"not an H3 cell at the network's resolution: {cell[:20]!r}")
    return cell


def do_create_responder(
    user: User,
    person: Person,
    *,
    cell: str = "",
    available: bool = True,
    available_until: datetime | None = None,
) -> Responder:
    """Make ``person`` a responder (eligible for dispatch once trained and vouched for: see
    responders.models.ELIGIBLE; trainings they already had count).
    Without a ``cell``, their area starts as the centre of their zone, if they have one.
    Returns the existing profile if they already are one.

    Raises:
        PermissionDenied: the user may not manage responders.
        ValueError: ``cell`` is not a cell at the network's resolution.
    """
    check(user, Capability.MANAGE_RESPONDERS)
    cell = check_cell(cell)
    if not cell and person.zone is not None:
        cell = person.zone.centre_cell
    with transaction.atomic():
        responder, created = Responder.objects.get_or_create(
            person=person,
            defaults={"cell": cell, "available": available, "available_until": available_until},
        )
        if created:
            from vecinos.trainings.services import refresh_responder

            refresh_responder(person.id)
            audit.record(user, audit.RESPONDER_CREATED, responder)
            responder.refresh_from_db()
    return responder


def do_update_responder(
    user: User,
    responder: Responder,
    *,
    cell: str,
    available: bool,
    available_until: datetime | None,
) -> list[str]:
    """Change a responder's area and availability; returns the fields changed. (Eligibility is
    not set by hand: it follows trainings and vouches, see vecinos.trainings.)

    Raises:
        PermissionDenied: the user may not manage responders.
        ValueError: ``cell`` is not a cell at the network's resolution.
    """
    check(user, Capability.MANAGE_RESPONDERS)
    cell = check_cell(cell)
    wanted = {"cell": cell, "available": available, "available_until": available_until}
    with transaction.atomic():
        responder = Responder.objects.select_for_update().get(id=responder.id)
        changed = [name for name, value in wanted.items() if getattr(responder, name) != value]
        for name in changed:
            setattr(responder, name, wanted[name])
        if changed:
            responder.save(update_fields=[*changed, "updated_at"])
            audit.record(user, audit.RESPONDER_CHANGED, responder, fields=changed)
    return changed


# --- Alerting ----------------------------------------------------------------------------------


def about(incident: Incident) -> texts.About:
    return texts.About(
        number=incident.id,
        place=incident.place,
        at=incident.opened_at,
        is_drill=incident.is_drill,
    )


def _language(person: Person) -> str:
    known = {code for code, _name in settings.LANGUAGES}
    return person.preferred_language if person.preferred_language in known else "en"


def _channel(person: Person) -> str:
    # Responders answer by text: Signal if that is how they asked to be reached, else SMS.
    return Channel.SIGNAL if person.preferred_channel == Channel.SIGNAL else Channel.SMS


def text_responder(
    person: Person, body: str, *, kind: str, language: str, priority: int = Priority.REPLY
) -> None:
    """Queue one text to a responder. Call inside the transaction of the event."""
    if not person.phone:
        logger.info("responder person %s has no phone; %s not queued", person.id, kind)
        return
    messaging.queue_message(
        channel=_channel(person),
        address=person.phone,
        body=body,
        kind=kind,
        person=person,
        language=language,
        priority=priority,
        deadline=messaging.alert_deadline() if priority == Priority.ALERT else None,
    )


def note_on_timeline(
    incident: Incident, note: str, *, at: datetime, label: str = "", actor: User | None = None
) -> None:
    """Write ``note`` on the incident's timeline at its current step, by ``actor`` or else by
    ``label`` ("responder", "automatic"). Notes are stored in the network's language
    (``LANGUAGE_CODE``); the panel shows live figures in each reader's own."""
    IncidentStep.objects.create(
        incident=incident,
        status=incident.status,
        at=at,
        actor=actor,
        actor_label=label,
        note=note[:500],
    )


def _alert_ring(alert: Alert, incident: Incident, chosen: list[Candidate], now: datetime) -> int:
    """Alert ``chosen`` (all in ring ``alert.ring``): one Alerted row each and one text each in
    the responder's language, written with two bulk inserts (a ring of a city can hold
    hundreds, and the first text should leave within a second of the click). Call inside the
    alert's transaction."""
    if not chosen:
        return 0
    people = {p.id: p for p in Person.objects.filter(id__in=[c.person_id for c in chosen])}
    deadline = messaging.alert_deadline()
    bodies: dict[str, tuple[str, int]] = {}
    rows, messages = [], []
    for candidate in chosen:
        person = people[candidate.person_id]
        language = _language(person)
        rows.append(
            Alerted(
                alert=alert,
                incident=incident,
                responder_id=candidate.responder_id,
                ring=alert.ring,
                language=language,
                alerted_at=now,
            )
        )
        if language not in bodies:
            bodies[language] = messaging.checked_body(
                Channel.SMS, texts.alert(language, about(incident))
            )
        body, segments = bodies[language]
        channel = _channel(person)
        messages.append(
            OutboundMessage(
                channel=channel,
                address=person.phone,
                address_hash=messaging.address_hash(channel, person.phone),
                person=person,
                body=body,
                language=language,
                priority=Priority.ALERT,
                kind=ALERT_KIND,
                deadline=deadline,
                segments=segments if channel == Channel.SMS else 1,
            )
        )
    Alerted.objects.bulk_create(rows)
    OutboundMessage.objects.bulk_create(messages)
    return len(rows)


def _nearest(
    incident: Incident, cell: str, language: str, first_ring: int, max_rings: int, now: datetime
) -> tuple[int, list[Candidate]]:
    """The first ring from ``first_ring`` out to ``max_rings`` with someone to alert, and them;
    ``(max_rings + 1, [])`` when there is nobody."""
    for ring in range(first_ring, max_rings + 1):
        chosen = match_responders(cell, language, ring, at=now, exclude_incident_id=incident.id)
        if chosen:
            return ring, chosen
    return max_rings + 1, []


def do_alert_responders(user: User, incident: Incident, *, now: datetime | None = None) -> Alert:
    """ "Alert responders": freeze the widening plan on the incident and text the nearest ring
    that has anyone to alert. That is ring 0 (the incident's cell) when someone is there, else
    the next ring out: waiting M minutes for a ring where nobody can answer would only lose
    time. The incident moves to "responders alerted".

    Raises:
        PermissionDenied: the user may not alert responders.
        IncidentClosedError, AlreadyAlertedError, NoPlaceError, NoRespondersError: nothing was
            sent (see each message).
    """
    check(user, Capability.ALERT_RESPONDERS)
    now = now or timezone.now()
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(id=incident.id)
        if incident.closed_at is not None:
            raise IncidentClosedError
        if Alert.objects.filter(incident=incident).exists():
            raise AlreadyAlertedError
        if not geo.is_cell(incident.cell):
            raise NoPlaceError
        max_rings = settings.VECINOS_ALERT_MAX_RINGS
        ring, chosen = _nearest(incident, incident.cell, incident.language, 0, max_rings, now)
        if not chosen:
            raise NoRespondersError
        alert = Alert.objects.create(
            incident=incident,
            started_by=user,
            started_at=now,
            cell=incident.cell,
            language=incident.language,
            enough_yes=settings.VECINOS_ALERT_ENOUGH_YES,
            widen_minutes=settings.VECINOS_ALERT_WIDEN_MINUTES,
            max_rings=max_rings,
            ring=ring,
            ring_started_at=now,
        )
        Verification.objects.create(
            incident=incident,
            confirmations_needed=settings.VECINOS_CONFIRMATIONS_NEEDED,
            second_approval=settings.VECINOS_SECOND_APPROVAL,
        )
        count = _alert_ring(alert, incident, chosen, now)
        with translation.override(settings.LANGUAGE_CODE):
            note = ngettext(
                "%(count)s responder alerted in ring %(ring)s.",
                "%(count)s responders alerted in ring %(ring)s.",
                count,
            ) % {"count": count, "ring": ring}
        if incident.status == IncidentStatus.REPORTED:
            do_move_incident(user, incident, IncidentStatus.RESPONDERS_ALERTED, note=note, now=now)
        else:
            note_on_timeline(incident, note, at=now, label=AUTOMATIC_LABEL)
        audit.record(user, audit.RESPONDERS_ALERTED, incident, ring=ring, alerted=count)
        events.publish(events.INCIDENT_CHANGED, incident_id=incident.id)
    return alert


# --- Answers by text ---------------------------------------------------------------------------


def open_alert_for(sender: str) -> Alerted | None:
    """The newest alert of the responder texting from ``sender`` whose incident is still open.
    With two open at once, an answer is taken to be about the newest."""
    return (
        Alerted.objects.filter(
            responder__person__phone_hash__in=phone_hashes(sender),
            incident__closed_at__isnull=True,
        )
        .select_related("alert", "incident", "responder__person")
        .order_by("-alerted_at", "-id")
        .first()
    )


def take_answer(message: InboundMessage) -> bool:
    """The messaging handler for responders' answers: YES, NO, ARRIVED, CONFIRMED, FALSE in
    English, Spanish or Korean, or 1 to 5. Declines (returns False) a text from anyone without an
    open alert, and a text that is not an answer, so that the hotline takes it as a report.

    Idempotent: a re-run after a crash finds the answer recorded and changes nothing.
    """
    if message.person_id is None:
        # A number the network does not know is nobody's responder: no query needed, and most
        # texts to the hotline come from such numbers.
        return False
    if AnswerText.objects.filter(inbound=message).exists():
        return True
    alerted = open_alert_for(message.sender)
    if alerted is None:
        return False
    reply = inbox.take_reply(message, texts.reply_codes())
    if reply is None:
        return False
    record_answer(alerted, reply.code, reply.note, message=message, at=message.received_at)
    return True


def record_answer(
    alerted: Alerted,
    answer: str,
    note: str = "",
    *,
    message: InboundMessage,
    at: datetime,
) -> None:
    """Keep one answer and act on it: YES counts towards "enough"; ARRIVED puts the incident
    on scene; CONFIRMED is a confirmation; FALSE tells the dispatcher, who decides. Call inside
    the inbound message's processing transaction."""
    AnswerText.objects.create(
        alerted=alerted, answer=answer, note=note[:300], inbound=message, at=at
    )
    alerted = (
        Alerted.objects.select_for_update(of=("self",))
        .select_related("alert", "incident", "responder__person")
        .get(id=alerted.id)
    )
    was_going = alerted.yes_at is not None
    alerted.answer, alerted.answered_at, alerted.note = answer, at, note[:300]
    fields = ["answer", "answered_at", "note"]
    if answer == Answer.NO:
        alerted.yes_at = None
        fields.append("yes_at")
    elif alerted.yes_at is None:
        # Arriving, confirming or finding nothing all mean they went.
        alerted.yes_at = at
        fields.append("yes_at")
    if answer == Answer.ARRIVED and alerted.arrived_at is None:
        alerted.arrived_at = at
        fields.append("arrived_at")
    if answer == Answer.CONFIRMED and alerted.confirmed_at is None:
        alerted.confirmed_at = at
        fields.append("confirmed_at")
    if answer == Answer.FALSE and alerted.false_at is None:
        alerted.false_at = at
        fields.append("false_at")
    alerted.save(update_fields=fields)
    incident = alerted.incident
    if answer == Answer.YES and not was_going:
        text_responder(
            alerted.responder.person,
            texts.going(alerted.language, about(incident)),
            kind=GOING_KIND,
            language=alerted.language,
        )
    if answer in {Answer.ARRIVED, Answer.CONFIRMED}:
        put_on_scene(incident, at)
    with translation.override(settings.LANGUAGE_CODE):
        if answer == Answer.CONFIRMED:
            note_on_timeline(
                incident, _("A responder confirmed agents are there."), at=at, label=RESPONDER_LABEL
            )
        elif answer == Answer.FALSE:
            note_on_timeline(
                incident,
                _(
                    "A responder says the report is false. A dispatcher decides whether it is "
                    "unfounded."
                ),
                at=at,
                label=RESPONDER_LABEL,
            )
    if answer != Answer.NO:
        cover_if_enough(alerted.alert, at)
    events.publish(events.INCIDENT_CHANGED, incident_id=incident.id)


def do_record_confirmation(
    user: User, incident: Incident, alerted_id: int, *, now: datetime | None = None
) -> bool:
    """A dispatcher writes down a confirmation a responder gave by phone. Returns False when
    that responder had already confirmed.

    Raises:
        PermissionDenied: the user may not alert responders.
        Alerted.DoesNotExist: no such responder was alerted for this incident.
    """
    check(user, Capability.ALERT_RESPONDERS)
    now = now or timezone.now()
    with transaction.atomic():
        alerted = (
            Alerted.objects.select_for_update(of=("self",))
            .select_related("alert", "incident")
            .get(id=alerted_id, incident_id=incident.id)
        )
        if alerted.confirmed_at is not None:
            return False
        alerted.confirmed_at, alerted.confirmed_by = now, user
        alerted.answer, alerted.answered_at = Answer.CONFIRMED, now
        alerted.yes_at = alerted.yes_at or now
        alerted.save(
            update_fields=["confirmed_at", "confirmed_by", "answer", "answered_at", "yes_at"]
        )
        put_on_scene(alerted.incident, now)
        with translation.override(settings.LANGUAGE_CODE):
            note = _("A responder confirmed agents are there (by phone, written down).")
        note_on_timeline(alerted.incident, note, at=now, actor=user)
        audit.record(user, audit.CONFIRMATION_RECORDED, alerted.incident, alerted=alerted.id)
        cover_if_enough(alerted.alert, now)
        events.publish(events.INCIDENT_CHANGED, incident_id=incident.id)
    return True


def put_on_scene(incident: Incident, at: datetime) -> None:
    """A responder is there: "responders alerted" becomes "on scene" (later steps stay)."""
    if incident.status != IncidentStatus.RESPONDERS_ALERTED:
        return
    try:
        with transaction.atomic():
            do_move_incident(
                None, incident, IncidentStatus.ON_SCENE, actor_label=RESPONDER_LABEL, now=at
            )
    except StepNotAllowedError:
        pass  # a dispatcher moved it on meanwhile


def cover_if_enough(alert: Alert, at: datetime) -> bool:
    """When enough responders said YES: stop widening (once, by a conditional UPDATE) and tell
    each responder who did not say YES that they are not needed (once each)."""
    going = Alerted.objects.filter(alert=alert, yes_at__isnull=False).count()
    if going < alert.enough_yes:
        return False
    if not Alert.objects.filter(id=alert.id, covered_at__isnull=True).update(covered_at=at):
        return False
    incident = Incident.objects.get(id=alert.incident_id)
    others = Alerted.objects.filter(
        alert=alert, yes_at__isnull=True, covered_notice_at__isnull=True
    ).select_related("responder__person")
    for row in others:
        if Alerted.objects.filter(id=row.id, covered_notice_at__isnull=True).update(
            covered_notice_at=at
        ):
            text_responder(
                row.responder.person,
                texts.covered(row.language, about(incident)),
                kind=COVERED_KIND,
                language=row.language,
            )
    with translation.override(settings.LANGUAGE_CODE):
        note = ngettext(
            "%(count)s responder is going: enough. The others were told they are not needed.",
            "%(count)s responders are going: enough. The others were told they are not needed.",
            going,
        ) % {"count": going}
    note_on_timeline(incident, note, at=at, label=AUTOMATIC_LABEL)
    return True


# --- Widening and updates (the worker's chore) -------------------------------------------------


def run_alerts(now: datetime | None = None) -> int:
    """The worker's chore, every few seconds: widen every alert whose time is up, and tell
    responders who are going about their incident's new step. Returns how many alerts widened.
    Safe in several workers at once (see :func:`widen`)."""
    now = now or timezone.now()
    widened = 0
    waiting = Alert.objects.filter(covered_at__isnull=True, stopped_at__isnull=True).values_list(
        "id", "ring", "ring_started_at", "widen_minutes"
    )
    for alert_id, ring, started, minutes in waiting:
        if (now - started).total_seconds() >= minutes * 60:
            widened += widen(alert_id, ring, now)
    # Incidents closed more than a day ago have nothing left to tell.
    recent = Q(incident__closed_at__isnull=True) | Q(
        incident__closed_at__gte=now - timedelta(days=1)
    )
    changed = (
        Alert.objects.filter(recent)
        .exclude(told_status=F("incident__status"))
        .values_list("id", flat=True)
    )
    for alert_id in changed:
        tell_going(alert_id, now)
    return widened


def widen(alert_id: int, from_ring: int, now: datetime) -> bool:
    """Widen one alert past ``from_ring`` if it is still due: the next ring with anyone to
    alert, up to the alert's frozen ``max_rings``. Re-reads the alert and its incident first: an
    incident decided or closed meanwhile stops the widening (recorded, with the reason).

    The stale-job guard: the move is a conditional UPDATE on the ring this job read. A second
    worker that read the same ring finds it changed, and alerts nobody.
    """
    with transaction.atomic():
        alert = Alert.objects.select_related("incident").filter(id=alert_id).first()
        if alert is None or alert.ring != from_ring or not alert.is_widening:
            return False
        incident = alert.incident
        if incident.closed_at is not None or incident.status not in UNDECIDED:
            _stop(alert, StopReason.DECIDED, now, note=None)
            return False
        if cover_if_enough(alert, now) or now < alert.widens_at:
            return False
        ring, chosen = _nearest(
            incident, alert.cell, alert.language, from_ring + 1, alert.max_rings, now
        )
        if not chosen:
            with translation.override(settings.LANGUAGE_CODE):
                note = _(
                    "Too few responders said YES, and there is no one else to alert within "
                    "%(rings)s rings."
                ) % {"rings": alert.max_rings}
            _stop(alert, StopReason.LAST_RING, now, note=note)
            return False
        moved = Alert.objects.filter(
            id=alert.id, ring=from_ring, covered_at__isnull=True, stopped_at__isnull=True
        ).update(ring=ring, ring_started_at=now)
        if not moved:
            return False
        alert.ring, alert.ring_started_at = ring, now
        count = _alert_ring(alert, incident, chosen, now)
        with translation.override(settings.LANGUAGE_CODE):
            note = ngettext(
                "Fewer than %(enough)s said YES in %(minutes)s minutes: widened to ring %(ring)s, "
                "%(count)s responder alerted.",
                "Fewer than %(enough)s said YES in %(minutes)s minutes: widened to ring %(ring)s, "
                "%(count)s responders alerted.",
                count,
            ) % {
                "enough": alert.enough_yes,
                "minutes": alert.widen_minutes,
                "ring": ring,
                "count": count,
            }
        note_on_timeline(incident, note, at=now, label=AUTOMATIC_LABEL)
        events.publish(events.INCIDENT_CHANGED, incident_id=incident.id)
    return True


def _stop(alert: Alert, reason: str, now: datetime, *, note: str | None) -> None:
    stopped = Alert.objects.filter(
        id=alert.id, covered_at__isnull=True, stopped_at__isnull=True
    ).update(stopped_at=now, stopped_reason=reason)
    if stopped and note:
        note_on_timeline(alert.incident, note, at=now, label=AUTOMATIC_LABEL)
        events.publish(events.INCIDENT_CHANGED, incident_id=alert.incident_id)


def tell_going(alert_id: int, now: datetime | None = None) -> int:
    """Tell the responders going to an incident (they said YES) that it reached a new step:
    confirmed, unfounded, could not verify, over. Once per step: a conditional UPDATE of the
    step they were last told about. Returns how many were told."""
    now = now or timezone.now()
    with transaction.atomic():
        alert = Alert.objects.select_related("incident").filter(id=alert_id).first()
        if alert is None:
            return 0
        incident = alert.incident
        if alert.told_status == incident.status:
            return 0
        if not Alert.objects.filter(id=alert.id, told_status=alert.told_status).update(
            told_status=incident.status
        ):
            return 0
        if incident.status not in TOLD_STEPS:
            return 0
        going = Alerted.objects.filter(alert=alert, yes_at__isnull=False).select_related(
            "responder__person"
        )
        told = 0
        for row in going:
            body = texts.update(row.language, about(incident), incident.status)
            if body is not None:
                text_responder(row.responder.person, body, kind=UPDATE_KIND, language=row.language)
                told += 1
    return told
