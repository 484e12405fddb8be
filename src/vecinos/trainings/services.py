"""Trainings' workflows: scheduling a session, signing in (a text with the session's code, or
the trainer's mark), vouching, and keeping each responder's standing (responders.Responder's
``trained_until``, ``vouches`` and ``eligible``) in step with certificates and vouches.

The rule itself is responders.models.qualifies; this module only recounts its two facts. A
recount locks the responder's row first, so two vouches given at once are both counted.
"""

from __future__ import annotations

import logging
import re
import secrets
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import formats, timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vecinos.core import audit
from vecinos.core.choices import Role
from vecinos.core.models import User
from vecinos.core.permissions import Capability, can, check
from vecinos.messaging import inbound as inbox
from vecinos.messaging import services as messaging
from vecinos.messaging.choices import Channel, Priority
from vecinos.messaging.models import InboundMessage
from vecinos.organizing.models import Person
from vecinos.responders.models import Responder, is_eligible, qualifies
from vecinos.trainings.choices import SignInMethod, TrainingKind
from vecinos.trainings.models import Certificate, TrainingSession, Vouch

logger = logging.getLogger(__name__)

SIGN_IN_HANDLER = "trainings.sign_in"
SIGN_IN_KIND = "trainings.sign_in"
# Codes are two letters and four digits ("KR4821"): easy to read off a board and to type, never
# a keyword (STOP, HELP…) nor a responder's answer. No I, O, 0 or 1: they are misread.
CODE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_DIGITS = "23456789"
CODE_SHAPE = re.compile(r"^[A-Z]{2}[0-9]{4}$")
# "KR 4821", "kr-4821": what people type when copying a code.
CODE_IN_TEXT = re.compile(r"^\s*([A-Za-z]{2})[\s-]?([0-9]{4})\b(.*)$", re.DOTALL)
# Who may vouch without being a responder themselves (see may_vouch).
TRUSTED_ROLES = (Role.COORDINATOR, Role.ORGANIZER)


class TrainingError(Exception):
    """A change that cannot be made as asked. ``str()`` is a sentence for people, translated
    into the language active when it is shown."""

    message: Promise

    def __str__(self) -> str:
        return str(self.message)


class BadTimesError(TrainingError):
    message = gettext_lazy("A training has to end after it starts.")


class NotTrustedError(TrainingError):
    message = gettext_lazy(
        "Only coordinators, organizers and responders who are eligible for dispatch themselves "
        "may vouch for a responder."
    )


class SelfVouchError(TrainingError):
    message = gettext_lazy("Nobody can vouch for themselves.")


class AlreadyVouchedError(TrainingError):
    message = gettext_lazy("You already vouch for this responder.")


class NotAResponderError(TrainingError):
    message = gettext_lazy("Only responders are vouched for: this person is not a responder (yet).")


class NoSuchVouchError(TrainingError):
    message = gettext_lazy("This vouch was already withdrawn, or it is not yours to withdraw.")


# --- Sessions ----------------------------------------------------------------------------------


def new_code() -> str:
    return "".join(secrets.choice(CODE_LETTERS) for _ in range(2)) + "".join(
        secrets.choice(CODE_DIGITS) for _ in range(4)
    )


def do_schedule_session(
    user: User,
    *,
    kind: str,
    place: str,
    starts_at: datetime,
    ends_at: datetime,
    title: str = "",
) -> TrainingSession:
    """Schedule a training with a fresh sign-in code; the one who schedules it is its trainer.

    Raises:
        PermissionDenied: the user may not run trainings.
        BadTimesError: it would end before it starts.
    """
    check(user, Capability.RUN_TRAININGS)
    if ends_at <= starts_at:
        raise BadTimesError
    for _attempt in range(10):
        try:
            with transaction.atomic():
                session = TrainingSession.objects.create(
                    kind=kind,
                    title=title.strip(),
                    place=place.strip(),
                    starts_at=starts_at,
                    ends_at=ends_at,
                    code=new_code(),
                    trainer=user,
                    created_by=user,
                )
                audit.record(user, audit.TRAINING_SCHEDULED, session, kind=kind)
                return session
        except IntegrityError:  # the code was taken: draw another
            continue
    raise RuntimeError("no free sign-in code after 10 draws")


def expiry_for(session: TrainingSession) -> datetime:
    """A certificate counts from the session's start for its kind's validity."""
    return session.starts_at + TrainingKind.validity(session.kind)


def _issue(
    session: TrainingSession,
    person: Person,
    *,
    method: str,
    recorded_by: User | None = None,
    message: InboundMessage | None = None,
    at: datetime | None = None,
) -> tuple[Certificate, bool]:
    """The certificate for ``person`` at ``session`` (made once); recounts their standing.
    Call inside a transaction."""
    _lock_responder(person.id)
    certificate, created = Certificate.objects.get_or_create(
        session=session,
        person=person,
        defaults={
            "kind": session.kind,
            "method": method,
            "recorded_by": recorded_by,
            "inbound": message,
            "issued_at": at or timezone.now(),
            "expires_at": expiry_for(session),
        },
    )
    if created and session.kind == TrainingKind.FIRST_RESPONDER:
        refresh_responder(person.id)
    return certificate, created


def do_mark_attended(
    user: User, session: TrainingSession, person: Person, *, at: datetime | None = None
) -> tuple[Certificate, bool]:
    """The trainer marks ``person`` present (any time: a sign-in sheet typed in afterwards).
    Returns the certificate and whether it is new.

    Raises:
        PermissionDenied: the user may not run trainings.
    """
    check(user, Capability.RUN_TRAININGS)
    with transaction.atomic():
        certificate, created = _issue(
            session, person, method=SignInMethod.TRAINER, recorded_by=user, at=at
        )
        if created:
            audit.record(user, audit.TRAINING_ATTENDED, session, person_id=person.id)
    return certificate, created


# --- Signing in by text ------------------------------------------------------------------------


def read_code(body: str) -> str | None:
    """The sign-in code a text starts with ("KR4821", "kr 4821", "KR-4821 María"), upper-cased,
    or None when it does not start with something shaped like one."""
    match = CODE_IN_TEXT.match(body or "")
    if match is None:
        return None
    code = (match.group(1) + match.group(2)).upper()
    return code if CODE_SHAPE.match(code) else None


def take_sign_in(message: InboundMessage) -> bool:
    """The messaging handler for sign-in codes. Takes any text that starts like a code, and
    always answers it: signed in, already signed in, a code nobody knows, or a session whose
    sign-in is not open now. Declines everything else.

    Idempotent: a re-run after a crash finds its certificate and sends nothing again.
    """
    code = read_code(message.body)
    if code is None:
        return False
    if Certificate.objects.filter(inbound=message).exists():
        return True
    inbox.take_reply(message, {code.lower(): code, f"{code[:2]} {code[2:]}".lower(): code})
    person = message.person
    language = _language(person)
    at = message.received_at
    session = TrainingSession.objects.filter(code=code).first()
    with translation.override(language):
        name = settings.VECINOS_NETWORK_NAME
        if session is None:
            text = _(
                "%(name)s: we don't know the training code %(code)s. Check the code on the "
                "board, or ask the trainer to mark you present."
            ) % {"name": name, "code": code}
        elif at < session.sign_in_opens_at:
            text = _(
                "%(name)s: sign-in for %(training)s opens at %(opens)s. Text %(code)s again then."
            ) % {
                "name": name,
                "training": _training_name(session),
                "opens": _when(session.sign_in_opens_at),
                "code": code,
            }
        elif at > session.sign_in_closes_at:
            text = _(
                "%(name)s: sign-in for %(training)s closed at %(closes)s. Ask the trainer to "
                "mark you present."
            ) % {
                "name": name,
                "training": _training_name(session),
                "closes": _when(session.sign_in_closes_at),
            }
        else:
            if person is None:
                person = Person.objects.create(
                    # Translators: the name given to someone new who signed in by text; the
                    # trainer can correct it.
                    full_name=_("Signed in by text, …%(last_digits)s")
                    % {"last_digits": message.sender[-4:]},
                    phone=message.sender,
                    preferred_language=language,
                )
                message.person = person
                message.save(update_fields=["person"])
            certificate, created = _issue(
                session, person, method=SignInMethod.TEXT, message=message, at=at
            )
            if created:
                text = _(
                    "%(name)s: you are signed in to %(training)s. Your certificate is valid "
                    "until %(until)s. Thank you for coming!"
                ) % {
                    "name": name,
                    "training": _training_name(session),
                    "until": formats.date_format(
                        timezone.localtime(certificate.expires_at), "SHORT_DATE_FORMAT"
                    ),
                }
            else:
                text = _("%(name)s: you were already signed in to %(training)s.") % {
                    "name": name,
                    "training": _training_name(session),
                }
        _reply(message, language, text)
    return True


def _reply(message: InboundMessage, language: str, text: str) -> None:
    """Answer on the channel the text came by (queued even to an opted-out number: the outbox
    records it as skipped)."""
    messaging.queue_message(
        channel=Channel.SIGNAL if message.gateway == "signal" else Channel.SMS,
        address=message.sender,
        body=text,
        kind=SIGN_IN_KIND,
        person=message.person,
        language=language,
        priority=Priority.REPLY,
    )


def _language(person: Person | None) -> str:
    known = {code for code, _name in settings.LANGUAGES}
    if person is not None and person.preferred_language in known:
        return person.preferred_language
    return settings.LANGUAGE_CODE


def _training_name(session: TrainingSession) -> str:
    kind = str(TrainingKind(session.kind).label)
    return f"{kind} ({session.title})" if session.title else kind


def _when(at: datetime) -> str:
    return formats.date_format(timezone.localtime(at), "SHORT_DATETIME_FORMAT")


# --- Vouching ----------------------------------------------------------------------------------


def person_of(user: User) -> Person | None:
    """The person behind an account, if any."""
    return Person.objects.filter(account=user).select_related("responder").first()


def may_vouch(user: User, at: datetime | None = None) -> bool:
    """Whether ``user`` is a trusted member: an active coordinator or organizer (they answer
    for the network's trust and are known to it), or a responder who is eligible for dispatch
    themselves (trust passes on from those already trusted). Dispatchers as such may not:
    they would otherwise see who waits to become a responder."""
    if not user.is_active:
        return False
    if user.is_superuser or user.has_role(*TRUSTED_ROLES):
        return True
    person = person_of(user)
    responder = getattr(person, "responder", None) if person is not None else None
    return responder is not None and is_eligible(responder, at)


def do_vouch(user: User, person: Person, *, at: datetime | None = None) -> Vouch:
    """``user`` vouches for the responder ``person``; their standing is recounted.

    Raises:
        PermissionDenied: the user may not vouch at all (no capability).
        NotTrustedError: the user is not a trusted member (see may_vouch).
        SelfVouchError: it is their own profile.
        NotAResponderError: ``person`` is not a responder.
        AlreadyVouchedError: the user's vouch for them stands already.
    """
    check(user, Capability.VOUCH_FOR_RESPONDERS)
    at = at or timezone.now()
    own = person_of(user)
    if own is not None and own.id == person.id:
        raise SelfVouchError
    if not may_vouch(user, at):
        raise NotTrustedError
    with transaction.atomic():
        responder = _lock_responder(person.id)
        if responder is None:
            raise NotAResponderError
        if Vouch.objects.filter(person=person, voucher=user, withdrawn_at__isnull=True).exists():
            raise AlreadyVouchedError
        try:
            with transaction.atomic():
                vouch = Vouch.objects.create(person=person, voucher=user, voucher_person=own, at=at)
        except IntegrityError as exc:  # the same vouch given twice at once
            raise AlreadyVouchedError from exc
        refresh_responder(person.id, at)
        audit.record(user, audit.VOUCH_GIVEN, responder)
    return vouch


def do_vouch_by_phone(user: User, phone: str, *, at: datetime | None = None) -> Vouch:
    """Vouch for the responder with this phone number: how a responder vouches for someone
    they know, without seeing any list of people.

    Raises:
        InvalidPhoneNumberError: not a phone number.
        NotAResponderError: no responder has this number.
        and whatever do_vouch raises.
    """
    from vecinos.core.phones import normalize_phone

    check(user, Capability.VOUCH_FOR_RESPONDERS)
    person = inbox.person_for(normalize_phone(phone))
    if person is None or not Responder.objects.filter(person=person).exists():
        raise NotAResponderError
    return do_vouch(user, person, at=at)


def do_withdraw_vouch(user: User, vouch_id: int, *, at: datetime | None = None) -> Vouch:
    """Withdraw a standing vouch: one's own, or any as a coordinator. A conditional UPDATE: of
    two withdrawals at once, one withdraws and the other is told it was already withdrawn.

    Raises:
        PermissionDenied: the user may not vouch or manage responders.
        NoSuchVouchError: no such standing vouch that this user may withdraw.
    """
    if not can(user, Capability.MANAGE_RESPONDERS):
        check(user, Capability.VOUCH_FOR_RESPONDERS)
    at = at or timezone.now()
    found = Vouch.objects.filter(id=vouch_id, withdrawn_at__isnull=True)
    if not can(user, Capability.MANAGE_RESPONDERS):
        found = found.filter(voucher=user)
    vouch = found.first()
    if vouch is None:
        raise NoSuchVouchError
    with transaction.atomic():
        responder = _lock_responder(vouch.person_id)
        if not found.update(withdrawn_at=at, withdrawn_by=user):
            raise NoSuchVouchError
        refresh_responder(vouch.person_id, at)
        if responder is not None:
            audit.record(user, audit.VOUCH_WITHDRAWN, responder, vouch_id=vouch.id)
    vouch.refresh_from_db()
    return vouch


# --- Standing ----------------------------------------------------------------------------------


def _lock_responder(person_id: int) -> Responder | None:
    """Lock ``person_id``'s responder row (if they are one) for a recount."""
    return Responder.objects.select_for_update().filter(person_id=person_id).first()


def refresh_responder(person_id: int, at: datetime | None = None) -> None:
    """Recount a person's responder standing from their certificates and standing vouches, and
    the ``eligible`` flag from the rule (responders.models.qualifies). Nothing if they are not a
    responder. Call inside the transaction that changed a certificate or a vouch, after locking
    the responder's row."""
    at = at or timezone.now()
    trained_until = Certificate.objects.filter(
        person_id=person_id, kind=TrainingKind.FIRST_RESPONDER
    ).aggregate(latest=Max("expires_at"))["latest"]
    vouches = Vouch.objects.filter(person_id=person_id, withdrawn_at__isnull=True).count()
    Responder.objects.filter(person_id=person_id).update(
        trained_until=trained_until,
        vouches=vouches,
        eligible=qualifies(trained_until, vouches, at),
        updated_at=at,
    )


def run_expiries(at: datetime | None = None) -> int:
    """The periodic chore: responders whose training expired lose the flag (and a changed
    VECINOS_VOUCHES_REQUIRED takes effect). Returns how many changed."""
    changed = Responder.objects.refresh_eligibility(at)
    if changed:
        logger.info("eligibility recomputed for %s responders", changed)
    return changed
