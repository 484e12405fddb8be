"""Demo data for proposals and decisions: last month's meeting decided a second night dispatch
shift by consensus (with an amendment and a discussion) and set the quarter's priorities by
ranked choice over several rounds (votes from the web, by text and paper ballots from the room);
actions for the rapid response working group and for a person, one overdue; and tonight a ranked
vote open to texts, so the phone simulator can vote with its code.

Called by :func:`vecinos.assembly.demo.populate` after the bodies and the demo accounts exist;
it finds the demo neighborhood assembly, or makes one.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from vecinos.assembly import proposals as services
from vecinos.assembly.choices import AssemblyKind, MeetingStatus, MemberRole
from vecinos.assembly.choices_proposals import ActionStatus, TakingPart, VoteMethod
from vecinos.assembly.models import Assembly, Meeting, Membership
from vecinos.assembly.models_proposals import Proposal, Vote
from vecinos.assembly.voting import Choice
from vecinos.core.models import User
from vecinos.organizing.models import Person

PRIORITIES = [
    {"es": "Turnos de despacho en coreano por la noche", "en": "Korean-speaking night dispatch",
     "ko": "야간 한국어 상황실"},
    {"es": "Talleres de Conozca sus Derechos en las escuelas", "en": "Know-your-rights workshops "
     "at the schools", "ko": "학교에서 권리 교육"},
    {"es": "Volantes en las paradas de autobús", "en": "Flyers at the bus stops",
     "ko": "버스 정류장 전단지"},
    {"es": "Fondo de fianzas", "en": "Bail fund", "ko": "보석금 기금"},
    {"es": "Red de iglesias santuario", "en": "Sanctuary church network",
     "ko": "피난처 교회 네트워크"},
]  # fmt: skip
# Ballots for the priorities, as letters: enough spread that the count takes several rounds.
ROOM_BALLOTS = ["A C"] * 6 + ["B A"] * 5 + ["C B A"] * 4 + ["D B"] * 3 + ["E D B"] * 2 + ["D"] * 1
REMOTE_BALLOTS = ("A", "B C", "C A", "D E B", "B", "A B", "E B")
TONIGHT_OPTIONS = [
    {"es": "Apoyar la huelga de alquileres con una marcha", "en": "Support the rent strike with a "
     "march", "ko": "행진으로 임대료 파업 지원"},
    {"es": "Apoyar con asesoría legal", "en": "Support with legal advice",
     "ko": "법률 상담으로 지원"},
    {"es": "Recaudar fondos para los inquilinos", "en": "Raise funds for the tenants",
     "ko": "세입자를 위한 모금"},
]  # fmt: skip


def _assembly() -> Assembly:
    found = (
        Assembly.objects.filter(is_demo=True, kind=AssemblyKind.NEIGHBORHOOD).order_by("id").first()
    )
    return found or Assembly.objects.create(
        name="Asamblea Popular de Koreatown",
        kind=AssemblyKind.NEIGHBORHOOD,
        languages=["es", "ko", "en"],
        is_demo=True,
    )


def _runner(assembly: Assembly) -> User:
    user = (
        User.objects.filter(username="facilitator", is_demo=True).first()
        or User.objects.filter(username="coordinator", is_demo=True).first()
    )
    if user is None:
        raise RuntimeError("run organizing's demo first: it makes the demo accounts")
    person = Person.objects.filter(account=user).first()
    if person is not None:
        Membership.objects.get_or_create(
            assembly=assembly, person=person, defaults={"role": MemberRole.FACILITATOR}
        )
    return user


def _members(assembly: Assembly, rng: random.Random) -> list[Person]:
    """The assembly's members: demo people with phones, some joining now."""
    people = [p for p in Person.objects.filter(is_demo=True).order_by("id")[:60] if p.phone][:40]
    for person in rng.sample(people, min(24, len(people))):
        Membership.objects.get_or_create(assembly=assembly, person=person)
    member_account = Person.objects.filter(account__username="member", is_demo=True).first()
    if member_account is not None:
        Membership.objects.get_or_create(assembly=assembly, person=member_account)
    return [m.person for m in assembly.memberships.select_related("person").order_by("id")]


def populate(rng: random.Random) -> dict[str, int]:
    assembly = _assembly()
    runner = _runner(assembly)
    members = _members(assembly, rng)
    working_group = Assembly.objects.filter(
        parent=assembly, kind=AssemblyKind.WORKING_GROUP
    ).first() or Assembly.objects.create(
        name="Grupo de trabajo de respuesta rápida",
        kind=AssemblyKind.WORKING_GROUP,
        parent=assembly,
        languages=["es", "ko"],
        is_demo=True,
    )
    now = timezone.now()
    last_month = now - timedelta(days=30)
    past = Meeting.objects.create(
        assembly=assembly,
        title="Asamblea de octubre · 10월 총회",
        starts_at=last_month,
        ends_at=last_month + timedelta(hours=2),
        place="Salón parroquial de San Basilio, 3611 Wilshire Blvd",
        languages=["es", "ko", "en"],
        interpretation_needed=["ko", "en"],
        status=MeetingStatus.CLOSED,
        attendance_count=31,
        created_by=runner,
        is_demo=True,
    )

    # 1. A second night dispatch shift, decided by consensus in the room.
    shift = services.do_create_proposal(
        runner,
        assembly,
        language="es",
        title="Un segundo turno de despacho por la noche",
        body="Las llamadas de madrugada esperan demasiado. Proponemos un segundo despachador de "
        "10 de la noche a 6 de la mañana, con al menos una persona que hable coreano.",
        proposer=members[0],
        meeting=past,
    )
    services.do_save_text(
        runner,
        shift,
        language="ko",
        title="야간 두 번째 상황실 근무",
        body="새벽 전화가 너무 오래 기다립니다. 밤 10시부터 아침 6시까지 두 번째 상황 요원을 두고, "
        "그중 적어도 한 명은 한국어를 하도록 제안합니다.",
    )
    # (No English text: the page shows it as missing.)
    services.do_comment(runner, shift, "¿Quién cubre los sábados? Hay que decidirlo también.")
    amendment = services.do_propose_amendment(
        runner, shift, body="Que el turno empiece a las 9 de la noche, no a las 10.", language="es"
    )
    services.do_decide_amendment(runner, amendment, accepted=True)
    consensus = services.do_create_vote(runner, shift, method=VoteMethod.CONSENSUS, secret=False)
    services.do_open_vote(runner, consensus, opens_at=last_month, announce=False, now=last_month)
    services.do_record_room(
        runner, consensus, counts={"agree": 24, "stand_aside": 3}, room_voters=27
    )
    decided = services.do_close_vote(runner, consensus, now=last_month + timedelta(minutes=50))
    services.do_add_action(
        runner,
        decided,
        description="Armar el turno de 9 p. m. a 6 a. m. y buscar despachadores que hablen coreano",
        due_on=(now + timedelta(days=10)).date(),
        working_group=working_group,
    )
    services.do_add_action(
        runner,
        decided,
        description="Pedir a la parroquia el salón para la capacitación de despachadores",
        due_on=(now - timedelta(days=5)).date(),  # overdue
        person=members[1],
    )
    done = services.do_add_action(
        runner,
        decided,
        description="Anunciar el nuevo turno en la radio comunitaria",
        due_on=(now - timedelta(days=20)).date(),
        person=members[2],
    )
    services.do_set_action_status(runner, done, ActionStatus.DONE)

    # 2. The quarter's priorities by ranked choice: web, text and paper ballots.
    priorities = services.do_create_proposal(
        runner,
        assembly,
        language="es",
        title="Prioridades del trimestre",
        body="No podemos hacer todo a la vez. Ordenemos las estrategias y empecemos por la "
        "que más apoyo tenga.",
        meeting=past,
    )
    services.do_save_text(
        runner,
        priorities,
        language="en",
        title="Priorities for the quarter",
        body="We cannot do everything at once. Let us rank the strategies and start with the "
        "one with the most support.",
    )
    ranked = services.do_create_vote(
        runner, priorities, method=VoteMethod.IRV, secret=True, options=PRIORITIES
    )
    services.do_open_vote(
        runner,
        ranked,
        opens_at=last_month - timedelta(days=2),
        closes_at=last_month + timedelta(minutes=90),
        announce=False,
        now=last_month - timedelta(days=2),
    )
    for person, letters in zip(members[3:], REMOTE_BALLOTS, strict=False):
        services.cast_ballot(
            ranked,
            person,
            Choice(ranking=tuple(letters.split())),
            channel=TakingPart.TEXT if rng.random() < 0.6 else TakingPart.WEB,
            now=last_month - timedelta(hours=rng.randrange(1, 40)),
        )
    services.do_record_room(
        runner, ranked, ballots=[Choice(ranking=tuple(b.split())) for b in ROOM_BALLOTS]
    )
    services.do_close_vote(runner, ranked, now=last_month + timedelta(minutes=95))

    # 3. Tonight: the rent strike, a ranked vote open to texts until tomorrow night.
    tonight = (
        Meeting.objects.filter(assembly=assembly, status=MeetingStatus.OPEN).order_by("-id").first()
        or Meeting.objects.filter(assembly=assembly, starts_at__gt=now)
        .order_by("starts_at")
        .first()
    )
    strike = services.do_create_proposal(
        runner,
        assembly,
        language="es",
        title="Cómo apoyar la huelga de alquileres de la calle 6",
        body="Los inquilinos piden el apoyo de la asamblea. ¿Qué hacemos primero?",
        meeting=tonight,
    )
    services.do_save_text(
        runner,
        strike,
        language="ko",
        title="6가 임대료 파업을 어떻게 지원할까",
        body="세입자들이 총회의 지원을 요청합니다. 무엇부터 할까요?",
    )
    open_vote = services.do_create_vote(
        runner, strike, method=VoteMethod.IRV, secret=False, options=TONIGHT_OPTIONS
    )
    services.do_open_vote(
        runner, open_vote, closes_at=now + timedelta(days=1, hours=4), announce=False
    )
    for person, letters in zip(members[10:14], ("A B", "B A C", "A", "C A"), strict=False):
        services.cast_ballot(
            open_vote, person, Choice(ranking=tuple(letters.split())), channel=TakingPart.TEXT
        )
    report_backs = services.do_add_report_backs(runner, tonight) if tonight else 0
    return {
        "proposals": Proposal.objects.filter(assembly=assembly).count(),
        "votes": Vote.objects.filter(proposal__assembly=assembly).count(),
        "report_backs": report_backs,
    }
