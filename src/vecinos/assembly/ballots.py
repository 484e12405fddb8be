"""Reading paper ballots typed into a spreadsheet (CSV), for :mod:`vecinos.assembly.counting`.

One row per ballot. The first row names the columns.

*Ranked ballots* (instant runoff, full ranking, majority): columns ``rank1``, ``rank2``, …
(``Rank 1`` and ``rank_1`` are read too; ``choice`` is a synonym of ``rank1`` for a
single-choice vote). Other columns, such as a ballot number or a note, are ignored. Each cell
holds an option's name.

- A blank cell is a skipped ranking: the next marked choice moves up (``A, , B`` counts as ``A``
  then ``B``), as San Francisco and Maine count one skipped ranking. With ``gaps=GapRule.ERROR`` a
  choice after a blank cell makes the ballot malformed instead.
- A row with every cell blank is a blank ballot: an abstention, counted and shown apart. An empty
  line (no cells at all, as at the end of many files) is not a ballot.
- Malformed (the count stops and says the row): the same option twice on one ballot; an option
  that is not in the list of options, when a list is given; a choice after a gap under
  ``GapRule.ERROR``.
- Names are compared without surrounding spaces and without regard to case; the spelling of the
  list of options (or the first spelling met) is kept.

*Score ballots*: one column per option, the column's name is the option; each cell is a whole
number from ``low`` to ``high``, or blank (not scored). Anything else is malformed.

Row numbers are the spreadsheet's: the header is row 1, the first ballot row 2. Files may be
comma-, semicolon- or tab-separated (Spanish-language spreadsheets often save with semicolons),
UTF-8 with or without a byte-order mark.
"""

from __future__ import annotations

import csv
import enum
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from vecinos.assembly.counting import CountingError, Option

RANK_COLUMN = re.compile(r"^\s*rank\s*[-_ ]?\s*(\d+)\s*$", re.IGNORECASE)


class GapRule(enum.StrEnum):
    SKIP = "skip"
    ERROR = "error"


class BallotError(CountingError):
    """A malformed ballot (or header): ``row`` is the spreadsheet's row number."""

    def __init__(
        self,
        row: int,
        code: str,
        message: str,
        *,
        option: Option | None = None,
        value: str = "",
        low: int = 0,
        high: int = 0,
    ) -> None:
        super().__init__(code, f"row {row}: {message}", option=option)
        self.row = row
        self.value = value
        self.low = low
        self.high = high

    def describe(self) -> str:
        """The error for a person, in the active language."""
        texts = {
            "duplicate_ranking": _("Row %(row)s: “%(option)s” is ranked more than once."),
            "unknown_option": _("Row %(row)s: “%(option)s” is not one of the options."),
            "gap": _("Row %(row)s: a choice comes after a blank ranking."),
            "bad_score": _(
                "Row %(row)s: the score for “%(option)s” must be a whole number "
                "from %(low)s to %(high)s, not “%(value)s”."
            ),
            "no_rank_columns": _(
                "Row %(row)s: no ranking columns; name them rank1, rank2, and so on."
            ),
            "rank_columns_gap": _(
                "Row %(row)s: the ranking columns must be rank1, rank2, … without a gap."
            ),
            "duplicate_column": _("Row %(row)s: the column “%(option)s” appears twice."),
            "no_options": _("Row %(row)s: there are no option columns."),
            "empty": _("The file is empty."),
            "not_text": _("The file is not a text CSV file (UTF-8)."),
        }
        text = texts.get(self.code, _("Row %(row)s: this ballot cannot be counted."))
        return text % {
            "row": self.row,
            "option": self.option or "",
            "low": self.low,
            "high": self.high,
            "value": self.value,
        }


class _Names:
    """Matches typed names to options: trimmed, case-insensitive, one spelling kept."""

    def __init__(self, options: Sequence[str] | None) -> None:
        self.fixed = options is not None
        self.spelling: dict[str, Option] = {}
        for option in options or ():
            self.spelling.setdefault(option.strip().casefold(), option.strip())

    def resolve(self, typed: str, row: int) -> Option:
        key = typed.strip().casefold()
        if key in self.spelling:
            return self.spelling[key]
        if self.fixed:
            raise BallotError(
                row, "unknown_option", f"unknown option {typed.strip()!r}", option=typed.strip()
            )
        self.spelling[key] = typed.strip()
        return typed.strip()

    def options(self) -> tuple[Option, ...]:
        return tuple(self.spelling.values())


def _rows(data: str | bytes) -> Iterable[tuple[int, list[str]]]:
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise BallotError(0, "not_text", "not UTF-8 text") from exc
    data = data.removeprefix("\ufeff")
    if not data.strip():
        raise BallotError(0, "empty", "the file is empty")
    first = data.splitlines()[0]
    delimiter = max(",;\t", key=first.count)
    reader = csv.reader(io.StringIO(data, newline=""), delimiter=delimiter)
    # A record's number, not its line: a cell with a line break stays in one spreadsheet row.
    yield from enumerate(reader, start=1)


@dataclass(frozen=True)
class RankedBallots:
    options: tuple[Option, ...]
    """The list given, or every option met, in order of first appearance."""
    ballots: tuple[tuple[Option, ...], ...]
    """Every ballot's ranking; blank ballots are the empty tuple."""
    rows: tuple[int, ...]
    """The spreadsheet row of each ballot."""

    @property
    def blank(self) -> int:
        return sum(1 for b in self.ballots if not b)


def read_ranked(
    data: str | bytes,
    options: Sequence[str] | None = None,
    *,
    gaps: GapRule = GapRule.SKIP,
) -> RankedBallots:
    """Read ranked ballots (rules in the module docstring).

    Raises:
        BallotError: a malformed header or ballot, with its row number.
    """
    names = _Names(options)
    rows = iter(_rows(data))
    header_row, header = next(rows)
    ranks: dict[int, int] = {}
    for index, title in enumerate(header):
        match = RANK_COLUMN.match(title)
        number = int(match.group(1)) if match else (1 if title.strip().lower() == "choice" else 0)
        if not number:
            continue
        if number in ranks:
            raise BallotError(header_row, "duplicate_column", f"{title!r} twice", option=title)
        ranks[number] = index
    if not ranks:
        raise BallotError(header_row, "no_rank_columns", "no rank1, rank2, … columns")
    if sorted(ranks) != list(range(1, len(ranks) + 1)):
        raise BallotError(header_row, "rank_columns_gap", "rank columns must be rank1..rankN")
    columns = [ranks[n] for n in sorted(ranks)]

    ballots: list[tuple[Option, ...]] = []
    numbers: list[int] = []
    for row, cells in rows:
        if not cells:
            continue
        ranking: list[Option] = []
        gap = False
        for index in columns:
            cell = cells[index].strip() if index < len(cells) else ""
            if not cell:
                gap = True
                continue
            if gap and gaps is GapRule.ERROR:
                raise BallotError(row, "gap", "a choice after a blank ranking")
            option = names.resolve(cell, row)
            if option in ranking:
                raise BallotError(
                    row, "duplicate_ranking", f"{option!r} ranked twice", option=option
                )
            ranking.append(option)
        ballots.append(tuple(ranking))
        numbers.append(row)
    return RankedBallots(options=names.options(), ballots=tuple(ballots), rows=tuple(numbers))


@dataclass(frozen=True)
class ScoreBallots:
    options: tuple[Option, ...]
    ballots: tuple[dict[Option, int | None], ...]
    rows: tuple[int, ...]


def read_scores(
    data: str | bytes, options: Sequence[str] | None = None, *, low: int = 0, high: int = 5
) -> ScoreBallots:
    """Read score ballots: one column per option (rules in the module docstring).

    Raises:
        BallotError: a malformed header or ballot, with its row number.
    """
    names = _Names(options)
    rows = iter(_rows(data))
    header_row, header = next(rows)
    columns: list[tuple[int, Option]] = []
    seen: set[Option] = set()
    for index, title in enumerate(header):
        if not title.strip():
            continue
        option = names.resolve(title, header_row)
        if option in seen:
            raise BallotError(header_row, "duplicate_column", f"{title!r} twice", option=option)
        seen.add(option)
        columns.append((index, option))
    if not columns:
        raise BallotError(header_row, "no_options", "no option columns")
    ballots: list[dict[Option, int | None]] = []
    numbers: list[int] = []
    for row, cells in rows:
        if not cells:
            continue
        ballot: dict[Option, int | None] = {}
        for index, option in columns:
            cell = cells[index].strip() if index < len(cells) else ""
            if not cell:
                ballot[option] = None
                continue
            if not re.fullmatch(r"[+-]?\d{1,9}", cell) or not low <= int(cell) <= high:
                raise BallotError(
                    row,
                    "bad_score",
                    f"bad score {cell!r} for {option!r}",
                    option=option,
                    value=cell,
                    low=low,
                    high=high,
                )
            ballot[option] = int(cell)
        ballots.append(ballot)
        numbers.append(row)
    listed = names.options() if options is not None else tuple(o for _i, o in columns)
    return ScoreBallots(options=listed, ballots=tuple(ballots), rows=tuple(numbers))
