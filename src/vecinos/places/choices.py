"""Choices for zones and precinct teams, each with a translated label."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ZoneKind(models.TextChoices):
    """What a zone is. Neighborhoods place callers and responders (a cell is in one neighborhood
    at most); wards and precincts are for organizing (a precinct's cells are also some
    neighborhood's). A cell belongs to at most one zone of each kind."""

    NEIGHBORHOOD = "neighborhood", _("Neighborhood")
    WARD = "ward", _("Ward")
    PRECINCT = "precinct", _("Precinct")


class TeamRole(models.TextChoices):
    """A person's part in a precinct team: the captain keeps the walk list moving."""

    CAPTAIN = "captain", _("Captain")
    MEMBER = "member", _("Member")


# Coverage map: a zone with no trained, available responder is drawn in this colour and labelled
# with a word, never told by colour alone.
EMPTY_COLOUR = "#b3261e"
COVERED_COLOUR = "#1b7a4a"
