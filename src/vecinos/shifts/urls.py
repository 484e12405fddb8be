from __future__ import annotations

from django.urls import path

from vecinos.shifts import views

app_name = "shifts"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("calendar/", views.calendar_link, name="calendar_link"),
    # Read by calendar apps, which cannot log in: the secret token stands for the login.
    path("feed/<str:token>.ics", views.feed, name="feed"),
    path("rota/", views.rota, name="rota"),
    path("rota/new/", views.shift_create, name="shift_create"),
    path("rota/<int:shift_id>/", views.shift_edit, name="shift_edit"),
    path("cover/", views.cover, name="cover"),
    path("fallback/", views.fallback, name="fallback"),
]
