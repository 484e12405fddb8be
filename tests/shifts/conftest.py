"""Dispatchers with languages, shifts and a network in Los Angeles, built through the ORM."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import MakeAccount
from vecinos.core.choices import Role
from vecinos.core.models import User
from vecinos.organizing.models import Person
from vecinos.shifts.models import Shift

LA = ZoneInfo("America/Los_Angeles")


def local(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, fold: int = 0
) -> datetime:
    """A wall-clock time in the network's zone (``fold=1``: the second of two equal times)."""
    return datetime(year, month, day, hour, minute, tzinfo=LA, fold=fold)


class MakeDispatcher(Protocol):
    def __call__(
        self, username: str, languages: list[str] | None = None, *, phone: str = ""
    ) -> User: ...


class MakeShift(Protocol):
    def __call__(
        self,
        weekday: int,
        starts_at: time,
        ends_at: time,
        dispatchers: Iterable[User] = (),
        name: str = "",
    ) -> Shift: ...


@pytest.fixture(autouse=True)
def los_angeles(settings: Any) -> None:
    settings.TIME_ZONE = "America/Los_Angeles"


@pytest.fixture
def make_dispatcher(make_account: MakeAccount) -> MakeDispatcher:
    def make(username: str, languages: list[str] | None = None, *, phone: str = "") -> User:
        user = make_account(username, Role.DISPATCHER, display_name=username.title())
        Person.objects.create(
            full_name=user.display_name,
            account=user,
            languages=["es"] if languages is None else languages,
            phone=phone,
        )
        return user

    return make


@pytest.fixture
def make_shift(db: Any) -> MakeShift:
    def make(
        weekday: int,
        starts_at: time,
        ends_at: time,
        dispatchers: Iterable[User] = (),
        name: str = "",
    ) -> Shift:
        shift = Shift.objects.create(
            weekday=weekday, starts_at=starts_at, ends_at=ends_at, name=name
        )
        shift.dispatchers.set(list(dispatchers))
        return shift

    return make
