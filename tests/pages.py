"""Every page the project routes, found from the URL resolver: a new page is tested by default."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from vecinos.assembly.choices_proposals import Outcome, VoteMethod, VoteStatus
from vecinos.assembly.models import AgendaItem, Assembly, Attachment, Meeting, TimePoll, TimeSlot
from vecinos.assembly.models_proposals import Decision, Proposal, ProposalText, Vote, VoteOption
from vecinos.core.models import User
from vecinos.core.permissions import Capability
from vecinos.hotline.choices import ContentKind, IncidentStatus, ReportChannel
from vecinos.hotline.models import Incident, IncidentStep, Report
from vecinos.messaging.choices import Audience, BroadcastStatus, Channel
from vecinos.messaging.models import Broadcast
from vecinos.mobilizing.models import Mobilization
from vecinos.organizing.choices import CircleKind, ImportStatus
from vecinos.organizing.models import Circle, CircleMembership, ImportJob, Person
from vecinos.places.choices import ZoneKind
from vecinos.places.models import Household, TeamMember, Zone, ZoneCell
from vecinos.responders.models import Responder
from vecinos.shifts.models import Shift
from vecinos.trainings.choices import TrainingKind
from vecinos.trainings.models import TrainingSession

# A cell of downtown Los Angeles at the network's resolution, for the zone pages.
SAMPLE_CELL = "8829a1d757fffff"


@dataclass(frozen=True)
class Page:
    name: str  # "namespace:name"
    pattern: URLPattern

    @property
    def required_capability(self) -> Capability | None:
        """What ``permissions.requires`` declared for the view (tests/test_project_rules.py
        checks that every page declares it)."""
        return getattr(self.pattern.callback, "required_capability", None)

    def url(self, person: Person, account: User) -> str:
        """The page's address; pages about one record point at ``person`` or ``account``."""
        kwargs: dict[str, int | str] = {}
        converters = self.pattern.pattern.converters
        for parameter in converters:
            if parameter == "person_id":
                kwargs[parameter] = person.pk
            elif parameter == "account_id":
                kwargs[parameter] = account.pk
            elif parameter == "name" and self.name == "messaging:gateway_edit":
                kwargs[parameter] = "simulator"
            elif parameter == "broadcast_id":
                kwargs[parameter] = draft_broadcast(account).pk
            elif parameter == "responder_id":
                kwargs[parameter] = Responder.objects.get_or_create(person=person)[0].pk
            elif parameter == "shift_id":
                kwargs[parameter] = rota_shift().pk
            elif parameter == "token" and self.name == "shifts:feed":
                kwargs[parameter] = "not-a-real-calendar-token-0123456789abcdef"
            elif parameter == "zone_id" and self.name in PRECINCT_PAGES:
                kwargs[parameter] = sample_precinct().pk
            elif parameter == "zone_id":
                kwargs[parameter] = sample_zone().pk
            elif parameter == "member_id" and self.name == "places:team_member":
                kwargs[parameter] = sample_team_member(person).pk
            elif parameter == "household_id" and self.name == "places:household_delete":
                kwargs[parameter] = sample_household().pk
            elif parameter == "cell":
                kwargs[parameter] = SAMPLE_CELL
            elif parameter == "report_id":
                kwargs[parameter] = hotline_report().pk
            elif parameter == "incident_id":
                kwargs[parameter] = hotline_incident().pk
            elif parameter == "session_id":
                kwargs[parameter] = training_session(account).pk
            elif parameter == "circle_id":
                kwargs[parameter] = sample_circle(person).pk
            elif parameter == "job_id":
                kwargs[parameter] = sample_import(account).pk
            elif parameter == "kind" and self.name == "hotline:content_edit":
                kwargs[parameter] = ContentKind.DISPATCHER_SCRIPT
            elif parameter == "language" and self.name == "hotline:content_edit":
                kwargs[parameter] = "es"
            elif parameter == "body_id":
                kwargs[parameter] = sample_meeting().assembly_id
            elif parameter == "meeting_id":
                kwargs[parameter] = sample_meeting().id
            elif parameter == "item_id":
                kwargs[parameter] = sample_agenda_item().id
            elif parameter == "attachment_id":
                kwargs[parameter] = sample_attachment().id
            elif parameter == "poll_id":
                kwargs[parameter] = sample_time_poll().id
            elif parameter == "token" and self.name == "assembly:feed":
                kwargs[parameter] = "not-a-real-calendar-token-0123456789abcdef"
            elif parameter == "proposal_id":
                kwargs[parameter] = sample_proposal().pk
            elif parameter == "vote_id":
                kwargs[parameter] = sample_decision().vote_id
            elif parameter == "decision_id":
                kwargs[parameter] = sample_decision().pk
            elif parameter == "language" and self.name == "assembly:proposal_text":
                kwargs[parameter] = "ko"
            elif parameter == "mobilization_id":
                kwargs[parameter] = bus_mobilization().pk
            else:
                raise AssertionError(f"{self.name}: teach tests/pages.py to fill in {parameter}")
        return reverse(self.name, kwargs=kwargs)


def sample_circle(member: Person) -> Circle:
    """A circle with ``member`` in it, vouching (made once, through the ORM, unaudited)."""
    circle, _created = Circle.objects.get_or_create(
        name="Parroquia San Judas", defaults={"kind": CircleKind.CHURCH}
    )
    CircleMembership.objects.get_or_create(
        circle=circle, person=member, defaults={"vouches_for_circle": True}
    )
    return circle


def sample_import(uploader: User) -> ImportJob:
    """A rejected web import with one bad row (made once, through the ORM)."""
    existing = ImportJob.objects.order_by("id").first()
    return existing or ImportJob.objects.create(
        created_by=uploader,
        file_name="people.csv",
        status=ImportStatus.REJECTED,
        total_rows=2,
        checked_rows=2,
        errors=[[3, "phone", "not a phone number: 'abc'"]],
    )


def draft_broadcast(author: User) -> Broadcast:
    """A draft broadcast for the broadcast pages (made once, through the ORM, unaudited)."""
    existing = Broadcast.objects.filter(status=BroadcastStatus.DRAFT).order_by("id").first()
    return existing or Broadcast.objects.create(
        channel=Channel.SMS,
        audience=Audience.ALERT_LIST,
        bodies={"es": "Asamblea el martes a las 7"},
        fallback_language="es",
        created_by=author,
    )


def training_session(trainer: User) -> TrainingSession:
    """A first-responder training happening now (made once, through the ORM, unaudited)."""
    existing = TrainingSession.objects.order_by("id").first()
    now = timezone.now()
    return existing or TrainingSession.objects.create(
        kind=TrainingKind.FIRST_RESPONDER,
        title="Rapid response basics",
        place="Union hall",
        starts_at=now,
        ends_at=now + timedelta(hours=3),
        code="KR4821",
        trainer=trainer,
        created_by=trainer,
    )


def rota_shift() -> Shift:
    """A shift on the rota for the rota pages (made once, through the ORM, unaudited)."""
    existing = Shift.objects.order_by("id").first()
    return existing or Shift.objects.create(weekday=0, starts_at=time(22), ends_at=time(6))


def sample_zone() -> Zone:
    """A zone of one cell for the zone pages (made once, through the ORM, unaudited)."""
    zone, created = Zone.objects.get_or_create(
        name_key="pages", defaults={"name": "Pages", "centre_cell": SAMPLE_CELL}
    )
    if created:
        ZoneCell.objects.create(cell=SAMPLE_CELL, zone=zone)
    return zone


PRECINCT_PAGES = {
    "places:precinct_team",
    "places:team_member",
    "places:walk_list",
    "places:walk_list_pdf",
    "places:household_delete",
}


def sample_precinct() -> Zone:
    """A precinct of one cell for the precinct pages (made once, through the ORM, unaudited)."""
    zone, created = Zone.objects.get_or_create(
        kind=ZoneKind.PRECINCT,
        name_key="pages precinct",
        defaults={"name": "Pages precinct", "centre_cell": SAMPLE_CELL},
    )
    if created:
        ZoneCell.objects.create(cell=SAMPLE_CELL, zone=zone, kind=ZoneKind.PRECINCT)
    return zone


def sample_team_member(person: Person) -> TeamMember:
    return TeamMember.objects.get_or_create(zone=sample_precinct(), person=person)[0]


def sample_household() -> Household:
    """A household with a Korean note, so the printed walk list needs the Hangul font."""
    existing = Household.objects.filter(zone=sample_precinct()).first()
    return existing or Household.objects.create(
        zone=sample_precinct(), address="512 S Mariposa Ave", language="ko", notes="저녁에 방문"
    )


def hotline_report() -> Report:
    """An open text report with a caller, in no incident (made once, through the ORM, unaudited)."""
    existing = Report.objects.filter(incident__isnull=True).order_by("id").first()
    return existing or Report.objects.create(
        channel=ReportChannel.TEXT,
        language="es",
        what_seen="Dos camionetas sin placas frente a la lavandería",
        place="Calle 3 y Vermont",
        caller="+13235550150",
    )


def hotline_incident() -> Incident:
    """An open incident with one report and its first step."""
    existing = Incident.objects.order_by("id").first()
    if existing is not None:
        return existing
    incident = Incident.objects.create(summary="Agentes en la tienda", place="Calle 3 y Vermont")
    IncidentStep.objects.create(incident=incident, status=IncidentStatus.REPORTED)
    Report.objects.create(
        channel=ReportChannel.WEB, language="en", what_seen="Agents at the store", incident=incident
    )
    return incident


def sample_meeting() -> Meeting:
    """An assembly with a planned meeting (made once, through the ORM, unaudited)."""
    existing = Meeting.objects.order_by("id").first()
    if existing is not None:
        return existing
    body = Assembly.objects.create(name="Asamblea de Pico-Union", languages=["es", "en"])
    return Meeting.objects.create(
        assembly=body,
        title="Asamblea de noviembre",
        starts_at=datetime(2030, 11, 5, 2, tzinfo=UTC),
        place="Escuela Hoover",
        languages=["es", "en"],
    )


def sample_agenda_item() -> AgendaItem:
    meeting = sample_meeting()
    existing = meeting.agenda_items.order_by("id").first()
    return existing or AgendaItem.objects.create(
        meeting=meeting, position=1, title="Informe de la brigada", time_box_minutes=10
    )


def sample_attachment() -> Attachment:
    meeting = sample_meeting()
    existing = meeting.attachments.order_by("id").first()
    if existing is not None:
        return existing
    attachment = Attachment(
        meeting=meeting, name="orden-del-dia.txt", content_type="text/plain", size=12
    )
    attachment.file.save("orden-del-dia.txt", ContentFile(b"Orden del dia"), save=False)
    attachment.save()
    return attachment


def sample_time_poll() -> TimePoll:
    existing = TimePoll.objects.order_by("id").first()
    if existing is not None:
        return existing
    poll = TimePoll.objects.create(
        assembly=sample_meeting().assembly, title="Asamblea de diciembre", code="H-pages"
    )
    start = datetime(2030, 12, 1, 2, tzinfo=UTC)
    for position in (1, 2):
        TimeSlot.objects.create(
            poll=poll, position=position, starts_at=start + timedelta(days=position)
        )
    return poll


def sample_proposal() -> Proposal:
    """A proposal in Spanish only (so the Korean text shows as missing), made once."""
    existing = Proposal.objects.order_by("id").first()
    if existing is not None:
        return existing
    proposal = Proposal.objects.create(
        assembly=sample_meeting().assembly, meeting=sample_meeting(), original_language="es"
    )
    ProposalText.objects.create(
        proposal=proposal, language="es", title="Segundo turno", body="Un turno de noche."
    )
    return proposal


def sample_decision() -> Decision:
    """A closed ranked-choice vote on the sample proposal and its decision, made once."""
    existing = Decision.objects.order_by("id").first()
    if existing is not None:
        return existing
    proposal = sample_proposal()
    vote = Vote.objects.create(
        proposal=proposal, method=VoteMethod.IRV, code="PG77", status=VoteStatus.CLOSED
    )
    for position, label in enumerate(("Turno de noche", "Talleres", "Fondo legal")):
        VoteOption.objects.create(vote=vote, position=position, labels={"es": label})
    result = {
        "method": "irv",
        "rows": [["A", 3, 1, 4], ["B", 2, 1, 3], ["C", 1, 1, 2]],
        "abstain": 0,
        "rounds": [
            {"number": 1, "counts": {"A": 4, "B": 3, "C": 2}, "exhausted": 0,
             "eliminated": ["C"], "elected": None, "tie": None},
            {"number": 2, "counts": {"A": 5, "B": 4}, "exhausted": 0, "eliminated": [],
             "elected": "A", "tie": None},
        ],
        "table": [["A", [4, 5]], ["B", [3, 4]], ["C", [2, None]]],
        "exhausted": [0, 0],
        "winner": "A",
    }  # fmt: skip
    return Decision.objects.create(
        assembly=proposal.assembly,
        meeting=proposal.meeting,
        proposal=proposal,
        vote=vote,
        method=VoteMethod.IRV,
        outcome=Outcome.CHOSEN,
        result=result,
        participants=9,
    )


def bus_mobilization() -> Mobilization:
    """A coming bus with seats (made once, through the ORM, unaudited)."""
    existing = Mobilization.objects.order_by("id").first()
    return existing or Mobilization.objects.create(
        title="Bus to the rally",
        starts_at=timezone.now() + timedelta(days=3),
        place="Parque MacArthur",
        capacity=40,
        code="PAGES",
    )


def all_pages() -> list[Page]:
    """Every named page for people. Webhooks answer providers, not people: their signature checks
    are tested with each gateway."""
    found: list[Page] = []

    def walk(patterns: list[URLPattern | URLResolver], namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "api-v1":
                    continue  # the JSON API answers tokens, not sessions: tests/api/
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif not pattern.callback.__module__.endswith(".webhooks"):
                assert pattern.name, f"unnamed page {pattern.pattern}"
                found.append(Page(f"{namespace}:{pattern.name}", pattern))

    walk(get_resolver().url_patterns, "")
    assert found
    return found
