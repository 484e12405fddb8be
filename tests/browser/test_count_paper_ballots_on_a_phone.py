"""A facilitator on a small phone counts a spreadsheet of paper ballots: the round table, a full
ranking and a malformed ballot's error all pass axe at 360px."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.assembly.test_count_real_elections import burlington_2009
from tests.browser.test_log_in_as_dispatcher import PHONE, check_page
from tests.conftest import PASSWORD
from vecinos.core.choices import Role
from vecinos.core.models import User

pytestmark = pytest.mark.browser


@pytest.fixture
def facilitator_account(make_account: Callable[..., User], transactional_db: None) -> User:
    return make_account("rosa", Role.FACILITATOR, display_name="Rosa Elvira Cáceres")


def burlington_csv(folder: Path) -> Path:
    lines = ["papeleta;rank1;rank2;rank3"]
    number = 0
    for ranking, count in burlington_2009().items():
        for _ in range(count):
            number += 1
            lines.append(";".join([str(number), *[*ranking, "", "", ""][:3]]))
    path = folder / "burlington-2009.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_facilitator_counts_paper_ballots_on_a_phone(
    facilitator_account: User, server: str, browser: Any, artifacts: Path, tmp_path: Path
) -> None:
    page = browser.new_context(viewport=PHONE, locale="en-US").new_page()
    page.goto(f"{server}/login/")
    page.get_by_label("Username").fill("rosa")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{server}/")

    page.goto(f"{server}/assembly/tally/")
    check_page(page, "tally-form")
    page.get_by_label("Ballots (CSV file)").set_input_files(burlington_csv(tmp_path))
    page.get_by_role("button", name="Count the ballots").click()
    page.wait_for_load_state()
    result = page.locator("main").inner_text()
    assert "8980 ballots, 4 blank." in result
    assert "Winner: Bob Kiss" in result
    check_page(page, "tally-irv")
    page.screenshot(path=artifacts / "tally-burlington-2009.png", full_page=True)

    page.get_by_label("How to count").select_option("ranking")
    page.get_by_label("Ballots (CSV file)").set_input_files(burlington_csv(tmp_path))
    page.get_by_role("button", name="Count the ballots").click()
    page.wait_for_load_state()
    assert "Count for place 2" in page.locator("main").inner_text()
    check_page(page, "tally-ranking")

    bad = tmp_path / "bad.csv"
    bad.write_text("rank1,rank2\nAna,Beto\nBeto,beto\n", encoding="utf-8")
    page.get_by_label("Ballots (CSV file)").set_input_files(bad)
    page.get_by_role("button", name="Count the ballots").click()
    page.wait_for_load_state()
    assert "Row 3: “Beto” is ranked more than once." in page.locator("main").inner_text()
    check_page(page, "tally-error")
    page.screenshot(path=artifacts / "tally-malformed-ballot.png", full_page=True)
