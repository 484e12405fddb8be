"""Which language a stranger wrote in, so that the first answer is one they can read."""

from __future__ import annotations

import re
import unicodedata

from django.conf import settings

HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")
# Words that are common in a Spanish report and rare in an English one.
SPANISH_WORDS = frozenset(
    [
        "el",
        "la",
        "los",
        "las",
        "un",
        "una",
        "de",
        "del",
        "que",
        "en",
        "hay",
        "esta",
        "estan",
        "está",
        "están",
        "por",
        "con",
        "para",
        "su",
        "sus",
        "mi",
        "migra",
        "agentes",
        "policia",
        "policía",
        "casa",
        "calle",
        "puerta",
        "carro",
        "carros",
        "camioneta",
        "camionetas",
        "ayuda",
        "aqui",
        "aquí",
        "ahora",
        "llevaron",
        "detuvieron",
        "tienda",
        "escuela",
        "trabajo",
        "esquina",
        "cerca",
    ]
)
WORD = re.compile(r"[^\W\d_]+")


def guess_language(text: str, fallback: str = "") -> str:
    """ "ko" for Hangul, "es" for a text with Spanish words or letters, else ``fallback`` (or the
    network's default). A guess only: a person's saved preference always wins over it."""
    if HANGUL.search(text):
        return "ko"
    words = [w.lower() for w in WORD.findall(text)]
    spanish = sum(w in SPANISH_WORDS for w in words)
    lowered = unicodedata.normalize("NFC", text.lower())
    accented = any(c in "ñ¿¡" for c in lowered) or sum(c in "áéíóú" for c in lowered) >= 2
    if spanish >= 2 or accented or (spanish == 1 and len(words) <= 3):
        return "es"
    return fallback or settings.LANGUAGE_CODE
