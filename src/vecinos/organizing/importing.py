"""`vecinos import people FILE.csv` and the web import: people from a spreadsheet, all or none.

Vecinos' documented columns (header names, any order, case-insensitive; only ``name`` is required):

- ``name``: the person's name.
- ``phone``: a phone number (US numbers may omit +1). Used to find the person again.
- ``email``: an e-mail address. Also used to find the person again.
- ``languages``: language codes or names, separated by commas or semicolons ("es, mix",
  "Spanish; English"). The first that Vecinos writes in is their preferred language.
- ``zone``: a zone's name or one of its ZIP codes (a ``zip`` column is read the same way).
- ``roles``: ``responder`` (a responder profile in the zone, not yet eligible for dispatch: that
  takes a current responder training and enough vouches, see ``vecinos.trainings``),
  ``subscriber`` (the community alert list for the zone, by text).
- ``stage``: where they are on the ladder: ``contact``, ``assembly``, ``volunteer``,
  ``responder``, ``dispatcher`` or ``leader`` (or the English label, e.g. "Came to an assembly").
  An import moves a known person up the ladder, never down (an old list must not undo a step).
- ``circles``: the circles they come from, separated by semicolons ("San Judas parish; Club
  Tlaxiaco"). A circle not known yet is created; the web preview lists such new circles first.

An export from Action Network's activist list is understood as it comes: ``first_name`` and
``last_name`` make the name, ``email``, ``can2_phone`` (the phone), ``zip_code`` (the zone by ZIP).
Its other columns (street address, city, state, county, tags, custom fields…) are left out on
purpose: Vecinos keeps only what organizing needs, never a home address.

A file with any bad row imports nothing and lists every bad row (row number, column, why). A row
whose phone or e-mail matches someone already known (by keyed hash) updates that person (empty
cells change nothing; languages and circles are added), so importing the same file twice creates
no duplicates; rows of one file with the same phone or e-mail become one person.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from vecinos.core import audit
from vecinos.core.crypto import keyed_hashes
from vecinos.core.fields import hash_input
from vecinos.core.importers import ImportFailed
from vecinos.core.models import User
from vecinos.core.phones import InvalidPhoneNumberError, normalize_phone
from vecinos.organizing.choices import CircleKind, SpokenLanguage, Stage
from vecinos.organizing.models import Circle, CircleMembership, Person, StageStep

MAX_ROWS = 100_000
ROLES = ("responder", "subscriber")
SEPARATORS = re.compile(r"[;,/]")
CIRCLE_SEPARATORS = re.compile(r"[;|]")
LANGUAGE_NAMES = {
    **{code: code for code in SpokenLanguage.values},
    "english": "en",
    "spanish": "es",
    "español": "es",
    "espanol": "es",
    "korean": "ko",
    "한국어": "ko",
    "mixtec": "mix",
    "mixteco": "mix",
    "zapotec": "zap",
    "zapoteco": "zap",
    "k'iche'": "quc",
    "kiche": "quc",
    "tagalog": "tl",
    "chinese": "zh",
    "vietnamese": "vi",
    "armenian": "hy",
}
# Vecinos' own columns, and the other names a column may go by (Action Network's first).
OWN_COLUMNS = (
    "name",
    "phone",
    "email",
    "languages",
    "zone",
    "zip",
    "roles",
    "stage",
    "circles",
)
ALIASES = {
    "e-mail": "email",
    "language": "languages",
    "zip_code": "zip",
    "can2_phone": "phone",
    "phone_number": "phone",
    "mobile_number": "phone",
}
# The name columns of an Action Network activist export; a header with either (or one of its
# ``can2_*`` or ``uuid`` columns) is read as such an export: its other columns are left out.
ACTION_NETWORK_NAME = ("first_name", "last_name")


@dataclass
class RowError:
    row: int  # the line in the file, header = 1
    column: str
    why: str

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column}: {self.why}"


@dataclass
class PersonRow:
    row: int
    name: str
    phone: str = ""
    email: str = ""
    languages: list[str] = field(default_factory=list)
    zone_id: int | None = None
    roles: set[str] = field(default_factory=set)
    stage: str = ""
    circles: list[str] = field(default_factory=list)


@dataclass
class Checked:
    """What checking a file found: the good rows, every error, and what the preview shows."""

    rows: list[PersonRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    action_network: bool = False
    ignored_columns: list[str] = field(default_factory=list)


def _stage_names() -> dict[str, str]:
    names = {value: value for value in Stage.values}
    with override("en"):
        names.update({str(label).lower(): value for value, label in Stage.choices})
    return names


def _header(fieldnames: Iterable[str]) -> tuple[dict[str, str], bool, list[str], list[RowError]]:
    """Map each understood column to the file's own header; says if it is Action Network's."""
    raw = [(name or "").strip() for name in fieldnames]
    lowered = [name.lower() for name in raw]
    action_network = any(
        name in ACTION_NETWORK_NAME or name.startswith("can2_") or name == "uuid"
        for name in lowered
    )
    columns: dict[str, str] = {}
    ignored: list[str] = []
    errors: list[RowError] = []
    for original, name in zip(fieldnames, lowered, strict=True):
        key = ALIASES.get(name, name)
        if key in OWN_COLUMNS or (action_network and name in ACTION_NETWORK_NAME):
            columns.setdefault(key, original)
        elif not name:
            continue
        elif action_network:
            ignored.append(original.strip())
        else:
            errors.append(RowError(1, name, _("unknown column")))
    if "name" not in columns and not (set(ACTION_NETWORK_NAME) & set(columns)):
        errors.insert(0, RowError(1, "name", _("the header has no name column")))
    return columns, action_network, ignored, sorted(errors, key=lambda e: e.column)


def check_rows(
    text: str,
    *,
    on_progress: Callable[[int], None] | None = None,
    every: int = 500,
) -> Checked:
    """Check every row; returns the good rows and every error (nothing is written).

    ``on_progress(rows_checked)`` is called every ``every`` rows, for a progress bar.
    """
    from vecinos.places.geo import find_zone

    reader = csv.DictReader(io.StringIO(text))
    columns, action_network, ignored, errors = _header(reader.fieldnames or [])
    checked = Checked(action_network=action_network, ignored_columns=ignored, errors=errors)
    if "name" not in columns and not (set(ACTION_NETWORK_NAME) & set(columns)):
        return checked
    stages = _stage_names()
    zones: dict[str, int | None] = {}
    for number, raw in enumerate(reader, start=2):
        if number - 1 > MAX_ROWS:
            checked.errors.append(
                RowError(number, "", _("more than %(count)s rows") % {"count": f"{MAX_ROWS:,}"})
            )
            break
        if on_progress is not None and (number - 1) % every == 0:
            on_progress(number - 1)
        cell = {key: (raw.get(name) or "").strip() for key, name in columns.items()}
        if not any(cell.values()):
            continue  # blank lines, often at the end of a spreadsheet export
        error_count = len(checked.errors)
        errors = checked.errors
        if "name" in cell:
            name = cell["name"]
            name_column = "name"
        else:
            name = " ".join(filter(None, (cell.get("first_name"), cell.get("last_name"))))
            name_column = "first_name"
        row = PersonRow(number, name)
        if not row.name:
            errors.append(RowError(number, name_column, _("empty")))
        elif len(row.name) > 150 or "\x00" in row.name:
            errors.append(
                RowError(number, name_column, _("longer than 150 characters or not text"))
            )
        if cell.get("phone"):
            try:
                row.phone = normalize_phone(cell["phone"])
            except InvalidPhoneNumberError:
                errors.append(
                    RowError(
                        number,
                        "phone",
                        _("not a phone number: %(value)s") % {"value": repr(cell["phone"])},
                    )
                )
        if cell.get("email"):
            try:
                validate_email(cell["email"])
                row.email = cell["email"]
            except ValidationError:
                errors.append(
                    RowError(
                        number,
                        "email",
                        _("not an e-mail address: %(value)s") % {"value": repr(cell["email"])},
                    )
                )
        for word in filter(
            None, (w.strip().lower() for w in SEPARATORS.split(cell.get("languages", "")))
        ):
            code = LANGUAGE_NAMES.get(word)
            if code is None:
                errors.append(
                    RowError(
                        number,
                        "languages",
                        _("unknown language: %(value)s") % {"value": repr(word)},
                    )
                )
            elif code not in row.languages:
                row.languages.append(code)
        place = cell.get("zone") or cell.get("zip", "")
        if action_network and place and re.fullmatch(r"\d{5}-\d{4}", place):
            place = place[:5]  # ZIP+4, as Action Network keeps it
        if place:
            if place not in zones:
                found = find_zone(place)
                zones[place] = found.id if found is not None else None
            row.zone_id = zones[place]
            if row.zone_id is None:
                column = "zone" if cell.get("zone") else "zip"
                errors.append(
                    RowError(
                        number,
                        column,
                        _("no zone has this name or ZIP: %(value)s") % {"value": repr(place)},
                    )
                )
        for word in filter(
            None, (w.strip().lower() for w in SEPARATORS.split(cell.get("roles", "")))
        ):
            if word not in ROLES:
                errors.append(
                    RowError(
                        number,
                        "roles",
                        _("unknown role: %(value)s (use %(choices)s)")
                        % {"value": repr(word), "choices": ", ".join(ROLES)},
                    )
                )
            row.roles.add(word)
        if "subscriber" in row.roles and not row.phone:
            errors.append(RowError(number, "phone", _("a subscriber needs a phone number")))
        if cell.get("stage"):
            stage = stages.get(cell["stage"].lower())
            if stage is None:
                errors.append(
                    RowError(
                        number,
                        "stage",
                        _("unknown stage: %(value)s (use %(choices)s)")
                        % {"value": repr(cell["stage"]), "choices": ", ".join(Stage.values)},
                    )
                )
            else:
                row.stage = stage
        seen: set[str] = set()
        for circle in filter(
            None, (c.strip() for c in CIRCLE_SEPARATORS.split(cell.get("circles", "")))
        ):
            if len(circle) > 150:
                errors.append(
                    RowError(number, "circles", _("a circle's name is longer than 150 characters"))
                )
            elif circle.casefold() not in seen:
                seen.add(circle.casefold())
                row.circles.append(circle)
        if len(errors) == error_count:
            checked.rows.append(row)
    return checked


def read_rows(text: str) -> tuple[list[PersonRow], list[RowError]]:
    """Check every row; returns the good rows and every error (nothing is written)."""
    checked = check_rows(text)
    return checked.rows, checked.errors


def _preferred(languages: list[str]) -> str:
    written = {code for code, _label in settings.LANGUAGES}
    return next((code for code in languages if code in written), "es")


def _hashes(row: PersonRow) -> list[str]:
    """Every keyed hash the row's phone and e-mail may be stored under (one per key)."""
    found = []
    if row.phone:
        found += keyed_hashes(hash_input(row.phone, "phone"), "phone")
    if row.email:
        found += keyed_hashes(hash_input(row.email, "email"), "email")
    return found


def _known(hashed: Iterable[list[str]]) -> dict[str, Person]:
    """People already known, by the keyed hashes of their phone and e-mail."""
    hashes = sorted({value for values in hashed for value in values})
    found: dict[str, Person] = {}
    for offset in range(0, len(hashes), 500):
        chunk = hashes[offset : offset + 500]
        for person in Person.objects.filter(Q(phone_hash__in=chunk) | Q(email_hash__in=chunk)):
            for value in (person.phone_hash, person.email_hash):
                if value:
                    found.setdefault(value, person)
    return found


@dataclass
class Preview:
    """What an import would do, counted before anything is written."""

    new: int = 0
    merged: int = 0
    new_circles: list[str] = field(default_factory=list)
    stages: dict[str, int] = field(default_factory=dict)


def preview(rows: list[PersonRow]) -> Preview:
    """How many rows add someone, how many update someone known (or an earlier row), and the
    circles the import would create."""
    hashed = [_hashes(row) for row in rows]
    known: set[str] = set(_known(hashed))
    result = Preview()
    for hashes in hashed:
        if any(value in known for value in hashes):
            result.merged += 1
        else:
            result.new += 1
        known.update(hashes)
    existing = {name.casefold() for name in Circle.objects.values_list("name", flat=True)}
    new_circles: dict[str, str] = {}
    for row in rows:
        for name in row.circles:
            if name.casefold() not in existing:
                new_circles.setdefault(name.casefold(), name)
    result.new_circles = sorted(new_circles.values(), key=str.casefold)
    result.stages = dict(Counter(row.stage or Stage.CONTACT for row in rows))
    return result


def _snapshot(person: Person) -> tuple[object, ...]:
    return (
        person.full_name,
        person.phone,
        person.email,
        tuple(person.languages),
        person.zone_id,
        person.stage,
    )


def write_rows(actor: User | None, rows: list[PersonRow]) -> dict[str, int]:
    """Write checked rows in one transaction: all of them or, on any failure, none."""
    from vecinos.messaging import services as messaging
    from vecinos.places.models import Zone
    from vecinos.responders.models import Responder

    counts = {
        "created": 0,
        "updated": 0,
        "responders": 0,
        "subscribers": 0,
        "circles": 0,
        "steps": 0,
    }
    now = timezone.now()
    zones = {
        zone.id: zone for zone in Zone.objects.filter(id__in={r.zone_id for r in rows} - {None})
    }
    with transaction.atomic():
        hashed = [_hashes(row) for row in rows]
        known = _known(hashed)
        new_people: list[Person] = []
        changed: dict[int, Person] = {}
        raised: dict[int, str] = {}  # existing people a row moves up the ladder
        plan: list[tuple[PersonRow, Person]] = []
        for row, hashes in zip(rows, hashed, strict=True):
            person = next((known[value] for value in hashes if value in known), None)
            zone = zones.get(row.zone_id) if row.zone_id else None
            if person is None:
                person = Person(
                    full_name=row.name,
                    phone=row.phone,
                    email=row.email,
                    languages=row.languages,
                    preferred_language=_preferred(row.languages),
                    zone=zone,
                    stage=row.stage or Stage.CONTACT,
                    created_at=now,
                )
                new_people.append(person)
                counts["created"] += 1
            else:
                before = _snapshot(person)
                person.full_name = row.name or person.full_name
                person.phone = person.phone or row.phone
                person.email = person.email or row.email
                person.languages = person.languages + [
                    code for code in row.languages if code not in person.languages
                ]
                if zone is not None:
                    person.zone = zone
                if row.stage and Stage.rank(row.stage) > Stage.rank(person.stage):
                    person.stage = row.stage
                    if person.id is not None:
                        raised[person.id] = row.stage
                if person.id is not None and _snapshot(person) != before:
                    changed[person.id] = person
                counts["updated"] += 1
            for value in hashes:
                known[value] = person  # a later row with the same number merges too
            plan.append((row, person))
        for person in changed.values():
            person.save()
        Person.objects.bulk_create(new_people, batch_size=500)
        steps = [
            StageStep(person=person, stage=person.stage, at=now, recorded_by=actor)
            for person in new_people
        ] + [
            StageStep(person_id=person_id, stage=stage, at=now, recorded_by=actor)
            for person_id, stage in raised.items()
        ]
        StageStep.objects.bulk_create(steps, batch_size=1000)
        counts["steps"] = len(steps)
        counts["circles"] = _write_circles(plan, now)
        for row, person in plan:
            zone = zones.get(row.zone_id) if row.zone_id else None
            if "responder" in row.roles:
                _created, made = Responder.objects.get_or_create(
                    person=person, defaults={"cell": zone.centre_cell if zone else ""}
                )
                counts["responders"] += made
            if "subscriber" in row.roles:
                area = zone.name if zone is not None else ""
                counts["subscribers"] += bool(
                    messaging.do_subscribe(row.phone, area, person.preferred_language)
                )
        audit.record(actor, audit.PEOPLE_IMPORTED, None, **counts)
    return counts


def _write_circles(plan: list[tuple[PersonRow, Person]], now: Any) -> int:
    """Put each row's person in its circles, creating circles not known yet; returns how many
    circles were created."""
    wanted = {name.casefold(): name for row, _person in plan for name in row.circles}
    if not wanted:
        return 0
    circles = {
        circle.name.casefold(): circle
        for circle in Circle.objects.all()
        if circle.name.casefold() in wanted
    }
    created = 0
    for key, name in sorted(wanted.items()):
        if key not in circles:
            circles[key] = Circle.objects.create(name=name, kind=CircleKind.OTHER, created_at=now)
            created += 1
    memberships = {
        (circles[name.casefold()].id, person.id) for row, person in plan for name in row.circles
    }
    CircleMembership.objects.bulk_create(
        [
            CircleMembership(circle_id=circle_id, person_id=person_id, joined_at=now)
            for circle_id, person_id in sorted(memberships)
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )
    return created


def refused(errors: list[RowError]) -> ImportFailed:
    listed = "\n".join(str(error) for error in errors[:200])
    more = f"\n… and {len(errors) - 200} more" if len(errors) > 200 else ""
    return ImportFailed(f"{len(errors)} problem(s) in the file:\n{listed}{more}")


def do_import_people(actor: User | None, text: str) -> dict[str, int]:
    """Import every row of a CSV text, or none.

    Raises:
        ImportFailed: any row is bad; the message lists every bad row.
    """
    checked = check_rows(text)
    if checked.errors:
        raise refused(checked.errors)
    return write_rows(actor, checked.rows)


def add_arguments(parser: Any) -> None:
    parser.add_argument("file", type=Path, help="a CSV file with a header row (see the README)")


def decode(data: bytes) -> str:
    """The file's text. Raises ImportFailed when it is not UTF-8 (a BOM is fine)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFailed("the file is not UTF-8 text (save it as CSV UTF-8)") from None


def run(options: dict[str, Any]) -> str:
    path: Path = options["file"]
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ImportFailed(f"cannot read {path}: {error.strerror}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFailed(f"{path} is not UTF-8 text (save it as CSV UTF-8)") from None
    counts = do_import_people(None, text)
    return (
        f"{counts['created']} people added, {counts['updated']} updated, "
        f"{counts['responders']} new responders, {counts['subscribers']} new alert-list "
        f"subscriptions, {counts['circles']} new circles."
    )
