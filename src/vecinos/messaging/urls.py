from __future__ import annotations

from django.urls import path

from vecinos.messaging import views

app_name = "messaging"

urlpatterns = [
    path("simulator/", views.simulator, name="simulator"),
    path("gateways/", views.gateway_list, name="gateway_list"),
    path("gateways/<slug:name>/", views.gateway_edit, name="gateway_edit"),
]
