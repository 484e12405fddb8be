from __future__ import annotations

from django.urls import path

from vecinos.hotline import views

app_name = "hotline"

urlpatterns = [
    path("", views.console, name="console"),
    path("live/", views.stream, name="stream"),
    path("reports/new/", views.report_create, name="report_create"),
    path("reports/<int:report_id>/", views.report_detail, name="report_detail"),
    path("incidents/<int:incident_id>/", views.incident_detail, name="incident_detail"),
    path("drills/new/", views.drill_create, name="drill_create"),
    path("texts/", views.content_list, name="content_list"),
    path("texts/<slug:kind>/<slug:language>/", views.content_edit, name="content_edit"),
]
