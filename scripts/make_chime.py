"""Write the console's new-report chime: two short sine tones with soft edges, as a WAV file.

Generated rather than downloaded, so its licence is the project's and it can be remade:

    python scripts/make_chime.py   # writes src/vecinos/hotline/static/hotline/chime.wav
"""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

TARGET = Path(__file__).resolve().parent.parent / "src/vecinos/hotline/static/hotline/chime.wav"
RATE = 16000
# (frequency in Hz, seconds): a rising fifth, noticeable without being an alarm.
TONES = [(880.0, 0.14), (1318.5, 0.22)]
VOLUME = 0.45


def samples() -> list[int]:
    out: list[int] = []
    for frequency, seconds in TONES:
        count = int(RATE * seconds)
        for n in range(count):
            # 8 ms fade in and an exponential fade out: no clicks at the edges.
            attack = min(1.0, n / (0.008 * RATE))
            decay = math.exp(-4.0 * n / count)
            value = VOLUME * attack * decay * math.sin(2 * math.pi * frequency * n / RATE)
            out.append(round(value * 32767))
    return out


def main() -> None:
    data = samples()
    with wave.open(str(TARGET), "wb") as chime:
        chime.setnchannels(1)
        chime.setsampwidth(2)
        chime.setframerate(RATE)
        chime.writeframes(struct.pack(f"<{len(data)}h", *data))


if __name__ == "__main__":
    main()
