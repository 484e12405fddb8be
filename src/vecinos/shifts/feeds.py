"""Each dispatcher's shifts as an iCalendar feed (RFC 5545), read by calendar apps with a secret
link instead of a login.

A feed names only its owner's shifts: no colleague's name and no phone number, because calendar
apps sync it to other devices and services.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from vecinos.core.models import User
from vecinos.core.permissions import Capability, can
from vecinos.shifts.choices import SwapStatus
from vecinos.shifts.models import FeedToken, Swap
from vecinos.shifts.queries import network_zone, occurrences
from vecinos.shifts.services import feed_token_hashes

PAST = timedelta(days=7)
AHEAD = timedelta(weeks=8)
# secrets.token_urlsafe(32) makes 43 characters of this alphabet; anything else is not a token.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{40,64}")


def feed_owner(token: str, *, now: datetime | None = None) -> User:
    """The dispatcher whose calendar link carries ``token``; notes when it was read.

    Raises:
        Http404: not a token, a revoked one, or its account may no longer see shifts. The same
            answer as for any unknown address, so a guess learns nothing.
    """
    if not TOKEN_PATTERN.fullmatch(token):
        raise Http404
    link = (
        FeedToken.objects.select_related("user")
        .filter(token_hash__in=feed_token_hashes(token))
        .first()
    )
    if link is None or not can(link.user, Capability.VIEW_SHIFTS):
        raise Http404
    FeedToken.objects.filter(id=link.id).update(last_used_at=now or timezone.now())
    return link.user


def feed(user: User, *, now: datetime | None = None) -> bytes:
    """``user``'s shifts from a week ago to eight weeks ahead, swaps applied, as iCalendar text.

    Each occurrence's UID stays the same from one read to the next, so calendar apps update
    events instead of duplicating them; times carry the network's TZID.
    """
    now = timezone.now() if now is None else now
    zone = network_zone()
    start, end = now - PAST, now + AHEAD
    mine = occurrences(start, end, user=user)
    offered = set(
        Swap.objects.filter(
            replaced=user,
            status=SwapStatus.OPEN,
            date__gte=start.astimezone(zone).date() - timedelta(days=1),
        ).values_list("shift_id", "date")
    )
    host = urlsplit(settings.PUBLIC_URL).hostname or "vecinos"
    calendar = Calendar()
    calendar.add("prodid", "-//Vecinos//Dispatch shifts//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    with translation.override(user.preferred_language):
        calendar.add(
            "x-wr-calname",
            _("%(network)s: my dispatch shifts") % {"network": settings.VECINOS_NETWORK_NAME},
        )
        calendar.add("x-wr-timezone", str(zone))
        for found in mine:
            event = Event()
            event.add("uid", f"shift-{found.shift.id}-{found.date:%Y%m%d}-{user.id}@{host}")
            event.add("dtstamp", now)
            event.add("dtstart", found.start.astimezone(zone))
            event.add("dtend", found.end.astimezone(zone))
            if found.shift.name:
                summary = _("Dispatch shift: %(name)s") % {"name": found.shift.name}
            else:
                summary = _("Dispatch shift")
            event.add("summary", summary)
            notes = []
            if user.id in found.covering:
                notes.append(_("You cover this shift for a colleague."))
            if (found.shift.id, found.date) in offered:
                notes.append(
                    _("You offered this shift for a swap; it is yours until someone takes it.")
                )
            if notes:
                event.add("description", " ".join(notes))
            event.add("transp", "OPAQUE")
            calendar.add_component(event)
    calendar.add_missing_timezones(
        first_date=(start - timedelta(days=366)).date(),
        last_date=(end + timedelta(days=366)).date(),
    )
    return bytes(calendar.to_ical())
