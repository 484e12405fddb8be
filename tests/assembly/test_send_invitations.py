"""Invitations and reminders: by each member's channel, in their language, once each."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from tests.assembly.conftest import MakeMember
from tests.conftest import log_in
from vecinos.assembly import services
from vecinos.assembly.models import Meeting, Notice
from vecinos.core import periodic
from vecinos.core.models import User
from vecinos.messaging.choices import Channel
from vecinos.messaging.models import OutboundMessage
from vecinos.messaging.services import do_record_consent


def test_each_member_is_invited_once_by_their_channel_and_in_their_language(
    body_facilitator: User, meeting: Meeting, make_member: MakeMember
) -> None:
    sms = make_member("Juana", phone="+12135550101", language="es")
    email = make_member(
        "Ji-woo",
        phone="+12135550102",
        email="jiwoo@example.org",
        language="ko",
        channel=Channel.EMAIL,
    )
    signal = make_member("Sam", phone="+12135550103", language="en", channel=Channel.SIGNAL)
    voice = make_member("Rafa", phone="+12135550104", language="es", channel=Channel.VOICE)
    nobody = make_member("Sin datos")
    client = log_in(Client(), body_facilitator)

    client.post(f"/assembly/meetings/{meeting.id}/", {"action": "invite"})
    client.post(f"/assembly/meetings/{meeting.id}/", {"action": "invite"})

    sent = {m.person_id: m for m in OutboundMessage.objects.filter(kind="assembly.invitation")}
    assert set(sent) == {sms.id, email.id, signal.id, voice.id}
    assert (sent[sms.id].channel, sent[sms.id].language) == (Channel.SMS, "es")
    assert (sent[email.id].channel, sent[email.id].language) == (Channel.EMAIL, "ko")
    assert sent[email.id].subject
    assert sent[signal.id].channel == Channel.SIGNAL
    assert sent[voice.id].channel == Channel.SMS  # a meeting's details are texted, not read out
    assert "Escuela Hoover" in sent[sms.id].body
    notices = Notice.objects.filter(kind="invitation")
    assert notices.count() == 6  # the facilitator and "Sin datos" included, with no message
    assert notices.get(person=nobody).message is None


def test_an_email_invitation_carries_the_agenda(
    body_facilitator: User, meeting: Meeting, make_member: MakeMember
) -> None:
    make_member("Ana", email="ana@example.org", channel=Channel.EMAIL, language="en")
    services.do_add_agenda_item(body_facilitator, meeting, title="Brigada", time_box_minutes=20)

    services.do_send_invitations(body_facilitator, meeting)

    message = OutboundMessage.objects.get(kind="assembly.invitation")
    assert "1. Brigada (20 min)" in message.body


def test_no_invitation_to_a_member_who_said_no_to_their_channel(
    body_facilitator: User, meeting: Meeting, make_member: MakeMember
) -> None:
    person = make_member("Juana", phone="+12135550101")
    do_record_consent(person, Channel.SMS, granted=False)

    queued = services.do_send_invitations(body_facilitator, meeting)

    assert queued == 0
    assert not OutboundMessage.objects.filter(kind="assembly.invitation").exists()


def test_the_worker_reminds_members_a_day_before_once(
    meeting: Meeting, make_member: MakeMember
) -> None:
    make_member("Juana", phone="+12135550101")
    far = Meeting.objects.create(
        assembly=meeting.assembly,
        title="Later",
        starts_at=timezone.now() + timedelta(days=30),
        place="X",
    )
    now = meeting.starts_at - timedelta(hours=20)

    first = services.send_due_reminders(now=now)
    again = services.send_due_reminders(now=now + timedelta(minutes=5))

    reminders = OutboundMessage.objects.filter(kind="assembly.reminder")
    assert (first, again) == (1, 0)
    assert reminders.count() == 1
    assert not Notice.objects.filter(meeting=far).exists()
    assert "assembly.reminders" in periodic.CHORES


def test_a_new_time_means_a_new_reminder(
    body_facilitator: User, meeting: Meeting, make_member: MakeMember
) -> None:
    make_member("Juana", phone="+12135550101")
    services.send_due_reminders(now=meeting.starts_at - timedelta(hours=1))
    later = meeting.starts_at + timedelta(days=2)

    services.do_update_meeting(body_facilitator, meeting, starts_at=later)
    services.send_due_reminders(now=later - timedelta(hours=1))

    assert OutboundMessage.objects.filter(kind="assembly.reminder").count() == 2


def test_a_spanish_text_drops_the_accents_that_cost_ucs_2_but_an_email_keeps_them(
    body_facilitator: User, meeting: Meeting, make_member: MakeMember
) -> None:
    make_member("Juana", phone="+12135550101", language="es")
    make_member("Ana", email="ana@example.org", channel=Channel.EMAIL, language="es")
    Meeting.objects.filter(id=meeting.id).update(place="Salón parroquial “La Soledad”")
    meeting.refresh_from_db()

    services.do_send_invitations(body_facilitator, meeting)

    text = OutboundMessage.objects.get(kind="assembly.invitation", channel=Channel.SMS)
    email = OutboundMessage.objects.get(kind="assembly.invitation", channel=Channel.EMAIL)
    assert 'Salon parroquial "La Soledad"' in text.body
    assert not set("áíóú“”…") & set(text.body)
    assert "Salón parroquial" in email.body
