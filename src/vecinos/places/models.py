"""The network's geography: neighborhoods (zones) as sets of H3 cells at one resolution.

The network's area is the union of its zones' cells; there is no separate setting to keep in step
with them. A cell belongs to at most one zone, so "which zone is this cell in" is one lookup.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vecinos.core.fields import EncryptedTextField
from vecinos.organizing.choices import SpokenLanguage
from vecinos.places.choices import TeamRole, ZoneKind


class Zone(models.Model):
    """A neighborhood as the network names it: where responders say they can be, and what callers
    name when they have no map pin. Its area is its cells (:class:`ZoneCell`)."""

    name = models.CharField(_("name"), max_length=100)
    # The name without case, accents or punctuation (geo.name_key): "el centro" finds "El Centro".
    # Unique within a kind: "Centro" may be both a ward and a neighborhood.
    name_key = models.CharField(max_length=100, editable=False)
    kind = models.CharField(
        _("kind"), max_length=16, choices=ZoneKind.choices, default=ZoneKind.NEIGHBORHOOD
    )
    # The zone of another kind that holds most of this one's cells (a precinct in its ward, or
    # in its neighborhood when no ward holds it), found when zones are imported.
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
        verbose_name=_("inside"),
        editable=False,
    )
    # GeoJSON geometry (longitude, latitude) for drawing: the polygon as imported, or the line
    # around the hexes once they are drawn by hand.
    outline = models.JSONField(default=dict, blank=True, editable=False)
    # The zone's cell nearest the middle of its cells: where a caller who only names the zone or
    # its ZIP code is placed. Empty while the zone has no cells.
    centre_cell = models.CharField(max_length=15, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("zone")
        verbose_name_plural = _("zones")
        ordering = ("name", "id")
        constraints = [
            models.UniqueConstraint(fields=["kind", "name_key"], name="zone_kind_name_key_uniq")
        ]

    def __str__(self) -> str:
        return self.name

    def zip_code_list(self) -> list[str]:
        """The ZIP codes, sorted (prefetch ``zip_codes`` to list many zones in one query)."""
        return sorted(z.code for z in self.zip_codes.all())


class ZoneCell(models.Model):
    """One H3 cell (resolution ``geo.CELL_RESOLUTION``) of a zone."""

    # "Which neighborhood is this cell in" (geo.zone_for_cell) is one lookup on the unique index
    # (kind, cell); it also keeps a cell from belonging to two zones of one kind. ``kind`` is the
    # zone's, copied here for that index.
    cell = models.CharField(max_length=15)
    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="cells")
    kind = models.CharField(max_length=16, choices=ZoneKind.choices, default=ZoneKind.NEIGHBORHOOD)

    class Meta:
        ordering = ("cell",)
        constraints = [
            models.UniqueConstraint(fields=["kind", "cell"], name="zonecell_kind_cell_uniq")
        ]
        indexes = [models.Index(fields=["cell"], name="zonecell_cell_idx")]

    def __str__(self) -> str:
        return self.cell


class ZipCode(models.Model):
    """A ZIP code that names one zone, so that "90005" places a caller. A ZIP code often spans
    several neighborhoods; the network gives it to the one it treats as its home."""

    # geo.locate finds the zone of a ZIP code with this unique index.
    code = models.CharField(max_length=5, unique=True)
    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="zip_codes")

    class Meta:
        ordering = ("code",)

    def __str__(self) -> str:
        return self.code


SETTINGS_ID = 1


class MapSettings(models.Model):
    """How maps are drawn, as a coordinator set it: one row. With no tile address, maps are hexes
    and outlines on a plain background and no browser asks any tile server for anything."""

    tile_url = models.CharField(_("tile address"), max_length=500, blank=True)
    tile_attribution = models.CharField(_("tile credit"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("map settings")
        verbose_name_plural = _("map settings")

    def __str__(self) -> str:
        return self.tile_url or "no tiles"

    @classmethod
    def load(cls) -> MapSettings:
        """The one row (unsaved defaults until a coordinator saves the settings form)."""
        return cls.objects.filter(id=SETTINGS_ID).first() or cls(id=SETTINGS_ID)


class TeamMember(models.Model):
    """A person on a precinct's team, as captain or member."""

    zone = models.ForeignKey(
        Zone, on_delete=models.CASCADE, related_name="team", verbose_name=_("precinct")
    )
    person = models.ForeignKey(
        "organizing.Person",
        on_delete=models.CASCADE,
        related_name="precinct_teams",
        verbose_name=_("person"),
    )
    role = models.CharField(
        _("role"), max_length=10, choices=TeamRole.choices, default=TeamRole.MEMBER
    )
    added_at = models.DateTimeField(default=timezone.now, editable=False)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        ordering = ("role", "id")
        constraints = [
            models.UniqueConstraint(fields=["zone", "person"], name="teammember_zone_person_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.zone_id}"


class Household(models.Model):
    """A door on a precinct's walk list: where to knock and which language to knock in.

    Entered by organizers or imported from their own lists, never from a voter file: every home
    is on it, whoever lives there. Nothing about anyone's papers is kept, ever."""

    zone = models.ForeignKey(
        Zone, on_delete=models.CASCADE, related_name="households", verbose_name=_("precinct")
    )
    # A home address is people's data: encrypted at rest, read through queries.access_walk_list.
    address = EncryptedTextField(_("address"))
    language = models.CharField(_("language spoken"), max_length=8, choices=SpokenLanguage.choices)
    notes = EncryptedTextField(_("notes"), blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ("id",)

    def __str__(self) -> str:
        return f"household {self.id}"
