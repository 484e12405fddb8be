"""`vecinos tally --method irv|ranking|majority|score FILE.csv`: count paper ballots.

Prints the round-by-round table and the winner or the ranking. A malformed ballot stops the count:
the command exits with status 1 and names the row (the spreadsheet's row number, header = row 1).
The file format is described in :mod:`vecinos.assembly.ballots`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, override

from vecinos.assembly import counting
from vecinos.assembly.ballots import BallotError, GapRule
from vecinos.assembly.paper import (
    PaperMethod,
    PaperTally,
    count_file,
    irv_notes,
    parse_options,
)


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = []
    for row in [header, *rows]:
        first = row[0].ljust(widths[0])
        rest = [cell.rjust(widths[i + 1]) for i, cell in enumerate(row[1:])]
        lines.append("  ".join([first, *rest]).rstrip())
    return lines


def irv_lines(result: counting.IrvResult) -> list[str]:
    header = [_("Option")] + [_("Round %(number)s") % {"number": r.number} for r in result.rounds]
    rows = [
        [option, *("—" if c is None else str(c) for c in counts)]
        for option, counts in result.table()
    ]
    rows.append([_("Exhausted"), *(str(r.exhausted) for r in result.rounds)])
    return [*_table(header, rows), "", *irv_notes(result)]


def report(tally: PaperTally) -> list[str]:
    lines = [
        f"{tally.method.label}. "
        + ngettext(
            "%(counter)s ballot, %(blank)s blank.",
            "%(counter)s ballots, %(blank)s blank.",
            tally.ballots,
        )
        % {"counter": tally.ballots, "blank": tally.blank},
        "",
    ]
    if tally.irv is not None:
        lines += irv_lines(tally.irv)
    elif tally.ranking is not None:
        for number, run in enumerate(tally.ranking.runs, start=1):
            lines.append((_("Count for place %(number)s") % {"number": number}) + ":")
            lines += irv_lines(run)
            lines.append("")
        lines.append(_("Ranking:"))
        lines += [f"{p.place}. {p.option}" for p in tally.ranking.places]
    elif tally.majority is not None:
        choice = tally.majority
        rows = [[o, str(c)] for o, c in sorted(choice.counts.items(), key=lambda kv: -kv[1])]
        lines += _table([_("Option"), _("First choices")], rows)
        lines.append("")
        if choice.winner is not None:
            lines.append(
                _("Winner: %(option)s, with more than half of %(total)s votes.")
                % {"option": choice.winner, "total": choice.total}
            )
        else:
            lines.append(
                _("No option has more than half of the %(total)s votes.") % {"total": choice.total}
            )
    elif tally.score is not None:
        score = tally.score
        rows = []
        for p in score.places:
            average = score.averages[p.option]
            rows.append(
                [
                    f"{p.place}. {p.option}",
                    str(score.totals[p.option]),
                    str(score.scored_by[p.option]),
                    "—" if average is None else f"{float(average):.2f}",
                ]
            )
        lines += _table([_("Option"), _("Total"), _("Scored by"), _("Average")], rows)
    return lines


class Command(BaseCommand):
    help = (
        "Count paper ballots typed into a CSV file (columns rank1, rank2, … or one column per "
        "option for score). Prints the round-by-round table and the winner or ranking; exits "
        "with status 1 and the row number when a ballot is malformed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the CSV file")
        parser.add_argument(
            "--method", choices=[m.value for m in PaperMethod], default=PaperMethod.IRV.value
        )
        parser.add_argument(
            "--options",
            default="",
            help="the options, comma-separated; any other name on a ballot is an error",
        )
        parser.add_argument(
            "--lot",
            default="",
            help="for ties in every round: the options in the order lots were drawn "
            "(first drawn is eliminated first), comma-separated",
        )
        parser.add_argument("--low", type=int, default=0, help="lowest score (score voting)")
        parser.add_argument("--high", type=int, default=5, help="highest score (score voting)")
        parser.add_argument(
            "--gaps",
            choices=[g.value for g in GapRule],
            default=GapRule.SKIP.value,
            help="a blank ranking before a choice: skip it (the default) or refuse the ballot",
        )
        parser.add_argument("--language", default="", help="language of the report (es, ko, …)")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror}") from None
        with override(options["language"] or None):
            try:
                tally = count_file(
                    data,
                    PaperMethod(options["method"]),
                    options=parse_options(options["options"]),
                    lot=parse_options(options["lot"]),
                    low=options["low"],
                    high=options["high"],
                    gaps=GapRule(options["gaps"]),
                )
            except BallotError as error:
                raise CommandError(f"{path}: {error.describe()}") from None
            except counting.CountingError as error:
                raise CommandError(f"{path}: {error}") from None
            self.stdout.write("\n".join(report(tally)))
