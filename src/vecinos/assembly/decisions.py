"""Reads for proposals, votes and the decision register: the ``access_*`` helpers the pages use,
the register itself, open actions (report-backs), and :func:`meeting_decisions` for the minutes.

A result is shown from what the vote's count stored (``Decision.result``), so the register, the
vote's page and the minutes always show the same figures; :class:`ResultView` turns it into
labelled rows, the round-by-round table and a chart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from vecinos.assembly.choices_proposals import ActionStatus, Answer, VoteMethod
from vecinos.assembly.models import Assembly, Meeting
from vecinos.assembly.models_proposals import (
    Action,
    Decision,
    Proposal,
    ProposalText,
    Vote,
    VoteOption,
)
from vecinos.core.models import User
from vecinos.core.permissions import Capability, check

# --- Access -------------------------------------------------------------------------------------


def access_assembly(user: User, assembly_id: int) -> Assembly:
    """Raises:
    PermissionDenied: the user may not see assemblies.
    Http404: no such body."""
    check(user, Capability.VIEW_ASSEMBLIES)
    found = Assembly.objects.filter(id=assembly_id).first()
    if found is None:
        raise Http404
    return found


def access_meeting(user: User, meeting_id: int) -> Meeting:
    """Raises:
    PermissionDenied: the user may not see assemblies.
    Http404: no such meeting."""
    check(user, Capability.VIEW_ASSEMBLIES)
    found = Meeting.objects.select_related("assembly").filter(id=meeting_id).first()
    if found is None:
        raise Http404
    return found


def access_proposal(user: User, proposal_id: int) -> Proposal:
    """Raises:
    PermissionDenied: the user may not see assemblies.
    Http404: no such proposal."""
    check(user, Capability.VIEW_ASSEMBLIES)
    found = (
        Proposal.objects.select_related("assembly", "meeting", "proposer")
        .prefetch_related("texts")
        .filter(id=proposal_id)
        .first()
    )
    if found is None:
        raise Http404
    return found


def access_vote(user: User, vote_id: int) -> Vote:
    """Raises:
    PermissionDenied: the user may not see assemblies.
    Http404: no such vote."""
    check(user, Capability.VIEW_ASSEMBLIES)
    found = (
        Vote.objects.select_related("proposal__assembly")
        .prefetch_related("options", "proposal__texts")
        .filter(id=vote_id)
        .first()
    )
    if found is None:
        raise Http404
    return found


def access_decision(user: User, decision_id: int) -> Decision:
    """Raises:
    PermissionDenied: the user may not see assemblies.
    Http404: no such decision."""
    check(user, Capability.VIEW_ASSEMBLIES)
    found = _decisions().filter(id=decision_id).first()
    if found is None:
        raise Http404
    return found


# --- Lists --------------------------------------------------------------------------------------


def proposals_of(assembly: Assembly) -> QuerySet[Proposal]:
    return (
        Proposal.objects.filter(assembly=assembly)
        .select_related("proposer")
        .prefetch_related("texts")
        .order_by("-created_at", "-id")
    )


def _decisions() -> QuerySet[Decision]:
    return Decision.objects.select_related(
        "assembly", "meeting", "proposal", "vote"
    ).prefetch_related(
        Prefetch("proposal__texts", queryset=ProposalText.objects.order_by("language")),
        Prefetch("vote__options", queryset=VoteOption.objects.order_by("position")),
        Prefetch(
            "actions",
            queryset=Action.objects.select_related("working_group", "person").order_by(
                "due_on", "id"
            ),
        ),
    )


def register(assembly: Assembly) -> QuerySet[Decision]:
    """The body's decision register, newest first, with actions."""
    return _decisions().filter(assembly=assembly).order_by("-decided_at", "-id")


def meeting_decisions(meeting: Meeting) -> list[Decision]:
    """The decisions taken at ``meeting`` (votes on its proposals), in the order they were
    taken, each with its proposal's texts, its vote's options and its actions prefetched. For
    the minutes: show each with :class:`ResultView`."""
    return list(_decisions().filter(meeting=meeting).order_by("decided_at", "id"))


def open_actions_for(meeting: Meeting) -> list[Action]:
    """Open actions of the body's decisions taken before ``meeting`` starts: its report-backs."""
    return list(
        Action.objects.filter(
            decision__assembly_id=meeting.assembly_id,
            status=ActionStatus.OPEN,
            decision__decided_at__lt=meeting.starts_at,
        )
        .select_related("decision__proposal", "working_group", "person")
        .prefetch_related("decision__proposal__texts")
        .order_by("due_on", "id")
    )


def working_groups_of(assembly: Assembly) -> QuerySet[Assembly]:
    """Bodies an action can be assigned to: the body's own working groups and breakout groups,
    and itself."""
    return Assembly.objects.filter(parent=assembly) | Assembly.objects.filter(id=assembly.id)


# --- Showing a result ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    label: str
    remote: int
    room: int
    total: int


@dataclass
class ResultView:
    """A stored count with labels, for pages, the projector and the minutes."""

    method: str
    rows: list[Row]
    abstain: int
    remote_people: int
    room_people: int
    required_yes: int | None = None
    base: int | None = None
    blocks: list[str] = field(default_factory=list)
    round_numbers: list[int] = field(default_factory=list)
    table: list[tuple[str, list[int | None]]] = field(default_factory=list)
    exhausted: list[int] = field(default_factory=list)
    eliminated: list[list[str]] = field(default_factory=list)
    ties: list[str] = field(default_factory=list)
    winner: str = ""
    places: list[tuple[int, str, int | None]] = field(default_factory=list)
    averages: dict[str, str | None] = field(default_factory=dict)
    chart: SafeString = field(default_factory=lambda: SafeString(""))

    @classmethod
    def of(cls, result: dict[str, Any], vote: Vote, language: str) -> ResultView:
        labels = _labels(vote, language)

        def name(key: str | None) -> str:
            return labels.get(key or "", key or "")

        rounds = result.get("rounds", [])
        view = cls(
            method=str(result.get("method", vote.method)),
            rows=[Row(name(k), a, b, c) for k, a, b, c in result.get("rows", [])],
            abstain=int(result.get("abstain", 0)),
            remote_people=int(result.get("remote_people", 0)),
            room_people=int(result.get("room_people", 0)),
            required_yes=result.get("required_yes"),
            base=result.get("base"),
            blocks=list(result.get("blocks", [])),
            round_numbers=[r["number"] for r in rounds],
            table=[(name(option), counts) for option, counts in result.get("table", [])],
            exhausted=list(result.get("exhausted", [])),
            eliminated=[[name(o) for o in r["eliminated"]] for r in rounds],
            ties=[_tie_words(r["tie"], name) for r in rounds if r.get("tie")],
            winner=name(result.get("winner")) if result.get("winner") else "",
            places=[(p, name(o), s) for p, o, s in result.get("places", [])],
            averages={name(k): v for k, v in result.get("averages", {}).items()},
        )
        view.chart = rounds_chart(view) if rounds else bars_chart(view)
        return view


def _labels(vote: Vote, language: str) -> dict[str, str]:
    labels = {a.value: str(a.label) for a in Answer}
    for option in vote.options.all():
        labels[option.letter] = f"{option.letter}. {option.label_in(language)}"
    return labels


def _tie_words(tie: dict[str, Any], name: Any) -> str:
    if tie["rule"] == "lot":
        return _("%(tied)s were tied; %(out)s was eliminated by lot.") % {
            "tied": ", ".join(name(o) for o in tie["tied"]),
            "out": name(tie["eliminated"]),
        }
    return _("%(tied)s were tied; %(out)s had fewer votes in an earlier round.") % {
        "tied": ", ".join(name(o) for o in tie["tied"]),
        "out": name(tie["eliminated"]),
    }


# The chart: drawn on the server as SVG (no script), in the app's palette.
BAR_COLOURS = ("#1f5fa8", "#2e7d4f", "#b5651d", "#7b3fa0", "#a23b3b", "#2a7f8a", "#6b6b1f", "#555")
CHART_WIDTH = 320
LABEL_WIDTH = 110
ROW_HEIGHT = 18


def bars_chart(view: ResultView) -> SafeString:
    """Totals per answer or option as horizontal bars."""
    if not view.rows:
        return SafeString("")
    top = max((row.total for row in view.rows), default=0) or 1
    room = CHART_WIDTH - LABEL_WIDTH - 30
    height = ROW_HEIGHT * len(view.rows) + 4
    bars = format_html_join(
        "",
        '<text x="0" y="{}" font-size="11">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"></rect>'
        '<text x="{}" y="{}" font-size="11">{}</text>',
        (
            (
                i * ROW_HEIGHT + 13,
                row.label[:18],
                LABEL_WIDTH,
                i * ROW_HEIGHT + 3,
                max(1, round(room * row.total / top)) if row.total else 0,
                ROW_HEIGHT - 6,
                BAR_COLOURS[i % len(BAR_COLOURS)],
                LABEL_WIDTH + round(room * row.total / top) + 4,
                i * ROW_HEIGHT + 13,
                row.total,
            )
            for i, row in enumerate(view.rows)
        ),
    )
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-labelledby="chart-title">'
        '<title id="chart-title">{}</title>{}</svg>',
        CHART_WIDTH,
        height,
        _("Totals per answer or option"),
        bars,
    )


def rounds_chart(view: ResultView) -> SafeString:
    """The instant runoff round by round: one block of bars per round, with the majority line
    (half of the ballots still counting)."""
    options = [label for label, _counts in view.table]
    if not options:
        return SafeString("")
    top = max((c or 0 for _label, counts in view.table for c in counts), default=0) or 1
    room = CHART_WIDTH - LABEL_WIDTH - 30
    block = ROW_HEIGHT * len(options) + 20
    parts = []
    for r, number in enumerate(view.round_numbers):
        y0 = r * block
        parts.append(
            format_html(
                '<text x="0" y="{}" font-size="12" font-weight="700">{}</text>',
                y0 + 13,
                _("Round %(number)s") % {"number": number},
            )
        )
        live = sum(counts[r] or 0 for _label, counts in view.table)
        half = LABEL_WIDTH + round(room * (live / 2) / top)
        for i, (label, counts) in enumerate(view.table):
            votes = counts[r]
            y = y0 + 18 + i * ROW_HEIGHT
            width = round(room * (votes or 0) / top)
            parts.append(
                format_html(
                    '<text x="0" y="{}" font-size="11">{}</text>'
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"></rect>'
                    '<text x="{}" y="{}" font-size="11">{}</text>',
                    y + 10,
                    label[:18],
                    LABEL_WIDTH,
                    y,
                    width,
                    ROW_HEIGHT - 6,
                    BAR_COLOURS[options.index(label) % len(BAR_COLOURS)],
                    LABEL_WIDTH + width + 4,
                    y + 10,
                    "-" if votes is None else votes,
                )
            )
        parts.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#222" stroke-dasharray="3 2">'
                "</line>",
                half,
                y0 + 16,
                half,
                y0 + block - 4,
            )
        )
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-labelledby="rounds-title">'
        '<title id="rounds-title">{}</title>{}</svg>',
        CHART_WIDTH,
        block * len(view.round_numbers),
        _("Votes per option in each round; the dashed line is half of the ballots still counting"),
        SafeString("".join(parts)),
    )


# --- Overdue ------------------------------------------------------------------------------------


def overdue_actions(assembly: Assembly, today: date | None = None) -> list[Action]:
    today = today or timezone.localdate()
    return list(
        Action.objects.filter(
            decision__assembly=assembly, status=ActionStatus.OPEN, due_on__lt=today
        ).select_related("working_group", "person")
    )


def is_question(method: str) -> bool:
    return method in {
        VoteMethod.MAJORITY,
        VoteMethod.TWO_THIRDS,
        VoteMethod.THREE_QUARTERS,
        VoteMethod.CONSENSUS,
    }


# --- For the minutes ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DecisionSummary:
    """One decision in words, in the active language: what the minutes print."""

    title: str
    outcome: str  # "Adopted", "Blocked: <reason>", "Chosen: <option>"…
    method: str = ""
    counts: str = ""  # "12 yes, 3 no, 2 abstentions"
    without_quorum: bool = False
    actions: tuple[str, ...] = ()


def summarize(decision: Decision) -> DecisionSummary:
    """``decision`` in words, in the active language (call inside ``translation.override``)."""
    from django.utils.translation import get_language

    language = (get_language() or "en").split("-")[0]
    view = ResultView.of(decision.result, decision.vote, language)
    outcome = str(decision.get_outcome_display())
    if view.blocks:
        outcome = _("%(outcome)s: %(reasons)s") % {
            "outcome": outcome,
            "reasons": "; ".join(view.blocks),
        }
    elif view.winner:
        outcome = _("%(outcome)s: %(option)s") % {"outcome": outcome, "option": view.winner}
    if view.places and not view.winner:
        counts = ", ".join(
            f"{place}. {label}" + (f" ({score})" if score is not None else "")
            for place, label, score in view.places
        )
    else:
        counts = ", ".join(f"{row.label} {row.total}" for row in view.rows)
    if view.round_numbers:
        counts = _("%(counts)s (first choices; %(rounds)s rounds)") % {
            "counts": counts,
            "rounds": len(view.round_numbers),
        }
    actions = tuple(
        _("%(what)s (%(who)s, due %(due)s)")
        % {
            "what": action.description,
            "who": ", ".join(
                n
                for n in (
                    getattr(action.working_group, "name", ""),
                    getattr(action.person, "full_name", ""),
                )
                if n
            ),
            "due": action.due_on.isoformat(),
        }
        for action in decision.actions.all()
    )
    return DecisionSummary(
        title=decision.proposal.title_in(language),
        outcome=outcome,
        method=str(decision.get_method_display()),
        counts=counts,
        without_quorum=not decision.quorum_met,
        actions=actions,
    )


def decision_summaries(meeting: Meeting) -> list[DecisionSummary]:
    """The decisions taken at ``meeting``, in words, in the active language (for the minutes)."""
    return [summarize(decision) for decision in meeting_decisions(meeting)]
