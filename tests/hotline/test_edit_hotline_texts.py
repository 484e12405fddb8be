"""Coordinators edit the hotline's texts: each save is a new version, the old ones stay
readable, and a text no lawyer reviewed says so."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from vecinos.core import audit
from vecinos.core.models import AuditEvent, User
from vecinos.hotline import content
from vecinos.hotline.choices import ContentKind
from vecinos.hotline.models import ContentVersion

pytestmark = pytest.mark.django_db
LoggedIn = Callable[[User], Client]
URL = "/hotline/texts/text_reply/ko/"


def test_the_list_shows_every_text_in_every_language_unreviewed(
    coordinator: User, logged_in: LoggedIn
) -> None:
    page = logged_in(coordinator).get("/hotline/texts/").content.decode()
    for kind in ContentKind.values:
        for language in ("en", "es", "ko"):
            assert f'href="/hotline/texts/{kind}/{language}/"' in page
    assert page.count("Not reviewed by a lawyer") == 9
    assert page.count("Built-in text") == 9


def test_each_save_is_a_new_version_and_the_old_ones_stay_readable(
    coordinator: User, logged_in: LoggedIn
) -> None:
    client = logged_in(coordinator)
    form = client.get(URL).content.decode()
    assert "판사" in form or "judge" in form  # the built-in text, to start from
    client.post(URL, {"body": "첫 번째 답장", "sources": "ILRC", "legal_review": ""})
    client.post(
        URL,
        {
            "body": "두 번째 답장",
            "sources": "ILRC",
            "legal_review": "Lic. Nava, clinic, 2026-03-02",
        },
    )
    versions = list(ContentVersion.objects.order_by("version"))
    assert [(v.version, v.body, v.saved_by) for v in versions] == [
        (1, "첫 번째 답장", coordinator),
        (2, "두 번째 답장", coordinator),
    ]
    assert content.current(ContentKind.TEXT_REPLY, "ko").body == "두 번째 답장"
    page = client.get(URL).content.decode()
    assert "첫 번째 답장" in page and "Version 1 of" in page and "Version 2 of" in page
    assert "Lic. Nava, clinic, 2026-03-02" in page
    assert "not reviewed by a lawyer" in page  # version 1
    listing = client.get("/hotline/texts/").content.decode()
    assert listing.count("Not reviewed by a lawyer") == 8
    assert AuditEvent.objects.filter(action=audit.CONTENT_SAVED).count() == 2


def test_an_empty_text_or_an_unknown_one_is_refused(coordinator: User, logged_in: LoggedIn) -> None:
    client = logged_in(coordinator)
    response = client.post(URL, {"body": "   ", "sources": "", "legal_review": ""})
    assert "The text cannot be empty." in response.content.decode()
    assert client.get("/hotline/texts/love_letter/ko/").status_code == 404
    assert client.get("/hotline/texts/text_reply/fr/").status_code == 404
    assert not ContentVersion.objects.exists()


@pytest.mark.parametrize("persona", ["dispatcher", "partner", "responder", "organizer"])
def test_only_coordinators_edit_the_texts(
    persona: str, request: pytest.FixtureRequest, logged_in: LoggedIn
) -> None:
    client = logged_in(request.getfixturevalue(persona))
    assert client.get("/hotline/texts/").status_code == 403
    assert client.post(URL, {"body": "Open the door"}).status_code == 403
    assert not ContentVersion.objects.exists()
