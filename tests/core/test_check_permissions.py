"""Every page, for every role: who sees it, who is refused, and that refusals read nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import log_in
from vecinos.core.choices import Role
from vecinos.core.models import AuditEvent, User
from vecinos.core.permissions import capabilities
from vecinos.organizing.models import Person

PERSONAS = [
    "coordinator",
    "dispatcher",
    "organizer",
    "facilitator",
    "responder",
    "member",
    "outsider",
]
# Pages that are not behind a capability: logging in and out, and choosing a language.
OPEN_PAGES = {"core:login", "core:logout", "core:set_language"}
# Two-factor pages send a session that already passed (or has no device to verify) onwards.
DONE_REDIRECTS = {"core:two_factor_verify", "core:two_factor_setup"}

# Written out by hand so the matrix below is not only checked against itself.
EXPLICIT = {
    ("core:audit_log", "coordinator"): 200,
    ("core:audit_log", "dispatcher"): 403,
    ("core:audit_log", "organizer"): 403,
    ("organizing:person_list", "organizer"): 200,
    ("organizing:person_list", "dispatcher"): 403,
    ("organizing:person_detail", "member"): 403,
    ("organizing:person_detail", "responder"): 403,
    ("organizing:person_edit", "facilitator"): 403,
    ("core:account_list", "organizer"): 403,
    ("core:account_detail", "coordinator"): 200,
    ("core:home", "outsider"): 200,
    ("core:home", "member"): 200,
}


def named_patterns() -> list[tuple[str, URLPattern]]:
    found: list[tuple[str, URLPattern]] = []

    def walk(patterns: list[URLPattern | URLResolver], namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif pattern.name and not pattern.callback.__module__.endswith(".webhooks"):
                # Webhooks answer providers, not people: their signature checks are tested
                # with each gateway.
                found.append((f"{namespace}:{pattern.name}", pattern))

    walk(get_resolver().url_patterns, "")
    return found


@pytest.fixture
def everyone(
    coordinator: User,
    dispatcher: User,
    organizer: User,
    facilitator: User,
    responder: User,
    member: User,
    outsider: User,
) -> dict[str, User]:
    return {
        user.username: user
        for user in (coordinator, dispatcher, organizer, facilitator, responder, member, outsider)
    }


def url_for(name: str, pattern: URLPattern, person: Person, account: User) -> str:
    kwargs = {}
    if "person_id" in pattern.pattern.converters:
        kwargs["person_id"] = person.id
    if "account_id" in pattern.pattern.converters:
        kwargs["account_id"] = account.id
    return reverse(name, kwargs=kwargs)


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_role_sees_exactly_the_pages_its_capabilities_allow(
    persona: str, everyone: dict[str, User], make_person: Callable[..., Person]
) -> None:
    user = everyone[persona]
    person = make_person()
    client = log_in(Client(), user)
    granted = capabilities(user)
    checked = 0
    for name, pattern in named_patterns():
        if name in OPEN_PAGES:
            continue
        required = pattern.callback.required_capability  # type: ignore[attr-defined]
        expected = 200 if required is None or required in granted else 403
        assert EXPLICIT.get((name, persona), expected) == expected, "matrix disagrees with table"
        response = client.get(url_for(name, pattern, person, everyone["member"]))
        if name in DONE_REDIRECTS and response.status_code == 302:
            continue
        assert response.status_code == expected, f"{persona} on {name}"
        checked += 1
    assert checked >= 9


def test_the_outsider_is_refused_and_nothing_is_recorded_as_read(
    outsider: User, make_person: Callable[..., Person], member: User
) -> None:
    person = make_person()
    client = log_in(Client(), outsider)
    before = AuditEvent.objects.count()
    for url in (
        f"/people/{person.id}/",
        f"/people/{person.id}/edit/",
        "/people/",
        "/people/?phone=2135550142",
        "/people/new/",
        "/audit/",
        "/accounts/",
        f"/accounts/{member.id}/",
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/accounts/{member.id}/", {"action": "deactivate"}).status_code == 403
    assert AuditEvent.objects.count() == before
    member.refresh_from_db()
    assert member.is_active


def test_anonymous_visitors_are_sent_to_log_in_from_every_page(
    make_person: Callable[..., Person], member: User, client: Client
) -> None:
    person = make_person()
    for name, pattern in named_patterns():
        if name in OPEN_PAGES:
            continue
        response = client.get(url_for(name, pattern, person, member))
        assert response.status_code == 302, name
        assert response["Location"].startswith("/login/?next="), name


def test_a_deactivated_account_can_no_longer_log_in(member: User, client: Client) -> None:
    member.is_active = False
    member.save(update_fields=["is_active"])
    response = client.post("/login/", {"username": "member", "password": "a-long-test-password-1"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_a_superuser_is_a_coordinator(db: None) -> None:
    admin = User.objects.create_superuser("root", "a-long-test-password-1", display_name="Root")
    assert admin.has_role(Role.COORDINATOR)
