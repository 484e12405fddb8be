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
