"""A dispatcher on a small phone logs in with a TOTP code and sees the dashboard in English,
Spanish and Korean. Each page is checked with axe-core, for width, and for third-party requests."""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.utils import translation
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD, totp_code
from vecinos.core.choices import Role
from vecinos.core.models import User

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe-core-4.14.1.min.js"
PHONE = {"width": 360, "height": 740}


def check_page(page: Any, name: str) -> None:
    """No accessibility violations (WCAG 2 A and AA, contrast included), no sideways scrolling."""
    # evaluate() runs through the DevTools protocol, which the page's CSP does not govern, so the
    # site's own policy stays strict and is still enforced for everything the page itself loads.
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a',"
        " 'wcag21aa']}})"
    )
    violations = [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
    ]
    assert violations == [], f"{name}: {json.dumps(violations, indent=1, ensure_ascii=False)}"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{name} scrolls sideways at 360px ({width}px wide)"


@pytest.fixture
def dispatcher(make_account: Callable[..., User], transactional_db: None) -> User:
    """Built before Playwright starts: its event loop makes the ORM refuse to run in this thread."""
    user = make_account(
        "noche", Role.DISPATCHER, Role.RESPONDER, display_name="Dalia Nava", person=True
    )
    for n in range(3):
        make_account(f"responder{n}", Role.RESPONDER, person=True)
    return user


def in_thread(function: Callable[[], Any]) -> Any:
    """Run ORM code off the thread where Playwright's event loop runs."""

    def run() -> Any:
        try:
            return function()
        finally:
            connection.close()  # or PostgreSQL keeps the test database busy at teardown

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


def test_a_dispatcher_logs_in_with_a_code_and_sees_the_dashboard_in_three_languages(
    dispatcher: User, server: str, browser: Any, artifacts: Path
) -> None:

    context = browser.new_context(viewport=PHONE, locale="en-US")
    page = context.new_page()
    requests: list[str] = []
    csp_errors: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on(
        "console",
        lambda message: (
            csp_errors.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )

    login = page.goto(f"{server}/")
    assert page.url.startswith(f"{server}/login/")
    # The checks for CSP errors below mean something only if the policy is really sent.
    assert "script-src 'self'" in login.headers["content-security-policy"]
    check_page(page, "login")
    page.screenshot(path=artifacts / "login-en.png", full_page=True)

    page.get_by_label("Username").fill("noche")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{server}/login/code/**")
    check_page(page, "code")
    page.screenshot(path=artifacts / "code-en.png", full_page=True)

    code = in_thread(lambda: totp_code(TOTPDevice.objects.get(user=dispatcher)))
    page.get_by_label("6-digit code from your authenticator app").fill(code)
    with page.expect_response(f"{server}/") as landed:
        page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{server}/")

    shown = "en"
    for language in ("en", "es", "ko"):
        if language != shown:
            page.get_by_label(translation_of("Language", shown)).select_option(language)
            with page.expect_response(f"{server}/") as landed:
                page.get_by_role("button", name=translation_of("Change", shown)).click()
            page.wait_for_load_state()
            shown = language
        assert page.get_attribute("html", "lang") == language
        assert landed.value.headers["content-language"] == language
        heading = page.get_by_role("heading", name=translation_of("Dispatch", language))
        assert heading.is_visible()
        responders = page.locator(".stats div").first
        assert responders.locator("dd").inner_text() == "4"
        check_page(page, f"dashboard-{language}")
        page.screenshot(path=artifacts / f"dashboard-{language}.png", full_page=True)

    saved = in_thread(lambda: User.objects.get(id=dispatcher.id).preferred_language)
    assert saved == "ko", "the choice is remembered on the account"
    own = [url for url in requests if not url.startswith(server)]
    assert own == [], f"requests left the server: {own}"
    assert csp_errors == []
    context.close()


def translation_of(text: str, language: str) -> str:
    with translation.override(language):
        return translation.gettext(text)
