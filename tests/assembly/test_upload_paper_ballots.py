"""The paper-ballot page: a facilitator uploads a CSV and sees the count; nothing is stored."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from vecinos.core.models import AuditEvent, User

pytestmark = pytest.mark.django_db

URL = reverse("assembly:tally")


def upload(client: Client, text: str, **fields: str) -> tuple[int, str]:
    data = {"method": "irv", "low": "0", "high": "5", "gaps": "skip", **fields}
    data["file"] = SimpleUploadedFile("ballots.csv", text.encode(), "text/csv")  # type: ignore[assignment]
    response = client.post(URL, data)
    return response.status_code, response.content.decode()


def test_a_facilitator_counts_ranked_ballots_and_sees_the_rounds(
    facilitator: User, logged_in: Callable[[User], Client]
) -> None:
    browser = logged_in(facilitator)
    assert browser.get(URL).status_code == 200
    events = AuditEvent.objects.count()

    status, page = upload(
        browser,
        "rank1,rank2\nparque,clínica\nparque,\nclínica,parque\nclínica,\nbiblioteca,clínica\n",
    )

    assert status == 200
    assert "5 ballots, 0 blank." in page
    assert "Round 2" in page
    assert "Round 1: eliminated biblioteca." in page
    assert "Winner: clínica" in page
    assert AuditEvent.objects.count() == events, "counting a file stores nothing"


def test_a_malformed_ballot_is_shown_with_its_row(
    facilitator: User, logged_in: Callable[[User], Client]
) -> None:
    status, page = upload(logged_in(facilitator), "rank1,rank2\nAna,Beto\nAna,ana\n")
    assert status == 400
    assert "Row 3: “Ana” is ranked more than once." in page


def test_an_unknown_option_is_refused_when_the_options_are_listed(
    facilitator: User, logged_in: Callable[[User], Client]
) -> None:
    status, page = upload(logged_in(facilitator), "rank1\nAna\nZoe\n", options="Ana\nBeto")
    assert status == 400
    assert "Row 3: “Zoe” is not one of the options." in page


def test_a_lot_naming_no_option_is_refused(
    facilitator: User, logged_in: Callable[[User], Client]
) -> None:
    status, page = upload(logged_in(facilitator), "rank1\nAna\nBeto\n", lot="Zoe")
    assert status == 400
    assert "“Zoe” is not one of the options." in page


def test_a_score_scale_upside_down_is_refused(
    facilitator: User, logged_in: Callable[[User], Client]
) -> None:
    status, page = upload(logged_in(facilitator), "a,b\n1,2\n", method="score", low="5", high="1")
    assert status == 400
    assert "The highest score must be above the lowest." in page


def test_a_missing_file_is_refused(facilitator: User, logged_in: Callable[[User], Client]) -> None:
    response = logged_in(facilitator).post(URL, {"method": "irv", "low": "0", "high": "5"})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


@pytest.mark.parametrize(
    ("method", "text", "expected"),
    [
        ("ranking", "rank1,rank2\nA,B\nA,B\nB,C\nC,B\nC,B\n", "Count for place 3"),
        ("majority", "choice\npark\npark\nclinic\n", "Winner: park, with more than half of 3"),
        ("score", "park,clinic\n5,2\n4,\n0,5\n", "3.00"),
    ],
)
def test_every_method_shows_its_result(
    facilitator: User,
    logged_in: Callable[[User], Client],
    method: str,
    text: str,
    expected: str,
) -> None:
    status, page = upload(logged_in(facilitator), text, method=method)
    assert status == 200
    assert expected in page


def test_members_cannot_count_ballots(member: User, logged_in: Callable[[User], Client]) -> None:
    assert logged_in(member).get(URL).status_code == 403
    assert logged_in(member).post(URL, {}).status_code == 403
