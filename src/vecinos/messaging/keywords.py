"""Keywords people text: STOP, START, HELP, a language, JOIN. A keyword counts only when it is
the whole message ("don't stop texting me" is not an opt-out), in any case, accents or not."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Longer texts are never keywords; normalizing them would only cost time.
MAX_KEYWORD_TEXT = 80

STOP = {
    # The carrier-standard English words (CTIA), then Spanish and Korean.
    "stop": "en", "stopall": "en", "unsubscribe": "en", "cancel": "en", "end": "en", "quit": "en",
    "alto": "es", "parar": "es", "para": "es", "detener": "es", "cancelar": "es", "baja": "es",
    "중지": "ko", "그만": "ko", "수신거부": "ko", "수신 거부": "ko",
}  # fmt: skip
START = {
    "start": "en", "unstop": "en", "subscribe": "en",
    "empezar": "es", "iniciar": "es", "alta": "es",
    "시작": "ko", "수신 재개": "ko",
}  # fmt: skip
HELP = {"help": "en", "info": "en", "ayuda": "es", "도움": "ko", "도움말": "ko"}
LANGUAGES = {
    "english": "en", "ingles": "en", "영어": "en",
    "espanol": "es", "spanish": "es", "스페인어": "es",
    "한국어": "ko", "korean": "ko", "coreano": "ko",
}  # fmt: skip
JOIN = {"join": "en", "unirme": "es", "unir": "es", "가입": "ko"}

# One word; JOIN's argument (a ZIP code or neighborhood) is letters, digits, spaces and hyphens.
JOIN_ARGUMENT = re.compile(r"^[\w][\w \-']{0,59}$")


@dataclass(frozen=True)
class Keyword:
    kind: str  # "stop", "start", "help", "language", "join"
    language: str  # the language the word belongs to: replies use it for unknown senders
    word: str
    argument: str = ""


def normalize(text: str) -> str:
    """Case-folded, accents removed, spaces collapsed, end punctuation and emoji dropped."""
    text = unicodedata.normalize("NFKC", text).casefold()
    decomposed = unicodedata.normalize("NFD", text)
    # Drop combining accents from Latin letters only: Hangul decomposes into jamo under NFD.
    stripped = "".join(ch for ch in decomposed if not (unicodedata.combining(ch) and ch < "\u1100"))
    text = unicodedata.normalize("NFC", stripped)
    text = "".join(ch if ch.isalnum() or ch in " '-" else " " for ch in text)
    return " ".join(text.split())


def parse_keyword(text: str) -> Keyword | None:
    """The keyword that ``text`` is, or None when it is anything else."""
    if not text or len(text) > MAX_KEYWORD_TEXT:
        return None
    words = normalize(text)
    if not words:
        return None
    for kind, table in (("stop", STOP), ("start", START), ("help", HELP)):
        if words in table:
            return Keyword(kind, table[words], words)
    if words in LANGUAGES:
        return Keyword("language", LANGUAGES[words], words, argument=LANGUAGES[words])
    first, _, rest = words.partition(" ")
    if first in JOIN and rest and JOIN_ARGUMENT.match(rest):
        return Keyword("join", JOIN[first], first, argument=rest)
    return None
