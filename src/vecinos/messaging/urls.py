from __future__ import annotations

from django.urls import path

from vecinos.messaging import views

app_name = "messaging"

urlpatterns = [
    path("simulator/", views.simulator, name="simulator"),
]
