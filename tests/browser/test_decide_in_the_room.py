"""A facilitator on a small phone runs a vote in the room: the proposal in two languages (the
third shown missing), the vote opened and its proposal on the meeting's projector, the hands
counted, the decision recorded, an action assigned to a working group; then a member reads the
decision register. Every page passes axe at 360px without sideways scrolling; screenshots are
saved."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from tests.browser.test_log_in_as_dispatcher import PHONE, check_page, in_thread
from tests.conftest import PASSWORD
from vecinos.assembly import proposals as services
from vecinos.assembly.choices import AssemblyKind, MeetingStatus, MemberRole
from vecinos.assembly.models import Assembly, Meeting, Membership
from vecinos.assembly.models_proposals import Action, Decision
from vecinos.core.choices import Role
from vecinos.core.models import User
from vecinos.organizing.models import Person

pytestmark = pytest.mark.browser


@pytest.fixture
def room(make_account: Callable[..., User], transactional_db: None) -> dict[str, int]:
    """Built before Playwright starts: its event loop makes the ORM refuse to run in this thread."""
    body = Assembly.objects.create(name="Asamblea de Koreatown", languages=["es", "ko", "en"])
    group = Assembly.objects.create(
        name="Rapid response group", kind=AssemblyKind.WORKING_GROUP, parent=body
    )
    facilitator = make_account("rosa", Role.FACILITATOR, display_name="Rosa Facilitadora")
    member = make_account("vera", Role.MEMBER, display_name="Vera Miembro")
    for user, role in ((facilitator, MemberRole.FACILITATOR), (member, MemberRole.MEMBER)):
        person = Person.objects.create(full_name=user.display_name, account=user)
        Membership.objects.create(assembly=body, person=person, role=role)
    meeting = Meeting.objects.create(
        assembly=body,
        title="Asamblea de esta noche",
        starts_at=timezone.now(),
        languages=["es", "ko", "en"],
        status=MeetingStatus.OPEN,
    )
    proposal = services.do_create_proposal(
        facilitator,
        body,
        meeting=meeting,
        language="es",
        title="Un segundo turno de despacho por la noche",
        body="Las llamadas de madrugada esperan demasiado.",
    )
    services.do_save_text(
        facilitator, proposal, language="ko", title="야간 두 번째 상황실 근무", body="새벽 전화."
    )
    vote = services.do_create_vote(facilitator, proposal, method="consensus", secret=False)
    return {
        "proposal": proposal.id,
        "vote": vote.id,
        "group": group.id,
        "body": body.id,
        "meeting": meeting.id,
    }


def log_in(browser: Any, server: str, username: str) -> Any:
    page = browser.new_context(viewport=PHONE, locale="en-US").new_page()
    page.goto(f"{server}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{server}/")
    return page


def test_a_facilitator_counts_hands_records_the_decision_and_assigns_an_action(
    room: dict[str, int], server: str, browser: Any, artifacts: Path
) -> None:
    page = log_in(browser, server, "rosa")
    page.goto(f"{server}/assembly/proposals/{room['proposal']}/")
    assert "야간 두 번째 상황실 근무" in page.locator("main").inner_text()
    assert "Missing: nobody has translated it" in page.locator("main").inner_text()
    check_page(page, "assembly-proposal")
    page.screenshot(path=artifacts / "assembly-proposal.png", full_page=True)

    page.goto(f"{server}/assembly/votes/{room['vote']}/")
    page.get_by_label("Text the members the question and how to answer").uncheck()
    page.get_by_role("button", name="Open the vote").click()
    page.wait_for_load_state()
    assert "The vote is open." in page.locator(".messages").inner_text()

    # The room sees the question on the projector, in its languages side by side.
    projector = page.context.new_page()
    projector.goto(f"{server}/assembly/meetings/{room['meeting']}/projector/")
    shown = projector.locator("main").inner_text()
    assert "Un segundo turno de despacho por la noche" in shown
    assert "야간 두 번째 상황실 근무" in shown
    check_page(projector, "assembly-projector-vote")
    projector.screenshot(path=artifacts / "assembly-projector-vote.png", full_page=True)
    projector.close()

    page.get_by_label("Hands for Agree").fill("14")
    page.get_by_label("Hands for Stand aside").fill("2")
    page.get_by_role("button", name="Enter the room's count").click()
    page.wait_for_load_state()
    check_page(page, "assembly-vote-counted")
    page.screenshot(path=artifacts / "assembly-vote-counted.png", full_page=True)
    page.get_by_role("button", name="Close the vote and record the decision").click()
    page.wait_for_load_state()
    assert "in the register" in page.locator(".messages").inner_text()

    page.get_by_role("link", name="In the decision register").click()
    page.wait_for_load_state()
    due = (timezone.localdate() + timedelta(days=14)).isoformat()
    page.get_by_label("What is to be done").fill("Staff the second night shift")
    page.get_by_label("Working group").select_option(str(room["group"]))
    page.get_by_label("Due").fill(due)
    page.get_by_role("button", name="Assign", exact=True).click()
    page.wait_for_load_state()
    assert "Staff the second night shift" in page.locator("main").inner_text()
    check_page(page, "assembly-decision")
    page.screenshot(path=artifacts / "assembly-decision.png", full_page=True)

    decision = in_thread(lambda: Decision.objects.get())
    assert decision.outcome == "adopted"
    assert in_thread(lambda: Action.objects.get().working_group_id) == room["group"]

    member = log_in(browser, server, "vera")
    member.goto(f"{server}/assembly/bodies/{room['body']}/decisions/")
    text = member.locator("main").inner_text()
    assert "Un segundo turno de despacho" in text  # the member's language has no text: the original
    assert "Staff the second night shift" in text
    check_page(member, "assembly-register")
    member.screenshot(path=artifacts / "assembly-register.png", full_page=True)
