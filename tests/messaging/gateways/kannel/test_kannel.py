"""Kannel for real: texts go out through smsbox to a fake SMS center, delivery reports and texts
from phones come back to the real web server."""

from __future__ import annotations

from typing import Any
from urllib.error import HTTPError
from urllib.request import urlopen

import pytest
from django.db import connection

from tests.messaging.gateways.kannel.conftest import OUR_NUMBER, Kannel, wait_until
from vecinos.messaging import outbox
from vecinos.messaging.choices import Channel, MessageStatus
from vecinos.messaging.models import InboundMessage, OutboundMessage
from vecinos.messaging.services import queue_message

PHONE = "+13235550150"


def send_one(body: str) -> OutboundMessage:
    message = queue_message(channel=Channel.SMS, address=PHONE, body=body, kind="test")
    for message_id in outbox.claim("w", limit=5):
        outbox.deliver(message_id, "w")
    message.refresh_from_db()
    return message


def status_of(message: OutboundMessage) -> str:
    connection.close()  # see rows the web server committed
    return OutboundMessage.objects.get(id=message.id).status


def test_a_text_goes_out_and_its_delivery_report_comes_back(kannel: Kannel) -> None:
    message = send_one("Reunión hoy a las 7")
    assert message.status == MessageStatus.SENT
    assert message.gateway == "kannel"
    line = wait_until(lambda: [line for line in kannel.received() if "Reuni" in line])[0]
    assert line == f"{OUR_NUMBER} {PHONE} Reunión hoy a las 7"
    assert wait_until(lambda: status_of(message) == MessageStatus.DELIVERED)


def test_korean_arrives_whole(kannel: Kannel) -> None:
    send_one("오늘 7시 모임")
    lines = wait_until(lambda: [line for line in kannel.received() if PHONE in line])
    assert lines == [f"{OUR_NUMBER} {PHONE} 오늘 7시 모임"]


def test_a_text_from_a_phone_reaches_vecinos_and_is_answered(kannel: Kannel) -> None:
    kannel.text_in(PHONE, "AYUDA")

    def stored() -> InboundMessage | None:
        connection.close()
        return InboundMessage.objects.filter(gateway="kannel", handled_as="keyword.help").first()

    inbound = wait_until(stored)
    assert inbound.body == "AYUDA"
    reply = OutboundMessage.objects.get(kind="messaging.auto_reply")
    assert reply.language == "es"
    for message_id in outbox.claim("w", limit=5):
        outbox.deliver(message_id, "w")
    assert wait_until(lambda: [line for line in kannel.received() if "Vecinos" in line])


@pytest.mark.parametrize("path", ["sms", "dlr"])
def test_a_call_without_the_secret_is_refused(kannel: Kannel, path: str) -> None:
    url = f"{kannel.web}/hooks/kannel/{path}?secret=wrong&from=%2B13235550150&text=STOP&id=x"
    with pytest.raises(HTTPError) as refused:
        urlopen(url, timeout=10)  # noqa: S310  # loopback
    assert refused.value.code == 403
    assert not InboundMessage.objects.exists()


def test_kannel_down_means_a_retry(kannel: Kannel, settings: Any) -> None:
    from tests.processes import free_port

    settings.VECINOS_KANNEL_SENDSMS_URL = f"http://127.0.0.1:{free_port()}/cgi-bin/sendsms"
    assert send_one("x").status == MessageStatus.QUEUED


def test_a_wrong_password_is_a_permanent_failure(kannel: Kannel, settings: Any) -> None:
    settings.VECINOS_KANNEL_PASSWORD = "wrong"
    message = send_one("x")
    assert message.status == MessageStatus.FAILED
    assert message.error.startswith("403")
