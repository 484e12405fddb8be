from __future__ import annotations

from django.urls import path

from vecinos.places import views

app_name = "places"

urlpatterns = [
    path("", views.map_view, name="map"),
    path("settings/", views.map_settings, name="map_settings"),
    path("zones/", views.zone_list, name="zone_list"),
    path("zones/new/", views.zone_create, name="zone_create"),
    path("zones/<int:zone_id>/", views.zone_edit, name="zone_edit"),
    path("zones/<int:zone_id>/point/", views.zone_point, name="zone_point"),
    path("zones/<int:zone_id>/delete/", views.zone_delete, name="zone_delete"),
    path("zones/<int:zone_id>/cells/<str:cell>/", views.zone_cell, name="zone_cell"),
    path("coverage/", views.coverage_map, name="coverage"),
    path("precincts/", views.precinct_list, name="precinct_list"),
    path("precincts/<int:zone_id>/", views.precinct_team, name="precinct_team"),
    path("precincts/<int:zone_id>/team/<int:member_id>/", views.team_member, name="team_member"),
    path("precincts/<int:zone_id>/walk-list/", views.walk_list, name="walk_list"),
    path("precincts/<int:zone_id>/walk-list.pdf", views.walk_list_pdf, name="walk_list_pdf"),
    path(
        "precincts/<int:zone_id>/households/<int:household_id>/delete/",
        views.household_delete,
        name="household_delete",
    ),
]
