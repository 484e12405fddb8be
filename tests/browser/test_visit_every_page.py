"""A coordinator on a 360px phone walks through every page: each passes axe and fits the width."""

from __future__ import annotations

from collections.abc import Callable
from datetime import time, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.browser.test_log_in_as_dispatcher import PHONE, check_page, in_thread
from tests.conftest import PASSWORD, totp_code
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
from vecinos.places.models import Zone
from vecinos.places.services import do_import_zones
from vecinos.responders import broad as responders_broad
from vecinos.responders import services as responders
from vecinos.responders.models import Alerted, Responder
from vecinos.shifts.models import Shift
from vecinos.shifts.services import do_add_fallback, do_offer_swap

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
    responder = Responder.objects.create(person=person, cell=KOREATOWN, eligible=True)
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
    )
    responders.do_alert_responders(coordinator, drill)
    return {
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
        "console": "/hotline/",
        "report": f"/hotline/reports/{neighborhood['report']}/",
        "incident": f"/hotline/incidents/{neighborhood['incident']}/",
        "incident-alerted": f"/hotline/incidents/{neighborhood['alerted_incident']}/",
        "drill": f"/hotline/incidents/{neighborhood['drill']}/",
        "drill-new": "/hotline/drills/new/",
        "report-new": "/hotline/reports/new/",
        "hotline-texts": "/hotline/texts/",
        "hotline-text-edit": "/hotline/texts/dispatcher_script/ko/",
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
