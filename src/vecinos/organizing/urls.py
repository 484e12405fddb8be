from __future__ import annotations

from django.urls import path

from vecinos.organizing import views

app_name = "organizing"

urlpatterns = [
    path("", views.person_list, name="person_list"),
    path("new/", views.person_create, name="person_create"),
    path("<int:person_id>/", views.person_detail, name="person_detail"),
    path("<int:person_id>/edit/", views.person_edit, name="person_edit"),
    path("<int:person_id>/consent/", views.person_consent, name="person_consent"),
    path("<int:person_id>/stage/", views.person_stage, name="person_stage"),
    path("<int:person_id>/circles/", views.person_circles, name="person_circles"),
    path("<int:person_id>/brought-by/", views.person_brought_by, name="person_brought_by"),
    path("growth/", views.growth, name="growth"),
    path("circles/", views.circle_list, name="circle_list"),
    path("circles/new/", views.circle_create, name="circle_create"),
    path("circles/network/", views.network, name="network"),
    path("circles/<int:circle_id>/", views.circle_detail, name="circle_detail"),
    path("circles/<int:circle_id>/edit/", views.circle_edit, name="circle_edit"),
    path(
        "circles/<int:circle_id>/members/<int:person_id>/",
        views.circle_member,
        name="circle_member",
    ),
    path("import/", views.import_upload, name="import"),
    path("import/<int:job_id>/", views.import_job, name="import_job"),
    path("export/", views.export, name="export"),
]
