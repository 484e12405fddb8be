"""Texts arriving: stored once, read once, answered in the sender's language, never looping."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from vecinos.core.phones import InvalidPhoneNumberError
from vecinos.messaging import inbound
from vecinos.messaging.models import AlertSubscription, InboundMessage, OptOut, OutboundMessage
from vecinos.messaging.services import is_opted_out
from vecinos.organizing.models import Person

pytestmark = pytest.mark.django_db
NUMBER = "+13235550150"


def text_in(
    body: str, capture: Any, sender: str = NUMBER, message_id: str = ""
) -> InboundMessage | None:
    with capture(execute=True):
        stored = inbound.receive(
            gateway="simulator",
            provider_message_id=message_id or f"id-{InboundMessage.objects.count()}-{body}",
            sender=sender,
            body=body,
        )
    if stored is not None:
        stored.refresh_from_db()  # as it was read
    return stored


def replies() -> list[OutboundMessage]:
    return list(OutboundMessage.objects.order_by("id"))


def test_stop_opts_out_across_gateways_and_confirms(
    django_capture_on_commit_callbacks: Any,
) -> None:
    stored = text_in("STOP", django_capture_on_commit_callbacks)
    assert stored is not None
    stored.refresh_from_db()
    assert stored.handled_as == "keyword.stop" and stored.processed_at
    assert is_opted_out(NUMBER)
    [confirmation] = replies()
    assert confirmation.kind == "messaging.opt_out_confirmation"
    assert "START" in confirmation.body


def test_start_opts_back_in(django_capture_on_commit_callbacks: Any) -> None:
    text_in("STOP", django_capture_on_commit_callbacks)
    text_in("start", django_capture_on_commit_callbacks)
    assert not OptOut.objects.exists()
    assert "STOP" in replies()[-1].body


def test_a_duplicate_delivery_is_stored_and_processed_once(
    django_capture_on_commit_callbacks: Any,
) -> None:
    assert text_in("STOP", django_capture_on_commit_callbacks, message_id="SM1") is not None
    assert text_in("STOP", django_capture_on_commit_callbacks, message_id="SM1") is None
    assert InboundMessage.objects.count() == 1
    assert len(replies()) == 1


def test_help_answers_in_the_language_of_the_word(django_capture_on_commit_callbacks: Any) -> None:
    text_in("AYUDA", django_capture_on_commit_callbacks)
    [reply] = replies()
    assert reply.language == "es"
    with translation.override("es"):
        assert "STOP" in reply.body and "Vecinos" in reply.body
    assert reply.body != replies_in_english_help()


def replies_in_english_help() -> str:
    with translation.override("en"):
        return translation.gettext(
            "%(name)s is your neighborhood's rapid response network. Text STOP to stop all "
            "messages, START to get them again."
        ) % {"name": "Vecinos"}


def test_a_known_person_is_answered_in_their_language_and_can_switch(
    django_capture_on_commit_callbacks: Any,
) -> None:
    person = Person.objects.create(full_name="Min-seo Han", phone=NUMBER, preferred_language="ko")
    text_in("help", django_capture_on_commit_callbacks)
    assert replies()[-1].language == "ko"
    text_in("Español", django_capture_on_commit_callbacks)
    person.refresh_from_db()
    assert person.preferred_language == "es"
    assert replies()[-1].language == "es"


def test_join_signs_up_for_an_area(django_capture_on_commit_callbacks: Any) -> None:
    stored = text_in("join 90005", django_capture_on_commit_callbacks)
    assert stored is not None
    stored.refresh_from_db()
    assert stored.handled_as == "keyword.join"
    assert "90005" in replies()[-1].body
    subscription = AlertSubscription.objects.get()
    assert (subscription.address, subscription.area) == (NUMBER, "90005")
    text_in("JOIN 90005", django_capture_on_commit_callbacks)
    assert AlertSubscription.objects.count() == 1


def test_unmatched_texts_get_at_most_three_automatic_answers_a_day(
    django_capture_on_commit_callbacks: Any,
) -> None:
    for n in range(6):
        text_in(f"auto-responder message {n}", django_capture_on_commit_callbacks)
    assert InboundMessage.objects.filter(handled_as="unmatched").count() == 6
    assert OutboundMessage.objects.filter(kind="messaging.auto_reply").count() == 3


def test_an_app_handler_takes_texts_that_are_not_keywords(
    django_capture_on_commit_callbacks: Any,
) -> None:
    seen: list[str] = []

    def hotline(message: InboundMessage) -> bool:
        seen.append(message.body)
        return "ICE" in message.body

    inbound.register_handler("test.hotline", hotline)
    try:
        stored = text_in("ICE at 3rd and Vermont", django_capture_on_commit_callbacks)
        assert stored is not None
        stored.refresh_from_db()
        assert stored.handled_as == "test.hotline"
        assert replies() == []
        text_in("STOP", django_capture_on_commit_callbacks)
        assert seen == ["ICE at 3rd and Vermont"], "keywords never reach app handlers"
    finally:
        inbound.HANDLERS[:] = [h for h in inbound.HANDLERS if h[0] != "test.hotline"]


def test_odd_bodies_are_kept_whole_enough_and_safe(
    django_capture_on_commit_callbacks: Any,
) -> None:
    stored = text_in("x\x00y" + "😀" * 3000, django_capture_on_commit_callbacks)
    assert stored is not None
    stored.refresh_from_db()
    assert "\x00" not in stored.body
    assert len(stored.body) == inbound.MAX_BODY


def test_a_sender_that_is_not_a_phone_number_is_refused(
    django_capture_on_commit_callbacks: Any,
) -> None:
    with pytest.raises(InvalidPhoneNumberError):
        text_in("hola", django_capture_on_commit_callbacks, sender="not-a-number")
    assert not InboundMessage.objects.exists()


def test_a_text_stored_but_never_processed_is_processed_later(db: None) -> None:
    stored = inbound.receive(
        gateway="simulator", provider_message_id="crash-1", sender=NUMBER, body="HELP"
    )  # no on_commit callbacks run: as if the process died right after storing it
    assert stored is not None and InboundMessage.objects.get().processed_at is None
    assert inbound.process_pending() == 1
    assert inbound.process_pending() == 0
    assert InboundMessage.objects.get().handled_as == "keyword.help"
    assert len(replies()) == 1
