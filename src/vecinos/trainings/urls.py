from __future__ import annotations

from django.urls import path

from vecinos.trainings import views

app_name = "trainings"

urlpatterns = [
    path("", views.session_list, name="list"),
    path("new/", views.session_create, name="session_create"),
    path("<int:session_id>/", views.session_detail, name="session"),
    path("vouches/", views.vouches, name="vouches"),
    path("vouches/<int:person_id>/chain/", views.vouch_chain, name="vouch_chain"),
]
