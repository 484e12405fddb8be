"""The decision register as the minutes show it: assembly-proposals' ``meeting_decisions`` read
into :class:`minutes.DecisionLine` rows, in the language active when the minutes are built (the
minutes' language). Counts come from what each vote stored, as on the register's pages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from vecinos.assembly.decisions import ResultView, meeting_decisions
from vecinos.assembly.minutes import DecisionLine

if TYPE_CHECKING:
    from vecinos.assembly.models import Meeting
    from vecinos.assembly.models_proposals import Action, Decision


def _who(action: Action) -> str:
    if action.working_group is not None:
        return action.working_group.name
    return action.person.full_name if action.person is not None else ""


def _line(decision: Decision, language: str) -> DecisionLine:
    view = ResultView.of(decision.result, decision.vote, language)
    counts = ", ".join(f"{row.label}: {row.total}" for row in view.rows)
    if view.abstain:
        abstained = ngettext("%(count)s abstention", "%(count)s abstentions", view.abstain) % {
            "count": view.abstain
        }
        counts = f"{counts}; {abstained}" if counts else abstained
    outcome = str(decision.get_outcome_display())
    if view.winner:
        outcome = f"{outcome}: {view.winner}"
    if view.blocks:
        outcome = f"{outcome} ({'; '.join(view.blocks)})"
    actions = tuple(
        _("%(what)s, by %(who)s, due %(due)s")
        % {
            "what": action.description,
            "who": _who(action),
            "due": formats.date_format(action.due_on, "DATE_FORMAT"),
        }
        for action in decision.actions.all()
    )
    return DecisionLine(
        title=decision.proposal.title_in(language),
        outcome=outcome,
        method=str(decision.get_method_display()),
        counts=counts,
        without_quorum=not decision.quorum_met,
        actions=actions,
    )


def decision_lines(meeting: Meeting) -> list[DecisionLine]:
    language = translation.get_language() or settings.LANGUAGE_CODE
    return [_line(decision, language) for decision in meeting_decisions(meeting)]
