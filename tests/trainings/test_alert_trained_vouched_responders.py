"""The rule through the real alert path (responders.services.do_alert_responders): a responder
with an expired training or one vouch is not alerted; with a current training and two vouches,
they are."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone

from tests.responders.conftest import MakeIncident, MakeResponder
from tests.trainings.conftest import attend, vouch_by
from vecinos.core.models import User
from vecinos.core.periodic import CHORES
from vecinos.responders import services as responders
from vecinos.responders.models import Alerted, Responder
from vecinos.trainings.choices import TrainingKind
from vecinos.trainings.services import run_expiries

pytestmark = pytest.mark.django_db


def alerted_names(incident: Any) -> set[str]:
    return set(
        Alerted.objects.filter(incident=incident).values_list(
            "responder__person__full_name", flat=True
        )
    )


def test_only_a_current_training_and_two_vouches_bring_an_alert(
    make_responder: MakeResponder,
    make_incident: MakeIncident,
    dispatcher: User,
    coordinator: User,
    organizer: User,
) -> None:
    both = make_responder("Trained and vouched twice", eligible=False)
    attend(both, days_ago=20)
    vouch_by(both, coordinator, organizer)
    expired = make_responder("Training expired", eligible=False)
    attend(expired, days_ago=400)
    vouch_by(expired, coordinator, organizer)
    one_vouch = make_responder("One vouch", eligible=False)
    attend(one_vouch, days_ago=20)
    vouch_by(one_vouch, coordinator)
    other_training = make_responder("Know Your Rights only", eligible=False)
    attend(other_training, days_ago=20, kind=TrainingKind.KNOW_YOUR_RIGHTS)
    vouch_by(other_training, coordinator, organizer)
    untrained = make_responder("Never trained", eligible=False)
    vouch_by(untrained, coordinator, organizer)

    incident = make_incident()
    responders.do_alert_responders(dispatcher, incident)
    assert alerted_names(incident) == {"Trained and vouched twice"}
    assert expired.not_eligible_because()[0].startswith("Training expired on")
    assert one_vouch.not_eligible_because() == ["1 of 2 vouches"]
    assert other_training.not_eligible_because() == ["No first-responder training"]


def test_the_second_vouch_brings_the_next_alert(
    make_responder: MakeResponder,
    make_incident: MakeIncident,
    dispatcher: User,
    coordinator: User,
    organizer: User,
) -> None:
    waiting = make_responder("Waits for a vouch", eligible=False)
    attend(waiting, days_ago=5)
    vouch_by(waiting, coordinator)
    first = make_incident()
    with pytest.raises(responders.NoRespondersError):
        responders.do_alert_responders(dispatcher, first)
    vouch_by(waiting, organizer)
    second = make_incident()
    responders.do_alert_responders(dispatcher, second)
    assert alerted_names(second) == {"Waits for a vouch"}


def test_a_training_that_lapses_stops_alerts_at_once_and_the_chore_clears_the_flag(
    make_responder: MakeResponder,
    make_incident: MakeIncident,
    dispatcher: User,
    coordinator: User,
    organizer: User,
) -> None:
    lapsing = make_responder("Lapsing", eligible=False)
    certificate = attend(lapsing, days_ago=30)
    vouch_by(lapsing, coordinator, organizer)
    assert lapsing.eligible
    # The certificate runs out a minute ago: the chore has not run yet, alerts skip them anyway.
    lapsing.__class__.objects.filter(id=lapsing.id).update(
        trained_until=timezone.now() - timedelta(minutes=1)
    )
    certificate.expires_at = timezone.now() - timedelta(minutes=1)
    certificate.save()
    with pytest.raises(responders.NoRespondersError):
        responders.do_alert_responders(dispatcher, make_incident())
    assert "trainings.expiries" in CHORES
    assert run_expiries() == 1
    assert not Responder.objects.get(id=lapsing.id).eligible
    assert run_expiries() == 0  # safe to run again


@override_settings(VECINOS_VOUCHES_REQUIRED=3)
def test_the_number_of_vouches_is_a_setting(
    make_responder: MakeResponder, coordinator: User, organizer: User, make_account: Any
) -> None:
    from vecinos.core.choices import Role

    responder = make_responder("Needs three", eligible=False)
    attend(responder, days_ago=3)
    vouch_by(responder, coordinator, organizer)
    assert not responder.eligible
    assert responder.not_eligible_because() == ["2 of 3 vouches"]
    vouch_by(responder, make_account("organizer2", Role.ORGANIZER))
    assert responder.eligible
    with override_settings(VECINOS_VOUCHES_REQUIRED=4):
        assert run_expiries() == 1  # a raised requirement takes effect with the chore
    assert not Responder.objects.get(id=responder.id).eligible
