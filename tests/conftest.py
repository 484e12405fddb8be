"""Shared personas and factories. Everything is built through the ORM; nothing is mocked."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from typing import Any, Protocol

import pytest
import redis
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from vecinos.core.choices import Role
from vecinos.core.models import RoleAssignment, User
from vecinos.core.permissions import needs_two_factor
from vecinos.organizing.models import Person

PASSWORD = "a-long-test-password-1"
TWO_FACTOR_ROLES = {Role.COORDINATOR, Role.DISPATCHER}


class MakeAccount(Protocol):
    def __call__(
        self,
        username: str,
        *role_args: str,
        roles: Iterable[str] = (),
        two_factor: bool | None = None,
        language: str = "en",
        display_name: str = "",
        person: bool = False,
    ) -> User: ...


class MakePerson(Protocol):
    def __call__(
        self,
        full_name: str = "Librada Urbina",
        *,
        phone: str = "+12135550142",
        email: str = "",
        languages: list[str] | None = None,
        account: User | None = None,
    ) -> Person: ...


def totp_code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code the person's authenticator shows now (or the next one, if this one was used).

    A code is accepted once: after a login used this step's code, the next step's code (which the
    device's tolerance of one step accepts) is what a second login can use, as in vecinos.core.demo.
    """
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    next_unused = (device.last_t + 1 - device.drift) * device.step + device.t0
    totp.time = max(time.time(), next_unused) + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


@pytest.fixture
def make_account(db: Any) -> MakeAccount:
    def make(
        username: str,
        *role_args: str,
        roles: Iterable[str] = (),
        two_factor: bool | None = None,
        language: str = "en",
        display_name: str = "",
        person: bool = False,
    ) -> User:
        """An account with ``roles`` (positional or ``roles=``). ``two_factor`` adds a confirmed
        authenticator; by default only the roles that require one get it."""
        all_roles = [*role_args, *roles]
        user = User.objects.create_user(
            username,
            PASSWORD,
            display_name=display_name or username.title(),
            preferred_language=language,
        )
        RoleAssignment.objects.bulk_create(
            [RoleAssignment(user=user, role=role) for role in dict.fromkeys(all_roles)]
        )
        if two_factor is None:
            two_factor = bool(TWO_FACTOR_ROLES & set(all_roles))
        if two_factor:
            TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
        if person:
            Person.objects.create(full_name=user.display_name, account=user, languages=["es"])
        return user

    return make


@pytest.fixture
def make_person(db: Any) -> MakePerson:
    def make(
        full_name: str = "Librada Urbina",
        *,
        phone: str = "+12135550142",
        email: str = "",
        languages: list[str] | None = None,
        account: User | None = None,
    ) -> Person:
        return Person.objects.create(
            full_name=full_name,
            phone=phone,
            email=email,
            languages=["es"] if languages is None else languages,
            account=account,
        )

    return make


@pytest.fixture
def coordinator(make_account: MakeAccount) -> User:
    return make_account("coordinator", Role.COORDINATOR)


@pytest.fixture
def dispatcher(make_account: MakeAccount) -> User:
    return make_account("dispatcher", Role.DISPATCHER)


@pytest.fixture
def organizer(make_account: MakeAccount) -> User:
    return make_account("organizer", Role.ORGANIZER)


@pytest.fixture
def facilitator(make_account: MakeAccount) -> User:
    return make_account("facilitator", Role.FACILITATOR)


@pytest.fixture
def responder(make_account: MakeAccount) -> User:
    return make_account("responder", Role.RESPONDER, person=True)


@pytest.fixture
def member(make_account: MakeAccount) -> User:
    return make_account("member", Role.MEMBER)


@pytest.fixture
def partner(make_account: MakeAccount) -> User:
    """Someone at an allied organization: files reports to the hotline, sees nothing else."""
    return make_account("partner", Role.PARTNER)


@pytest.fixture
def outsider(make_account: MakeAccount) -> User:
    """An account nobody gave a role: it must be refused everywhere that matters."""
    return make_account("outsider")


def enter_password(client: Client, user: User) -> Client:
    """Only the first step of logging in: the session knows the account, not yet its code."""
    response = client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]
    assert client.session["_auth_user_id"] == str(user.pk)
    return client


def log_in(client: Client, user: User) -> Client:
    """Log in fully through the real pages: the password, then the authenticator code when the
    account has one, or setting one up first when its role requires it."""
    enter_password(client, user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        response = client.post("/login/code/", {"token": totp_code(device)})
        assert response.status_code == 302, response.content[:500]
    elif needs_two_factor(user):
        assert client.get("/account/two-factor/").status_code == 200
        device = TOTPDevice.objects.get(user=user, confirmed=False)
        response = client.post("/account/two-factor/", {"token": totp_code(device)})
        assert response.status_code == 302, response.content[:500]
    if device is not None:
        assert session_verified(client)
    return client


@pytest.fixture
def logged_in(db: Any) -> Callable[[User], Client]:
    """A fresh browser per call, fully logged in as the given account (a second login in the same
    browser would be sent home still logged in as the first account)."""
    return lambda user: log_in(Client(), user)


def session_verified(client: Client) -> bool:
    return DEVICE_ID_SESSION_KEY in client.session


REDIS_URL = os.environ.get("VECINOS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def redis_url() -> str:
    """A real Redis (127.0.0.1:6379 unless VECINOS_TEST_REDIS_URL says otherwise). Skips on a
    laptop without one; fails under VECINOS_REQUIRE_ALL=1, where a skip would hide a broken
    setup."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        message = f"Redis is not reachable at {REDIS_URL}: {exc}"
        if os.environ.get("VECINOS_REQUIRE_ALL") == "1":
            pytest.fail(message + " (VECINOS_REQUIRE_ALL=1 forbids skipping)")
        pytest.skip(message)
    return REDIS_URL
