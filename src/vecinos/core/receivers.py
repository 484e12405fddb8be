"""Receivers of other libraries' signals, connected in CoreConfig.ready()."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.dispatch import receiver

from vecinos.core import audit
from vecinos.core.models import User


@receiver(user_locked_out, dispatch_uid="vecinos.audit_login_locked")
def record_lockout(sender: Any, username: str | None = None, **kwargs: Any) -> None:
    """Write a lockout to the audit log, so coordinators see attacks on an account. The address it
    came from is not kept: the audit log holds no network data about people."""
    account = User.objects.filter(username=username).first() if username else None
    audit.record(None, audit.USER_LOGIN_LOCKED, account)
