"""Two dispatchers on small phones: one offers tomorrow's shift, the other takes it; both pages
pass axe at 360px, and the shift has moved."""

from __future__ import annotations

from collections.abc import Callable
from datetime import time, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.browser.test_log_in_as_dispatcher import PHONE, check_page, in_thread
from tests.conftest import PASSWORD, totp_code
from vecinos.core.choices import Role
from vecinos.core.models import User
from vecinos.organizing.models import Person
from vecinos.shifts.models import Shift, Swap

pytestmark = pytest.mark.browser


@pytest.fixture
def rota(make_account: Callable[..., User], transactional_db: None) -> dict[str, int]:
    """Built before Playwright starts: its event loop makes the ORM refuse to run in this thread."""
    ids = {}
    for username, name, languages in (
        ("dalia", "Dalia Nava", ["es", "mix"]),
        ("minji", "Min-ji Cho", ["ko", "en"]),
    ):
        user = make_account(username, Role.DISPATCHER, display_name=name)
        Person.objects.create(full_name=name, account=user, languages=languages)
        ids[username] = user.id
    tomorrow = timezone.localdate() + timedelta(days=1)
    shift = Shift.objects.create(
        weekday=tomorrow.weekday(), starts_at=time(22), ends_at=time(6), name="Night"
    )
    shift.dispatchers.set([ids["dalia"]])
    ids["shift"] = shift.id
    return ids


def log_in(browser: Any, server: str, username: str, user_id: int) -> Any:
    page = browser.new_context(viewport=PHONE, locale="en-US").new_page()
    page.goto(f"{server}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{server}/login/code/**")
    code = in_thread(lambda: totp_code(TOTPDevice.objects.get(user_id=user_id)))
    page.get_by_label("6-digit code from your authenticator app").fill(code)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{server}/")
    return page


def test_a_dispatcher_offers_a_shift_and_a_colleague_takes_it(
    rota: dict[str, int], server: str, browser: Any, artifacts: Path
) -> None:
    dalia = log_in(browser, server, "dalia", rota["dalia"])
    dalia.get_by_role("link", name="Shifts").first.click()
    dalia.wait_for_url(f"{server}/shifts/")
    check_page(dalia, "shifts-dispatcher")
    dalia.get_by_label("Note for colleagues (optional)").fill("Mi hija se gradúa")
    dalia.get_by_role("button", name="Offer this shift").click()
    dalia.wait_for_load_state()
    assert "Your shift is offered." in dalia.locator(".messages").inner_text()
    check_page(dalia, "shifts-offered")
    dalia.screenshot(path=artifacts / "dispatcher-shifts-offered.png", full_page=True)

    minji = log_in(browser, server, "minji", rota["minji"])
    minji.goto(f"{server}/shifts/")
    assert "Mi hija se gradúa" in minji.locator("#swaps-heading + ul").inner_text()
    minji.get_by_role("button", name="Take this shift").click()
    minji.wait_for_load_state()
    assert "The shift is yours now." in minji.locator(".messages").inner_text()
    assert "covering for a colleague" in minji.locator("#mine-heading ~ ul").first.inner_text()
    check_page(minji, "shifts-taken")
    minji.screenshot(path=artifacts / "dispatcher-shifts-taken.png", full_page=True)

    swap = in_thread(lambda: Swap.objects.get(shift_id=rota["shift"]))
    assert (swap.status, swap.covered_by_id) == ("covered", rota["minji"])
    dalia.reload()
    assert "You have no shifts in the next four weeks." not in dalia.content()
