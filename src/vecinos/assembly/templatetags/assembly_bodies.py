"""Template filters for the assembly's pages: colours of choices and language names."""

from __future__ import annotations

from django import template

from vecinos.assembly.choices import AssemblyKind, ItemStatus, MeetingStatus, MemberRole, SlotAnswer
from vecinos.organizing.choices import SpokenLanguage

register = template.Library()


@register.filter
def kind_colour(value: str) -> str:
    return AssemblyKind.colour(value)


@register.filter
def meeting_colour(value: str) -> str:
    return MeetingStatus.colour(value)


@register.filter
def item_colour(value: str) -> str:
    return ItemStatus.colour(value)


@register.filter
def role_colour(value: str) -> str:
    return MemberRole.colour(value)


@register.filter
def answer_colour(value: str) -> str:
    return SlotAnswer.colour(value)


@register.filter
def language_names(codes: list[str] | None) -> str:
    labels = dict(SpokenLanguage.choices)
    return ", ".join(str(labels.get(code, code)) for code in codes or [])
