"""The access_* helpers check the capability before they read or record anything, whoever calls
them (a view, a command, a future API), and they record every read they allow."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from tests.conftest import MakePerson
from vecinos.core import audit
from vecinos.core.models import AuditEvent, User
from vecinos.organizing.models import Person
from vecinos.organizing.queries import access_person, find_people_by_phone, people_for
from vecinos.organizing.services import do_create_person, do_update_person

WITHOUT_PEOPLE = ["dispatcher", "facilitator", "responder", "member", "outsider"]


@pytest.mark.parametrize("persona", WITHOUT_PEOPLE)
def test_it_refuses_those_who_may_not_see_people_and_records_nothing(
    persona: str, request: pytest.FixtureRequest, make_person: MakePerson
) -> None:
    user: User = request.getfixturevalue(persona)
    person = make_person()
    with pytest.raises(PermissionDenied):
        access_person(user, person.id)
    with pytest.raises(PermissionDenied):
        access_person(user, 999_999)  # refused before a missing row could be told apart
    with pytest.raises(PermissionDenied):
        people_for(user)
    with pytest.raises(PermissionDenied):
        find_people_by_phone(user, "+12135550142")
    with pytest.raises(PermissionDenied):
        do_create_person(user, full_name="Nadie", phone="+12135550199")
    with pytest.raises(PermissionDenied):
        do_update_person(user, person, full_name="Renamed")
    assert not AuditEvent.objects.exists()
    assert Person.objects.get(id=person.id).full_name == "Librada Urbina"
    assert not Person.objects.filter(full_name="Nadie").exists()


@pytest.mark.parametrize("persona", ["coordinator", "organizer"])
def test_it_records_each_allowed_read(
    persona: str, request: pytest.FixtureRequest, make_person: MakePerson
) -> None:
    user: User = request.getfixturevalue(persona)
    person = make_person()
    assert access_person(user, person.id) == person
    assert list(find_people_by_phone(user, "+12135550142")) == [person]
    assert list(people_for(user)) == [person]  # names only: not a read of contact details
    events = AuditEvent.objects.order_by("id")
    assert [(e.action, e.actor, e.target_id) for e in events] == [
        (audit.PERSON_VIEWED, user, str(person.id)),
        (audit.PERSON_SEARCHED, user, ""),
    ]
    with pytest.raises(Http404):
        access_person(user, 999_999)
    assert events.count() == 2
