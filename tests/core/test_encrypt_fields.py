"""Sensitive fields are sealed at rest, readable with old keys until rotation, then re-sealed."""

from __future__ import annotations

import base64
import io

import pytest
from django.conf import settings
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from tests.conftest import MakePerson
from vecinos.core import audit, crypto
from vecinos.core.models import AuditEvent, User
from vecinos.organizing.models import Person
from vecinos.organizing.queries import find_people_by_phone

NEW, OLD = settings.VECINOS_FIELD_KEYS
NEWER = base64.urlsafe_b64decode("bmV3ZXItdGVzdC1maWVsZC1rZXktMzItYnl0ZXMhISE=")


def raw(person: Person, column: str) -> str:
    """The column as the database holds it, bypassing the model field."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM organizing_person WHERE id = %s", [person.id])  # noqa: S608
        return str(cursor.fetchone()[0])


def write_raw(person: Person, column: str, value: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE organizing_person SET {column} = %s WHERE id = %s",  # noqa: S608
            [value, person.id],
        )


def flip_last_byte(token: str) -> str:
    prefix, key_id, body = token.split(".", 2)
    sealed = bytearray(base64.urlsafe_b64decode(body))
    sealed[-1] ^= 1
    return f"{prefix}.{key_id}.{base64.urlsafe_b64encode(sealed).decode()}"


def test_a_phone_number_is_stored_sealed_and_read_back(make_person: MakePerson) -> None:
    person = make_person(phone="+12135550142", email="Librada@Example.org")
    stored = raw(person, "phone")
    assert stored.startswith(f"g1.{crypto.current_key_id()}.")
    assert "2135550142" not in stored and "+1213" not in stored
    assert raw(person, "email").startswith("g1.")
    assert "example" not in raw(person, "email").lower()
    fresh = Person.objects.get(id=person.id)
    assert fresh.phone == "+12135550142"
    assert fresh.email == "Librada@Example.org"


def test_the_same_number_seals_differently_each_time(make_person: MakePerson) -> None:
    first = make_person(full_name="A", phone="+12135550142")
    second = make_person(full_name="B", phone="+12135550142")
    assert raw(first, "phone") != raw(second, "phone")
    assert raw(first, "phone_hash") == raw(second, "phone_hash")


def test_a_tampered_value_is_refused_not_misread(make_person: MakePerson) -> None:
    person = make_person()
    write_raw(person, "phone", flip_last_byte(raw(person, "phone")))
    with pytest.raises(crypto.UndecryptableError):
        Person.objects.get(id=person.id)
    with pytest.raises(crypto.UndecryptableError):
        crypto.decrypt("plain text that was never sealed")
    with pytest.raises(crypto.UndecryptableError):
        crypto.decrypt("g2.abcdef12.AAAA")


def test_a_value_moved_to_another_key_id_is_refused(make_person: MakePerson) -> None:
    """The key id is authenticated too: relabelling a token does not make another key open it."""
    with override_settings(VECINOS_FIELD_KEYS=[NEWER, OLD]):
        person = make_person()
        old_id = crypto.keyring()[1][0]
        prefix, _key_id, body = raw(person, "phone").split(".", 2)
        write_raw(person, "phone", f"{prefix}.{old_id}.{body}")
        with pytest.raises(crypto.UndecryptableError):
            Person.objects.get(id=person.id)


def test_encrypted_fields_cannot_be_searched_directly(db: None) -> None:
    with pytest.raises(FieldError):
        list(Person.objects.filter(phone="+12135550142"))
    with pytest.raises(FieldError):
        list(Person.objects.filter(email__icontains="example"))
    with pytest.raises(FieldError):
        list(Person.objects.filter(phone__startswith="+1"))
    assert list(Person.objects.filter(phone__isnull=True)) == []


def test_key_rotation_keeps_old_values_readable_and_then_reseals_them(
    make_person: MakePerson, coordinator: User
) -> None:
    with override_settings(VECINOS_FIELD_KEYS=[OLD]):
        person = make_person(phone="+12135550142", email="rotating@example.org")
        old_id = crypto.current_key_id()
        old_hash = raw(person, "phone_hash")
    assert raw(person, "phone").startswith(f"g1.{old_id}.")

    with override_settings(VECINOS_FIELD_KEYS=[NEWER, OLD]):
        new_id = crypto.current_key_id()
        assert new_id != old_id
        assert Person.objects.get(id=person.id).phone == "+12135550142"
        assert list(find_people_by_phone(coordinator, "+12135550142")) == [person]

        out = io.StringIO()
        call_command("rotate_keys", stdout=out)
        assert "Done: 1 rows" in out.getvalue()
        assert raw(person, "phone").startswith(f"g1.{new_id}.")
        assert raw(person, "email").startswith(f"g1.{new_id}.")
        assert raw(person, "phone_hash") != old_hash
        event = AuditEvent.objects.get(action=audit.KEYS_ROTATED)
        assert event.detail == {"rows": 1, "key_id": new_id}

        call_command("rotate_keys", stdout=out)  # nothing is left to re-seal
        rotations = AuditEvent.objects.filter(action=audit.KEYS_ROTATED).order_by("id")
        assert [event.detail["rows"] for event in rotations] == [1, 0]

    with override_settings(VECINOS_FIELD_KEYS=[NEWER]):
        fresh = Person.objects.get(id=person.id)
        assert (fresh.phone, fresh.email) == ("+12135550142", "rotating@example.org")
        assert list(find_people_by_phone(coordinator, "+12135550142")) == [person]


def test_removing_a_key_too_early_is_a_clear_error(make_person: MakePerson) -> None:
    with override_settings(VECINOS_FIELD_KEYS=[OLD]):
        person = make_person()
    with override_settings(VECINOS_FIELD_KEYS=[NEWER]), pytest.raises(crypto.UndecryptableError):
        Person.objects.get(id=person.id)


def test_rotate_keys_prints_a_fresh_key(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("rotate_keys", new_key=True)
    key = capsys.readouterr().out.strip()
    assert len(base64.urlsafe_b64decode(key)) == 32
    assert base64.urlsafe_b64decode(key) not in (NEW, OLD)
