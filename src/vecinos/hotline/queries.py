"""Reads of the hotline's sensitive data by a person: checked, and recorded in the audit log."""

from __future__ import annotations

from django.db import transaction

from vecinos.core import audit
from vecinos.core.models import User
from vecinos.core.permissions import Capability, check
from vecinos.hotline.models import Report


def access_caller(user: User, report: Report) -> str:
    """The caller's number, to call them back; "" once erased. Every read is in the audit log,
    even of an erased number, so a pattern of looking is visible."""
    check(user, Capability.USE_CONSOLE)
    with transaction.atomic():
        audit.record(user, audit.REPORT_CALLER_VIEWED, report, erased=not report.caller)
    return str(report.caller)
