"""The phone simulator: a coordinator texts in as a pretend phone; the real inbound path answers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.test import Client

from vecinos.core.models import User
from vecinos.messaging import outbox
from vecinos.messaging.models import InboundMessage, OutboundMessage
from vecinos.messaging.queries import STRANGER


def test_a_text_from_a_pretend_phone_is_answered_on_that_phone(
    coordinator: User,
    logged_in: Callable[[User], Client],
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = logged_in(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/messages/simulator/", {"sender": STRANGER, "body": "AYUDA"})
    assert response.status_code == 302
    stored = InboundMessage.objects.get()
    assert (stored.gateway, stored.handled_as) == ("simulator", "keyword.help")
    reply = OutboundMessage.objects.get()
    for message_id in outbox.claim("w", limit=5):
        outbox.deliver(message_id, "w")

    page = client.get("/messages/simulator/", HTTP_HX_REQUEST="true")
    html = page.content.decode()
    assert "<html" not in html
    assert "AYUDA" in html
    reply.refresh_from_db()
    assert reply.status == "delivered"
    assert reply.body.split(" ")[0] in html


def test_a_bad_number_is_a_form_error(
    coordinator: User, logged_in: Callable[[User], Client]
) -> None:
    response = logged_in(coordinator).post("/messages/simulator/", {"sender": "12", "body": "x"})
    assert response.status_code == 200
    assert response.context["form"].errors["sender"]
    assert not InboundMessage.objects.exists()


def test_without_the_simulator_gateway_the_page_does_not_exist(
    coordinator: User, logged_in: Callable[[User], Client], settings: Any
) -> None:
    settings.VECINOS_PHONE_GATEWAYS = []
    assert logged_in(coordinator).get("/messages/simulator/").status_code == 404


def test_a_call_from_a_pretend_phone_hears_what_a_real_caller_would(
    coordinator: User, logged_in: Callable[[User], Client]
) -> None:
    client = logged_in(coordinator)
    response = client.post(
        "/messages/simulator/",
        {"kind": "call", "call-caller": STRANGER, "call-keys": "", "call-answered": "no"},
    )
    assert response.status_code == 302
    page = client.get("/messages/simulator/")
    transcript = [(line.text, line.language) for line in page.context["transcript"]]
    # No app answers calls in messaging's own tests: the caller hears who we are, in each language.
    assert [language for _text, language in transcript] == ["en", "es", "ko", ""]
    assert "send a text message" in transcript[0][0]
    assert "What the caller heard" in page.content.decode()
    assert not InboundMessage.objects.exists() and not OutboundMessage.objects.exists()
    again = client.get("/messages/simulator/")
    assert again.context["transcript"] == [], "shown once"


def test_a_call_from_an_odd_number_is_a_form_error_and_the_text_form_is_untouched(
    coordinator: User, logged_in: Callable[[User], Client]
) -> None:
    response = logged_in(coordinator).post(
        "/messages/simulator/",
        {"kind": "call", "call-caller": "12", "call-keys": "9", "call-answered": "maybe"},
    )
    assert response.status_code == 200
    errors = response.context["call_form"].errors
    assert set(errors) == {"caller", "keys", "answered"}
    assert not response.context["form"].errors
