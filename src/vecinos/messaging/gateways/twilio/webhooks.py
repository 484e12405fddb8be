"""Twilio's calls to us: inbound texts, incoming phone calls and the steps that follow (keys
pressed, how a dial ended, a voicemail recorded), and status reports for the texts and calls we
sent. Each must carry a valid X-Twilio-Signature for our public URL; anything else gets 403 and
nothing is stored or logged."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.request_validator import RequestValidator  # type: ignore[import-untyped]
from twilio.twiml.messaging_response import MessagingResponse  # type: ignore[import-untyped]
from twilio.twiml.voice_response import VoiceResponse  # type: ignore[import-untyped]

from vecinos.core.phones import InvalidPhoneNumberError
from vecinos.messaging import inbound, voice
from vecinos.messaging.gateways import config
from vecinos.messaging.gateways.twilio.twiml import STEP_PARAMETER, render
from vecinos.messaging.receipts import apply_receipt

FAILED_STATUSES = {"failed", "undelivered"}
# A call's final states (twilio.com/docs/voice/api/call-resource#call-status-values). "completed"
# means someone or something (perhaps voicemail) picked up and the message was read.
CALL_COMPLETED = "completed"
CALL_FAILED_STATUSES = {"busy", "no-answer", "failed", "canceled"}
# A <Dial>'s DialCallStatus (twilio.com/docs/voice/twiml/dial#dialcallstatus-values) as ours.
# "answered" is sent when the caller hung up first while connected.
DIAL_OUTCOMES = {
    "completed": voice.DialOutcome.ANSWERED,
    "answered": voice.DialOutcome.ANSWERED,
    "no-answer": voice.DialOutcome.NO_ANSWER,
    "busy": voice.DialOutcome.BUSY,
    "failed": voice.DialOutcome.FAILED,
    "canceled": voice.DialOutcome.CANCELED,
}
# A recording's states (RecordingStatus): only a completed one can be listened to.
RECORDING_COMPLETED = "completed"


def signed(request: HttpRequest) -> bool:
    params = {key: request.POST.get(key, "") for key in request.POST}
    return valid_signature(
        request.get_full_path(), params, request.headers.get("X-Twilio-Signature", "")
    )


def valid_signature(path: str, params: Mapping[str, str], signature: str) -> bool:
    """Whether ``signature`` is Twilio's for our public URL + ``path`` (with its query) and the
    form ``params``, under the auth token in force."""
    token = config.credentials("twilio").option("auth_token")
    if not token or not signature:
        return False
    url = f"{settings.PUBLIC_URL}{path}"
    return bool(RequestValidator(token).validate(url, params, signature))


def twiml(response: MessagingResponse | VoiceResponse, status: int = 200) -> HttpResponse:
    return HttpResponse(str(response), content_type="text/xml", status=status)


@dataclass(frozen=True)
class Answer:
    """What a webhook answers, whichever server path took the request."""

    status: int
    content_type: str
    body: str


EMPTY_TWIML = str(MessagingResponse())


def accept_sms(path: str, params: Mapping[str, str], signature: str) -> tuple[Answer, int | None]:
    """An inbound text, signed by Twilio: stored once (a repeated MessageSid is not stored
    again), and answered with empty TwiML (answers go later through the outbox). Returns the
    answer and the id of the text newly stored, which is not read yet: the caller reads it after
    answering, or leaves it to the worker (:func:`inbound.read_by_worker`). The fast path in
    front of Django (``fast.py``) and the Django view both call this."""
    if not valid_signature(path, params, signature):
        return Answer(403, "text/plain", "invalid signature"), None
    sid = params.get("MessageSid", "")
    if not sid:
        return Answer(400, "text/plain", "MessageSid is missing"), None
    try:
        stored = inbound.receive(
            gateway="twilio",
            provider_message_id=sid,
            sender=params.get("From", ""),
            recipient=params.get("To", ""),
            body=params.get("Body", ""),
            deferred=True,
        )
    except InvalidPhoneNumberError:
        return Answer(400, "text/plain", "From is not a phone number"), None
    return Answer(200, "text/xml", EMPTY_TWIML), stored.id if stored is not None else None


@csrf_exempt
@require_POST
def sms(request: HttpRequest) -> HttpResponse:
    """An inbound text, when Django serves it (under WSGI; under ASGI, ``fast.py`` answers)."""
    params = {key: request.POST.get(key, "") for key in request.POST}
    answer, stored = accept_sms(
        request.get_full_path(), params, request.headers.get("X-Twilio-Signature", "")
    )
    if stored is not None and not inbound.read_by_worker():
        inbound.process(stored)
    return HttpResponse(answer.body, status=answer.status, content_type=answer.content_type)


@csrf_exempt
@require_POST
def call(request: HttpRequest) -> HttpResponse:
    """An incoming phone call, answered with a registered call handler's script or, without one,
    who we are. A hidden caller ("anonymous", "restricted") is answered like anyone else; nothing
    about the call is stored here."""
    if not signed(request):
        return HttpResponseForbidden("invalid signature")
    sid = request.POST.get("CallSid", "")
    if not sid:
        return HttpResponse("CallSid is missing", status=400, content_type="text/plain")
    return twiml(render(voice.answer(_incoming(request, sid))))


def _incoming(request: HttpRequest, sid: str) -> voice.IncomingCall:
    return voice.incoming_call(
        gateway="twilio",
        call_id=sid,
        caller=request.POST.get("From", ""),
        # The number of ours that was called: absent only from a recording's callback.
        number=request.POST.get("To", ""),
    )


def _step(request: HttpRequest) -> tuple[str, dict[str, str], str] | HttpResponse:
    """The step a callback continues at, its state, and the call's id; or the 400 to answer."""
    name = request.GET.get(STEP_PARAMETER, "")
    sid = request.POST.get("CallSid", "")
    if not name:
        return HttpResponse("step is missing", status=400, content_type="text/plain")
    if not sid:
        return HttpResponse("CallSid is missing", status=400, content_type="text/plain")
    state = {key: request.GET.get(key, "") for key in request.GET if key != STEP_PARAMETER}
    return name, state, sid


def _seconds(raw: str) -> int:
    try:
        return max(0, int(raw))
    except ValueError:
        return 0


@csrf_exempt
@require_POST
def gathered(request: HttpRequest) -> HttpResponse:
    """The keys a caller pressed at a <Gather> (none, when they pressed nothing)."""
    if not signed(request):
        return HttpResponseForbidden("invalid signature")
    found = _step(request)
    if isinstance(found, HttpResponse):
        return found
    name, state, sid = found
    event = voice.CallEvent(
        call=_incoming(request, sid), state=state, digits=request.POST.get("Digits", "")[:20]
    )
    return twiml(render(voice.continue_call(name, event)))


@csrf_exempt
@require_POST
def dialed(request: HttpRequest) -> HttpResponse:
    """How a <Dial> ended: answered (and over), or nobody answered, busy, failed, canceled."""
    if not signed(request):
        return HttpResponseForbidden("invalid signature")
    found = _step(request)
    if isinstance(found, HttpResponse):
        return found
    name, state, sid = found
    outcome = DIAL_OUTCOMES.get(request.POST.get("DialCallStatus", ""), voice.DialOutcome.FAILED)
    event = voice.CallEvent(call=_incoming(request, sid), state=state, dialed=outcome)
    return twiml(render(voice.continue_call(name, event)))


@csrf_exempt
@require_POST
def recorded(request: HttpRequest) -> HttpResponse:
    """The caller finished a <Record> (by #, silence, the time limit or hanging up)."""
    if not signed(request):
        return HttpResponseForbidden("invalid signature")
    found = _step(request)
    if isinstance(found, HttpResponse):
        return found
    name, state, sid = found
    event = voice.CallEvent(
        call=_incoming(request, sid),
        state=state,
        recording_url=request.POST.get("RecordingUrl", ""),
        recording_seconds=_seconds(request.POST.get("RecordingDuration", "")),
    )
    return twiml(render(voice.continue_call(name, event)))


@csrf_exempt
@require_POST
def recording(request: HttpRequest) -> HttpResponse:
    """A recording's status callback: the file can now be fetched. Nothing is said on the call.
    Answered with 200 whatever the step makes of it (an unknown call included), so that Twilio
    stops retrying."""
    if not signed(request):
        return HttpResponseForbidden("invalid signature")
    found = _step(request)
    if isinstance(found, HttpResponse):
        return found
    name, state, sid = found
    if request.POST.get("RecordingStatus", RECORDING_COMPLETED) != RECORDING_COMPLETED:
        return HttpResponse(status=200)
    event = voice.CallEvent(
        call=_incoming(request, sid),
        state=state,
        recording_url=request.POST.get("RecordingUrl", ""),
        recording_seconds=_seconds(request.POST.get("RecordingDuration", "")),
    )
    voice.continue_call(name, event)
    return HttpResponse(status=200)


@csrf_exempt
@require_POST
def status(request: HttpRequest) -> HttpResponse:
    """A delivery receipt for a text (MessageSid, MessageStatus) or the outcome of a call we made
    (CallSid, CallStatus): delivered, or failed with Twilio's status and error code."""
    if not signed(request):
        return HttpResponseForbidden("invalid signature")
    if request.POST.get("MessageSid"):
        return _message_status(request)
    if request.POST.get("CallSid"):
        return _call_status(request)
    return HttpResponse("MessageSid or CallSid is missing", status=400, content_type="text/plain")


def _message_status(request: HttpRequest) -> HttpResponse:
    sid = request.POST["MessageSid"]
    state = request.POST.get("MessageStatus", "")
    if state == "delivered":
        apply_receipt("twilio", sid, delivered=True)
    elif state in FAILED_STATUSES:
        code = request.POST.get("ErrorCode", "")
        apply_receipt("twilio", sid, delivered=False, error=f"{code}: {state} (delivery receipt)")
    return HttpResponse(status=204)


def _call_status(request: HttpRequest) -> HttpResponse:
    sid = request.POST["CallSid"]
    state = request.POST.get("CallStatus", "")
    if state == CALL_COMPLETED:
        apply_receipt("twilio", sid, delivered=True)
    elif state in CALL_FAILED_STATUSES:
        code = request.POST.get("ErrorCode", "")
        error = f"{code}: {state} (call status)" if code else f"{state} (call status)"
        apply_receipt("twilio", sid, delivered=False, error=error)
    return HttpResponse(status=204)
