"""Shared personas and factories. Everything is built through the ORM; nothing is mocked."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from vecinos.core.choices import Role
from vecinos.core.models import RoleAssignment, User
from vecinos.organizing.models import Person

PASSWORD = "a-long-test-password-1"
TWO_FACTOR_ROLES = {Role.COORDINATOR, Role.DISPATCHER}


def totp_code(device: TOTPDevice) -> str:
    """The code the person's authenticator shows now (or the next one, if this one was used)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    next_unused = (device.last_t + 1 - device.drift) * device.step + device.t0
    totp.time = max(time.time(), next_unused)
    return f"{totp.token():0{device.digits}d}"


@pytest.fixture
def make_account(db: Any) -> Callable[..., User]:
    def make(
        username: str,
        *roles: str,
        two_factor: bool | None = None,
        language: str = "en",
        display_name: str = "",
        person: bool = False,
    ) -> User:
        user = User.objects.create_user(
            username,
            PASSWORD,
            display_name=display_name or username.title(),
            preferred_language=language,
        )
        for role in roles:
            RoleAssignment.objects.create(user=user, role=role)
        if two_factor is None:
            two_factor = bool(TWO_FACTOR_ROLES & set(roles))
        if two_factor:
            TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
        if person:
            Person.objects.create(full_name=user.display_name, account=user, languages=["es"])
        return user

    return make


@pytest.fixture
def make_person(db: Any) -> Callable[..., Person]:
    def make(full_name: str = "Librada Urbina", **fields: Any) -> Person:
        fields.setdefault("phone", "+12135550142")
        fields.setdefault("languages", ["es"])
        return Person.objects.create(full_name=full_name, **fields)

    return make


@pytest.fixture
def coordinator(make_account: Callable[..., User]) -> User:
    return make_account("coordinator", Role.COORDINATOR)


@pytest.fixture
def dispatcher(make_account: Callable[..., User]) -> User:
    return make_account("dispatcher", Role.DISPATCHER)


@pytest.fixture
def organizer(make_account: Callable[..., User]) -> User:
    return make_account("organizer", Role.ORGANIZER)


@pytest.fixture
def facilitator(make_account: Callable[..., User]) -> User:
    return make_account("facilitator", Role.FACILITATOR)


@pytest.fixture
def responder(make_account: Callable[..., User]) -> User:
    return make_account("responder", Role.RESPONDER, person=True)


@pytest.fixture
def member(make_account: Callable[..., User]) -> User:
    return make_account("member", Role.MEMBER)


@pytest.fixture
def outsider(make_account: Callable[..., User]) -> User:
    """An account nobody gave a role: it must be refused everywhere that matters."""
    return make_account("outsider")


def log_in(client: Client, user: User) -> Client:
    """Log in through the real pages: password, then the authenticator code when there is one."""
    response = client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        response = client.post("/login/code/", {"token": totp_code(device)})
        assert response.status_code == 302, response.content[:500]
    return client


@pytest.fixture
def logged_in(client: Client) -> Callable[[User], Client]:
    return lambda user: log_in(client, user)


def session_verified(client: Client) -> bool:
    return DEVICE_ID_SESSION_KEY in client.session
