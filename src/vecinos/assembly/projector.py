"""What the projector shows: the current agenda item (or a proposal put up by the proposals'
pages), in each language of the room side by side, with who speaks now and next.

Only human translations are shown; a language without one is shown as missing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import translation

from vecinos.assembly.choices import ItemStatus
from vecinos.assembly.choices_room import SpeakerStatus
from vecinos.assembly.minutes import language_label
from vecinos.assembly.models_room import ItemTranslation, SpeakerEntry
from vecinos.assembly.room import queue_of

if TYPE_CHECKING:
    from vecinos.assembly.models import AgendaItem, Meeting

# How many of those waiting the projector names after the current speaker.
NEXT_SHOWN = 3


@dataclass(frozen=True)
class ProjectedProposal:
    """A proposal on the projector: its title and text per language code (missing: absent)."""

    title: dict[str, str]
    text: dict[str, str] = field(default_factory=dict)


ProposalSource = Callable[["Meeting"], "ProjectedProposal | None"]


def _being_voted(meeting: Meeting) -> ProjectedProposal | None:
    # Imported here: the proposals' side imports this module for ProjectedProposal.
    from vecinos.assembly.projector_proposals import proposal_being_voted

    return proposal_being_voted(meeting)


# The proposal shown now, or None for the current agenda item (a seam the tests replace).
proposal_source: ProposalSource = _being_voted


@dataclass(frozen=True)
class Column:
    """One language of the room on the projector."""

    code: str
    name: str
    # The interface language its labels are shown in (the column's own when the interface has
    # it, else the default one).
    label_language: str
    title: str | None  # None: no translation into this language
    proposal_title: str | None
    proposal_text: str | None


@dataclass(frozen=True)
class Projection:
    meeting: Meeting
    item: AgendaItem | None
    position: int  # 1-based place of the item on the agenda, 0 without one
    total: int
    original_title: str
    columns: list[Column]
    speaking: str | None
    next_up: list[str]
    waiting: int
    proposal: ProjectedProposal | None


def _name_in(code: str, language: str) -> str:
    """A language's name as its speakers read it, where the interface knows their language."""
    with translation.override(language):
        return language_label(code)


def current_item(meeting: Meeting) -> AgendaItem | None:
    return meeting.agenda_items.filter(status=ItemStatus.CURRENT).first()


def projection(meeting: Meeting) -> Projection:
    """Everything the projector shows now for ``meeting``."""
    interface = {code for code, _name in settings.LANGUAGES}
    items = list(meeting.agenda_items.order_by("position", "id"))
    item = next((i for i in items if i.status == ItemStatus.CURRENT), None)
    translations: dict[str, str] = {}
    speaking = None
    next_up: list[str] = []
    waiting = 0
    if item is not None:
        # The agenda is written in the room's first language; others are people's translations.
        if meeting.languages:
            translations[meeting.languages[0]] = item.title
        translations.update(
            ItemTranslation.objects.filter(item=item).values_list("language", "title")
        )
        entry = SpeakerEntry.objects.filter(item=item, status=SpeakerStatus.SPEAKING).first()
        speaking = entry.name if entry is not None else None
        queue = queue_of(item)
        waiting = len(queue)
        next_up = [e.name for e in queue[:NEXT_SHOWN]]
    proposal = proposal_source(meeting)
    columns = [
        Column(
            code=code,
            name=_name_in(code, code if code in interface else settings.LANGUAGE_CODE),
            label_language=code if code in interface else settings.LANGUAGE_CODE,
            title=translations.get(code),
            proposal_title=proposal.title.get(code) if proposal else None,
            proposal_text=proposal.text.get(code) if proposal else None,
        )
        for code in (meeting.languages or [settings.LANGUAGE_CODE])
    ]
    return Projection(
        meeting=meeting,
        item=item,
        position=items.index(item) + 1 if item is not None else 0,
        total=len(items),
        original_title=item.title if item is not None else "",
        columns=columns,
        speaking=speaking,
        next_up=next_up,
        waiting=waiting,
        proposal=proposal,
    )
