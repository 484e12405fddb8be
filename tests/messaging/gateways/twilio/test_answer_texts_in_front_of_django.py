"""Twilio's inbound-text webhook as the real `vecinos serve` answers it: in front of Django, with
the same checks (signature, MessageSid, sender), stored once, read afterwards by the worker."""

from __future__ import annotations

import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
from twilio.request_validator import RequestValidator  # type: ignore[import-untyped]

from tests.processes import free_port, start_vecinos, vecinos_env, wait_for_port
from vecinos.messaging import inbound
from vecinos.messaging.models import InboundMessage, OutboundMessage

pytestmark = pytest.mark.django_db(transaction=True)

TOKEN = "fast-path-token"  # loopback only
HOST = "hotline.example.org"
PUBLIC = f"http://{HOST}"
PATH = "/hooks/twilio/sms"


def start_server(**extra: str) -> tuple[str, subprocess.Popen[bytes]]:
    port = free_port()
    env = vecinos_env(
        VECINOS_PUBLIC_URL=PUBLIC,
        VECINOS_TWILIO_AUTH_TOKEN=TOKEN,
        VECINOS_TWILIO_ACCOUNT_SID="AC" + "1" * 32,
        VECINOS_TWILIO_FROM="+12135550100",
        VECINOS_PHONE_GATEWAYS="twilio",
        **extra,
    )
    process = start_vecinos(
        "serve", "--port", str(port), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    try:
        wait_for_port(port, process, limit=90)
    except BaseException:
        process.kill()
        raise
    return f"http://127.0.0.1:{port}", process


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    process.wait(timeout=30)


@pytest.fixture
def server() -> Iterator[str]:
    """One web process without Redis: it reads each text itself, right after answering."""
    url, process = start_server(VECINOS_REDIS_URL="")
    yield url
    stop(process)


@pytest.fixture
def servers_with_redis(redis_url: str) -> Iterator[str]:
    """Web processes that tell each other's consoles through Redis: the worker reads texts."""
    url, process = start_server(VECINOS_REDIS_URL=redis_url)
    yield url
    stop(process)


def post(
    server: str,
    params: dict[str, str],
    *,
    token: str = TOKEN,
    body: bytes | None = None,
    content_type: str = "application/x-www-form-urlencoded",
    signed: bool = True,
) -> tuple[int, str, str]:
    headers = {"Content-Type": content_type, "Host": HOST}
    if signed:
        headers["X-Twilio-Signature"] = RequestValidator(token).compute_signature(
            PUBLIC + PATH, params
        )
    data = urlencode(params).encode() if body is None else body
    request = urllib.request.Request(  # noqa: S310  # loopback
        server + PATH, data=data, headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310  # loopback
            return response.status, response.headers["Content-Type"], response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read().decode()


def page(server: str, path: str) -> urllib.request.Request:
    """A GET as a browser sends it to our public host name."""
    return urllib.request.Request(server + path, headers={"Host": HOST})  # noqa: S310


TEXT = {"MessageSid": "SM" + "f" * 32, "From": "+13235550116", "To": "+12135550100"}


def test_with_redis_a_text_is_stored_once_answered_at_once_and_read_by_the_worker(
    servers_with_redis: str,
) -> None:
    params = {**TEXT, "Body": "AYUDA", "FromZip": "90005"}

    status, content_type, answer = post(servers_with_redis, params)

    assert status == 200 and content_type.startswith("text/xml")
    assert answer.endswith("<Response />")
    stored = InboundMessage.objects.get()
    assert (stored.body, stored.sender, stored.processed_at) == ("AYUDA", TEXT["From"], None)
    # Twilio retries a delivery it thinks failed: the same MessageSid is answered, not stored.
    assert post(servers_with_redis, params)[0] == 200
    assert InboundMessage.objects.count() == 1

    assert inbound.process_pending() == 1  # the worker's turn

    stored.refresh_from_db()
    assert stored.handled_as == "keyword.help"
    assert OutboundMessage.objects.get().language == "es"
    assert inbound.process_pending() == 0


def test_without_redis_the_server_reads_the_text_right_after_answering(server: str) -> None:
    assert post(server, {**TEXT, "Body": "AYUDA"})[0] == 200

    deadline = time.monotonic() + 60
    while InboundMessage.objects.filter(processed_at__isnull=True).exists():
        assert time.monotonic() < deadline, "the server never read the text"
        time.sleep(0.05)
    assert InboundMessage.objects.get().handled_as == "keyword.help"
    assert OutboundMessage.objects.get().language == "es"


@pytest.mark.parametrize("how", ["unsigned", "forged", "other body", "not a form"])
def test_a_forged_or_unsigned_text_is_refused_and_nothing_stored(server: str, how: str) -> None:
    params = {**TEXT, "Body": "STOP"}
    if how == "unsigned":
        status = post(server, params, signed=False)[0]
    elif how == "forged":
        status = post(server, params, token="guessed-token")[0]
    elif how == "other body":
        signature = RequestValidator(TOKEN).compute_signature(PUBLIC + PATH, params)
        request = urllib.request.Request(  # noqa: S310  # loopback
            server + PATH,
            data=urlencode({**params, "Body": "START"}).encode(),
            headers={"X-Twilio-Signature": signature, "Host": HOST},
            method="POST",
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=30)  # noqa: S310  # loopback
        status = refused.value.code
    else:
        status = post(server, params, body=b'{"Body": "STOP"}', content_type="application/json")[0]
    assert status == 403
    assert not InboundMessage.objects.exists()


def test_malformed_or_oversize_texts_get_a_clear_error_and_nothing_is_stored(
    server: str,
) -> None:
    no_sid = post(server, {"From": "+13235550116", "Body": "hola"})
    assert no_sid[0] == 400 and "MessageSid" in no_sid[2]
    not_a_number = post(server, {**TEXT, "From": "VECINOS", "Body": "hola"})
    assert not_a_number[0] == 400 and "phone number" in not_a_number[2]
    huge = post(server, {**TEXT, "Body": "x" * 100_000})
    assert huge[0] == 413
    # Odd text is kept as sent (NUL aside), and a GET is still Django's: 405.
    assert post(server, {**TEXT, "Body": "¿la migra? 🚨\x00 이민국"})[0] == 200
    assert InboundMessage.objects.get().body == "¿la migra? 🚨 이민국"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(page(server, PATH), timeout=30)  # noqa: S310  # loopback
    assert refused.value.code == 405


def test_every_other_page_is_still_django(server: str) -> None:
    with urllib.request.urlopen(page(server, "/login/"), timeout=30) as response:  # noqa: S310
        assert response.status == 200
        assert "content-security-policy" in {k.lower() for k in response.headers}
