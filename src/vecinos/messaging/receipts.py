"""Delivery reports from every gateway, applied in one place."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from vecinos.messaging.choices import MessageStatus
from vecinos.messaging.models import EarlyReceipt, OutboundMessage


def apply_receipt(
    gateway: str, provider_message_id: str, *, delivered: bool, error: str = ""
) -> bool:
    """Mark the message delivered or failed. A report for an id not recorded yet is kept and
    applied by :func:`apply_early_receipts` once the worker records it. Returns True if applied."""
    if not provider_message_id:
        return False  # no message is recorded without an id; there is nothing to match
    # The exclusion lets the planner use the partial index of handed-over messages.
    messages = OutboundMessage.objects.filter(
        gateway=gateway, provider_message_id=provider_message_id
    ).exclude(provider_message_id="")
    if delivered:
        moved = messages.filter(status=MessageStatus.SENT).update(
            status=MessageStatus.DELIVERED, delivered_at=timezone.now()
        )
    else:
        moved = messages.filter(status__in=[MessageStatus.SENT, MessageStatus.DELIVERED]).update(
            status=MessageStatus.FAILED, error=error
        )
    if moved or messages.exists():
        return bool(moved)
    EarlyReceipt.objects.create(
        gateway=gateway,
        provider_message_id=provider_message_id[:128],
        delivered=delivered,
        error=error,
    )
    return False


def apply_early_receipts_for(gateway: str, provider_message_ids: list[str]) -> None:
    """Apply reports that arrived before these ids were recorded on their messages: one query
    for a whole batch of sends, since early reports are rare."""
    waiting = EarlyReceipt.objects.filter(
        gateway=gateway, provider_message_id__in=provider_message_ids
    )
    if not provider_message_ids or not waiting.exists():
        return  # the common case, without taking SQLite's write lock
    with transaction.atomic():
        early = list(waiting.select_for_update().order_by("id"))
        for receipt in early:
            apply_receipt(
                gateway,
                receipt.provider_message_id,
                delivered=receipt.delivered,
                error=receipt.error,
            )
        if early:
            EarlyReceipt.objects.filter(id__in=[r.id for r in early]).delete()
