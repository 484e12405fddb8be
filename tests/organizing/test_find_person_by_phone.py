"""A person is found by exact phone number or e-mail through keyed hashes, never by scanning."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.test import Client, override_settings

from tests.conftest import MakePerson
from vecinos.core import audit
from vecinos.core.crypto import keyed_hash
from vecinos.core.fields import hash_input
from vecinos.core.models import AuditEvent, User
from vecinos.core.phones import normalize_phone
from vecinos.organizing.models import Person
from vecinos.organizing.queries import find_people_by_phone


def test_the_same_number_written_differently_finds_the_same_person(
    make_person: MakePerson, organizer: User
) -> None:
    person = make_person(phone="+12135550123")
    make_person(full_name="Someone Else", phone="+13235550123")
    for written in ("(213) 555-0123", "+1 213-555-0123", "213.555.0123", "1 213 555 0123"):
        assert list(find_people_by_phone(organizer, normalize_phone(written))) == [person]


def test_the_hash_is_keyed_not_a_plain_hash_of_the_number(
    make_person: MakePerson,
) -> None:
    person = make_person(phone="+12135550123")
    assert person.phone_hash
    assert person.phone_hash != hashlib.sha256(b"+12135550123").hexdigest()
    assert person.phone_hash != hashlib.sha256(b"phone\0+12135550123").hexdigest()
    other_key = b"another-32-byte-key-for-the-test"
    with override_settings(VECINOS_FIELD_KEYS=[other_key]):
        assert keyed_hash("+12135550123", "phone") != person.phone_hash
    assert keyed_hash("+12135550123", "phone") == person.phone_hash


def test_email_lookup_ignores_case(make_person: MakePerson) -> None:
    upper = make_person(email="Adela.Nava@Example.org")
    lower = make_person(full_name="Twin", email="adela.nava@example.org")
    make_person(full_name="Other", email="adela.nava@example.net")
    assert upper.email_hash == lower.email_hash
    for written in ("ADELA.NAVA@EXAMPLE.ORG", " adela.nava@example.org "):
        found = Person.objects.filter(email_hash=keyed_hash(hash_input(written, "email"), "email"))
        assert set(found) == {upper, lower}
    assert Person.objects.get(id=upper.id).email == "Adela.Nava@Example.org", "stored as typed"
    assert upper.email_hash != hashlib.sha256(b"adela.nava@example.org").hexdigest()


def test_searching_by_phone_on_the_people_page_is_recorded(
    make_person: MakePerson, organizer: User, logged_in: Callable[[User], Client]
) -> None:
    person = make_person(phone="+12135550123")
    make_person(full_name="Someone Else", phone="+13235550123")
    client = logged_in(organizer)
    for written in ("(213) 555-0123", "+1 213-555-0123"):
        response = client.get("/people/", {"phone": written})
        assert list(response.context["page"]) == [person]
    assert AuditEvent.objects.filter(action=audit.PERSON_SEARCHED, actor=organizer).count() == 2


def test_an_invalid_search_number_shows_an_error_and_no_one(
    make_person: MakePerson, organizer: User, logged_in: Callable[[User], Client]
) -> None:
    make_person()
    response = logged_in(organizer).get("/people/", {"phone": "12"})
    assert response.status_code == 200
    assert response.context["form"].errors["phone"]
    assert list(response.context["page"]) == []
