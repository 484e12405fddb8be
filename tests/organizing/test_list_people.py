"""List pages cost a fixed number of queries however many rows they show (no N+1)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.conftest import MakeAccount
from vecinos.core.choices import Role
from vecinos.core.models import User
from vecinos.organizing.models import Person

MaxQueries = Callable[[int], AbstractContextManager[object]]

# Baselines: a page that starts querying per row blows far past these with 50 rows.
PEOPLE_LIST_QUERIES = 8
ACCOUNT_LIST_QUERIES = 10
DISPATCHER_HOME_QUERIES = 8


def add_people(make_account: MakeAccount, count: int, start: int = 0) -> None:
    """People with accounts and roles, so each row shows its roles."""
    for n in range(start, start + count):
        make_account(f"person{n:02d}", Role.RESPONDER, Role.MEMBER, person=True, two_factor=False)


def queries_for(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize(
    ("url", "budget"), [("/people/", PEOPLE_LIST_QUERIES), ("/accounts/", ACCOUNT_LIST_QUERIES)]
)
def test_a_list_page_costs_the_same_for_two_rows_as_for_fifty(
    url: str,
    budget: int,
    make_account: MakeAccount,
    coordinator: User,
    logged_in: Callable[[User], Client],
    django_assert_max_num_queries: MaxQueries,
) -> None:
    client = logged_in(coordinator)
    add_people(make_account, 2)
    queries_for(client, url)  # warm up
    few = queries_for(client, url)
    assert few <= budget

    add_people(make_account, 60, start=2)
    with django_assert_max_num_queries(few):
        response = client.get(url)
    assert len(response.context["page"]) == 50
    assert "Responder" in response.content.decode()


def test_the_people_list_does_not_query_per_row(
    make_account: MakeAccount,
    coordinator: User,
    logged_in: Callable[[User], Client],
    django_assert_max_num_queries: MaxQueries,
) -> None:
    add_people(make_account, 60)
    client = logged_in(coordinator)
    with django_assert_max_num_queries(PEOPLE_LIST_QUERIES):
        response = client.get("/people/")
    assert len(response.context["page"]) == 50
    assert response.content.decode().count("Responder, Member") == 50


def test_a_search_by_a_shared_household_number_does_not_query_per_row(
    make_account: MakeAccount,
    organizer: User,
    logged_in: Callable[[User], Client],
    django_assert_max_num_queries: MaxQueries,
) -> None:
    """Families share one phone: a search can list many people, each with their roles."""
    for n in range(12):
        account = make_account(f"kin{n:02d}", Role.RESPONDER, person=True)
        person = Person.objects.get(account=account)
        person.phone = "+12135550142"
        person.save()
    client = logged_in(organizer)
    with django_assert_max_num_queries(PEOPLE_LIST_QUERIES + 1):  # + the search's audit entry
        response = client.get("/people/", {"phone": "(213) 555-0142"})
    assert len(response.context["page"]) == 12
    assert response.content.decode().count("<td>Responder</td>") == 12


def test_the_account_list_does_not_query_per_row(
    make_account: MakeAccount,
    coordinator: User,
    logged_in: Callable[[User], Client],
    django_assert_max_num_queries: MaxQueries,
) -> None:
    add_people(make_account, 60)
    client = logged_in(coordinator)
    with django_assert_max_num_queries(ACCOUNT_LIST_QUERIES):
        response = client.get("/accounts/")
    assert len(response.context["page"]) == 50
    with django_assert_max_num_queries(ACCOUNT_LIST_QUERIES):
        response = client.get("/accounts/", {"role": Role.RESPONDER})
    assert len(response.context["page"]) == 50


def test_the_home_page_for_a_dispatcher_does_not_query_per_responder(
    make_account: MakeAccount,
    dispatcher: User,
    logged_in: Callable[[User], Client],
    django_assert_max_num_queries: MaxQueries,
) -> None:
    add_people(make_account, 60)
    client = logged_in(dispatcher)
    with django_assert_max_num_queries(DISPATCHER_HOME_QUERIES):
        response = client.get("/")
    assert response.context["responder_count"] == 60
