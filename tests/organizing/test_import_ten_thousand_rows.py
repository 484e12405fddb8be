"""The issue's test: a 10,000-row file with 50 bad rows is refused with all 50 listed and nothing
imported; the corrected file imports fully, and duplicates (within the file, and with people
already known) merge by keyed hash."""

from __future__ import annotations

import pytest

from vecinos.core.importers import ImportFailed
from vecinos.organizing import importing, jobs
from vecinos.organizing.choices import ImportStatus
from vecinos.organizing.importing import do_import_people
from vecinos.organizing.models import Circle, CircleMembership, ImportJob, Person, StageStep
from vecinos.places import demo as places_demo
from vecinos.places.services import do_import_zones

pytestmark = pytest.mark.django_db

ROWS = 10_000
AREA_CODES = ["213", "323", "818", "310", "562", "626", "714", "909", "949", "661"]
CIRCLES = ["Parroquia San Judas", "Club Tlaxiaco", "Local 11", "Escuela Norte"]
STAGES = ["contact", "assembly", "volunteer", "responder", "dispatcher", "leader"]
# Rows (file lines; the header is line 1) that carry a mistake, and what it is.
BAD_KINDS = [
    ("email", "ana@", "ana{n}@example.org"),
    ("phone", "555-CALL-NOW", ""),
    ("languages", "klingon", "es"),
    ("zone", "Atlantis", "El Centro"),
    ("stage", "boss", "volunteer"),
]
BAD_ROWS = {2 + 197 * k + 13: BAD_KINDS[k % len(BAD_KINDS)] for k in range(50)}
# The last 100 rows repeat an earlier person's e-mail: the same people, listed twice.
DUPLICATES = 100


def make_file(*, corrected: bool) -> str:
    lines = ["name,phone,email,languages,zone,stage,circles"]
    for index in range(ROWS):
        line = index + 2
        n = index if index < ROWS - DUPLICATES else index - (ROWS - DUPLICATES) + 5
        cells = {
            "name": f"Persona {n}",
            "phone": (f"+1{AREA_CODES[n // 100 % 10]}55501{n % 100:02d}" if n < 1000 else ""),
            "email": f"persona{n}@example.org",
            "languages": "es" if n % 3 else "es; en",
            "zone": "El Centro" if n % 4 == 0 else "",
            "stage": STAGES[n % 6] if n % 5 == 0 else "",
            "circles": CIRCLES[n // 2 % 4] if n % 2 == 0 else "",
        }
        if line in BAD_ROWS:
            column, bad, good = BAD_ROWS[line]
            cells[column] = good.format(n=n) if corrected else bad
            if column == "email" and corrected:
                cells["email"] = f"persona{n}@example.org"
        lines.append(",".join(f'"{value}"' for value in cells.values()))
    return "\n".join(lines) + "\n"


@pytest.fixture(autouse=True)
def zones() -> None:
    do_import_zones(None, places_demo.shapes())


def test_fifty_bad_rows_are_all_listed_and_nothing_is_imported_then_the_fix_imports_fully() -> None:
    known = Person.objects.create(full_name="Persona Siete", email="persona7@example.org")
    with pytest.raises(ImportFailed) as refused:
        do_import_people(None, make_file(corrected=False))
    message = str(refused.value)
    assert message.startswith("50 problem(s) in the file:")
    for line, (column, _bad, _good) in BAD_ROWS.items():
        assert f"row {line}, column {column}:" in message
    assert Person.objects.count() == 1 and not Circle.objects.exists()
    assert not StageStep.objects.exists() and not CircleMembership.objects.exists()

    counts = do_import_people(None, make_file(corrected=True))
    # Persona 7 was known; the last 100 rows repeat Personas 5 to 104 (including 7 once more).
    assert counts["created"] == ROWS - DUPLICATES - 1
    assert counts["updated"] == DUPLICATES + 1
    assert Person.objects.count() == ROWS - DUPLICATES
    known.refresh_from_db()
    assert known.full_name == "Persona 7" and known.phone == "+121355501" + "07"
    assert Circle.objects.count() == 4
    assert CircleMembership.objects.count() == (ROWS - DUPLICATES) // 2
    assert Person.objects.filter(stage="leader").count() == len(
        [n for n in range(ROWS - DUPLICATES) if n % 5 == 0 and n % 6 == 5]
    )

    again = do_import_people(None, make_file(corrected=True))
    assert again["created"] == 0 and Person.objects.count() == ROWS - DUPLICATES


def test_the_worker_checks_the_big_file_in_chunks_and_lists_every_bad_row(organizer) -> None:
    seen: list[int] = []
    checked = importing.check_rows(make_file(corrected=False), on_progress=seen.append)
    assert seen == list(range(500, ROWS + 1, 500))
    assert len(checked.errors) == 50
    job = jobs.do_upload_import(organizer, "big.csv", make_file(corrected=False).encode())
    assert job.total_rows == ROWS
    jobs.run_import_jobs()
    job.refresh_from_db()
    assert job.status == ImportStatus.REJECTED and len(job.errors) == 50
    assert not Person.objects.exists()
    fixed = jobs.do_upload_import(organizer, "big.csv", make_file(corrected=True).encode())
    jobs.run_import_jobs()
    assert jobs.do_confirm_import(organizer, ImportJob.objects.get(id=fixed.id))
    jobs.run_import_jobs()
    fixed.refresh_from_db()
    assert fixed.status == ImportStatus.DONE, fixed.summary
    assert Person.objects.count() == ROWS - DUPLICATES
