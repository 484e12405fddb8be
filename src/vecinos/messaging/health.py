"""Gateway health and failover.

A gateway that fails again and again, or that leaves too much of a broadcast undelivered, is set
aside for a while: the outbox then sends through the next configured gateway, and coordinators are
told (a banner on their pages, and a message on their own preferred channel). A failing gateway
comes back by itself once it sends again; a slow one after its time aside.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from vecinos.core.choices import Role
from vecinos.messaging.choices import Channel, GatewayProblemKind, MessageStatus, Priority
from vecinos.messaging.gateways import config
from vecinos.messaging.models import Broadcast, GatewayHealth, GatewayProblem, OutboundMessage

logger = logging.getLogger(__name__)

GATEWAY_WARNING = "messaging.gateway_warning"


def set_aside_names(now: datetime) -> set[str]:
    """Gateways not to use until their time aside is over."""
    return set(GatewayHealth.objects.filter(down_until__gt=now).values_list("name", flat=True))


def _ensure(name: str) -> None:
    if GatewayHealth.objects.filter(name=name).exists():
        return
    try:
        with transaction.atomic():
            GatewayHealth.objects.create(name=name)
    except IntegrityError:
        pass  # another worker created it first


def record_failure(
    name: str, error: str, channel: str, now: datetime | None = None, count: int = 1
) -> bool:
    """Count ``count`` transient failures of ``name``; after ``VECINOS_FAILOVER_AFTER_ERRORS`` in
    a row the gateway is set aside. Returns True when this call set it aside."""
    now = now or timezone.now()
    _ensure(name)
    GatewayHealth.objects.filter(name=name).update(
        failures=F("failures") + count, last_error=error[:500], last_failure_at=now
    )
    failures = GatewayHealth.objects.filter(name=name).values_list("failures", flat=True).first()
    if (failures or 0) < settings.VECINOS_FAILOVER_AFTER_ERRORS:
        return False
    return set_aside(
        name,
        GatewayProblemKind.FAILING,
        channel,
        now=now,
        failures=failures or 0,
        error=error[:500],
    )


def record_success(name: str, now: datetime | None = None) -> None:
    """A message went through ``name``: its failure count starts again from zero, and an open
    'failing' problem is resolved."""
    if GatewayHealth.objects.filter(name=name, failures__gt=0).update(failures=0):
        GatewayProblem.objects.filter(
            gateway=name, kind=GatewayProblemKind.FAILING, resolved_at__isnull=True
        ).update(resolved_at=now or timezone.now())


def set_aside(
    name: str, kind: str, channel: str, *, now: datetime | None = None, **facts: Any
) -> bool:
    """Take ``name`` out of the rotation for ``VECINOS_FAILOVER_MINUTES`` and warn coordinators.
    Safe to call from several workers at once: only the first one that sets it aside warns.
    Returns True when this call set it aside."""
    now = now or timezone.now()
    _ensure(name)
    until = now + timedelta(minutes=settings.VECINOS_FAILOVER_MINUTES)
    moved = (
        GatewayHealth.objects.filter(name=name)
        .filter(Q(down_until__isnull=True) | Q(down_until__lte=now))
        .update(down_until=until)
    )
    if not moved:
        return False
    setup = config.load()
    aside = set_aside_names(now)
    successor = next(
        (g.name for g in setup.for_channel(channel) if g.name != name and g.name not in aside), ""
    )
    with transaction.atomic():
        problem = GatewayProblem.objects.create(
            gateway=name, kind=kind, failed_over_to=successor, started_at=now, **facts
        )
        warn_coordinators(problem)
    logger.warning("gateway %s set aside (%s); failing over to %r", name, kind, successor)
    return True


def problem_text(problem: GatewayProblem) -> str:
    """What coordinators are told, in the active language."""
    values = {
        "network": settings.VECINOS_NETWORK_NAME,
        "gateway": problem.gateway,
        "successor": problem.failed_over_to,
        "detail": problem.describe(),
    }
    if problem.kind == GatewayProblemKind.SLOW:
        text = (
            _("%(network)s: the %(gateway)s gateway is too slow to deliver (%(detail)s).") % values
        )
    else:
        text = _("%(network)s: the %(gateway)s gateway is failing (%(detail)s).") % values
    if problem.failed_over_to:
        more = _("Messages now go through %(successor)s.") % values
    else:
        more = _("No other gateway can carry these messages: they wait and are retried.")
    return f"{text} {more}"


def warn_coordinators(problem: GatewayProblem) -> int:
    """Queue a warning to every active coordinator who can be reached, on their preferred channel
    and in their language. Returns how many were queued."""
    from vecinos.messaging.services import queue_message
    from vecinos.organizing.models import Person

    coordinators = Person.objects.filter(
        account__is_active=True, account__role_assignments__role=Role.COORDINATOR
    ).distinct()
    queued = 0
    for person in coordinators:
        channel = person.preferred_channel
        address = person.email if channel == Channel.EMAIL else person.phone
        if not address:
            channel, address = (Channel.EMAIL, person.email) if person.email else (Channel.SMS, "")
        if not address:
            continue
        with translation.override(person.preferred_language):
            body = problem_text(problem)
            subject = _("Gateway problem")
        queue_message(
            channel=Channel.SMS if channel == Channel.VOICE else channel,
            address=address,
            body=body,
            subject=str(subject),
            kind=GATEWAY_WARNING,
            person=person,
            language=person.preferred_language,
            priority=Priority.ALERT,
        )
        queued += 1
    return queued


# Fewer messages than this say nothing about a gateway's speed (one late report of three is noise).
SLOW_SAMPLE = 20


def check_slow_broadcasts(now: datetime | None = None) -> list[str]:
    """Set aside gateways too slow to deliver a broadcast: of the messages of one broadcast that
    one gateway took between two and one ``VECINOS_SLOW_AFTER_MINUTES`` ago, more than
    ``VECINOS_SLOW_UNDELIVERED_PERCENT`` still have no delivery report. What is still queued then
    goes through the next gateway. Returns the gateways set aside.

    Only gateways that report delivery are judged (e-mail and Signal never say "delivered"), and a
    report of failure counts as an answer: a list with many dead numbers is not a slow gateway.
    Messages already handed over stay with the slow gateway: sending them again elsewhere could
    make a phone get the same alert twice.
    """
    from vecinos.messaging.gateways import GATEWAYS

    now = now or timezone.now()
    after = timedelta(minutes=settings.VECINOS_SLOW_AFTER_MINUTES)
    recent = Broadcast.objects.filter(sent_at__gte=now - timedelta(days=1)).values("id")
    judged = (
        OutboundMessage.objects.filter(
            broadcast__in=recent, sent_at__gt=now - 2 * after, sent_at__lte=now - after
        )
        .exclude(gateway="")
        .values("broadcast_id", "gateway", "channel")
        .annotate(handed=Count("id"), unanswered=Count("id", filter=Q(status=MessageStatus.SENT)))
        .order_by("broadcast_id")
    )
    aside = set_aside_names(now)
    slow: list[str] = []
    for group in judged:
        gateway = group["gateway"]
        adapter = GATEWAYS.get(gateway)
        if adapter is None or not adapter.reports_delivery or gateway in aside | set(slow):
            continue
        handed, unanswered = group["handed"], group["unanswered"]
        if (
            handed < SLOW_SAMPLE
            or unanswered * 100 <= handed * settings.VECINOS_SLOW_UNDELIVERED_PERCENT
        ):
            continue
        if set_aside(
            gateway,
            GatewayProblemKind.SLOW,
            group["channel"],
            now=now,
            handed=handed,
            unanswered=unanswered,
            broadcast_id=group["broadcast_id"],
        ):
            slow.append(gateway)
    return slow


def open_problems() -> list[GatewayProblem]:
    return list(GatewayProblem.objects.filter(resolved_at__isnull=True).order_by("-started_at"))
