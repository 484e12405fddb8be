"""English, Spanish and Korean from the first page; a logged-in person's choice is remembered."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import translation

from tests.conftest import PASSWORD
from vecinos.core.models import User


def html_lang(response: object) -> str:
    match = re.search(r'<html lang="([^"]+)"', response.content.decode())  # type: ignore[attr-defined]
    assert match
    return match.group(1)


@pytest.mark.parametrize("language", ["en", "es", "ko"])
def test_the_login_page_speaks_the_browsers_language(
    language: str, client: Client, db: None
) -> None:
    response = client.get("/login/", HTTP_ACCEPT_LANGUAGE=language)
    assert html_lang(response) == language
    assert response["Content-Language"] == language
    with translation.override(language):
        assert translation.gettext("Log in") in response.content.decode()


def test_an_anonymous_choice_is_kept_in_a_cookie(client: Client, db: None) -> None:
    response = client.post("/language/", {"language": "ko", "next": "/login/"})
    assert response["Location"] == "/login/"
    assert client.cookies["django_language"].value == "ko"
    page = client.get("/login/", HTTP_ACCEPT_LANGUAGE="es")
    assert page["Content-Language"] == "ko"
    assert html_lang(page) == "ko"


def test_a_members_choice_is_saved_and_wins_over_the_browser(
    member: User, logged_in: Callable[[User], Client]
) -> None:
    client = logged_in(member)
    response = client.post("/language/", {"language": "es", "next": "/account/"})
    assert response["Location"] == "/account/"
    member.refresh_from_db()
    assert member.preferred_language == "es"
    page = client.get("/account/")
    assert page["Content-Language"] == "es"
    assert html_lang(page) == "es"

    client = Client(HTTP_ACCEPT_LANGUAGE="ko")
    client.post("/login/", {"username": "member", "password": PASSWORD})
    response = client.get("/")
    assert response["Content-Language"] == "es"
    assert html_lang(response) == "es"
    with translation.override("es"):
        assert translation.gettext("What you can do here") in response.content.decode()


def test_an_unknown_language_is_ignored(member: User, logged_in: Callable[[User], Client]) -> None:
    client = logged_in(member)
    client.post("/language/", {"language": "xx", "next": "/"})
    member.refresh_from_db()
    assert member.preferred_language == "en"


def test_the_switcher_never_redirects_off_site(client: Client, db: None) -> None:
    response = client.post("/language/", {"language": "es", "next": "https://evil.example/"})
    assert response["Location"] == "/"


@pytest.mark.parametrize("language", ["en", "es", "ko"])
def test_the_switcher_names_each_language_in_itself(
    language: str, client: Client, db: None
) -> None:
    html = client.get("/login/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    for name in ("English", "Español", "한국어"):
        assert f">{name}</option>" in html
