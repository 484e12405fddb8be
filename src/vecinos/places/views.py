"""Pages for places: the map, the zones and their drawing, and the map settings."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from vecinos.core.htmx import htmx_partial
from vecinos.core.models import User
from vecinos.core.pdf import Table, render_pdf
from vecinos.core.permissions import Capability, requires
from vecinos.places import maps, queries, services
from vecinos.places.choices import COVERED_COLOUR, EMPTY_COLOUR, ZoneKind
from vecinos.places.forms import (
    CellForm,
    HouseholdFileForm,
    HouseholdForm,
    MapSettingsForm,
    PointForm,
    TeamMemberForm,
    TeamRoleForm,
    ZoneCreateForm,
    ZoneForm,
    ZoneKindForm,
)
from vecinos.places.geo import check_cell, zone_for_cell
from vecinos.places.models import MapSettings, Zone


@requires(Capability.VIEW_MAP)
def map_view(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    zones = list(queries.zones_for(user, ZoneKind.NEIGHBORHOOD))
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
    form = ZoneCreateForm(request.POST or None)
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
        zones=[zone, *[z for z in queries.zones_among(canvas, zone.kind) if z.id != zone.id]],
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
    context = {
        "zone": zone,
        "people": zone.people.count(),
        "households": zone.households.count(),
        "team": zone.team.count(),
    }
    return render(request, "places/zone_delete.html", context)


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
    neighbours = queries.zones_among(canvas, zone.kind)
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


@requires(Capability.VIEW_MAP)
def coverage_map(request: HttpRequest) -> HttpResponse:
    """For each zone of a kind, how many trained, available responders are in it now: a map
    whose empty zones are red and say so in words, and the same numbers as a table."""
    user: User = request.user  # type: ignore[assignment]
    form = ZoneKindForm(request.GET or None)
    kind = ZoneKind.NEIGHBORHOOD
    if form.is_valid() and form.cleaned_data["kind"]:
        kind = ZoneKind(form.cleaned_data["kind"])
    rows = queries.coverage(user, kind)
    colours = {row.zone.id: EMPTY_COLOUR if row.empty else COVERED_COLOUR for row in rows}
    labels = {
        row.zone.id: (
            _("%(zone)s: none") % {"zone": row.zone.name}
            if row.empty
            else f"{row.zone.name}: {row.responders}"
        )
        for row in rows
    }
    tiles = maps.tile_source()
    svg = maps.render_map_svg(
        zones=[row.zone for row in rows],
        tiles=tiles,
        title=_("Trained, available responders per zone"),
        zone_colours=colours,
        zone_labels=labels,
    )
    context = {
        "form": form,
        "kind": kind,
        "rows": rows,
        "empty": sum(row.empty for row in rows),
        "svg": svg,
        "tiles": tiles,
        "empty_colour": EMPTY_COLOUR,
        "covered_colour": COVERED_COLOUR,
    }
    return maps.allow_tiles(render(request, "places/coverage.html", context), tiles)


@requires(Capability.ORGANIZE_PRECINCTS)
def precinct_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    return render(request, "places/precinct_list.html", {"precincts": queries.precincts_for(user)})


@requires(Capability.ORGANIZE_PRECINCTS)
def precinct_team(request: HttpRequest, zone_id: int) -> HttpResponse:
    """The precinct's team, and a form to add someone to it."""
    user: User = request.user  # type: ignore[assignment]
    precinct = queries.access_precinct(user, zone_id)
    form = TeamMemberForm(request.POST or None, precinct=precinct)
    if request.method == "POST" and form.is_valid():
        services.do_add_team_member(
            user, precinct, form.cleaned_data["person"], form.cleaned_data["role"]
        )
        messages.success(request, _("Saved."))
        return redirect("places:precinct_team", zone_id=precinct.id)
    members = queries.team_of(user, precinct)
    context = {
        "precinct": precinct,
        "members": [(member, TeamRoleForm(initial={"role": member.role})) for member in members],
        "form": form,
    }
    return render(request, "places/precinct_team.html", context)


@requires(Capability.ORGANIZE_PRECINCTS)
def team_member(request: HttpRequest, zone_id: int, member_id: int) -> HttpResponse:
    """One person on the team: POST a role to change it, or ``remove`` to take them off."""
    user: User = request.user  # type: ignore[assignment]
    precinct = queries.access_precinct(user, zone_id)
    member = queries.access_team_member(user, precinct, member_id)
    if request.method == "POST":
        if "remove" in request.POST:
            services.do_remove_team_member(user, member)
            messages.success(request, _("Taken off the team."))
        else:
            form = TeamRoleForm(request.POST)
            if form.is_valid():
                services.do_add_team_member(
                    user, precinct, member.person, form.cleaned_data["role"]
                )
                messages.success(request, _("Saved."))
            else:
                messages.error(request, _("Choose captain or member."))
        return redirect("places:precinct_team", zone_id=precinct.id)
    context = {
        "precinct": precinct,
        "member": member,
        "role_form": TeamRoleForm(initial={"role": member.role}),
    }
    return render(request, "places/team_member.html", context)


@requires(Capability.ORGANIZE_PRECINCTS)
def walk_list(request: HttpRequest, zone_id: int) -> HttpResponse:
    """The precinct's households by street, a form to add one, and a CSV import."""
    user: User = request.user  # type: ignore[assignment]
    precinct = queries.access_precinct(user, zone_id)
    form = HouseholdForm(request.POST if "address" in request.POST else None)
    file_form = HouseholdFileForm(
        request.POST if "upload" in request.POST else None,
        request.FILES if "upload" in request.POST else None,
    )
    if request.method == "POST" and "address" in request.POST and form.is_valid():
        services.do_add_household(user, precinct, **form.cleaned_data)
        messages.success(request, _("Household added."))
        return redirect("places:walk_list", zone_id=precinct.id)
    if request.method == "POST" and "upload" in request.POST and file_form.is_valid():
        count = services.do_import_households(user, precinct, file_form.cleaned_data["file"])
        messages.success(
            request,
            ngettext("%(count)d household imported.", "%(count)d households imported.", count)
            % {"count": count},
        )
        return redirect("places:walk_list", zone_id=precinct.id)
    context = {
        "precinct": precinct,
        "walk_list": queries.access_walk_list(user, precinct),
        "form": form,
        "file_form": file_form,
        "row_errors": getattr(file_form, "row_errors", []),
    }
    return render(request, "places/walk_list.html", context)


@requires(Capability.ORGANIZE_PRECINCTS)
def walk_list_pdf(request: HttpRequest, zone_id: int) -> HttpResponse:
    """The walk list to print: one household per line, grouped by street, with boxes for the
    canvasser to tick (home, not home, follow up)."""
    user: User = request.user  # type: ignore[assignment]
    precinct = queries.access_precinct(user, zone_id)
    listed = queries.access_walk_list(user, precinct, printed=True)
    header = [_("Address"), _("Language"), _("Notes"), _("Home"), _("Not home"), _("Follow up")]
    box = "☐"
    sections = [
        (
            street,
            [
                Table(
                    [header]
                    + [
                        [h.address, h.get_language_display(), h.notes, box, box, box]
                        for h in households
                    ],
                    widths=(5, 2, 4, 1.3, 1.3, 1.3),
                )
            ],
        )
        for street, households in listed.streets
    ]
    where = precinct.name + (f" · {precinct.parent.name}" if precinct.parent else "")
    document = render_pdf(
        _("Walk list: %(precinct)s") % {"precinct": precinct.name},
        sections or [(_("No households yet"), [])],
        intro=[
            where,
            ngettext("%(count)d household", "%(count)d households", listed.count)
            % {"count": listed.count},
            _("Canvasser: ____________________   Date: ____________"),
        ],
        footer=_("Addresses are people's data: return or shred this list after the walk."),
        language=get_language() or "en",
    )
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="walk-list-{precinct.id}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@requires(Capability.ORGANIZE_PRECINCTS)
def household_delete(request: HttpRequest, zone_id: int, household_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    precinct = queries.access_precinct(user, zone_id)
    household = queries.access_household(user, precinct, household_id)
    if request.method == "POST":
        services.do_remove_household(user, household)
        messages.success(request, _("Household removed."))
        return redirect("places:walk_list", zone_id=precinct.id)
    return render(
        request, "places/household_delete.html", {"precinct": precinct, "household": household}
    )
