"""Adding and editing people: invalid numbers are form errors, valid ones are stored as E.164."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from tests.conftest import MakePerson
from vecinos.core import audit
from vecinos.core.models import AuditEvent, User
from vecinos.core.phones import InvalidPhoneNumberError, normalize_phone
from vecinos.organizing.models import Person

BAD_NUMBERS = [
    "123",
    "not a phone",
    "5" * 500,
    "☎️📱 call me",
    "+1 213 555 01\x00",
    "+999 1234567",
]


def form(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "full_name": "Zenaida Rendón",
        "phone": "(213) 555-0177",
        "email": "",
        "preferred_language": "es",
        "preferred_channel": "sms",
        "languages": ["es", "mix"],
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("number", BAD_NUMBERS)
def test_an_invalid_number_is_a_form_error_and_nothing_is_saved(
    number: str, organizer: User, logged_in: Callable[[User], Client]
) -> None:
    response = logged_in(organizer).post("/people/new/", form(phone=number))
    assert response.status_code == 200
    assert response.context["form"].errors["phone"]
    assert not Person.objects.exists()
    assert not AuditEvent.objects.filter(action=audit.PERSON_CREATED).exists()


@pytest.mark.parametrize("number", BAD_NUMBERS)
def test_normalizing_an_invalid_number_raises_a_clear_error(number: str) -> None:
    with pytest.raises(InvalidPhoneNumberError):
        normalize_phone(number)


@pytest.mark.parametrize("written", ["(213) 555-0177", "+1 213-555-0177", "213.555.0177"])
def test_a_valid_number_is_stored_as_e164_and_the_addition_audited(
    written: str, organizer: User, logged_in: Callable[[User], Client]
) -> None:
    response = logged_in(organizer).post("/people/new/", form(phone=written))
    person = Person.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/people/{person.id}/"
    assert person.phone == "+12135550177"
    assert normalize_phone(written) == "+12135550177"
    assert person.languages == ["es", "mix"]
    event = AuditEvent.objects.get(action=audit.PERSON_CREATED)
    assert (event.actor, event.target_id) == (organizer, str(person.id))


def test_a_number_from_another_country_needs_its_prefix() -> None:
    assert normalize_phone("+52 55 1234 5678") == "+525512345678"


def test_invisible_direction_marks_do_not_survive_normalization() -> None:
    assert normalize_phone("\u202e(213) 555-0123\u200f") == "+12135550123"


def test_editing_records_which_fields_changed_not_their_values(
    organizer: User, logged_in: Callable[[User], Client], make_person: MakePerson
) -> None:
    person = make_person(phone="+12135550142")
    client = logged_in(organizer)
    assert client.get(f"/people/{person.id}/edit/").status_code == 200
    response = client.post(f"/people/{person.id}/edit/", form(full_name=person.full_name))
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.phone == "+12135550177"
    event = AuditEvent.objects.get(action=audit.PERSON_CHANGED)
    assert event.detail == {"fields": ["languages", "phone"]}
    assert "2135550177" not in str(event.detail)
    assert Person.objects.filter(phone_hash=person.phone_hash).count() == 1
