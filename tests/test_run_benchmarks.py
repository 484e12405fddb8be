"""`vecinos bench` runs each benchmark in a throwaway database and ends with one line of JSON.
Figures are not asserted: speed is measured by the benchmark, never timed in tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.processes import REPO


def test_the_fanout_benchmark_runs_and_reports_every_figure_as_json() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VECINOS_", "DJANGO_"))}
    result = subprocess.run(
        [sys.executable, "-m", "vecinos", "bench", "fanout", "--recipients", "40"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["sent"] == figures["provider_received"] == 40
    for key in ("baseline_bulk_insert_rows_per_s", "enqueue_messages_per_s",
                "enqueue_vs_bulk_insert", "send_messages_per_s"):  # fmt: skip
        assert figures[key] > 0


def test_the_intake_benchmark_loses_no_accepted_text(redis_url: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VECINOS_", "DJANGO_"))}
    # With the worker beside the server: the texts are read while they arrive, and after.
    options = ["--seconds", "1", "--connections", "4", "--server-workers", "1", "--with-worker"]
    options += ["--redis", redis_url]
    result = subprocess.run(
        [sys.executable, "-m", "vecinos", "bench", "intake", *options],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["answered_200"] > 0 and figures["other_statuses"] == {}
    assert figures["lost"] == 0 and figures["stored"] == figures["distinct_accepted"]
    assert figures["stored_unread"] == 0
    assert figures["read_during_load"] + figures["read_after_load"] == figures["stored"]
    assert figures["reports_opened"] > 0
    assert figures["accepted_per_s"] > 0 and figures["baseline_refused_per_s"] > 0


def run_bench(*arguments: str) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VECINOS_", "DJANGO_"))}
    result = subprocess.run(
        [sys.executable, "-m", "vecinos", "bench", *arguments],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    figures: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return figures


def test_the_match_benchmark_times_each_ring_beside_the_raw_query() -> None:
    figures = run_bench("match", "--responders", "300", "--queries", "5", "--rings", "0,1")
    assert figures["uses_responder_dispatch_idx"] is True
    for key in ("ring0_median_ms", "ring1_p99_ms", "ring1_baseline_raw_sql_median_ms"):
        assert isinstance(figures[key], float) and figures[key] > 0


def test_the_alert_benchmark_sends_every_alert_behind_a_queued_broadcast() -> None:
    figures = run_bench("alert", "--responders", "12", "--bulk", "300", "--rate", "40")
    assert figures["alerts_sent"] == 12
    assert isinstance(figures["last_text_s"], float)
    assert isinstance(figures["first_text_s"], float)


def test_the_tally_benchmark_reports_counting_beside_reading_the_ballots() -> None:
    figures = run_bench("tally", "--ballots", "300", "--options", "5")
    assert figures["ballots"] == 300 and figures["winner"]
    assert isinstance(figures["rounds"], int) and figures["rounds"] >= 2
    for key in ("read_s", "tally_s", "count_vote_s"):
        assert isinstance(figures[key], float)
