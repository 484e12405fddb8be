"""Swaps: a dispatcher offers one occurrence, a colleague takes it (exactly one, if two try at
once), or the offer is withdrawn; coordinators assign cover directly. Each change is audited."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, time, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.utils import timezone

from tests.conftest import MakeAccount
from tests.shifts.conftest import MakeDispatcher, MakeShift, local
from vecinos.core import audit
from vecinos.core.choices import Role
from vecinos.core.models import AuditEvent, User
from vecinos.shifts import services
from vecinos.shifts.choices import SwapStatus, Weekday
from vecinos.shifts.feeds import feed
from vecinos.shifts.models import Shift, Swap
from vecinos.shifts.queries import on_shift, open_swaps

pytestmark = pytest.mark.django_db

MONDAY = date(2025, 6, 2)
BEFORE = local(2025, 6, 1, 12)  # the Sunday before
DURING = local(2025, 6, 2, 23)  # Monday night, on shift


@pytest.fixture
def team(make_dispatcher: MakeDispatcher) -> dict[str, User]:
    return {
        "ana": make_dispatcher("ana", ["es", "en"]),
        "beto": make_dispatcher("beto", ["es"]),
        "cruz": make_dispatcher("cruz", ["ko"]),
    }


@pytest.fixture
def night(make_shift: MakeShift, team: dict[str, User]) -> Shift:
    return make_shift(Weekday.MONDAY, time(22), time(6), [team["ana"]], name="Night")


def names(users: list[User]) -> list[str]:
    return [u.username for u in users]


def test_an_accepted_swap_puts_the_colleague_on_instead_for_that_day_only(
    team: dict[str, User], night: Shift
) -> None:
    ana, beto = team["ana"], team["beto"]
    swap = services.do_offer_swap(ana, night, MONDAY, note="  Family visit  ", now=BEFORE)
    assert (swap.status, swap.note, swap.replaced, swap.covered_by) == (
        "open",
        "Family visit",
        ana,
        None,
    )
    assert names(on_shift(DURING)) == ["ana"], "still hers until someone takes it"

    taken = services.do_accept_swap(beto, swap, now=BEFORE)
    assert (taken.status, taken.covered_by, taken.decided_at) == ("covered", beto, BEFORE)
    assert names(on_shift(DURING)) == ["beto"]
    assert names(on_shift(DURING + timedelta(days=7))) == ["ana"], "the next Monday is hers"
    events = list(AuditEvent.objects.order_by("id").values_list("action", "actor__username"))
    assert events == [(audit.SWAP_OFFERED, "ana"), (audit.SWAP_ACCEPTED, "beto")]


def test_an_accepted_swap_moves_the_shift_between_calendar_feeds(
    team: dict[str, User], night: Shift
) -> None:
    ana, beto = team["ana"], team["beto"]
    uid = f"shift-{night.id}-20250602-{ana.id}@"
    assert uid in feed(ana, now=BEFORE).decode()
    swap = services.do_offer_swap(ana, night, MONDAY, now=BEFORE)
    assert "You offered this shift for a swap" in feed(ana, now=BEFORE).decode()
    services.do_accept_swap(beto, swap, now=BEFORE)
    assert uid not in feed(ana, now=BEFORE).decode()
    assert f"shift-{night.id}-20250609-{ana.id}@" in feed(ana, now=BEFORE).decode()
    theirs = feed(beto, now=BEFORE).decode()
    assert f"shift-{night.id}-20250602-{beto.id}@" in theirs
    assert "You cover this shift for a colleague." in theirs
    assert "Ana" not in theirs, "not whom they cover"


def test_of_two_dispatchers_accepting_the_same_offer_only_the_first_gets_it(
    team: dict[str, User], night: Shift
) -> None:
    swap = services.do_offer_swap(team["ana"], night, MONDAY, now=BEFORE)
    # Both loaded the page while it was open: each holds the swap as it was then.
    seen_by_beto, seen_by_cruz = Swap.objects.get(id=swap.id), Swap.objects.get(id=swap.id)
    services.do_accept_swap(team["beto"], seen_by_beto, now=BEFORE)
    with pytest.raises(services.SwapTakenError) as refused:
        services.do_accept_swap(team["cruz"], seen_by_cruz, now=BEFORE)
    assert "Someone else took this shift first" in str(refused.value)
    assert Swap.objects.get(id=swap.id).covered_by == team["beto"]
    assert names(on_shift(DURING)) == ["beto"]
    assert AuditEvent.objects.filter(action=audit.SWAP_ACCEPTED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_accepts_racing_in_separate_connections_leave_exactly_one_winner(
    make_dispatcher: MakeDispatcher, make_shift: MakeShift
) -> None:
    ana = make_dispatcher("ana")
    takers = [make_dispatcher(f"taker{n}") for n in range(4)]
    shift = make_shift(Weekday.MONDAY, time(22), time(6), [ana])
    swap = services.do_offer_swap(ana, shift, MONDAY, now=BEFORE)
    start = threading.Barrier(len(takers))

    def accept(user: User) -> str:
        try:
            mine = Swap.objects.select_related("shift").get(id=swap.id)
            start.wait(timeout=30)
            services.do_accept_swap(user, mine, now=BEFORE)
            return "won"
        except services.SwapTakenError:
            return "refused"
        finally:
            connection.close()

    with ThreadPoolExecutor(len(takers)) as pool:
        outcomes = list(pool.map(accept, takers))
    assert sorted(outcomes) == ["refused", "refused", "refused", "won"]
    winner = takers[outcomes.index("won")]
    assert Swap.objects.get(id=swap.id).covered_by == winner
    assert names(on_shift(DURING)) == [winner.username]
    assert AuditEvent.objects.filter(action=audit.SWAP_ACCEPTED).count() == 1


def test_a_withdrawn_offer_can_no_longer_be_taken_and_a_taken_one_not_withdrawn(
    team: dict[str, User], night: Shift
) -> None:
    ana, beto = team["ana"], team["beto"]
    swap = services.do_offer_swap(ana, night, MONDAY, now=BEFORE)
    stale = Swap.objects.get(id=swap.id)
    with pytest.raises(PermissionDenied):
        services.do_withdraw_swap(beto, swap, now=BEFORE)
    assert services.do_withdraw_swap(ana, swap, now=BEFORE).status == SwapStatus.WITHDRAWN
    with pytest.raises(services.SwapTakenError):
        services.do_accept_swap(beto, stale, now=BEFORE)
    assert names(on_shift(DURING)) == ["ana"]

    again = services.do_offer_swap(ana, night, MONDAY, now=BEFORE)
    stale = Swap.objects.get(id=again.id)
    services.do_accept_swap(beto, again, now=BEFORE)
    with pytest.raises(services.SwapNotOpenError):
        services.do_withdraw_swap(ana, stale, now=BEFORE)
    assert names(on_shift(DURING)) == ["beto"]
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions == [
        audit.SWAP_OFFERED,
        audit.SWAP_WITHDRAWN,
        audit.SWAP_OFFERED,
        audit.SWAP_ACCEPTED,
    ]


def test_offers_are_refused_when_they_make_no_sense(team: dict[str, User], night: Shift) -> None:
    ana, beto = team["ana"], team["beto"]
    with pytest.raises(services.NotOnShiftError):
        services.do_offer_swap(beto, night, MONDAY, now=BEFORE)
    with pytest.raises(services.NoSuchOccurrenceError):
        services.do_offer_swap(ana, night, MONDAY + timedelta(days=1), now=BEFORE)
    with pytest.raises(services.ShiftOverError):
        services.do_offer_swap(ana, night, MONDAY, now=local(2025, 6, 3, 6))
    with pytest.raises(ValueError, match="300"):
        services.do_offer_swap(ana, night, MONDAY, note="x" * 301, now=BEFORE)
    services.do_offer_swap(ana, night, MONDAY, note="ñ" * 300, now=BEFORE)
    with pytest.raises(services.AlreadyOfferedError):
        services.do_offer_swap(ana, night, MONDAY, now=BEFORE)
    assert Swap.objects.count() == 1
    assert AuditEvent.objects.filter(action=audit.SWAP_OFFERED).count() == 1


def test_accepts_are_refused_when_they_make_no_sense(
    team: dict[str, User], night: Shift, make_account: MakeAccount
) -> None:
    ana, beto = team["ana"], team["beto"]
    night.dispatchers.add(beto)
    swap = services.do_offer_swap(ana, night, MONDAY, now=BEFORE)
    with pytest.raises(services.OwnSwapError):
        services.do_accept_swap(ana, swap, now=BEFORE)
    with pytest.raises(services.AlreadyOnShiftError):
        services.do_accept_swap(beto, swap, now=BEFORE)
    with pytest.raises(services.ShiftOverError):
        services.do_accept_swap(team["cruz"], swap, now=local(2025, 6, 3, 7))
    boss = make_account("boss", Role.COORDINATOR)
    with pytest.raises(services.NotADispatcherError):
        services.do_accept_swap(boss, swap, now=BEFORE)
    responder = make_account("responder", Role.RESPONDER)
    with pytest.raises(PermissionDenied):
        services.do_accept_swap(responder, swap, now=BEFORE)
    assert Swap.objects.get(id=swap.id).status == SwapStatus.OPEN


def test_swaps_chain_in_the_order_they_were_agreed(team: dict[str, User], night: Shift) -> None:
    ana, beto, cruz = team["ana"], team["beto"], team["cruz"]
    first = services.do_offer_swap(ana, night, MONDAY, now=BEFORE)
    services.do_accept_swap(beto, first, now=BEFORE)
    second = services.do_offer_swap(beto, night, MONDAY, now=BEFORE + timedelta(hours=1))
    services.do_accept_swap(cruz, second, now=BEFORE + timedelta(hours=1))
    assert names(on_shift(DURING)) == ["cruz"]


def test_a_coordinator_assigns_cover_and_closes_an_open_offer(
    team: dict[str, User], night: Shift, coordinator: User
) -> None:
    ana, beto, cruz = team["ana"], team["beto"], team["cruz"]
    offer = services.do_offer_swap(ana, night, MONDAY, now=BEFORE)
    covered = services.do_assign_cover(
        coordinator, night, MONDAY, replaced=ana, cover=cruz, now=BEFORE
    )
    assert covered.id == offer.id
    assert (covered.status, covered.covered_by, covered.created_by) == ("covered", cruz, ana)
    assert names(on_shift(DURING)) == ["cruz"]
    with pytest.raises(services.SwapTakenError):
        services.do_accept_swap(beto, offer, now=BEFORE)

    next_monday = MONDAY + timedelta(days=7)
    direct = services.do_assign_cover(
        coordinator, night, next_monday, replaced=ana, cover=beto, now=BEFORE
    )
    assert (direct.status, direct.created_by) == ("covered", coordinator)
    assert names(on_shift(DURING + timedelta(days=7))) == ["beto"]
    assert AuditEvent.objects.filter(action=audit.COVER_ASSIGNED, actor=coordinator).count() == 2

    with pytest.raises(services.ReplacedNotOnShiftError):
        services.do_assign_cover(coordinator, night, MONDAY, replaced=ana, cover=beto, now=BEFORE)
    with pytest.raises(services.CoverAlreadyOnError):
        services.do_assign_cover(coordinator, night, MONDAY, replaced=cruz, cover=cruz, now=BEFORE)
    with pytest.raises(services.NotADispatcherError):
        services.do_assign_cover(
            coordinator, night, MONDAY, replaced=cruz, cover=coordinator, now=BEFORE
        )
    with pytest.raises(PermissionDenied):
        services.do_assign_cover(ana, night, MONDAY, replaced=cruz, cover=beto, now=BEFORE)


# --- Through the Shifts page ------------------------------------------------------------------


def shift_page(client: Client, **data: str) -> str:
    response = client.post("/shifts/", data, follow=True)
    assert response.status_code == 200
    return response.content.decode()


def test_on_the_page_the_second_to_take_a_shift_is_told_someone_was_first(
    team: dict[str, User],
    make_shift: MakeShift,
    logged_in: Callable[[User], Client],
) -> None:
    ana, beto, cruz = team["ana"], team["beto"], team["cruz"]
    tomorrow = timezone.localdate() + timedelta(days=1)
    shift = make_shift(tomorrow.weekday(), time(9), time(17), [ana])
    key = f"{shift.id}:{tomorrow.isoformat()}"
    as_ana, as_beto, as_cruz = logged_in(ana), logged_in(beto), logged_in(cruz)

    page = as_ana.get("/shifts/").content.decode()
    assert f'value="{key}"' in page, "her coming shift is in the offer form"
    page = shift_page(as_ana, action="offer", occurrence=key, note="Dentist <b>appointment</b>")
    assert "Your shift is offered." in page
    assert "Dentist &lt;b&gt;appointment&lt;/b&gt;" in page
    swap = Swap.objects.get()

    page = as_beto.get("/shifts/").content.decode()
    assert "Take this shift" in page and "Dentist" in page
    assert "The shift is yours now." in shift_page(as_beto, action="accept", swap=str(swap.id))
    page = shift_page(as_cruz, action="accept", swap=str(swap.id))
    assert "Someone else took this shift first, or it was withdrawn." in page
    assert Swap.objects.get().covered_by == beto

    assert "Nothing was changed." in shift_page(as_cruz, action="accept", swap="x")
    assert as_cruz.post("/shifts/", {"action": "accept", "swap": "999999"}).status_code == 404
    assert "Choose one of your shifts" in shift_page(as_cruz, action="offer", occurrence=key)


def test_offers_for_shifts_already_over_are_no_longer_listed(
    team: dict[str, User], night: Shift
) -> None:
    swap = services.do_offer_swap(team["ana"], night, MONDAY, now=BEFORE)
    assert open_swaps(team["beto"], now=local(2025, 6, 3, 5, 59)) == [swap]
    assert open_swaps(team["beto"], now=local(2025, 6, 3, 6)) == []
