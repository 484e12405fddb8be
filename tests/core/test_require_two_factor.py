"""Coordinators and dispatchers pass a TOTP code before they see anything; other roles only once
they have turned it on."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD, session_verified, totp_code
from vecinos.core import audit
from vecinos.core.choices import Role
from vecinos.core.models import AuditEvent, User

PAGES = ["/", "/people/", "/accounts/", "/audit/", "/account/"]


def password_only(client: Client, user: User) -> None:
    response = client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.DISPATCHER])
def test_roles_that_need_it_are_sent_to_set_it_up_first(
    role: str, make_account: Callable[..., User], client: Client
) -> None:
    user = make_account("someone", role, two_factor=False)
    password_only(client, user)
    for page in PAGES:
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith("/account/two-factor/?next="), page


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.DISPATCHER])
def test_roles_that_need_it_must_enter_their_code(
    role: str, make_account: Callable[..., User], client: Client
) -> None:
    user = make_account("someone", role)
    password_only(client, user)
    for page in PAGES:
        response = client.get(page)
        assert response["Location"].startswith("/login/code/?next="), page
    device = TOTPDevice.objects.get(user=user)
    response = client.post("/login/code/?next=/", {"token": totp_code(device)})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert session_verified(client)


@pytest.mark.parametrize("role", [Role.ORGANIZER, Role.FACILITATOR, Role.RESPONDER, Role.MEMBER])
def test_other_roles_go_straight_in_without_a_device(
    role: str, make_account: Callable[..., User], client: Client
) -> None:
    user = make_account("someone", role)
    password_only(client, user)
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("role", [Role.ORGANIZER, Role.FACILITATOR, Role.RESPONDER, Role.MEMBER])
def test_other_roles_with_a_device_must_enter_their_code(
    role: str, make_account: Callable[..., User], client: Client
) -> None:
    user = make_account("someone", role, two_factor=True)
    password_only(client, user)
    assert client.get("/")["Location"].startswith("/login/code/")


def test_the_exempt_pages_stay_reachable_before_the_code(dispatcher: User, client: Client) -> None:
    password_only(client, dispatcher)
    assert client.get("/login/code/").status_code == 200
    response = client.post("/language/", {"language": "es", "next": "/login/code/"})
    assert response.status_code == 302
    assert client.post("/logout/").status_code == 302


def test_a_wrong_code_is_refused_and_a_used_code_cannot_be_reused(
    dispatcher: User, client: Client
) -> None:
    password_only(client, dispatcher)
    device = TOTPDevice.objects.get(user=dispatcher)
    code = totp_code(device)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    response = client.post("/login/code/", {"token": wrong})
    assert response.status_code == 200
    assert response.context["form"].errors["token"]
    assert not session_verified(client)

    device.throttle_reset()
    assert client.post("/login/code/", {"token": code}).status_code == 302
    client.post("/logout/")

    password_only(client, dispatcher)
    device.refresh_from_db()
    device.throttle_reset()
    response = client.post("/login/code/", {"token": code})
    assert response.status_code == 200, "a code must not open a second session"
    assert not session_verified(client)


def test_letters_in_the_code_are_a_form_error(dispatcher: User, client: Client) -> None:
    password_only(client, dispatcher)
    response = client.post("/login/code/", {"token": "12a456"})
    assert response.status_code == 200
    assert response.context["form"].errors["token"]


def test_setting_up_shows_a_qr_code_and_confirms_with_a_first_code(
    make_account: Callable[..., User], client: Client
) -> None:
    user = make_account("newdispatcher", Role.DISPATCHER, two_factor=False)
    password_only(client, user)
    page = client.get("/account/two-factor/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html
    assert page.context["secret"].replace(" ", "").isalnum()
    assert page.context["demo_code"] == "", "real accounts never see their code"

    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post("/account/two-factor/?next=/", {"token": totp_code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert session_verified(client)
    assert AuditEvent.objects.filter(action=audit.USER_TWO_FACTOR_ENABLED, actor=user).exists()
    assert client.get("/").status_code == 200


def test_a_wrong_first_code_leaves_the_device_unconfirmed(
    make_account: Callable[..., User], client: Client
) -> None:
    user = make_account("newdispatcher", Role.DISPATCHER, two_factor=False)
    password_only(client, user)
    client.get("/account/two-factor/")
    response = client.post("/account/two-factor/", {"token": "000000"})
    assert response.status_code == 200
    assert not TOTPDevice.objects.get(user=user).confirmed


def test_the_next_parameter_cannot_send_people_elsewhere(dispatcher: User, client: Client) -> None:
    password_only(client, dispatcher)
    device = TOTPDevice.objects.get(user=dispatcher)
    response = client.post("/login/code/?next=https://evil.example/", {"token": totp_code(device)})
    assert response["Location"] == "/"
