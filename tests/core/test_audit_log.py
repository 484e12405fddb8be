"""Reads of sensitive records are written down, coordinators can read and filter the log, and
nobody can change it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.utils import timezone

from vecinos.core import audit
from vecinos.core.models import AppendOnlyError, AuditEvent, User
from vecinos.organizing.models import Person


@pytest.mark.parametrize("reader", ["coordinator", "organizer"])
def test_opening_a_persons_contact_details_is_recorded_once(
    reader: str,
    request: pytest.FixtureRequest,
    make_person: Callable[..., Person],
    logged_in: Callable[[User], Client],
) -> None:
    user: User = request.getfixturevalue(reader)
    person = make_person()
    response = logged_in(user).get(f"/people/{person.id}/")
    assert response.status_code == 200
    assert "(213) 555-0142" in response.content.decode()
    events = AuditEvent.objects.filter(action=audit.PERSON_VIEWED)
    assert [(e.actor, e.actor_name, e.target_type, e.target_id) for e in events] == [
        (user, user.username, "organizing.person", str(person.id))
    ]


def test_listing_people_reveals_no_contact_details(
    make_person: Callable[..., Person], organizer: User, logged_in: Callable[[User], Client]
) -> None:
    make_person(phone="+12135550142", email="hidden@example.org")
    html = logged_in(organizer).get("/people/").content.decode()
    assert "555" not in html and "hidden@" not in html
    assert not AuditEvent.objects.filter(action=audit.PERSON_VIEWED).exists()


def test_coordinators_read_and_filter_the_log(
    coordinator: User,
    organizer: User,
    make_person: Callable[..., Person],
    logged_in: Callable[[User], Client],
) -> None:
    person = make_person()
    audit.record(organizer, audit.PERSON_VIEWED, person)
    audit.record(coordinator, audit.USER_CREATED, organizer)
    client = logged_in(coordinator)

    page = client.get("/audit/")
    assert page.status_code == 200
    actions = [e.action for e in page.context["page"]]
    assert audit.PERSON_VIEWED in actions and audit.USER_CREATED in actions

    by_action = client.get("/audit/", {"action": audit.PERSON_VIEWED})
    assert {e.action for e in by_action.context["page"]} == {audit.PERSON_VIEWED}
    by_actor = client.get("/audit/", {"actor": "organizer"})
    assert {e.actor_name for e in by_actor.context["page"]} == {"organizer"}
    by_target = client.get(
        "/audit/", {"target_type": "organizing.person", "target_id": str(person.id)}
    )
    assert [e.action for e in by_target.context["page"]] == [audit.PERSON_VIEWED]
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert list(client.get("/audit/", {"since": tomorrow}).context["page"]) == []
    today = timezone.localdate().isoformat()
    assert len(client.get("/audit/", {"since": today, "until": today}).context["page"]) >= 2
    # Reading the log is itself in the log.
    assert AuditEvent.objects.filter(action=audit.AUDIT_LOG_VIEWED, actor=coordinator).exists()


def test_htmx_gets_only_the_table(coordinator: User, logged_in: Callable[[User], Client]) -> None:
    response = logged_in(coordinator).get("/audit/", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<table" in html and "<html" not in html


def test_entries_cannot_be_changed_or_deleted_by_the_app(coordinator: User) -> None:
    event = audit.record(coordinator, audit.USER_LOGGED_IN)
    event.action = audit.USER_CREATED
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(id=event.id).update(action="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(id=event.id).delete()


def test_the_database_refuses_an_update_too(coordinator: User) -> None:
    event = audit.record(coordinator, audit.USER_LOGGED_IN)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET action = 'forged' WHERE id = %s", [event.id])
    assert AuditEvent.objects.get(id=event.id).action == audit.USER_LOGGED_IN


def test_an_unknown_action_is_a_programming_error(coordinator: User) -> None:
    with pytest.raises(ValueError, match="unknown audit action"):
        audit.record(coordinator, "core.something.invented")


def test_an_account_with_history_cannot_be_deleted(coordinator: User, member: User) -> None:
    from django.db.models import ProtectedError

    audit.record(member, audit.USER_LOGGED_IN)
    with pytest.raises(ProtectedError):
        member.delete()
