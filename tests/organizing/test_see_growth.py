"""The growth dashboard: people per stage per month, assembly attendance, trainings completed,
responders per neighborhood; drawn on the server, on an empty database and on the demo."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime, timedelta

import h3
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, override

from tests.places.conftest import CENTRE, WEST, MakeZone
from tests.responders.conftest import MakeResponder
from tests.trainings.conftest import session
from vecinos.assembly.choices import AssemblyKind, MeetingStatus
from vecinos.assembly.models import Assembly, Meeting
from vecinos.core import charts
from vecinos.core.management.commands.demo import populate_all
from vecinos.core.models import User
from vecinos.organizing import growth
from vecinos.organizing.choices import Stage
from vecinos.organizing.models import Person, StageStep
from vecinos.places.geo import CELL_RESOLUTION
from vecinos.trainings.choices import SignInMethod, TrainingKind
from vecinos.trainings.models import Certificate

pytestmark = pytest.mark.django_db

LoggedIn = Callable[[User], Client]


def local(year: int, month: int, day: int, hour: int = 12) -> datetime:
    return timezone.make_aware(datetime(year, month, day, hour))  # noqa: DTZ001


NOW = local(2026, 11, 20)


def person_with_steps(name: str, *steps: tuple[str, datetime]) -> Person:
    person = Person.objects.create(full_name=name, stage=steps[-1][0])
    StageStep.objects.bulk_create(StageStep(person=person, stage=s, at=at) for s, at in steps)
    return person


def test_twelve_months_end_with_the_current_one_so_far() -> None:
    months = growth.last_months(NOW)

    assert len(months) == 12
    assert (months[0].start, months[-1].start) == (local(2025, 12, 1, 0), local(2026, 11, 1, 0))
    assert months[-1].end == NOW
    assert all(a.end == b.start for a, b in itertools.pairwise(months))
    # Summer time in Los Angeles: each month starts at local midnight, whatever the offset.
    assert {timezone.localtime(m.start).hour for m in months} == {0}


def test_the_ladder_counts_each_person_on_their_newest_stage_at_each_month_end() -> None:
    months = growth.last_months(NOW)
    person_with_steps("Before the year", (Stage.CONTACT, local(2025, 6, 1)))
    person_with_steps(
        "Climbs",
        (Stage.CONTACT, local(2026, 1, 10)),
        (Stage.VOLUNTEER, local(2026, 3, 5)),
        (Stage.RESPONDER, local(2026, 3, 20)),
    )
    person_with_steps("Joins this month", (Stage.CONTACT, local(2026, 11, 2)))
    person_with_steps(
        "Steps down", (Stage.LEADER, local(2026, 2, 1)), (Stage.VOLUNTEER, local(2026, 6, 1))
    )
    # Added by a text, with no step recorded: a contact since then.
    Person.objects.create(full_name="Texted in", created_at=local(2026, 5, 5))
    # A step after "now" (the clock moved on while the page was drawn) is not counted.
    person_with_steps("Tomorrow", (Stage.CONTACT, NOW + timedelta(days=1)))

    ladder = growth.ladder_by_month(months)

    totals = ladder.totals()
    assert totals[0] == 1  # December 2025: only the person from before the year
    assert totals[1] == 2  # January: the climber arrives
    assert totals[-1] == 5
    jan, feb, mar, apr, may, jun = 1, 2, 3, 4, 5, 6
    assert ladder.counts[Stage.CONTACT][may] == ladder.counts[Stage.CONTACT][apr] + 1
    assert ladder.counts[Stage.CONTACT][jan] == 2
    assert ladder.counts[Stage.LEADER][feb] == 1
    assert ladder.counts[Stage.RESPONDER][mar] == 1
    assert ladder.counts[Stage.VOLUNTEER][mar] == 0
    assert ladder.counts[Stage.LEADER][jun] == 0
    assert ladder.counts[Stage.VOLUNTEER][jun] == 1
    # Every month, each person is on exactly one stage.
    assert all(sum(ladder.counts[s][i] for s in Stage.values) == totals[i] for i in range(12))


def test_attendance_counts_assemblies_not_their_working_groups(organizer: User) -> None:
    months = growth.last_months(NOW)
    assembly = Assembly.objects.create(name="Asamblea de Pico", kind=AssemblyKind.NEIGHBORHOOD)
    group = Assembly.objects.create(
        name="Comisión de vivienda", kind=AssemblyKind.WORKING_GROUP, parent=assembly
    )

    def meeting(body: Assembly, at: datetime, present: int | None) -> None:
        Meeting.objects.create(
            assembly=body,
            title="Asamblea",
            starts_at=at,
            status=MeetingStatus.CLOSED,
            attendance_count=present,
        )

    meeting(assembly, local(2026, 3, 4, 18), 12)
    meeting(assembly, local(2026, 3, 25, 18), 20)
    meeting(assembly, local(2026, 10, 31, 23), 40)  # late evening: October in Los Angeles
    meeting(assembly, local(2026, 9, 10, 18), None)  # no count taken
    meeting(group, local(2026, 3, 11, 18), 7)
    meeting(assembly, local(2025, 11, 5, 18), 5)  # before the twelve months

    people, meetings = growth.attendance_by_month(months)

    assert people[3] == 32 and meetings[3] == 2
    assert people[10] == 40 and meetings[10] == 1
    assert sum(people) == 72 and sum(meetings) == 3
    shown = growth.growth_for(organizer, NOW)
    assert shown.attendance_per_meeting[3] == 16  # two meetings in March: 12 and 20
    assert shown.attendance_chart().rects[0].title.endswith(": 16")


def test_trainings_completed_per_month_and_kind(make_person: object) -> None:
    months = growth.last_months(timezone.now())
    first = session(days_ago=0, kind=TrainingKind.FIRST_RESPONDER)
    rights = session(days_ago=0, kind=TrainingKind.KNOW_YOUR_RIGHTS)
    for n, at in enumerate((first, first, rights)):
        Certificate.objects.create(
            session=at,
            person=Person.objects.create(full_name=f"Trainee {n}"),
            kind=at.kind,
            method=SignInMethod.TRAINER,
            issued_at=timezone.now() - timedelta(minutes=5),
            expires_at=timezone.now() + timedelta(days=300),
        )

    done = growth.trainings_by_month(months)

    assert done[TrainingKind.FIRST_RESPONDER][-1] == 2
    assert done[TrainingKind.KNOW_YOUR_RIGHTS][-1] == 1
    assert sum(sum(v[:-1]) for v in done.values()) == 0


def test_responders_per_neighborhood_with_those_who_can_be_alerted(
    make_zone: MakeZone, make_responder: MakeResponder
) -> None:
    make_zone("El Centro", at=CENTRE)
    make_zone("Pico Sur", at=WEST)
    centre = h3.latlng_to_cell(*CENTRE, CELL_RESOLUTION)
    make_responder(cell=centre)
    make_responder(cell=h3.grid_disk(centre, 1)[1], available=False)  # unavailable still counts
    make_responder(cell=centre, eligible=False)
    make_responder(cell=h3.latlng_to_cell(40.7, -74.0, CELL_RESOLUTION))  # outside every zone
    make_responder(cell="", eligible=False)

    rows = {z.name: (z.registered, z.eligible) for z in growth.responders_by_zone()}

    assert rows == {"El Centro": (3, 2), "Pico Sur": (0, 0), "No neighborhood": (2, 1)}


def test_the_axis_rounds_up_to_a_readable_step() -> None:
    assert charts.nice_top(0) == (4, 1)
    assert charts.nice_top(7) == (8, 2)
    assert charts.nice_top(37) == (40, 10)
    assert charts.nice_top(41) == (80, 20)
    assert charts.nice_top(1234) == (2000, 500)


def test_a_column_is_as_tall_as_its_count_and_stacks_its_parts() -> None:
    chart = charts.columns(
        "t", ["a", "b"], [charts.Series("x", [2, 4], "#111"), charts.Series("y", [0, 4], "#222")]
    )

    heights = {r.title: r.height for r in chart.rects}
    assert heights["b, x: 4"] == heights["b, y: 4"] == 2 * heights["a, x: 2"]
    assert "a, y: 0" not in heights  # nothing drawn for a zero
    b_x, b_y = (r for r in chart.rects if r.title.startswith("b"))
    assert b_y.y + b_y.height == pytest.approx(b_x.y)  # y sits on top of x
    assert not chart.empty


def test_the_page_draws_four_charts_on_an_empty_database(
    organizer: User, logged_in: LoggedIn
) -> None:
    response = logged_in(organizer).get(reverse("organizing:growth"))

    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('<svg class="chart"') == 4
    assert page.count('class="chart-empty"') == 4
    assert "0 people on the ladder today." in page
    assert "nan" not in page.lower().split("<svg", 1)[1]


def test_the_demo_shows_the_network_growing() -> None:
    populate_all()
    organizer = User.objects.get(username="organizer", is_demo=True)
    client = Client()
    client.force_login(organizer)  # organizers log in without a second factor

    response = client.get(reverse("organizing:growth"))

    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('<svg class="chart"') == 4
    data = growth.growth_for(organizer)
    assert "chart-empty" not in page  # no chart says it has nothing to show
    # A year ago the demo network was a fraction of its size; the headline says how many times.
    assert float(data.times_as_many) >= 2
    assert data.times_as_many in page
    assert data.people_now == Person.objects.count()
    assert sum(data.attendance) > 41
    assert sum(sum(v) for v in data.trainings.values()) > 0
    assert sum(z.registered for z in data.zones) > 0


def test_the_page_speaks_spanish_and_korean(organizer: User, logged_in: LoggedIn) -> None:
    client = logged_in(organizer)
    for language in ("es", "ko"):
        User.objects.filter(id=organizer.id).update(preferred_language=language)
        with override(language):
            heading = gettext("People on the ladder")
            month = growth.last_months()[-1].long
        page = client.get(reverse("organizing:growth")).content.decode()
        assert heading != "People on the ladder" and heading in page
        assert month in page


def test_responders_and_partners_do_not_see_it(
    responder: User, partner: User, logged_in: LoggedIn
) -> None:
    for user in (responder, partner):
        assert logged_in(user).get(reverse("organizing:growth")).status_code == 403
