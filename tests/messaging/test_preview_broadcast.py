"""The preview before a broadcast: recipients, fallbacks and skips, SMS segments per language, the
time to send at the sender numbers' pace and daily limits, Signal's limits, a missing gateway."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.messaging.test_send_broadcast import draft, number, person, subscribe
from vecinos.core.models import User
from vecinos.messaging import broadcasts
from vecinos.messaging.choices import Audience, BroadcastStatus, Channel
from vecinos.messaging.models import AlertSubscription, Broadcast, OutboundMessage
from vecinos.messaging.services import do_opt_out, do_record_consent

pytestmark = pytest.mark.django_db

ENGLISH = "Assembly on Tuesday at 7 at the church. Bring your neighbors; reply STOP to stop."
SPANISH = (
    "Reunión de emergencia el martes a las 7 en la iglesia de San José. Traigan a sus vecinos."
)
KOREAN = (
    "화요일 저녁 7시에 교회에서 긴급 총회가 있습니다. 이웃들과 함께 오세요. "
    "통역이 준비되어 있습니다. 아이들도 함께 올 수 있습니다. 수신 거부는 STOP."
)
LONG_CODE = "+12135550100"
TOLL_FREE = "+18005550100"


def at(hour: int, minute: int = 0) -> datetime:
    """Today at this local time (the limits reset at local midnight)."""
    return datetime.combine(
        timezone.localdate(), time(hour, minute), timezone.get_current_timezone()
    )


def test_segments_per_language_show_what_accents_and_korean_cost(coordinator: User) -> None:
    for n in range(2):
        subscribe(n, language="en")
    for n in range(2, 5):
        subscribe(n, language="es")
    subscribe(5, language="ko")
    broadcast = draft(coordinator, bodies={"en": ENGLISH, "es": SPANISH, "ko": KOREAN})
    preview = broadcasts.preview(coordinator, broadcast)
    costs = {
        c.language: (c.recipients, c.encoding, c.segments, c.total_segments)
        for c in preview.languages
    }
    assert costs == {
        "en": (2, "GSM-7", 1, 2),
        "es": (3, "UCS-2", 2, 6),  # one "ó" makes all 89 characters UCS-2: 2 segments, not 1
        "ko": (1, "UCS-2", 2, 2),
    }
    assert (preview.recipients, preview.total_segments, preview.fallback) == (6, 10, 0)
    assert preview.costly and preview.can_send


def test_a_spanish_text_without_a_acute_accents_stays_gsm7(coordinator: User) -> None:
    subscribe(1)
    broadcast = draft(coordinator, bodies={"es": "Mañana café en la iglesia, señora."})
    [cost] = broadcasts.preview(coordinator, broadcast).languages
    assert (cost.encoding, cost.segments, cost.costly) == ("GSM-7", 1, False)


def test_the_page_says_plainly_what_the_texts_cost(
    coordinator: User, logged_in: Callable[[User], Client]
) -> None:
    subscribe(1, language="ko")
    subscribe(2, language="es")
    subscribe(3, language="en")
    broadcast = draft(coordinator, bodies={"es": SPANISH, "ko": KOREAN}, fallback="es")
    response = logged_in(coordinator).get(f"/messages/broadcasts/{broadcast.id}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "UCS-2" in html and "costs more" in html
    assert "a segment holds 67 characters instead of 153" in html
    assert "1 recipient's language has no text of its own: they get the text in Spanish" in html
    assert "Send to 3 recipients" in html
    assert not OutboundMessage.objects.exists()


def test_fallbacks_are_counted_per_language(coordinator: User) -> None:
    person(1, "en")
    person(2, "ko")
    person(3, "ko")
    person(4, "es")
    broadcast = draft(
        coordinator, audience=Audience.CONTACTS, bodies={"es": SPANISH}, fallback="es"
    )
    preview = broadcasts.preview(coordinator, broadcast)
    [spanish] = preview.languages
    assert (spanish.recipients, spanish.fallback, preview.fallback) == (4, 3, 3)


def test_stop_and_refused_consent_are_counted_as_skipped(coordinator: User) -> None:
    stopped, refused, kept = person(1), person(2), person(3)
    both = person(4)
    do_opt_out(number(1), "stop")
    do_opt_out(number(4), "stop")
    do_record_consent(refused, Channel.SMS, granted=False)
    do_record_consent(both, Channel.SMS, granted=False)
    do_record_consent(kept, Channel.EMAIL, granted=False)
    broadcast = draft(coordinator, audience=Audience.CONTACTS)
    preview = broadcasts.preview(coordinator, broadcast)
    assert (preview.recipients, preview.opted_out, preview.refused) == (1, 2, 1)
    assert stopped and preview.skipped == 3

    subscribe(10)
    subscribe(11)
    do_opt_out(number(11), "alto")
    alert_list = broadcasts.preview(coordinator, draft(coordinator))
    assert (alert_list.recipients, alert_list.opted_out, alert_list.refused) == (1, 1, 0)


def test_a_long_code_cannot_finish_a_large_broadcast_today() -> None:
    """A 10DLC long code: 60 segments a minute, 6,000 a day by default."""
    pace = broadcasts.estimate_pace(7000, [LONG_CODE], at(9))
    assert (pace.per_minute, pace.per_day, pace.numbers) == (60, 6000, 1)
    assert not pace.finishes_today and pace.capped_by_daily_limit
    assert (pace.today_segments, pace.rest_segments) == (6000, 1000)
    assert pace.minutes - pace.minutes_left_today == pytest.approx(1000 / 60)
    assert pace.rest_duration() == "17 minutes"

    small = broadcasts.estimate_pace(3000, [LONG_CODE], at(9))
    assert small.finishes_today and small.duration() == "50 minutes"


def test_the_pace_adds_up_the_numbers_and_their_daily_limits() -> None:
    both = broadcasts.estimate_pace(30_000, [LONG_CODE, TOLL_FREE], at(9))
    assert (both.per_minute, both.per_day) == (240, None)
    # Together 240 a minute for 100 minutes (24,000, the long code's 6,000 among them), then the
    # toll-free number alone sends the last 6,000 at 180 a minute.
    assert both.finishes_today
    assert both.minutes == pytest.approx(100 + 6000 / 180)

    late = broadcasts.estimate_pace(600, [LONG_CODE], at(23, 55))
    assert not late.finishes_today and not late.capped_by_daily_limit
    assert late.today_segments == 300  # five minutes before midnight at 60 a minute
    assert late.rest_duration() == "5 minutes"

    days = broadcasts.estimate_pace(20_000, [LONG_CODE], at(9))
    assert days.rest_segments == 14_000
    # 6,000 tomorrow, 6,000 the day after, 2,000 on the third day (about 33 minutes).
    assert days.rest_duration() == "2 days"
    assert days.minutes - days.minutes_left_today == pytest.approx(2 * 24 * 60 + 2000 / 60)


def test_what_was_sent_today_and_what_waits_in_the_outbox_count_too() -> None:
    used = broadcasts.estimate_pace(1000, [LONG_CODE], at(9), sent_today={LONG_CODE: 5500})
    assert (used.sent_today, used.today_segments, used.rest_segments) == (5500, 500, 500)
    assert used.capped_by_daily_limit and not used.finishes_today

    queued = broadcasts.estimate_pace(600, [LONG_CODE], at(9), ahead=5700)
    assert (queued.ahead, queued.today_segments, queued.rest_segments) == (5700, 300, 300)
    assert queued.capped_by_daily_limit

    fits = broadcasts.estimate_pace(60, [LONG_CODE], at(9), ahead=120)
    assert fits.finishes_today and fits.minutes == pytest.approx(3)


def test_the_preview_counts_the_numbers_work_so_far_today(coordinator: User, settings: Any) -> None:
    settings.VECINOS_PHONE_GATEWAYS = ["twilio"]
    settings.VECINOS_TWILIO_FROM = [LONG_CODE]
    subscribe(1)
    earlier = draft(coordinator, bodies={"es": SPANISH})
    broadcasts.do_send_broadcast(coordinator, earlier)  # 2 segments waiting
    OutboundMessage.objects.create(
        channel=Channel.SMS,
        address=number(9),
        body="x",
        kind="test",
        status="delivered",
        sender=LONG_CODE,
        segments=3,
        sent_at=timezone.now(),
    )
    preview = broadcasts.preview(coordinator, draft(coordinator, bodies={"es": "Hola"}))
    assert preview.pace is not None
    assert (preview.pace.ahead, preview.pace.sent_today, preview.pace.segments) == (2, 3, 1)


def test_the_preview_page_says_when_it_cannot_finish_today(
    coordinator: User, logged_in: Callable[[User], Client], settings: Any
) -> None:
    settings.VECINOS_PHONE_GATEWAYS = ["twilio"]
    settings.VECINOS_TWILIO_FROM = [LONG_CODE]
    settings.VECINOS_SENDER_DAILY_LIMITS = {LONG_CODE: 2}
    for n in range(3):
        subscribe(n)
    broadcast = draft(coordinator, bodies={"es": SPANISH})
    html = logged_in(coordinator).get(f"/messages/broadcasts/{broadcast.id}/").content.decode()
    assert "This broadcast cannot finish today on the configured numbers." in html
    assert "2 of 6 segments go out before midnight; the other 4 need" in html
    assert "The daily limits of the sender numbers stop it" in html
    assert "Send to 3 recipients" in html  # a warning, not a refusal


def test_the_simulator_has_no_pace_to_estimate(coordinator: User) -> None:
    subscribe(1)
    preview = broadcasts.preview(coordinator, draft(coordinator))
    assert preview.gateway == "simulator" and preview.pace is None


def test_signal_for_a_large_list_is_discouraged(
    coordinator: User, logged_in: Callable[[User], Client], settings: Any
) -> None:
    settings.VECINOS_PHONE_GATEWAYS = ["signal"]
    AlertSubscription.objects.bulk_create(
        [
            AlertSubscription(address=number(n), area="90005", language="es")
            for n in range(broadcasts.SIGNAL_BROAD_LIST + 1)
        ]
    )
    broadcast = draft(coordinator, channel=Channel.SIGNAL)
    html = logged_in(coordinator).get(f"/messages/broadcasts/{broadcast.id}/").content.decode()
    assert "Signal suits responders and dispatchers, not large lists" in html

    AlertSubscription.objects.filter(id__in=AlertSubscription.objects.values("id")[:2]).delete()
    preview = broadcasts.preview(coordinator, broadcast)
    assert preview.recipients == broadcasts.SIGNAL_BROAD_LIST - 1
    assert not preview.signal_too_broad


def test_without_a_gateway_nothing_can_be_sent(
    coordinator: User, logged_in: Callable[[User], Client], settings: Any
) -> None:
    settings.VECINOS_SMTP_HOST = ""
    person(1, email="vecina@example.org")
    broadcast = draft(coordinator, channel=Channel.EMAIL, audience=Audience.CONTACTS)
    client = logged_in(coordinator)
    html = client.get(f"/messages/broadcasts/{broadcast.id}/").content.decode()
    assert "No gateway is configured for E-mail" in html
    assert 'value="send"' not in html
    response = client.post(f"/messages/broadcasts/{broadcast.id}/", {"action": "send"}, follow=True)
    assert "No gateway is configured for this channel" in response.content.decode()
    assert not OutboundMessage.objects.exists()
    assert Broadcast.objects.get().status == BroadcastStatus.DRAFT


def test_nobody_to_send_to_is_said_and_not_sent(
    coordinator: User, logged_in: Callable[[User], Client]
) -> None:
    broadcast = draft(coordinator)
    client = logged_in(coordinator)
    html = client.get(f"/messages/broadcasts/{broadcast.id}/").content.decode()
    assert "Nobody would receive this broadcast." in html and 'value="send"' not in html
    client.post(f"/messages/broadcasts/{broadcast.id}/", {"action": "send"})
    assert Broadcast.objects.get().status == BroadcastStatus.DRAFT


@pytest.mark.parametrize(
    ("minutes", "words"),
    [
        (0.2, "less than a minute"),
        (1, "1 minute"),
        (59.5, "1 hour"),
        (61, "1 hour 1 minute"),
        (24 * 60 + 125, "1 day 2 hours"),
    ],
)
def test_durations_read_as_words(minutes: float, words: str) -> None:
    assert broadcasts.duration_words(minutes) == words


def test_an_hour_before_midnight_is_measured_in_real_minutes() -> None:
    """Until local midnight, whatever the UTC offset (daylight saving included)."""
    pace = broadcasts.estimate_pace(1, [LONG_CODE], at(23))
    assert pace.minutes_left_today == pytest.approx(60)
    assert timedelta(minutes=pace.minutes) < timedelta(minutes=1)
