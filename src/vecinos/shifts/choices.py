"""Choices for the dispatchers' rota, each with a translated label and a UI colour."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Weekday(models.IntegerChoices):
    """Days as Python numbers them (``date.weekday()``: Monday is 0). The labels are the same
    words Django's own catalogues already translate."""

    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class SwapStatus(models.TextChoices):
    """Where a handed-over occurrence stands. Only OPEN moves, and only once."""

    OPEN = "open", _("Looking for cover")
    COVERED = "covered", _("Covered")
    WITHDRAWN = "withdrawn", _("Withdrawn")

    @classmethod
    def colour(cls, value: str) -> str:
        return SWAP_COLOURS.get(value, "grey")


SWAP_COLOURS: dict[str, str] = {
    SwapStatus.OPEN: "orange",
    SwapStatus.COVERED: "green",
    SwapStatus.WITHDRAWN: "grey",
}
