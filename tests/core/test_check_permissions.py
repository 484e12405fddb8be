"""Every page, for every role: who sees it, who is refused, and that refusals read nothing."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from tests.conftest import PASSWORD, MakePerson, log_in, session_verified
from tests.pages import Page, all_pages
from vecinos.core import audit, services
from vecinos.core.choices import Role
from vecinos.core.models import AuditEvent, User
from vecinos.core.permissions import ROLE_CAPABILITIES, Capability
from vecinos.core.queries import AuditFilter, access_account, accounts_for, audit_events_for
from vecinos.organizing.models import Person

PERSONAS = {
    "coordinator": {Role.COORDINATOR},
    "dispatcher": {Role.DISPATCHER},
    "organizer": {Role.ORGANIZER},
    "facilitator": {Role.FACILITATOR},
    "responder": {Role.RESPONDER},
    "member": {Role.MEMBER},
    "partner": {Role.PARTNER},
    "outsider": set(),
}
# Not behind a login: logging in and out, and choosing a language.
PUBLIC_PAGES = {"core:login", "core:logout", "core:set_language"}
# Read by calendar apps, which cannot log in: a secret token in the address stands for the login
# (tests/shifts/test_read_shift_feed.py).
TOKEN_PAGES = {"shifts:feed", "assembly:feed"}
TWO_FACTOR_PAGES = {"core:two_factor_verify", "core:two_factor_setup"}
# Pages that exist today; the walk below must find at least these (a broken walk finds nothing).
KNOWN_PAGES = {
    "core:home",
    "core:my_account",
    "core:account_list",
    "core:account_create",
    "core:account_detail",
    "core:audit_log",
    "organizing:person_list",
    "organizing:person_create",
    "organizing:person_detail",
    "organizing:person_edit",
    "organizing:person_stage",
    "organizing:person_circles",
    "organizing:person_brought_by",
    "organizing:circle_list",
    "organizing:circle_create",
    "organizing:circle_detail",
    "organizing:circle_edit",
    "organizing:circle_member",
    "organizing:network",
    "organizing:growth",
    "organizing:import",
    "organizing:import_job",
    "organizing:export",
    "messaging:simulator",
    "messaging:gateway_list",
    "messaging:gateway_edit",
    "messaging:broadcast_list",
    "messaging:broadcast_create",
    "messaging:broadcast_detail",
    "messaging:broadcast_edit",
    "responders:list",
    "responders:edit",
    "responders:incident",
    "api:token_list",
    "shifts:overview",
    "shifts:calendar_link",
    "shifts:rota",
    "shifts:shift_create",
    "shifts:shift_edit",
    "shifts:cover",
    "shifts:fallback",
    "places:map",
    "places:map_settings",
    "places:zone_list",
    "places:zone_create",
    "places:zone_edit",
    "places:zone_point",
    "places:zone_delete",
    "places:zone_cell",
    "places:coverage",
    "places:precinct_list",
    "places:precinct_team",
    "places:team_member",
    "places:walk_list",
    "places:walk_list_pdf",
    "places:household_delete",
    "hotline:console",
    "hotline:stream",
    "hotline:report_create",
    "hotline:report_detail",
    "hotline:incident_detail",
    "hotline:drill_create",
    "hotline:content_list",
    "hotline:content_edit",
    "assembly:list",
    "assembly:room",
    "assembly:room_minutes",
    "assembly:room_minutes_export",
    "assembly:room_projector",
    "assembly:tally",
    "trainings:list",
    "trainings:session_create",
    "trainings:session",
    "trainings:vouches",
    "trainings:vouch_chain",
    "assembly:body_create",
    "assembly:body_detail",
    "assembly:body_edit",
    "assembly:member_add",
    "assembly:meeting_create",
    "assembly:meeting_detail",
    "assembly:meeting_edit",
    "assembly:agenda_item_add",
    "assembly:agenda_item_edit",
    "assembly:attachment_add",
    "assembly:attachment",
    "assembly:poll_create",
    "assembly:poll_detail",
    "assembly:calendar_link",
    "assembly:proposal_list",
    "assembly:proposal_create",
    "assembly:proposal_detail",
    "assembly:proposal_text",
    "assembly:vote_create",
    "assembly:vote_detail",
    "assembly:register",
    "assembly:decision_detail",
    "assembly:report_backs",
    "mobilizing:list",
    "mobilizing:create",
    "mobilizing:answer",
    "mobilizing:detail",
    "mobilizing:edit",
    "mobilizing:recruit",
    "mobilizing:check_in",
}
# Pages that run a body's meetings: any logged-in role but partners reaches them, and the body's
# own rule (Assembly.can_run) then refuses those who neither hold RUN_MEETINGS nor facilitate it.
# Refusals by a record's own rule, on top of the capability (not in EXPLICIT, which restates the
# capabilities): here, neither the dispatcher, responder nor member facilitates the sample body.
ASSEMBLY_RUN_PAGES = {
    "assembly:meeting_create",
    "assembly:meeting_edit",
    "assembly:agenda_item_add",
    "assembly:agenda_item_edit",
    "assembly:attachment_add",
    "assembly:attachment",
    "assembly:poll_create",
}

# Written out by hand so the matrix is not only checked against itself.
EXPLICIT = {
    ("assembly:list", "member"): 200,
    ("assembly:list", "partner"): 403,
    # Members see the room, its minutes and the projector; only the body's facilitators and
    # note-takers (and coordinators) change anything (tests/assembly/test_run_room.py).
    ("assembly:room", "member"): 200,
    ("assembly:room", "partner"): 403,
    ("assembly:room_minutes", "responder"): 200,
    ("assembly:room_minutes", "partner"): 403,
    ("assembly:room_minutes_export", "member"): 200,
    ("assembly:room_minutes_export", "partner"): 403,
    ("assembly:room_projector", "facilitator"): 200,
    ("assembly:room_projector", "partner"): 403,
    ("assembly:tally", "facilitator"): 200,
    ("assembly:tally", "member"): 403,
    # Trainings are run by organizers and facilitators; a dispatcher sees no attendance list.
    ("trainings:list", "organizer"): 200,
    ("trainings:list", "facilitator"): 200,
    ("trainings:list", "dispatcher"): 403,
    ("trainings:list", "responder"): 403,
    ("trainings:session", "facilitator"): 200,
    ("trainings:session", "member"): 403,
    ("trainings:session_create", "organizer"): 200,
    # Responders vouch by phone number (no list); dispatchers do not vouch.
    ("trainings:vouches", "responder"): 200,
    ("trainings:vouches", "organizer"): 200,
    ("trainings:vouches", "dispatcher"): 403,
    ("trainings:vouches", "member"): 403,
    # The vouch chain is a map of the network's trust: coordinators only.
    ("trainings:vouch_chain", "coordinator"): 200,
    ("trainings:vouch_chain", "organizer"): 403,
    ("trainings:vouch_chain", "dispatcher"): 403,
    ("trainings:vouch_chain", "responder"): 403,
    ("assembly:body_detail", "member"): 200,
    ("assembly:poll_detail", "responder"): 200,
    ("assembly:body_create", "facilitator"): 403,
    ("assembly:member_add", "facilitator"): 403,
    ("core:audit_log", "coordinator"): 200,
    ("core:audit_log", "dispatcher"): 403,
    ("core:audit_log", "organizer"): 403,
    ("core:account_list", "organizer"): 403,
    ("core:account_list", "dispatcher"): 403,
    ("core:account_detail", "coordinator"): 200,
    ("core:account_create", "member"): 403,
    ("organizing:person_list", "organizer"): 200,
    ("organizing:person_list", "dispatcher"): 403,
    ("organizing:person_detail", "coordinator"): 200,
    ("organizing:person_detail", "member"): 403,
    ("organizing:person_detail", "responder"): 403,
    ("organizing:person_edit", "facilitator"): 403,
    ("organizing:person_create", "organizer"): 200,
    ("organizing:circle_list", "organizer"): 200,
    ("organizing:circle_list", "dispatcher"): 403,
    ("organizing:network", "organizer"): 200,
    ("organizing:network", "responder"): 403,
    ("organizing:growth", "organizer"): 200,
    ("organizing:growth", "partner"): 403,
    ("organizing:circle_edit", "member"): 403,
    ("organizing:import", "organizer"): 200,
    ("organizing:import", "dispatcher"): 403,
    ("organizing:import_job", "organizer"): 200,
    # The whole list with phone numbers: coordinators only, not every organizer.
    ("organizing:export", "coordinator"): 200,
    ("organizing:export", "organizer"): 403,
    ("messaging:simulator", "coordinator"): 200,
    ("messaging:simulator", "organizer"): 403,
    ("messaging:gateway_list", "coordinator"): 200,
    ("messaging:gateway_list", "dispatcher"): 403,
    ("messaging:gateway_edit", "organizer"): 403,
    ("messaging:broadcast_create", "coordinator"): 200,
    ("messaging:broadcast_detail", "dispatcher"): 403,
    ("messaging:broadcast_list", "organizer"): 403,
    ("messaging:broadcast_edit", "responder"): 403,
    # The roster is for coordinators only: a dispatcher's login must not export it.
    ("responders:list", "coordinator"): 200,
    ("responders:list", "dispatcher"): 403,
    ("responders:edit", "dispatcher"): 403,
    ("responders:edit", "organizer"): 403,
    ("responders:incident", "dispatcher"): 200,
    ("responders:incident", "coordinator"): 200,
    ("responders:incident", "organizer"): 403,
    ("responders:incident", "responder"): 403,
    ("api:token_list", "coordinator"): 200,
    ("api:token_list", "dispatcher"): 403,
    ("shifts:overview", "dispatcher"): 200,
    ("shifts:overview", "coordinator"): 200,
    ("shifts:overview", "responder"): 403,
    ("shifts:overview", "organizer"): 403,
    ("shifts:calendar_link", "dispatcher"): 200,
    ("shifts:calendar_link", "member"): 403,
    ("shifts:rota", "coordinator"): 200,
    ("shifts:rota", "dispatcher"): 403,
    ("shifts:shift_edit", "dispatcher"): 403,
    ("shifts:shift_create", "dispatcher"): 403,
    ("shifts:cover", "dispatcher"): 403,
    ("shifts:fallback", "dispatcher"): 403,
    ("shifts:fallback", "coordinator"): 200,
    ("places:map", "coordinator"): 200,
    ("places:map", "dispatcher"): 200,
    ("places:map", "organizer"): 200,
    ("places:map", "responder"): 403,
    ("places:map", "member"): 403,
    ("places:zone_list", "organizer"): 403,
    ("places:zone_edit", "dispatcher"): 403,
    ("places:zone_cell", "organizer"): 403,
    ("places:zone_delete", "coordinator"): 200,
    ("places:map_settings", "dispatcher"): 403,
    ("places:coverage", "dispatcher"): 200,
    ("places:coverage", "organizer"): 200,
    ("places:coverage", "responder"): 403,
    ("places:precinct_list", "organizer"): 200,
    ("places:precinct_list", "dispatcher"): 403,
    ("places:walk_list", "organizer"): 200,
    ("places:walk_list", "coordinator"): 200,
    ("places:walk_list", "dispatcher"): 403,
    ("places:walk_list_pdf", "organizer"): 200,
    ("places:walk_list_pdf", "member"): 403,
    ("hotline:console", "dispatcher"): 200,
    ("hotline:console", "coordinator"): 200,
    ("hotline:console", "responder"): 403,
    ("hotline:console", "organizer"): 403,
    ("hotline:console", "partner"): 403,
    ("hotline:stream", "dispatcher"): 200,
    ("hotline:stream", "responder"): 403,
    ("hotline:stream", "member"): 403,
    ("hotline:report_detail", "dispatcher"): 200,
    ("hotline:report_detail", "responder"): 403,
    ("hotline:report_detail", "partner"): 403,
    ("hotline:report_detail", "organizer"): 403,
    ("hotline:incident_detail", "responder"): 403,
    ("hotline:incident_detail", "member"): 403,
    ("hotline:drill_create", "dispatcher"): 200,
    ("hotline:drill_create", "coordinator"): 200,
    ("hotline:drill_create", "responder"): 403,
    ("hotline:drill_create", "organizer"): 403,
    ("hotline:drill_create", "partner"): 403,
    ("hotline:report_create", "partner"): 200,
    ("hotline:report_create", "dispatcher"): 200,
    ("hotline:report_create", "responder"): 403,
    ("hotline:report_create", "member"): 403,
    ("hotline:content_list", "coordinator"): 200,
    ("hotline:content_list", "dispatcher"): 403,
    ("hotline:content_edit", "dispatcher"): 403,
    ("hotline:content_edit", "partner"): 403,
    # Members see the coming mobilizations and answer for themselves; partners do not.
    ("mobilizing:list", "member"): 200,
    ("mobilizing:list", "responder"): 200,
    ("mobilizing:list", "partner"): 403,
    ("mobilizing:answer", "member"): 200,
    ("mobilizing:answer", "partner"): 403,
    # Who is coming, recruiting and check-in are for organizers.
    ("mobilizing:detail", "organizer"): 200,
    ("mobilizing:detail", "coordinator"): 200,
    ("mobilizing:detail", "member"): 403,
    ("mobilizing:detail", "dispatcher"): 403,
    ("mobilizing:create", "responder"): 403,
    ("mobilizing:recruit", "organizer"): 200,
    ("mobilizing:recruit", "facilitator"): 403,
    ("mobilizing:check_in", "organizer"): 200,
    ("mobilizing:check_in", "member"): 403,
    ("mobilizing:edit", "member"): 403,
    ("core:home", "outsider"): 200,
    ("core:home", "member"): 200,
    ("core:my_account", "outsider"): 200,
}


def expected_status(page: Page, persona: str) -> int:
    granted: set[Capability] = set()
    for role in PERSONAS[persona]:
        granted |= ROLE_CAPABILITIES[role]
    required = page.required_capability
    return 200 if required is None or required in granted else 403


@pytest.fixture
def everyone(
    coordinator: User,
    dispatcher: User,
    organizer: User,
    facilitator: User,
    responder: User,
    member: User,
    partner: User,
    outsider: User,
) -> dict[str, User]:
    return {
        user.username: user
        for user in (
            coordinator,
            dispatcher,
            organizer,
            facilitator,
            responder,
            member,
            partner,
            outsider,
        )
    }


def test_the_walk_finds_every_page_and_each_declares_a_capability() -> None:
    pages = {page.name: page for page in all_pages()}
    assert set(pages) >= KNOWN_PAGES
    assert pages["core:audit_log"].required_capability == Capability.VIEW_AUDIT_LOG
    assert pages["organizing:person_detail"].required_capability == Capability.VIEW_PEOPLE
    assert pages["core:home"].required_capability is None
    for name, page in pages.items():
        if name not in PUBLIC_PAGES | TOKEN_PAGES:
            assert hasattr(page.pattern.callback, "required_capability"), name


def test_the_hand_written_table_agrees_with_the_role_capabilities() -> None:
    pages = {page.name: page for page in all_pages()}
    for (name, persona), status in EXPLICIT.items():
        assert expected_status(pages[name], persona) == status, (name, persona)


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_each_role_sees_exactly_the_pages_its_capabilities_allow(
    persona: str, everyone: dict[str, User], make_person: MakePerson
) -> None:
    user = everyone[persona]
    assert user.roles == PERSONAS[persona]
    person = make_person()
    client = log_in(Client(), user)
    checked = set()
    for page in all_pages():
        if page.name in PUBLIC_PAGES:
            continue
        response = client.get(page.url(person, everyone["member"]))
        if page.name in TOKEN_PAGES:
            # The login does not stand in for the token: a wrong one is not found, for anyone.
            assert response.status_code == 404, f"{persona} on {page.name}"
            continue
        if page.name in TWO_FACTOR_PAGES:
            # A session that passed its code is sent on; one without a device may set one up.
            if session_verified(client):
                assert (response.status_code, response["Location"]) == (302, "/"), page.name
            elif page.name == "core:two_factor_verify":
                assert response["Location"].startswith("/account/two-factor/"), page.name
            else:
                assert response.status_code == 200, page.name
            continue
        expected = EXPLICIT.get((page.name, persona), expected_status(page, persona))
        if page.name in ASSEMBLY_RUN_PAGES and persona in ("dispatcher", "responder", "member"):
            expected = 403
        assert response.status_code == expected, f"{persona} on {page.name}"
        checked.add(page.name)
    assert checked >= KNOWN_PAGES
    if Capability.VIEW_PEOPLE not in set().union(*(ROLE_CAPABILITIES[r] for r in user.roles)):
        assert not AuditEvent.objects.filter(actor=user, target_type="organizing.person").exists()


def test_the_outsider_is_refused_everywhere_and_nothing_is_recorded_as_read(
    outsider: User, member: User, make_person: MakePerson
) -> None:
    person = make_person()
    client = log_in(Client(), outsider)
    before = AuditEvent.objects.count()
    refused = []
    for page in all_pages():
        if page.required_capability is None:
            continue
        url = page.url(person, member)
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"action": "deactivate", "full_name": "X"}).status_code == 403, url
        refused.append(page.name)
    assert client.get("/people/", {"phone": "(213) 555-0142"}).status_code == 403
    assert set(refused) >= KNOWN_PAGES - {"core:home", "core:my_account"}
    assert not AuditEvent.objects.filter(action=audit.PERSON_VIEWED).exists()
    assert AuditEvent.objects.count() == before
    member.refresh_from_db()
    assert member.is_active
    assert [p.full_name for p in Person.objects.all()] == [person.full_name]


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "coordinator"])
def test_the_account_and_audit_helpers_refuse_everyone_but_coordinators(
    persona: str, everyone: dict[str, User]
) -> None:
    user, member = everyone[persona], everyone["member"]
    before = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        access_account(user, member.id)
    with pytest.raises(PermissionDenied):
        accounts_for(user)
    with pytest.raises(PermissionDenied):
        audit_events_for(user, AuditFilter())
    changes: list[Callable[[], object]] = [
        partial(services.do_set_roles, user, member, [Role.COORDINATOR]),
        partial(services.do_set_active, user, member, False),
        partial(services.do_reset_two_factor, user, member),
        partial(services.do_unlock_login, user, member),
        partial(
            services.do_create_account,
            user,
            username="intruder",
            display_name="Intruder",
            password=PASSWORD,
            roles=[Role.COORDINATOR],
        ),
    ]
    for change in changes:
        with pytest.raises(PermissionDenied):
            change()
    assert AuditEvent.objects.count() == before
    assert member.roles == {Role.MEMBER} and member.is_active
    assert not User.objects.filter(username="intruder").exists()


def test_anonymous_visitors_are_sent_to_log_in_from_every_page(
    make_person: MakePerson, member: User, client: Client
) -> None:
    person = make_person()
    for page in all_pages():
        url = page.url(person, member)
        if page.name in PUBLIC_PAGES:
            continue
        if page.name in TOKEN_PAGES:
            assert client.get(url).status_code == 404, page.name
            assert client.post(url).status_code == 405, page.name
            continue
        for response in (client.get(url), client.post(url)):
            assert response.status_code == 302, page.name
            assert response["Location"].startswith("/login/?next="), page.name
    assert client.get("/login/").status_code == 200
    assert client.post("/logout/")["Location"] == "/login/"
    assert client.post("/language/", {"language": "es", "next": "/login/"})["Location"] == "/login/"
    assert not AuditEvent.objects.exists()


def test_a_deactivated_account_can_no_longer_log_in(member: User, client: Client) -> None:
    member.is_active = False
    member.save(update_fields=["is_active"])
    response = client.post("/login/", {"username": "member", "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_a_superuser_is_a_coordinator(db: None) -> None:
    admin = User.objects.create_superuser("root", PASSWORD, display_name="Root")
    assert admin.has_role(Role.COORDINATOR)
