"""Sending a broadcast: one outbox row per recipient in their language, once, by coordinators only;
STOP and refused consent recorded as not sent; key rotation re-seals the copied addresses."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings

from vecinos.core import audit, crypto
from vecinos.core.models import AuditEvent, User
from vecinos.messaging import broadcasts
from vecinos.messaging.choices import (
    Audience,
    BroadcastStatus,
    Channel,
    MessageStatus,
    Priority,
    SkipReason,
)
from vecinos.messaging.models import AlertSubscription, Broadcast, OutboundMessage
from vecinos.messaging.services import do_opt_out, do_record_consent, do_subscribe
from vecinos.organizing.models import Person

pytestmark = pytest.mark.django_db

TEXTS = {
    "en": "Assembly on Tuesday at 7 at the church.",
    "es": "Asamblea el martes a las 7 en la iglesia.",
    "ko": "화요일 7시 교회에서 총회가 있습니다.",
}


def number(n: int) -> str:
    return f"+1213555{n:04d}"


def subscribe(n: int, area: str = "90005", language: str = "es") -> str:
    do_subscribe(number(n), area, language)
    return number(n)


def person(n: int, language: str = "es", *, email: str = "", phone: bool = True) -> Person:
    return Person.objects.create(
        full_name=f"Vecina {n}",
        phone=number(n) if phone else "",
        email=email,
        preferred_language=language,
    )


def draft(user: User, **fields: Any) -> Broadcast:
    fields.setdefault("channel", Channel.SMS)
    fields.setdefault("audience", Audience.ALERT_LIST)
    fields.setdefault("areas", [])
    fields.setdefault("bodies", dict(TEXTS))
    fields.setdefault("fallback", "es")
    return broadcasts.do_draft_broadcast(user, **fields)


def sent_to(broadcast: Broadcast) -> dict[str, tuple[str, str, str]]:
    """Address -> (language, body, status) of each queued message."""
    return {
        m.address: (m.language, m.body, m.status)
        for m in OutboundMessage.objects.filter(broadcast=broadcast, status=MessageStatus.QUEUED)
    }


def test_each_subscriber_gets_one_message_in_their_language(coordinator: User) -> None:
    en, es, ko = (
        subscribe(1, language="en"),
        subscribe(2, language="es"),
        subscribe(3, "90006", "ko"),
    )
    subscribe(2, area="90006", language="es")  # the same number joined a second area
    elsewhere = subscribe(4, area="90010")
    broadcast = draft(coordinator, areas=["90005", "90006"])

    assert broadcasts.do_send_broadcast(coordinator, broadcast) == 3
    assert sent_to(broadcast) == {
        en: ("en", TEXTS["en"], MessageStatus.QUEUED),
        es: ("es", TEXTS["es"], MessageStatus.QUEUED),
        ko: ("ko", TEXTS["ko"], MessageStatus.QUEUED),
    }
    assert elsewhere not in sent_to(broadcast)
    message = OutboundMessage.objects.get(
        address_hash=AlertSubscription.objects.get(area="90006", language="ko").address_hash
    )
    assert (message.kind, message.priority, message.channel) == (
        "messaging.broadcast",
        Priority.BULK,
        Channel.SMS,
    )
    assert message.segments == 1 and message.person is None and message.attempts == 0
    broadcast.refresh_from_db()
    assert (broadcast.status, broadcast.recipients, broadcast.sent_by) == (
        BroadcastStatus.SENDING,
        3,
        coordinator,
    )
    event = AuditEvent.objects.get(action=audit.BROADCAST_SENT)
    assert (event.actor, event.target_id) == (coordinator, str(broadcast.id))
    assert event.detail == {"channel": "sms", "recipients": 3}


def test_every_area_when_none_is_chosen(coordinator: User) -> None:
    numbers = {subscribe(1, "90005"), subscribe(2, "KOREATOWN"), subscribe(3, "90010")}
    broadcast = draft(coordinator)
    broadcasts.do_send_broadcast(coordinator, broadcast)
    assert set(sent_to(broadcast)) == numbers


def test_a_recipient_whose_language_has_no_text_gets_the_fallback(coordinator: User) -> None:
    people = [person(1, "en"), person(2, "es"), person(3, "ko")]
    broadcast = draft(
        coordinator,
        audience=Audience.CONTACTS,
        bodies={"en": TEXTS["en"], "es": TEXTS["es"]},
        fallback="en",
    )
    broadcasts.do_send_broadcast(coordinator, broadcast)
    assert sent_to(broadcast) == {
        number(1): ("en", TEXTS["en"], MessageStatus.QUEUED),
        number(2): ("es", TEXTS["es"], MessageStatus.QUEUED),
        number(3): ("en", TEXTS["en"], MessageStatus.QUEUED),
    }
    by_person = {m.person_id: m for m in OutboundMessage.objects.filter(broadcast=broadcast)}
    assert set(by_person) == {p.id for p in people}


def test_stop_and_refused_consent_are_recorded_as_not_sent(coordinator: User) -> None:
    stopped, agreed, refused, changed_mind, unknown = (
        person(1),
        person(2),
        person(3),
        person(4),
        person(5),
    )
    no_phone = person(6, phone=False, email="vecina6@example.org")
    do_opt_out(number(1), "stop")
    do_record_consent(agreed, Channel.SMS, granted=True)
    do_record_consent(refused, Channel.SMS, granted=True)
    do_record_consent(refused, Channel.SMS, granted=False)  # the newest answer wins
    do_record_consent(changed_mind, Channel.SMS, granted=False)
    do_record_consent(changed_mind, Channel.SMS, granted=True)
    do_record_consent(unknown, Channel.EMAIL, granted=False)  # another channel
    broadcast = draft(coordinator, audience=Audience.CONTACTS)

    assert broadcasts.do_send_broadcast(coordinator, broadcast) == 5
    rows = {m.person_id: m for m in OutboundMessage.objects.filter(broadcast=broadcast)}
    assert no_phone.id not in rows
    assert {pid: (m.status, m.skip_reason) for pid, m in rows.items()} == {
        stopped.id: (MessageStatus.SKIPPED, SkipReason.OPTED_OUT),
        agreed.id: (MessageStatus.QUEUED, ""),
        refused.id: (MessageStatus.SKIPPED, SkipReason.NO_CONSENT),
        changed_mind.id: (MessageStatus.QUEUED, ""),
        unknown.id: (MessageStatus.QUEUED, ""),
    }
    # A message that will not be sent keeps no copy of the number.
    assert rows[stopped.id].address == "" and rows[stopped.id].address_hash == ""
    assert rows[agreed.id].address == number(2)


def test_a_subscriber_who_texted_stop_gets_nothing(coordinator: User) -> None:
    kept, stopped = subscribe(1), subscribe(2)
    do_opt_out(stopped, "PARAR")
    broadcast = draft(coordinator)
    broadcasts.do_send_broadcast(coordinator, broadcast)
    assert set(sent_to(broadcast)) == {kept}
    skipped = OutboundMessage.objects.get(broadcast=broadcast, status=MessageStatus.SKIPPED)
    assert skipped.skip_reason == SkipReason.OPTED_OUT


def test_an_email_broadcast_goes_to_addresses_with_a_subject_in_each_language(
    coordinator: User, settings: Any
) -> None:
    settings.VECINOS_SMTP_HOST = "127.0.0.1"
    person(1, "ko", email="Ko@Example.org")
    person(2, "en", email="en@example.org")
    person(3, "es")  # no e-mail address
    broadcast = draft(coordinator, channel=Channel.EMAIL, audience=Audience.CONTACTS)
    assert broadcasts.do_send_broadcast(coordinator, broadcast) == 2
    messages = {m.address: m for m in OutboundMessage.objects.filter(broadcast=broadcast)}
    assert set(messages) == {"Ko@Example.org", "en@example.org"}
    assert messages["en@example.org"].subject == "A message from Vecinos"
    assert messages["Ko@Example.org"].body == TEXTS["ko"]
    assert messages["Ko@Example.org"].subject


def test_a_double_submitted_send_sends_once(
    coordinator: User, logged_in: Callable[[User], Client]
) -> None:
    subscribe(1)
    subscribe(2)
    broadcast = draft(coordinator)
    client = logged_in(coordinator)
    url = f"/messages/broadcasts/{broadcast.id}/"
    first = client.post(url, {"action": "send"}, follow=True)
    second = client.post(url, {"action": "send"}, follow=True)
    assert OutboundMessage.objects.filter(broadcast=broadcast).count() == 2
    assert "2 messages are in the outbox" in first.content.decode()
    assert "already sent; it was not sent again" in second.content.decode()
    assert AuditEvent.objects.filter(action=audit.BROADCAST_SENT).count() == 1
    with pytest.raises(broadcasts.NotADraftError):
        broadcasts.do_send_broadcast(coordinator, broadcast)
    assert OutboundMessage.objects.count() == 2


def test_a_sent_broadcast_can_no_longer_be_changed(
    coordinator: User, logged_in: Callable[[User], Client]
) -> None:
    subscribe(1)
    broadcast = draft(coordinator)
    stale = Broadcast.objects.get(id=broadcast.id)
    broadcasts.do_send_broadcast(coordinator, broadcast)
    with pytest.raises(broadcasts.NotADraftError):
        broadcasts.do_change_draft(
            coordinator,
            stale,
            channel=Channel.SMS,
            audience=Audience.ALERT_LIST,
            areas=[],
            bodies={"es": "otro texto"},
            fallback="es",
        )
    response = logged_in(coordinator).get(f"/messages/broadcasts/{broadcast.id}/edit/")
    assert response.status_code == 302
    assert Broadcast.objects.get(id=broadcast.id).bodies == TEXTS


def test_nobody_to_send_to_keeps_the_draft(coordinator: User) -> None:
    broadcast = draft(coordinator)
    with pytest.raises(broadcasts.NoRecipientsError):
        broadcasts.do_send_broadcast(coordinator, broadcast)
    subscribe(1)
    do_opt_out(number(1), "stop")  # the only subscriber said STOP
    with pytest.raises(broadcasts.NoRecipientsError):
        broadcasts.do_send_broadcast(coordinator, broadcast)
    assert not OutboundMessage.objects.exists()
    broadcast.refresh_from_db()
    assert broadcast.status == BroadcastStatus.DRAFT
    assert not AuditEvent.objects.filter(action=audit.BROADCAST_SENT).exists()


def test_compose_preview_and_send_through_the_pages(
    coordinator: User, logged_in: Callable[[User], Client]
) -> None:
    subscribe(1, language="ko")
    subscribe(2, area="90010", language="en")
    client = logged_in(coordinator)
    form = client.get("/messages/broadcasts/new/")
    assert form.status_code == 200
    assert "90005 (1 number)" in form.content.decode()
    response = client.post(
        "/messages/broadcasts/new/",
        {
            "channel": "sms",
            "audience": "alert_list",
            "areas": ["90005"],
            "body_es": "  Asamblea\u00a0el martes  ",
            "body_ko": TEXTS["ko"],
            "fallback": "es",
        },
    )
    broadcast = Broadcast.objects.get()
    assert response["Location"] == f"/messages/broadcasts/{broadcast.id}/"
    assert broadcast.bodies == {"es": "Asamblea el martes", "ko": TEXTS["ko"]}
    assert AuditEvent.objects.filter(action=audit.BROADCAST_DRAFTED).count() == 1
    assert not OutboundMessage.objects.exists(), "a preview sends nothing"

    changed = client.post(
        f"/messages/broadcasts/{broadcast.id}/edit/",
        {"channel": "sms", "audience": "alert_list", "body_es": "Asamblea", "fallback": "es"},
    )
    assert changed.status_code == 302
    broadcast.refresh_from_db()
    assert (broadcast.bodies, broadcast.areas) == ({"es": "Asamblea"}, [])

    preview = client.get(f"/messages/broadcasts/{broadcast.id}/").content.decode()
    assert "Send to 2 recipients" in preview
    client.post(f"/messages/broadcasts/{broadcast.id}/", {"action": "send"})
    assert sorted(sent_to(broadcast).values()) == [
        ("es", "Asamblea", MessageStatus.QUEUED),
        ("es", "Asamblea", MessageStatus.QUEUED),
    ]


@pytest.mark.parametrize(
    ("data", "field", "error"),
    [
        ({"body_en": "", "body_es": " ", "fallback": "es"}, "__all__", "at least one language"),
        ({"body_en": "Hello", "fallback": "es"}, "fallback", "a language you wrote a text in"),
        (
            {"body_es": "á" + "x" * 700, "fallback": "es"},
            "body_es",
            "This text takes 11 SMS segments; at most 10",
        ),
        (
            {"channel": "email", "body_es": "Hola", "fallback": "es"},
            "channel",
            "holds phone numbers",
        ),
        ({"channel": "voice", "body_es": "Hola", "fallback": "es"}, "channel", "valid choice"),
    ],
)
def test_the_form_explains_what_cannot_be_sent(
    data: dict[str, str],
    field: str,
    error: str,
    coordinator: User,
    logged_in: Callable[[User], Client],
) -> None:
    posted = {"channel": "sms", "audience": "alert_list", **data}
    response = logged_in(coordinator).post("/messages/broadcasts/new/", posted)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert error in " ".join(errors[field]), errors
    assert not Broadcast.objects.exists()


def test_an_email_text_may_be_longer_than_any_sms(coordinator: User, settings: Any) -> None:
    broadcast = draft(
        coordinator, channel=Channel.EMAIL, audience=Audience.CONTACTS, bodies={"es": "x" * 3000}
    )
    assert len(broadcast.bodies["es"]) == 3000


@pytest.mark.parametrize("persona", ["outsider", "responder", "organizer", "dispatcher"])
def test_only_coordinators_may_see_or_send_broadcasts(
    persona: str,
    request: pytest.FixtureRequest,
    coordinator: User,
    logged_in: Callable[[User], Client],
) -> None:
    subscribe(1)
    broadcast = draft(coordinator)
    user: User = request.getfixturevalue(persona)
    client = logged_in(user)
    before = AuditEvent.objects.count()
    base = f"/messages/broadcasts/{broadcast.id}/"
    for url in ("/messages/broadcasts/", "/messages/broadcasts/new/", base, f"{base}edit/"):
        assert client.get(url).status_code == 403, url
    new = {"channel": "sms", "audience": "alert_list", "body_es": "x", "fallback": "es"}
    assert client.post("/messages/broadcasts/new/", new).status_code == 403
    assert client.post(base, {"action": "send"}).status_code == 403
    assert client.post(f"{base}edit/", new).status_code == 403
    assert "/messages/broadcasts/" not in client.get("/").content.decode()
    for service in (
        lambda: broadcasts.do_send_broadcast(user, broadcast),
        lambda: broadcasts.preview(user, broadcast),
        lambda: broadcasts.broadcasts_for(user),
        lambda: broadcasts.access_broadcast(user, broadcast.id),
        lambda: draft(user),
    ):
        with pytest.raises(PermissionDenied):
            service()
    assert AuditEvent.objects.count() == before
    assert not OutboundMessage.objects.exists()
    assert Broadcast.objects.count() == 1
    broadcast.refresh_from_db()
    assert broadcast.status == BroadcastStatus.DRAFT


def test_a_coordinator_finds_broadcasts_in_the_menu(
    coordinator: User, logged_in: Callable[[User], Client]
) -> None:
    assert 'href="/messages/broadcasts/"' in logged_in(coordinator).get("/").content.decode()


def test_key_rotation_reseals_the_copied_addresses(coordinator: User) -> None:
    """The outbox copies the subscriber's sealed token as it is, under whichever key sealed it;
    `rotate-keys` re-seals outbox rows like any other sealed column."""
    new_key, old_key = crypto.keyring()[0][0], crypto.keyring()[1][0]
    with override_settings(VECINOS_FIELD_KEYS=settings.VECINOS_FIELD_KEYS[1:]):
        subscribe(1)
    broadcast = draft(coordinator)
    broadcasts.do_send_broadcast(coordinator, broadcast)
    message = OutboundMessage.objects.get(broadcast=broadcast)
    assert _raw_address(message.id).startswith(f"g1.{old_key}.")

    call_command("rotate_keys", stdout=io.StringIO())
    assert _raw_address(message.id).startswith(f"g1.{new_key}.")
    message.refresh_from_db()
    assert message.address == number(1)


def _raw_address(message_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT address FROM messaging_outboundmessage WHERE id = %s", [message_id])
        return str(cursor.fetchone()[0])


def test_an_unknown_broadcast_is_not_found(
    coordinator: User, logged_in: Callable[[User], Client]
) -> None:
    client = logged_in(coordinator)
    assert client.get("/messages/broadcasts/999/").status_code == 404
    assert client.post("/messages/broadcasts/999/", {"action": "send"}).status_code == 404
    assert not OutboundMessage.objects.exists()


def test_a_large_broadcast_refreshes_postgresql_s_view_of_the_outbox(
    coordinator: User, django_capture_on_commit_callbacks: Any
) -> None:
    """Planned from statistics taken before the broadcast, every claim of the worker would sort
    the whole queue; after it, PostgreSQL knows the outbox holds the new rows."""
    AlertSubscription.objects.bulk_create(
        AlertSubscription(address=number(n), area="90005", language="es")
        for n in range(broadcasts.ANALYZE_AFTER)
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        queued = broadcasts.do_send_broadcast(coordinator, draft(coordinator))
    assert queued == broadcasts.ANALYZE_AFTER
    if connection.vendor != "postgresql":
        assert broadcasts.analyze_outbox not in callbacks  # SQLite plans without it
        return
    assert broadcasts.analyze_outbox in callbacks
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples FROM pg_class WHERE relname = %s",
            [OutboundMessage._meta.db_table],
        )
        assert cursor.fetchone()[0] >= broadcasts.ANALYZE_AFTER
