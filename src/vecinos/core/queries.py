"""Reads of accounts and of the audit log, for the people allowed to make them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from vecinos.core import audit
from vecinos.core.models import AuditEvent, User
from vecinos.core.permissions import Capability, check

if TYPE_CHECKING:
    from collections.abc import Sequence


def accounts_for(user: User) -> QuerySet[User]:
    """Raises:
    PermissionDenied: the user may not manage accounts."""
    check(user, Capability.MANAGE_ACCOUNTS)
    confirmed = Prefetch(
        "totpdevice_set",
        queryset=TOTPDevice.objects.filter(confirmed=True),
        to_attr="confirmed_devices",
    )
    return User.objects.prefetch_related("role_assignments", confirmed).order_by(
        "display_name", "id"
    )


def access_account(user: User, account_id: int) -> User:
    """Raises:
    PermissionDenied: the user may not manage accounts.
    Http404: no such account."""
    check(user, Capability.MANAGE_ACCOUNTS)
    return get_object_or_404(User.objects.prefetch_related("role_assignments"), id=account_id)


@dataclass(frozen=True)
class AuditFilter:
    action: str = ""
    actor: str = ""
    target_type: str = ""
    target_id: str = ""
    since: date | None = None
    until: date | None = None


def audit_events_for(user: User, filters: AuditFilter) -> QuerySet[AuditEvent]:
    """The audit log, newest first, filtered. Reading it is itself recorded.

    Raises:
        PermissionDenied: the user may not read the audit log.
    """
    check(user, Capability.VIEW_AUDIT_LOG)
    audit.record(user, audit.AUDIT_LOG_VIEWED)
    events = AuditEvent.objects.all()
    if filters.action:
        events = events.filter(action=filters.action)
    if filters.actor:
        events = events.filter(actor_name=filters.actor)
    if filters.target_type:
        events = events.filter(target_type=filters.target_type)
    if filters.target_id:
        events = events.filter(target_id=filters.target_id)
    zone = timezone.get_current_timezone()
    if filters.since:
        events = events.filter(at__gte=datetime.combine(filters.since, time.min, zone))
    if filters.until:
        until = datetime.combine(filters.until + timedelta(days=1), time.min, zone)
        events = events.filter(at__lt=until)
    return events


def audit_actors() -> Sequence[str]:
    return list(
        AuditEvent.objects.exclude(actor_name="")
        .order_by("actor_name")
        .values_list("actor_name", flat=True)
        .distinct()
    )
