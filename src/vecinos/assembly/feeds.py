"""An account's meetings as an iCalendar feed (RFC 5545), read by calendar apps with a secret
link instead of a login: the meetings of the bodies its person belongs to, with place, online
link, languages and agenda. No member's name is in it (calendar apps sync it elsewhere)."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from vecinos.assembly.choices import MeetingStatus
from vecinos.assembly.queries import feed_meetings
from vecinos.core.models import User
from vecinos.organizing.choices import SpokenLanguage

# A meeting with no end time shows as two hours long.
DEFAULT_LENGTH = timedelta(hours=2)


def feed(user: User, *, now: datetime | None = None) -> bytes:
    now = timezone.now() if now is None else now
    zone = timezone.get_default_timezone()
    host = urlsplit(settings.PUBLIC_URL).hostname or "vecinos"
    labels = dict(SpokenLanguage.choices)
    calendar = Calendar()
    calendar.add("prodid", "-//Vecinos//Assembly meetings//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    meetings = feed_meetings(user, now=now)
    with translation.override(user.preferred_language):
        calendar.add(
            "x-wr-calname",
            _("%(network)s: my assembly meetings") % {"network": settings.VECINOS_NETWORK_NAME},
        )
        calendar.add("x-wr-timezone", str(zone))
        for meeting in meetings:
            event = Event()
            event.add("uid", f"meeting-{meeting.id}@{host}")
            event.add("dtstamp", now)
            event.add("dtstart", meeting.starts_at.astimezone(zone))
            ends = meeting.ends_at or meeting.starts_at + DEFAULT_LENGTH
            event.add("dtend", ends.astimezone(zone))
            event.add("summary", f"{meeting.assembly.name}: {meeting.title}")
            if meeting.place:
                event.add("location", meeting.place)
            if meeting.online_link:
                event.add("url", meeting.online_link)
            lines = []
            if meeting.languages:
                lines.append(
                    _("Languages: %(languages)s")
                    % {"languages": ", ".join(str(labels.get(c, c)) for c in meeting.languages)}
                )
            if meeting.online_link:
                lines.append(_("Online: %(link)s") % {"link": meeting.online_link})
            items = list(meeting.agenda_items.all())
            if items:
                lines.append(_("Agenda:"))
                lines += [
                    f"{number}. {item.title} ({item.time_box_minutes} min)"
                    for number, item in enumerate(items, start=1)
                ]
            path = reverse("assembly:meeting_detail", kwargs={"meeting_id": meeting.id})
            lines.append(f"{settings.PUBLIC_URL}{path}")
            event.add("description", "\n".join(lines))
            event.add("status", "CONFIRMED")
            if meeting.status == MeetingStatus.CLOSED:
                event.add("transp", "TRANSPARENT")
            calendar.add_component(event)
    if meetings:
        calendar.add_missing_timezones(
            first_date=(meetings[0].starts_at - timedelta(days=366)).date(),
            last_date=(meetings[-1].starts_at + timedelta(days=366)).date(),
        )
    return bytes(calendar.to_ical())
