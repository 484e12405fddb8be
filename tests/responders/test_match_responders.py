"""Choosing responders: eligible, available, by rings of cells around the incident, those who
speak the incident's language first; and the one eligibility rule."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests.responders.conftest import HOME, MakeResponder, ring_cell
from vecinos.core.models import User
from vecinos.messaging.services import do_opt_out
from vecinos.responders import geo
from vecinos.responders.models import ELIGIBLE, Responder, is_eligible
from vecinos.responders.queries import match_responders as match
from vecinos.trainings.services import run_expiries


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


def test_the_eligibility_rule_the_query_and_the_index_agree(
    make_responder: MakeResponder, coordinator: User, organizer: User, make_account: Any
) -> None:
    """Eligible means a current first-responder training and enough vouches; the function,
    the query method and the dispatch index's condition must say the same of everyone, also
    after a training lapsed and before the expiry chore ran."""
    from tests.trainings.conftest import attend, vouch_by

    now = timezone.now()
    both = make_responder("Trained and vouched", eligible=False)
    attend(both, days_ago=30)
    vouch_by(both, coordinator, organizer)
    one_vouch = make_responder("One vouch", eligible=False)
    attend(one_vouch, days_ago=30)
    vouch_by(one_vouch, coordinator)
    lapsing = make_responder("Lapses tomorrow", eligible=False)
    attend(lapsing, days_ago=364)
    vouch_by(lapsing, coordinator, organizer)
    untrained = make_responder("Vouched, never trained", eligible=False)
    vouch_by(untrained, coordinator, organizer)

    def agree(at: datetime) -> set[Responder]:
        everyone = list(Responder.objects.all())
        by_rule = {r for r in everyone if is_eligible(r, at)}
        assert set(Responder.objects.eligible(at)) == by_rule
        # The dispatch index's condition is ELIGIBLE and "available": everyone eligible by the
        # rule is in it when available.
        (index,) = [i for i in Responder._meta.indexes if i.name == "responder_dispatch_idx"]
        assert set(index.condition.children) == {*ELIGIBLE.children, ("available", True)}  # type: ignore[union-attr]
        assert set(Responder.objects.filter(ELIGIBLE)) >= by_rule
        return by_rule

    assert agree(now) == {both, lapsing}
    # Two days on, the training lapsed: out at once, before the chore runs, and after it.
    later = now + timedelta(days=2)
    assert agree(later) == {both}
    assert run_expiries(later) == 1
    assert agree(later) == {both}
    assert not Responder.objects.get(id=lapsing.id).eligible


def test_the_demo_neighborhood_has_responders_to_alert(db: None) -> None:
    from vecinos.core.management.commands.demo import populate_all
    from vecinos.responders.demo import CENTRE

    counts = populate_all()
    assert counts["responders"] >= 25
    assert Responder.objects.eligible().count() >= 20
    # The demo's one responder waiting for a second vouch, which the organizer can give.
    waiting = Responder.objects.get(person__account__username="responder29")
    assert not is_eligible(waiting) and waiting.vouches == 1 and waiting.trained_until
    assert waiting.not_eligible_because() == ["1 of 2 vouches"]
    nearby = match(CENTRE, "es", 0) + match(CENTRE, "es", 1)
    assert len(nearby) >= 5
