"""The proposal pages: texts side by side with a missing translation shown as missing, forms
that explain bad input, and members only where membership matters."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import MakeAccount
from vecinos.assembly.choices_proposals import AmendmentStatus
from vecinos.assembly.models import Assembly
from vecinos.assembly.models_proposals import Amendment, Comment, Proposal, ProposalText, Vote
from vecinos.core.choices import Role
from vecinos.core.models import User

pytestmark = pytest.mark.django_db


def test_texts_are_side_by_side_and_a_missing_translation_is_shown_as_missing(
    proposal: Proposal, voter: User, logged_in: Callable[[User], Client]
) -> None:
    page = logged_in(voter).get(
        reverse("assembly:proposal_detail", kwargs={"proposal_id": proposal.id})
    )
    content = page.content.decode()
    assert "Un segundo turno de despacho" in content
    assert content.count("Missing: nobody has translated it into this language yet.") == 2
    assert 'lang="es"' in content


def test_a_member_adds_a_translation(
    proposal: Proposal, voter: User, logged_in: Callable[[User], Client]
) -> None:
    url = reverse("assembly:proposal_text", kwargs={"proposal_id": proposal.id, "language": "ko"})
    client = logged_in(voter)
    assert "Un segundo turno de despacho" in client.get(url).content.decode()
    response = client.post(url, {"title": "두 번째 야간 근무", "body": "밤에 두 번째 상황 요원."})
    assert response.status_code == 302
    assert ProposalText.objects.get(proposal=proposal, language="ko").written_by == voter


def test_an_empty_translation_gets_an_error(
    proposal: Proposal, voter: User, logged_in: Callable[[User], Client]
) -> None:
    url = reverse("assembly:proposal_text", kwargs={"proposal_id": proposal.id, "language": "en"})
    response = logged_in(voter).post(url, {"title": "", "body": ""})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not ProposalText.objects.filter(language="en").exists()


def test_a_member_brings_a_proposal_and_an_empty_one_gets_errors(
    body: Assembly, voter: User, logged_in: Callable[[User], Client]
) -> None:
    url = reverse("assembly:proposal_create", kwargs={"body_id": body.id})
    client = logged_in(voter)
    bad = client.post(url, {"language": "xx", "title": "", "body": ""})
    assert bad.status_code == 200 and "Select a valid choice." in bad.content.decode()
    good = client.post(url, {"language": "en", "title": "Bus flyers", "body": "At every stop."})
    assert good.status_code == 302
    proposal = Proposal.objects.get()
    assert proposal.proposer == voter.person  # type: ignore[attr-defined]


def test_someone_not_in_the_body_sees_why_they_cannot_propose(
    body: Assembly, make_account: MakeAccount, logged_in: Callable[[User], Client]
) -> None:
    stranger = make_account("walker", Role.MEMBER, person=True)
    url = reverse("assembly:proposal_create", kwargs={"body_id": body.id})
    client = logged_in(stranger)
    assert "Only members of this body" in client.get(url).content.decode()
    assert client.post(url, {"language": "en", "title": "T", "body": "B"}).status_code == 403
    assert not Proposal.objects.exists()


def test_discussion_and_amendments(
    proposal: Proposal,
    voter: User,
    runner: User,
    logged_in: Callable[[User], Client],
) -> None:
    url = reverse("assembly:proposal_detail", kwargs={"proposal_id": proposal.id})
    client = logged_in(voter)
    client.post(url, {"action": "comment", "body": "Who covers Saturdays?"})
    client.post(url, {"action": "amend", "body": "Start at 9 pm.", "language": "en"})
    empty = client.post(url, {"action": "comment", "body": ""})
    assert "This field is required." in empty.content.decode()
    assert Comment.objects.get().author == voter
    amendment = Amendment.objects.get()
    # Only those who run the body accept or reject amendments.
    client.post(url, {"action": "accept", "amendment": amendment.id})
    amendment.refresh_from_db()
    assert amendment.status == AmendmentStatus.PROPOSED
    logged_in(runner).post(url, {"action": "accept", "amendment": amendment.id})
    amendment.refresh_from_db()
    assert amendment.status == AmendmentStatus.ACCEPTED


def test_a_ranked_vote_needs_the_same_options_in_each_language(
    proposal: Proposal, runner: User, logged_in: Callable[[User], Client]
) -> None:
    url = reverse("assembly:vote_create", kwargs={"proposal_id": proposal.id})
    client = logged_in(runner)
    data = {"method": "irv", "dots_per_voter": 3, "score_max": 5}
    none = client.post(url, data)
    assert "Write the options, one a line." in none.content.decode()
    uneven = client.post(url, {**data, "options_es": "Uno\nDos\nTres", "options_en": "One\nTwo"})
    assert "Each language needs the same number of options" in uneven.content.decode()
    good = client.post(url, {**data, "options_es": "Uno\nDos", "options_en": "One\nTwo"})
    assert good.status_code == 302
    vote = Vote.objects.get()
    assert [o.labels for o in vote.options.all()] == [
        {"es": "Uno", "en": "One"},
        {"es": "Dos", "en": "Two"},
    ]


def test_a_member_cannot_set_up_a_vote(
    proposal: Proposal, voter: User, logged_in: Callable[[User], Client]
) -> None:
    url = reverse("assembly:vote_create", kwargs={"proposal_id": proposal.id})
    client = logged_in(voter)
    assert "Only those who run" in client.get(url).content.decode()
    response = client.post(url, {"method": "majority", "dots_per_voter": 3, "score_max": 5})
    assert response.status_code == 403
    assert not Vote.objects.exists()


def test_opening_a_vote_with_a_window_in_the_past_gets_an_error(
    proposal: Proposal, runner: User, logged_in: Callable[[User], Client]
) -> None:
    from vecinos.assembly import proposals as services

    vote = services.do_create_vote(runner, proposal, method="majority", secret=False)
    url = reverse("assembly:vote_detail", kwargs={"vote_id": vote.id})
    response = logged_in(runner).post(
        url, {"action": "open", "closes_at": "2001-01-01T10:00", "announce": "on"}
    )
    assert response.status_code == 200
    assert "Choose a time in the future." in response.content.decode()
    vote.refresh_from_db()
    assert vote.status == "draft"
