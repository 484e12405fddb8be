from __future__ import annotations

from django.urls import path

from vecinos.messaging.gateways.kannel import webhooks

app_name = "kannel"

urlpatterns = [
    path("sms", webhooks.sms, name="sms"),
    path("dlr", webhooks.dlr, name="dlr"),
]
