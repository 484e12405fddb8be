"""Audit actions: every kind of entry the audit log can hold, defined once.

Entries name who did what to which record, never the sensitive values themselves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

if TYPE_CHECKING:
    from django.db.models import Model

    from vecinos.core.models import AuditEvent, User

PERSON_VIEWED = "organizing.person.viewed"
PERSON_CREATED = "organizing.person.created"
PERSON_CHANGED = "organizing.person.changed"
PERSON_SEARCHED = "organizing.person.searched_by_phone"
PEOPLE_IMPORTED = "organizing.people.imported"
PEOPLE_EXPORTED = "organizing.people.exported"
STAGE_RECORDED = "organizing.stage.recorded"
CIRCLE_CREATED = "organizing.circle.created"
CIRCLE_CHANGED = "organizing.circle.changed"
CIRCLE_MEMBER_ADDED = "organizing.circle.member_added"
CIRCLE_MEMBER_CHANGED = "organizing.circle.member_changed"
CIRCLE_MEMBER_REMOVED = "organizing.circle.member_removed"
CONSENT_RECORDED = "messaging.consent.recorded"
USER_CREATED = "core.user.created"
USER_ROLES_CHANGED = "core.user.roles_changed"
USER_DEACTIVATED = "core.user.deactivated"
USER_REACTIVATED = "core.user.reactivated"
USER_LOGGED_IN = "core.user.logged_in"
USER_LOGIN_LOCKED = "core.user.login_locked"
USER_UNLOCKED = "core.user.unlocked"
USER_TWO_FACTOR_ENABLED = "core.user.two_factor_enabled"
USER_TWO_FACTOR_RESET = "core.user.two_factor_reset"
AUDIT_LOG_VIEWED = "core.audit.viewed"
KEYS_ROTATED = "core.keys.rotated"
GATEWAY_CHANGED = "messaging.gateway.changed"
GATEWAY_REMOVED = "messaging.gateway.removed"
GATEWAY_PROBLEM_RESOLVED = "messaging.gateway.problem_resolved"
BROADCAST_DRAFTED = "messaging.broadcast.drafted"
BROADCAST_SENT = "messaging.broadcast.sent"
REPORT_FILED = "hotline.report.filed"
REPORT_CHANGED = "hotline.report.changed"
REPORT_CLAIMED = "hotline.report.claimed"
REPORT_CLOSED = "hotline.report.closed"
REPORT_CALLER_VIEWED = "hotline.report.caller_viewed"
REPORT_GROUPED = "hotline.report.grouped"
INCIDENT_OPENED = "hotline.incident.opened"
INCIDENT_MOVED = "hotline.incident.moved"
DRILL_STARTED = "hotline.drill.started"
NUMBER_BLOCKED = "hotline.number.blocked"
CONTENT_SAVED = "hotline.content.saved"
RESPONDER_CREATED = "responders.responder.created"
RESPONDER_CHANGED = "responders.responder.changed"
RESPONDERS_LISTED = "responders.roster.viewed"
RESPONDER_VIEWED = "responders.responder.viewed"
RESPONDERS_ALERTED = "responders.alert.started"
CONFIRMATION_RECORDED = "responders.confirmation.recorded"
BROAD_ALERT_APPROVED = "responders.broad_alert.approved"
BROAD_ALERT_SENT = "responders.broad_alert.sent"
ALL_CLEAR_SENT = "responders.all_clear.sent"
CORRECTION_SENT = "responders.correction.sent"
API_TOKEN_ISSUED = "api.token.issued"  # noqa: S105  # an action name
API_TOKEN_REVOKED = "api.token.revoked"  # noqa: S105  # an action name
SHIFT_CREATED = "shifts.shift.created"
SHIFT_CHANGED = "shifts.shift.changed"
SHIFT_DELETED = "shifts.shift.deleted"
SWAP_OFFERED = "shifts.swap.offered"
SWAP_ACCEPTED = "shifts.swap.accepted"
SWAP_WITHDRAWN = "shifts.swap.withdrawn"
COVER_ASSIGNED = "shifts.cover.assigned"
FALLBACK_CHANGED = "shifts.fallback.changed"
FEED_LINK_CREATED = "shifts.feed_link.created"
FEED_LINK_REVOKED = "shifts.feed_link.revoked"
ZONE_CREATED = "places.zone.created"
ZONE_CHANGED = "places.zone.changed"
ZONE_DELETED = "places.zone.deleted"
ZONE_CELLS_CHANGED = "places.zone.cells_changed"
ZONES_IMPORTED = "places.zones.imported"
MAP_SETTINGS_CHANGED = "places.map_settings.changed"
TRAINING_SCHEDULED = "trainings.session.scheduled"
TRAINING_VIEWED = "trainings.session.viewed"
TRAINING_ATTENDED = "trainings.attendance.marked"
VOUCH_GIVEN = "trainings.vouch.given"
VOUCH_WITHDRAWN = "trainings.vouch.withdrawn"
VOUCHES_LISTED = "trainings.vouches.viewed"
VOUCH_CHAIN_VIEWED = "trainings.vouch_chain.viewed"
ASSEMBLY_SPEAKERS_CHANGED = "assembly.speakers.changed"
ASSEMBLY_ROOM_SETTINGS_CHANGED = "assembly.room.settings_changed"
ASSEMBLY_ITEM_STARTED = "assembly.item.started"
ASSEMBLY_ITEM_FINISHED = "assembly.item.finished"
ASSEMBLY_ITEM_TRANSLATED = "assembly.item.translated"
ASSEMBLY_INTERPRETATION_CHANGED = "assembly.interpretation.changed"
ASSEMBLY_MINUTES_CHANGED = "assembly.minutes.changed"
ASSEMBLY_MINUTES_EXPORTED = "assembly.minutes.exported"
MOBILIZATION_CREATED = "mobilizing.mobilization.created"
MOBILIZATION_CHANGED = "mobilizing.mobilization.changed"
RSVP_RECORDED = "mobilizing.rsvp.recorded"
RSVP_CHECKED_IN = "mobilizing.rsvp.checked_in"
INVITATIONS_SENT = "mobilizing.invitations.sent"
TEAM_MEMBER_ADDED = "places.team.member_added"
TEAM_MEMBER_CHANGED = "places.team.member_changed"
TEAM_MEMBER_REMOVED = "places.team.member_removed"
HOUSEHOLD_ADDED = "places.household.added"
HOUSEHOLD_REMOVED = "places.household.removed"
HOUSEHOLDS_IMPORTED = "places.households.imported"
WALK_LIST_VIEWED = "places.walk_list.viewed"
WALK_LIST_PRINTED = "places.walk_list.printed"
ASSEMBLY_CREATED = "assembly.body.created"
ASSEMBLY_CHANGED = "assembly.body.changed"
MEMBER_ADDED = "assembly.member.added"
MEMBER_CHANGED = "assembly.member.changed"
MEMBER_REMOVED = "assembly.member.removed"
MEETING_CREATED = "assembly.meeting.created"
MEETING_CHANGED = "assembly.meeting.changed"
AGENDA_CHANGED = "assembly.agenda.changed"
ATTACHMENT_ADDED = "assembly.attachment.added"
ATTACHMENT_REMOVED = "assembly.attachment.removed"
TIME_POLL_CREATED = "assembly.time_poll.created"
TIME_POLL_SENT = "assembly.time_poll.sent"
TIME_POLL_CLOSED = "assembly.time_poll.closed"
MEETING_INVITATIONS_SENT = "assembly.invitations.sent"
MEETING_FEED_LINK_CREATED = "assembly.feed_link.created"
MEETING_FEED_LINK_REVOKED = "assembly.feed_link.revoked"
PROPOSAL_CREATED = "assembly.proposal.created"
PROPOSAL_TEXT_SAVED = "assembly.proposal.text_saved"
AMENDMENT_DECIDED = "assembly.amendment.decided"
VOTE_CREATED = "assembly.vote.created"
VOTE_OPENED = "assembly.vote.opened"
VOTE_CLOSED = "assembly.vote.closed"
VOTE_ROOM_COUNTED = "assembly.vote.room_counted"
PROXY_VOTE_RECORDED = "assembly.vote.proxy_recorded"
ACTION_ASSIGNED = "assembly.action.assigned"
ACTION_CHANGED = "assembly.action.changed"
REPORT_BACKS_ADDED = "assembly.report_backs.added"

LABELS = {
    PERSON_VIEWED: _("Viewed a person's contact details"),
    PERSON_CREATED: _("Added a person"),
    PERSON_CHANGED: _("Changed a person"),
    PERSON_SEARCHED: _("Searched people by phone number"),
    PEOPLE_IMPORTED: _("Imported people from a file"),
    PEOPLE_EXPORTED: _("Exported people to a file"),
    STAGE_RECORDED: _("Recorded a step on a person's ladder"),
    CIRCLE_CREATED: _("Added a circle"),
    CIRCLE_CHANGED: _("Changed a circle"),
    CIRCLE_MEMBER_ADDED: _("Added a person to a circle"),
    CIRCLE_MEMBER_CHANGED: _("Changed whether a person vouches for a circle"),
    CIRCLE_MEMBER_REMOVED: _("Removed a person from a circle"),
    CONSENT_RECORDED: _("Recorded a person's consent to be contacted"),
    USER_CREATED: _("Created an account"),
    USER_ROLES_CHANGED: _("Changed an account's roles"),
    USER_DEACTIVATED: _("Deactivated an account"),
    USER_REACTIVATED: _("Reactivated an account"),
    USER_LOGGED_IN: _("Logged in"),
    USER_LOGIN_LOCKED: _("Login locked after failed attempts"),
    USER_UNLOCKED: _("Unlocked an account's login"),
    # A context of its own: the same words are also the title of the set-up page, and languages
    # that tell "did" from "do" need the past tense here.
    USER_TWO_FACTOR_ENABLED: pgettext_lazy("audit log entry", "Set up two-factor login"),
    USER_TWO_FACTOR_RESET: _("Reset an account's two-factor login"),
    AUDIT_LOG_VIEWED: _("Viewed the audit log"),
    KEYS_ROTATED: _("Re-encrypted stored data with the newest key"),
    GATEWAY_CHANGED: _("Changed a gateway's settings"),
    GATEWAY_REMOVED: _("Removed a gateway"),
    GATEWAY_PROBLEM_RESOLVED: _("Marked a gateway problem as resolved"),
    BROADCAST_DRAFTED: _("Drafted a broadcast"),
    BROADCAST_SENT: _("Sent a broadcast"),
    REPORT_FILED: _("Filed a hotline report"),
    REPORT_CHANGED: _("Changed a hotline report"),
    REPORT_CLAIMED: _("Claimed a hotline report"),
    REPORT_CLOSED: _("Closed a hotline report"),
    REPORT_CALLER_VIEWED: _("Viewed a caller's phone number"),
    REPORT_GROUPED: _("Grouped a report into an incident"),
    INCIDENT_OPENED: _("Opened an incident"),
    INCIDENT_MOVED: _("Moved an incident to a new step"),
    DRILL_STARTED: _("Started a drill"),
    NUMBER_BLOCKED: _("Blocked a number from the hotline"),
    CONTENT_SAVED: _("Saved a new version of a hotline text"),
    RESPONDER_CREATED: _("Made a person a responder"),
    RESPONDER_CHANGED: _("Changed a responder's availability, place or eligibility"),
    RESPONDERS_LISTED: _("Viewed the list of responders"),
    RESPONDER_VIEWED: _("Viewed a responder's area and availability"),
    RESPONDERS_ALERTED: _("Alerted responders about an incident"),
    CONFIRMATION_RECORDED: _("Recorded a responder's confirmation"),
    BROAD_ALERT_APPROVED: _("Approved an incident's broad alert"),
    BROAD_ALERT_SENT: _("Sent a broad alert"),
    ALL_CLEAR_SENT: _("Sent an all-clear"),
    CORRECTION_SENT: _("Sent a correction of an unfounded report"),
    API_TOKEN_ISSUED: _("Issued an API token"),
    API_TOKEN_REVOKED: _("Revoked an API token"),
    SHIFT_CREATED: _("Added a shift to the dispatchers' rota"),
    SHIFT_CHANGED: _("Changed a shift on the dispatchers' rota"),
    SHIFT_DELETED: _("Removed a shift from the dispatchers' rota"),
    SWAP_OFFERED: _("Offered a shift for a swap"),
    SWAP_ACCEPTED: _("Took over a colleague's shift"),
    SWAP_WITHDRAWN: _("Withdrew a shift swap offer"),
    COVER_ASSIGNED: _("Assigned cover for a dispatcher's shift"),
    FALLBACK_CHANGED: _("Changed the fallback list for calls"),
    FEED_LINK_CREATED: _("Made a new shift calendar link"),
    FEED_LINK_REVOKED: _("Stopped a shift calendar link"),
    ZONE_CREATED: _("Added a zone"),
    ZONE_CHANGED: _("Changed a zone's name or ZIP codes"),
    ZONE_DELETED: _("Deleted a zone"),
    ZONE_CELLS_CHANGED: _("Drew a zone on the map"),
    ZONES_IMPORTED: _("Imported zones from a file"),
    MAP_SETTINGS_CHANGED: _("Changed the map settings"),
    TRAINING_SCHEDULED: _("Scheduled a training session"),
    TRAINING_VIEWED: _("Viewed who attended a training session"),
    TRAINING_ATTENDED: _("Marked someone present at a training"),
    VOUCH_GIVEN: _("Vouched for a responder"),
    VOUCH_WITHDRAWN: _("Withdrew a vouch for a responder"),
    VOUCHES_LISTED: _("Viewed the responders waiting for vouches"),
    VOUCH_CHAIN_VIEWED: _("Viewed a responder's vouch chain"),
    ASSEMBLY_SPEAKERS_CHANGED: _("Changed a speakers' list"),
    ASSEMBLY_ROOM_SETTINGS_CHANGED: _("Changed how a meeting's room runs"),
    ASSEMBLY_ITEM_STARTED: _("Made an agenda item the current one"),
    ASSEMBLY_ITEM_FINISHED: _("Finished an agenda item"),
    ASSEMBLY_ITEM_TRANSLATED: _("Changed an agenda item's translated titles"),
    ASSEMBLY_INTERPRETATION_CHANGED: _("Changed who interprets at a meeting"),
    ASSEMBLY_MINUTES_CHANGED: _("Changed a meeting's minutes or attendance"),
    ASSEMBLY_MINUTES_EXPORTED: _("Exported a meeting's minutes"),
    MOBILIZATION_CREATED: _("Added a mobilization"),
    MOBILIZATION_CHANGED: _("Changed a mobilization"),
    RSVP_RECORDED: _("Recorded an answer to a mobilization"),
    RSVP_CHECKED_IN: _("Checked someone in at a mobilization"),
    INVITATIONS_SENT: _("Sent invitations to a mobilization"),
    TEAM_MEMBER_ADDED: _("Added a person to a precinct team"),
    TEAM_MEMBER_CHANGED: _("Changed a precinct team member's role"),
    TEAM_MEMBER_REMOVED: _("Took a person off a precinct team"),
    HOUSEHOLD_ADDED: _("Added a household to a walk list"),
    HOUSEHOLD_REMOVED: _("Removed a household from a walk list"),
    HOUSEHOLDS_IMPORTED: _("Imported households into a walk list"),
    WALK_LIST_VIEWED: _("Viewed a walk list"),
    WALK_LIST_PRINTED: _("Printed a walk list"),
    ASSEMBLY_CREATED: _("Created an assembly or group"),
    ASSEMBLY_CHANGED: _("Changed an assembly or group"),
    MEMBER_ADDED: _("Added a member to an assembly or group"),
    MEMBER_CHANGED: _("Changed a member's role in an assembly or group"),
    MEMBER_REMOVED: _("Removed a member from an assembly or group"),
    MEETING_CREATED: _("Scheduled a meeting"),
    MEETING_CHANGED: _("Changed a meeting"),
    AGENDA_CHANGED: _("Changed a meeting's agenda"),
    ATTACHMENT_ADDED: _("Attached a file to a meeting"),
    ATTACHMENT_REMOVED: _("Removed a file from a meeting"),
    TIME_POLL_CREATED: _("Started a time poll"),
    TIME_POLL_SENT: _("Sent a time poll to members"),
    TIME_POLL_CLOSED: _("Closed a time poll"),
    MEETING_INVITATIONS_SENT: _("Sent meeting invitations"),
    MEETING_FEED_LINK_CREATED: _("Made a new meeting calendar link"),
    MEETING_FEED_LINK_REVOKED: _("Stopped a meeting calendar link"),
    PROPOSAL_CREATED: _("Brought a proposal to an assembly"),
    PROPOSAL_TEXT_SAVED: _("Wrote or translated a proposal's text"),
    AMENDMENT_DECIDED: _("Recorded an amendment as accepted or rejected"),
    VOTE_CREATED: _("Set up a vote on a proposal"),
    VOTE_OPENED: _("Opened a vote"),
    VOTE_CLOSED: _("Closed a vote and recorded the decision"),
    VOTE_ROOM_COUNTED: _("Entered the room's count for a vote"),
    PROXY_VOTE_RECORDED: _("Recorded a proxy vote for a member"),
    ACTION_ASSIGNED: _("Assigned an action from a decision"),
    ACTION_CHANGED: _("Marked an action done or dropped"),
    REPORT_BACKS_ADDED: _("Put open actions on a meeting's agenda as report-backs"),
}


def record(
    actor: User | None,
    action: str,
    target: Model | None = None,
    **detail: Any,
) -> AuditEvent:
    """Append one entry. Call inside the transaction of the change it records, so that the change
    and its record land together or not at all."""
    from vecinos.core.models import AuditEvent

    if action not in LABELS:
        raise ValueError(f"unknown audit action {action!r}; add it to vecinos.core.audit")
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_name=actor.get_username() if actor is not None and actor.is_authenticated else "",
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        detail=detail,
    )
