from __future__ import annotations

from django.urls import path

from vecinos.messaging.gateways.twilio import webhooks

app_name = "twilio"

urlpatterns = [
    path("sms", webhooks.sms, name="sms"),
    path("voice", webhooks.call, name="voice"),
    path("voice/gathered", webhooks.gathered, name="voice_gathered"),
    path("voice/dialed", webhooks.dialed, name="voice_dialed"),
    path("voice/recorded", webhooks.recorded, name="voice_recorded"),
    path("voice/recording", webhooks.recording, name="voice_recording"),
    path("status", webhooks.status, name="status"),
]
