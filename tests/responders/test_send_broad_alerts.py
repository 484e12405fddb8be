"""Verification, then the broad alert: K confirmations and approval (a second, different
dispatcher's when set), enforced in the services; each subscriber in range once, in their
language; never for a drill; STOP respected; the all-clear to the same people; corrections."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.test import override_settings

from tests.responders.conftest import MakeIncident, MakeResponder, TextIn, ring_cell, texts_to
from vecinos.core.choices import Role
from vecinos.hotline.choices import IncidentStatus
from vecinos.hotline.models import Incident, Report
from vecinos.hotline.services import do_move_incident
from vecinos.messaging.choices import ConsentMethod, MessageStatus, Priority, SkipReason
from vecinos.messaging.models import AlertSubscription, OutboundMessage
from vecinos.messaging.services import do_opt_out, do_record_consent, do_subscribe
from vecinos.organizing.models import Person
from vecinos.places.models import ZipCode, Zone, ZoneCell
from vecinos.responders import broad, services
from vecinos.responders.choices import BroadKind, CorrectionAudience
from vecinos.responders.models import BroadRecipient, Responder, Verification

pytestmark = pytest.mark.django_db

SUBSCRIBERS = {
    # number: (area, language)
    "+13235550201": ("90005", "es"),
    "+13235550202": ("90005", "ko"),
    "+13235550203": ("KOREATOWN", "en"),
    "+13235550204": ("90210", "es"),  # elsewhere
    "+13235550205": ("", "ko"),  # no area: every alert
}


@pytest.fixture
def subscribers(db: Any) -> None:
    for number, (area, language) in SUBSCRIBERS.items():
        AlertSubscription.objects.create(address=number, area=area, language=language)


@pytest.fixture
def responders(make_responder: MakeResponder) -> list[Responder]:
    return [make_responder(language="es"), make_responder(language="en", languages=["en"])]


def alerted(make_incident: MakeIncident, dispatcher: Any, **kwargs: Any) -> Incident:
    incident = make_incident(place="Wilshire & Vermont, Koreatown 90005", **kwargs)
    services.do_alert_responders(dispatcher, incident)
    return incident


def confirm(incident: Incident, responder: Responder, text_in: TextIn) -> None:
    text_in("confirmo", sender=responder.person.phone)


def broad_texts() -> dict[str, OutboundMessage]:
    return by_number("responders.broad_alert")


def by_number(kind: str) -> dict[str, OutboundMessage]:
    """The messages of ``kind`` that will be sent, by number (not-sent rows keep no number)."""
    return {m.address: m for m in OutboundMessage.objects.filter(kind=kind) if m.address}


def test_no_broad_alert_before_k_confirmations_and_a_dispatchers_approval(
    subscribers: None, responders: list[Responder], make_incident: MakeIncident,
    dispatcher: Any, text_in: TextIn,
) -> None:  # fmt: skip
    incident = alerted(make_incident, dispatcher)
    with pytest.raises(broad.NotEnoughConfirmationsError):
        broad.do_send_broad_alert(dispatcher, incident)
    with pytest.raises(broad.NotEnoughConfirmationsError):
        broad.do_approve(dispatcher, incident)
    confirm(incident, responders[0], text_in)
    with pytest.raises(broad.NotApprovedError):
        broad.do_send_broad_alert(dispatcher, incident)
    # Moving it to "confirmed" by hand does not skip the approval either.
    do_move_incident(dispatcher, incident, IncidentStatus.CONFIRMED)
    with pytest.raises(broad.NotApprovedError):
        broad.do_send_broad_alert(dispatcher, incident)
    assert not OutboundMessage.objects.filter(kind="responders.broad_alert").exists()

    broad.do_approve(dispatcher, incident)
    assert broad.do_send_broad_alert(dispatcher, incident) == 4
    assert Verification.objects.get(incident=incident).broad_sent_at is not None


def test_approval_confirms_the_incident_after_k_confirmations(
    responders: list[Responder], make_incident: MakeIncident, dispatcher: Any, text_in: TextIn
) -> None:
    with override_settings(VECINOS_CONFIRMATIONS_NEEDED=2):
        incident = alerted(make_incident, dispatcher)
    confirm(incident, responders[0], text_in)
    with pytest.raises(broad.NotEnoughConfirmationsError):
        broad.do_approve(dispatcher, incident)
    confirm(incident, responders[1], text_in)
    broad.do_approve(dispatcher, incident)
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.CONFIRMED
    assert incident.steps.get(status=IncidentStatus.CONFIRMED).actor == dispatcher
    with pytest.raises(broad.AlreadyApprovedError):
        broad.do_approve(dispatcher, incident)


def test_a_second_approval_must_come_from_a_different_dispatcher(
    subscribers: None, responders: list[Responder], make_incident: MakeIncident,
    dispatcher: Any, make_account: Any, text_in: TextIn,
) -> None:  # fmt: skip
    with override_settings(VECINOS_SECOND_APPROVAL=True):
        incident = alerted(make_incident, dispatcher)
    other = make_account("second", Role.DISPATCHER)
    confirm(incident, responders[0], text_in)
    broad.do_approve(dispatcher, incident)
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.ON_SCENE
    with pytest.raises(broad.SecondApprovalNeededError):
        broad.do_send_broad_alert(dispatcher, incident)
    with pytest.raises(broad.SameApproverError):
        broad.do_approve(dispatcher, incident)
    broad.do_approve(other, incident)
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.CONFIRMED
    assert broad.do_send_broad_alert(other, incident) == 4


def test_the_setting_is_read_when_responders_are_alerted_not_later(
    responders: list[Responder], make_incident: MakeIncident, dispatcher: Any, text_in: TextIn
) -> None:
    incident = alerted(make_incident, dispatcher)
    confirm(incident, responders[0], text_in)
    with override_settings(VECINOS_SECOND_APPROVAL=True, VECINOS_CONFIRMATIONS_NEEDED=5):
        broad.do_approve(dispatcher, incident)
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.CONFIRMED


def test_each_subscriber_in_range_gets_it_once_in_their_language(
    subscribers: None, responders: list[Responder], make_incident: MakeIncident,
    dispatcher: Any, text_in: TextIn,
) -> None:  # fmt: skip
    do_subscribe("+13235550201", "KOREATOWN", "es")  # joined two areas in range: still once
    incident = alerted(make_incident, dispatcher)
    confirm(incident, responders[0], text_in)
    broad.do_approve(dispatcher, incident)
    preview = broad.preview(dispatcher, incident)
    assert preview.recipients == 4 and preview.can_send
    assert preview.areas == ["90005", "KOREATOWN"]
    assert {t.language: t.recipients for t in preview.texts} == {"en": 1, "es": 1, "ko": 2}
    assert "Koreatown 90005" in preview.texts[0].body

    assert broad.do_send_broad_alert(dispatcher, incident) == 4
    sent = broad_texts()
    assert set(sent) == {"+13235550201", "+13235550202", "+13235550203", "+13235550205"}
    assert {number: m.language for number, m in sent.items()} == {
        "+13235550201": "es", "+13235550202": "ko", "+13235550203": "en", "+13235550205": "ko",
    }  # fmt: skip
    assert all(m.priority == Priority.NORMAL and m.status == MessageStatus.QUEUED
               for m in sent.values())  # fmt: skip
    assert "judge" in sent["+13235550203"].body
    with pytest.raises(broad.AlreadySentError):
        broad.do_send_broad_alert(dispatcher, incident)
    assert OutboundMessage.objects.filter(kind="responders.broad_alert").count() == 4
    row = BroadRecipient.objects.filter(incident=incident).first()
    assert row is not None
    with pytest.raises(IntegrityError), transaction.atomic():
        BroadRecipient.objects.create(
            incident=incident, kind=BroadKind.ALERT, address_hash=row.address_hash, language="en"
        )


def test_numbers_that_texted_stop_or_said_no_get_nothing(
    subscribers: None, responders: list[Responder], make_incident: MakeIncident,
    dispatcher: Any, text_in: TextIn, coordinator: Any,
) -> None:  # fmt: skip
    do_opt_out("+13235550202", "STOP")
    refusing = Person.objects.create(full_name="Ana", phone="+13235550203")
    do_record_consent(
        refusing, "sms", granted=False, method=ConsentMethod.IN_PERSON, recorded_by=coordinator
    )
    incident = alerted(make_incident, dispatcher)
    confirm(incident, responders[0], text_in)
    broad.do_approve(dispatcher, incident)
    preview = broad.preview(dispatcher, incident)
    assert (preview.recipients, preview.opted_out, preview.refused) == (2, 1, 1)
    assert broad.do_send_broad_alert(dispatcher, incident) == 4
    assert set(broad_texts()) == {"+13235550201", "+13235550205"}
    skipped = OutboundMessage.objects.filter(status=MessageStatus.SKIPPED)
    assert sorted(skipped.values_list("skip_reason", flat=True)) == [
        SkipReason.NO_CONSENT,
        SkipReason.OPTED_OUT,
    ]
    assert all(m.address == "" for m in skipped)


def test_the_timeline_counts_only_the_numbers_it_goes_to(
    subscribers: None, responders: list[Responder], make_incident: MakeIncident,
    dispatcher: Any, text_in: TextIn,
) -> None:  # fmt: skip
    do_opt_out("+13235550202", "STOP")
    incident = alerted(make_incident, dispatcher)
    confirm(incident, responders[0], text_in)
    broad.do_approve(dispatcher, incident)
    assert broad.do_send_broad_alert(dispatcher, incident) == 4  # the row not sent included
    [step] = incident.steps.filter(note__startswith="Broad alert sent")
    assert step.note == "Broad alert sent to 3 numbers."


def test_a_drill_never_reaches_the_broad_list(
    subscribers: None, responders: list[Responder], make_incident: MakeIncident,
    dispatcher: Any, text_in: TextIn,
) -> None:  # fmt: skip
    incident = alerted(make_incident, dispatcher, is_drill=True)
    confirm(incident, responders[0], text_in)
    broad.do_approve(dispatcher, incident)
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.CONFIRMED
    with pytest.raises(broad.DrillError):
        broad.do_send_broad_alert(dispatcher, incident)
    assert not broad.preview(dispatcher, incident).can_send
    do_move_incident(dispatcher, incident, IncidentStatus.RESOLVED)
    with pytest.raises(broad.DrillError):
        broad.do_send_all_clear(dispatcher, incident)
    assert not BroadRecipient.objects.exists()
    assert not OutboundMessage.objects.filter(person__isnull=True).exists()
    for message in OutboundMessage.objects.all():
        assert message.body.split(":")[0] in {"DRILL", "SIMULACRO", "훈련"}


def test_the_all_clear_goes_to_the_same_people_once_after_resolution(
    subscribers: None, responders: list[Responder], make_incident: MakeIncident,
    dispatcher: Any, text_in: TextIn,
) -> None:  # fmt: skip
    incident = alerted(make_incident, dispatcher)
    confirm(incident, responders[0], text_in)
    broad.do_approve(dispatcher, incident)
    with pytest.raises(broad.NoBroadAlertError):
        broad.do_send_all_clear(dispatcher, incident)
    broad.do_send_broad_alert(dispatcher, incident)
    with pytest.raises(broad.NotResolvedError):
        broad.do_send_all_clear(dispatcher, incident)
    do_subscribe("+13235550299", "90005", "en")  # joined after the alert: no all-clear
    do_opt_out("+13235550201", "ALTO")  # stopped since: recorded as not sent
    do_move_incident(dispatcher, incident, IncidentStatus.RESOLVED)
    assert broad.preview(dispatcher, incident, BroadKind.ALL_CLEAR).recipients == 3
    assert broad.do_send_all_clear(dispatcher, incident) == 4
    all_clear = by_number("responders.all_clear")
    assert set(all_clear) == {"+13235550202", "+13235550203", "+13235550205"}
    assert "all clear" in all_clear["+13235550203"].body
    with pytest.raises(broad.AlreadySentError):
        broad.do_send_all_clear(dispatcher, incident)


def test_a_rumor_found_unfounded_gets_a_correction_to_the_chosen_audience(
    subscribers: None, responders: list[Responder], make_incident: MakeIncident,
    dispatcher: Any, text_in: TextIn,
) -> None:  # fmt: skip
    incident = alerted(make_incident, dispatcher)
    with pytest.raises(broad.NotUnfoundedError):
        broad.do_send_correction(dispatcher, incident, CorrectionAudience.AREA)
    text_in("falso", sender=responders[0].person.phone)
    do_move_incident(dispatcher, incident, IncidentStatus.UNFOUNDED)
    assert broad.do_send_correction(dispatcher, incident, CorrectionAudience.AREA) == 4
    corrections = by_number("responders.correction")
    assert len(corrections) == 4 and "false" in corrections["+13235550203"].body
    assert broad.do_send_correction(dispatcher, incident, CorrectionAudience.RESPONDERS) == 2
    assert [m.kind for m in texts_to(responders[1])][-1] == "responders.correction"
    for audience in CorrectionAudience.values:
        with pytest.raises(broad.AlreadySentError):
            broad.do_send_correction(dispatcher, incident, audience)
    with pytest.raises(ValueError, match="audience"):
        broad.do_send_correction(dispatcher, incident, "everyone")


def test_a_drills_correction_reaches_its_responders_only(
    subscribers: None, responders: list[Responder], make_incident: MakeIncident,
    dispatcher: Any,
) -> None:  # fmt: skip
    incident = alerted(make_incident, dispatcher, is_drill=True)
    do_move_incident(dispatcher, incident, IncidentStatus.UNFOUNDED)
    with pytest.raises(broad.DrillError):
        broad.do_send_correction(dispatcher, incident, CorrectionAudience.AREA)
    assert broad.do_send_correction(dispatcher, incident, CorrectionAudience.RESPONDERS) == 2
    [last] = texts_to(responders[0], "responders.correction")
    assert last.body.startswith("SIMULACRO: ")


def test_an_area_matches_whole_words_of_the_incidents_or_its_reports_places(
    subscribers: None, make_incident: MakeIncident
) -> None:
    incident = make_incident(place="Corner of 3rd and Vermont")
    assert broad.areas_in_range(incident) == []
    Report.objects.create(channel="text", place="near the 90005 post office", incident=incident)
    assert broad.areas_in_range(incident) == ["90005"]
    AlertSubscription.objects.create(address="+13235550206", area="PICO-UNION", language="es")
    AlertSubscription.objects.create(address="+13235550207", area="900", language="es")
    incident.place = "Pico Union, by the church"
    assert broad.areas_in_range(incident) == ["90005", "PICO-UNION"]
    numbers = {s.address for s in broad.subscribers_in_range(incident)}
    assert numbers == {"+13235550201", "+13235550202", "+13235550205", "+13235550206"}


@pytest.mark.parametrize("persona", ["organizer", "member", "responder", "outsider"])
def test_only_dispatchers_and_coordinators_approve_and_send(
    persona: str, request: pytest.FixtureRequest, make_incident: MakeIncident
) -> None:
    user = request.getfixturevalue(persona)
    incident = make_incident()
    for call in (
        lambda: broad.do_approve(user, incident),
        lambda: broad.do_send_broad_alert(user, incident),
        lambda: broad.do_send_all_clear(user, incident),
        lambda: broad.do_send_correction(user, incident, CorrectionAudience.RESPONDERS),
        lambda: broad.preview(user, incident),
    ):
        with pytest.raises(PermissionDenied):
            call()


def test_areas_of_zones_within_the_rings_are_in_range(
    subscribers: None, make_incident: MakeIncident
) -> None:
    near = Zone.objects.create(name="Koreatown", name_key="koreatown")
    far = Zone.objects.create(name="Beverly Hills", name_key="beverly hills")
    ZoneCell.objects.create(cell=ring_cell(2, 3), zone=near)
    ZoneCell.objects.create(cell=ring_cell(5, 0), zone=far)
    ZipCode.objects.create(code="90005", zone=near)
    ZipCode.objects.create(code="90210", zone=far)
    incident = make_incident(place="somewhere without a name")
    with override_settings(VECINOS_BROAD_ALERT_RINGS=2):
        assert broad.areas_in_range(incident) == ["90005", "KOREATOWN"]
    with override_settings(VECINOS_BROAD_ALERT_RINGS=1):
        assert broad.areas_in_range(incident) == []


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", "judge of a court"), ("es", "juez de un tribunal"), ("ko", "법원 판사")],
)
def test_the_community_alert_names_a_judge_of_a_court(
    language: str, words: str, make_incident: MakeIncident
) -> None:
    """An ICE form is signed by an officer, and an immigration judge is not a court: the alert
    must not let either pass for the warrant that opens a door."""
    assert words in broad.bodies(make_incident(), BroadKind.ALERT)[language]
