"""The coordinators' page for API tokens (the API itself is :mod:`vecinos.api.v1`)."""

from __future__ import annotations

from django.urls import path

from vecinos.api import views

app_name = "api"
urlpatterns = [
    path("tokens/", views.token_list, name="token_list"),
]
