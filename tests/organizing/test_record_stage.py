"""The ladder: contact → assembly → volunteer → responder → dispatcher → leader, each step dated."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from tests.conftest import MakePerson
from vecinos.core.models import AuditEvent, User
from vecinos.organizing.choices import Stage
from vecinos.organizing.models import Person, StageStep
from vecinos.organizing.services import do_create_person, do_record_stage

pytestmark = pytest.mark.django_db


def test_a_new_person_starts_as_a_contact_with_a_dated_first_step(organizer: User) -> None:
    person = do_create_person(organizer, full_name="Benita Solís", phone="+12135550110")
    assert person.stage == Stage.CONTACT
    step = StageStep.objects.get(person=person)
    assert step.stage == Stage.CONTACT and step.recorded_by == organizer


def test_each_step_joins_the_history_and_the_newest_is_the_current_stage(
    organizer: User, make_person: MakePerson
) -> None:
    person = make_person()
    now = timezone.now()
    do_record_stage(organizer, person, Stage.ASSEMBLY, at=now - timedelta(days=100))
    do_record_stage(organizer, person, Stage.RESPONDER, at=now - timedelta(days=10))
    # Written down late: an older step does not overwrite the newer one.
    do_record_stage(organizer, person, Stage.VOLUNTEER, at=now - timedelta(days=50))
    person.refresh_from_db()
    assert person.stage == Stage.RESPONDER
    history = list(person.stage_steps.values_list("stage", flat=True))
    assert history == [Stage.RESPONDER, Stage.VOLUNTEER, Stage.ASSEMBLY]
    assert AuditEvent.objects.filter(action="organizing.stage.recorded").count() == 3


def test_a_step_in_the_future_or_an_unknown_stage_is_refused(
    organizer: User, make_person: MakePerson
) -> None:
    person = make_person()
    with pytest.raises(ValueError, match="future"):
        do_record_stage(organizer, person, Stage.LEADER, at=timezone.now() + timedelta(days=1))
    with pytest.raises(ValueError, match="not a stage"):
        do_record_stage(organizer, person, "president")
    assert not StageStep.objects.exists()


def test_those_who_may_not_edit_people_cannot_record_a_step(
    dispatcher: User, make_person: MakePerson
) -> None:
    person = make_person()
    with pytest.raises(PermissionDenied):
        do_record_stage(dispatcher, person, Stage.LEADER)
    assert Person.objects.get(id=person.id).stage == Stage.CONTACT


def test_the_person_page_shows_the_ladder_and_records_a_dated_step(
    organizer: User, make_person: MakePerson, logged_in
) -> None:
    person = make_person()
    client: Client = logged_in(organizer)
    day = (timezone.localdate() - timedelta(days=3)).isoformat()
    response = client.post(f"/people/{person.id}/stage/", {"stage": "volunteer", "on": day})
    assert response.status_code == 302
    page = client.get(f"/people/{person.id}/").content.decode()
    assert "On the ladder" in page and 'aria-current="step"' in page
    step = StageStep.objects.get(person=person)
    assert step.stage == Stage.VOLUNTEER and step.at.date().isoformat() == day


def test_the_step_form_explains_bad_input(
    organizer: User, make_person: MakePerson, logged_in
) -> None:
    person = make_person()
    client: Client = logged_in(organizer)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.post(f"/people/{person.id}/stage/", {"stage": "leader", "on": tomorrow})
    assert response.status_code == 200
    assert "A step cannot be in the future." in response.content.decode()
    response = client.post(f"/people/{person.id}/stage/", {"stage": "king"})
    assert "Select a valid choice" in response.content.decode()
    assert not StageStep.objects.exists()


def test_the_list_of_people_filters_by_stage(
    organizer: User, make_person: MakePerson, logged_in
) -> None:
    ana = make_person("Ana Rendón", phone="+12135550111")
    make_person("Beto Lozano", phone="+12135550112")
    do_record_stage(organizer, ana, Stage.LEADER)
    client: Client = logged_in(organizer)
    page = client.get("/people/?stage=leader").content.decode()
    assert "Ana Rendón" in page and "Beto Lozano" not in page
    page = client.get("/people/?stage=emperor").content.decode()
    assert "Select a valid choice" in page and "Ana Rendón" not in page
