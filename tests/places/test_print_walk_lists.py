"""Walk lists: households entered or imported per precinct, encrypted, audited, printed."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests.places.conftest import MakeZone
from tests.places.pdftext import pdf_text
from vecinos.core.models import AuditEvent, User
from vecinos.places.choices import ZoneKind
from vecinos.places.models import Household, Zone
from vecinos.places.queries import access_walk_list
from vecinos.places.services import do_add_household
from vecinos.places.walklists import HouseholdFileError, parse_households, street_of

pytestmark = pytest.mark.django_db

LoggedIn = Callable[[User], Client]


@pytest.fixture
def precinct(make_zone: MakeZone) -> Zone:
    return make_zone("Precinto 0417", kind=ZoneKind.PRECINCT)


def add(organizer: User, precinct: Zone, address: str, language: str, notes: str = "") -> None:
    do_add_household(organizer, precinct, address=address, language=language, notes=notes)


class TestEntering:
    def test_the_form_adds_a_household_and_the_address_is_encrypted_at_rest(
        self, organizer: User, precinct: Zone, logged_in: LoggedIn
    ) -> None:
        client = logged_in(organizer)
        url = reverse("places:walk_list", kwargs={"zone_id": precinct.id})

        response = client.post(
            url, {"address": "512 S Mariposa Ave Apt 3", "language": "ko", "notes": "저녁에"}
        )

        assert response.status_code == 302
        household = Household.objects.get()
        assert household.address == "512 S Mariposa Ave Apt 3"
        assert household.language == "ko"
        with connection.cursor() as cursor:
            cursor.execute("SELECT address, notes FROM places_household")
            stored = cursor.fetchone()
        assert "Mariposa" not in stored[0]
        assert "저녁" not in stored[1]
        assert AuditEvent.objects.filter(action="places.household.added").count() == 1
        assert "Mariposa" not in str(AuditEvent.objects.get(action="places.household.added").detail)

    def test_the_form_explains_a_missing_address_and_a_language_not_on_the_list(
        self, organizer: User, precinct: Zone, logged_in: LoggedIn
    ) -> None:
        url = reverse("places:walk_list", kwargs={"zone_id": precinct.id})

        response = logged_in(organizer).post(url, {"address": "  ", "language": "xx"})

        assert response.status_code == 200
        errors = response.context["form"].errors
        assert "address" in errors
        assert "language" in errors
        assert not Household.objects.exists()

    @pytest.mark.parametrize(
        "notes", ["undocumented", "No tiene papeles, sin papeles", "비자 만료", "DACA"]
    )
    def test_notes_about_immigration_status_are_refused(
        self, organizer: User, precinct: Zone, logged_in: LoggedIn, notes: str
    ) -> None:
        url = reverse("places:walk_list", kwargs={"zone_id": precinct.id})

        response = logged_in(organizer).post(
            url, {"address": "1 Main St", "language": "es", "notes": notes}
        )

        assert "immigration status" in str(response.context["form"].errors["notes"])
        assert not Household.objects.exists()


class TestImporting:
    def test_a_good_file_imports_every_household(
        self, organizer: User, precinct: Zone, logged_in: LoggedIn
    ) -> None:
        csv = (
            "Address,Language,Notes\n"
            "512 S Mariposa Ave,Español,Mejor por la tarde\n"
            "514 S Mariposa Ave,한국어,\n"
            "3 W 6th St,en,Evenings\n"
            "\n"
            "7 W 6th St,mix,\n"
        )
        upload = SimpleUploadedFile("list.csv", csv.encode(), content_type="text/csv")
        url = reverse("places:walk_list", kwargs={"zone_id": precinct.id})

        response = logged_in(organizer).post(url, {"upload": "1", "file": upload})

        assert response.status_code == 302
        assert sorted(Household.objects.values_list("language", flat=True)) == [
            "en",
            "es",
            "ko",
            "mix",
        ]
        event = AuditEvent.objects.get(action="places.households.imported")
        assert event.detail == {"households": 4}

    def test_a_file_with_bad_rows_imports_nothing_and_lists_every_problem(
        self, organizer: User, precinct: Zone, logged_in: LoggedIn
    ) -> None:
        csv = (
            "address,language,notes\n"
            "512 S Mariposa Ave,es,\n"
            ",ko,\n"
            "3 W 6th St,klingon,\n"
            "9 W 6th St,es,undocumented family\n"
        )
        upload = SimpleUploadedFile("list.csv", csv.encode(), content_type="text/csv")
        url = reverse("places:walk_list", kwargs={"zone_id": precinct.id})

        response = logged_in(organizer).post(url, {"upload": "1", "file": upload})

        assert response.status_code == 200
        problems = [(e.row, e.column) for e in response.context["row_errors"]]
        assert problems == [(3, "address"), (4, "language"), (5, "notes")]
        assert "3 problems" in response.content.decode()
        assert not Household.objects.exists()

    def test_a_file_without_the_language_column_is_refused(self) -> None:
        with pytest.raises(HouseholdFileError) as caught:
            parse_households(b"address\n1 Main St\n")

        assert [e.column for e in caught.value.errors] == ["language"]

    def test_a_file_that_is_not_utf8_is_refused(self) -> None:
        with pytest.raises(HouseholdFileError, match="UTF-8"):
            parse_households("address,language\nCalle Año,es\n".encode("utf-16"))


class TestReading:
    def test_every_read_of_a_walk_list_is_audited_without_addresses(
        self, organizer: User, precinct: Zone, logged_in: LoggedIn
    ) -> None:
        add(organizer, precinct, "512 S Mariposa Ave", "es")
        client = logged_in(organizer)

        page = client.get(reverse("places:walk_list", kwargs={"zone_id": precinct.id}))
        pdf = client.get(reverse("places:walk_list_pdf", kwargs={"zone_id": precinct.id}))

        assert "512 S Mariposa Ave" in page.content.decode()
        assert pdf["Content-Type"] == "application/pdf"
        viewed = AuditEvent.objects.get(action="places.walk_list.viewed")
        printed = AuditEvent.objects.get(action="places.walk_list.printed")
        for event in (viewed, printed):
            assert event.actor == organizer
            assert event.target_id == str(precinct.id)
            assert event.detail == {"households": 1}
            assert "Mariposa" not in str(event.detail)

    def test_households_are_grouped_by_street_and_walked_one_side_then_the_other(
        self, organizer: User, precinct: Zone
    ) -> None:
        for address in (
            "515 S Mariposa Ave",
            "3 W 6th St",
            "512 S Mariposa Ave Apt 2",
            "514 S Mariposa Ave",
        ):
            add(organizer, precinct, address, "es")

        listed = access_walk_list(organizer, precinct)

        assert [street for street, _ in listed.streets] == ["S Mariposa Ave", "W 6th St"]
        assert [h.address for h in listed.streets[0][1]] == [
            "512 S Mariposa Ave Apt 2",
            "514 S Mariposa Ave",
            "515 S Mariposa Ave",
        ]

    @pytest.mark.parametrize(
        ("address", "street"),
        [
            ("512 S Mariposa Ave Apt 3, Los Angeles, CA", "S Mariposa Ave"),
            ("1200-B W 6th St #4", "W 6th St"),
            ("Calle Sin Número", "Calle Sin Número"),
        ],
    )
    def test_the_street_of_an_address(self, address: str, street: str) -> None:
        assert street_of(address) == street


class TestPrinting:
    def test_the_pdf_is_valid_and_holds_the_korean_spanish_and_checkboxes(
        self, organizer: User, precinct: Zone, logged_in: LoggedIn
    ) -> None:
        add(organizer, precinct, "512 S Mariposa Ave", "ko", "저녁에 방문하세요")
        add(organizer, precinct, "514 S Mariposa Ave", "es", "Tocar en la puerta lateral")
        add(organizer, precinct, "3 W 6th St", "en")

        response = logged_in(organizer).get(
            reverse("places:walk_list_pdf", kwargs={"zone_id": precinct.id})
        )

        document = response.content
        assert document.startswith(b"%PDF-")
        assert document.rstrip().endswith(b"%%EOF")
        fonts = {n.decode().split("+")[-1] for n in re.findall(rb"/BaseFont\s*/(\S+)", document)}
        assert "NanumGothic" in fonts
        text = pdf_text(document)
        assert "저녁에 방문하세요" in text
        assert "Tocar en la puerta lateral" in text
        assert "S Mariposa Ave" in text
        assert "W 6th St" in text
        assert text.count("☐") == 9
        assert response["Cache-Control"] == "no-store"

    def test_an_empty_walk_list_prints(
        self, organizer: User, precinct: Zone, logged_in: LoggedIn
    ) -> None:
        response = logged_in(organizer).get(
            reverse("places:walk_list_pdf", kwargs={"zone_id": precinct.id})
        )

        assert response.content.startswith(b"%PDF-")


class TestPermissions:
    @pytest.mark.parametrize(
        "role", ["dispatcher", "responder", "member", "partner", "facilitator"]
    )
    def test_only_organizers_and_coordinators_see_walk_lists(
        self, request: pytest.FixtureRequest, precinct: Zone, logged_in: LoggedIn, role: str
    ) -> None:
        user: User = request.getfixturevalue(role)
        client = logged_in(user)

        for name in ("walk_list", "walk_list_pdf"):
            assert (
                client.get(reverse(f"places:{name}", kwargs={"zone_id": precinct.id})).status_code
                == 403
            )
        assert not AuditEvent.objects.filter(action__startswith="places.walk_list").exists()

    def test_a_neighborhood_has_no_walk_list(
        self, organizer: User, make_zone: MakeZone, logged_in: LoggedIn
    ) -> None:
        zone = make_zone("Pico Sur", at=(34.1, -118.3))

        response = logged_in(organizer).get(
            reverse("places:walk_list", kwargs={"zone_id": zone.id})
        )

        assert response.status_code == 404
