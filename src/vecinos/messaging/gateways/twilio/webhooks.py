"""Twilio's calls to us: inbound texts and delivery receipts. Each must carry a valid
X-Twilio-Signature for our public URL; anything else gets 403 and nothing is stored."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.request_validator import RequestValidator  # type: ignore[import-untyped]
from twilio.twiml.messaging_response import MessagingResponse  # type: ignore[import-untyped]

from vecinos.core.phones import InvalidPhoneNumberError
from vecinos.messaging import inbound
from vecinos.messaging.gateways import config
from vecinos.messaging.receipts import apply_receipt

FAILED_STATUSES = {"failed", "undelivered"}


def signed(request: HttpRequest) -> bool:
    token = config.credentials("twilio").option("auth_token")
    signature = request.headers.get("X-Twilio-Signature", "")
    if not token or not signature:
        return False
    url = f"{settings.PUBLIC_URL}{request.get_full_path()}"
    params = {key: request.POST.get(key, "") for key in request.POST}
    return bool(RequestValidator(token).validate(url, params, signature))


def twiml(response: MessagingResponse, status: int = 200) -> HttpResponse:
    return HttpResponse(str(response), content_type="text/xml", status=status)


@csrf_exempt
@require_POST
def sms(request: HttpRequest) -> HttpResponse:
    """An inbound text. Answers come later through the outbox, so the TwiML reply is empty."""
    if not signed(request):
        return HttpResponseForbidden("invalid signature")
    sid = request.POST.get("MessageSid", "")
    if not sid:
        return HttpResponse("MessageSid is missing", status=400, content_type="text/plain")
    try:
        inbound.receive(
            gateway="twilio",
            provider_message_id=sid,
            sender=request.POST.get("From", ""),
            recipient=request.POST.get("To", ""),
            body=request.POST.get("Body", ""),
        )
    except InvalidPhoneNumberError:
        return HttpResponse("From is not a phone number", status=400, content_type="text/plain")
    return twiml(MessagingResponse())


@csrf_exempt
@require_POST
def status(request: HttpRequest) -> HttpResponse:
    """A delivery receipt: delivered, or failed with Twilio's error code."""
    if not signed(request):
        return HttpResponseForbidden("invalid signature")
    sid = request.POST.get("MessageSid", "")
    state = request.POST.get("MessageStatus", "")
    if not sid:
        return HttpResponse("MessageSid is missing", status=400, content_type="text/plain")
    if state == "delivered":
        apply_receipt("twilio", sid, delivered=True)
    elif state in FAILED_STATUSES:
        code = request.POST.get("ErrorCode", "")
        apply_receipt("twilio", sid, delivered=False, error=f"{code}: {state} (delivery receipt)")
    return HttpResponse(status=204)
