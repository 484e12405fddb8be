"""The JSON API: the console's actions for partner tools, with the same rules as the pages."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from tests.conftest import log_in
from vecinos.api import services as tokens
from vecinos.api.models import ApiToken
from vecinos.core.models import AuditEvent, User
from vecinos.hotline.choices import IncidentStatus, ReportStatus
from vecinos.hotline.models import Incident, Report

pytestmark = pytest.mark.django_db


class Api:
    """A client that speaks JSON with a bearer token, as a partner's script would."""

    def __init__(self, token: str) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"/api/v1{path}", params, headers=self.headers)

    def post(self, path: str, body: object = None) -> Any:
        return self.client.post(
            f"/api/v1{path}",
            json.dumps(body if body is not None else {}),
            content_type="application/json",
            headers=self.headers,
        )


def api_as(user: User, issuer: User) -> Api:
    _row, token = tokens.do_issue_token(issuer, user, "script")
    return Api(token)


REPORT = {
    "what_seen": "Three unmarked vans outside the laundromat",
    "place": "Cesar Chavez Ave & Soto St",
    "lat": 34.0403,
    "lng": -118.2050,
    "agency": "ice",
    "warrant": "none",
    "people_detained": 2,
    "language": "es",
}


def test_the_schema_describes_every_console_action() -> None:
    response = Client().get("/api/v1/schema")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    paths = set(schema["paths"])
    assert {
        "/api/v1/reports",
        "/api/v1/reports/{report_id}",
        "/api/v1/reports/{report_id}/claim",
        "/api/v1/reports/{report_id}/incident",
        "/api/v1/reports/{report_id}/caller",
        "/api/v1/incidents",
        "/api/v1/incidents/{incident_id}/steps",
    } <= paths
    assert "bearer" in json.dumps(schema["components"]["securitySchemes"]).lower()


def test_no_token_a_wrong_one_a_revoked_one_and_a_deactivated_account_are_refused(
    dispatcher: User, coordinator: User
) -> None:
    assert Api("").get("/reports").status_code == 401
    assert Api("vec_not-a-real-token").get("/reports").status_code == 401
    assert Api("x" * 5000).get("/reports").status_code == 401
    row, token = tokens.do_issue_token(coordinator, dispatcher, "script")
    assert Api(token).get("/reports").status_code == 200
    assert tokens.do_revoke_token(coordinator, row.id)
    assert Api(token).get("/reports").status_code == 401
    _row, other = tokens.do_issue_token(coordinator, dispatcher, "other")
    dispatcher.is_active = False
    dispatcher.save(update_fields=["is_active"])
    assert Api(other).get("/reports").status_code == 401


def test_only_a_digest_of_the_token_is_stored(dispatcher: User, coordinator: User) -> None:
    row, token = tokens.do_issue_token(coordinator, dispatcher, "script")
    stored = json.dumps(list(ApiToken.objects.values()), default=str)
    assert token not in stored and row.prefix == token[:10]


def test_a_token_can_do_only_what_its_account_can(organizer: User, coordinator: User) -> None:
    api = api_as(organizer, coordinator)
    assert api.get("/reports").status_code == 403
    assert api.post("/reports", REPORT).status_code == 403
    assert not Report.objects.exists()


def test_a_dispatcher_script_runs_a_report_through_to_resolution(
    dispatcher: User, coordinator: User, make_account: Any
) -> None:
    api = api_as(dispatcher, coordinator)
    filed = api.post("/reports", REPORT)
    assert filed.status_code == 201, filed.content
    report = filed.json()
    assert report["cell"] and report["agency"] == "ice" and report["people_detained"] == 2
    assert api.get("/reports").json()[0]["id"] == report["id"]
    assert api.get(f"/reports/{report['id']}").json()["what_seen"] == REPORT["what_seen"]

    # Two dispatchers cannot both call the same person back.
    assert api.post(f"/reports/{report['id']}/claim").json() == {
        "claimed": True,
        "claimed_by": str(dispatcher),
    }
    other = api_as(make_account("dispatcher2", "dispatcher"), coordinator)
    refused = other.post(f"/reports/{report['id']}/claim")
    assert refused.status_code == 409 and refused.json()["claimed_by"] == str(dispatcher)

    opened = api.post(f"/reports/{report['id']}/incident", {"incident_id": None}).json()
    second = api.post("/reports", {**REPORT, "what_seen": "Same vans, now on Soto"}).json()
    assert second["proposed_incident_id"] == opened["id"]
    merged = api.post(f"/reports/{second['id']}/incident", {"incident_id": opened["id"]})
    assert sorted(merged.json()["report_ids"]) == sorted([report["id"], second["id"]])
    again = api.post(f"/reports/{second['id']}/incident", {"incident_id": opened["id"]})
    assert again.status_code == 409

    steps = f"/incidents/{opened['id']}/steps"
    assert api.post(steps, {"status": "on_scene"}).status_code == 409
    assert api.post(steps, {"status": "confirmed"}).status_code == 409
    assert api.post(steps, {"status": "responders_alerted"}).status_code == 200
    resolved = api.post(steps, {"status": "resolved", "note": "agents left"}).json()
    timeline = [s["status"] for s in resolved["steps"]]
    assert timeline == ["reported", "responders_alerted", "resolved"]
    assert resolved["steps"][-1]["by"] == str(dispatcher) and resolved["closed_at"]
    assert Report.objects.filter(status=ReportStatus.CLOSED).count() == 2
    assert api.get("/incidents").json() == []
    assert api.get("/incidents", open=False).json()[0]["status"] == IncidentStatus.RESOLVED


def test_reading_a_callers_number_is_audited(dispatcher: User, coordinator: User) -> None:
    report = Report.objects.create(channel="text", language="es", caller="+13235550150")
    api = api_as(dispatcher, coordinator)
    assert "caller" not in api.get(f"/reports/{report.id}").json()
    assert api.get(f"/reports/{report.id}/caller").json() == {"caller": "+13235550150"}
    [event] = AuditEvent.objects.filter(action="hotline.report.caller_viewed")
    assert event.actor == dispatcher and event.target_id == str(report.id)
    assert "3235550150" not in json.dumps(event.detail)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {**REPORT, "what_seen": ""},
        {**REPORT, "lat": 123.0},
        {**REPORT, "agency": "the army"},
        {**REPORT, "language": "fr"},
        {**REPORT, "people_detained": -1},
        {**REPORT, "what_seen": "x" * 6000},
    ],
)
def test_bad_reports_get_a_clear_error_and_store_nothing(
    body: dict[str, object], dispatcher: User, coordinator: User
) -> None:
    response = api_as(dispatcher, coordinator).post("/reports", body)
    assert response.status_code == 422
    assert response.json()["detail"]
    assert not Report.objects.exists()


def test_malformed_json_is_refused(dispatcher: User, coordinator: User) -> None:
    api = api_as(dispatcher, coordinator)
    response = api.client.post(
        "/api/v1/reports", "{not json", content_type="application/json", headers=api.headers
    )
    assert response.status_code in (400, 422)
    assert not Report.objects.exists()


def test_unknown_records_are_404(dispatcher: User, coordinator: User) -> None:
    api = api_as(dispatcher, coordinator)
    assert api.get("/reports/999").status_code == 404
    assert api.post("/incidents/999/steps", {"status": "resolved"}).status_code == 404
    assert not Incident.objects.exists()


def test_coordinators_issue_and_revoke_tokens_on_a_page(
    coordinator: User, dispatcher: User
) -> None:
    client = log_in(Client(), coordinator)
    page = client.post("/api/tokens/", {"account": dispatcher.id, "name": "legal tool"})
    assert page.status_code == 200
    row = ApiToken.objects.get()
    shown = page.content.decode()
    assert "vec_" in shown and row.prefix in shown
    # Shown once: the list afterwards has only the prefix.
    assert "Copy it now" not in client.get("/api/tokens/").content.decode()
    client.post("/api/tokens/", {"revoke": str(row.id)})
    row.refresh_from_db()
    assert row.revoked_at and row.revoked_by == coordinator
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"api.token.issued", "api.token.revoked"} <= actions
    assert log_in(Client(), dispatcher).get("/api/tokens/").status_code == 403


def test_every_operation_refuses_an_account_without_the_capability(
    member: User, coordinator: User
) -> None:
    """Walks the schema, so an endpoint added later without a capability check fails here."""
    api = api_as(member, coordinator)
    schema = Client().get("/api/v1/schema").json()
    tried = 0
    for path, operations in schema["paths"].items():
        url = path.removeprefix("/api/v1").replace("{report_id}", "1")
        url = url.replace("{incident_id}", "1").replace("{kind}", "alert")
        for method in operations:
            # A body every operation accepts, so that the refusal is not a validation error.
            body = {**REPORT, "status": "resolved", "incident_id": None, "alerted_id": 1}
            body["audience"] = "area"
            response = api.get(url) if method == "get" else api.post(url, body)
            assert response.status_code == 403, (method, path, response.status_code)
            tried += 1
    assert tried >= 10
    assert not Report.objects.exists() and not Incident.objects.exists()


def test_a_partners_tool_files_reports_but_reads_nothing_back(
    partner: User, coordinator: User
) -> None:
    api = api_as(partner, coordinator)
    filed = api.post("/reports", REPORT)
    assert filed.status_code == 202 and set(filed.json()) == {"id"}
    report = Report.objects.get(id=filed.json()["id"])
    assert report.filed_by == partner and report.cell
    assert api.get(f"/reports/{report.id}").status_code == 403
    assert api.get("/reports").status_code == 403
    assert api.post("/reports", {**REPORT, "is_drill": True}).status_code == 403
    assert Report.objects.count() == 1
