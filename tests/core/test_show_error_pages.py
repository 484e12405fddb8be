"""Refusals and missing pages are explained in the person's language, inside the site's layout."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client
from django.utils import translation

from tests.conftest import MakeAccount
from vecinos.core.choices import Role
from vecinos.core.models import User


def test_a_refusal_says_why_in_the_persons_language(
    make_account: MakeAccount, logged_in: Callable[[User], Client]
) -> None:
    member = make_account("miembro", Role.MEMBER, language="es")
    response = logged_in(member).get("/audit/")
    assert response.status_code == 403
    with translation.override("es"):
        assert translation.gettext("Not allowed") in response.content.decode()


def test_a_missing_page_is_explained(member: User, logged_in: Callable[[User], Client]) -> None:
    response = logged_in(member).get("/no-such-page/")
    assert response.status_code == 404
    assert "There is nothing at this address." in response.content.decode()


def test_a_missing_person_is_a_404_not_an_error(
    organizer: User, logged_in: Callable[[User], Client]
) -> None:
    assert logged_in(organizer).get("/people/999999/").status_code == 404
