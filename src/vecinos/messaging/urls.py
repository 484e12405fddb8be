from __future__ import annotations

from django.urls import path

from vecinos.messaging import views

app_name = "messaging"

urlpatterns = [
    path("simulator/", views.simulator, name="simulator"),
    path("gateways/", views.gateway_list, name="gateway_list"),
    path("gateways/<slug:name>/", views.gateway_edit, name="gateway_edit"),
    path("broadcasts/", views.broadcast_list, name="broadcast_list"),
    path("broadcasts/new/", views.broadcast_create, name="broadcast_create"),
    path("broadcasts/<int:broadcast_id>/", views.broadcast_detail, name="broadcast_detail"),
    path("broadcasts/<int:broadcast_id>/edit/", views.broadcast_edit, name="broadcast_edit"),
]
