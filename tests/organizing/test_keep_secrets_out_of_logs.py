"""Phone numbers and e-mail addresses never reach the logs, whatever level the logs are kept at."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from django.test import Client

from vecinos.core.models import User
from vecinos.organizing.models import Person


def test_nothing_sensitive_reaches_the_logs(
    organizer: User,
    logged_in: Callable[[User], Client],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)  # the root logger, so every module's records are captured
    client = logged_in(organizer)
    response = client.post(
        "/people/new/",
        {
            "full_name": "Zenaida Rendón",
            "phone": "(213) 555-0177",
            "email": "zenaida.secret@example.org",
            "preferred_language": "es",
            "preferred_channel": "sms",
        },
    )
    assert response.status_code == 302
    person = Person.objects.get()
    assert client.get(f"/people/{person.id}/").status_code == 200
    assert client.get(f"/people/{person.id}/edit/").status_code == 200
    found = client.get("/people/", {"phone": "(213) 555-0177"})
    assert list(found.context["page"]) == [person]
    client.get("/people/", {"phone": "+1 213 555 0177 ext"})
    client.post("/people/new/", {"full_name": "X", "phone": "555-0177 (bad)"})
    # Something is logged (a 404 is a warning), so the capture itself works.
    assert client.get("/people/999999/").status_code == 404
    assert "Not Found: /people/999999/" in caplog.text

    secrets = ("2135550177", "555-0177", "555 0177", "zenaida.secret", person.phone_hash)
    for secret in secrets:
        assert secret not in caplog.text, secret
