from __future__ import annotations

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vecinos.settings")
django_application = get_asgi_application()

# Imported once Django is set up: it uses the models.
from vecinos.messaging.gateways.twilio import fast  # noqa: E402

application = fast.wrap(django_application)
