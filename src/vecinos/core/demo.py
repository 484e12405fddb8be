"""Demo-only helpers. Everything here refuses to act outside demo mode or on real accounts."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from django.conf import settings
from django_otp.oath import TOTP

if TYPE_CHECKING:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from vecinos.core.models import User

DEMO_PASSWORD = "vecinos-demo"  # noqa: S105  # printed by `vecinos demo`; demo accounts only


class NotADemoAccountError(Exception):
    """Refused: codes are only ever shown for demo accounts in demo mode."""


def current_code(user: User, device: TOTPDevice) -> str:
    """The code a demo account's authenticator would show right now.

    Raises:
        NotADemoAccountError: not demo mode, or not an account that `vecinos demo` created.
    """
    if not settings.DEMO or not user.is_demo or device.user_id != user.id:
        raise NotADemoAccountError
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    # A code is accepted once: if this step's code was used, show the next step's, which the
    # device's tolerance of one step accepts.
    next_unused = (device.last_t + 1 - device.drift) * device.step + device.t0
    totp.time = max(time.time(), next_unused)
    return f"{totp.token():0{device.digits}d}"
