"""Paper ballots typed into a spreadsheet: reading the CSV and `vecinos tally`."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.assembly.test_count_real_elections import burlington_2009
from vecinos.assembly.ballots import BallotError, GapRule, read_ranked, read_scores


def tally(path: Path, *args: str) -> str:
    out = io.StringIO()
    call_command("tally", str(path), *args, stdout=out)
    return out.getvalue()


def write(tmp_path: Path, text: str, name: str = "ballots.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


class TestReadingRankedBallots:
    def test_blank_cells_are_skipped_and_the_next_choice_moves_up(self) -> None:
        read = read_ranked("rank1,rank2,rank3\nAna,,Beto\n")
        assert read.ballots == (("Ana", "Beto"),)

    def test_a_row_of_blank_cells_is_a_blank_ballot_and_an_empty_line_is_nothing(self) -> None:
        read = read_ranked("rank1,rank2\nAna,Beto\n,\n\n")
        assert read.ballots == (("Ana", "Beto"), ())
        assert read.blank == 1

    def test_names_are_matched_without_case_or_spaces(self) -> None:
        read = read_ranked("rank1,rank2\n ana ,BETO\n", ["Ana", "Beto"])
        assert read.ballots == (("Ana", "Beto"),)

    def test_other_columns_are_ignored_and_semicolons_work(self) -> None:
        read = read_ranked("\ufeffpapeleta;Rank 1;rank_2\n17;Cruz;Ana\n")
        assert read.ballots == (("Cruz", "Ana"),)
        assert read.rows == (2,)

    def test_a_duplicate_option_names_its_row(self) -> None:
        with pytest.raises(BallotError) as caught:
            read_ranked("rank1,rank2\nAna,Beto\nCruz,cruz\n")
        assert (caught.value.row, caught.value.code) == (3, "duplicate_ranking")
        assert caught.value.describe() == "Row 3: “Cruz” is ranked more than once."

    def test_an_unknown_option_names_its_row(self) -> None:
        with pytest.raises(BallotError) as caught:
            read_ranked("rank1\nAna\nAna\nZoe\n", ["Ana", "Beto"])
        assert (caught.value.row, caught.value.option) == (4, "Zoe")

    def test_a_gap_is_refused_when_gaps_are_errors(self) -> None:
        with pytest.raises(BallotError) as caught:
            read_ranked("rank1,rank2,rank3\nAna,,Beto\n", gaps=GapRule.ERROR)
        assert (caught.value.row, caught.value.code) == (2, "gap")

    def test_a_blank_first_ranking_is_a_gap_too(self) -> None:
        assert read_ranked("rank1,rank2\n,Ana\n").ballots == (("Ana",),)
        with pytest.raises(BallotError) as caught:
            read_ranked("rank1,rank2\n,Ana\n", gaps=GapRule.ERROR)
        assert caught.value.code == "gap"

    def test_rows_are_counted_as_the_spreadsheet_shows_them(self) -> None:
        text = 'rank1,rank2\r\nAna,Beto\r\n"Beto\nsegunda línea",Ana\r\nAna,Ana\r\n'
        with pytest.raises(BallotError) as caught:
            read_ranked(text)
        assert caught.value.row == 4  # the two-line cell is one row of the spreadsheet

    def test_rank_columns_must_not_skip_a_number(self) -> None:
        with pytest.raises(BallotError) as caught:
            read_ranked("rank1,rank3\nAna,Beto\n")
        assert (caught.value.row, caught.value.code) == (1, "rank_columns_gap")

    def test_a_file_without_rank_columns_is_refused(self) -> None:
        with pytest.raises(BallotError) as caught:
            read_ranked("name,vote\nAna,yes\n")
        assert caught.value.code == "no_rank_columns"

    def test_a_file_that_is_not_text_is_refused(self) -> None:
        with pytest.raises(BallotError) as caught:
            read_ranked(b"\xff\xfe\x00\x00rank1")
        assert caught.value.code == "not_text"


class TestReadingScoreBallots:
    def test_each_column_is_an_option_and_blank_is_not_scored(self) -> None:
        read = read_scores("park,clinic\n5,\n0,3\n")
        assert read.options == ("park", "clinic")
        assert read.ballots == ({"park": 5, "clinic": None}, {"park": 0, "clinic": 3})

    @pytest.mark.parametrize("bad", ["6", "-1", "2.5", "many"])
    def test_a_bad_score_names_its_row(self, bad: str) -> None:
        with pytest.raises(BallotError) as caught:
            read_scores(f"park,clinic\n5,1\n4,{bad}\n")
        assert (caught.value.row, caught.value.code) == (3, "bad_score")
        assert caught.value.describe() == (
            f"Row 3: the score for “clinic” must be a whole number from 0 to 5, not “{bad}”."
        )


class TestTallyCommand:
    def test_it_prints_the_round_table_and_the_winner_of_a_real_election(
        self, tmp_path: Path
    ) -> None:
        lines = ["ballot,rank1,rank2,rank3"]
        number = 0
        for ranking, count in burlington_2009().items():
            cells = [*ranking, "", "", ""][:3]
            for _ in range(count):
                number += 1
                lines.append(",".join([str(number), *cells]))
        path = write(tmp_path, "\n".join(lines) + "\n")

        out = tally(path, "--method", "irv")

        assert "8980 ballots, 4 blank" in out
        assert "Bob Kiss          2585     2981     4313" in out
        assert "Andy Montroll     2063     2554        —" in out
        assert "Exhausted            0      147      602" in out
        assert "Round 1: eliminated James Simpson, Write-in, Dan Smith." in out
        assert out.rstrip().endswith("Winner: Bob Kiss")

    def test_a_malformed_ballot_stops_the_count_with_its_row(self, tmp_path: Path) -> None:
        path = write(tmp_path, "rank1,rank2\nAna,Beto\nBeto,Ana\nAna,Ana\n")
        with pytest.raises(CommandError, match="Row 4: “Ana” is ranked more than once"):
            tally(path, "--method", "ranking")

    def test_a_malformed_ballot_exits_non_zero(self, tmp_path: Path) -> None:
        path = write(tmp_path, "park,clinic\n5,1\n9,1\n")
        run = subprocess.run(
            [sys.executable, "-m", "vecinos", "tally", "--method", "score", str(path)],
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"},
        )
        assert run.returncode != 0
        assert "Row 3" in run.stderr

    def test_it_prints_a_full_ranking(self, tmp_path: Path) -> None:
        path = write(tmp_path, "rank1,rank2\nA,B\nA,B\nB,C\nC,B\nC,B\n")
        out = tally(path, "--method", "ranking")
        # A 2, B 1, C 2: B is out and its ballot makes C win; without C, B beats A.
        assert out.rstrip().endswith("Ranking:\n1. C\n2. B\n3. A")

    def test_majority_counts_first_choices_and_says_when_no_one_has_half(
        self, tmp_path: Path
    ) -> None:
        path = write(tmp_path, "choice\npark\nclinic\nlibrary\npark\n\n")
        out = tally(path, "--method", "majority")
        assert "No option has more than half of the 4 votes." in out

    def test_score_voting_ranks_by_total(self, tmp_path: Path) -> None:
        path = write(tmp_path, "park,clinic\n5,2\n4,\n0,5\n")
        out = tally(path, "--method", "score")
        assert "1. park" in out
        assert "2. clinic" in out

    def test_the_report_can_be_in_spanish(self, tmp_path: Path) -> None:
        path = write(tmp_path, "rank1\nAna\n")
        out = tally(path, "--language", "es")
        assert "Ana" in out

    def test_a_lot_with_an_unknown_name_is_refused(self, tmp_path: Path) -> None:
        path = write(tmp_path, "rank1\nAna\nBeto\n")
        with pytest.raises(CommandError, match="Zoe"):
            tally(path, "--lot", "Zoe,Ana")

    def test_a_missing_file_is_a_clear_error(self, tmp_path: Path) -> None:
        with pytest.raises(CommandError, match="No such file"):
            tally(tmp_path / "missing.csv")
