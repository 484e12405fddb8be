"""Consent per channel on a person's page: who may see and record it, that each answer is audited
with who recorded it, and that a no stops the outbox from using that channel."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from tests.conftest import MakePerson
from vecinos.core import audit
from vecinos.core.models import AuditEvent, User
from vecinos.messaging.choices import Channel, ConsentMethod, MessageStatus, SkipReason
from vecinos.messaging.models import Consent
from vecinos.messaging.services import consent_refused, do_record_consent, queue_message
from vecinos.messaging.worker import OutboxWorker

LoggedIn = Callable[[User], Client]


def answer(channel: str = "sms", answer: str = "yes", method: str = "in_person") -> dict[str, str]:
    return {"channel": channel, "answer": answer, "method": method}


@pytest.mark.django_db(transaction=True)  # the outbox worker's threads need committed rows
def test_yes_then_no_stops_messages_on_that_channel_only(
    organizer: User, logged_in: LoggedIn, make_person: MakePerson
) -> None:
    person = make_person()
    client = logged_in(organizer)
    url = f"/people/{person.id}/consent/"
    first = client.post(url, answer(answer="yes", method="web_form"))
    assert (first.status_code, first["Location"]) == (302, f"/people/{person.id}/")
    assert not consent_refused(person, Channel.SMS)
    assert client.post(url, answer(answer="no", method="text_message")).status_code == 302
    assert consent_refused(person, Channel.SMS)
    assert not consent_refused(person, Channel.VOICE), "a no on SMS says nothing about calls"

    recorded = AuditEvent.objects.filter(action=audit.CONSENT_RECORDED).order_by("id")
    assert [(e.actor, e.target_id, e.detail["granted"]) for e in recorded] == [
        (organizer, str(person.id), True),
        (organizer, str(person.id), False),
    ]
    assert recorded[1].detail == {"channel": "sms", "granted": False, "method": "text_message"}
    assert list(Consent.objects.values_list("recorded_by", flat=True)) == [organizer.id] * 2

    text = queue_message(
        channel=Channel.SMS, address=person.phone, body="Asamblea", kind="t", person=person
    )
    call = queue_message(
        channel=Channel.VOICE, address=person.phone, body="Asamblea", kind="t", person=person
    )
    OutboxWorker("t", 1).run(until_empty=True)
    text.refresh_from_db()
    call.refresh_from_db()
    assert (text.status, text.skip_reason) == (MessageStatus.SKIPPED, SkipReason.NO_CONSENT)
    assert call.status == MessageStatus.DELIVERED


def test_the_persons_page_shows_each_channel_with_its_history(
    organizer: User, coordinator: User, logged_in: LoggedIn, make_person: MakePerson
) -> None:
    person = make_person()
    client = logged_in(organizer)
    page = client.get(f"/people/{person.id}/").content.decode()
    assert page.count("Not recorded") == len(Channel.choices)
    do_record_consent(
        person, Channel.SIGNAL, granted=True, method=ConsentMethod.IMPORT, recorded_by=coordinator
    )
    do_record_consent(person, Channel.SIGNAL, granted=False, method=ConsentMethod.TEXT_MESSAGE)
    page = client.get(f"/people/{person.id}/").content.decode()
    assert page.count("Not recorded") == len(Channel.choices) - 1
    assert "By text message" in page and "Automatically" in page
    assert "Signal: 2 answers" in page
    assert "Imported list" in page and coordinator.display_name in page, "the history"
    consent_page = client.get(f"/people/{person.id}/consent/")
    assert consent_page.status_code == 200
    assert "Signal: 2 answers" in consent_page.content.decode()


def test_htmx_gets_only_the_consent_section_back(
    organizer: User, logged_in: LoggedIn, make_person: MakePerson
) -> None:
    person = make_person()
    response = logged_in(organizer).post(
        f"/people/{person.id}/consent/", answer("email", "yes"), HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and 'id="consent"' in html
    assert Consent.objects.get().channel == Channel.EMAIL


@pytest.mark.parametrize(
    ("field", "data"),
    [
        ("channel", answer(channel="fax")),
        ("channel", answer(channel="")),
        ("method", answer(method="telepathy")),
        ("answer", answer(answer="maybe")),
    ],
)
def test_the_form_refuses_an_unknown_channel_method_or_answer(
    field: str,
    data: dict[str, str],
    organizer: User,
    logged_in: LoggedIn,
    make_person: MakePerson,
) -> None:
    person = make_person()
    response = logged_in(organizer).post(f"/people/{person.id}/consent/", data)
    assert response.status_code == 200
    assert response.context["consent_form"].errors[field]
    assert not Consent.objects.exists()
    assert not AuditEvent.objects.filter(action=audit.CONSENT_RECORDED).exists()


@pytest.mark.parametrize("persona", ["outsider", "responder", "dispatcher", "member"])
def test_those_who_may_not_edit_people_are_refused_and_nothing_is_recorded_or_read(
    persona: str, request: pytest.FixtureRequest, logged_in: LoggedIn, make_person: MakePerson
) -> None:
    user: User = request.getfixturevalue(persona)
    person = make_person()
    client = logged_in(user)
    before = AuditEvent.objects.count()
    url = f"/people/{person.id}/consent/"
    assert client.get(url).status_code == 403
    assert client.post(url, answer(answer="no")).status_code == 403
    assert client.post(url, answer(), HTTP_HX_REQUEST="true").status_code == 403
    assert client.get(f"/people/{person.id}/").status_code == 403
    assert not Consent.objects.exists()
    assert AuditEvent.objects.count() == before
    assert not AuditEvent.objects.filter(action=audit.PERSON_VIEWED).exists()
    with pytest.raises(PermissionDenied):
        do_record_consent(person, Channel.SMS, granted=False, recorded_by=user)
    assert not Consent.objects.exists()


def test_the_service_refuses_unknown_channels_and_methods(
    organizer: User, make_person: MakePerson
) -> None:
    person = make_person()
    with pytest.raises(ValueError, match="channel"):
        do_record_consent(person, "fax", granted=True, recorded_by=organizer)
    with pytest.raises(ValueError, match="method"):
        do_record_consent(person, Channel.SMS, granted=True, method="x", recorded_by=organizer)
    assert not Consent.objects.exists() and not AuditEvent.objects.exists()
