"""An organizer on a small phone reads the demo's circles and the network picture, records a step
on a person's ladder, and opens the import page: each page passes axe and fits the width."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.browser.test_log_in_as_dispatcher import PHONE, check_page, in_thread
from tests.conftest import PASSWORD
from vecinos.core.choices import Role
from vecinos.core.models import User
from vecinos.organizing.demo import populate_circles
from vecinos.organizing.models import Circle, Person, StageStep

pytestmark = pytest.mark.browser


@pytest.fixture
def circles(make_account: Callable[..., User], transactional_db: None) -> dict[str, int]:
    organizer = make_account("jacinta", Role.ORGANIZER, display_name="Jacinta Palafox")
    for n in range(60):
        Person.objects.create(
            full_name=f"Vecina {n:02d}",
            phone=f"+1213555{n // 100 + 1:02d}{n % 100:02d}",
            preferred_language="ko" if n % 4 == 0 else "es",
            is_demo=True,
        )
    import random

    populate_circles(random.Random(6))
    return {
        "organizer": organizer.id,
        "circle": Circle.objects.get(name="Iglesia Hanbit").id,
        "person": Person.objects.order_by("id").first().id,  # type: ignore[union-attr]
    }


def test_an_organizer_reads_the_network_on_a_phone(
    circles: dict[str, int], server: str, browser: Any, artifacts: Path
) -> None:
    context = browser.new_context(viewport=PHONE, locale="en-US")
    page = context.new_page()
    page.goto(f"{server}/login/")
    page.get_by_label("Username").fill("jacinta")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{server}/")

    page.goto(f"{server}/people/circles/")
    check_page(page, "circles")
    assert page.get_by_text("Depends on one person").first.is_visible()
    page.goto(f"{server}/people/circles/network/")
    check_page(page, "network")
    assert page.locator("svg circle").count() > 6
    page.screenshot(path=artifacts / "network-phone.png", full_page=True)
    page.goto(f"{server}/people/circles/{circles['circle']}/")
    check_page(page, "circle")

    page.goto(f"{server}/people/{circles['person']}/")
    check_page(page, "person with ladder")
    page.get_by_label("Stage").first.select_option("leader")
    page.get_by_role("button", name="Record the step").click()
    page.wait_for_url(f"{server}/people/{circles['person']}/")
    stage = in_thread(lambda: Person.objects.get(id=circles["person"]).stage)
    assert stage == "leader"
    assert in_thread(lambda: StageStep.objects.filter(stage="leader").count()) >= 1

    page.goto(f"{server}/people/import/")
    check_page(page, "import")
    context.close()
