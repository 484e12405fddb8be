"""Keywords count only as the whole message, in any case, with or without accents; odd input never
crashes the parser."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vecinos.messaging.keywords import parse_keyword


@pytest.mark.parametrize(
    ("text", "kind", "language"),
    [
        ("STOP", "stop", "en"),
        ("stop.", "stop", "en"),
        ("  Stop!! ", "stop", "en"),
        ("STOPALL", "stop", "en"),
        ("unsubscribe", "stop", "en"),
        ("Cancel", "stop", "en"),
        ("end", "stop", "en"),
        ("QUIT", "stop", "en"),
        ("alto", "stop", "es"),
        ("Cancelar", "stop", "es"),
        ("중지", "stop", "ko"),
        ("수신거부", "stop", "ko"),
        ("START", "start", "en"),
        ("unstop", "start", "en"),
        ("시작", "start", "ko"),
        ("HELP", "help", "en"),
        ("AYUDA", "help", "es"),
        ("ayúda", "help", "es"),
        ("도움말", "help", "ko"),
        ("ESPAÑOL", "language", "es"),
        ("espanol", "language", "es"),
        ("한국어", "language", "ko"),
        ("English", "language", "en"),
    ],
)
def test_keywords_are_recognized(text: str, kind: str, language: str) -> None:
    keyword = parse_keyword(text)
    assert keyword is not None
    assert (keyword.kind, keyword.language) == (kind, language)


@pytest.mark.parametrize(
    "text",
    [
        "don't stop texting me",
        "please stop",
        "stop stop",
        "STOP the raid at 3rd",
        "ICE at the 7-Eleven on 3rd and Vermont",
        "helpful",
        "yes",
        "join",
        "",
        "   ",
        "\x00",
        "s t o p",
    ],
)
def test_sentences_and_near_misses_are_not_keywords(text: str) -> None:
    assert parse_keyword(text) is None


def test_join_takes_a_zip_code_or_a_neighborhood() -> None:
    assert parse_keyword("JOIN 90005").argument == "90005"  # type: ignore[union-attr]
    assert parse_keyword("unirme Koreatown").argument == "koreatown"  # type: ignore[union-attr]
    assert parse_keyword("가입 90010").language == "ko"  # type: ignore[union-attr]


ODD = st.one_of(
    st.text(max_size=1600),
    st.text(alphabet=st.characters(blacklist_categories=()), max_size=200),
    st.sampled_from(
        ["\u202eSTOP", "STOP\u200f", "🛑", "STOP" * 400, "\x00" * 50, "\uff33\uff34\uff2f\uff30"]
    ),
    st.builds(
        lambda a, b: a + b, st.sampled_from(["stop", "ayuda", "한국어"]), st.text(max_size=5)
    ),
)


@settings(max_examples=400, deadline=None)
@given(ODD)
def test_odd_input_never_crashes(text: str) -> None:
    keyword = parse_keyword(text)
    if keyword is not None:
        assert keyword.kind in {"stop", "start", "help", "language", "join"}
        assert len(text) <= 80
