"""The projector: the current item in large type, in the room's languages side by side (human
translations only, a missing one shown as missing), refreshed by htmx polling."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.assembly.room_factories import items_of, make_meeting, room_runner
from tests.conftest import MakeAccount, log_in
from vecinos.assembly import projector, room
from vecinos.assembly.models import Meeting
from vecinos.core.choices import Role
from vecinos.core.models import User


@pytest.fixture
def meeting(db: None) -> Meeting:
    return make_meeting(languages=["es", "ko", "mix"])


@pytest.fixture
def lupe(make_account: MakeAccount, meeting: Meeting) -> User:
    return room_runner(make_account, meeting)


@pytest.fixture
def watcher(make_account: MakeAccount) -> Client:
    return log_in(Client(), make_account("vecino", Role.MEMBER))


def projector_url(meeting: Meeting) -> str:
    return reverse("assembly:room_projector", kwargs={"meeting_id": meeting.id})


def test_before_the_first_item_it_says_the_meeting_will_begin(
    meeting: Meeting, watcher: Client
) -> None:
    page = watcher.get(projector_url(meeting)).content.decode()
    assert "The meeting will begin shortly." in page


def test_the_current_item_shows_in_each_language_with_missing_ones_marked(
    lupe: User, meeting: Meeting, watcher: Client
) -> None:
    strike = items_of(meeting)[0]
    room.do_start_item(lupe, meeting, strike)
    room.do_save_item_translations(lupe, strike, {"ko": "임대료 파업"})
    room.do_add_speaker(lupe, strike, name="Ana")
    room.do_add_speaker(lupe, strike, name="Bo")
    room.do_next_speaker(lupe, strike)

    shown = projector.projection(meeting)
    assert [(c.code, c.title) for c in shown.columns] == [
        ("es", "Huelga de alquileres"),  # the agenda's own language: the room's first
        ("ko", "임대료 파업"),
        ("mix", None),
    ]
    assert (shown.speaking, shown.next_up, shown.position, shown.total) == ("Ana", ["Bo"], 1, 2)

    page = watcher.get(projector_url(meeting)).content.decode()
    assert 'lang="ko"' in page
    assert "임대료 파업" in page
    assert page.count("Translation missing") == 1  # Mixtec
    assert 'hx-trigger="every 4s"' in page
    assert "<script" not in page.split('<main id="main"', 1)[1]


def test_htmx_gets_only_the_fragment(lupe: User, meeting: Meeting, watcher: Client) -> None:
    room.do_start_item(lupe, meeting, items_of(meeting)[1])
    fragment = watcher.get(projector_url(meeting), headers={"HX-Request": "true"})
    text = fragment.content.decode()
    assert text.startswith('<div id="projector"')
    assert "<html" not in text
    assert "Red de respuesta rápida" in text


@pytest.fixture
def proposal_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        projector,
        "proposal_source",
        lambda meeting: projector.ProjectedProposal(
            title={"es": "Apoyar la huelga", "ko": "파업 지지"},
            text={"es": "La asamblea apoya a los inquilinos."},
        ),
    )


def test_a_proposal_put_up_shows_side_by_side_with_missing_translations(
    meeting: Meeting, watcher: Client, proposal_shown: None
) -> None:
    page = watcher.get(projector_url(meeting)).content.decode()
    assert "Apoyar la huelga" in page
    assert "파업 지지" in page
    assert "La asamblea apoya a los inquilinos." in page
    assert page.count("Translation missing") == 1  # Mixtec


def test_polling_costs_the_same_few_queries_however_long_the_list(
    lupe: User, meeting: Meeting, watcher: Client
) -> None:
    """Every screen in the room asks every 4 seconds: no query per speaker."""
    strike = items_of(meeting)[0]
    room.do_start_item(lupe, meeting, strike)
    room.do_set_room_settings(lupe, meeting, progressive_stack=True, names_in_minutes=False)
    url = projector_url(meeting)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            watcher.get(url, headers={"HX-Request": "true"})
        return len(captured)

    room.do_add_speaker(lupe, strike, name="Ana")
    few = queries()
    for n in range(12):
        room.do_add_speaker(lupe, strike, name=f"Vecina {n}")
    room.do_next_speaker(lupe, strike)
    assert queries() == few
