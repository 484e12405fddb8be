"""Time polls: each member marks every proposed time yes / if need be / no, on the web or by
replying to a text; the best times are ranked."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.assembly.conftest import MakeMember, TextIn
from tests.conftest import log_in
from vecinos.assembly import queries, services
from vecinos.assembly.choices import AnsweredBy, PollStatus, SlotAnswer
from vecinos.assembly.models import Assembly, Meeting, SlotVote, TimePoll
from vecinos.core.models import User
from vecinos.messaging import inbound
from vecinos.messaging.models import InboundMessage, OutboundMessage
from vecinos.messaging.services import address_hash
from vecinos.organizing.models import Person

NIGHT_SHIFT = "+12135550101"


@pytest.fixture
def poll(body_facilitator: User, assembly: Assembly) -> TimePoll:
    start = timezone.now().replace(microsecond=0) + timedelta(days=10)
    return services.do_create_time_poll(
        body_facilitator,
        assembly,
        title="Asamblea de diciembre",
        slots=[
            services.SlotInput(start),
            services.SlotInput(start + timedelta(days=1)),
            services.SlotInput(start + timedelta(days=2)),
        ],
    )


def replies_to(number: str, field: str = "body") -> list[str]:
    return list(
        OutboundMessage.objects.filter(
            address_hash=address_hash("sms", number), kind="assembly.time_poll_reply"
        )
        .order_by("id")
        .values_list(field, flat=True)
    )


def test_a_facilitator_starts_a_poll_from_the_form(
    body_facilitator: User, assembly: Assembly
) -> None:
    response = log_in(Client(), body_facilitator).post(
        f"/assembly/bodies/{assembly.id}/polls/new/",
        {
            "title": "Asamblea de diciembre",
            "minutes": 90,
            "slot_1": "2030-12-02T18:30",
            "slot_2": "2030-12-06T10:00",
        },
    )

    poll = TimePoll.objects.get()
    assert response.status_code == 302
    assert poll.code == f"H{poll.id}"
    assert [s.ends_at - s.starts_at for s in poll.slots.all()] == [timedelta(minutes=90)] * 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"slot_1": "2030-12-02T18:30"}, "at least two times"),
        ({"slot_1": "2030-12-02T18:30", "slot_2": "2030-12-02T18:30"}, "proposed twice"),
        ({"slot_1": "2020-12-02T18:30", "slot_2": "2030-12-02T18:30"}, "in the future"),
    ],
)
def test_a_poll_form_with_bad_times_says_what_to_fix(
    body_facilitator: User, assembly: Assembly, data: dict[str, str], message: str
) -> None:
    response = log_in(Client(), body_facilitator).post(
        f"/assembly/bodies/{assembly.id}/polls/new/", {"title": "X", "minutes": 90, **data}
    )

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].non_field_errors())
    assert not TimePoll.objects.exists()


def test_a_member_answers_on_the_web_and_the_times_are_ranked(
    poll: TimePoll, plain_member: User, make_member: MakeMember
) -> None:
    first, second, third = poll.slots.all()
    other = make_member("Librada Urbina")
    services.record_time_answers(
        poll,
        other,
        {first.id: SlotAnswer.NO, second.id: SlotAnswer.YES, third.id: SlotAnswer.IF_NEED_BE},
        by=AnsweredBy.WEB,
    )
    client = log_in(Client(), plain_member)

    client.post(
        f"/assembly/polls/{poll.id}/",
        {
            "action": "answer",
            f"slot_{first.id}": "yes",
            f"slot_{second.id}": "maybe",
            f"slot_{third.id}": "maybe",
        },
    )
    ranked = queries.ranked_slots(poll)

    assert [r.slot for r in ranked] == [second, third, first]
    assert [(r.yes, r.if_need_be, r.no, r.rank) for r in ranked] == [
        (1, 1, 0, 1),
        (0, 2, 0, 2),
        (1, 0, 1, 3),
    ]


def test_a_web_answer_missing_a_time_is_refused(poll: TimePoll, plain_member: User) -> None:
    first = poll.slots.first()
    assert first is not None

    response = log_in(Client(), plain_member).post(
        f"/assembly/polls/{poll.id}/", {"action": "answer", f"slot_{first.id}": "yes"}
    )

    assert response.status_code == 200
    assert "Answer this time" in response.content.decode()
    assert not SlotVote.objects.exists()


def test_a_text_answer_counts_and_a_change_counts_once(
    poll: TimePoll, make_member: MakeMember, text_in: TextIn
) -> None:
    worker = make_member("Juana Night", phone=NIGHT_SHIFT)

    first = text_in(f"{poll.code.lower()} 1 0 2", NIGHT_SHIFT)
    text_in(f"{poll.code} 220", NIGHT_SHIFT)

    assert first is not None
    assert InboundMessage.objects.get(id=first.id).handled_as == "assembly.time_poll"
    answers = SlotVote.objects.filter(person=worker).order_by("slot__position")
    assert [a.answer for a in answers] == ["maybe", "maybe", "no"]
    assert {a.answered_by for a in answers} == {"text"}
    assert queries.answered_count(poll) == 1
    # Answered in Spanish, the member's language.
    assert "Envíe de nuevo para cambiarlo" in replies_to(NIGHT_SHIFT)[-1]
    assert replies_to(NIGHT_SHIFT, "language") == ["es", "es"]


def test_a_text_with_the_wrong_number_of_digits_is_refused_in_the_senders_language(
    poll: TimePoll, make_member: MakeMember, text_in: TextIn
) -> None:
    make_member("Min-jun Park", phone=NIGHT_SHIFT, language="ko")

    text_in(f"{poll.code} 12", NIGHT_SHIFT)

    assert not SlotVote.objects.exists()
    reply = replies_to(NIGHT_SHIFT)[0]
    assert poll.code in reply and "111" in reply
    assert replies_to(NIGHT_SHIFT, "language") == ["ko"]


def test_a_text_from_a_non_member_is_refused_with_a_clear_reply(
    poll: TimePoll, text_in: TextIn
) -> None:
    Person.objects.create(full_name="Not a member", phone=NIGHT_SHIFT, preferred_language="en")

    text_in(f"{poll.code} 111", NIGHT_SHIFT)
    text_in(f"{poll.code} 111", "+12135550999")

    assert not SlotVote.objects.exists()
    assert "not on the member list" in replies_to(NIGHT_SHIFT)[0]
    assert len(replies_to("+12135550999")) == 1


def test_a_text_after_the_poll_closed_is_refused(
    poll: TimePoll, body_facilitator: User, make_member: MakeMember, text_in: TextIn
) -> None:
    make_member("Juana Night", phone=NIGHT_SHIFT, language="en")
    services.do_close_time_poll(body_facilitator, poll)

    text_in(f"{poll.code} 111", NIGHT_SHIFT)

    assert not SlotVote.objects.exists()
    assert "is closed" in replies_to(NIGHT_SHIFT)[0]


def test_a_text_after_the_announced_closing_time_is_late(
    poll: TimePoll, make_member: MakeMember, text_in: TextIn
) -> None:
    make_member("Juana Night", phone=NIGHT_SHIFT, language="en")
    TimePoll.objects.filter(id=poll.id).update(closes_at=timezone.now() + timedelta(hours=1))

    text_in(f"{poll.code} 111", NIGHT_SHIFT, at=timezone.now() + timedelta(hours=2))

    assert not SlotVote.objects.exists()
    assert "is closed" in replies_to(NIGHT_SHIFT)[0]


def test_a_text_with_an_unknown_code_is_left_to_the_hotline(
    poll: TimePoll, make_member: MakeMember, text_in: TextIn
) -> None:
    make_member("Juana Night", phone=NIGHT_SHIFT)

    message = text_in("H999999 111", NIGHT_SHIFT)

    assert message is not None
    assert InboundMessage.objects.get(id=message.id).handled_as == "hotline.report"
    assert not SlotVote.objects.exists()


def test_scheduling_the_best_time_closes_the_poll_and_makes_the_meeting(
    poll: TimePoll, body_facilitator: User
) -> None:
    best = poll.slots.last()
    assert best is not None

    response = log_in(Client(), body_facilitator).post(
        f"/assembly/polls/{poll.id}/", {"action": "schedule", "slot": best.id}
    )

    poll.refresh_from_db()
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert poll.status == PollStatus.CLOSED
    assert poll.meeting == meeting
    assert meeting.starts_at == best.starts_at


def test_sending_the_poll_texts_each_member_once_with_how_to_answer(
    poll: TimePoll, body_facilitator: User, make_member: MakeMember, settings: Any
) -> None:
    make_member("Juana Night", phone=NIGHT_SHIFT, language="es")

    first = services.do_send_time_poll(body_facilitator, poll)
    second = services.do_send_time_poll(body_facilitator, poll)

    text = OutboundMessage.objects.get(
        address_hash=address_hash("sms", NIGHT_SHIFT), kind="assembly.time_poll"
    )
    assert (first, second) == (1, 0)
    assert f"{poll.code} 111" in text.body
    assert text.language == "es"


def test_the_assembly_reads_time_poll_answers_before_the_hotline_takes_texts_as_reports() -> None:
    names = [name for name, _handler in inbound.HANDLERS]

    assert names.index("assembly.time_poll") < names.index("hotline.report")
