"""Two dispatchers' consoles are open; a text arrives; both see it live; one claims it; the other
sees the claim. Once with one web process and no Redis (the demo), once with two web processes
and Redis (a real deployment), where the two consoles may be served by different processes."""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.browser.conftest import ARTIFACTS
from tests.browser.test_log_in_as_dispatcher import PHONE, check_page, in_thread
from tests.conftest import PASSWORD, REDIS_URL, totp_code
from tests.processes import free_port, start_vecinos, vecinos_env, wait_for_port
from vecinos.core.choices import Role
from vecinos.core.models import User
from vecinos.hotline.models import Report
from vecinos.messaging import inbound

pytestmark = pytest.mark.browser
# Longer than a stream needs, shorter than the pages' 10-second re-read: a row that shows up
# within it came through the live stream.
LIVE = 5000
LEADER = "html[data-live=leader]"
FOLLOWER = "html[data-live=follower]"


@pytest.fixture
def dispatchers(make_account: Callable[..., User], transactional_db: None) -> list[User]:
    """Built before Playwright starts (its event loop makes the ORM refuse this thread). The
    second is also a coordinator, so that the demo's phone simulator is hers to use."""
    return [
        make_account("dalia", Role.DISPATCHER, display_name="Dalia Nava"),
        make_account("fermin", Role.DISPATCHER, Role.COORDINATOR, display_name="Fermín Olvera"),
    ]


@pytest.fixture(params=["one process", "two processes and redis"])
def mode(request: pytest.FixtureRequest) -> str:
    if "redis" in request.param:
        request.getfixturevalue("redis_url")
    return str(request.param)


@pytest.fixture
def console_server(mode: str, transactional_db: None) -> Iterator[str]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    extra = {"VECINOS_PUBLIC_URL": base}
    workers = "1"
    if "redis" in mode:
        extra["VECINOS_REDIS_URL"] = REDIS_URL
        workers = "2"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with (ARTIFACTS / "console-server.log").open("wb") as log:
        process = start_vecinos(
            "serve",
            "--port",
            str(port),
            "--workers",
            workers,
            env=vecinos_env(**extra),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for_port(port, process)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def log_in(page: Any, server: str, user: User) -> None:
    page.goto(f"{server}/login/")
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{server}/login/code/**")
    code = in_thread(lambda: totp_code(TOTPDevice.objects.get(user=user)))
    page.locator("#id_token").fill(code)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{server}/")


def watch_for_csp_errors(page: Any, errors: list[str]) -> None:
    page.on(
        "console",
        lambda message: (
            errors.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )


def text_from_the_test(body: str, sender: str) -> int:
    """A text through the inbound path in this process, published to Redis like any web
    process's; returns the report it opened."""

    def deliver() -> int:
        with override_settings(VECINOS_REDIS_URL=REDIS_URL):
            stored = inbound.receive(
                gateway="simulator",
                provider_message_id=f"browser-{uuid.uuid4().hex}",
                sender=sender,
                body=body,
            )
            assert stored is not None
            inbound.process(stored.id)
        return int(Report.objects.get(texts__inbound=stored).id)

    return int(in_thread(deliver))


def text_from_the_simulator(page: Any, server: str, body: str, sender: str) -> int:
    page.goto(f"{server}/messages/simulator/")
    page.locator("#id_sender").fill(sender)
    page.locator("#id_body").fill(body)
    page.locator("main form:has(#id_body) button[type=submit]").click()
    page.wait_for_url(f"{server}/messages/simulator/")
    return int(in_thread(lambda: Report.objects.order_by("-id").values_list("id", flat=True)[0]))


def test_two_dispatchers_see_a_text_arrive_and_who_claims_it(
    mode: str, dispatchers: list[User], console_server: str, browser: Any
) -> None:
    server = console_server
    csp_errors: list[str] = []
    contexts = [browser.new_context(viewport=PHONE, locale="en-US") for _ in dispatchers]
    chimes: list[int] = []
    contexts[1].on(
        "response", lambda r: chimes.append(r.status) if r.url.endswith("/chime.wav") else None
    )
    consoles = []
    for context, user in zip(contexts, dispatchers, strict=True):
        page = context.new_page()
        watch_for_csp_errors(page, csp_errors)
        log_in(page, server, user)
        page.goto(f"{server}/hotline/")
        consoles.append(page)
    # Dalia has a second console tab: one tab per browser holds the stream, the other hears it
    # from that tab.
    second_tab = contexts[0].new_page()
    watch_for_csp_errors(second_tab, csp_errors)
    second_tab.goto(f"{server}/hotline/")
    # The first tab asked for the stream first, so it holds it.
    consoles[0].locator(LEADER).wait_for(state="attached")
    second_tab.locator(FOLLOWER).wait_for(state="attached")
    consoles[1].locator(LEADER).wait_for(state="attached")
    check_page(consoles[0], "console-empty")
    # Fermín turns sound on: that click is what lets the page play the chime.
    sound = consoles[1].get_by_role("button", name="Sound for new reports")
    sound.click()
    assert sound.get_attribute("aria-pressed") == "true"
    assert "Click anywhere" not in consoles[1].locator("#live-status").inner_text()

    def text(body: str, sender: str) -> int:
        if "redis" in mode:
            return text_from_the_test(body, sender)
        return text_from_the_simulator(contexts[1].new_page(), server, body, sender)

    report_id = text("Hay agentes de la migra en la lavandería de la calle 3", "+13235550150")

    row = f'tr[data-report-id="{report_id}"]'
    for page in [*consoles, second_tab]:
        page.locator(row).wait_for(timeout=LIVE)
        assert "lavandería" in page.locator(row).inner_text()
        assert "fresh" in (page.locator(row).get_attribute("class") or "")
        assert page.locator("#live-status").inner_text() == "A new report arrived."
    check_page(consoles[0], "console-new-report")
    consoles[0].screenshot(path=ARTIFACTS / f"console-{mode.replace(' ', '-')}.png", full_page=True)

    # Fermín opens the report in another tab, as Dalia does; she claims it first. His console and
    # his report tab show that she holds it, without reloading.
    fermin_report = contexts[1].new_page()
    watch_for_csp_errors(fermin_report, csp_errors)
    fermin_report.goto(f"{server}/hotline/reports/{report_id}/")
    claim_button = fermin_report.get_by_role("button", name="Claim: I will call back")
    claim_button.wait_for()
    dalia_console = consoles[0]
    dalia_console.locator(f"{row} a").click()
    dalia_console.wait_for_url(f"{server}/hotline/reports/{report_id}/")
    check_page(dalia_console, "report")
    dalia_console.get_by_role("button", name="Claim: I will call back").click()
    dalia_console.get_by_text("You hold this report.").wait_for()
    consoles[1].locator(f"{row} td.claim").get_by_text("Dalia Nava").wait_for(timeout=LIVE)
    fermin_report.get_by_text("Dalia Nava holds this report").wait_for(timeout=LIVE)
    assert claim_button.count() == 0
    fermin_report.close()

    # The tab that holds the stream closes; Dalia's other tab takes it over and hears the next.
    dalia_console.goto(f"{server}/hotline/")
    # The second tab took the stream when the first one left the console for the report.
    second_tab.locator(LEADER).wait_for(state="attached")
    dalia_console.locator(FOLLOWER).wait_for(state="attached")
    second_tab.close()
    dalia_console.locator(LEADER).wait_for(state="attached")
    later = text("이민국 차량이 또 왔어요", "+13235550151")
    dalia_console.locator(f'tr[data-report-id="{later}"]').wait_for(timeout=LIVE)

    assert chimes and set(chimes) <= {200, 206}, chimes
    assert csp_errors == []
    for context in contexts:
        context.close()


def test_without_its_stream_a_console_still_shows_a_new_report_by_rereading(
    dispatchers: list[User], server: str, browser: Any
) -> None:
    """A proxy that drops event streams, or a text handled by another process without Redis:
    the console's 10-second re-read still brings the report."""
    context = browser.new_context(viewport=PHONE, locale="en-US")
    context.route("**/hotline/live/", lambda route: route.abort())
    page = context.new_page()
    log_in(page, server, dispatchers[0])
    page.goto(f"{server}/hotline/")
    page.locator("html[data-live=leader]").wait_for(state="attached")
    report_id = in_thread(
        lambda: (
            Report.objects.create(
                channel="web", language="en", what_seen="Checkpoint on Olympic"
            ).id
        )
    )
    # Longer than one re-read; nothing else could bring it, as the stream is cut.
    page.locator(f'tr[data-report-id="{report_id}"]').wait_for(timeout=15000)
    context.close()
