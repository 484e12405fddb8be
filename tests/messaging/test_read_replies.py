"""Replies that apps expect are read as a code plus a note: "yes, 10 min away" is YES with the
note "10 min away", in English, Spanish or Korean, and odd input never crashes the reader."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vecinos.messaging import inbound
from vecinos.messaging.keywords import read_reply
from vecinos.messaging.models import InboundMessage, OutboundMessage

CODES = {
    "yes": "YES", "y": "YES", "sí": "YES", "voy": "YES", "네": "YES", "예": "YES", "1": "YES",
    "no": "NO", "no puedo": "NO", "can't": "NO", "아니요": "NO", "2": "NO",
}  # fmt: skip


@pytest.mark.parametrize(
    ("text", "code", "note"),
    [
        ("yes, 10 min away", "YES", "10 min away"),
        ("YES", "YES", ""),
        ("Yes!! on my way", "YES", "on my way"),
        ("sí, voy", "YES", "voy"),
        ("SI voy en camino", "YES", "voy en camino"),
        ("Si\u0301 - llego en 5", "YES", "llego en 5"),  # the accent typed as a separate mark
        ("네 가는 중", "YES", "가는 중"),
        ("1", "YES", ""),
        ("1 , 5 min", "YES", "5 min"),
        # Full-width letters and space, as a Korean keyboard may type them.
        ("\uff39\uff25\uff33\u300010분", "YES", "10분"),
        ("no puedo, estoy trabajando", "NO", "estoy trabajando"),
        ("no, puedo mañana", "NO", "puedo mañana"),
        ("Can't, at work", "NO", "at work"),
        ("아니요. 미안해요", "NO", "미안해요"),
    ],
)
def test_a_reply_is_its_code_plus_a_note(text: str, code: str, note: str) -> None:
    reply = read_reply(text, CODES)
    assert reply is not None
    assert (reply.code, reply.note) == (code, note)


@pytest.mark.parametrize(
    "text",
    ["", "   ", "10 min away", "yesterday", "I said yes", "no-show", "네가는중", "12", "\x00"],
)
def test_texts_that_do_not_start_with_a_code_are_not_replies(text: str) -> None:
    assert read_reply(text, CODES) is None


def test_no_codes_reads_nothing() -> None:
    assert read_reply("yes", {}) is None
    assert read_reply("yes", {"": "YES", "  ": "YES"}) is None


ODD = st.one_of(
    st.text(max_size=1600),
    st.text(alphabet=st.characters(blacklist_categories=()), max_size=300),
    st.sampled_from(
        [
            "\u202eyes",
            "yes\u200f, 10",
            "👍",
            "sí" * 800,
            "\x00" * 50,
            "yes" + "\x00" * 1597,
            "네 " + "😀" * 1598,
            "\uff33í ㅇㅇ مرحبا שלום",
        ]
    ),
    st.builds(
        lambda word, rest: word + rest,
        st.sampled_from([*CODES, "no puedo", "SÍ", "1"]),
        st.text(max_size=1600),
    ),
)


@settings(max_examples=400, deadline=None)
@given(ODD)
def test_odd_input_never_crashes(text: str) -> None:
    reply = read_reply(text, CODES)
    if reply is not None:
        assert reply.code in {"YES", "NO"}
        assert "\x00" not in reply.note
        assert len(reply.note) <= len(text)
        assert reply.note == reply.note.strip()


@pytest.fixture
def responder_handler() -> Iterator[list[str]]:
    """A stand-in for the hotline's reader of responders' answers, registered the real way."""
    taken: list[str] = []

    def hotline(message: InboundMessage) -> bool:
        reply = inbound.take_reply(message, CODES)
        if reply is not None:
            taken.append(reply.code)
        return reply is not None

    def declines_after_reading(message: InboundMessage) -> bool:
        inbound.take_reply(message, {"10": "TEN"})
        return False

    inbound.register_handler("test.decliner", declines_after_reading)
    inbound.register_handler("test.responders", hotline)
    try:
        yield taken
    finally:
        inbound.HANDLERS[:] = [h for h in inbound.HANDLERS if not h[0].startswith("test.")]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "code", "note"),
    [
        ("yes, 10 min away", "YES", "10 min away"),
        ("sí, voy", "YES", "voy"),
        ("네 가는 중", "YES", "가는 중"),
        ("no puedo, estoy trabajando", "NO", "estoy trabajando"),
    ],
)
def test_a_handler_keeps_the_code_and_the_note_on_the_stored_text(
    body: str,
    code: str,
    note: str,
    responder_handler: list[str],
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        inbound.receive(
            gateway="simulator", provider_message_id="r1", sender="+13235550181", body=body
        )
    stored = InboundMessage.objects.get()
    assert (stored.handled_as, stored.reply_code, stored.reply_note) == (
        "test.responders",
        code,
        note,
    )
    assert stored.body == body, "the text itself is kept whole"
    assert responder_handler == [code]
    assert not OutboundMessage.objects.exists(), "a taken reply gets no automatic answer"


@pytest.mark.django_db
def test_an_unread_text_keeps_no_code(
    responder_handler: list[str], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        inbound.receive(
            gateway="simulator", provider_message_id="r2", sender="+13235550181", body="10 maybe"
        )
    stored = InboundMessage.objects.get()
    assert (stored.handled_as, stored.reply_code, stored.reply_note) == ("unmatched", "", "")
    assert responder_handler == []
