"""Texts people send: stored first, then read as a keyword or handed to the app expecting them.

Every gateway's webhook calls :func:`receive`; the simulator does too, so the demo runs the same
path as production.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from vecinos.core.crypto import keyed_hashes
from vecinos.core.fields import hash_input
from vecinos.core.phones import InvalidPhoneNumberError, normalize_phone
from vecinos.messaging import services
from vecinos.messaging.choices import Channel, Priority
from vecinos.messaging.keywords import Keyword, Reply, parse_keyword, read_reply
from vecinos.messaging.models import InboundMessage, OutboundMessage
from vecinos.organizing.models import Person

logger = logging.getLogger(__name__)

# Longer bodies are cut: ten SMS segments of UCS-2 is 670 characters; nothing needs more.
MAX_BODY = 2000
AUTO_REPLY = "messaging.auto_reply"
OPT_OUT_CONFIRMATION = "messaging.opt_out_confirmation"

Handler = Callable[[InboundMessage], bool]
# Other apps' readers of replies, in registration order. Each returns True when the text was theirs.
HANDLERS: list[tuple[str, Handler]] = []


def register_handler(name: str, handler: Handler, *, before: str | None = None) -> None:
    """Let an app read texts that are not keywords (the hotline's reports, the assembly's votes).

    ``handler(inbound)`` runs inside the processing transaction and returns True when it took the
    text; it must be idempotent, because a crash before commit runs it again. ``name`` is recorded
    as ``handled_as``. A handler expecting a coded answer reads it with :func:`take_reply`.
    ``before`` names a handler this one must run ahead of (the hotline's, which takes any text as
    a report); otherwise handlers run in registration order.
    """
    if any(existing == name for existing, _handler in HANDLERS):
        return
    names = [existing for existing, _handler in HANDLERS]
    if before is not None and before in names:
        HANDLERS.insert(names.index(before), (name, handler))
    else:
        HANDLERS.append((name, handler))


def take_reply(inbound: InboundMessage, codes: Mapping[str, str]) -> Reply | None:
    """Read ``inbound``'s text as one of ``codes`` (see :func:`keywords.read_reply`) and keep the
    code and the note on it; :func:`process` saves them with the outcome. Returns the reply, or
    None (and keeps nothing) when the text is not one of them."""
    reply = read_reply(inbound.body, codes)
    if reply is not None:
        inbound.reply_code = reply.code[:32]
        inbound.reply_note = reply.note
    return reply


def receive(
    *,
    gateway: str,
    provider_message_id: str,
    sender: str,
    body: str,
    recipient: str = "",
    deferred: bool = False,
) -> InboundMessage | None:
    """Store a text, once per provider message id, and process it after commit; or, when
    ``deferred``, only store it: the caller reads it after answering its provider, or leaves it
    to the worker (:func:`read_by_worker`, :func:`process_pending`), so that a webhook answers as
    soon as the text is safe in the database, however many arrive at once.

    Returns None for a duplicate delivery (already stored, processed once) and raises
    InvalidPhoneNumberError for a sender that is not a phone number.
    """
    e164 = normalize_phone(sender)
    # PostgreSQL refuses NUL in text; providers' ids and bodies are kept otherwise as sent.
    text = body.replace("\x00", "")[:MAX_BODY]
    provider_message_id = provider_message_id.replace("\x00", "")
    try:
        with transaction.atomic():
            inbound = InboundMessage.objects.create(
                gateway=gateway,
                provider_message_id=provider_message_id[:128],
                sender=e164,
                recipient=recipient[:64],
                body=text,
            )
            if not deferred:
                transaction.on_commit(lambda: process(inbound.id))
    except IntegrityError:
        return None
    return inbound


def process(inbound_id: int) -> str:
    """Read one stored text once: a keyword, an app's handler, or an answer that says how to get
    help. Safe to call again: a processed text is left alone."""
    with transaction.atomic():
        inbound = InboundMessage.objects.select_for_update().get(id=inbound_id)
        if inbound.processed_at is not None:
            return inbound.handled_as
        # Who sent it is looked up when it is read, not when it is stored: the webhook answers
        # sooner, and someone added to the network meanwhile is known.
        inbound.person = person_for(inbound.sender)
        keyword = parse_keyword(inbound.body)
        if keyword is not None:
            handled_as = f"keyword.{keyword.kind}"
            _answer_keyword(inbound, keyword)
        else:
            handled_as = _hand_over(inbound)
            if handled_as == "unmatched":
                language = _reply_language(inbound, None)
                with translation.override(language):
                    _auto_reply(inbound, language, _unmatched_text())
        inbound.processed_at = timezone.now()
        inbound.handled_as = handled_as
        inbound.save(
            update_fields=["person", "processed_at", "handled_as", "reply_code", "reply_note"]
        )
    return handled_as


def _hand_over(inbound: InboundMessage) -> str:
    """The name of the first handler that takes the text, or "unmatched". A reply read by a
    handler that then declined the text is not kept."""
    for name, handler in HANDLERS:
        inbound.reply_code, inbound.reply_note = "", ""
        if handler(inbound):
            return name
    inbound.reply_code, inbound.reply_note = "", ""
    return "unmatched"


def read_by_worker() -> bool:
    """Whether the worker reads the texts a provider's webhook stores (else the web process that
    stored them does, right after answering). Only with Redis: the hotline's consoles hear of a
    report the worker opened through Redis; without it, only events of their own web process
    reach them at once."""
    return bool(settings.VECINOS_REDIS_URL)


def process_pending(limit: int | None = None) -> int:
    """Process texts stored but not yet processed, oldest first: those a webhook left to the
    worker, and any a crash left between commit and processing. Returns how many."""
    pending = (
        InboundMessage.objects.filter(processed_at__isnull=True)
        .order_by("id")
        .values_list("id", flat=True)
    )
    done = 0
    for inbound_id in pending[:limit] if limit is not None else pending:
        process(inbound_id)
        done += 1
    return done


def person_for(e164: str) -> Person | None:
    """The person whose phone this is (the oldest, should two share it), or None."""
    hashes = keyed_hashes(hash_input(e164, "phone"), "phone")
    return Person.objects.filter(phone_hash__in=hashes).order_by("id").first()


def _reply_language(inbound: InboundMessage, keyword: Keyword | None) -> str:
    if keyword is not None and keyword.kind == "language":
        return keyword.argument
    if inbound.person is not None:
        return inbound.person.preferred_language
    if keyword is not None:
        return keyword.language
    return settings.LANGUAGE_CODE


def _answer_keyword(inbound: InboundMessage, keyword: Keyword) -> None:
    language = _reply_language(inbound, keyword)
    name = settings.VECINOS_NETWORK_NAME
    with translation.override(language):
        if keyword.kind == "stop":
            services.do_opt_out(inbound.sender, keyword.word)
            text = _(
                "%(name)s: you will get no more messages from us. Text START to get them again."
            ) % {"name": name}
            _reply(inbound, language, text, kind=OPT_OUT_CONFIRMATION)
        elif keyword.kind == "start":
            services.do_opt_in(inbound.sender)
            text = _("%(name)s: you will get our messages again. Text STOP to stop them.") % {
                "name": name
            }
            _reply(inbound, language, text)
        elif keyword.kind == "help":
            text = _(
                "%(name)s is your neighborhood's rapid response network. Text STOP to stop all "
                "messages, START to get them again."
            ) % {"name": name}
            _auto_reply(inbound, language, text)
        elif keyword.kind == "language":
            if inbound.person is not None:
                inbound.person.preferred_language = language
                inbound.person.save(update_fields=["preferred_language", "updated_at"])
            # Translators: name the language of this translation ("in Spanish", "in Korean").
            text = _("%(name)s: we will write to you in English.") % {"name": name}
            _reply(inbound, language, text)
        elif keyword.kind == "join":
            services.do_subscribe(inbound.sender, keyword.argument, language)
            services.do_opt_in(inbound.sender)  # joining again undoes an earlier STOP
            text = _(
                "%(name)s: you are signed up for alerts for %(area)s. Text STOP to stop them."
            ) % {"name": name, "area": keyword.argument.upper()}
            _reply(inbound, language, text)


def _unmatched_text() -> str:
    return _(
        "%(name)s received your message. If you are reporting immigration agents, say where. "
        "Text HELP for help, STOP to stop messages."
    ) % {"name": settings.VECINOS_NETWORK_NAME}


def _auto_reply(inbound: InboundMessage, language: str, text_for_language: str) -> None:
    """An answer nobody asked for by name: limited per number and day, so that two automatic
    responders can never text each other forever."""
    since = timezone.now() - timedelta(days=1)
    sent_today = OutboundMessage.objects.filter(
        address_hash=services.address_hash(Channel.SMS, inbound.sender),
        kind=AUTO_REPLY,
        created_at__gte=since,
    ).count()
    if sent_today >= settings.VECINOS_AUTO_REPLIES_PER_DAY:
        logger.info("auto-reply limit reached for inbound %s", inbound.id)
        return
    _reply(inbound, language, text_for_language, kind=AUTO_REPLY)


def _reply(
    inbound: InboundMessage, language: str, text: str, kind: str = "messaging.reply"
) -> None:
    # Queued even to an opted-out number: the outbox records it as skipped, so every reply that
    # was not sent has a row saying why.
    services.queue_message(
        channel=Channel.SIGNAL if inbound.gateway == "signal" else Channel.SMS,
        address=inbound.sender,
        body=text,
        kind=kind,
        person=inbound.person,
        language=language,
        priority=Priority.REPLY,
    )


def poll_signal() -> int:
    """Fetch texts waiting at signal-cli and receive each; returns how many were new. Does nothing
    unless the Signal gateway is configured."""
    from vecinos.messaging.gateways import config
    from vecinos.messaging.gateways.base import TransientError
    from vecinos.messaging.gateways.signal.gateway import SignalGateway

    signal = config.load().get("signal")
    if signal is None or not signal.option("number"):
        return 0
    try:
        texts = SignalGateway(signal).receive()
    except TransientError as exc:
        logger.warning("Signal receive failed: %s", exc)
        return 0
    new = 0
    for text in texts:
        try:
            stored = receive(
                gateway="signal",
                provider_message_id=text.provider_message_id,
                sender=text.sender,
                body=text.body,
            )
        except InvalidPhoneNumberError:
            logger.warning("Signal text from a sender that is not a phone number was dropped")
            continue
        new += stored is not None
    return new
