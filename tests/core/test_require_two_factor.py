"""Coordinators and dispatchers pass a TOTP code before they see anything; other roles only once
they have turned it on."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import MakeAccount, MakePerson, enter_password, session_verified, totp_code
from tests.pages import all_pages
from vecinos.core import audit
from vecinos.core.choices import Role
from vecinos.core.models import AuditEvent, User

# A half-logged-in session may reach these, and nothing else.
EXEMPT = {"core:two_factor_setup", "core:two_factor_verify", "core:logout", "core:set_language"}


def guarded_urls(make_person: MakePerson, account: User) -> list[str]:
    """The address of every page that is not exempt, the login page included."""
    person = make_person()
    urls = [page.url(person, account) for page in all_pages() if page.name not in EXEMPT]
    assert {"/", "/login/", "/people/", "/accounts/", "/audit/", "/account/"} <= set(urls)
    return urls


def wrong_code(device: TOTPDevice) -> str:
    """A code that no step near now would accept, so the refusal is certain."""
    valid = {totp_code(device, steps_ahead=n) for n in range(-3, 4)}
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    valid |= {f"{totp.token():06d}"}
    candidate = int(totp_code(device))
    while f"{candidate:06d}" in valid:
        candidate = (candidate + 1) % 1_000_000
    return f"{candidate:06d}"


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.DISPATCHER])
def test_roles_that_need_it_are_sent_to_set_it_up_from_every_page(
    role: str, make_account: MakeAccount, make_person: MakePerson, client: Client
) -> None:
    user = make_account("someone", role, two_factor=False)
    enter_password(client, user)
    for url in guarded_urls(make_person, user):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == f"/account/two-factor/?next={quote(url, safe='')}", url
    assert client.get("/account/two-factor/").status_code == 200
    assert not AuditEvent.objects.filter(target_type="organizing.person").exists()


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.DISPATCHER])
def test_roles_that_need_it_must_enter_their_code_before_any_page(
    role: str, make_account: MakeAccount, make_person: MakePerson, client: Client
) -> None:
    user = make_account("someone", role)
    enter_password(client, user)
    for url in guarded_urls(make_person, user):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == f"/login/code/?next={quote(url, safe='')}", url
    assert not session_verified(client)

    device = TOTPDevice.objects.get(user=user)
    response = client.post("/login/code/?next=/", {"token": totp_code(device)})
    assert (response.status_code, response["Location"]) == (302, "/")
    assert session_verified(client)
    home = client.get("/")
    assert home.status_code == 200
    assert "core/home.html" in [t.name for t in home.templates]


@pytest.mark.parametrize("role", [Role.ORGANIZER, Role.FACILITATOR, Role.RESPONDER, Role.MEMBER])
def test_other_roles_go_straight_in_without_a_device(
    role: str, make_account: MakeAccount, client: Client
) -> None:
    user = make_account("someone", role)
    assert not TOTPDevice.objects.filter(user=user).exists()
    enter_password(client, user)
    assert client.get("/").status_code == 200
    assert client.get("/account/").status_code == 200


@pytest.mark.parametrize("role", [Role.ORGANIZER, Role.FACILITATOR, Role.RESPONDER, Role.MEMBER])
def test_other_roles_with_a_device_must_enter_their_code(
    role: str, make_account: MakeAccount, client: Client
) -> None:
    user = make_account("someone", role, two_factor=True)
    enter_password(client, user)
    assert client.get("/")["Location"] == "/login/code/?next=%2F"
    device = TOTPDevice.objects.get(user=user)
    client.post("/login/code/", {"token": totp_code(device)})
    assert client.get("/").status_code == 200


def test_the_exempt_pages_stay_reachable_before_the_code(dispatcher: User, client: Client) -> None:
    enter_password(client, dispatcher)
    assert client.get("/login/code/").status_code == 200
    assert client.get("/account/two-factor/")["Location"].startswith("/login/code/")
    response = client.post("/language/", {"language": "es", "next": "/login/code/"})
    assert response["Location"] == "/login/code/"
    response = client.post("/logout/")
    assert response["Location"] == "/login/"
    assert "_auth_user_id" not in client.session


def test_a_wrong_code_is_refused_and_a_used_code_cannot_be_reused(
    dispatcher: User, client: Client
) -> None:
    enter_password(client, dispatcher)
    device = TOTPDevice.objects.get(user=dispatcher)
    response = client.post("/login/code/", {"token": wrong_code(device)})
    assert response.status_code == 200
    assert response.context["form"].errors["token"]
    assert not session_verified(client)
    assert client.get("/")["Location"].startswith("/login/code/")

    device.refresh_from_db()
    device.throttle_reset()  # one wrong code makes the next try wait a second
    code = totp_code(device)
    assert client.post("/login/code/", {"token": code}).status_code == 302
    assert session_verified(client)
    client.post("/logout/")

    enter_password(client, dispatcher)
    response = client.post("/login/code/", {"token": code})
    assert response.status_code == 200, "a code must not open a second session"
    assert response.context["form"].errors["token"]
    assert not session_verified(client)


def test_letters_in_the_code_are_a_form_error(dispatcher: User, client: Client) -> None:
    enter_password(client, dispatcher)
    response = client.post("/login/code/", {"token": "12a456"})
    assert response.status_code == 200
    assert response.context["form"].errors["token"]
    assert not session_verified(client)


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.DISPATCHER])
def test_setting_up_shows_a_qr_code_and_the_secret_and_confirms_with_a_first_code(
    role: str, make_account: MakeAccount, client: Client
) -> None:
    user = make_account("newcomer", roles=[role], two_factor=False)
    enter_password(client, user)
    page = client.get("/account/two-factor/?next=/")
    html = page.content.decode()
    assert page.status_code == 200
    assert '<figure class="qr"' in html and "<svg" in html and "<path" in html
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    secret = page.context["secret"]
    assert secret in html
    assert secret.replace(" ", "") == device.config_url.split("secret=")[1].split("&")[0]
    assert page.context["demo_code"] == "", "real accounts never see their code"

    response = client.post("/account/two-factor/?next=/", {"token": totp_code(device)})
    assert (response.status_code, response["Location"]) == (302, "/")
    device.refresh_from_db()
    assert device.confirmed
    assert session_verified(client)
    event = AuditEvent.objects.get(action=audit.USER_TWO_FACTOR_ENABLED)
    assert (event.actor, event.target_id) == (user, str(user.id))
    assert client.get("/").status_code == 200


def test_a_wrong_first_code_leaves_the_device_unconfirmed(
    make_account: MakeAccount, client: Client
) -> None:
    user = make_account("newdispatcher", Role.DISPATCHER, two_factor=False)
    enter_password(client, user)
    client.get("/account/two-factor/")
    device = TOTPDevice.objects.get(user=user)
    response = client.post("/account/two-factor/", {"token": wrong_code(device)})
    assert response.status_code == 200
    assert response.context["form"].errors["token"]
    assert not TOTPDevice.objects.get(user=user).confirmed
    assert not AuditEvent.objects.filter(action=audit.USER_TWO_FACTOR_ENABLED).exists()
    assert client.get("/")["Location"].startswith("/account/two-factor/")


def test_the_next_parameter_cannot_send_people_elsewhere(dispatcher: User, client: Client) -> None:
    enter_password(client, dispatcher)
    device = TOTPDevice.objects.get(user=dispatcher)
    response = client.post("/login/code/?next=https://evil.example/", {"token": totp_code(device)})
    assert response["Location"] == "/"
