"""The text of a PDF made by vecinos.core.pdf (fpdf2), read back through its fonts' ToUnicode
maps: enough for tests to find words, Korean included, without a PDF library."""

from __future__ import annotations

import contextlib
import re
import zlib

ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _objects(document: bytes) -> dict[int, bytes]:
    objects = {}
    for number, body in re.findall(rb"(\d+) 0 obj(.*?)endobj", document, re.S):
        stream = re.search(rb"stream\r?\n(.*?)\r?\nendstream", body, re.S)
        if stream is not None:
            data = stream.group(1)
            with contextlib.suppress(zlib.error):
                data = zlib.decompress(data)
            body = body[: stream.start()] + data
        objects[int(number)] = body
    return objects


def _cmap(text: bytes) -> dict[int, str]:
    mapping: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", text, re.S):
        for code, uni in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            mapping[int(code, 16)] = bytes.fromhex(uni.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", text, re.S):
        for low, high, uni in re.findall(
            rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block
        ):
            start = int(uni, 16)
            for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                mapping[code] = chr(start + offset)
    return mapping


def _literal(data: bytes, start: int) -> tuple[bytes, int]:
    """The PDF literal string opening at ``data[start] == b"("`` and the index after it."""
    out = bytearray()
    depth, i = 1, start + 1
    while depth:
        c = data[i : i + 1]
        if c == b"\\":
            nxt = data[i + 1 : i + 2]
            if nxt in ESCAPES:
                out += ESCAPES[nxt]
                i += 2
            elif nxt.isdigit():
                digits = re.match(rb"[0-7]{1,3}", data[i + 1 : i + 4])
                assert digits is not None
                out.append(int(digits.group(), 8))
                i += 1 + len(digits.group())
            else:
                out += nxt
                i += 2
            continue
        if c == b"(":
            depth += 1
        elif c == b")":
            depth -= 1
            if not depth:
                break
        out += c
        i += 1
    return bytes(out), i + 1


def pdf_text(document: bytes) -> str:
    objects = _objects(document)
    fonts: dict[bytes, dict[int, str]] = {}
    for body in objects.values():
        for name, number in re.findall(rb"/(F\d+)\s+(\d+) 0 R", body):
            font = objects.get(int(number), b"")
            unicode_ref = re.search(rb"/ToUnicode (\d+) 0 R", font)
            if unicode_ref is not None:
                fonts[name] = _cmap(objects[int(unicode_ref.group(1))])
    lines: list[str] = []
    for body in objects.values():
        if b" Tj" not in body:
            continue
        current: dict[int, str] = {}
        line: list[str] = []
        i = 0
        while i < len(body):
            if body[i : i + 1] == b"(":
                raw, i = _literal(body, i)
                codes = [int.from_bytes(raw[j : j + 2], "big") for j in range(0, len(raw), 2)]
                line.append("".join(current.get(code, "") for code in codes))
                continue
            font = re.match(rb"/(F\d+)\s+[\d.]+\s+Tf", body[i : i + 30])
            if font is not None:
                current = fonts.get(font.group(1), {})
            elif body[i : i + 2] == b"ET":
                lines.append("".join(line))
                line = []
            i += 1
        lines.append("".join(line))
    return "\n".join(line for line in lines if line)
