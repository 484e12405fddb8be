"""Walk lists: households read from a CSV file, checked whole before anything is written, and
sorted into streets for the canvassers.

Columns (header names in any order and case; ``address`` and ``language`` are required):

- ``address``: the address line, e.g. "512 S Mariposa Ave Apt 3".
- ``language``: the language spoken at home: a code (es, ko, en, mix, …) or its name in English,
  Spanish or itself ("Spanish", "Español", "한국어").
- ``notes``: optional, only what outreach needs ("knock at the side door", "evenings").

A walk list is never built from a voter file: every home is on it, whoever lives there.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from vecinos.organizing.choices import SpokenLanguage

if TYPE_CHECKING:
    from vecinos.places.models import Household

MAX_FILE_BYTES = 1024 * 1024
MAX_ROWS = 5000
ADDRESS_MAX = 200
NOTES_MAX = 200
COLUMNS = ("address", "language", "notes")
# Notes are for knocking on a door. Words about anyone's papers are refused, in the network's
# languages: the list must never say who might be undocumented, even by accident.
STATUS_WORDS = re.compile(
    r"undocumented|illegal|immigra|migra|deport|visa\b|green ?card|daca|asylum|citizen|"
    r"papers|indocumentad|sin papeles|ilegal|inmigra|ciudadan|asilo|residencia|"
    r"미등록|불법|이민|체류|시민권|비자|영주권",
    re.IGNORECASE,
)
HOUSE_NUMBER = re.compile(r"^\s*\d+[A-Za-z]?(?:-[0-9A-Za-z]+)?(?:\s+1/2)?\s+")
UNIT = re.compile(r"\s+(?:apt\.?|apartment|unit|ste\.?|suite|#|depto\.?|dpto\.?)\s*\S*$", re.I)


@dataclass(frozen=True)
class RowError:
    """One problem in an uploaded file: the row (1 is the header), the column and why."""

    row: int
    column: str
    message: str | Promise

    def __str__(self) -> str:
        return f"{self.row}: {self.column}: {self.message}"


class HouseholdFileError(ValueError):
    """A household file that cannot be imported: every bad row, or a problem with the file."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


@dataclass(frozen=True)
class HouseholdRow:
    address: str
    language: str
    notes: str


def _language_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for code, label in SpokenLanguage.choices:
        names[code] = code
        for language in ("en", "es", "ko"):
            with override(language):
                names[str(label).casefold()] = code
    names.update({"español": "es", "espanol": "es", "한국어": "ko", "english": "en"})
    return names


def parse_language(text: str) -> str | None:
    """The code of a language given by code or name, or None."""
    return _language_names().get(" ".join(text.split()).casefold())


def check_address(text: str) -> str | Promise:
    """The address on one line, or a message saying what is wrong (returned, not raised)."""
    address = " ".join(text.split())
    if not address:
        return _("Give the address.")
    if len(address) > ADDRESS_MAX:
        return _("Keep the address under %(limit)d characters.") % {"limit": ADDRESS_MAX}
    return address


def check_notes(text: str) -> str | Promise:
    """The notes on one line, or a message: too long, or about anyone's immigration status."""
    notes = " ".join(text.split())
    if len(notes) > NOTES_MAX:
        return _("Keep the notes under %(limit)d characters.") % {"limit": NOTES_MAX}
    if STATUS_WORDS.search(notes):
        return _(
            "Notes must never say anything about anyone's immigration status or papers. "
            "Write only what outreach needs, such as the best time to knock."
        )
    return notes


def parse_households(raw: bytes) -> list[HouseholdRow]:
    """Every household of a CSV file, or every problem in it.

    Raises:
        HouseholdFileError: the file is too large, not UTF-8 text, lacks a column, or has bad rows
            (all of them are listed, by row and column).
    """
    if len(raw) > MAX_FILE_BYTES:
        raise HouseholdFileError(
            [RowError(0, "", _("The file is larger than %(limit)d MB.") % {"limit": 1})]
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise HouseholdFileError(
            [RowError(0, "", _("The file is not text in UTF-8. Save it as CSV UTF-8."))]
        ) from None
    reader = csv.reader(io.StringIO(text))
    header = [" ".join(h.split()).casefold() for h in next(reader, [])]
    missing = [column for column in COLUMNS[:2] if column not in header]
    if missing:
        raise HouseholdFileError(
            [
                RowError(1, column, _("The file has no “%(column)s” column.") % {"column": column})
                for column in missing
            ]
        )
    position = {column: header.index(column) for column in COLUMNS if column in header}
    rows: list[HouseholdRow] = []
    errors: list[RowError] = []
    for number, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        if len(rows) + len(errors) >= MAX_ROWS:
            errors.append(
                RowError(
                    number,
                    "",
                    _("A file may hold at most %(limit)d households.") % {"limit": MAX_ROWS},
                )
            )
            break

        def value(column: str, values: list[str] = values) -> str:
            index = position.get(column)
            return values[index] if index is not None and index < len(values) else ""

        address = check_address(value("address"))
        language = parse_language(value("language"))
        notes = check_notes(value("notes"))
        row_errors = []
        if not isinstance(address, str):
            row_errors.append(RowError(number, "address", address))
        if language is None:
            row_errors.append(
                RowError(
                    number,
                    "language",
                    _("“%(value)s” is not a language on the list (for example es, ko, en).")
                    % {"value": value("language")[:30]},
                )
            )
        if not isinstance(notes, str):
            row_errors.append(RowError(number, "notes", notes))
        if row_errors:
            errors += row_errors
        elif isinstance(address, str) and isinstance(notes, str) and language is not None:
            rows.append(HouseholdRow(address, language, notes))
    if errors:
        raise HouseholdFileError(errors)
    if not rows:
        raise HouseholdFileError([RowError(2, "", _("The file has no households."))])
    return rows


def street_of(address: str) -> str:
    """The street of an address line: without its house number, unit, or anything after a comma
    ("512 S Mariposa Ave Apt 3, Los Angeles" → "S Mariposa Ave")."""
    line = address.split(",")[0]
    line = UNIT.sub("", line)
    street = HOUSE_NUMBER.sub("", line).strip()
    return street or line.strip()


def house_number(address: str) -> int:
    match = re.match(r"\s*(\d+)", address)
    return int(match.group(1)) if match else 0


def group_by_street(households: Iterable[Household]) -> list[tuple[str, list[Household]]]:
    """Households by street (streets in alphabetical order), each street's by house number, so a
    canvasser walks up one side and down the other."""
    streets: dict[str, tuple[str, list[Household]]] = {}
    for household in households:
        street = street_of(household.address)
        streets.setdefault(street.casefold(), (street, []))[1].append(household)
    return [
        (
            name,
            sorted(
                items,
                key=lambda h: (house_number(h.address) % 2, house_number(h.address), h.address),
            ),
        )
        for _key, (name, items) in sorted(streets.items())
    ]
