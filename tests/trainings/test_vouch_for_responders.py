"""Vouching: trusted members (coordinators, organizers, eligible responders) vouch for a
responder; anyone else is refused, nobody vouches for themselves; the waiting list, vouching by
phone number, withdrawing, and the vouch chain coordinators see."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client

from tests.conftest import MakeAccount
from tests.responders.conftest import MakeResponder
from tests.trainings.conftest import attend, vouch_by
from vecinos.core import audit
from vecinos.core.choices import Role
from vecinos.core.models import AuditEvent, User
from vecinos.responders.models import Responder
from vecinos.trainings import services
from vecinos.trainings.models import Vouch

pytestmark = pytest.mark.django_db
LoggedIn = Callable[[User], Client]


def responder_account(
    make_account: MakeAccount, make_responder: MakeResponder, username: str, *, eligible: bool
) -> tuple[User, Responder]:
    """An account with the responder role, its person a responder (made eligible for real)."""
    user = make_account(username, Role.RESPONDER)
    responder = make_responder(username.title(), eligible=False)
    responder.person.account = user
    responder.person.save()
    if eligible:
        attend(responder, days_ago=10)
        vouch_by(
            responder,
            make_account(f"{username}-c", Role.COORDINATOR),
            make_account(f"{username}-o", Role.ORGANIZER),
        )
    return user, responder


def test_nobody_vouches_for_themselves(
    make_account: MakeAccount, make_responder: MakeResponder
) -> None:
    user, responder = responder_account(make_account, make_responder, "rosa", eligible=True)
    with pytest.raises(services.SelfVouchError):
        services.do_vouch(user, responder.person)
    # Not even an organizer who is also the responder.
    organizer = make_account("self-organizer", Role.ORGANIZER)
    own = make_responder("Self Organizer", eligible=False)
    own.person.account = organizer
    own.person.save()
    with pytest.raises(services.SelfVouchError):
        services.do_vouch(organizer, own.person)
    assert (
        not Vouch.objects.filter(person__in=[responder.person, own.person])
        .exclude(voucher__username__in=["rosa-c", "rosa-o"])
        .exists()
    )


def test_someone_who_may_not_vouch_is_refused(
    make_account: MakeAccount,
    make_responder: MakeResponder,
    dispatcher: User,
    member: User,
) -> None:
    newcomer = make_responder("Newcomer", eligible=False)
    attend(newcomer)
    # A responder not eligible themselves has the capability but is not trusted yet.
    untrusted, _own = responder_account(make_account, make_responder, "tomas", eligible=False)
    with pytest.raises(services.NotTrustedError):
        services.do_vouch(untrusted, newcomer.person)
    # Dispatchers and members may not vouch at all.
    for user in (dispatcher, member):
        with pytest.raises(PermissionDenied):
            services.do_vouch(user, newcomer.person)
    newcomer.refresh_from_db()
    assert newcomer.vouches == 0 and not Vouch.objects.filter(person=newcomer.person).exists()
    assert (
        not AuditEvent.objects.filter(action=audit.VOUCH_GIVEN)
        .exclude(actor__username__startswith="tomas-")
        .exists()
    )


def test_an_eligible_responder_vouches_by_phone_number_without_seeing_any_list(
    make_account: MakeAccount, make_responder: MakeResponder, logged_in: LoggedIn,
    coordinator: User,
) -> None:  # fmt: skip
    peer, _own = responder_account(make_account, make_responder, "lucia", eligible=True)
    newcomer = make_responder("Newcomer Nayeli", eligible=False)
    attend(newcomer)
    vouch_by(newcomer, coordinator)
    client = logged_in(peer)
    page = client.get("/trainings/vouches/").content.decode()
    assert "Newcomer Nayeli" not in page and "Vouch by phone number" in page
    response = client.post(
        "/trainings/vouches/", {"action": "phone", "phone": newcomer.person.phone}
    )
    assert response.status_code == 302
    newcomer.refresh_from_db()
    assert newcomer.vouches == 2 and newcomer.eligible
    vouch = Vouch.objects.get(person=newcomer.person, voucher=peer)
    assert vouch.voucher_person is not None and vouch.voucher_person.account == peer
    # A second time: refused, explained.
    again = client.post("/trainings/vouches/", {"action": "phone", "phone": newcomer.person.phone})
    assert "You already vouch for this responder." in again.content.decode()


@pytest.mark.parametrize(
    ("phone", "error"),
    [
        ("not a number", "This is not a phone number."),
        ("", "This field is required."),
        ("+12135559999", "this person is not a responder"),
    ],
)
def test_bad_input_when_vouching_by_phone_is_explained(
    phone: str, error: str, organizer: User, logged_in: LoggedIn
) -> None:
    response = logged_in(organizer).post("/trainings/vouches/", {"action": "phone", "phone": phone})
    assert response.status_code == 200 and error in response.content.decode()
    assert not Vouch.objects.exists()


def test_the_organizer_vouches_someone_into_the_pool_from_the_waiting_list(
    organizer: User, coordinator: User, logged_in: LoggedIn, make_responder: MakeResponder
) -> None:
    waiting = make_responder("Esperanza Ruiz", eligible=False)
    attend(waiting)
    vouch_by(waiting, coordinator)
    make_responder("Already Eligible")
    client = logged_in(organizer)
    page = client.get("/trainings/vouches/").content.decode()
    assert "Esperanza Ruiz" in page and "1 of 2 vouches" in page
    assert "Already Eligible" not in page
    assert AuditEvent.objects.filter(action=audit.VOUCHES_LISTED, actor=organizer).exists()
    response = client.post(
        "/trainings/vouches/", {"action": "vouch", "person_id": waiting.person_id}
    )
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.eligible and waiting.vouches == 2
    assert (
        client.post("/trainings/vouches/", {"action": "vouch", "person_id": "x"}).status_code == 400
    )
    assert client.post("/trainings/vouches/", {"action": "dance"}).status_code == 400
    # Withdrawing one's vouch takes them out of the pool again.
    vouch = Vouch.objects.get(person=waiting.person, voucher=organizer)
    client.post("/trainings/vouches/", {"action": "withdraw", "vouch_id": vouch.id})
    waiting.refresh_from_db()
    assert not waiting.eligible and waiting.vouches == 1
    with pytest.raises(services.NoSuchVouchError):
        services.do_withdraw_vouch(organizer, vouch.id)


def test_only_responders_are_vouched_for_and_a_vouch_stands_once(
    organizer: User, coordinator: User, make_person: object, make_responder: MakeResponder
) -> None:
    contact = make_person()  # type: ignore[operator]
    with pytest.raises(services.NotAResponderError):
        services.do_vouch(organizer, contact)
    responder = make_responder(eligible=False)
    services.do_vouch(organizer, responder.person)
    with pytest.raises(services.AlreadyVouchedError):
        services.do_vouch(organizer, responder.person)
    assert Vouch.objects.filter(person=responder.person).count() == 1


def test_the_vouch_chain_goes_back_to_the_first_for_coordinators_only(
    make_account: MakeAccount, make_responder: MakeResponder, logged_in: LoggedIn,
    coordinator: User, organizer: User,
) -> None:  # fmt: skip
    peer, peer_responder = responder_account(make_account, make_responder, "ines", eligible=True)
    newcomer = make_responder("Newcomer Noemi", eligible=False)
    attend(newcomer)
    vouch_by(newcomer, peer, organizer)
    page = logged_in(coordinator).get(f"/trainings/vouches/{newcomer.person_id}/chain/")
    body = page.content.decode()
    assert page.status_code == 200
    # Newcomer ← Ines (a responder) ← Ines-c and Ines-o (trusted by their role); ← Organizer.
    for name in ["Ines", "Ines-C", "Ines-O", "Organizer"]:
        assert name in body, name
    assert body.count("first: trusted as") == 3
    assert AuditEvent.objects.filter(action=audit.VOUCH_CHAIN_VIEWED, actor=coordinator).exists()
    peer_page = logged_in(coordinator).get(f"/trainings/vouches/{peer_responder.person_id}/chain/")
    assert "Newcomer Noemi" in peer_page.content.decode()  # whom Ines vouches for
    assert (
        logged_in(organizer).get(f"/trainings/vouches/{newcomer.person_id}/chain/").status_code
        == 403
    )
    assert logged_in(coordinator).get("/trainings/vouches/999999/chain/").status_code == 404


def test_a_vouch_chain_that_loops_is_shown_once(
    make_account: MakeAccount, make_responder: MakeResponder, coordinator: User
) -> None:
    from vecinos.trainings.queries import vouch_chain

    a_user, a = responder_account(make_account, make_responder, "amaya", eligible=True)
    b_user, b = responder_account(make_account, make_responder, "beto", eligible=True)
    vouch_by(a, b_user)
    vouch_by(b, a_user)
    chain = vouch_chain(coordinator, a.person_id)
    via_b = next(link for link in chain.links if link.vouch.voucher == b_user)
    back_to_a = next(link for link in via_b.above if link.vouch.voucher == a_user)
    assert back_to_a.loops and not back_to_a.above


@pytest.mark.django_db(transaction=True)
def test_vouches_given_at_once_in_separate_connections_are_all_counted(
    make_account: MakeAccount, make_responder: MakeResponder
) -> None:
    newcomer = make_responder("Newcomer Nieves", eligible=False)
    attend(newcomer)
    vouchers = [make_account(f"organizer{n}", Role.ORGANIZER) for n in range(4)]
    start = threading.Barrier(len(vouchers))

    def vouch(user: User) -> None:
        try:
            start.wait(timeout=30)
            services.do_vouch(user, newcomer.person)
        finally:
            connection.close()

    with ThreadPoolExecutor(len(vouchers)) as pool:
        list(pool.map(vouch, vouchers))
    newcomer.refresh_from_db()
    assert newcomer.vouches == 4 == Vouch.objects.filter(person=newcomer.person).count()
    assert newcomer.eligible
