from __future__ import annotations

from django.urls import include, path

urlpatterns = [
    path("", include("vecinos.core.urls")),
    path("people/", include("vecinos.organizing.urls")),
    path("messages/", include("vecinos.messaging.urls")),
    path("responders/", include("vecinos.responders.urls")),
    # Called by providers, not people: no login, a signature or shared secret instead.
    path("hooks/twilio/", include("vecinos.messaging.gateways.twilio.urls")),
    path("hooks/kannel/", include("vecinos.messaging.gateways.kannel.urls")),
]
