"""Pages for proposals (texts side by side, discussion, amendments), votes (ballots, the room's
counts, proxies, results) and the decision register with its actions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from vecinos.assembly import decisions, proposals, vote_texts
from vecinos.assembly.choices_proposals import (
    ActionStatus,
    AmendmentStatus,
    ProposalStatus,
    VoteStatus,
)
from vecinos.assembly.decisions import (
    ResultView,
    access_assembly,
    access_decision,
    access_proposal,
    access_vote,
)
from vecinos.assembly.forms_proposals import (
    ActionForm,
    AmendmentForm,
    BallotForm,
    CommentForm,
    OpenVoteForm,
    ProposalForm,
    RoomBallotsForm,
    RoomCountForm,
    TextForm,
    VoteForm,
    language_choices,
    room_languages,
    uses_paper_ballots,
)
from vecinos.assembly.models_proposals import Participation, Vote
from vecinos.assembly.voting import BallotError
from vecinos.core.models import User
from vecinos.core.permissions import Capability, requires


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _language() -> str:
    return (get_language() or "en").split("-")[0]


@requires(Capability.VIEW_ASSEMBLIES)
def proposal_list(request: HttpRequest, body_id: int) -> HttpResponse:
    assembly = access_assembly(_user(request), body_id)
    language = _language()
    rows = [
        (p, p.title_in(language), ProposalStatus.colour(p.status))
        for p in decisions.proposals_of(assembly)
    ]
    return render(
        request,
        "assembly/proposals/list.html",
        {"assembly": assembly, "rows": rows, "can_run": assembly.can_run(request.user)},
    )


@requires(Capability.VIEW_ASSEMBLIES)
def proposal_create(request: HttpRequest, body_id: int) -> HttpResponse:
    user = _user(request)
    assembly = access_assembly(user, body_id)
    may = assembly.can_run(user) or proposals.is_member(assembly, proposals.person_of(user))
    form = ProposalForm(request.POST or None, assembly=assembly, initial={"language": _language()})
    if request.method == "POST":
        if not may:
            raise PermissionDenied
        if form.is_valid():
            proposal = proposals.do_create_proposal(
                user,
                assembly,
                language=form.cleaned_data["language"],
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                meeting=form.cleaned_data["meeting"],
            )
            messages.success(request, _("Your proposal is on the list."))
            return redirect("assembly:proposal_detail", proposal_id=proposal.id)
    return render(
        request,
        "assembly/proposals/create.html",
        {"assembly": assembly, "form": form, "may": may},
    )


@requires(Capability.VIEW_ASSEMBLIES)
def proposal_detail(request: HttpRequest, proposal_id: int) -> HttpResponse:
    """The proposal in every language of the room side by side (a missing translation shown as
    missing), its discussion, amendments and votes. POST: comment, amend, decide an amendment."""
    user = _user(request)
    proposal = access_proposal(user, proposal_id)
    assembly = proposal.assembly
    comment_form = CommentForm(request.POST if request.POST.get("action") == "comment" else None)
    amendment_form = AmendmentForm(
        request.POST if request.POST.get("action") == "amend" else None,
        assembly=assembly,
        initial={"language": _language()},
    )
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "comment" and comment_form.is_valid():
            proposals.do_comment(user, proposal, comment_form.cleaned_data["body"])
            return redirect("assembly:proposal_detail", proposal_id=proposal.id)
        if action == "amend" and amendment_form.is_valid():
            proposals.do_propose_amendment(
                user,
                proposal,
                body=amendment_form.cleaned_data["body"],
                language=amendment_form.cleaned_data["language"],
            )
            messages.success(request, _("Your amendment is proposed."))
            return redirect("assembly:proposal_detail", proposal_id=proposal.id)
        if action in {"accept", "reject"}:
            amendment = proposal.amendments.filter(
                id=_int(request.POST.get("amendment")) or 0
            ).first()
            if amendment is not None:
                proposals.do_decide_amendment(user, amendment, accepted=action == "accept")
            return redirect("assembly:proposal_detail", proposal_id=proposal.id)
        messages.error(request, _("Please correct the errors below."))
    texts = {t.language: t for t in proposal.texts.all()}
    columns = [
        (code, name, texts.get(code))
        for code, name in language_choices(room_languages(assembly) + list(texts))
    ]
    return render(
        request,
        "assembly/proposals/detail.html",
        {
            "proposal": proposal,
            "assembly": assembly,
            "title": proposal.title_in(_language()),
            "columns": columns,
            "comments": proposal.comments.select_related("author"),
            "amendments": proposal.amendments.select_related("proposer"),
            "votes": proposal.votes.all(),
            "comment_form": comment_form,
            "amendment_form": amendment_form,
            "can_run": assembly.can_run(user),
            "may_take_part": assembly.can_run(user)
            or proposals.is_member(assembly, proposals.person_of(user)),
            "proposed": AmendmentStatus.PROPOSED,
        },
    )


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@requires(Capability.VIEW_ASSEMBLIES)
def proposal_text(request: HttpRequest, proposal_id: int, language: str) -> HttpResponse:
    """Write or change the proposal's text in one language (a human translation)."""
    user = _user(request)
    proposal = access_proposal(user, proposal_id)
    names = dict(language_choices())
    if language not in names:
        raise Http404
    existing = next((t for t in proposal.texts.all() if t.language == language), None)
    original = proposal.text_in(proposal.original_language)
    initial = {"title": existing.title, "body": existing.body} if existing else {}
    form = TextForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        proposals.do_save_text(
            user,
            proposal,
            language=language,
            title=form.cleaned_data["title"],
            body=form.cleaned_data["body"],
        )
        messages.success(request, _("The text is saved."))
        return redirect("assembly:proposal_detail", proposal_id=proposal.id)
    return render(
        request,
        "assembly/proposals/text.html",
        {
            "proposal": proposal,
            "form": form,
            "language_name": names[language],
            "original": original,
            "existing": existing,
        },
    )


@requires(Capability.VIEW_ASSEMBLIES)
def vote_create(request: HttpRequest, proposal_id: int) -> HttpResponse:
    user = _user(request)
    proposal = access_proposal(user, proposal_id)
    assembly = proposal.assembly
    form = VoteForm(
        request.POST or None, assembly=assembly, initial={"secret": assembly.secret_ballot_default}
    )
    if request.method == "POST" and form.is_valid():
        vote = proposals.do_create_vote(
            user,
            proposal,
            method=form.cleaned_data["method"],
            secret=form.cleaned_data["secret"],
            options=form.cleaned_data["options"],
            dots_per_voter=form.cleaned_data["dots_per_voter"],
            score_max=form.cleaned_data["score_max"],
        )
        messages.success(request, _("The vote is set up. Open it when the body is ready."))
        return redirect("assembly:vote_detail", vote_id=vote.id)
    return render(
        request,
        "assembly/proposals/vote_create.html",
        {"proposal": proposal, "form": form, "can_run": assembly.can_run(user)},
    )


@requires(Capability.VIEW_ASSEMBLIES)
def vote_detail(request: HttpRequest, vote_id: int) -> HttpResponse:
    """A vote: the member's ballot, the facilitator's controls (open, the room's count, paper
    ballots, proxies, close), and the result."""
    user = _user(request)
    vote = access_vote(user, vote_id)
    assembly = vote.proposal.assembly
    options = list(vote.options.all())
    language = _language()
    can_run = assembly.can_run(user)
    person = proposals.person_of(user)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    bound = request.POST if action in {"ballot", "proxy", "room", "paper", "open"} else None
    ballot_form = BallotForm(
        bound if action == "ballot" else None, vote=vote, options=options, language=language
    )
    proxy_members = (
        [
            m.person
            for m in assembly.memberships.select_related("person").order_by("person__full_name")
        ]
        if can_run and assembly.allow_proxy
        else None
    )
    proxy_form = (
        BallotForm(
            bound if action == "proxy" else None,
            vote=vote,
            options=options,
            language=language,
            proxy_members=proxy_members,
            prefix="proxy",
        )
        if proxy_members is not None
        else None
    )
    room_form = RoomCountForm(
        bound if action == "room" else None,
        vote=vote,
        options=options,
        initial={
            "room_voters": vote.room_voters,
            "room_note": vote.room_note,
            **{f"n_{c.key}": c.count for c in vote.room_counts.all()},
        },
    )
    paper_form = RoomBallotsForm(bound if action == "paper" else None, vote=vote, options=options)
    open_form = OpenVoteForm(bound if action == "open" else None)
    if action:
        done = _act(
            request, user, vote, action, ballot_form, proxy_form, room_form, paper_form, open_form
        )
        if done:
            return redirect("assembly:vote_detail", vote_id=vote.id)
        vote.refresh_from_db()
    mine = Participation.objects.filter(vote=vote, person=person).first() if person else None
    decision = getattr(vote, "decision", None) if vote.status == VoteStatus.CLOSED else None
    result = None
    live_error = ""
    if decision is not None:
        result = ResultView.of(decision.result, vote, language)
    elif can_run and vote.status == VoteStatus.OPEN:
        try:
            result = ResultView.of(proposals.count_vote(vote).result, vote, language)
        except BallotError as error:
            live_error = str(error)
    return render(
        request,
        "assembly/proposals/vote.html",
        {
            "vote": vote,
            "proposal": vote.proposal,
            "assembly": assembly,
            "title": vote.proposal.title_in(language),
            "options": [(o.letter, o.label_in(language)) for o in options],
            "can_run": can_run,
            "is_member": proposals.is_member(assembly, person),
            "window_open": vote.window_open(),
            "mine": mine,
            "ballot_form": ballot_form,
            "proxy_form": proxy_form,
            "room_form": room_form,
            "paper_form": paper_form if uses_paper_ballots(vote) else None,
            "open_form": open_form,
            "participations": (
                vote.participations.select_related("person", "recorded_by") if can_run else []
            ),
            "decision": decision,
            "result": result,
            "live_error": live_error,
            "by_text": vote_texts.how_to_answer(vote, options, language),
            "now": timezone.now(),
        },
    )


def _act(
    request: HttpRequest,
    user: User,
    vote: Vote,
    action: str,
    ballot_form: BallotForm,
    proxy_form: BallotForm | None,
    room_form: RoomCountForm,
    paper_form: RoomBallotsForm,
    open_form: OpenVoteForm,
) -> bool:
    """Do one POSTed step; True when done (redirect), False to show the form's errors."""
    try:
        if action == "ballot":
            if not ballot_form.is_valid():
                return False
            cast = proposals.do_vote(user, vote, ballot_form.cleaned_data["choice"])
            messages.success(request, _CAST_WORDS.get(cast.result, _CAST_WORDS["counted"])())
        elif action == "proxy":
            if proxy_form is None:
                raise proposals.ProxyNotAllowedError
            if not proxy_form.is_valid():
                return False
            member = _member(vote, proxy_form.cleaned_data["member"])
            proposals.do_record_proxy(user, vote, member, proxy_form.cleaned_data["choice"])
            messages.success(request, _("The proxy vote is recorded as such."))
        elif action == "room":
            if not room_form.is_valid():
                return False
            proposals.do_record_room(
                user,
                vote,
                counts=room_form.cleaned_data["counts"],
                room_voters=room_form.cleaned_data["room_voters"],
                room_note=room_form.cleaned_data.get("room_note", ""),
            )
            messages.success(request, _("The room's count is entered."))
        elif action == "paper":
            if not paper_form.is_valid():
                return False
            proposals.do_record_room(
                user,
                vote,
                ballots=paper_form.cleaned_data["ballots"],
                room_voters=None,
            )
            messages.success(request, _("The room's paper ballots are entered."))
        elif action == "open":
            if not open_form.is_valid():
                return False
            texted = proposals.do_open_vote(
                user,
                vote,
                closes_at=open_form.cleaned_data["closes_at"],
                announce=open_form.cleaned_data["announce"],
            )
            messages.success(
                request, _("The vote is open. %(count)s members were texted.") % {"count": texted}
            )
        elif action == "close":
            proposals.do_close_vote(user, vote)
            messages.success(request, _("The vote is closed and the decision is in the register."))
    except (proposals.VotingError, BallotError) as error:
        messages.error(request, str(error))
    return True


_CAST_WORDS = {
    "counted": lambda: _("Your vote is counted."),
    "changed": lambda: _("Your vote is changed. Only your latest vote counts."),
    "unchanged": lambda: _("We already have this vote from you. It counts once."),
}


def _member(vote: Vote, person_id: int) -> Any:
    membership = (
        vote.proposal.assembly.memberships.select_related("person")
        .filter(person_id=person_id)
        .first()
    )
    if membership is None:
        raise proposals.NotMemberError
    return membership.person


@requires(Capability.VIEW_ASSEMBLIES)
def register(request: HttpRequest, body_id: int) -> HttpResponse:
    """The body's decision register: what was decided, when, how, with counts and actions."""
    assembly = access_assembly(_user(request), body_id)
    language = _language()
    today = timezone.localdate()
    entries = [
        (
            d,
            d.proposal.title_in(language),
            decisions.summarize(d).counts,
            [(a, a.is_overdue(today)) for a in d.actions.all()],
        )
        for d in decisions.register(assembly)
    ]
    return render(
        request,
        "assembly/proposals/register.html",
        {"assembly": assembly, "entries": entries, "today": today},
    )


@requires(Capability.VIEW_ASSEMBLIES)
def decision_detail(request: HttpRequest, decision_id: int) -> HttpResponse:
    """One decision with its counts, chart and actions. POST: assign an action, or mark one
    done or dropped."""
    user = _user(request)
    decision = access_decision(user, decision_id)
    assembly = decision.assembly
    action = request.POST.get("action", "") if request.method == "POST" else ""
    form = ActionForm(request.POST if action == "assign" else None, assembly=assembly)
    if action == "assign" and form.is_valid():
        proposals.do_add_action(
            user,
            decision,
            description=form.cleaned_data["description"],
            due_on=form.cleaned_data["due_on"],
            working_group=form.cleaned_data["working_group"],
            person=form.cleaned_data["person"],
        )
        messages.success(request, _("The action is assigned."))
        return redirect("assembly:decision_detail", decision_id=decision.id)
    if action in {ActionStatus.DONE, ActionStatus.DROPPED, ActionStatus.OPEN}:
        found = decision.actions.filter(id=_int(request.POST.get("action_id")) or 0).first()
        if found is not None:
            proposals.do_set_action_status(user, found, action)
        return redirect("assembly:decision_detail", decision_id=decision.id)
    language = _language()
    today = timezone.localdate()
    return render(
        request,
        "assembly/proposals/decision.html",
        {
            "decision": decision,
            "assembly": assembly,
            "title": decision.proposal.title_in(language),
            "result": ResultView.of(decision.result, decision.vote, language),
            "actions": [(a, a.is_overdue(today)) for a in decision.actions.all()],
            "form": form,
            "can_run": assembly.can_run(user),
        },
    )


@requires(Capability.VIEW_ASSEMBLIES)
def report_backs(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """The open actions that come back on a meeting's agenda. POST: put them on the agenda."""
    user = _user(request)
    meeting = decisions.access_meeting(user, meeting_id)
    if request.method == "POST":
        added = proposals.do_add_report_backs(user, meeting)
        messages.success(
            request, _("%(count)s report-backs were put on the agenda.") % {"count": added}
        )
        return redirect("assembly:report_backs", meeting_id=meeting.id)
    today = timezone.localdate()
    return render(
        request,
        "assembly/proposals/report_backs.html",
        {
            "meeting": meeting,
            "actions": [(a, a.is_overdue(today)) for a in decisions.open_actions_for(meeting)],
            "can_run": meeting.assembly.can_run(user),
        },
    )
