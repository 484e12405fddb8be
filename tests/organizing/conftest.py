"""Zones and responders for the growth dashboard's tests."""

from tests.places.conftest import make_zone  # noqa: F401
from tests.responders.conftest import make_responder  # noqa: F401
