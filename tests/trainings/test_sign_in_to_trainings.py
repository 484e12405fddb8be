"""Signing in at the door by texting the session's code (a clear answer for an unknown code or
one outside the sign-in window), or marked by the trainer; scheduling a session."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.responders.conftest import MakeResponder, TextIn
from tests.trainings.conftest import session
from vecinos.core import audit
from vecinos.core.models import AuditEvent, User
from vecinos.messaging.choices import Channel
from vecinos.messaging.models import InboundMessage, OutboundMessage
from vecinos.messaging.services import address_hash
from vecinos.organizing.models import Person
from vecinos.trainings import services
from vecinos.trainings.choices import SignInMethod, TrainingKind
from vecinos.trainings.models import Certificate, TrainingSession

pytestmark = pytest.mark.django_db
LoggedIn = Callable[[User], Client]


def reply_to(sender: str) -> OutboundMessage:
    """The latest text queued to ``sender``."""
    found = OutboundMessage.objects.filter(address_hash=address_hash(Channel.SMS, sender))
    latest = found.order_by("-id").first()
    assert latest is not None
    return latest


def test_texting_the_code_signs_a_responder_in_and_counts_their_training(
    make_responder: MakeResponder, text_in: TextIn
) -> None:
    responder = make_responder("Ofelia Campos", eligible=False, language="es")
    today = session()
    inbound = text_in(f" {today.code.lower()[:2]} {today.code[2:]} ", responder.person.phone)
    assert inbound is not None
    inbound.refresh_from_db()
    assert inbound.handled_as == services.SIGN_IN_HANDLER
    certificate = Certificate.objects.get(session=today, person=responder.person)
    assert certificate.method == SignInMethod.TEXT and certificate.inbound == inbound
    assert certificate.expires_at == today.starts_at + timedelta(days=365)
    responder.refresh_from_db()
    assert responder.trained_until == certificate.expires_at
    reply = reply_to(responder.person.phone)
    assert reply.kind == services.SIGN_IN_KIND and reply.language == "es"
    assert "Primer/a respondiente" in reply.body
    # Twice: one certificate, and a different answer.
    text_in(today.code, responder.person.phone)
    assert Certificate.objects.filter(session=today).count() == 1
    assert (
        "already" in reply_to(responder.person.phone).body
        or "ya" in reply_to(responder.person.phone).body
    )


def test_the_answer_is_in_the_persons_language(
    make_responder: MakeResponder, text_in: TextIn
) -> None:
    responder = make_responder("Bora Kim", language="ko", languages=["ko"])
    today = session(kind=TrainingKind.KNOW_YOUR_RIGHTS)
    text_in(today.code, responder.person.phone)
    assert reply_to(responder.person.phone).language == "ko"


def test_an_unknown_code_gets_a_clear_answer_and_nothing_is_recorded(
    make_responder: MakeResponder, text_in: TextIn
) -> None:
    responder = make_responder(language="en", languages=["en"])
    text_in("ZZ9999", responder.person.phone)
    body = reply_to(responder.person.phone).body
    assert "we don't know the training code ZZ9999" in body
    assert not Certificate.objects.exists()


@pytest.mark.parametrize(
    ("days_ago", "hours", "words"),
    [(-1, 3, "opens at"), (1, 3, "closed at")],
    ids=["tomorrow", "yesterday"],
)
def test_a_code_outside_the_sign_in_window_is_explained(
    days_ago: float, hours: float, words: str, make_responder: MakeResponder, text_in: TextIn
) -> None:
    responder = make_responder(language="en", languages=["en"])
    other = session(days_ago=days_ago, hours=hours)
    text_in(other.code, responder.person.phone)
    assert words in reply_to(responder.person.phone).body
    assert not Certificate.objects.exists()


def test_the_window_opens_half_an_hour_before_and_closes_an_hour_after() -> None:
    now = timezone.now()
    s = TrainingSession(starts_at=now, ends_at=now + timedelta(hours=2))
    assert s.sign_in_open(now - timedelta(minutes=29))
    assert not s.sign_in_open(now - timedelta(minutes=31))
    assert s.sign_in_open(now + timedelta(hours=2, minutes=59))
    assert not s.sign_in_open(now + timedelta(hours=3, minutes=1))


def test_a_number_the_network_does_not_know_signs_in_as_a_new_person(text_in: TextIn) -> None:
    today = session()
    text_in(today.code, "+12135550177")
    certificate = Certificate.objects.get(session=today)
    assert certificate.person.phone == "+12135550177"
    assert "0177" in certificate.person.full_name
    assert Person.objects.count() == 1
    assert not InboundMessage.objects.filter(handled_as__startswith="hotline").exists()


def test_other_texts_are_left_to_the_other_readers(text_in: TextIn) -> None:
    for body in ["hello", "KR48210", "Agents at 3rd and Vermont", "1234"]:
        assert services.read_code(body) is None, body
    assert services.read_code("kr-4821 María") == "KR4821"
    inbound = text_in("Agents at 3rd and Vermont", "+12135550178")
    assert inbound is not None
    inbound.refresh_from_db()
    assert inbound.handled_as != services.SIGN_IN_HANDLER


def test_the_trainer_marks_someone_present(
    organizer: User, logged_in: LoggedIn, make_responder: MakeResponder
) -> None:
    responder = make_responder("Macaria Luna", eligible=False)
    client = logged_in(organizer)
    today = session()
    page = client.get(f"/trainings/{today.id}/", {"name": "macaria"}).content.decode()
    assert today.code in page and "Macaria Luna" in page
    response = client.post(f"/trainings/{today.id}/", {"person_id": responder.person_id})
    assert response.status_code == 302
    certificate = Certificate.objects.get(session=today, person=responder.person)
    assert certificate.method == SignInMethod.TRAINER and certificate.recorded_by == organizer
    assert AuditEvent.objects.filter(action=audit.TRAINING_ATTENDED, actor=organizer).exists()
    assert client.post(f"/trainings/{today.id}/", {"person_id": "x"}).status_code == 400
    assert client.post(f"/trainings/{today.id}/", {"person_id": "999999"}).status_code == 404
    page = client.get(f"/trainings/{today.id}/").content.decode()
    assert "Macaria Luna" in page and "Marked by the trainer" in page


def test_scheduling_a_session_gives_it_a_code(organizer: User, logged_in: LoggedIn) -> None:
    client = logged_in(organizer)
    response = client.post(
        "/trainings/new/",
        {"kind": "responder", "title": "", "place": "Union hall",
         "starts_at": "2030-01-02T18:00", "ends_at": "2030-01-02T21:00"},
    )  # fmt: skip
    assert response.status_code == 302
    created = TrainingSession.objects.get()
    assert services.CODE_SHAPE.match(created.code) and created.trainer == organizer
    assert client.get("/trainings/").status_code == 200


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"starts_at": "2030-01-02T18:00", "ends_at": "2030-01-02T17:00"}, "end after it starts"),
        ({"starts_at": "soon", "ends_at": "2030-01-02T17:00"}, "valid date/time"),
        ({"kind": "karate"}, "Select a valid choice"),
        ({"place": ""}, "This field is required"),
    ],
)
def test_bad_input_when_scheduling_is_explained(
    data: dict[str, str], error: str, organizer: User, logged_in: LoggedIn
) -> None:
    fields = {"kind": "responder", "place": "Union hall",
              "starts_at": "2030-01-02T18:00", "ends_at": "2030-01-02T21:00", **data}  # fmt: skip
    response = logged_in(organizer).post("/trainings/new/", fields)
    assert response.status_code == 200 and error in response.content.decode()
    assert not TrainingSession.objects.exists()


def test_the_service_refuses_backwards_times_and_who_may_not_run_trainings(
    organizer: User, dispatcher: User
) -> None:
    from django.core.exceptions import PermissionDenied

    now = timezone.now()
    with pytest.raises(services.BadTimesError):
        services.do_schedule_session(
            organizer, kind="kyr", place="Hall", starts_at=now, ends_at=now
        )
    with pytest.raises(PermissionDenied):
        services.do_schedule_session(
            dispatcher, kind="kyr", place="Hall", starts_at=now, ends_at=now + timedelta(hours=1)
        )


def test_a_replayed_text_is_read_once(
    make_responder: MakeResponder, django_capture_on_commit_callbacks: Any
) -> None:
    from vecinos.messaging import inbound as inbox

    responder = make_responder()
    today = session()
    with django_capture_on_commit_callbacks(execute=True):
        message = inbox.receive(
            gateway="simulator", provider_message_id="a", sender=responder.person.phone,
            body=today.code,
        )  # fmt: skip
    assert message is not None
    before = OutboundMessage.objects.count()
    assert services.take_sign_in(message) is True  # a handler re-run after a crash
    assert OutboundMessage.objects.count() == before
    assert Certificate.objects.count() == 1
