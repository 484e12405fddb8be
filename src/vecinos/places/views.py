"""Pages for places: the map, the zones and their drawing, and the map settings."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from vecinos.core.htmx import htmx_partial
from vecinos.core.models import User
from vecinos.core.permissions import Capability, requires
from vecinos.places import maps, queries, services
from vecinos.places.forms import CellForm, MapSettingsForm, PointForm, ZoneForm
from vecinos.places.geo import check_cell, zone_for_cell
from vecinos.places.models import MapSettings, Zone


@requires(Capability.VIEW_MAP)
def map_view(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    zones = list(queries.zones_for(user))
    tiles = maps.tile_source()
    svg = maps.render_map_svg(zones=zones, tiles=tiles, title=_("The network's zones"))
    response = render(request, "places/map.html", {"zones": zones, "svg": svg, "tiles": tiles})
    return maps.allow_tiles(response, tiles)


@requires(Capability.MANAGE_ZONES)
def zone_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    return render(request, "places/zone_list.html", {"zones": queries.zones_for(user)})


@requires(Capability.MANAGE_ZONES)
def zone_create(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = ZoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            zone = services.do_create_zone(user, **form.cleaned_data)
        except services.ZoneError as error:
            form.add_error(error.field, str(error))
        else:
            messages.success(request, _("Zone added. Now draw it on the map."))
            return redirect("places:zone_edit", zone_id=zone.id)
    return render(request, "places/zone_form.html", {"form": form})


@requires(Capability.MANAGE_ZONES)
def zone_edit(request: HttpRequest, zone_id: int) -> HttpResponse:
    """The zone's name and ZIP codes, and the map to draw it on: each hex is a link that adds it
    to the zone or takes it out (htmx swaps the map; without JavaScript a small page asks)."""
    user: User = request.user  # type: ignore[assignment]
    zone = queries.access_zone(user, zone_id)
    initial = {"name": zone.name, "zip_codes": ", ".join(zone.zip_code_list())}
    form = ZoneForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_update_zone(user, zone, **form.cleaned_data)
        except services.ZoneError as error:
            form.add_error(error.field, str(error))
        else:
            messages.success(request, _("Saved."))
            return redirect("places:zone_edit", zone_id=zone.id)
    tiles = maps.tile_source()
    context = {"zone": zone, "form": form, "point_form": PointForm(), **_drawing(zone, tiles)}
    return maps.allow_tiles(render(request, "places/zone_edit.html", context), tiles)


@requires(Capability.MANAGE_ZONES)
def zone_cell(request: HttpRequest, zone_id: int, cell: str) -> HttpResponse:
    """One hex of the drawing map: GET asks (the no-JavaScript way), POST adds or removes it."""
    user: User = request.user  # type: ignore[assignment]
    zone = queries.access_zone(user, zone_id)
    try:
        check_cell(cell)
    except ValueError:
        raise Http404 from None
    form = CellForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.do_set_zone_cell(user, zone, cell, inside=form.cleaned_data["inside"])
        zone.refresh_from_db()
        if htmx_partial(request):
            tiles = maps.tile_source()
            response = render(request, "places/partials/zone_map.html", _drawing(zone, tiles))
            return maps.allow_tiles(response, tiles)
        return redirect(reverse("places:zone_edit", kwargs={"zone_id": zone.id}) + "#zone-map")
    holder = zone_for_cell(cell)
    tiles = maps.tile_source()
    canvas = queries.drawing_canvas(zone) | {cell}
    svg = maps.render_map_svg(
        zones=[zone, *[z for z in queries.zones_among(canvas) if z.id != zone.id]],
        cells=canvas,
        highlight_cells=[cell],
        tiles=tiles,
        title=_("The hex, outlined in red"),
    )
    context = {"zone": zone, "cell": cell, "holder": holder, "svg": svg, "tiles": tiles}
    return maps.allow_tiles(render(request, "places/zone_cell.html", context), tiles)


@requires(Capability.MANAGE_ZONES)
def zone_point(request: HttpRequest, zone_id: int) -> HttpResponse:
    """Add the hex at a latitude and longitude: the first hex of the first zone, or one far off."""
    user: User = request.user  # type: ignore[assignment]
    zone = queries.access_zone(user, zone_id)
    form = PointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.do_add_zone_point(
            user, zone, form.cleaned_data["latitude"], form.cleaned_data["longitude"]
        )
        messages.success(request, _("The hex at that point is now part of the zone."))
        return redirect(reverse("places:zone_edit", kwargs={"zone_id": zone.id}) + "#zone-map")
    return render(request, "places/zone_point.html", {"zone": zone, "point_form": form})


@requires(Capability.MANAGE_ZONES)
def zone_delete(request: HttpRequest, zone_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    zone = queries.access_zone(user, zone_id)
    if request.method == "POST":
        services.do_delete_zone(user, zone)
        messages.success(request, _("Zone deleted."))
        return redirect("places:zone_list")
    people = zone.people.count()
    return render(request, "places/zone_delete.html", {"zone": zone, "people": people})


@requires(Capability.MANAGE_ZONES)
def map_settings(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    current = MapSettings.load()
    initial = {"tile_url": current.tile_url, "tile_attribution": current.tile_attribution}
    form = MapSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.do_save_map_settings(user, **form.cleaned_data)
        messages.success(request, _("Map settings saved."))
        return redirect("places:map")
    return render(request, "places/map_settings.html", {"form": form})


def _drawing(zone: Zone, tiles: maps.TileSource | None) -> dict[str, object]:
    """The drawing map of a zone: its canvas with every zone on it, each hex a link."""
    canvas = queries.drawing_canvas(zone)
    neighbours = queries.zones_among(canvas)
    inside = queries.cells_of(zone)

    def link(cell: str) -> maps.HexLink:
        href = reverse("places:zone_cell", kwargs={"zone_id": zone.id, "cell": cell})
        if cell in inside:
            label = _("Remove this hex from %(zone)s") % {"zone": zone.name}
        else:
            label = _("Add this hex to %(zone)s") % {"zone": zone.name}
        return maps.HexLink(href=href, label=label, post={"inside": "0" if cell in inside else "1"})

    svg = maps.render_map_svg(
        zones=[zone, *[z for z in neighbours if z.id != zone.id]],
        cells=canvas,
        links=link,
        tiles=tiles,
        title=_("Drawing map of %(zone)s") % {"zone": zone.name},
    )
    return {"zone": zone, "svg": svg, "tiles": tiles, "hex_count": len(inside)}
