from __future__ import annotations

from django.urls import include, path

from vecinos.api.v1 import api as api_v1

urlpatterns = [
    path("", include("vecinos.core.urls")),
    path("people/", include("vecinos.organizing.urls")),
    path("messages/", include("vecinos.messaging.urls")),
    path("responders/", include("vecinos.responders.urls")),
    path("api/v1/", api_v1.urls),
    path("api/", include("vecinos.api.urls")),
    path("shifts/", include("vecinos.shifts.urls")),
    path("trainings/", include("vecinos.trainings.urls")),
    path("places/", include("vecinos.places.urls")),
    path("hotline/", include("vecinos.hotline.urls")),
    path("assembly/", include("vecinos.assembly.urls")),
    path("mobilizations/", include("vecinos.mobilizing.urls")),
    # Called by providers, not people: no login, a signature or shared secret instead.
    path("hooks/twilio/", include("vecinos.messaging.gateways.twilio.urls")),
    path("hooks/kannel/", include("vecinos.messaging.gateways.kannel.urls")),
]
