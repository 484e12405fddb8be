"""A night on the hotline, driven only through webhooks signed as Twilio signs them and the
console's HTTP actions, on a simulated clock.

From 03:00 to 03:10, 20 calls and texts come in about three raids in different parts of town
(Boyle Heights, Pico-Union, Van Nuys) and one rumor (Huntington Park). Three dispatchers on shift
place the reports, group them into incidents, alert responders, who answer by text; one alert
widens; a confirmation comes by phone; the rumor is marked unfounded and corrected. At the end:
three incidents confirmed and one unfounded; broad alerts only for the three; every subscriber in
range got exactly one alert per raid near them, in their language; nobody who texted STOP got
anything; and no caller was told who responded.

The evening before, neighbours joined the alert list by texting JOIN (and a few STOP). What the
provider was asked to deliver (the loopback Twilio's ``received``) is what people "got".
"""

from __future__ import annotations

import json
import re
import uuid
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib import messages
from django.http import HttpResponse
from django.test import Client
from django.utils import timezone as django_timezone

from tests.conftest import MakeAccount, log_in
from tests.messaging.gateways.twilio.fake_twilio import (
    ACCOUNT_SID,
    HOTLINE,
    FakeTwilio,
    TwilioCall,
    signed_post,
)
from tests.messaging.gateways.twilio.test_twilio import twilio
from vecinos.core.choices import Role
from vecinos.core.crypto import keyed_hashes
from vecinos.core.fields import hash_input
from vecinos.hotline import content
from vecinos.hotline.choices import ContentKind, IncidentStatus, ReportChannel
from vecinos.hotline.models import Incident, Report
from vecinos.hotline.services import KYR_REPLY
from vecinos.messaging import outbox
from vecinos.messaging.choices import MessageStatus, SkipReason
from vecinos.messaging.models import InboundMessage, OutboundMessage
from vecinos.organizing.models import Person
from vecinos.places import geo
from vecinos.places.geojson import parse_zones
from vecinos.places.models import Zone
from vecinos.places.services import do_import_zones
from vecinos.responders import broad, texts
from vecinos.responders import services as responders
from vecinos.responders.choices import BroadKind
from vecinos.responders.models import Alerted, BroadRecipient, Responder, Verification
from vecinos.shifts.models import Shift

__all__ = ["twilio"]  # the loopback Twilio fixture

# Every webhook commits as it would in production, so that texts are read after commit.
pytestmark = pytest.mark.django_db(transaction=True)

LOS_ANGELES = ZoneInfo("America/Los_Angeles")
# A Tuesday night, 3 a.m.
START = datetime(2025, 6, 10, 3, 0, tzinfo=LOS_ANGELES)
END = START + timedelta(minutes=10)

# --- The town ------------------------------------------------------------------------------

# Real neighbourhoods of Los Angeles, kilometres apart: (ZIP code, centre latitude, longitude).
# Each zone is a square about 2 km wide around its centre.
ZONES = {
    "Boyle Heights": ("90033", 34.0339, -118.2053),
    "Pico-Union": ("90006", 34.0472, -118.2856),
    "Van Nuys": ("91405", 34.1990, -118.4487),
    "Huntington Park": ("90255", 33.9817, -118.2251),
    "Santa Monica": ("90401", 34.0195, -118.4912),
}

# The dispatchers on the night shift: their phones (rung by calls) and the languages they speak.
DISPATCHERS = {
    "ana": ("+13235550171", ["es", "en"]),
    "minjun": ("+13235550172", ["ko", "en"]),
    "sam": ("+13235550173", ["en"]),
}


@dataclass(frozen=True)
class ResponderSpec:
    phone: str
    zone: str
    ring: int  # 0: in the zone's centre cell; 1: a cell next to it
    language: str


RESPONDERS = {
    "Jacinta Flores": ResponderSpec("+12135557001", "Boyle Heights", 0, "es"),
    "Nicanor Ruiz": ResponderSpec("+12135557002", "Boyle Heights", 0, "es"),
    "Dolores Park": ResponderSpec("+12135557003", "Boyle Heights", 0, "en"),
    "Kang Min-ji": ResponderSpec("+12135557011", "Pico-Union", 0, "ko"),
    "Lee Hyun-woo": ResponderSpec("+12135557012", "Pico-Union", 0, "ko"),
    "Ramón Ortega": ResponderSpec("+12135557013", "Pico-Union", 0, "es"),
    "Tom Becker": ResponderSpec("+18185557021", "Van Nuys", 0, "en"),
    "Grace Okafor": ResponderSpec("+18185557022", "Van Nuys", 1, "en"),
    "Lupe Sandoval": ResponderSpec("+18185557023", "Van Nuys", 1, "es"),
    "Ofelia Cruz": ResponderSpec("+13235557031", "Huntington Park", 0, "es"),
    # Far from every report: never alerted.
    "Walter Wong": ResponderSpec("+13105557041", "Santa Monica", 0, "en"),
}


@dataclass(frozen=True)
class Subscriber:
    """A neighbour on the alert list: what they texted the evening before, their language, the
    raids they must be alerted about and the rumors they must be told were false (by letter)."""

    number: str
    texted: tuple[str, ...]
    language: str
    raids: str = ""
    corrections: str = ""
    stopped: bool = False


SUBSCRIBERS = [
    Subscriber("+13235556001", ("UNIRME 90033",), "es", raids="A"),
    Subscriber("+13235556002", ("JOIN Boyle Heights",), "en", raids="A"),
    Subscriber("+13235556003", ("가입 90033",), "ko", raids="A"),
    # Joined twice for the same place, by ZIP code and by name: still one alert.
    Subscriber("+13235556004", ("UNIRME 90033", "UNIRME Boyle Heights"), "es", raids="A"),
    Subscriber("+13235556005", ("JOIN 90033", "STOP"), "en", stopped=True),
    Subscriber("+12135556101", ("가입 90006",), "ko", raids="B"),
    Subscriber("+12135556102", ("UNIRME Pico-Union",), "es", raids="B"),
    # Texts 중지 (STOP) at the moment Pico-Union's broad alert is queued for her.
    Subscriber("+12135556103", ("가입 90006",), "ko", stopped=True),
    Subscriber("+12135556104", ("JOIN 90006", "JOIN 91405"), "en", raids="BC"),
    Subscriber("+18185556201", ("JOIN Van Nuys",), "en", raids="C"),
    Subscriber("+18185556202", ("UNIRME 91405", "BAJA"), "es", stopped=True),
    Subscriber("+18185556203", ("가입 91405",), "ko", raids="C"),
    Subscriber("+13235556301", ("UNIRME 90255",), "es", corrections="D"),
    Subscriber("+13235556302", ("JOIN Huntington Park",), "en", corrections="D"),
    Subscriber("+13105556401", ("JOIN 90401",), "en"),
    Subscriber("+13105556402", ("UNIRME Santa Monica",), "es"),
    Subscriber("+16265556501", ("JOIN Pasadena",), "en"),  # not an area of this network
]
HYEJIN = "+12135556103"
STOP_WORDS = {"STOP", "BAJA"}

# People who call or text the hotline about what they see: Boyle Heights (A), Pico-Union (B),
# Van Nuys (C), and the rumor in Huntington Park (D).
MARIA, ANDRES, KEVIN = "+13235551001", "+13235551002", "+13235551003"
ROSA, CHRIS = "+13235551004", "+13235551005"
SOOJIN, DAEHO, CARMEN, ESTELA = "+12135552001", "+12135552002", "+12135552003", "+12135552004"
JAKE, BRENDA, MIGUEL, JIWOO = "+18185553001", "+18185553002", "+18185553003", "+18185553004"
TINA, LORENA, ELVIRA, MARK = "+13235554001", "+13235554002", "+13235554003", "+13235554004"


# --- The clock -----------------------------------------------------------------------------


class SimulatedClock:
    """The night's clock: every ``timezone.now()`` reads it, and only the story moves it."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def set(self, when: datetime) -> None:
        assert when >= self.now, "the night's clock only moves forward"
        self.now = when


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> SimulatedClock:
    """Start the clock the evening before the raids.

    It replaces the ``datetime`` that ``django.utils.timezone.now()`` reads rather than ``now``
    itself: model fields hold that function as their default (``default=timezone.now``), so
    patching the name would leave every row's timestamp on the real clock."""
    simulated = SimulatedClock(START - timedelta(hours=7))
    real = datetime

    class _Datetimes(type):
        def __instancecheck__(cls, value: object) -> bool:  # template_localtime asks
            return isinstance(value, real)

    class ClockDatetime(metaclass=_Datetimes):
        @staticmethod
        def now(tz: Any = None) -> datetime:
            return simulated.now.astimezone(tz)

    monkeypatch.setattr(django_timezone, "datetime", ClockDatetime)
    return simulated


# --- The night: phones, the worker, and who sees what --------------------------------------


@dataclass
class Night:
    """The phones of the town (texts and calls to the hotline, through Twilio's webhooks), the
    worker, and what the provider was asked to deliver."""

    clock: SimulatedClock
    twilio: FakeTwilio
    phones: Client

    def at(self, mm_ss: str) -> None:
        """Move the clock to ``mm:ss`` after 3 a.m.; the worker, which runs every few seconds,
        catches up."""
        minutes, seconds = mm_ss.split(":")
        self.clock.set(START + timedelta(minutes=int(minutes), seconds=int(seconds)))
        self.worker()

    def worker(self) -> None:
        """One turn of `vecinos worker`: the widening chore, then everything ready in the outbox."""
        responders.run_alerts(now=self.clock.now)
        while ids := outbox.claim("night-worker", limit=100):
            outbox.deliver_batch(ids, "night-worker")

    def text(self, sender: str, body: str) -> InboundMessage:
        """A text to the hotline's number, as Twilio posts it; returns it as it was read."""
        sid = "SM" + uuid.uuid4().hex
        params = {
            "MessageSid": sid,
            "SmsSid": sid,
            "AccountSid": ACCOUNT_SID,
            "From": sender,
            "To": HOTLINE,
            "Body": body,
            "NumMedia": "0",
            "NumSegments": "1",
            "SmsStatus": "received",
            "ApiVersion": "2010-04-01",
            "FromCity": "LOS ANGELES",
            "FromState": "CA",
            "FromZip": "90033",
        }
        response = signed_post(self.phones, "/hooks/twilio/sms", params)
        assert response.status_code == 200, response.content
        return InboundMessage.objects.get(gateway="twilio", provider_message_id=sid)

    def report_by_text(self, sender: str, body: str) -> Report:
        """A text that opens a report, or joins its sender's open one."""
        message = self.text(sender, body)
        assert message.handled_as == "hotline.report", message.handled_as
        return Report.objects.get(texts__inbound=message)

    def answer(self, responder: str, words: str) -> None:
        """A responder texts the hotline back."""
        message = self.text(RESPONDERS[responder].phone, words)
        assert message.handled_as == responders.REPLY_HANDLER, (responder, words)

    def report_by_call(self, caller: str, key: str, *, answered: bool = True) -> Report:
        """A call: the language menu, the on-shift dispatchers who speak the language ring from
        the hotline's number; one answers, or nobody does and the caller leaves a voicemail."""
        call = TwilioCall(self.phones, caller=caller)
        call.start()
        twiml = call.press(key)
        language = {"1": "en", "2": "es", "3": "ko"}[key]
        dial = call.verb("Dial")
        assert dial.attrib["callerId"] == HOTLINE
        assert [n.text for n in dial.iter("Number")] == [
            phone for _name, (phone, spoken) in sorted(DISPATCHERS.items()) if language in spoken
        ], "every dispatcher on shift who speaks the caller's language, and only they"
        heard = ET.tostring(twiml, encoding="unicode")
        if answered:
            call.dial_ends("completed", seconds=150)
        else:
            call.dial_ends("no-answer")
            heard += ET.tostring(call.twiml, encoding="unicode")
            call.record(seconds=40)
            assert call.recording_ready().status_code == 200
        for responder in RESPONDERS.values():
            assert responder.phone not in heard, "a caller never hears a responder's number"
        report = Report.objects.get(call_id=call.sid)
        assert report.language == language
        return report

    def received(self, number: str) -> list[str]:
        """What the provider was asked to deliver to ``number``, in order."""
        return [form["Body"] for form in self.twilio.received if form["To"] == number]


@dataclass
class Dispatcher:
    """A dispatcher at the console, logged in (password and authenticator code)."""

    name: str
    client: Client

    def post(self, path: str, data: dict[str, Any]) -> HttpResponse:
        """Press a button: the action is taken (a redirect) and no error is shown."""
        response = self.client.post(path, data, follow=True)
        assert response.status_code == 200 and response.redirect_chain, (
            self.name,
            path,
            data,
            response.content.decode()[:2000],
        )
        errors = [str(m) for m in response.context["messages"] if m.level == messages.ERROR]
        assert not errors, (self.name, path, data, errors)
        return response

    def sees_on_console(self, report: Report) -> bool:
        page = self.client.get("/hotline/").content.decode()
        return f"/hotline/reports/{report.id}/" in page

    def claim(self, report: Report) -> None:
        self.post(f"/hotline/reports/{report.id}/", {"action": "claim"})
        report.refresh_from_db()
        assert report.claimed_by is not None and report.claimed_by.username == self.name

    def claim_is_refused(self, report: Report) -> bool:
        response = self.client.post(
            f"/hotline/reports/{report.id}/", {"action": "claim"}, follow=True
        )
        shown = [str(m) for m in response.context["messages"] if m.level == messages.ERROR]
        return shown == [f"{report.claimed_by.display_name} is already calling this person back."]

    def fill_in(self, report: Report, **answers: Any) -> Report:
        """Save the script's answers, the form's other fields as the page shows them."""
        page = self.client.get(f"/hotline/reports/{report.id}/")
        shown = {k: "" if v is None else v for k, v in page.context["form"].initial.items()}
        self.post(f"/hotline/reports/{report.id}/", {**shown, **answers, "action": "save"})
        report.refresh_from_db()
        assert report.cell, f"report #{report.id} is placed on the map"
        return report

    def open_incident(self, report: Report) -> Incident:
        response = self.post(f"/hotline/reports/{report.id}/", {"action": "new_incident"})
        [(location, _status)] = response.redirect_chain
        found = re.fullmatch(r"/hotline/incidents/(\d+)/", location)
        assert found, location
        return Incident.objects.get(id=int(found.group(1)))

    def accept_proposal(self, report: Report, incident: Incident) -> None:
        """The report page proposes the incident nearby; the dispatcher says it is the same."""
        page = self.client.get(f"/hotline/reports/{report.id}/")
        proposed = page.context["report"].proposed_incident
        assert proposed == incident, (report.id, proposed, incident)
        self.post(f"/hotline/reports/{report.id}/", {"action": "join", "incident": incident.id})
        report.refresh_from_db()
        assert report.incident == incident

    def take(self, report: Report, incident: Incident | None = None, **answers: Any) -> Incident:
        """Claim a report, fill in where and what, and open an incident with it, or add it to
        the incident the console proposes."""
        assert self.sees_on_console(report)
        self.claim(report)
        self.fill_in(report, **answers)
        if incident is None:
            return self.open_incident(report)
        self.accept_proposal(report, incident)
        return incident

    def panel(self, incident: Incident) -> str:
        return self.client.get(f"/responders/incidents/{incident.id}/").content.decode()

    def act(self, incident: Incident, action: str, **data: str) -> HttpResponse:
        return self.post(f"/responders/incidents/{incident.id}/", {"action": action, **data})

    def alert_responders(self, incident: Incident) -> None:
        self.act(incident, "alert")

    def confirm_by_phone(self, incident: Incident, responder: str) -> None:
        """A responder phones in what they see: the dispatcher presses "Confirmed by phone" on
        that responder's row."""
        rows = re.findall(
            r"<tr>\s*<th scope=\"row\">(.*?)</th>(.*?)</tr>", self.panel(incident), re.S
        )
        [alerted] = [
            re.search(r'name="alerted" value="(\d+)"', row)
            for name, row in rows
            if name == responder
        ]
        assert alerted is not None
        self.act(incident, "confirm", alerted=alerted.group(1))

    def approve(self, incident: Incident) -> None:
        self.act(incident, "approve")

    def check_broad_alert(self, incident: Incident) -> tuple[int, int]:
        """The preview before sending: the text in every language; returns the numbers it will
        go to and those left out because they texted STOP."""
        page = self.panel(incident)
        assert "Broad alert: check before sending" in page
        for language in ("en", "es", "ko"):
            assert f'<blockquote class="message-text" lang="{language}">' in page
        button = re.search(r"Send the broad alert to (\d+) numbers?", page)
        stopped = re.search(r"Will not be sent: texted STOP</dt><dd>(\d+)", page)
        assert button and stopped, page
        return int(button.group(1)), int(stopped.group(1))

    def send_broad_alert(self, incident: Incident) -> None:
        self.act(incident, "send")

    def timeline(self, incident: Incident) -> str:
        return self.client.get(f"/hotline/incidents/{incident.id}/").content.decode()

    def mark(self, incident: Incident, status: str, note: str) -> None:
        self.post(f"/hotline/incidents/{incident.id}/", {"status": status, "note": note})

    def send_correction(self, incident: Incident) -> None:
        self.act(incident, "correct", audience="area")


# --- Setting the scene ---------------------------------------------------------------------


def import_zones() -> dict[str, Zone]:
    features = []
    for name, (zip_code, lat, lng) in ZONES.items():
        corners = [
            (lat - 0.009, lng - 0.011),
            (lat - 0.009, lng + 0.011),
            (lat + 0.009, lng + 0.011),
            (lat + 0.009, lng - 0.011),
        ]
        ring = [[c_lng, c_lat] for c_lat, c_lng in [*corners, corners[0]]]
        features.append(
            {
                "type": "Feature",
                "properties": {"name": name, "zip": zip_code},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    do_import_zones(
        None, parse_zones(json.dumps({"type": "FeatureCollection", "features": features}))
    )
    return {zone.name: zone for zone in Zone.objects.all()}


def recruit_responders(zones: dict[str, Zone]) -> None:
    """Eligible, available responders, each in one cell of their neighbourhood."""
    for n, (name, spec) in enumerate(RESPONDERS.items()):
        centre = zones[spec.zone].centre_cell
        cell = centre if spec.ring == 0 else geo.rings(centre, 1)[1][n % 6]
        person = Person.objects.create(
            full_name=name,
            phone=spec.phone,
            preferred_language=spec.language,
            languages=[spec.language],
        )
        # Eligible: a current training and two vouches (kept by trainings), and the flag.
        Responder.objects.create(
            person=person,
            cell=cell,
            eligible=True,
            available=True,
            trained_until=django_timezone.now() + timedelta(days=300),
            vouches=2,
        )


def night_shift(make_account: MakeAccount) -> dict[str, Dispatcher]:
    """Ana, Min-jun and Sam on Tuesday's 00:00-08:00 shift, logged in to the console."""
    shift = Shift.objects.create(
        name="Night",
        weekday=START.weekday(),
        starts_at=START.time().replace(hour=0),
        ends_at=START.time().replace(hour=8),
    )
    on_shift = {}
    for name, (phone, languages) in DISPATCHERS.items():
        user = make_account(name, Role.DISPATCHER, display_name=name.title())
        Person.objects.create(
            full_name=name.title(),
            phone=phone,
            languages=languages,
            preferred_language=languages[0],
            account=user,
        )
        shift.dispatchers.add(user)
        on_shift[name] = Dispatcher(name, log_in(Client(), user))
    return on_shift


@pytest.fixture
def night(clock: SimulatedClock, twilio: FakeTwilio, make_account: MakeAccount) -> Night:
    """The town the evening before: zones, responders, the night shift, and the alert list as
    neighbours built it by text (JOIN, and a few STOP)."""
    recruit_responders(import_zones())
    evening = Night(clock, twilio, Client())
    for subscriber in SUBSCRIBERS:
        for body in subscriber.texted:
            message = evening.text(subscriber.number, body)
            assert message.handled_as.startswith("keyword."), message.handled_as
            evening.worker()
    return evening


@pytest.fixture
def dispatchers(night: Night, make_account: MakeAccount) -> dict[str, Dispatcher]:
    return night_shift(make_account)


# --- The night -----------------------------------------------------------------------------


def test_three_raids_and_a_rumor_in_ten_minutes(
    night: Night, dispatchers: dict[str, Dispatcher]
) -> None:
    ana, minjun, sam = dispatchers["ana"], dispatchers["minjun"], dispatchers["sam"]

    # 03:00 — Boyle Heights. María texts in Spanish; Andrés calls and presses 2 for Spanish.
    night.at("00:00")
    a1 = night.report_by_text(
        MARIA,
        "Hay agentes de inmigración en la esquina de 1st y Soto, "
        "en Boyle Heights. Tienen a un señor contra la pared.",
    )
    night.at("00:20")
    a2 = night.report_by_call(ANDRES, "2")
    night.at("00:30")
    b1 = night.report_by_text(SOOJIN, "피코 유니언 버몬트 길에 이민단속 요원들이 있어요")
    night.at("00:40")
    a3 = night.report_by_text(KEVIN, "ICE agents at 1st and Soto, three unmarked SUVs")
    night.at("00:50")
    incident_a = ana.take(
        a1, place="1st St & Soto St, 90033", agency="ice", agents="6 agents, 3 unmarked SUVs"
    )

    # 03:01 — Van Nuys: a call in English rings all three; Sam answers. María texts again.
    night.at("01:00")
    c1 = night.report_by_call(JAKE, "1")
    night.at("01:05")
    assert (
        night.report_by_text(MARIA, "Ya son como seis agentes, y tres camionetas sin placas") == a1
    ), "a second text joins the sender's report"
    night.at("01:10")
    b2 = night.report_by_call(DAEHO, "3")
    night.at("01:15")
    ana.take(
        a2,
        incident_a,
        place="Boyle Heights",
        what_seen="Agentes en Soto, un detenido",
        agency="ice",
    )
    night.at("01:20")
    ana.alert_responders(incident_a)
    night.at("01:25")
    incident_b = minjun.take(b1, place="Vermont Ave & Pico Blvd, 90006", agency="ice")
    night.at("01:30")
    b3 = night.report_by_text(CARMEN, "Migra en Pico-Union, en la calle Hoover cerca de la escuela")
    night.at("01:40")
    c2 = night.report_by_text(BRENDA, "Border Patrol trucks at the car wash on Van Nuys Blvd")
    night.at("01:45")
    incident_c = sam.take(
        c1,
        place="Van Nuys Blvd & Sherman Way, 91405",
        what_seen="Green trucks, agents questioning workers",
        agency="border_patrol",
    )
    night.at("01:50")
    sam.alert_responders(incident_c)  # only Tom lives in that cell
    b4 = night.report_by_call(ESTELA, "2", answered=False)  # Ana is on another call
    night.at("02:00")
    d1 = night.report_by_text(TINA, "ICE at the swap meet in Huntington Park!!")

    # 03:02 — Boyle Heights' responders answer; enough of them are going.
    night.at("02:05")
    night.answer("Jacinta Flores", "si")
    night.answer("Nicanor Ruiz", "voy en camino")
    night.answer("Dolores Park", "yes, 5 min away")
    night.at("02:10")
    ana.take(
        a3,
        incident_a,
        lat=ZONES["Boyle Heights"][1],
        lng=ZONES["Boyle Heights"][2],
        place="Soto St & 1st St",
    )
    night.at("02:15")
    night.answer("Tom Becker", "2")  # can't go
    assert night.report_by_text(SOOJIN, "요원 다섯 명, 흰색 밴 두 대") == b1
    night.at("02:20")
    c3 = night.report_by_text(MIGUEL, "Hay agentes en el lavado de carros de Van Nuys")
    night.at("02:30")
    d2 = night.report_by_text(LORENA, "Dicen que hay migra en el swap meet de Huntington Park")
    night.at("02:35")
    minjun.take(b2, incident_b, place="Pico-Union", what_seen="요원 다섯 명", agency="ice")
    night.at("02:40")
    minjun.alert_responders(incident_b)
    c4 = night.report_by_call(JIWOO, "3")
    night.at("02:45")
    a6 = night.report_by_call(CHRIS, "1")
    night.at("02:50")
    incident_d = sam.take(d1, place="Swap meet on Pacific Blvd, Huntington Park", agency="ice")
    sam.alert_responders(incident_d)

    # 03:03 — more reports; the first confirmation comes from the scene.
    night.at("03:00")
    d3 = night.report_by_call(ELVIRA, "2")
    night.at("03:10")
    assert night.report_by_text(BRENDA, "They are detaining two men by the car wash") == c2
    night.at("03:15")
    night.answer("Kang Min-ji", "네")
    night.answer("Ramón Ortega", "no puedo")
    night.at("03:20")
    minjun.take(b3, incident_b, place="Hoover St, 90006", agency="ice")
    night.at("03:30")
    ana.take(b4, incident_b, place="Pico-Union", what_seen="Mensaje de voz: agentes en Hoover")
    night.at("03:40")
    sam.take(c2, incident_c, place="Car wash on Van Nuys Blvd, 91405", agency="border_patrol")
    sam.take(c3, incident_c, place="Van Nuys")
    night.at("03:45")
    night.answer("Jacinta Flores", "llegue")
    night.at("03:50")
    night.answer("Jacinta Flores", "confirmo, 6 agentes de ICE y 3 camionetas")

    # 03:04 — Boyle Heights is confirmed and announced; the rumor is checked.
    night.at("04:00")
    d4 = night.report_by_call(MARK, "1")
    night.answer("Ofelia Cruz", "si")
    night.at("04:10")
    ana.approve(incident_a)
    assert ana.check_broad_alert(incident_a) == (4, 1)
    night.at("04:15")
    ana.send_broad_alert(incident_a)
    assert "Broad alert sent to 4 numbers." in ana.timeline(incident_a)
    night.at("04:20")
    night.answer("Kang Min-ji", "도착")
    night.at("04:30")
    night.answer("Ofelia Cruz", "no hay nada, solo el swap meet de siempre")
    minjun.take(c4, incident_c, place="Van Nuys", what_seen="트럭과 요원들")
    night.at("04:40")
    minjun.confirm_by_phone(incident_b, "Kang Min-ji")
    night.at("04:45")
    ana.take(a6, incident_a, place="Market on Soto St, Boyle Heights", agency="ice")
    assert sam.claim_is_refused(a6), "Ana is calling that person back"
    for report in (d2, d3, d4):
        sam.take(report, incident_d, place="Huntington Park")

    # 03:05 — the rumor is unfounded and corrected; Pico-Union is confirmed and announced, as
    # Hye-jin, one of its subscribers, texts STOP.
    night.at("05:00")
    sam.mark(incident_d, IncidentStatus.UNFOUNDED, "Responder on site: an ordinary swap meet")
    night.at("05:10")
    sam.send_correction(incident_d)
    night.at("05:20")
    minjun.approve(incident_b)
    assert minjun.check_broad_alert(incident_b) == (4, 0)
    night.at("05:30")
    minjun.send_broad_alert(incident_b)
    assert "Broad alert sent to 4 numbers." in minjun.timeline(incident_b)
    assert night.text(HYEJIN, "중지").handled_as == "keyword.stop"

    # 03:06 — a late text about Boyle Heights joins its confirmed incident.
    night.at("06:00")
    a5 = night.report_by_text(ROSA, "La migra sigue en Soto y 1ra, ahora hay más patrullas")
    night.at("06:10")
    ana.take(a5, incident_a, place="1st St & Soto St, 90033")

    # 03:06:50 — nobody said YES in Van Nuys for five minutes: the alert widens to the next ring.
    night.at("06:50")
    alert_c = incident_c.responder_alert
    alert_c.refresh_from_db()
    assert alert_c.ring == 1
    night.at("07:00")
    night.answer("Grace Okafor", "1")
    night.at("07:05")
    night.answer("Lupe Sandoval", "voy")
    night.at("07:30")
    night.answer("Grace Okafor", "3")
    night.at("07:50")
    night.answer("Grace Okafor", "4 two men detained")
    night.at("08:00")
    sam.approve(incident_c)
    assert sam.check_broad_alert(incident_c) == (3, 1)
    night.at("08:10")
    sam.send_broad_alert(incident_c)
    assert "Broad alert sent to 3 numbers." in sam.timeline(incident_c)
    night.at("09:00")
    assert night.clock.now <= END

    raids = {"A": incident_a, "B": incident_b, "C": incident_c}
    the_calls_and_texts_were_twenty_in_four_incidents(raids, incident_d)
    three_are_confirmed_and_one_is_unfounded(raids, incident_d)
    only_the_raids_reached_the_alert_list(raids, incident_d)
    each_subscriber_got_one_alert_per_raid_near_them_in_their_language(night, raids, incident_d)
    nobody_who_texted_stop_got_anything(night, raids)
    every_texter_was_told_their_rights_in_their_language(night)
    callers_never_learned_who_responded(night)
    it_all_happened_within_ten_minutes()
    only_responders_near_a_report_were_alerted()


# --- What must be true at the end ----------------------------------------------------------


def the_calls_and_texts_were_twenty_in_four_incidents(
    raids: dict[str, Incident], rumor: Incident
) -> None:
    reports = Report.objects.all()
    texts_in = sum(report.texts.count() for report in reports)
    calls_in = reports.exclude(call_id="").count()
    assert (texts_in, calls_in) == (12, 8)
    assert not reports.filter(incident__isnull=True).exists(), "every report was placed"
    per_incident = Counter(reports.values_list("incident_id", flat=True))
    assert per_incident == {raids["A"].id: 5, raids["B"].id: 4, raids["C"].id: 4, rumor.id: 4}
    assert Incident.objects.count() == 4
    voicemails = reports.filter(channel=ReportChannel.VOICEMAIL)
    assert [r.incident_id for r in voicemails] == [raids["B"].id]


def three_are_confirmed_and_one_is_unfounded(raids: dict[str, Incident], rumor: Incident) -> None:
    for incident in raids.values():
        incident.refresh_from_db()
        assert incident.status == IncidentStatus.CONFIRMED
        steps = list(incident.steps.order_by("at", "id").values_list("status", flat=True))
        path = [s for i, s in enumerate(steps) if i == 0 or s != steps[i - 1]]
        assert path == [
            IncidentStatus.REPORTED,
            IncidentStatus.RESPONDERS_ALERTED,
            IncidentStatus.ON_SCENE,
            IncidentStatus.CONFIRMED,
        ], (incident.id, steps)
        assert broad.confirmations(incident) == 1
    rumor.refresh_from_db()
    assert rumor.status == IncidentStatus.UNFOUNDED
    assert rumor.steps.filter(note__contains="says the report is false").exists()
    # Pico-Union's confirmation came by phone, written down by Min-jun.
    phoned = Alerted.objects.get(incident=raids["B"], confirmed_at__isnull=False)
    assert phoned.confirmed_by is not None and phoned.confirmed_by.username == "minjun"


def only_the_raids_reached_the_alert_list(raids: dict[str, Incident], rumor: Incident) -> None:
    announced = Verification.objects.filter(broad_sent_at__isnull=False)
    assert {v.incident_id for v in announced} == {i.id for i in raids.values()}
    alerted = BroadRecipient.objects.filter(kind=BroadKind.ALERT)
    assert set(alerted.values_list("incident_id", flat=True)) == {i.id for i in raids.values()}
    assert not BroadRecipient.objects.filter(incident=rumor, kind=BroadKind.ALERT).exists()
    assert (
        not OutboundMessage.objects.filter(kind=broad.OUTBOX_KINDS[BroadKind.ALERT])
        .filter(status=MessageStatus.QUEUED)
        .exists()
    ), "every broad alert was handed over"


# Words that only the text in that language has.
IN_LANGUAGE = {
    BroadKind.ALERT: {"en": "signed by a judge", "es": "firmada por un juez", "ko": "판사"},
    BroadKind.CORRECTION: {"en": "it was false", "es": "era falso", "ko": "사실이 아니었습니다"},
}


def incident_of(message: OutboundMessage) -> int:
    return Verification.objects.get(broadcasts=message.broadcast_id).incident_id


def each_subscriber_got_one_alert_per_raid_near_them_in_their_language(
    night: Night, raids: dict[str, Incident], rumor: Incident
) -> None:
    handed = {(form["To"], form["Body"]) for form in night.twilio.received}
    for subscriber in SUBSCRIBERS:
        for kind, expected in (
            (BroadKind.ALERT, subscriber.raids),
            (BroadKind.CORRECTION, subscriber.corrections),
        ):
            sent = OutboundMessage.objects.filter(
                address_hash__in=hashes(subscriber.number),
                kind=broad.OUTBOX_KINDS[kind],
                status=MessageStatus.SENT,
            )
            by_incident = Counter(incident_of(m) for m in sent)
            wanted = [raids.get(letter, rumor) for letter in expected]
            assert by_incident == Counter(i.id for i in wanted), (subscriber, kind)
            for message in sent:
                incident = Incident.objects.get(id=incident_of(message))
                assert message.language == subscriber.language
                assert IN_LANGUAGE[kind][subscriber.language] in message.body
                build = texts.broad_alert if kind == BroadKind.ALERT else texts.correction
                assert message.body == build(subscriber.language, responders.about(incident))
                assert (subscriber.number, message.body) in handed, "it reached the provider"
        if not subscriber.stopped:
            # Nothing else: those out of range got only the answers to their JOIN texts.
            told = len(subscriber.texted) + len(subscriber.raids) + len(subscriber.corrections)
            assert len(night.received(subscriber.number)) == told, subscriber


def nobody_who_texted_stop_got_anything(night: Night, raids: dict[str, Incident]) -> None:
    for subscriber in SUBSCRIBERS:
        if subscriber.stopped:
            # The answers to their JOIN texts, then to their STOP ("text START to..."); no more.
            joins = [body for body in subscriber.texted if body not in STOP_WORDS]
            got = night.received(subscriber.number)
            assert len(got) == len(joins) + 1, (subscriber, got)
            assert "START" in got[-1], got[-1]
    # Hye-jin's alert was queued before her STOP and dropped when the worker re-checked.
    [dropped] = OutboundMessage.objects.filter(
        address_hash__in=hashes(HYEJIN), kind=broad.OUTBOX_KINDS[BroadKind.ALERT]
    )
    assert (dropped.status, dropped.skip_reason) == (MessageStatus.SKIPPED, SkipReason.OPTED_OUT)
    assert incident_of(dropped) == raids["B"].id
    # The others had stopped before: the broad alerts recorded them as not sent.
    skipped = BroadRecipient.objects.filter(kind=BroadKind.ALERT, skip_reason=SkipReason.OPTED_OUT)
    assert sorted(r.incident_id for r in skipped) == sorted([raids["A"].id, raids["C"].id])


def every_texter_was_told_their_rights_in_their_language(night: Night) -> None:
    expected = {
        MARIA: "es",
        KEVIN: "en",
        ROSA: "es",
        SOOJIN: "ko",
        CARMEN: "es",
        BRENDA: "en",
        MIGUEL: "es",
        TINA: "en",
        LORENA: "es",
    }
    for number, language in expected.items():
        [reply] = OutboundMessage.objects.filter(address_hash__in=hashes(number), kind=KYR_REPLY)
        assert reply.language == language
        assert reply.status == MessageStatus.SENT
        assert night.received(number) == [reply.body], "one reply, however many texts"
        rights = {"en": "signed by a judge", "es": "firmada por un juez", "ko": "판사"}[language]
        assert rights in reply.body
        assert reply.body == content.current(ContentKind.TEXT_REPLY, language).body


def callers_never_learned_who_responded(night: Night) -> None:
    callers = {report.caller for report in Report.objects.all()}
    assert len(callers) == 17
    secrets = [*RESPONDERS, *(spec.phone[-7:] for spec in RESPONDERS.values())]
    for caller in callers:
        for body in night.received(caller):
            assert not any(secret in body for secret in secrets), (caller, body)
    for spec in RESPONDERS.values():
        for body in night.received(spec.phone):
            assert not any(caller[-7:] in body for caller in callers), "nor responders who called"


def only_responders_near_a_report_were_alerted() -> None:
    alerted = {row.responder.person.full_name for row in Alerted.objects.all()}
    assert alerted == set(RESPONDERS) - {"Walter Wong"}


def it_all_happened_within_ten_minutes() -> None:
    moments = [
        *Report.objects.values_list("received_at", flat=True),
        *Incident.objects.values_list("opened_at", flat=True),
        *(step.at for incident in Incident.objects.all() for step in incident.steps.all()),
        *Verification.objects.exclude(broad_sent_at=None).values_list("broad_sent_at", flat=True),
        *InboundMessage.objects.filter(received_at__gte=START).values_list(
            "received_at", flat=True
        ),
        *OutboundMessage.objects.exclude(sent_at=None)
        .filter(created_at__gte=START)
        .values_list("sent_at", flat=True),
    ]
    assert all(m is not None and START <= m <= END for m in moments), (min(moments), max(moments))


def hashes(number: str) -> list[str]:
    return keyed_hashes(hash_input(number, "phone"), "phone")
