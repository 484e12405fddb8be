from __future__ import annotations

from django.urls import path

from vecinos.messaging.gateways.twilio import webhooks

app_name = "twilio"

urlpatterns = [
    path("sms", webhooks.sms, name="sms"),
    path("voice", webhooks.call, name="voice"),
    path("status", webhooks.status, name="status"),
]
