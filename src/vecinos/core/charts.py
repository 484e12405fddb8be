"""Charts drawn on the server as SVG: no script and no library in the browser, readable on a small
phone, printed as they are. A page shows each chart beside a table of the same numbers, which is
what a screen reader reads.

The functions here only compute geometry; ``core/partials/chart.html`` draws it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

# The app's palette (app.css), distinguishable side by side and on a greyscale print.
PALETTE = ("#1f5fa8", "#2e7d4f", "#b5651d", "#7b3fa0", "#a23b3b", "#2a7f8a", "#6b6b1f", "#555555")

WIDTH = 360
AXIS = 34  # room left of the plot for the value axis
TOP = 10
FONT = 11


@dataclass(frozen=True)
class Series:
    """One coloured part of every column or bar (a stage, a kind), with a value per category."""

    label: str
    values: Sequence[int]
    colour: str


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    colour: str
    title: str


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    text: str
    anchor: str = "start"


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass(frozen=True)
class Chart:
    """What the template draws: a title for assistive technology, shapes, and a legend."""

    title: str
    width: int
    height: int
    rects: list[Rect]
    texts: list[Text]
    lines: list[Line]
    legend: list[Series]
    empty: bool


def nice_top(value: int) -> tuple[int, int]:
    """The axis's top and step: the smallest 1, 2 or 5 times a power of ten that splits
    ``value`` into at most four steps (an empty chart still gets an axis of 0 to 4)."""
    value = max(value, 4)
    magnitude = 10 ** math.floor(math.log10(value / 4))
    for factor in (1, 2, 5, 10):
        step = factor * magnitude
        if step * 4 >= value:
            return step * 4, step
    raise AssertionError("unreachable")  # pragma: no cover


def _title(category: str, series: Series, value: int, several: bool) -> str:
    return f"{category}, {series.label}: {value}" if several else f"{category}: {value}"


def columns(title: str, categories: Sequence[str], series: Sequence[Series]) -> Chart:
    """Stacked columns, one per category (months, left to right), each split by series."""
    height = 200
    bottom = height - 22
    totals = [sum(s.values[i] for s in series) for i in range(len(categories))]
    top, step = nice_top(max(totals, default=0))
    plot = bottom - TOP
    slot = (WIDTH - AXIS - 4) / max(len(categories), 1)
    bar = max(4.0, slot * 0.7)
    lines = [Line(AXIS, bottom, WIDTH - 4, bottom)]
    texts: list[Text] = []
    for tick in range(0, top + 1, step):
        y = bottom - plot * tick / top
        lines.append(Line(AXIS - 3, y, WIDTH - 4, y))
        texts.append(Text(AXIS - 5, y + 4, f"{tick:,}", "end"))
    rects: list[Rect] = []
    for i, category in enumerate(categories):
        x = AXIS + i * slot + (slot - bar) / 2
        y = bottom
        for s in series:
            value = s.values[i]
            if value <= 0:
                continue
            h = plot * value / top
            y -= h
            rects.append(Rect(x, y, bar, h, s.colour, _title(category, s, value, len(series) > 1)))
        # Every label when they fit, else every other one, the last always.
        every = 1 if slot >= 24 else 2
        if i % every == (len(categories) - 1) % every:
            texts.append(Text(x + bar / 2, bottom + 14, category, "middle"))
    return Chart(
        title=title,
        width=WIDTH,
        height=height,
        rects=rects,
        texts=texts,
        lines=lines,
        legend=list(series) if len(series) > 1 else [],
        empty=not any(totals),
    )


def bars(title: str, categories: Sequence[str], series: Sequence[Series]) -> Chart:
    """Stacked horizontal bars, one per category (zones, top to bottom): long names fit."""
    label_width = 120
    row = 22
    totals = [sum(s.values[i] for s in series) for i in range(len(categories))]
    top, step = nice_top(max(totals, default=0))
    height = TOP + row * max(len(categories), 1) + 22
    bottom = height - 20
    left = label_width
    room = WIDTH - left - 30
    lines = [Line(left, TOP, left, bottom)]
    texts: list[Text] = []
    for tick in range(0, top + 1, step):
        x = left + room * tick / top
        lines.append(Line(x, TOP, x, bottom + 3))
        texts.append(Text(x, bottom + 15, f"{tick:,}", "middle"))
    rects: list[Rect] = []
    for i, category in enumerate(categories):
        y = TOP + i * row + 4
        texts.append(Text(left - 5, y + FONT + 1, category[:20], "end"))
        x = float(left)
        for s in series:
            value = s.values[i]
            if value <= 0:
                continue
            w = room * value / top
            rects.append(
                Rect(x, y, w, row - 8, s.colour, _title(category, s, value, len(series) > 1))
            )
            x += w
        texts.append(Text(x + 4, y + FONT + 1, f"{totals[i]:,}"))
    return Chart(
        title=title,
        width=WIDTH,
        height=height,
        rects=rects,
        texts=texts,
        lines=lines,
        legend=list(series) if len(series) > 1 else [],
        empty=not any(totals),
    )
