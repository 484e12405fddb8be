"""The background worker, run as the real `vecinos worker` process against the test database."""

from __future__ import annotations

import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tests.core.jobs import append_line, meet
from tests.processes import start_vecinos

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_workers_share_the_queue_without_doing_a_job_twice(tmp_path: Path) -> None:
    out = tmp_path / "lines"
    arrivals = tmp_path / "arrivals"
    arrivals.mkdir()
    # Each worker first holds one "meet" job until the other holds one too: both take part.
    for _ in range(2):
        meet.enqueue(str(arrivals), 2)
    jobs = 120
    for number in range(jobs):
        append_line.enqueue(str(out), number)

    workers = [start_vecinos("worker", "--batch", "--interval", "0") for _ in range(2)]
    for worker in workers:
        assert worker.wait(timeout=120) == 0

    done = Counter(int(line) for line in out.read_text().split())
    assert sorted(done) == list(range(jobs))
    assert set(done.values()) == {1}, "a job ran twice"
    statuses = Counter(DBTaskResult.objects.values_list("status", flat=True))
    assert statuses == {TaskResultStatus.SUCCESSFUL: jobs + 2}
    assert len(list(arrivals.iterdir())) == 2
    assert (
        len({tuple(ids) for ids in DBTaskResult.objects.values_list("worker_ids", flat=True)}) == 2
    )


def test_a_stopped_worker_finishes_its_current_job_first(tmp_path: Path) -> None:
    out = tmp_path / "lines"
    result = append_line.enqueue(str(out), 7, pause=2.0)
    worker = start_vecinos("worker", "--interval", "0.1", stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while DBTaskResult.objects.get(id=result.id).status != TaskResultStatus.RUNNING:
            assert time.monotonic() < deadline, "the worker never picked up the job"
            assert worker.poll() is None, "the worker died"
            time.sleep(0.05)
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=60) == 0
    finally:
        if worker.poll() is None:
            worker.kill()
    assert out.read_text() == "7\n"
    assert DBTaskResult.objects.get(id=result.id).status == TaskResultStatus.SUCCESSFUL
