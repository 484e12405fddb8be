"""Demo data for a meeting in progress: the neighborhood assembly's meeting tonight, with its
first item done, the second on the floor (someone speaking, a progressive stack with people
waiting), Korean titles for the projector, interpreters at two tables and notes so far.

Called by :func:`vecinos.assembly.demo.populate`, after the bodies and the demo accounts exist.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from vecinos.assembly.choices import AssemblyKind, ItemStatus, MeetingStatus, MemberRole
from vecinos.assembly.choices_room import SpeakerStatus
from vecinos.assembly.models import AgendaItem, Assembly, Meeting, Membership
from vecinos.assembly.models_room import (
    Interpretation,
    ItemTranslation,
    RoomSettings,
    SpeakerEntry,
)
from vecinos.core.models import User
from vecinos.organizing.models import Person

# (title, Korean title, minutes, status, notes)
AGENDA = (
    (
        "Informe de la red de respuesta rápida",
        "신속 대응 네트워크 보고",
        10,
        ItemStatus.DONE,
        "Tres alertas este mes; dos falsas alarmas aclaradas en menos de 15 minutos.\n\n"
        "Hacen falta despachadores que hablen coreano por la noche.",
    ),
    (
        "Huelga de alquileres en la calle 6",
        "6가 임대료 파업",
        25,
        ItemStatus.CURRENT,
        "Los inquilinos del edificio de la calle 6 piden el apoyo de la asamblea.",
    ),
    ("Turnos de noche para despachadores", "야간 상황실 근무", 15, ItemStatus.PENDING, ""),
    ("Marcha del sábado", "토요일 행진", 10, ItemStatus.PENDING, ""),
)
# (name, status) per item: who spoke on the first item, and the list on the current one.
SPOKE_FIRST = ("Ha-neul", "Cirilo", "Doña Librada")
CURRENT_LIST = (
    ("Min-ji", SpeakerStatus.SPEAKING),
    ("Cirilo", SpeakerStatus.WAITING),  # spoke on the first item: the stack puts him last
    ("Teresa", SpeakerStatus.WAITING),
    ("Young-ho", SpeakerStatus.WAITING),
)


def _assembly() -> Assembly:
    found = (
        Assembly.objects.filter(is_demo=True, kind=AssemblyKind.NEIGHBORHOOD).order_by("id").first()
    )
    if found is not None:
        return found
    return Assembly.objects.create(
        name="Asamblea Popular de Koreatown",
        kind=AssemblyKind.NEIGHBORHOOD,
        languages=["es", "ko", "en"],
        is_demo=True,
    )


def _join(assembly: Assembly, username: str, role: str) -> None:
    person = Person.objects.filter(account__username=username, account__is_demo=True).first()
    if person is None:
        return
    # A role the bodies' demo already gave is kept.
    Membership.objects.get_or_create(assembly=assembly, person=person, defaults={"role": role})


def populate(rng: random.Random) -> dict[str, int]:
    """Create tonight's meeting, in progress. Idempotent only in that it adds one meeting."""
    assembly = _assembly()
    _join(assembly, "facilitator", MemberRole.FACILITATOR)
    _join(assembly, "member", MemberRole.NOTE_TAKER)
    now = timezone.now()
    meeting = Meeting.objects.create(
        assembly=assembly,
        title="Asamblea de esta noche · 오늘 밤 총회",
        starts_at=now - timedelta(minutes=35),
        place="Salón parroquial de San Basilio, 3611 Wilshire Blvd",
        languages=["es", "ko", "en"],
        interpretation_needed=["ko", "en"],
        status=MeetingStatus.OPEN,
        attendance_count=30 + rng.randrange(15),
        created_by=User.objects.filter(username="coordinator", is_demo=True).first(),
        is_demo=True,
    )
    RoomSettings.objects.create(meeting=meeting, progressive_stack=True)
    items = []
    for position, (title, korean, minutes, item_status, notes) in enumerate(AGENDA):
        item = AgendaItem.objects.create(
            meeting=meeting,
            position=position,
            title=title,
            time_box_minutes=minutes,
            status=item_status,
            notes=notes,
        )
        ItemTranslation.objects.create(item=item, language="ko", title=korean)
        items.append(item)
    started = now - timedelta(minutes=30)
    for position, name in enumerate(SPOKE_FIRST):
        SpeakerEntry.objects.create(
            item=items[0],
            meeting=meeting,
            name=name,
            position=position,
            status=SpeakerStatus.DONE,
            started_at=started + timedelta(minutes=2 * position),
            ended_at=started + timedelta(minutes=2 * position + 2),
        )
    for position, (name, status) in enumerate(CURRENT_LIST):
        SpeakerEntry.objects.create(
            item=items[1],
            meeting=meeting,
            name=name,
            position=position,
            status=status,
            started_at=now - timedelta(minutes=1) if status == SpeakerStatus.SPEAKING else None,
        )
    Interpretation.objects.create(
        meeting=meeting, language="ko", table="", interpreter_name="Soo-ah Lim"
    )
    Interpretation.objects.create(
        meeting=meeting, language="en", table="Mesa 4", interpreter_name="Maren Whitlock"
    )
    return {"meetings in progress": 1}
