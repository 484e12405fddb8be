from __future__ import annotations

from django.urls import path

from vecinos.mobilizing import views

app_name = "mobilizing"

urlpatterns = [
    path("", views.mobilization_list, name="list"),
    path("new/", views.mobilization_create, name="create"),
    path("<int:mobilization_id>/", views.mobilization_answer, name="answer"),
    path("<int:mobilization_id>/people/", views.mobilization_detail, name="detail"),
    path("<int:mobilization_id>/edit/", views.mobilization_edit, name="edit"),
    path("<int:mobilization_id>/recruit/", views.mobilization_recruit, name="recruit"),
    path("<int:mobilization_id>/check-in/", views.mobilization_check_in, name="check_in"),
]
