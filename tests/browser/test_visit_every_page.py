"""A coordinator on a 360px phone walks through every page: each passes axe and fits the width."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import time, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.browser.test_log_in_as_dispatcher import PHONE, check_page, in_thread
from tests.conftest import PASSWORD, totp_code
from vecinos.assembly import demo_room
from vecinos.assembly import services as assembly_services
from vecinos.assembly.models import Meeting
from vecinos.core import audit
from vecinos.core.choices import Role
from vecinos.core.models import User
from vecinos.hotline import services as hotline
from vecinos.hotline.models import Incident
from vecinos.messaging import broadcasts
from vecinos.messaging.choices import Channel
from vecinos.messaging.services import do_record_consent, do_subscribe
from vecinos.organizing.models import Person
from vecinos.places import demo as places_demo
from vecinos.places.models import TeamMember, Zone
from vecinos.places.services import do_import_zones
from vecinos.responders import broad as responders_broad
from vecinos.responders import services as responders
from vecinos.responders.models import Alerted, Responder
from vecinos.shifts.models import Shift
from vecinos.shifts.services import do_add_fallback, do_offer_swap
from vecinos.trainings import services as trainings

KOREATOWN = "8829a1d63bfffff"

pytestmark = pytest.mark.browser


@pytest.fixture
def neighborhood(make_account: Callable[..., User], transactional_db: None) -> dict[str, int]:
    coordinator = make_account("remedios", Role.COORDINATOR, display_name="Remedios Galindo")
    member = make_account("otis", Role.MEMBER, person=True)
    person = Person.objects.create(
        full_name="Librada Urbina", phone="+12135550142", languages=["es", "mix"]
    )
    audit.record(coordinator, audit.USER_CREATED, member)
    # A consent history, so that the consent section's full table is checked too.
    for granted in (True, False):
        do_record_consent(person, Channel.SMS, granted=granted, recorded_by=coordinator)
    do_subscribe("+12135550143", "90005", "ko")
    do_subscribe("+12135550144", "90006", "es")
    texts = {"es": "Asamblea el martes a las 7", "ko": "화요일 7시 총회"}
    fields = {"channel": "sms", "audience": "alert_list", "areas": [], "fallback": "es"}
    sent = broadcasts.do_draft_broadcast(coordinator, bodies=texts, **fields)
    broadcasts.do_send_broadcast(coordinator, sent)
    draft = broadcasts.do_draft_broadcast(coordinator, bodies=texts, **fields)
    # A responder alerted for an incident, who confirmed it: the panel's full state is checked.
    trained = timezone.now() + timedelta(days=300)
    responder = Responder.objects.create(
        person=person, cell=KOREATOWN, eligible=True, trained_until=trained, vouches=2
    )
    alerted_incident = Incident.objects.create(
        cell=KOREATOWN, place="Wilshire & Vermont, 90005", summary="Agents at the corner"
    )
    responders.do_alert_responders(coordinator, alerted_incident)
    alerted = Alerted.objects.get(responder=responder)
    responders.do_record_confirmation(coordinator, alerted_incident, alerted.id)
    responders_broad.do_approve(coordinator, alerted_incident)
    # A rota with a gap, a language nobody on speaks, an open swap and a fallback list.
    noche = make_account("noche", Role.DISPATCHER, display_name="Dalia Nava")
    Person.objects.create(full_name="Dalia Nava", account=noche, languages=["es", "mix"])
    today = timezone.localdate()
    night = Shift.objects.create(weekday=today.weekday(), starts_at=time(22), ends_at=time(6))
    night.dispatchers.set([noche])
    Shift.objects.create(weekday=(today.weekday() + 1) % 7, starts_at=time(8), ends_at=time(16))
    do_offer_swap(noche, night, today + timedelta(days=7), note="Mi hija se gradúa ese día")
    do_add_fallback(coordinator, coordinator)
    do_import_zones(None, places_demo.shapes())
    zone = Zone.objects.get(name="El Centro")
    person.zone = zone
    person.save(update_fields=["zone"])
    # Precincts in El Centro, with a team and a walk list (Spanish, Korean and English homes).
    places_demo.populate_precincts(random.Random(6))
    precinct = Zone.objects.filter(kind="precinct").order_by("name").first()
    assert precinct is not None
    captain = TeamMember.objects.create(zone=precinct, person=person, role="captain")
    household = precinct.households.first()
    assert household is not None
    # The hotline: a text report waiting, and an incident with a report and a step.
    waiting = hotline.do_file_report(
        coordinator,
        hotline.ReportDetails(what_seen="Dos camionetas sin placas", place="Calle 3 y Vermont"),
        language="es",
        caller="+13235550150",
    )
    first = hotline.do_file_report(
        coordinator,
        hotline.ReportDetails(
            what_seen="Agents at the laundromat",
            place="3rd & Vermont",
            cell=hotline.cell_for_point(34.0689, -118.2917),
        ),
        language="en",
    )
    incident = hotline.do_open_incident(coordinator, first)
    hotline.do_move_incident(coordinator, incident, "unverified", note="Nobody could go")
    # A drill with its responders alerted: the DRILL marks, the map's counts and its times.
    drill = hotline.do_start_drill(
        coordinator,
        hotline.ReportDetails(
            what_seen="Simulacro en la escuela", place="Koreatown", cell=KOREATOWN
        ),
        language="es",
    )
    Responder.objects.create(
        person=Person.objects.create(full_name="Eusebia Rangel", phone="+12135550145"),
        cell=KOREATOWN,
        eligible=True,
        trained_until=trained,
        vouches=2,
    )
    responders.do_alert_responders(coordinator, drill)
    # A training happening now with one sign-in, and a responder waiting for a second vouch.
    now = timezone.now()
    training = trainings.do_schedule_session(
        coordinator, kind="responder", place="Union hall", starts_at=now,
        ends_at=now + timedelta(hours=3), title="Rapid response basics",
    )  # fmt: skip
    newcomer = Responder.objects.create(
        person=Person.objects.create(full_name="Nayeli Ortega", phone="+12135550146"),
        cell=KOREATOWN,
    )
    trainings.do_mark_attended(coordinator, training, newcomer.person)
    trainings.do_vouch(coordinator, newcomer.person)
    # The assembly: a body with a working group and a member, a meeting with an agenda and a
    # file, and a time poll.
    body = assembly_services.do_create_assembly(
        coordinator, name="Asamblea de Pico-Union", kind="neighborhood", languages=["es", "ko"]
    )
    assembly_services.do_create_assembly(
        coordinator, name="Comisión de Vivienda", kind="working_group", parent=body
    )
    assembly_services.do_add_member(coordinator, body, person)
    assembly_meeting = assembly_services.do_create_meeting(
        coordinator,
        body,
        title="Asamblea de noviembre",
        starts_at=timezone.now() + timedelta(days=5),
        place="Escuela Hoover",
        interpretation_needed=["ko"],
    )
    agenda_item = assembly_services.do_add_agenda_item(
        coordinator, assembly_meeting, title="Brigada", time_box_minutes=15, presenter=person
    )
    assembly_services.do_add_agenda_item(
        coordinator, assembly_meeting, title="Vivienda", time_box_minutes=20
    )
    assembly_services.do_attach_file(
        coordinator,
        assembly_meeting,
        SimpleUploadedFile("orden.txt", b"Orden del dia"),
        agenda_item=agenda_item,
    )
    soon = timezone.now() + timedelta(days=3)
    assembly_poll = assembly_services.do_create_time_poll(
        coordinator,
        body,
        title="Asamblea de diciembre",
        slots=[
            assembly_services.SlotInput(soon),
            assembly_services.SlotInput(soon + timedelta(days=1)),
        ],
    )
    # A meeting in progress: an item on the floor, a progressive stack, interpreters, notes.
    demo_room.populate(random.Random(2016))
    room_meeting = Meeting.objects.latest("id")
    return {
        "room_meeting": room_meeting.id,
        "assembly": body.id,
        "assembly_meeting": assembly_meeting.id,
        "agenda_item": agenda_item.id,
        "time_poll": assembly_poll.id,
        "zone": zone.id,
        "cell": zone.centre_cell,
        "coordinator": coordinator.id,
        "member": member.id,
        "person": person.id,
        "draft": draft.id,
        "sent": sent.id,
        "responder": responder.id,
        "alerted_incident": alerted_incident.id,
        "shift": night.id,
        "report": waiting.id,
        "incident": incident.id,
        "drill": drill.id,
        "training": training.id,
        "vouched": newcomer.person_id,
        "precinct": precinct.id,
        "team_member": captain.id,
        "household": household.id,
    }


def test_a_coordinator_can_use_every_page_on_a_small_phone(
    neighborhood: dict[str, int], server: str, browser: Any, artifacts: Path
) -> None:
    page = browser.new_context(viewport=PHONE, locale="es-MX").new_page()
    page.goto(f"{server}/login/")
    assert page.get_attribute("html", "lang") == "es", "the browser's language, before login"
    page.locator("#id_username").fill("remedios")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{server}/login/code/**")
    code = in_thread(lambda: totp_code(TOTPDevice.objects.get(user_id=neighborhood["coordinator"])))
    page.locator("#id_token").fill(code)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{server}/")

    person, member = neighborhood["person"], neighborhood["member"]
    tour = {
        "home": "/",
        "people": "/people/",
        "person": f"/people/{person}/",
        "person-edit": f"/people/{person}/edit/",
        "person-consent": f"/people/{person}/consent/",
        "person-new": "/people/new/",
        "accounts": "/accounts/",
        "account": f"/accounts/{member}/",
        "account-new": "/accounts/new/",
        "audit": "/audit/",
        "my-account": "/account/",
        "phone-simulator": "/messages/simulator/",
        "broadcasts": "/messages/broadcasts/",
        "broadcast-new": "/messages/broadcasts/new/",
        "broadcast-preview": f"/messages/broadcasts/{neighborhood['draft']}/",
        "broadcast-edit": f"/messages/broadcasts/{neighborhood['draft']}/edit/",
        "broadcast-progress": f"/messages/broadcasts/{neighborhood['sent']}/",
        "gateways": "/messages/gateways/",
        "gateway-edit": "/messages/gateways/twilio/",
        "responders": "/responders/",
        "responder-edit": f"/responders/{neighborhood['responder']}/",
        "incident-responders": f"/responders/incidents/{neighborhood['alerted_incident']}/",
        "shifts": "/shifts/",
        "shifts-calendar": "/shifts/calendar/",
        "rota": "/shifts/rota/",
        "rota-new": "/shifts/rota/new/",
        "rota-shift": f"/shifts/rota/{neighborhood['shift']}/",
        "cover": "/shifts/cover/",
        "fallback": "/shifts/fallback/",
        "map": "/places/",
        "map-settings": "/places/settings/",
        "zones": "/places/zones/",
        "zone-new": "/places/zones/new/",
        "zone-edit": f"/places/zones/{neighborhood['zone']}/",
        "zone-cell": f"/places/zones/{neighborhood['zone']}/cells/{neighborhood['cell']}/",
        "zone-point": f"/places/zones/{neighborhood['zone']}/point/",
        "zone-delete": f"/places/zones/{neighborhood['zone']}/delete/",
        "coverage": "/places/coverage/",
        "coverage-precincts": "/places/coverage/?kind=precinct",
        "precincts": "/places/precincts/",
        "precinct-team": f"/places/precincts/{neighborhood['precinct']}/",
        "team-member": (
            f"/places/precincts/{neighborhood['precinct']}/team/{neighborhood['team_member']}/"
        ),
        "walk-list": f"/places/precincts/{neighborhood['precinct']}/walk-list/",
        "household-delete": (
            f"/places/precincts/{neighborhood['precinct']}/households/"
            f"{neighborhood['household']}/delete/"
        ),
        "console": "/hotline/",
        "report": f"/hotline/reports/{neighborhood['report']}/",
        "incident": f"/hotline/incidents/{neighborhood['incident']}/",
        "incident-alerted": f"/hotline/incidents/{neighborhood['alerted_incident']}/",
        "drill": f"/hotline/incidents/{neighborhood['drill']}/",
        "drill-new": "/hotline/drills/new/",
        "report-new": "/hotline/reports/new/",
        "hotline-texts": "/hotline/texts/",
        "hotline-text-edit": "/hotline/texts/dispatcher_script/ko/",
        "trainings": "/trainings/",
        "training-new": "/trainings/new/",
        "training": f"/trainings/{neighborhood['training']}/?name=a",
        "vouches": "/trainings/vouches/",
        "vouch-chain": f"/trainings/vouches/{neighborhood['vouched']}/chain/",
        "assemblies": "/assembly/",
        "assembly-new": "/assembly/bodies/new/",
        "assembly": f"/assembly/bodies/{neighborhood['assembly']}/",
        "assembly-edit": f"/assembly/bodies/{neighborhood['assembly']}/edit/",
        "assembly-member-add": f"/assembly/bodies/{neighborhood['assembly']}/members/add/",
        "meeting-new": f"/assembly/bodies/{neighborhood['assembly']}/meetings/new/",
        "meeting": f"/assembly/meetings/{neighborhood['assembly_meeting']}/",
        "meeting-edit": f"/assembly/meetings/{neighborhood['assembly_meeting']}/edit/",
        "agenda-item-new": f"/assembly/meetings/{neighborhood['assembly_meeting']}/agenda/add/",
        "agenda-item": f"/assembly/agenda/{neighborhood['agenda_item']}/",
        "attachment-new": f"/assembly/meetings/{neighborhood['assembly_meeting']}/files/add/",
        "time-poll-new": f"/assembly/bodies/{neighborhood['assembly']}/polls/new/",
        "time-poll": f"/assembly/polls/{neighborhood['time_poll']}/",
        "meeting-calendar": "/assembly/calendar/",
        "meeting-room": f"/assembly/meetings/{neighborhood['room_meeting']}/room/",
        "meeting-minutes": f"/assembly/meetings/{neighborhood['room_meeting']}/minutes/",
        "minutes-export": f"/assembly/meetings/{neighborhood['room_meeting']}/minutes/export/",
        "projector": f"/assembly/meetings/{neighborhood['room_meeting']}/projector/",
    }
    for name, path in tour.items():
        page.goto(f"{server}{path}")
        assert page.url == f"{server}{path}", name
        check_page(page, name)
        page.screenshot(path=artifacts / f"coordinator-{name}.png", full_page=True)

    # A form with errors is still accessible: an invalid phone number on the person form.
    page.goto(f"{server}/people/new/")
    page.locator("#id_full_name").fill("Teodora Lozano")
    page.locator("#id_phone").fill("555")
    page.locator("main form button[type=submit]").click()
    assert page.locator("#id_phone_error").is_visible()
    check_page(page, "person-new-error")
    page.screenshot(path=artifacts / "coordinator-person-new-error.png", full_page=True)

    # A new calendar link is shown once, on the answer to the button that made it.
    page.goto(f"{server}/shifts/calendar/")
    page.locator("main form button.primary").click()
    page.wait_for_load_state()
    assert page.locator(".secret code").inner_text().startswith(f"{server}/shifts/feed/")
    check_page(page, "shifts-calendar-new")
    page.screenshot(path=artifacts / "coordinator-shifts-calendar-new.png", full_page=True)
    # A call from the phone simulator shows what the caller heard, each line in its language.
    page.goto(f"{server}/messages/simulator/")
    page.locator("#id_call-keys").select_option("2")
    page.locator("main form:has(#id_call-keys) button[type=submit]").click()
    page.wait_for_selector("ol.transcript")
    assert page.locator("ol.transcript li[lang=es]").count() >= 1
    check_page(page, "phone-simulator-call")
    page.screenshot(path=artifacts / "coordinator-phone-simulator-call.png", full_page=True)
    # A report that cannot be placed, and the number shown on request, are accessible too.
    page.goto(f"{server}/hotline/reports/new/")
    page.locator("#id_what_seen").fill("Agentes en la esquina")
    page.locator("#id_lat").fill("34.06")
    page.locator("main form button[type=submit]").click()
    assert page.locator("#id_place_error").is_visible()
    check_page(page, "report-new-error")
    page.goto(f"{server}/hotline/reports/{neighborhood['report']}/")
    page.locator("button[value=show_caller]").click()
    assert page.locator(".caller a").inner_text() == "(323) 555-0150"
    check_page(page, "report-caller")
    page.screenshot(path=artifacts / "coordinator-report-caller.png", full_page=True)

    # The audit log filter works through htmx: choosing an action swaps only the table.
    page.goto(f"{server}/audit/")
    page.locator("#id_action").select_option(audit.PERSON_VIEWED)
    page.wait_for_url("**action=organizing.person.viewed**")
    assert page.locator("#audit-table tbody tr").count() >= 1
    check_page(page, "audit-filtered")

    # Drawing a zone: selecting a hex outside it adds it, through htmx, without leaving the page.
    page.goto(f"{server}/places/zones/{neighborhood['zone']}/")
    status = page.locator("#zone-map [role=status]")
    before = status.inner_text()
    page.locator("#zone-map a[aria-label^='Add this hex']").first.click()
    page.wait_for_function(
        "before => document.querySelector('#zone-map [role=status]').innerText !== before",
        arg=before,
    )
    assert page.url == f"{server}/places/zones/{neighborhood['zone']}/"
    assert status.inner_text() != before
    check_page(page, "zone-drawn")
    page.screenshot(path=artifacts / "coordinator-zone-drawn.png", full_page=True)
