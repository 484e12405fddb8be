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
]
