"""Kannel's calls to us: mobile-originated texts (smsbox's get-url) and delivery reports
(dlr-url). A shared secret in the address guards both; anything without it gets 403."""

from __future__ import annotations

import hmac

from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.views.decorators.http import require_GET

from vecinos.core.phones import InvalidPhoneNumberError
from vecinos.messaging import inbound
from vecinos.messaging.gateways import config
from vecinos.messaging.receipts import apply_receipt

# Kannel's report types (the %d in dlr-url).
DELIVERED, FAILED, SMSC_REJECTED = 1, 2, 16


def authorized(request: HttpRequest) -> bool:
    secret = config.credentials("kannel").option("secret")
    given = request.GET.get("secret", "")
    return bool(secret) and hmac.compare_digest(given.encode(), secret.encode())


def plain(text: str, status: int) -> HttpResponse:
    return HttpResponse(text, status=status, content_type="text/plain")


@require_GET
def sms(request: HttpRequest) -> HttpResponse:
    """A text from a phone. The answer's body must stay empty: smsbox would text it back."""
    if not authorized(request):
        return HttpResponseForbidden("")
    message_id = request.GET.get("id", "")
    if not message_id:
        return plain("id is missing", 400)
    try:
        inbound.receive(
            gateway="kannel",
            provider_message_id=message_id,
            sender=request.GET.get("from", ""),
            recipient=request.GET.get("to", ""),
            body=request.GET.get("text", ""),
        )
    except InvalidPhoneNumberError:
        return plain("", 400)
    return plain("", 200)


@require_GET
def dlr(request: HttpRequest) -> HttpResponse:
    """A delivery report for a message we sent (``id`` is the reference the gateway gave it)."""
    if not authorized(request):
        return HttpResponseForbidden("")
    try:
        report = int(request.GET.get("status", ""))
    except ValueError:
        return plain("status must be a number", 400)
    reference = request.GET.get("id", "")
    if not reference:
        return plain("id is missing", 400)
    if report & DELIVERED:
        apply_receipt("kannel", reference, delivered=True)
    elif report & (FAILED | SMSC_REJECTED):
        apply_receipt("kannel", reference, delivered=False, error=f"{report}: failed (report)")
    return plain("", 200)
