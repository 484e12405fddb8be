"""Keywords people text: STOP, START, HELP, a language, JOIN. A keyword counts only when it is
the whole message ("don't stop texting me" is not an opt-out), in any case, accents or not.

Also the reader apps use for replies they expect (:func:`read_reply`): a code at the start of the
text, the rest kept as a note ("yes, 10 min away" is YES plus "10 min away")."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
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


# Replies that apps read (a responder's "yes, 10 min away", a vote) match at most this many words.
MAX_REPLY_WORDS = 3
# A word starts with a letter or digit; apostrophes and hyphens may follow ("can't", "t-shirt").
REPLY_WORD = re.compile(r"[^\W_][\w'\u2019-]*")


@dataclass(frozen=True)
class Reply:
    """A reply read as one of an app's codes, with the free text after it kept as a note."""

    code: str  # the app's code, e.g. "YES"
    note: str  # what followed the code's words, as written ("10 min away"), or ""
    words: str  # the words that were read as the code, normalized ("si")


def read_reply(text: str, codes: Mapping[str, str]) -> Reply | None:
    """Read the first word(s) of ``text`` as one of ``codes``, the rest being a note.

    ``codes`` maps words in any language, and digit shortcuts, to an app's code:
    ``{"yes": "YES", "sí": "YES", "네": "YES", "1": "YES", "no puedo": "NO"}``. Words are
    compared as :func:`normalize` leaves them (any case, accents or not); the longest match wins,
    and words of a multi-word match must be separated by spaces only. Returns None when the
    text does not start with any of them.
    """
    if not text:
        return None
    # Composed, so that an accent typed as a separate mark stays inside its word.
    text = unicodedata.normalize("NFC", text.replace("\x00", ""))
    table = {normalize(words): code for words, code in codes.items()}
    table.pop("", None)
    longest = min(MAX_REPLY_WORDS, max((len(words.split()) for words in table), default=0))
    found: list[re.Match[str]] = []
    for match in REPLY_WORD.finditer(text):
        if len(found) == longest or (found and text[found[-1].end() : match.start()].strip()):
            break
        found.append(match)
    for count in range(len(found), 0, -1):
        words = normalize(" ".join(match.group() for match in found[:count]))
        if words in table:
            return Reply(table[words], _note(text[found[count - 1].end() :]), words)
    return None


def _note(rest: str) -> str:
    """What follows the code, without the punctuation and spaces that joined it ("yes, …")."""
    start = 0
    while start < len(rest) and unicodedata.category(rest[start])[0] in "PZC":
        start += 1
    return rest[start:].strip()
