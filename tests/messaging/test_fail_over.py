"""Failover: a gateway that keeps failing is set aside, the next configured one carries the
messages, and coordinators are warned on their own channel. Twilio is the loopback stand-in."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tests.conftest import MakeAccount
from tests.messaging.gateways.twilio.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio
from vecinos.core.choices import Role
from vecinos.core.models import User
from vecinos.messaging import broadcasts, health, outbox
from vecinos.messaging.choices import Channel, GatewayProblemKind, MessageStatus, Priority
from vecinos.messaging.gateways import gateway_for
from vecinos.messaging.models import Broadcast, GatewayHealth, GatewayProblem, OutboundMessage
from vecinos.messaging.receipts import apply_receipt
from vecinos.messaging.services import do_subscribe, queue_message
from vecinos.organizing.models import Person

pytestmark = pytest.mark.django_db
NUMBERS = [f"+1323555{n:04d}" for n in range(120, 126)]


@pytest.fixture
def failing_twilio(settings: Any) -> Iterator[FakeTwilio]:
    """Twilio first, the simulator behind it; Twilio answers every text with a server error."""
    fake = FakeTwilio(errors=dict.fromkeys(NUMBERS, (503, 20500))).start()
    settings.VECINOS_PHONE_GATEWAYS = ["twilio", "simulator"]
    settings.VECINOS_TWILIO_ACCOUNT_SID = ACCOUNT_SID
    settings.VECINOS_TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.VECINOS_TWILIO_FROM = ["+12135550100"]
    settings.VECINOS_SENDER_RATES = {"+12135550100": 60_000}
    settings.VECINOS_TWILIO_API_BASE = fake.base_url
    settings.VECINOS_FAILOVER_AFTER_ERRORS = 3
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def coordinator_phone(make_account: MakeAccount) -> Person:
    account = make_account("coord", Role.COORDINATOR, language="ko")
    return Person.objects.create(
        full_name="Coordinadora",
        phone="+12135550177",
        preferred_language="ko",
        account=account,
    )


def drain() -> None:
    """Send everything that is due, as the worker does, batch after batch."""
    while ids := outbox.claim("w", limit=10):
        for message_id in ids:
            outbox.deliver(message_id, "w")


def queue(number: str) -> OutboundMessage:
    return queue_message(channel=Channel.SMS, address=number, body="Asamblea hoy", kind="test")


def test_repeated_failures_fail_over_to_the_next_gateway_and_warn_coordinators(
    failing_twilio: FakeTwilio, coordinator_phone: Person
) -> None:
    first = [queue(n) for n in NUMBERS[:3]]
    drain()
    for message in first:
        message.refresh_from_db()
        assert message.status == MessageStatus.QUEUED, "a transient error is retried"
        assert message.gateway == "twilio" and "20500" in message.error
    [problem] = GatewayProblem.objects.all()
    assert problem.gateway == "twilio" and problem.kind == GatewayProblemKind.FAILING
    assert problem.failed_over_to == "simulator"
    assert GatewayHealth.objects.get(name="twilio").down_until > timezone.now()

    [warning] = OutboundMessage.objects.filter(kind=health.GATEWAY_WARNING)
    assert warning.address == coordinator_phone.phone and warning.language == "ko"
    assert warning.priority == Priority.ALERT
    assert "twilio" in warning.body and "simulator" in warning.body

    later = [queue(n) for n in NUMBERS[3:]]
    OutboundMessage.objects.filter(id__in=[m.id for m in first]).update(not_before=timezone.now())
    drain()
    for message in [*first, *later]:
        message.refresh_from_db()
        assert message.status == MessageStatus.DELIVERED
        assert message.gateway == "simulator"
    warning.refresh_from_db()
    assert warning.status == MessageStatus.DELIVERED and warning.gateway == "simulator"
    assert len(failing_twilio.received) == 0


def test_a_gateway_set_aside_is_tried_again_later_and_recovers(
    failing_twilio: FakeTwilio, coordinator_phone: Person
) -> None:
    for number in NUMBERS[:3]:
        queue(number)
    drain()
    assert gateway_for(Channel.SMS).name == "simulator"  # type: ignore[union-attr]
    failing_twilio.errors.clear()
    GatewayHealth.objects.update(down_until=timezone.now() - timedelta(seconds=1))
    assert gateway_for(Channel.SMS).name == "twilio"  # type: ignore[union-attr]
    message = queue("+13235550199")
    drain()
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT and message.gateway == "twilio"
    assert GatewayHealth.objects.get(name="twilio").failures == 0
    assert not GatewayProblem.objects.filter(resolved_at__isnull=True).exists()


def test_with_no_other_gateway_the_failing_one_is_kept_and_coordinators_are_told(
    failing_twilio: FakeTwilio, coordinator_phone: Person, settings: Any
) -> None:
    settings.VECINOS_PHONE_GATEWAYS = ["twilio"]
    failing_twilio.errors[coordinator_phone.phone] = (503, 20500)
    for number in NUMBERS[:3]:
        queue(number)
    drain()
    [problem] = GatewayProblem.objects.all()
    assert problem.failed_over_to == ""
    assert gateway_for(Channel.SMS).name == "twilio"  # type: ignore[union-attr]
    [warning] = OutboundMessage.objects.filter(kind=health.GATEWAY_WARNING)
    assert warning.status == MessageStatus.QUEUED  # it waits for Twilio like everything else


def test_only_the_first_of_several_workers_sets_a_gateway_aside(
    failing_twilio: FakeTwilio, coordinator_phone: Person
) -> None:
    facts = {"handed": 40, "unanswered": 9}
    assert health.set_aside("twilio", GatewayProblemKind.SLOW, Channel.SMS, **facts)
    assert not health.set_aside("twilio", GatewayProblemKind.SLOW, Channel.SMS, **facts)
    assert GatewayProblem.objects.count() == 1
    assert OutboundMessage.objects.filter(kind=health.GATEWAY_WARNING).count() == 1


def test_a_permanent_error_is_the_number_s_fault_not_the_gateway_s(
    failing_twilio: FakeTwilio,
) -> None:
    failing_twilio.errors = dict.fromkeys(NUMBERS, (400, 21211))
    messages = [queue(n) for n in NUMBERS]
    drain()
    for message in messages:
        message.refresh_from_db()
        assert message.status == MessageStatus.FAILED
    assert not GatewayProblem.objects.exists()
    assert not GatewayHealth.objects.filter(failures__gt=0).exists()


def test_coordinators_see_the_problem_on_their_start_page_and_others_do_not(
    failing_twilio: FakeTwilio,
    coordinator_phone: Person,
    logged_in: Callable[[User], Client],
    dispatcher: User,
) -> None:
    for number in NUMBERS[:3]:
        queue(number)
    drain()
    coordinator = coordinator_phone.account
    assert coordinator is not None
    page = logged_in(coordinator).get("/").content.decode()
    with translation.override("ko"):  # the coordinator reads Korean
        assert _("Messages now go through %(successor)s.") % {"successor": "simulator"} in page
    assert "simulator." not in logged_in(dispatcher).get("/").content.decode()


@pytest.fixture
def accepting_twilio(failing_twilio: FakeTwilio) -> FakeTwilio:
    """Twilio that takes every text but, like a congested carrier, sends no delivery report."""
    failing_twilio.errors.clear()
    return failing_twilio


def broadcast_to(count: int, coordinator: User) -> Broadcast:
    for n in range(count):
        do_subscribe(f"+1213555{2000 + n:04d}", "90005", "es")
    draft = broadcasts.do_draft_broadcast(
        coordinator,
        bodies={"es": "Asamblea hoy a las 7"},
        channel=Channel.SMS,
        audience="alert_list",
        areas=[],
        fallback="es",
    )
    broadcasts.do_send_broadcast(coordinator, draft)
    return draft


def age(broadcast: Broadcast, minutes: int) -> datetime:
    """Pretend the broadcast's messages were handed over ``minutes`` ago; returns 'now'."""
    now = timezone.now()
    OutboundMessage.objects.filter(broadcast=broadcast).update(
        sent_at=now - timedelta(minutes=minutes)
    )
    return now


def test_a_broadcast_left_undelivered_sets_its_gateway_aside_and_the_rest_fails_over(
    accepting_twilio: FakeTwilio, coordinator_phone: Person
) -> None:
    assert coordinator_phone.account is not None
    broadcast = broadcast_to(30, coordinator_phone.account)
    drain()
    assert (
        OutboundMessage.objects.filter(broadcast=broadcast, status=MessageStatus.SENT).count() == 30
    )
    # Four minutes on, nothing is judged yet; after five, 30 of 30 have no report.
    assert health.check_slow_broadcasts(age(broadcast, 4)) == []
    assert health.check_slow_broadcasts(age(broadcast, 6)) == ["twilio"]
    [problem] = GatewayProblem.objects.all()
    assert problem.kind == GatewayProblemKind.SLOW and problem.broadcast_id == broadcast.id
    assert (problem.handed, problem.unanswered, problem.failed_over_to) == (30, 30, "simulator")
    [warning] = OutboundMessage.objects.filter(kind=health.GATEWAY_WARNING)
    with translation.override("ko"):
        assert problem.describe() in warning.body
    later = queue("+13235550188")
    drain()
    later.refresh_from_db()
    assert later.gateway == "simulator" and later.status == MessageStatus.DELIVERED
    assert health.check_slow_broadcasts(age(broadcast, 6)) == [], "warned once, not every check"


def test_reports_of_delivery_or_failure_are_answers_and_small_samples_are_not_judged(
    accepting_twilio: FakeTwilio, coordinator_phone: Person
) -> None:
    assert coordinator_phone.account is not None
    broadcast = broadcast_to(30, coordinator_phone.account)
    drain()
    sent = list(OutboundMessage.objects.filter(broadcast=broadcast).order_by("id"))
    for message in sent[:20]:
        apply_receipt("twilio", message.provider_message_id, delivered=True)
    for message in sent[20:27]:
        apply_receipt("twilio", message.provider_message_id, delivered=False, error="30006")
    assert health.check_slow_broadcasts(age(broadcast, 6)) == [], "3 of 30 is 10%, not more"
    OutboundMessage.objects.filter(id__in=[m.id for m in sent[:12]]).update(broadcast=None)
    assert health.check_slow_broadcasts(age(broadcast, 6)) == [], "18 messages judge nothing"
    assert not GatewayProblem.objects.exists()


def test_a_long_provider_error_still_fits_the_coordinators_text(
    failing_twilio: FakeTwilio, coordinator_phone: Person
) -> None:
    """The warning quotes the provider's error; a page of it must not make the text too long to
    send (the coordinator reads Korean here, the costliest encoding)."""
    for _attempt in range(3):
        health.record_failure("twilio", "쓰기 오류 " * 200, Channel.SMS)
    [warning] = OutboundMessage.objects.filter(kind=health.GATEWAY_WARNING)
    assert warning.segments <= 10 and warning.status == MessageStatus.QUEUED
