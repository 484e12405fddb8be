"""Texts to the hotline: a report opened once per number, answered with the rights to remember."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.hotline.conftest import TextIn
from vecinos.hotline import services
from vecinos.hotline.choices import ReportChannel, ReportStatus
from vecinos.hotline.models import BlockedNumber, Report, ReportText
from vecinos.messaging.choices import Priority
from vecinos.messaging.models import InboundMessage, OutboundMessage

pytestmark = pytest.mark.django_db
NUMBER = "+13235550150"


def test_a_text_opens_a_report_and_gets_the_rights_in_its_language(text_in: TextIn) -> None:
    stored = text_in("Hay agentes de la migra en la esquina de Main y 5th")
    stored.refresh_from_db()
    assert stored.handled_as == services.TEXT_HANDLER
    [report] = Report.objects.all()
    assert report.channel == ReportChannel.TEXT and report.status == ReportStatus.OPEN
    assert report.language == "es"
    assert report.caller == NUMBER and report.caller_hash
    assert "Main y 5th" in report.what_seen
    [reply] = OutboundMessage.objects.all()
    assert reply.kind == services.KYR_REPLY and reply.priority == Priority.REPLY
    assert reply.language == "es"
    assert "juez" in reply.body  # a warrant signed by a judge, in Spanish


def test_korean_and_english_texts_are_answered_in_theirs(text_in: TextIn) -> None:
    text_in("집 앞에 이민국 요원들이 있어요", sender="+13235550151")
    text_in("There are agents at the laundromat on 3rd", sender="+13235550152")
    languages = dict(OutboundMessage.objects.values_list("language", "body"))
    assert set(languages) == {"ko", "en"}
    assert "judge" in languages["en"]
    assert "판사" in languages["ko"]


def test_later_texts_join_the_open_report_without_another_reply(text_in: TextIn) -> None:
    text_in("ICE at the school")
    text_in("two vans, no markings")
    text_in("they left going north")
    [report] = Report.objects.all()
    assert report.texts.count() == 3
    assert OutboundMessage.objects.count() == 1


def test_a_text_after_the_report_closed_opens_a_new_one(text_in: TextIn) -> None:
    text_in("ICE at the school")
    services.do_close_report(None, Report.objects.get())
    text_in("they are back")
    assert Report.objects.count() == 2
    assert OutboundMessage.objects.count() == 2


def test_a_duplicate_delivery_joins_nothing_twice(text_in: TextIn) -> None:
    text_in("ICE at the school", message_id="SM1")
    assert text_in("ICE at the school", message_id="SM1") is None
    assert ReportText.objects.count() == 1


def test_taking_the_same_text_again_changes_nothing(text_in: TextIn) -> None:
    stored = text_in("ICE at the school")
    assert services.take_text(stored) is True
    assert Report.objects.count() == 1 and ReportText.objects.count() == 1


def test_a_blocked_number_opens_nothing_but_its_text_is_kept(
    text_in: TextIn, dispatcher: Any
) -> None:
    text_in("ICE at the school")
    assert services.do_block_number(dispatcher, Report.objects.get(), "threats")
    services.do_close_report(dispatcher, Report.objects.get())
    stored = text_in("open the door")
    assert Report.objects.count() == 1
    assert InboundMessage.objects.filter(id=stored.id).exists()
    # Only a keyed hash of the number is stored.
    [blocked] = BlockedNumber.objects.all()
    assert NUMBER not in blocked.number_hash and "3235550150" not in str(blocked.__dict__)


def test_a_flood_from_one_number_is_kept_but_stops_joining(text_in: TextIn, settings: Any) -> None:
    settings.VECINOS_INTAKE_TEXTS_PER_HOUR = 3
    for n in range(5):
        text_in(f"message {n}")
    assert ReportText.objects.count() == 3
    assert InboundMessage.objects.count() == 5
    assert OutboundMessage.objects.count() == 1


def test_an_oversize_odd_text_still_opens_a_report(text_in: TextIn) -> None:
    body = ("ICE 🚨 en la\x00 calle " * 100)[:1600]
    text_in(body)
    [report] = Report.objects.all()
    assert len(report.what_seen) <= 1600 and "\x00" not in report.what_seen


def test_keywords_are_not_reports(text_in: TextIn) -> None:
    text_in("STOP")
    text_in("HELP", sender="+13235550199")
    assert not Report.objects.exists()


def test_caller_numbers_are_erased_after_the_retention_time(text_in: TextIn, settings: Any) -> None:
    settings.VECINOS_CALLER_RETENTION_HOURS = 72
    stored = text_in("ICE at the school")
    report = Report.objects.get()
    services.do_close_report(None, report)
    report.refresh_from_db()
    assert report.closed_at is not None
    assert services.purge_expired_callers(now=report.closed_at + timedelta(hours=71)) == 0
    assert services.purge_expired_callers(now=report.closed_at + timedelta(hours=73)) == 1
    report.refresh_from_db()
    stored.refresh_from_db()
    assert report.caller == "" and report.caller_hash == "" and report.caller_purged_at
    assert stored.sender == "" and stored.sender_hash == ""
    assert "ICE at the school" in report.what_seen
    assert services.purge_expired_callers(now=report.closed_at + timedelta(hours=100)) == 0


def test_open_reports_keep_their_caller(text_in: TextIn) -> None:
    text_in("ICE at the school")
    report = Report.objects.get()
    assert services.purge_expired_callers(now=report.received_at + timedelta(days=30)) == 0
