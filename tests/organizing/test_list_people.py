"""List pages cost a fixed number of queries however many rows they show (no N+1)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from vecinos.core.choices import Role
from vecinos.core.models import User


@pytest.fixture
def sixty_people(make_account: Callable[..., User]) -> None:
    for n in range(60):
        make_account(f"person{n:02d}", Role.RESPONDER, Role.MEMBER, person=True, two_factor=False)


def test_the_people_list_does_not_query_per_row(
    sixty_people: None,
    coordinator: User,
    logged_in: Callable[[User], Client],
    django_assert_max_num_queries: Callable[[int], object],
) -> None:
    client = logged_in(coordinator)
    with django_assert_max_num_queries(14):  # type: ignore[attr-defined]
        response = client.get("/people/")
    assert len(response.context["page"]) == 50
    assert "Responder" in response.content.decode()


def test_the_account_list_does_not_query_per_row(
    sixty_people: None,
    coordinator: User,
    logged_in: Callable[[User], Client],
    django_assert_max_num_queries: Callable[[int], object],
) -> None:
    client = logged_in(coordinator)
    with django_assert_max_num_queries(14):  # type: ignore[attr-defined]
        response = client.get("/accounts/")
    assert len(response.context["page"]) == 50


def test_the_home_page_for_a_dispatcher_does_not_query_per_responder(
    sixty_people: None,
    dispatcher: User,
    logged_in: Callable[[User], Client],
    django_assert_max_num_queries: Callable[[int], object],
) -> None:
    client = logged_in(dispatcher)
    with django_assert_max_num_queries(14):  # type: ignore[attr-defined]
        response = client.get("/")
    assert response.context["responder_count"] == 60
