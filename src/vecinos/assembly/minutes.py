"""A meeting's minutes, as taken live: who came (a count; names only if the room agreed), who
interpreted, each agenda item with its notes, and the decisions taken. Exported as Markdown or
PDF in a chosen language: the headings and labels are translated, what people wrote stays as
they wrote it, and an item's title is the human translation when there is one.

Decisions come from the decision register through :data:`decision_source` (a seam the tests
replace with invented decisions).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from vecinos.assembly.choices_room import SpeakerStatus
from vecinos.assembly.models_room import Attendee, Interpretation, ItemTranslation, SpeakerEntry
from vecinos.assembly.room import room_settings
from vecinos.core.pdf import render_pdf
from vecinos.organizing.choices import SpokenLanguage

if TYPE_CHECKING:
    from vecinos.assembly.models import Meeting


@dataclass(frozen=True)
class DecisionLine:
    """One decision as the minutes show it, already in the minutes' language."""

    title: str
    outcome: str  # "Adopted", "Blocked: <reason>", the IRV winner…
    method: str = ""
    counts: str = ""  # "12 yes, 3 no, 2 abstentions"
    without_quorum: bool = False
    actions: tuple[str, ...] = ()


DecisionSource = Callable[["Meeting"], list[DecisionLine]]


def _register(meeting: Meeting) -> list[DecisionLine]:
    # Imported here: the adapter imports this module for DecisionLine.
    from vecinos.assembly.minutes_decisions import decision_lines

    return decision_lines(meeting)


# Called inside the minutes' language, so labels it builds are in that language.
decision_source: DecisionSource = _register


@dataclass(frozen=True)
class MinutesItem:
    position: int
    title: str
    presenter: str
    time_box_minutes: int | None
    notes: str
    speakers: int  # how many turns were taken (names are not in the minutes)
    status: str


@dataclass(frozen=True)
class Minutes:
    language: str
    assembly: str
    title: str
    starts_at: datetime
    ends_at: datetime | None
    place: str
    online_link: str
    languages: list[str]
    attendance_count: int | None
    names: list[str] | None  # None: the room did not agree to names
    interpretation: list[tuple[str, str, str]]  # (language label, table, interpreter)
    items: list[MinutesItem]
    decisions: list[DecisionLine]
    status: str
    generated_at: datetime = field(default_factory=timezone.now)


def language_label(code: str) -> str:
    labels = dict(SpokenLanguage.choices)
    return str(labels.get(code, code))


def build_minutes(meeting: Meeting, language: str) -> Minutes:
    """The minutes of ``meeting`` with labels in ``language`` (a code of settings.LANGUAGES)."""
    with translation.override(language):
        items_qs = meeting.agenda_items.select_related("presenter").order_by("position", "id")
        items = list(items_qs)
        translated = {
            t.item_id: t.title
            for t in ItemTranslation.objects.filter(item__in=items, language=language)
        }
        turns: dict[int, int] = {}
        for entry in SpeakerEntry.objects.filter(
            meeting=meeting, status__in=[SpeakerStatus.DONE, SpeakerStatus.SPEAKING]
        ).only("item_id"):
            turns[entry.item_id] = turns.get(entry.item_id, 0) + 1
        settings = room_settings(meeting)
        names = (
            [a.name for a in Attendee.objects.filter(meeting=meeting)]
            if settings.names_in_minutes
            else None
        )
        return Minutes(
            language=language,
            assembly=meeting.assembly.name,
            title=meeting.title,
            starts_at=meeting.starts_at,
            ends_at=meeting.ends_at,
            place=meeting.place,
            online_link=meeting.online_link,
            languages=[language_label(c) for c in meeting.languages],
            attendance_count=meeting.attendance_count,
            names=names,
            interpretation=[
                (language_label(i.language), i.table, i.interpreter_name)
                for i in Interpretation.objects.filter(meeting=meeting)
            ],
            items=[
                MinutesItem(
                    position=index,
                    title=translated.get(item.id, item.title),
                    presenter=item.presenter.full_name if item.presenter else "",
                    time_box_minutes=item.time_box_minutes,
                    notes=item.notes,
                    speakers=turns.get(item.id, 0),
                    status=str(item.get_status_display()),
                )
                for index, item in enumerate(items, start=1)
            ],
            decisions=decision_source(meeting),
            status=str(meeting.get_status_display()),
        )


def _when(minutes: Minutes) -> str:
    start = timezone.localtime(minutes.starts_at)
    text = formats.date_format(start, "DATETIME_FORMAT")
    if minutes.ends_at is not None:
        end = formats.time_format(timezone.localtime(minutes.ends_at), "TIME_FORMAT")
        text = f"{text}\u2013{end}"
    return text


def _attendance(minutes: Minutes) -> str:
    if minutes.attendance_count is None:
        return _("Attendance not recorded.")
    count = minutes.attendance_count
    return ngettext("%(count)s person came.", "%(count)s people came.", count) % {"count": count}


def _item_heading(item: MinutesItem) -> str:
    heading = f"{item.position}. {item.title}"
    details = []
    if item.presenter:
        details.append(_("presented by %(name)s") % {"name": item.presenter})
    if item.time_box_minutes:
        details.append(
            ngettext("%(count)s minute", "%(count)s minutes", item.time_box_minutes)
            % {"count": item.time_box_minutes}
        )
    return f"{heading} ({', '.join(details)})" if details else heading


def _turns(item: MinutesItem) -> str:
    return ngettext("%(count)s turn to speak.", "%(count)s turns to speak.", item.speakers) % {
        "count": item.speakers
    }


def _decision_lines(decision: DecisionLine) -> list[str]:
    """The decision's line, then its details as bullets ("- ", as Markdown and the PDF read)."""
    lines = [f"{decision.title}: {decision.outcome}"]
    if decision.method or decision.counts:
        lines.append("- " + " · ".join(p for p in (decision.method, decision.counts) if p))
    if decision.without_quorum:
        lines.append("- " + _("Taken without quorum."))
    lines.extend("- " + _("Action: %(action)s") % {"action": action} for action in decision.actions)
    return lines


def sections(minutes: Minutes) -> list[tuple[str, list[str]]]:
    """The minutes as (heading, paragraphs), in the minutes' language: what both the Markdown
    and the PDF are made of."""
    with translation.override(minutes.language):
        meeting_lines = [
            _("Assembly: %(name)s") % {"name": minutes.assembly},
            _("When: %(when)s") % {"when": _when(minutes)},
        ]
        if minutes.place:
            meeting_lines.append(_("Place: %(place)s") % {"place": minutes.place})
        if minutes.online_link:
            meeting_lines.append(_("Online: %(link)s") % {"link": minutes.online_link})
        if minutes.languages:
            meeting_lines.append(
                _("Languages of the room: %(languages)s")
                % {"languages": ", ".join(minutes.languages)}
            )
        meeting_lines.append(_("Status: %(status)s") % {"status": minutes.status})
        result: list[tuple[str, list[str]]] = [(_("Meeting"), meeting_lines)]

        attendance = [_attendance(minutes)]
        if minutes.names:
            attendance.append(", ".join(minutes.names))
        result.append((_("Attendance"), attendance))

        if minutes.interpretation:
            result.append(
                (
                    _("Interpretation"),
                    [
                        _("%(language)s at %(table)s: %(name)s")
                        % {
                            "language": language,
                            "table": table or _("the whole room"),
                            "name": name,
                        }
                        for language, table, name in minutes.interpretation
                    ],
                )
            )

        for item in minutes.items:
            paragraphs = [p.strip() for p in item.notes.split("\n\n") if p.strip()]
            body = paragraphs or [_("No notes.")]
            if item.speakers:
                body.append(_turns(item))
            result.append((_item_heading(item), body))

        if not minutes.decisions:
            decisions = [_("No decisions were taken.")]
        else:
            decisions = [line for d in minutes.decisions for line in _decision_lines(d)]
        result.append((_("Decisions"), decisions))
        return result


def document_title(minutes: Minutes) -> str:
    with translation.override(minutes.language):
        return _("Minutes: %(title)s") % {"title": minutes.title}


def _markdown_escape(text: str) -> str:
    # Only a line that would become a heading and break the minutes' outline; notes keep their
    # own lists, line breaks and emphasis.
    if text.startswith("#"):
        return f"\\{text}"
    return text


def to_markdown(minutes: Minutes) -> str:
    lines = [f"# {document_title(minutes)}", ""]
    for heading, paragraphs in sections(minutes):
        lines += [f"## {heading}", ""]
        for paragraph in paragraphs:
            lines += [
                "  \n".join(_markdown_escape(line) for line in paragraph.splitlines()),
                "",
            ]
    with translation.override(minutes.language):
        generated = formats.date_format(timezone.localtime(minutes.generated_at), "DATETIME_FORMAT")
        exported = _("Exported %(when)s") % {"when": generated}
        lines.append(f"_{exported}_")
    return "\n".join(lines) + "\n"


def to_pdf(minutes: Minutes) -> bytes:
    """The minutes as a PDF; Hangul and Latin text share paragraphs (see vecinos.core.pdf)."""
    return render_pdf(
        document_title(minutes),
        sections(minutes),
        footer=minutes.assembly,
        language=minutes.language,
        created_at=minutes.generated_at,
    )


def filename(minutes: Minutes, extension: str) -> str:
    day = timezone.localtime(minutes.starts_at).date().isoformat()
    return f"minutes-{day}-{minutes.language}.{extension}"
