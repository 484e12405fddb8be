"""Proposals and votes: bringing, translating, discussing and amending a proposal; setting up,
opening and closing a vote; ballots by web, text and proxy; the room's counts; the decision
register's entries and their actions.

Who may do what is decided by the body (``Assembly.can_run``: facilitators of the body and
accounts with RUN_MEETINGS) and by membership (members propose, discuss and vote). Every change
is one transaction with its audit entry; texts go through the outbox in the same transaction.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from vecinos.assembly import vote_texts, voting
from vecinos.assembly.choices import ItemStatus, MeetingStatus
from vecinos.assembly.choices_proposals import (
    BALLOT_METHODS,
    OPTION_METHODS,
    ActionStatus,
    AmendmentStatus,
    BallotSource,
    Outcome,
    ProposalStatus,
    TakingPart,
    VoteStatus,
)
from vecinos.assembly.models import AgendaItem, Assembly, Meeting
from vecinos.assembly.models_proposals import (
    Action,
    Amendment,
    Ballot,
    Comment,
    Decision,
    Participation,
    Proposal,
    ProposalText,
    ReportBack,
    RoomCount,
    Vote,
    VoteOption,
)
from vecinos.core import audit
from vecinos.core.models import User
from vecinos.messaging import inbound as inbox
from vecinos.messaging import services as messaging
from vecinos.messaging.choices import Channel, Priority
from vecinos.messaging.models import InboundMessage
from vecinos.organizing.models import Person

logger = logging.getLogger(__name__)

TEXT_HANDLER = "assembly.vote"
ANNOUNCE_KIND = "assembly.vote_announced"
REPLY_KIND = "assembly.vote_reply"
# Codes are two letters and two digits, without look-alikes (I/1, O/0, L, Z/2, S/5).
CODE_LETTERS = "ABCDEFGHJKMNPQRTUVWXY"
CODE_DIGITS = "346789"
# Report-backs on an agenda get this long each.
REPORT_BACK_MINUTES = 5


class VotingError(Exception):
    """A ballot or a step that is refused. ``str()`` is a sentence for the person, translated
    into the language active when it is shown."""

    message: Promise = _("This cannot be done.")

    def __str__(self) -> str:
        return str(self.message)


class NotOpenYetError(VotingError):
    message = _("Voting has not opened yet.")


class VoteClosedError(VotingError):
    message = _("Voting is closed; this vote was not counted.")


class NotMemberError(VotingError):
    message = _("Only members of this body vote on it.")


class AlreadyVotedError(VotingError):
    message = _("You already voted. This is a secret ballot, so a vote cannot be changed.")


class ProxyNotAllowedError(VotingError):
    message = _("This body does not allow proxy votes.")


class VoteStepError(VotingError):
    message = _("The vote is not at the step this needs.")


class NoOptionsError(VotingError):
    message = _("This method needs at least two options.")


# --- Who may ----------------------------------------------------------------------------------


def person_of(user: User) -> Person | None:
    try:
        return user.person
    except ObjectDoesNotExist:
        return None


def is_member(assembly: Assembly, person: Person | None) -> bool:
    return person is not None and assembly.memberships.filter(person_id=person.id).exists()


def check_run(user: User, assembly: Assembly) -> None:
    """Raises:
    PermissionDenied: ``user`` does not run this body's meetings."""
    if not assembly.can_run(user):
        raise PermissionDenied


def check_take_part(user: User, assembly: Assembly) -> None:
    """Members propose and discuss; so do those who run the body.

    Raises:
        PermissionDenied: neither."""
    if not (assembly.can_run(user) or is_member(assembly, person_of(user))):
        raise PermissionDenied


# --- Proposals --------------------------------------------------------------------------------


def do_create_proposal(
    user: User,
    assembly: Assembly,
    *,
    language: str,
    title: str,
    body: str,
    proposer: Person | None = None,
    meeting: Meeting | None = None,
) -> Proposal:
    """Bring a proposal, written in ``language``; the proposer is the user's person unless a
    facilitator records it for someone else.

    Raises:
        PermissionDenied: not a member, and does not run the body.
    """
    check_take_part(user, assembly)
    if proposer is not None and not assembly.can_run(user):
        proposer = None
    with transaction.atomic():
        proposal = Proposal.objects.create(
            assembly=assembly,
            meeting=meeting if meeting is not None and meeting.assembly_id == assembly.id else None,
            proposer=proposer or person_of(user),
            original_language=language,
            created_by=user,
        )
        ProposalText.objects.create(
            proposal=proposal, language=language, title=title, body=body, written_by=user
        )
        audit.record(user, audit.PROPOSAL_CREATED, proposal, language=language)
    return proposal


def do_save_text(
    user: User, proposal: Proposal, *, language: str, title: str, body: str
) -> ProposalText:
    """Write a proposal's text in ``language`` (a human translation), or change it.

    Raises:
        PermissionDenied: not a member, and does not run the body.
    """
    check_take_part(user, proposal.assembly)
    with transaction.atomic():
        text, created = ProposalText.objects.update_or_create(
            proposal=proposal,
            language=language,
            defaults={
                "title": title,
                "body": body,
                "written_by": user,
                "updated_at": timezone.now(),
            },
        )
        audit.record(user, audit.PROPOSAL_TEXT_SAVED, proposal, language=language, created=created)
    return text


def do_comment(user: User, proposal: Proposal, body: str) -> Comment:
    """Raises:
    PermissionDenied: not a member, and does not run the body."""
    check_take_part(user, proposal.assembly)
    return Comment.objects.create(proposal=proposal, author=user, body=body)


def do_propose_amendment(user: User, proposal: Proposal, *, body: str, language: str) -> Amendment:
    """Raises:
    PermissionDenied: not a member, and does not run the body."""
    check_take_part(user, proposal.assembly)
    return Amendment.objects.create(
        proposal=proposal, body=body, language=language, proposer=person_of(user), created_by=user
    )


def do_decide_amendment(user: User, amendment: Amendment, *, accepted: bool) -> bool:
    """Record the body's answer to an amendment; False if it already had one. (Whoever runs the
    meeting then changes the proposal's texts to match an accepted one.)

    Raises:
        PermissionDenied: the user does not run the body.
    """
    check_run(user, amendment.proposal.assembly)
    status = AmendmentStatus.ACCEPTED if accepted else AmendmentStatus.REJECTED
    with transaction.atomic():
        changed = Amendment.objects.filter(id=amendment.id, status=AmendmentStatus.PROPOSED).update(
            status=status, decided_by=user, decided_at=timezone.now()
        )
        if changed:
            audit.record(user, audit.AMENDMENT_DECIDED, amendment, status=status)
    return bool(changed)


# --- Setting up and opening a vote --------------------------------------------------------------


def new_code() -> str:
    """A code no vote has: two letters and two digits ("KM47")."""
    for _attempt in range(50):
        code = "".join(secrets.choice(CODE_LETTERS) for _ in range(2)) + "".join(
            secrets.choice(CODE_DIGITS) for _ in range(2)
        )
        if not Vote.objects.filter(code=code).exists():
            return code
    raise RuntimeError("no free vote code")  # 15,876 codes: only after years of votes


def do_create_vote(
    user: User,
    proposal: Proposal,
    *,
    method: str,
    secret: bool,
    options: list[dict[str, str]] | None = None,
    dots_per_voter: int = 3,
    score_max: int = 5,
) -> Vote:
    """Set up a vote on ``proposal`` (not open yet). ``options`` are the competing options of a
    ranked, dot or score vote, each a {language: label}.

    Raises:
        PermissionDenied: the user does not run the body.
        NoOptionsError: an option method with fewer than two options.
    """
    check_run(user, proposal.assembly)
    options = [o for o in (options or []) if any(v.strip() for v in o.values())]
    if method in OPTION_METHODS and len(options) < 2:
        raise NoOptionsError
    with transaction.atomic():
        vote = Vote.objects.create(
            proposal=proposal,
            method=method,
            secret=secret,
            code=new_code(),
            dots_per_voter=dots_per_voter,
            score_max=score_max,
            created_by=user,
        )
        if method in OPTION_METHODS:
            VoteOption.objects.bulk_create(
                VoteOption(vote=vote, position=i, labels=labels) for i, labels in enumerate(options)
            )
        audit.record(user, audit.VOTE_CREATED, vote, method=method, secret=secret)
    return vote


def do_open_vote(
    user: User,
    vote: Vote,
    *,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    announce: bool = True,
    now: datetime | None = None,
) -> int:
    """Open ``vote``, with the announced window for votes on the web and by text (none: while
    it is open), and text every member who can get texts the question, its code and how to
    answer, in their language. Returns how many were texted.

    Raises:
        PermissionDenied: the user does not run the body.
        VoteStepError: the vote is already open or closed.
    """
    check_run(user, vote.proposal.assembly)
    now = now or timezone.now()
    with transaction.atomic():
        changed = Vote.objects.filter(id=vote.id, status=VoteStatus.DRAFT).update(
            status=VoteStatus.OPEN, opens_at=opens_at or now, closes_at=closes_at
        )
        if not changed:
            raise VoteStepError
        vote.refresh_from_db()
        texted = announce_vote(vote) if announce else 0
        audit.record(user, audit.VOTE_OPENED, vote, texted=texted)
    return texted


def _text_channel(person: Person) -> str:
    return Channel.SIGNAL if person.preferred_channel == Channel.SIGNAL else Channel.SMS


def _language(person: Person | None) -> str:
    known = {code for code, _name in settings.LANGUAGES}
    if person is not None and person.preferred_language in known:
        return person.preferred_language
    return settings.LANGUAGE_CODE


def announce_vote(vote: Vote) -> int:
    """Queue the announcement to every member with a phone. Call inside the transaction that
    opens the vote."""
    members = Person.objects.filter(assembly_memberships__assembly_id=vote.proposal.assembly_id)
    options = list(vote.options.all())
    texted = 0
    for person in members:
        if not person.phone:
            continue
        language = _language(person)
        with translation.override(language):
            body = vote_texts.announcement(vote, options, language)
        messaging.queue_message(
            channel=_text_channel(person),
            address=person.phone,
            body=body,
            kind=ANNOUNCE_KIND,
            person=person,
            language=language,
        )
        texted += 1
    return texted


# --- Ballots --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cast:
    """What happened to a ballot: "counted" (new), "changed", or "unchanged" (the same vote
    again)."""

    result: str


def cast_ballot(
    vote: Vote,
    person: Person,
    choice: voting.Choice,
    *,
    channel: str,
    recorded_by: User | None = None,
    inbound: InboundMessage | None = None,
    now: datetime | None = None,
) -> Cast:
    """Count one person's ballot, once: the participation row is unique per person and vote. A
    second ballot in an open vote replaces the first (a change of mind counts once); in a secret
    ballot it is refused, since nothing links a secret ballot to its voter. Call inside a
    transaction.

    Raises:
        NotOpenYetError, VoteClosedError: outside the window (for a proxy: the vote is not open).
        NotMemberError: ``person`` is not a member of the body.
        AlreadyVotedError: a second ballot in a secret vote.
    """
    now = now or timezone.now()
    vote = Vote.objects.select_for_update().select_related("proposal__assembly").get(id=vote.id)
    if vote.status == VoteStatus.DRAFT:
        raise NotOpenYetError
    if vote.status == VoteStatus.CLOSED:
        raise VoteClosedError
    if channel != TakingPart.PROXY:
        if vote.opens_at is not None and now < vote.opens_at:
            raise NotOpenYetError
        if vote.closes_at is not None and now >= vote.closes_at:
            raise VoteClosedError
    if not is_member(vote.proposal.assembly, person):
        raise NotMemberError
    existing = Participation.objects.filter(vote=vote, person=person).first()
    if existing is not None:
        if vote.secret:
            raise AlreadyVotedError
        ballot = Ballot.objects.get(vote=vote, voter=person)
        if ballot.choice == choice.as_json() and ballot.reason == choice.reason:
            return Cast("unchanged")
        ballot.choice, ballot.reason = choice.as_json(), choice.reason
        ballot.save(update_fields=["choice", "reason"])
        Participation.objects.filter(id=existing.id).update(
            channel=channel, recorded_by=recorded_by, inbound=inbound, at=now
        )
        return Cast("changed")
    try:
        with transaction.atomic():
            Participation.objects.create(
                vote=vote,
                person=person,
                channel=channel,
                recorded_by=recorded_by,
                inbound=inbound,
                at=now,
            )
    except IntegrityError as exc:  # the same person at the same moment on another channel
        raise AlreadyVotedError from exc
    Ballot.objects.create(
        vote=vote,
        voter=None if vote.secret else person,
        source=BallotSource.REMOTE,
        choice=choice.as_json(),
        reason=choice.reason,
    )
    return Cast("counted")


def do_vote(user: User, vote: Vote, choice: voting.Choice, *, now: datetime | None = None) -> Cast:
    """A member votes on the web.

    Raises:
        NotMemberError: the account has no person who is a member.
        VotingError: see :func:`cast_ballot`.
    """
    person = person_of(user)
    if person is None:
        raise NotMemberError
    with transaction.atomic():
        return cast_ballot(vote, person, choice, channel=TakingPart.WEB, recorded_by=user, now=now)


def do_record_proxy(
    user: User, vote: Vote, person: Person, choice: voting.Choice, *, now: datetime | None = None
) -> Cast:
    """A facilitator records the vote of a member who asked them to; recorded as a proxy, with
    who recorded it.

    Raises:
        PermissionDenied: the user does not run the body.
        ProxyNotAllowedError: the body does not allow proxies.
        VotingError: see :func:`cast_ballot`.
    """
    assembly = vote.proposal.assembly
    check_run(user, assembly)
    if not assembly.allow_proxy:
        raise ProxyNotAllowedError
    with transaction.atomic():
        cast = cast_ballot(
            vote, person, choice, channel=TakingPart.PROXY, recorded_by=user, now=now
        )
        audit.record(user, audit.PROXY_VOTE_RECORDED, vote, person_id=person.id, result=cast.result)
    return cast


def do_record_room(
    user: User,
    vote: Vote,
    *,
    counts: dict[str, int] | None = None,
    ballots: list[voting.Choice] | None = None,
    room_voters: int | None = None,
    room_note: str = "",
) -> None:
    """Enter what the room decided: hand counts per answer or option (``counts``), or the room's
    paper ballots typed in (``ballots``, for methods counted from whole ballots). Each entry
    replaces the previous one, so a recount is simply entered again.

    Raises:
        PermissionDenied: the user does not run the body.
        VoteStepError: the vote is not open.
    """
    check_run(user, vote.proposal.assembly)
    with transaction.atomic():
        vote = Vote.objects.select_for_update().get(id=vote.id)
        if vote.status != VoteStatus.OPEN:
            raise VoteStepError
        if counts is not None:
            RoomCount.objects.filter(vote=vote).delete()
            RoomCount.objects.bulk_create(
                RoomCount(vote=vote, key=key, count=count) for key, count in counts.items() if count
            )
        if ballots is not None:
            Ballot.objects.filter(vote=vote, source=BallotSource.ROOM).delete()
            Ballot.objects.bulk_create(
                Ballot(vote=vote, source=BallotSource.ROOM, choice=c.as_json(), reason=c.reason)
                for c in ballots
            )
        vote.room_voters, vote.room_note = room_voters, room_note
        vote.save(update_fields=["room_voters", "room_note"])
        audit.record(
            user,
            audit.VOTE_ROOM_COUNTED,
            vote,
            counts=counts or {},
            paper_ballots=len(ballots or []),
            room_voters=room_voters,
        )


def count_vote(vote: Vote) -> voting.Counted:
    """The count of ``vote`` as it stands (remote ballots, room ballots and hand counts).

    Raises:
        BallotError: the room's entries break a rule (a block without a reason).
    """
    letters = [o.letter for o in vote.options.all()]
    remote: list[voting.Choice] = []
    room: list[voting.Choice] = []
    # Rows as tuples, not model instances: a citywide vote can have 100,000 ballots.
    for source, stored, reason in vote.ballots.values_list("source", "choice", "reason").iterator():
        choice = voting.Choice.from_json(stored, reason)
        (room if source == BallotSource.ROOM else remote).append(choice)
    counts = {c.key: c.count for c in vote.room_counts.all()}
    if vote.method in BALLOT_METHODS:
        counts = {}
    return voting.tally(
        vote,
        letters=letters,
        remote=remote,
        room_ballots=room if vote.method in BALLOT_METHODS else [],
        room_counts=counts,
        remote_people=vote.participations.count(),
        members=vote.proposal.assembly.memberships.count(),
    )


PROPOSAL_STATUS_FOR: dict[str, str] = {
    Outcome.ADOPTED: ProposalStatus.ADOPTED,
    Outcome.CHOSEN: ProposalStatus.ADOPTED,
    Outcome.RANKED: ProposalStatus.ADOPTED,
    Outcome.REJECTED: ProposalStatus.REJECTED,
    Outcome.BLOCKED: ProposalStatus.BLOCKED,
}


def do_close_vote(user: User, vote: Vote, *, now: datetime | None = None) -> Decision:
    """Close ``vote``, count it, and write the decision into the register (marked when taken
    without a quorum). A blocked or rejected proposal is marked so; a tie decides nothing.

    Raises:
        PermissionDenied: the user does not run the body.
        VoteStepError: the vote is not open.
        BallotError: the room's entries break a rule (a block without a reason); nothing closes.
    """
    check_run(user, vote.proposal.assembly)
    now = now or timezone.now()
    with transaction.atomic():
        vote = Vote.objects.select_for_update().select_related("proposal__assembly").get(id=vote.id)
        if vote.status != VoteStatus.OPEN:
            raise VoteStepError
        counted = count_vote(vote)
        Vote.objects.filter(id=vote.id).update(status=VoteStatus.CLOSED, closed_at=now)
        proposal = vote.proposal
        # Taken at the proposal's meeting, or else at the body's meeting in progress, if any.
        meeting = proposal.meeting or (
            Meeting.objects.filter(assembly_id=proposal.assembly_id, status=MeetingStatus.OPEN)
            .order_by("-starts_at")
            .first()
        )
        decision = Decision.objects.create(
            assembly=proposal.assembly,
            meeting=meeting,
            proposal=proposal,
            vote=vote,
            method=vote.method,
            outcome=counted.outcome,
            result=counted.result,
            participants=counted.participants,
            quorum_needed=counted.quorum.required,
            quorum_met=counted.quorum.met,
            decided_at=now,
            recorded_by=user,
        )
        status = PROPOSAL_STATUS_FOR.get(counted.outcome)
        if status is not None:
            Proposal.objects.filter(id=proposal.id).update(status=status)
        audit.record(
            user,
            audit.VOTE_CLOSED,
            vote,
            outcome=counted.outcome,
            participants=counted.participants,
            quorum_met=counted.quorum.met,
        )
    return decision


# --- Votes by text ------------------------------------------------------------------------------


def take_vote(message: InboundMessage) -> bool:
    """The messaging handler for votes by text: "<code> <ballot>", e.g. "KM47 YES" or
    "KM47 B A C". Declines (returns False) texts that do not start with a vote's code, so that
    the hotline takes them; a text starting with something shaped like a code from a member is
    answered as an unknown code. Every refusal is answered in the sender's language.

    Idempotent: a re-run after a crash finds the participation recorded and changes nothing.
    """
    first = message.body.strip().split(maxsplit=1)
    if not first:
        return False
    word = first[0].upper().strip(".,:;!")
    # A text whose first word is not shaped like a code (most reports to the hotline) is declined
    # without a query; one that is may have been taken already (a re-run after a crash).
    if not vote_texts.looks_like_code(word):
        return False
    if Participation.objects.filter(inbound=message).exists():
        return True
    vote = (
        Vote.objects.filter(code=word).select_related("proposal__assembly").first()
        if vote_texts.looks_like_code(word)
        else None
    )
    person = message.person
    language = _language(person)
    if vote is None:
        if not vote_texts.looks_like_code(word) or person is None:
            return False
        if not person.assembly_memberships.exists():
            return False
        inbox.take_reply(message, {word: word})
        _reply(message, language, lambda: vote_texts.unknown_code(word))
        return True
    reply = inbox.take_reply(message, {vote.code: vote.code})
    rest = reply.note if reply is not None else ""
    if vote.secret:
        # How a secret ballot was cast must not stay next to the sender's number.
        InboundMessage.objects.filter(id=message.id).update(body=vote.code)
        message.body, message.reply_note = vote.code, ""
    if person is None:
        _reply(message, language, lambda: str(NotMemberError()))
        return True
    letters = [o.letter for o in vote.options.all()]
    try:
        with transaction.atomic():
            choice = voting.read_choice(vote, letters, rest)
            cast = cast_ballot(
                vote,
                person,
                choice,
                channel=TakingPart.TEXT,
                inbound=message,
                now=message.received_at,
            )
    except voting.BallotError as unreadable:
        problem: Exception = unreadable
        _reply(message, language, lambda: vote_texts.unreadable(vote, letters, language, problem))
        return True
    except VotingError as refused:
        problem = refused
        _reply(message, language, lambda: vote_texts.refused(vote, problem))
        return True
    _reply(message, language, lambda: vote_texts.confirmed(vote, cast.result, choice))
    return True


def _reply(message: InboundMessage, language: str, build: Callable[[], str]) -> None:
    """Answer a vote by text in ``language``. Call inside the text's processing transaction."""
    with translation.override(language):
        body = build()
    messaging.queue_message(
        channel=Channel.SIGNAL if message.gateway == "signal" else Channel.SMS,
        address=message.sender,
        body=str(body),
        kind=REPLY_KIND,
        person=message.person,
        language=language,
        priority=Priority.REPLY,
    )


# --- Actions and report-backs -------------------------------------------------------------------


def do_add_action(
    user: User,
    decision: Decision,
    *,
    description: str,
    due_on: date,
    working_group: Assembly | None = None,
    person: Person | None = None,
) -> Action:
    """Assign something a decision calls for to a working group or a person, by a date.

    Raises:
        PermissionDenied: the user does not run the body.
        ValueError: neither a working group nor a person.
    """
    check_run(user, decision.assembly)
    if working_group is None and person is None:
        raise ValueError("an action needs a working group or a person")
    with transaction.atomic():
        action = Action.objects.create(
            decision=decision,
            description=description,
            due_on=due_on,
            working_group=working_group,
            person=person,
            created_by=user,
        )
        audit.record(user, audit.ACTION_ASSIGNED, action, decision_id=decision.id)
    return action


def do_set_action_status(user: User, action: Action, status: str) -> bool:
    """Mark an open action done or dropped (or open again). False if it already was.

    Raises:
        PermissionDenied: the user does not run the body.
    """
    check_run(user, action.decision.assembly)
    with transaction.atomic():
        changed = (
            Action.objects.filter(id=action.id)
            .exclude(status=status)
            .update(status=status, done_at=timezone.now() if status == ActionStatus.DONE else None)
        )
        if changed:
            audit.record(user, audit.ACTION_CHANGED, action, status=status)
    return bool(changed)


def do_add_report_backs(user: User, meeting: Meeting) -> int:
    """Put every open action of the body's earlier decisions on ``meeting``'s agenda as a
    report-back, at the end, once each. Returns how many were added.

    Raises:
        PermissionDenied: the user does not run the body.
    """
    from vecinos.assembly.decisions import open_actions_for

    check_run(user, meeting.assembly)
    added = 0
    with transaction.atomic():
        position = (
            AgendaItem.objects.filter(meeting=meeting).aggregate(top=Max("position"))["top"] or 0
        )
        for action in open_actions_for(meeting):
            if ReportBack.objects.filter(action=action, meeting=meeting).exists():
                continue
            position += 1
            with translation.override(settings.LANGUAGE_CODE):
                title = vote_texts.report_back_title(action)
            item = AgendaItem.objects.create(
                meeting=meeting,
                position=position,
                title=title[:200],
                presenter=action.person,
                time_box_minutes=REPORT_BACK_MINUTES,
                status=ItemStatus.PENDING,
            )
            ReportBack.objects.create(action=action, meeting=meeting, agenda_item=item)
            added += 1
        if added:
            audit.record(user, audit.REPORT_BACKS_ADDED, meeting, added=added)
    return added
