"""What the assembly sends people: invitations, reminders and time polls, each in the person's
language and by their preferred channel, always through the messaging outbox.

A person who asked for e-mail gets e-mail (with a subject); Signal stays Signal; a phone call
preference gets a text (a meeting's details are not read out by a robot); with no address for
their channel, the other one is used; with none at all, nothing is sent and the notice records it.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from vecinos.assembly.models import Meeting, TimePoll
from vecinos.messaging import services as messaging
from vecinos.messaging.choices import Channel, Priority
from vecinos.messaging.models import OutboundMessage
from vecinos.organizing.models import Person

logger = logging.getLogger(__name__)

INVITATION_KIND = "assembly.invitation"
REMINDER_KIND = "assembly.reminder"
POLL_KIND = "assembly.time_poll"
POLL_REPLY_KIND = "assembly.time_poll_reply"


def language_of(person: Person) -> str:
    known = {code for code, _name in settings.LANGUAGES}
    return person.preferred_language if person.preferred_language in known else "en"


def route(person: Person) -> tuple[str, str] | None:
    """(channel, address) to reach ``person``, or None when there is no way."""
    if person.preferred_channel == Channel.EMAIL and person.email:
        return Channel.EMAIL, person.email
    if person.phone:
        channel = Channel.SIGNAL if person.preferred_channel == Channel.SIGNAL else Channel.SMS
        return channel, person.phone
    if person.email:
        return Channel.EMAIL, person.email
    return None


def when(at: datetime) -> str:
    """A time as people read it in the active language, in the network's time zone: the weekday
    and the short date and time ("martes 24/11/2026 19:00")."""
    local = timezone.localtime(at)
    return (
        f"{formats.date_format(local, 'l')} {formats.date_format(local, 'SHORT_DATETIME_FORMAT')}"
    )


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _where(meeting: Meeting) -> str:
    parts = [_short(meeting.place, 80)] if meeting.place else []
    if meeting.online_link:
        parts.append(meeting.online_link)
    return " / ".join(parts)


# Letters outside GSM-7 that would turn a whole Spanish or English text into UCS-2 (70 characters a
# segment instead of 160; see docs/decisions.md, "Spanish alerts by SMS"). Texts to many members
# drop the accents of á, í, ó, ú (é, ñ, ¿ and ¡ are GSM-7) and use plain quotes; Korean is UCS-2
# anyway and is left alone.
SMS_PLAIN = str.maketrans(
    {
        "á": "a",
        "í": "i",
        "ó": "o",
        "ú": "u",
        "Á": "A",
        "Í": "I",
        "Ó": "O",
        "Ú": "U",
        "“": '"',
        "”": '"',
        "\u2018": "'",
        "\u2019": "'",
        "…": "...",
    }
)


def sms_plain(text: str, language: str) -> str:
    return text if language == "ko" else text.translate(SMS_PLAIN)


def _queue(
    person: Person, *, kind: str, body: str, subject: str, email_body: str = ""
) -> tuple[str, OutboundMessage | None]:
    """Queue one message to ``person`` (call inside the event's transaction). Returns the channel
    and the message, or ("", None) when the person cannot be reached."""
    found = route(person)
    if found is None:
        logger.info("person %s has no phone or e-mail; %s not queued", person.id, kind)
        return "", None
    channel, address = found
    if messaging.consent_refused(person, channel):
        return channel, None
    language = language_of(person)
    if channel != Channel.EMAIL:
        body = sms_plain(body, language)
    message = messaging.queue_message(
        channel=channel,
        address=address,
        body=(email_body or body) if channel == Channel.EMAIL else body,
        kind=kind,
        person=person,
        language=language,
        priority=Priority.NORMAL,
        subject=subject if channel == Channel.EMAIL else "",
    )
    return channel, message


def send_invitation(
    person: Person, meeting: Meeting, *, reminder: bool = False
) -> tuple[str, OutboundMessage | None]:
    network = settings.VECINOS_NETWORK_NAME
    with translation.override(language_of(person)):
        details = {
            "network": network,
            "body": _short(meeting.assembly.name, 60),
            "title": _short(meeting.title, 80),
            "when": when(meeting.starts_at),
            "where": _where(meeting) or _("place to be announced"),
        }
        if reminder:
            body = (
                _("%(network)s reminder: %(body)s meets %(when)s, %(where)s. %(title)s") % details
            )
            subject = _("Reminder: %(title)s, %(when)s") % details
        else:
            body = (
                _("%(network)s: you are invited. %(body)s meets %(when)s, %(where)s. %(title)s")
                % details
            )
            subject = _("Invitation: %(title)s, %(when)s") % details
        email_body = body
        items = list(meeting.agenda_items.all())
        if items:
            lines = [body, "", _("Agenda:")]
            lines += [
                _("%(position)s. %(title)s (%(minutes)s min)")
                % {"position": number, "title": item.title, "minutes": item.time_box_minutes}
                for number, item in enumerate(items, start=1)
            ]
            email_body = "\n".join(lines)
        return _queue(
            person,
            kind=REMINDER_KIND if reminder else INVITATION_KIND,
            body=body,
            subject=subject,
            email_body=email_body,
        )


def poll_text(poll: TimePoll) -> str:
    """The question of a time poll in the active language, with how to answer by text."""
    slots = list(poll.slots.all())
    numbered = " ".join(
        f"{number}) {when(slot.starts_at)}" for number, slot in enumerate(slots, start=1)
    )
    example = "1" * len(slots)
    return _(
        "%(network)s: when can you come to “%(title)s”? %(slots)s. Reply %(code)s and one digit "
        "per time, in order: 1 yes, 2 if need be, 0 no. For example: %(code)s %(example)s"
    ) % {
        "network": settings.VECINOS_NETWORK_NAME,
        "title": _short(poll.title, 60),
        "slots": numbered,
        "code": poll.code,
        "example": example,
    }


def send_poll(person: Person, poll: TimePoll) -> tuple[str, OutboundMessage | None]:
    with translation.override(language_of(person)):
        body = poll_text(poll)
        subject = _("When can you come? %(title)s") % {"title": _short(poll.title, 80)}
        return _queue(person, kind=POLL_KIND, body=body, subject=subject)
