from __future__ import annotations

from django.urls import path

from vecinos.responders import views

app_name = "responders"

urlpatterns = [
    path("", views.responder_list, name="list"),
    path("<int:responder_id>/", views.responder_edit, name="edit"),
    path("incidents/<int:incident_id>/", views.incident, name="incident"),
]
