"""Demo data for the popular assembly: a citywide assembly coordinating Pico-Union's neighborhood
assembly, with two working groups, a breakout group and a sanctuary team at a school; an upcoming
meeting with a full agenda (time boxes, presenters, an agenda in PDF), last month's closed
meeting, and a time poll some members already answered, on the web and by text."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from vecinos.assembly.choices import (
    AnsweredBy,
    AssemblyKind,
    MeetingStatus,
    MemberRole,
    QuorumKind,
    SanctuaryPlaceKind,
    SlotAnswer,
)
from vecinos.assembly.models import (
    AgendaItem,
    Assembly,
    Attachment,
    Meeting,
    Membership,
    SlotVote,
    TimePoll,
    TimeSlot,
)
from vecinos.core.models import User
from vecinos.core.pdf import render_pdf
from vecinos.organizing.models import Person

AGENDA = (
    # (title, minutes, presenter's demo username or None)
    ("Bienvenida, acuerdos de convivencia e interpretación", 10, "facilitator"),
    ("Informe de la Comisión de Respuesta Rápida", 15, "responder"),
    ("Propuesta: defensa colectiva de inquilinos en la calle Alvarado", 30, "organizer"),
    ("Equipo santuario de la Escuela Hoover: qué necesita", 15, None),
    ("Turno abierto de palabra", 15, None),
    ("Próximos pasos y responsables", 5, "facilitator"),
)


def _local(day: datetime, hour: int, minute: int = 0) -> datetime:
    zone = timezone.get_default_timezone()
    return datetime.combine(day.astimezone(zone).date(), time(hour, minute), tzinfo=zone)


def _next_weekday(now: datetime, weekday: int, at_least_days: int) -> datetime:
    day = now + timedelta(days=at_least_days)
    while day.astimezone(timezone.get_default_timezone()).weekday() != weekday:
        day += timedelta(days=1)
    return day


def populate(rng: random.Random) -> dict[str, int]:
    """Create the bodies, members, meetings and a time poll. Call after organizing's demo."""
    now = timezone.now()
    accounts = {u.username: u for u in User.objects.filter(is_demo=True)}
    by_account = {p.account_id: p for p in Person.objects.filter(account__in=accounts.values())}

    def person(username: str) -> Person:
        return by_account[accounts[username].id]

    citywide = Assembly.objects.create(
        name="Asamblea Popular de Los Ángeles",
        kind=AssemblyKind.CITYWIDE,
        languages=["es", "en", "ko"],
        quorum_kind=QuorumKind.COUNT,
        quorum_value=25,
        is_demo=True,
    )
    assembly = Assembly.objects.create(
        name="Asamblea Vecinal de Pico-Union",
        kind=AssemblyKind.NEIGHBORHOOD,
        parent=citywide,
        languages=["es", "ko", "en"],
        quorum_kind=QuorumKind.PERCENT,
        quorum_value=30,
        allow_proxy=True,
        is_demo=True,
    )
    rapid = Assembly.objects.create(
        name="Comisión de Respuesta Rápida",
        kind=AssemblyKind.WORKING_GROUP,
        parent=assembly,
        languages=["es", "ko"],
        is_demo=True,
    )
    housing = Assembly.objects.create(
        name="Comisión de Vivienda",
        kind=AssemblyKind.WORKING_GROUP,
        parent=assembly,
        languages=["es", "en"],
        is_demo=True,
    )
    north = Assembly.objects.create(
        name="Grupo de la zona norte (Westlake)",
        kind=AssemblyKind.BREAKOUT,
        parent=assembly,
        languages=["es"],
        is_demo=True,
    )
    sanctuary = Assembly.objects.create(
        name="Equipo santuario de la Escuela Primaria Hoover",
        kind=AssemblyKind.SANCTUARY_TEAM,
        sanctuary_place_kind=SanctuaryPlaceKind.SCHOOL,
        parent=assembly,
        languages=["es", "en"],
        secret_ballot_default=True,
        is_demo=True,
    )

    # Everyone with a demo login but the partner is in the neighborhood assembly, plus neighbors
    # without a login (members reached by text).
    roles = {
        "facilitator": MemberRole.FACILITATOR,
        "organizer": MemberRole.FACILITATOR,
        "responder": MemberRole.NOTE_TAKER,
    }
    in_assembly = [person(u) for u in accounts if u != "partner" and u in _LOGINS]
    others = [
        p
        for p in Person.objects.filter(is_demo=True, account__isnull=True).order_by("id")[:60]
        if p.phone
    ][:40]
    neighbors = rng.sample(others, min(24, len(others)))
    memberships = [
        Membership(
            assembly=assembly,
            person=p,
            role=roles.get(p.account.username if p.account else "", MemberRole.MEMBER),
        )
        for p in in_assembly + neighbors
    ]
    memberships += [
        Membership(assembly=rapid, person=person("responder"), role=MemberRole.FACILITATOR),
        Membership(assembly=rapid, person=person("dispatcher"), role=MemberRole.MEMBER),
        Membership(assembly=rapid, person=person("facilitator"), role=MemberRole.MEMBER),
        Membership(assembly=housing, person=person("organizer"), role=MemberRole.FACILITATOR),
        Membership(assembly=housing, person=person("member"), role=MemberRole.MEMBER),
        Membership(assembly=north, person=person("member"), role=MemberRole.FACILITATOR),
        Membership(assembly=sanctuary, person=person("organizer"), role=MemberRole.FACILITATOR),
        Membership(assembly=citywide, person=person("coordinator"), role=MemberRole.FACILITATOR),
        Membership(assembly=citywide, person=person("facilitator"), role=MemberRole.MEMBER),
    ]
    memberships += [
        Membership(assembly=housing, person=p, role=MemberRole.MEMBER) for p in neighbors[:8]
    ]
    memberships += [
        Membership(assembly=sanctuary, person=p, role=MemberRole.MEMBER) for p in neighbors[8:13]
    ]
    Membership.objects.bulk_create(memberships)

    # The coming assembly: next Tuesday at 18:30, in the school's cafeteria.
    starts = _local(_next_weekday(now, 1, 2), 18, 30)
    meeting = Meeting.objects.create(
        assembly=assembly,
        title="Asamblea vecinal de " + _month_name(starts),
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        place="Escuela Primaria Hoover, cafetería (entrada por la calle 9)",
        online_link="https://meet.jit.si/asamblea-pico-union",
        languages=["es", "ko", "en"],
        interpretation_needed=["ko", "en", "mix"],
        created_by=accounts["facilitator"],
        is_demo=True,
    )
    for position, (title, minutes, presenter) in enumerate(AGENDA, start=1):
        AgendaItem.objects.create(
            meeting=meeting,
            position=position,
            title=title,
            time_box_minutes=minutes,
            presenter=person(presenter) if presenter else None,
        )
    agenda_pdf = render_pdf(
        "Orden del día — 회의 안건",
        [
            (
                "Asamblea Vecinal de Pico-Union / 피코유니언 주민 총회",
                [f"- {title} ({minutes} min)" for title, minutes, _p in AGENDA],
            ),
            (
                "Interpretación / 통역",
                [
                    "Coreano, inglés y mixteco en las mesas del fondo.",
                    "한국어 통역은 뒷자리에 있습니다.",
                ],
            ),
        ],
        intro=["Escuela Primaria Hoover, cafetería"],
        footer="Vecinos",
        language="es",
    )
    attachment = Attachment(
        meeting=meeting,
        name="orden-del-dia.pdf",
        content_type="application/pdf",
        size=len(agenda_pdf),
        uploaded_by=accounts["facilitator"],
    )
    attachment.file.save("orden-del-dia.pdf", ContentFile(agenda_pdf), save=False)
    attachment.save()

    # The assemblies of the past year, closed, each with the count taken in the room: a dozen
    # neighbors at first, more as the network grew (the growth dashboard charts them).
    for months_ago, present in zip(
        range(11, 1, -1), (9, 12, 11, 15, 14, 19, 22, 21, 27, 33), strict=True
    ):
        held = _local(now - timedelta(days=28 + 30 * (months_ago - 1)), 18, 30)
        Meeting.objects.create(
            assembly=assembly,
            title="Asamblea vecinal de " + _month_name(held),
            starts_at=held,
            ends_at=held + timedelta(hours=2),
            place="Escuela Primaria Hoover, cafetería",
            languages=["es", "ko", "en"],
            status=MeetingStatus.CLOSED,
            attendance_count=present,
            created_by=accounts["facilitator"],
            is_demo=True,
        )
    # Last month's assembly, closed, with its attendance.
    past = _local(now - timedelta(days=28), 18, 30)
    Meeting.objects.create(
        assembly=assembly,
        title="Asamblea vecinal de " + _month_name(past),
        starts_at=past,
        ends_at=past + timedelta(hours=2),
        place="Escuela Primaria Hoover, cafetería",
        languages=["es", "ko", "en"],
        status=MeetingStatus.CLOSED,
        attendance_count=41,
        created_by=accounts["facilitator"],
        is_demo=True,
    )
    Meeting.objects.create(
        assembly=sanctuary,
        title="Reunión del equipo santuario: plan para la entrada y salida de clases",
        starts_at=_local(_next_weekday(now, 3, 1), 15, 30),
        place="Escuela Primaria Hoover, salón de madres y padres",
        languages=["es", "en"],
        interpretation_needed=["en"],
        created_by=accounts["organizer"],
        is_demo=True,
    )

    # The housing group looks for a time: weeknights late for night-shift workers, or Sunday.
    poll = TimePoll.objects.create(
        assembly=housing,
        title="Reunión de la Comisión de Vivienda",
        code="H-demo",
        closes_at=now + timedelta(days=4),
        created_by=accounts["organizer"],
    )
    poll.code = f"H{poll.id}"
    poll.save(update_fields=["code"])
    base = _next_weekday(now, 2, 6)
    slots = [
        TimeSlot.objects.create(
            poll=poll, position=1, starts_at=_local(base, 19), ends_at=_local(base, 20, 30)
        ),
        TimeSlot.objects.create(
            poll=poll,
            position=2,
            starts_at=_local(base + timedelta(days=1), 21),
            ends_at=_local(base + timedelta(days=1), 22, 30),
        ),
        TimeSlot.objects.create(
            poll=poll,
            position=3,
            starts_at=_local(base + timedelta(days=4), 11),
            ends_at=_local(base + timedelta(days=4), 12, 30),
        ),
    ]
    answers = 0
    for index, neighbor in enumerate(neighbors[:6]):
        for slot in slots:
            answer = rng.choices(
                [SlotAnswer.YES, SlotAnswer.IF_NEED_BE, SlotAnswer.NO], weights=[5, 3, 2]
            )[0]
            SlotVote.objects.create(
                slot=slot,
                person=neighbor,
                answer=answer,
                answered_by=AnsweredBy.TEXT if index % 2 else AnsweredBy.WEB,
                answered_at=now - timedelta(hours=index + 1),
            )
            answers += 1
    counts = {
        "assembly_bodies": Assembly.objects.count(),
        "assembly_members": len(memberships),
        "assembly_meetings": Meeting.objects.count(),
        "time_poll_answers": answers,
    }
    # Proposals, decisions and actions (assembly-proposals' part).
    from vecinos.assembly import demo_proposals

    counts.update(demo_proposals.populate(rng))
    # Tonight's meeting in progress: speakers, interpreters, minutes (assembly-room's part).
    from vecinos.assembly import demo_room

    counts.update(demo_room.populate(rng))
    return counts


_LOGINS = {"coordinator", "dispatcher", "organizer", "facilitator", "responder", "member"}

_MONTHS = (
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
)


def _month_name(at: datetime) -> str:
    return _MONTHS[at.astimezone(timezone.get_default_timezone()).month - 1]
