"""Reads of sensitive records are written down, coordinators can read and filter the log, and
nobody can change it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta

import pytest
from django.db import DatabaseError, IntegrityError, OperationalError, connection, transaction
from django.db.models import ProtectedError
from django.test import Client
from django.utils import timezone

from tests.conftest import MakePerson
from vecinos.core import audit
from vecinos.core.models import AppendOnlyError, AuditEvent, User

# Whatever the database calls its refusal, it is one of these (all DatabaseError subclasses).
REFUSED = (DatabaseError, IntegrityError, OperationalError)


def days_ago_at_noon(days: int) -> datetime:
    day = timezone.localdate() - timedelta(days=days)
    return datetime.combine(day, time(12), timezone.get_current_timezone())


@pytest.mark.parametrize("reader", ["coordinator", "organizer"])
def test_opening_a_persons_contact_details_is_recorded_once(
    reader: str,
    request: pytest.FixtureRequest,
    make_person: MakePerson,
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
    make_person: MakePerson, organizer: User, logged_in: Callable[[User], Client]
) -> None:
    make_person(phone="+12135550142", email="hidden@example.org")
    html = logged_in(organizer).get("/people/").content.decode()
    assert "555" not in html and "hidden@" not in html
    assert not AuditEvent.objects.filter(action=audit.PERSON_VIEWED).exists()


def test_the_audit_page_lists_a_read_and_filters_by_action_actor_and_date(
    coordinator: User,
    organizer: User,
    make_person: MakePerson,
    logged_in: Callable[[User], Client],
) -> None:
    person = make_person()
    assert logged_in(organizer).get(f"/people/{person.id}/").status_code == 200
    old = AuditEvent.objects.create(
        at=days_ago_at_noon(3),
        actor=coordinator,
        actor_name="coordinator",
        action=audit.USER_CREATED,
    )
    client = logged_in(coordinator)

    page = client.get("/audit/")
    assert page.status_code == 200
    viewed = AuditEvent.objects.get(action=audit.PERSON_VIEWED)
    assert viewed in page.context["page"]
    html = page.content.decode()
    assert f"organizing.person #{person.id}" in html
    assert "<td>organizer</td>" in html

    def listed(**filters: str) -> set[tuple[str, str]]:
        response = client.get("/audit/", filters)
        assert response.status_code == 200
        assert response.context["form"].is_valid(), response.context["form"].errors
        return {(e.action, e.actor_name) for e in response.context["page"]}

    assert listed(action=audit.PERSON_VIEWED) == {(audit.PERSON_VIEWED, "organizer")}
    assert {action for action, _who in listed(actor="organizer")} == {
        audit.PERSON_VIEWED,
        audit.USER_LOGGED_IN,
    }
    assert listed(action=audit.USER_CREATED, actor="coordinator") == {
        (audit.USER_CREATED, "coordinator")
    }
    three_days_ago = days_ago_at_noon(3).date().isoformat()
    assert listed(since=three_days_ago, until=three_days_ago) == {
        (audit.USER_CREATED, "coordinator")
    }
    today = timezone.localdate().isoformat()
    assert (audit.USER_CREATED, "coordinator") not in listed(since=today)
    assert (audit.PERSON_VIEWED, "organizer") in listed(since=today, until=today)
    by_target = client.get(
        "/audit/", {"target_type": "organizing.person", "target_id": str(person.id)}
    )
    assert list(by_target.context["page"]) == [viewed]
    assert old not in by_target.context["page"]
    # Reading the log is itself in the log.
    assert AuditEvent.objects.filter(action=audit.AUDIT_LOG_VIEWED, actor=coordinator).exists()


def test_htmx_gets_only_the_table(coordinator: User, logged_in: Callable[[User], Client]) -> None:
    client = logged_in(coordinator)
    full = client.get("/audit/").content.decode()
    assert "<html" in full and "<table" in full
    response = client.get("/audit/", {"action": audit.USER_LOGGED_IN}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith("<table")
    assert "<html" not in html and "<form" not in html
    # A history restore needs the whole page again.
    restore = client.get("/audit/", HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "<html" in restore.content.decode()


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
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(id=event.id).action == audit.USER_LOGGED_IN


def test_the_database_refuses_an_update_too(coordinator: User) -> None:
    """core/migrations/0002 installs a trigger, so even SQL that bypasses Django is refused."""
    event = audit.record(coordinator, audit.USER_LOGGED_IN)
    with pytest.raises(REFUSED), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET action = 'forged' WHERE id = %s", [event.id])
    assert AuditEvent.objects.get(id=event.id).action == audit.USER_LOGGED_IN


def test_an_unknown_action_is_a_programming_error(coordinator: User) -> None:
    with pytest.raises(ValueError, match="unknown audit action"):
        audit.record(coordinator, "core.something.invented")


def test_an_account_with_history_cannot_be_deleted(coordinator: User, member: User) -> None:
    audit.record(member, audit.USER_LOGGED_IN)
    with pytest.raises(ProtectedError):
        member.delete()
    assert User.objects.filter(id=member.id).exists()
