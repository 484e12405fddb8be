"""Reads about circles: how big, how fast they grow, who vouches for them, and whether one person
holds a circle together; and the network picture drawn from that (a server-rendered SVG).

Names only, never contact details: these reads are not audited (opening a person is).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from vecinos.core.permissions import Capability, check
from vecinos.organizing.choices import CircleKind
from vecinos.organizing.models import Circle, CircleMembership, Person

if TYPE_CHECKING:
    from vecinos.core.models import User

GROWTH_DAYS = 90
# A circle "depends on one person" when (a) exactly one member vouches for it, or (b) one person
# brought in at least half of its members (and at least this many).
MIN_BROUGHT_FOR_DEPENDENCY = 2
MAX_DRAWN = 12
LABEL_CHARS = 22

KIND_FILL: dict[str, str] = {
    CircleKind.CHURCH: "#dbe8f7",
    CircleKind.HOMETOWN_CLUB: "#fff4d6",
    CircleKind.UNION_LOCAL: "#fbe4e4",
    CircleKind.SCHOOL_COUNCIL: "#e3f1e6",
    CircleKind.PARTNER: "#ececec",
    CircleKind.OTHER: "#ececec",
}


@dataclass
class CircleSummary:
    id: int
    name: str
    kind: str
    kind_label: str
    members: int
    new_members: int  # joined in the last GROWTH_DAYS days
    vouchers: list[tuple[int, str]] = field(default_factory=list)  # (person id, name)
    key_person: tuple[int, str] | None = None
    dependency: str = ""  # why it depends on one person, for people to read

    @property
    def growth_percent(self) -> int | None:
        """Growth over the last 90 days, as a percentage of the members it had before."""
        before = self.members - self.new_members
        if before <= 0:
            return None
        return round(100 * self.new_members / before)

    @property
    def is_growing(self) -> bool:
        return self.new_members > 0

    @property
    def depends_on_one_person(self) -> bool:
        return self.key_person is not None


def dependency(
    members: int, vouchers: list[tuple[int, str]], top_bringer: tuple[int, str, int] | None
) -> tuple[tuple[int, str] | None, str]:
    """Whether a circle depends on one person, and on whom: exactly one vouching contact, or one
    person who brought in at least half its members (at least two). Returns (person, why)."""
    if len(vouchers) == 1:
        return vouchers[0], _("only %(name)s vouches for it") % {"name": vouchers[0][1]}
    if top_bringer is not None:
        person_id, name, brought = top_bringer
        if brought >= MIN_BROUGHT_FOR_DEPENDENCY and brought * 2 >= members:
            return (person_id, name), _(
                "%(name)s brought in %(count)s of its %(members)s members"
            ) % {
                "name": name,
                "count": brought,
                "members": members,
            }
    return None, ""


def summaries(
    now: datetime | None = None, circle_ids: list[int] | None = None
) -> list[CircleSummary]:
    """Every circle (or those in ``circle_ids``) with its counts, vouchers and dependency."""
    now = now or timezone.now()
    since = now - timedelta(days=GROWTH_DAYS)
    circles = Circle.objects.annotate(
        member_count=Count("memberships", distinct=True),
        new_count=Count("memberships", filter=Q(memberships__joined_at__gte=since), distinct=True),
    )
    if circle_ids is not None:
        circles = circles.filter(id__in=circle_ids)
    labels = dict(CircleKind.choices)
    vouchers: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for circle_id, person_id, name in (
        CircleMembership.objects.filter(vouches_for_circle=True)
        .order_by("joined_at", "id")
        .values_list("circle_id", "person_id", "person__full_name")
    ):
        vouchers[circle_id].append((person_id, name))
    brought: Counter[tuple[int, int]] = Counter()
    for circle_id, bringer_id in CircleMembership.objects.filter(
        person__brought_by__isnull=False
    ).values_list("circle_id", "person__brought_by_id"):
        if bringer_id is not None:
            brought[(circle_id, bringer_id)] += 1
    top: dict[int, tuple[int, int]] = {}
    for (circle_id, bringer_id), count in sorted(brought.items()):
        if circle_id not in top or count > top[circle_id][1]:
            top[circle_id] = (bringer_id, count)
    names = dict(
        Person.objects.filter(id__in={b for b, _c in top.values()}).values_list("id", "full_name")
    )
    result = []
    for circle in circles:
        summary = CircleSummary(
            id=circle.id,
            name=circle.name,
            kind=circle.kind,
            kind_label=str(labels.get(circle.kind, circle.kind)),
            members=circle.member_count,
            new_members=circle.new_count,
            vouchers=vouchers.get(circle.id, []),
        )
        bringer = top.get(circle.id)
        summary.key_person, summary.dependency = dependency(
            summary.members,
            summary.vouchers,
            (bringer[0], names.get(bringer[0], "?"), bringer[1]) if bringer else None,
        )
        result.append(summary)
    return result


def circles_for(user: User) -> list[CircleSummary]:
    """The circles page: names and counts, no contact details.

    Raises:
        PermissionDenied: the user may not see people.
    """
    check(user, Capability.VIEW_PEOPLE)
    return summaries()


def circle_detail(
    user: User, circle_id: int
) -> tuple[Circle, CircleSummary, list[CircleMembership]]:
    """A circle, its summary and its members (names, stages, since when, who vouches).

    Raises:
        PermissionDenied: the user may not see people.
        Http404: no such circle.
    """
    from django.shortcuts import get_object_or_404

    check(user, Capability.VIEW_PEOPLE)
    circle = get_object_or_404(Circle, id=circle_id)
    summary = summaries(circle_ids=[circle.id])[0]
    members = list(
        CircleMembership.objects.filter(circle=circle)
        .select_related("person", "person__brought_by")
        .order_by("-vouches_for_circle", "person__full_name", "id")
    )
    return circle, summary, members


# --- The network picture -------------------------------------------------------------------


@dataclass
class Node:
    id: int
    x: float
    y: float
    r: float
    fill: str
    summary: CircleSummary
    satellites: list[Satellite] = field(default_factory=list)

    @property
    def label_y(self) -> float:
        return round(self.y + self.r + 20, 1)

    @property
    def growth_y(self) -> float:
        return round(self.label_y + 18, 1)

    @property
    def short_name(self) -> str:
        name = self.summary.name
        return name if len(name) <= LABEL_CHARS else name[: LABEL_CHARS - 1] + "…"

    @property
    def half_width(self) -> float:
        """Half the width the disc and its label take (a rough 0.55 em a character)."""
        return max(self.r + 12, 0.55 * 16 * len(self.short_name) / 2)

    @property
    def count_y(self) -> float:
        return self.y + 5


@dataclass
class Satellite:
    """A person who vouches for a circle, drawn as a dot by it (red when the circle depends on
    them)."""

    x: float
    y: float
    name: str
    is_key: bool


@dataclass
class Edge:
    x1: float
    y1: float
    x2: float
    y2: float
    shared: int
    width: float
    names: str

    @property
    def mid_x(self) -> float:
        return (self.x1 + self.x2) / 2

    @property
    def mid_y(self) -> float:
        return (self.y1 + self.y2) / 2


@dataclass
class Network:
    width: int
    height: int
    nodes: list[Node]
    edges: list[Edge]
    everything: list[CircleSummary] = field(default_factory=list)  # every circle, for the table
    left_out: int = 0  # circles not drawn (small, and not depending on one person)

    @property
    def view_box(self) -> str:
        """Just the drawing and its labels, so a phone shows it as large as it can."""
        if not self.nodes:
            return f"0 0 {self.width} 80"
        left = min(node.x - node.half_width for node in self.nodes) - 4
        right = max(node.x + node.half_width for node in self.nodes) + 4
        top = min(node.y - node.r - 14 for node in self.nodes)
        bottom = max(node.growth_y + 8 for node in self.nodes)
        return f"{left:.0f} {top:.0f} {right - left:.0f} {bottom - top:.0f}"


def network_for(user: User, now: datetime | None = None) -> Network:
    """The circles as a picture: each circle a disc sized by its members, placed on a ring; a line
    between two circles that share members (thicker with more); its vouching contacts as dots
    around it; growth in the last 90 days and a warning when it depends on one person.

    Raises:
        PermissionDenied: the user may not see people.
    """
    check(user, Capability.VIEW_PEOPLE)
    every = sorted(summaries(now), key=lambda s: (-s.members, s.name))
    # More discs than this crowd a phone's screen: the picture shows the largest, plus every
    # circle that depends on one person; the table under it lists them all.
    largest = every[:MAX_DRAWN]
    circles = largest + [c for c in every[MAX_DRAWN:] if c.depends_on_one_person][: MAX_DRAWN // 2]
    width = 480
    count = len(circles)
    biggest = max((c.members for c in circles), default=1) or 1
    ring = 0.0 if count <= 1 else min(170.0, 40.0 + 18.0 * count)
    height = int(2 * ring + 200)
    cx, cy = width / 2, height / 2
    nodes: dict[int, Node] = {}
    for index, circle in enumerate(circles):
        angle = -math.pi / 2 + 2 * math.pi * index / max(count, 1)
        radius = 14 + 30 * math.sqrt(circle.members / biggest)
        node = Node(
            id=circle.id,
            x=round(cx + ring * math.cos(angle), 1),
            y=round(cy + ring * math.sin(angle), 1),
            r=round(radius, 1),
            fill=KIND_FILL.get(circle.kind, "#ececec"),
            summary=circle,
        )
        shown = circle.vouchers[:6]
        for k, (person_id, name) in enumerate(shown):
            a = angle + math.pi + (k - (len(shown) - 1) / 2) * 0.45
            node.satellites.append(
                Satellite(
                    x=round(node.x + (radius + 9) * math.cos(a), 1),
                    y=round(node.y + (radius + 9) * math.sin(a), 1),
                    name=name,
                    is_key=circle.key_person is not None and circle.key_person[0] == person_id,
                )
            )
        if circle.key_person is not None and not any(s.is_key for s in node.satellites):
            a = angle + math.pi
            node.satellites.append(
                Satellite(
                    x=round(node.x + (radius + 9) * math.cos(a), 1),
                    y=round(node.y + (radius + 9) * math.sin(a), 1),
                    name=circle.key_person[1],
                    is_key=True,
                )
            )
        nodes[circle.id] = node
    shared: Counter[tuple[int, int]] = Counter()
    by_person: dict[int, list[int]] = defaultdict(list)
    for person_id, circle_id in CircleMembership.objects.values_list("person_id", "circle_id"):
        by_person[person_id].append(circle_id)
    for circle_ids in by_person.values():
        ordered = sorted(set(circle_ids))
        for i, first in enumerate(ordered):
            for second in ordered[i + 1 :]:
                shared[(first, second)] += 1
    edges = []
    for (first, second), n in sorted(shared.items()):
        if first not in nodes or second not in nodes:
            continue
        one, other = nodes[first], nodes[second]
        edges.append(
            Edge(
                x1=one.x,
                y1=one.y,
                x2=other.x,
                y2=other.y,
                shared=n,
                width=round(1 + min(7.0, 1.5 * math.sqrt(n)), 1),
                names=f"{one.summary.name} / {other.summary.name}",
            )
        )
    return Network(
        width=width,
        height=height,
        nodes=list(nodes.values()),
        edges=edges,
        everything=every,
        left_out=len(every) - len(circles),
    )
