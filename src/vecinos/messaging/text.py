"""What a text costs: its encoding and number of SMS segments, and the clean-up every body gets.

One character outside the GSM 03.38 alphabet (á, í, ó, ú, any Hangul) turns the whole message into
UCS-2, where a segment holds 70 characters instead of 160, or 67 instead of 153 once split.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import gsm0338  # type: ignore[import-untyped]  # noqa: F401  # registers the "gsm03.38" codec

GSM_SINGLE, GSM_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67
# Carriers deliver at most 10 segments as one text reliably; longer messages are refused here.
MAX_SEGMENTS = 10

# Characters that look like plain ones but force UCS-2, doubling the cost for nothing.
LOOKALIKES = str.maketrans(
    {
        "\xa0": " ",
        "\u2009": " ",
        "\u200b": "",
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2026": "...",
    }
)


@dataclass(frozen=True)
class SmsCost:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2
    segments: int


def clean(body: str) -> str:
    """Strip, replace look-alike punctuation, and drop NUL and other control characters."""
    text = body.translate(LOOKALIKES).strip()
    return "".join(ch for ch in text if ch in "\n\t" or ch.isprintable())


def sms_cost(body: str) -> SmsCost:
    try:
        septets = len(body.encode("gsm03.38"))
    except UnicodeError:
        units = len(body.encode("utf-16-le")) // 2
        per = UCS2_SINGLE if units <= UCS2_SINGLE else UCS2_PART
        return SmsCost("UCS-2", units, max(1, math.ceil(units / per)))
    per = GSM_SINGLE if septets <= GSM_SINGLE else GSM_PART
    return SmsCost("GSM-7", septets, max(1, math.ceil(septets / per)))
