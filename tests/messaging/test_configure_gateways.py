"""The gateways page: coordinators set gateways, sender numbers and secrets there (sealed), change
the failover order, and see problems; everyone else is refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from twilio.request_validator import RequestValidator

from tests.messaging.gateways.twilio.fake_twilio import ACCOUNT_SID, AUTH_TOKEN
from vecinos.core.models import AuditEvent, User
from vecinos.messaging.choices import Channel, GatewayProblemKind
from vecinos.messaging.gateways import config, gateway_for
from vecinos.messaging.models import GatewayHealth, GatewayProblem, GatewaySetup, SenderNumber

pytestmark = pytest.mark.django_db
LoggedIn = Callable[[User], Client]


@pytest.fixture
def environment(settings: Any) -> None:
    settings.VECINOS_PHONE_GATEWAYS = ["twilio", "simulator"]
    settings.VECINOS_TWILIO_ACCOUNT_SID = ACCOUNT_SID
    settings.VECINOS_TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.VECINOS_TWILIO_FROM = ["+12135550100", "+18005550100"]
    settings.VECINOS_TWILIO_API_BASE = "http://127.0.0.1:9"


def raw_secrets(name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT secrets FROM messaging_gatewaysetup WHERE name = %s", [name])
        return str(cursor.fetchone()[0])


def test_the_page_lists_the_environment_s_gateways_until_they_are_copied(
    environment: None, coordinator: User, logged_in: LoggedIn
) -> None:
    client = logged_in(coordinator)
    page = client.get("/messages/gateways/").content.decode()
    assert "Set by the server" in page and "+18005550100" in page
    assert "180 segments a minute" in page, "a toll-free number's default pace is shown"
    assert AUTH_TOKEN not in page

    response = client.post("/messages/gateways/", {"action": "import"})
    assert response.status_code == 302
    assert list(GatewaySetup.objects.values_list("name", flat=True)) == ["twilio", "simulator"]
    assert AUTH_TOKEN not in raw_secrets("twilio"), "secrets are sealed at rest"
    setup = config.load()
    assert setup.source == config.DATABASE
    twilio = setup.get("twilio")
    assert twilio is not None and twilio.option("auth_token") == AUTH_TOKEN
    assert [s.number for s in twilio.senders] == ["+12135550100", "+18005550100"]
    events = AuditEvent.objects.filter(action="messaging.gateway.changed")
    assert events.count() == 2
    assert AUTH_TOKEN not in str(list(events.values_list("detail", flat=True)))

    page = client.get("/messages/gateways/").content.decode()
    assert "Set by the server" not in page and AUTH_TOKEN not in page


def test_an_empty_secret_keeps_the_saved_one_and_a_new_one_replaces_it(
    environment: None, coordinator: User, logged_in: LoggedIn
) -> None:
    client = logged_in(coordinator)
    client.post("/messages/gateways/", {"action": "import"})
    form = client.get("/messages/gateways/twilio/").content.decode()
    assert AUTH_TOKEN not in form and "Leave empty to keep it" in form
    fields = {
        "enabled": "on",
        "account_sid": ACCOUNT_SID,
        "auth_token": "",
        "api_base": "http://127.0.0.1:9",
        "senders": "+12135550100 120 2000\n+12135550101",
    }
    assert client.post("/messages/gateways/twilio/", fields).status_code == 302
    twilio = config.load().get("twilio")
    assert twilio is not None and twilio.option("auth_token") == AUTH_TOKEN
    paces = {s.number: (s.per_minute, s.per_day) for s in twilio.senders}
    assert paces == {"+12135550100": (120, 2000), "+12135550101": (60, 6000)}

    client.post("/messages/gateways/twilio/", {**fields, "auth_token": "a-new-token"})
    twilio = config.load().get("twilio")
    assert twilio is not None and twilio.option("auth_token") == "a-new-token"
    [latest] = AuditEvent.objects.filter(action="messaging.gateway.changed").order_by("-id")[:1]
    assert latest.detail["changed"] == ["auth_token"]


@pytest.mark.parametrize(
    ("senders", "error"),
    [
        ("+12135550100 fast", "Line 1: a sender number, then up to two whole numbers above zero."),
        ("+12135550100\nnot-a-number", "Line 2: not-a-number is not a phone number."),
        ("+12135550100\n+12135550100", "Line 2: +12135550100 is listed twice."),
        ("+12135550100 0", "Line 1: a sender number, then up to two whole numbers above zero."),
    ],
)
def test_bad_sender_lines_are_refused_with_their_line(
    environment: None, coordinator: User, logged_in: LoggedIn, senders: str, error: str
) -> None:
    client = logged_in(coordinator)
    client.post("/messages/gateways/", {"action": "import"})
    response = client.post(
        "/messages/gateways/twilio/",
        {"enabled": "on", "account_sid": ACCOUNT_SID, "api_base": "http://x", "senders": senders},
    )
    assert response.status_code == 200
    assert error in response.content.decode()
    assert SenderNumber.objects.filter(gateway__name="twilio").count() == 2  # unchanged


def test_the_failover_order_and_switching_a_gateway_off_decide_what_carries_texts(
    environment: None, coordinator: User, logged_in: LoggedIn
) -> None:
    client = logged_in(coordinator)
    client.post("/messages/gateways/", {"action": "import"})
    assert gateway_for(Channel.SMS).name == "twilio"  # type: ignore[union-attr]
    client.post("/messages/gateways/", {"action": "down", "name": "twilio"})
    assert gateway_for(Channel.SMS).name == "simulator"  # type: ignore[union-attr]
    client.post("/messages/gateways/simulator/", {"action": "remove"})
    assert gateway_for(Channel.SMS).name == "twilio"  # type: ignore[union-attr]
    client.post(
        "/messages/gateways/twilio/",
        {"account_sid": ACCOUNT_SID, "api_base": "http://x", "senders": "+12135550100"},
    )  # "enabled" left unticked
    assert gateway_for(Channel.SMS) is None


def test_saving_a_gateway_while_the_environment_is_in_force_keeps_the_environment_s(
    environment: None, coordinator: User, logged_in: LoggedIn
) -> None:
    client = logged_in(coordinator)
    form = client.get("/messages/gateways/twilio/").content.decode()
    assert "come from the server" in form and ACCOUNT_SID in form and AUTH_TOKEN not in form
    response = client.post(
        "/messages/gateways/kannel/",
        {
            "enabled": "on",
            "sendsms_url": "http://127.0.0.1:13013/cgi-bin/sendsms",
            "username": "vecinos",
            "secret": "kannel-secret",
            "senders": "+12135550150",
        },
    )
    assert response.status_code == 302
    assert [g.name for g in config.load().gateways] == ["twilio", "simulator", "kannel"]
    twilio = config.load().get("twilio")
    assert twilio is not None and twilio.option("auth_token") == AUTH_TOKEN
    assert client.get("/messages/gateways/nonsense/").status_code == 404


def test_a_coordinator_adds_an_e_mail_gateway_on_a_fresh_server(
    settings: Any, coordinator: User, logged_in: LoggedIn
) -> None:
    settings.VECINOS_PHONE_GATEWAYS = []
    client = logged_in(coordinator)
    assert "No gateway is configured" in client.get("/messages/gateways/").content.decode()
    response = client.post("/messages/gateways/", {"action": "add", "name": "email"})
    assert response["Location"] == "/messages/gateways/email/"
    response = client.post(
        "/messages/gateways/email/",
        {"enabled": "on", "host": "127.0.0.1", "port": "twenty-five", "tls": "on"},
    )
    assert "Enter a port number." in response.content.decode()
    client.post(
        "/messages/gateways/email/",
        {
            "enabled": "on",
            "host": "127.0.0.1",
            "port": "2525",
            "password": "smtp-password-on-the-page",
        },
    )
    email = config.load().get("email")
    assert email is not None and email.option("port") == "2525"
    assert email.option("tls") == "false", "an unticked box turns STARTTLS off"
    assert "smtp-password-on-the-page" not in raw_secrets("email")
    assert gateway_for(Channel.EMAIL) is not None and gateway_for(Channel.SMS) is None


def test_a_coordinator_sees_and_resolves_a_gateway_problem(
    environment: None, coordinator: User, logged_in: LoggedIn
) -> None:
    GatewayHealth.objects.create(name="twilio", failures=7, last_error="503: down")
    problem = GatewayProblem.objects.create(
        gateway="twilio",
        kind=GatewayProblemKind.FAILING,
        failures=7,
        error="503: down",
        failed_over_to="x",
    )
    client = logged_in(coordinator)
    page = client.get("/messages/gateways/").content.decode()
    assert (
        "7 failures in a row; the last: 503: down" in page and "Messages now go through x." in page
    )
    client.post("/messages/gateways/", {"action": "resolve", "problem": str(problem.id)})
    problem.refresh_from_db()
    assert problem.resolved_at is not None
    assert GatewayHealth.objects.get(name="twilio").failures == 0
    assert AuditEvent.objects.filter(action="messaging.gateway.problem_resolved").count() == 1
    assert client.post("/messages/gateways/", {"action": "explode"}).status_code == 400


@pytest.mark.parametrize("persona", ["outsider", "organizer", "dispatcher", "responder"])
def test_only_coordinators_may_see_or_change_gateways(
    environment: None, persona: str, request: pytest.FixtureRequest, logged_in: LoggedIn
) -> None:
    client = logged_in(request.getfixturevalue(persona))
    assert client.get("/messages/gateways/").status_code == 403
    assert client.post("/messages/gateways/", {"action": "import"}).status_code == 403
    assert client.get("/messages/gateways/twilio/").status_code == 403
    assert client.post("/messages/gateways/twilio/", {"account_sid": "x"}).status_code == 403
    assert not GatewaySetup.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="messaging.gateway").exists()


def test_twilio_webhooks_are_checked_against_the_token_saved_on_the_page(
    environment: None, coordinator: User, logged_in: LoggedIn, settings: Any
) -> None:
    settings.PUBLIC_URL = "https://vecinos.example.org"
    client = logged_in(coordinator)
    client.post("/messages/gateways/", {"action": "import"})
    client.post(
        "/messages/gateways/twilio/",
        {
            "enabled": "on",
            "account_sid": ACCOUNT_SID,
            "auth_token": "the-token-on-the-page",
            "api_base": "http://x",
            "senders": "+12135550100",
        },
    )
    params = {"MessageSid": "SM1", "From": "+13235550111", "To": "+12135550100", "Body": "hola"}
    url = "https://vecinos.example.org/hooks/twilio/sms"

    def post(token: str) -> int:
        signature = RequestValidator(token).compute_signature(url, params)
        return (
            Client()
            .post("/hooks/twilio/sms", params, HTTP_X_TWILIO_SIGNATURE=signature)
            .status_code
        )

    assert post(AUTH_TOKEN) == 403, "the environment's token no longer counts"
    assert post("the-token-on-the-page") == 200
