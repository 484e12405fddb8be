"""Choosing responders: eligible, available, by rings of cells around the incident, those who
speak the incident's language first; and the one eligibility rule."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests.responders.conftest import HOME, MakeResponder, ring_cell
from vecinos.messaging.services import do_opt_out
from vecinos.responders import geo
from vecinos.responders.models import Responder, is_eligible
from vecinos.responders.queries import match_responders as match


def match_responders(*args: Any, **kwargs: Any) -> list[Responder]:
    """The responders chosen, as models, in the order chosen."""
    ids = [candidate.responder_id for candidate in match(*args, **kwargs)]
    found = Responder.objects.in_bulk(ids)
    return [found[responder_id] for responder_id in ids]


pytestmark = pytest.mark.django_db


def test_ring_zero_is_the_incidents_cell_and_ring_one_its_six_neighbors() -> None:
    assert geo.ring(HOME, 0) == [HOME]
    assert len(geo.ring(HOME, 1)) == 6
    assert len(geo.ring(HOME, 2)) == 12
    assert set(geo.disk(HOME, 1)) == {HOME, *geo.ring(HOME, 1)}


@pytest.mark.parametrize("bad", ["", "not-a-cell", "8029fffffffffff", "8829a1d63bfffff-"])
def test_a_bad_cell_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="cell"):
        geo.ring(bad, 1)
    assert not geo.is_cell(bad)


def test_a_negative_ring_is_refused() -> None:
    with pytest.raises(ValueError, match="0 or more"):
        geo.ring(HOME, -1)


def test_it_picks_each_ring_separately(make_responder: MakeResponder) -> None:
    here = make_responder("Here", cell=HOME)
    next_door = make_responder("Next door", cell=ring_cell(1, 3))
    further = make_responder("Further", cell=ring_cell(2, 5))
    assert match_responders(HOME, "es", 0) == [here]
    assert match_responders(HOME, "es", 1) == [next_door]
    assert match_responders(HOME, "es", 2) == [further]
    assert match_responders(HOME, "es", 3) == []


def test_those_who_speak_the_incidents_language_come_first(
    make_responder: MakeResponder,
) -> None:
    english = make_responder("English only", languages=["en"], language="en")
    korean = make_responder("Korean", languages=["ko", "en"], language="ko")
    spanish = make_responder("Spanish", languages=["es"])
    assert match_responders(HOME, "ko", 0) == [korean, english, spanish]
    assert match_responders(HOME, "es", 0) == [spanish, english, korean]


def test_only_eligible_available_responders_with_a_phone_are_picked(
    make_responder: MakeResponder,
) -> None:
    now = timezone.now()
    picked = make_responder("Picked")
    until_later = make_responder("Until later", available_until=now + timedelta(hours=1))
    make_responder("Not marked eligible", eligible=False)
    make_responder("Not available", available=False)
    make_responder("Was available until an hour ago", available_until=now - timedelta(hours=1))
    no_phone = make_responder("No phone")
    no_phone.person.phone = ""
    no_phone.person.save()
    stopped = make_responder("Texted STOP")
    do_opt_out(stopped.person.phone, "STOP")
    assert match_responders(HOME, "es", 0, at=now) == [picked, until_later]


def test_responders_already_alerted_for_the_incident_are_left_out(
    make_responder: MakeResponder, make_incident: object, dispatcher: object
) -> None:
    from vecinos.responders.services import do_alert_responders

    first = make_responder()
    incident = make_incident()  # type: ignore[operator]
    do_alert_responders(dispatcher, incident)  # type: ignore[arg-type]
    second = make_responder()
    assert match_responders(HOME, "es", 0, exclude_incident_id=incident.id) == [second]
    assert first.alerts.count() == 1


def test_the_eligibility_rule_and_the_query_agree(make_responder: MakeResponder) -> None:
    """Until trainings and vouching exist, eligible means a coordinator marked them so; the
    function and the query method must say the same of everyone."""
    marked = make_responder(eligible=True)
    unmarked = make_responder(eligible=False)
    assert is_eligible(marked) and not is_eligible(unmarked)
    by_query = set(Responder.objects.eligible())
    assert by_query == {r for r in Responder.objects.all() if is_eligible(r)} == {marked}


def test_the_demo_neighborhood_has_responders_to_alert(db: None) -> None:
    from vecinos.core.management.commands.demo import populate_all
    from vecinos.responders.demo import CENTRE

    counts = populate_all()
    assert counts["responders"] >= 25
    assert Responder.objects.filter(eligible=True, eligible_changed_by__isnull=False).exists()
    nearby = match(CENTRE, "es", 0) + match(CENTRE, "es", 1)
    assert len(nearby) >= 5
