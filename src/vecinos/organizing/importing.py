"""`vecinos import people FILE.csv`: people from a spreadsheet, all rows or none.

Documented columns (header names, any order, case-insensitive; only ``name`` is required):

- ``name``: the person's name.
- ``phone``: a phone number (US numbers may omit +1). Used to find the person again.
- ``email``: an e-mail address. Also used to find the person again.
- ``languages``: language codes or names, separated by commas or semicolons ("es, mix",
  "Spanish; English"). The first that Vecinos writes in is their preferred language.
- ``zone``: a zone's name or one of its ZIP codes (a ``zip`` column is read the same way).
- ``roles``: ``responder`` (a responder profile in the zone, not yet eligible for dispatch: a
  coordinator marks that), ``subscriber`` (the community alert list for the zone, by text).

A file with any bad row imports nothing and lists every bad row (row number, column, why). A row
whose phone or e-mail matches someone already known updates that person (empty cells change
nothing; languages are added), so importing the same file twice creates no duplicates.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q

from vecinos.core import audit
from vecinos.core.crypto import keyed_hashes
from vecinos.core.fields import hash_input
from vecinos.core.importers import ImportFailed
from vecinos.core.models import User
from vecinos.core.phones import InvalidPhoneNumberError, normalize_phone
from vecinos.organizing.choices import SpokenLanguage
from vecinos.organizing.models import Person

MAX_ROWS = 100_000
ROLES = ("responder", "subscriber")
SEPARATORS = re.compile(r"[;,/]")
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


def read_rows(text: str) -> tuple[list[PersonRow], list[RowError]]:
    """Check every row; returns the good rows and every error (nothing is written)."""
    from vecinos.places.geo import find_zone

    reader = csv.DictReader(io.StringIO(text))
    columns = {(name or "").strip().lower(): name for name in reader.fieldnames or []}
    if "name" not in columns:
        return [], [RowError(1, "name", "the header has no name column")]
    unknown = set(columns) - {"name", "phone", "email", "languages", "zone", "zip", "roles"}
    errors = [RowError(1, column, "unknown column") for column in sorted(unknown) if column]
    rows: list[PersonRow] = []
    zones: dict[str, int | None] = {}
    for number, raw in enumerate(reader, start=2):
        if number - 1 > MAX_ROWS:
            errors.append(RowError(number, "", f"more than {MAX_ROWS:,} rows"))
            break
        cell = {key: (raw.get(name) or "").strip() for key, name in columns.items()}
        if not any(cell.values()):
            continue  # blank lines, often at the end of a spreadsheet export
        row = PersonRow(number, cell.get("name", ""))
        if not row.name:
            errors.append(RowError(number, "name", "empty"))
        elif len(row.name) > 150 or "\x00" in row.name:
            errors.append(RowError(number, "name", "longer than 150 characters or not text"))
        if cell.get("phone"):
            try:
                row.phone = normalize_phone(cell["phone"])
            except InvalidPhoneNumberError:
                errors.append(RowError(number, "phone", f"not a phone number: {cell['phone']!r}"))
        if cell.get("email"):
            try:
                validate_email(cell["email"])
                row.email = cell["email"]
            except ValidationError:
                errors.append(
                    RowError(number, "email", f"not an e-mail address: {cell['email']!r}")
                )
        for word in filter(
            None, (w.strip().lower() for w in SEPARATORS.split(cell.get("languages", "")))
        ):
            code = LANGUAGE_NAMES.get(word)
            if code is None:
                errors.append(RowError(number, "languages", f"unknown language: {word!r}"))
            elif code not in row.languages:
                row.languages.append(code)
        place = cell.get("zone") or cell.get("zip", "")
        if place:
            if place not in zones:
                found = find_zone(place)
                zones[place] = found.id if found is not None else None
            row.zone_id = zones[place]
            if row.zone_id is None:
                errors.append(RowError(number, "zone", f"no zone has this name or ZIP: {place!r}"))
        for word in filter(
            None, (w.strip().lower() for w in SEPARATORS.split(cell.get("roles", "")))
        ):
            if word not in ROLES:
                errors.append(
                    RowError(number, "roles", f"unknown role: {word!r} (use {', '.join(ROLES)})")
                )
            row.roles.add(word)
        if "subscriber" in row.roles and not row.phone:
            errors.append(RowError(number, "phone", "a subscriber needs a phone number"))
        rows.append(row)
    return rows, errors


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


def _known(rows: Iterable[PersonRow]) -> dict[str, Person]:
    """People already known, by the keyed hashes of their phone and e-mail."""
    hashes = sorted({value for row in rows for value in _hashes(row)})
    found: dict[str, Person] = {}
    for offset in range(0, len(hashes), 500):
        chunk = hashes[offset : offset + 500]
        for person in Person.objects.filter(Q(phone_hash__in=chunk) | Q(email_hash__in=chunk)):
            for value in (person.phone_hash, person.email_hash):
                if value:
                    found.setdefault(value, person)
    return found


def do_import_people(actor: User | None, text: str) -> dict[str, int]:
    """Import every row of a CSV text, or none.

    Raises:
        ImportFailed: any row is bad; the message lists every bad row.
    """
    from vecinos.messaging import services as messaging
    from vecinos.places.models import Zone
    from vecinos.responders.models import Responder

    rows, errors = read_rows(text)
    if errors:
        listed = "\n".join(str(error) for error in errors[:200])
        more = f"\n… and {len(errors) - 200} more" if len(errors) > 200 else ""
        raise ImportFailed(f"{len(errors)} problem(s) in the file:\n{listed}{more}")
    counts = {"created": 0, "updated": 0, "responders": 0, "subscribers": 0}
    zones = {
        zone.id: zone for zone in Zone.objects.filter(id__in={r.zone_id for r in rows} - {None})
    }
    with transaction.atomic():
        known = _known(rows)
        for row in rows:
            person = next((known[value] for value in _hashes(row) if value in known), None)
            zone = zones.get(row.zone_id) if row.zone_id else None
            if person is None:
                person = Person.objects.create(
                    full_name=row.name,
                    phone=row.phone,
                    email=row.email,
                    languages=row.languages,
                    preferred_language=_preferred(row.languages),
                    zone=zone,
                )
                counts["created"] += 1
            else:
                person.full_name = row.name or person.full_name
                person.phone = person.phone or row.phone
                person.email = person.email or row.email
                person.languages = person.languages + [
                    code for code in row.languages if code not in person.languages
                ]
                person.zone = zone or person.zone
                person.save()
                counts["updated"] += 1
            for value in (person.phone_hash, person.email_hash):
                if value:
                    known[value] = person  # a later row with the same number merges too
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


def add_arguments(parser: Any) -> None:
    parser.add_argument("file", type=Path, help="a CSV file with a header row (see the README)")


def run(options: dict[str, Any]) -> str:
    path: Path = options["file"]
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as error:
        raise ImportFailed(f"cannot read {path}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise ImportFailed(f"{path} is not UTF-8 text (save it as CSV UTF-8)") from None
    counts = do_import_people(None, text)
    return (
        f"{counts['created']} people added, {counts['updated']} updated, "
        f"{counts['responders']} new responders, {counts['subscribers']} new alert-list "
        "subscriptions."
    )
