"""Following a broadcast: counts by status as the real worker sends it, a bar that needs no inline
style, polling that stops when it is done, and a list page whose queries do not grow."""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import AbstractContextManager

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.messaging.test_send_broadcast import draft, number, subscribe
from vecinos.core.models import User
from vecinos.messaging import broadcasts
from vecinos.messaging.choices import MessageStatus
from vecinos.messaging.models import OutboundMessage
from vecinos.messaging.services import do_opt_out
from vecinos.messaging.worker import OutboxWorker

MaxQueries = Callable[[int], AbstractContextManager[object]]
BROADCAST_LIST_QUERIES = 8


def counts(html: str) -> dict[str, int]:
    """Status label -> count, as the progress table shows them."""
    rows = re.findall(r'class="badge[^"]*">([^<]+)</span></th>\s*<td[^>]*>(\d+)</td>', html)
    return {label: int(count) for label, count in rows}


@pytest.mark.django_db(transaction=True)
def test_the_progress_counts_follow_the_worker(
    coordinator: User, logged_in: Callable[[User], Client]
) -> None:
    for n in range(4):
        subscribe(n)
    do_opt_out(number(3), "stop")
    broadcast = draft(coordinator)
    client = logged_in(coordinator)
    url = f"/messages/broadcasts/{broadcast.id}/"
    client.post(url, {"action": "send"})

    partial = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial
    assert counts(partial) == {
        "Queued": 3,
        "Sending": 0,
        "Sent": 0,
        "Delivered": 0,
        "Failed": 0,
        "Expired before sending": 0,
        "Not sent": 1,
    }
    assert 'hx-trigger="every 3s"' in partial
    assert '<progress id="progress-bar" class="bar" max="4" value="1">' in partial
    assert "style=" not in partial

    OutboxWorker("test-worker", concurrency=2).run(until_empty=True)

    partial = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert counts(partial)["Delivered"] == 3 and counts(partial)["Queued"] == 0
    assert counts(partial)["Not sent"] == 1
    assert "hx-trigger" not in partial, "a finished broadcast stops polling"
    assert '<progress id="progress-bar" class="bar" max="4" value="4">' in partial
    assert "Finished" in partial

    page = client.get(url).content.decode()  # without JavaScript: the whole page, same counts
    assert "<html" in page and counts(page)["Delivered"] == 3
    assert "style=" not in page
    delivered = OutboundMessage.objects.filter(broadcast=broadcast, status=MessageStatus.DELIVERED)
    assert {m.address for m in delivered} == {number(0), number(1), number(2)}
    assert {m.gateway for m in delivered} == {"simulator"}


@pytest.mark.django_db
def test_the_list_shows_drafts_sending_and_finished(
    coordinator: User, logged_in: Callable[[User], Client]
) -> None:
    subscribe(1)
    draft(coordinator, bodies={"es": "borrador"})
    sending = draft(coordinator)
    broadcasts.do_send_broadcast(coordinator, sending)
    html = logged_in(coordinator).get("/messages/broadcasts/").content.decode()
    assert "Draft of" in html
    assert "Sending: 1 message left" in html
    OutboundMessage.objects.filter(broadcast=sending).update(status=MessageStatus.DELIVERED)
    html = logged_in(coordinator).get("/messages/broadcasts/").content.decode()
    assert "Finished" in html and "Sending:" not in html


def add_broadcasts(coordinator: User, count: int) -> None:
    for n in range(count):
        broadcast = draft(coordinator, bodies={"es": f"Aviso {n}"})
        if n % 2:
            broadcasts.do_send_broadcast(coordinator, broadcast)


def queries_for(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


@pytest.mark.django_db
def test_the_list_costs_the_same_for_two_broadcasts_as_for_fifty(
    coordinator: User,
    make_account: Callable[..., User],
    logged_in: Callable[[User], Client],
    django_assert_max_num_queries: MaxQueries,
) -> None:
    subscribe(1)
    subscribe(2)
    client = logged_in(coordinator)
    add_broadcasts(coordinator, 2)
    queries_for(client, "/messages/broadcasts/")  # warm up
    few = queries_for(client, "/messages/broadcasts/")
    assert few <= BROADCAST_LIST_QUERIES

    other = make_account("second", "coordinator")
    add_broadcasts(other, 60)
    with django_assert_max_num_queries(few):
        response = client.get("/messages/broadcasts/")
    assert len(response.context["page"]) == 50
    assert response.content.decode().count("Sending: 2 messages left") == 25
