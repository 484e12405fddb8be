"""Jobs used by the worker tests. Each appends one line to a file, so double work is visible."""

from __future__ import annotations

import os
import time

from django_tasks import task


@task()
def append_line(path: str, number: int, pause: float = 0.0) -> int:
    time.sleep(pause)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, f"{number}\n".encode())
    finally:
        os.close(fd)
    return number


@task()
def meet(folder: str, workers: int, limit: float = 120.0) -> int:
    """Hold this worker until ``workers`` distinct workers are each inside a ``meet`` job.

    A worker runs one job at a time, so queueing ``workers`` of these first makes every worker
    take part, however long the others take to start on a loaded machine.
    """
    marker = os.path.join(folder, f"worker-{os.getpid()}")
    with open(marker, "w"):
        pass
    deadline = time.monotonic() + limit
    while len(os.listdir(folder)) < workers:
        if time.monotonic() > deadline:
            raise TimeoutError(f"only {len(os.listdir(folder))} of {workers} workers arrived")
        time.sleep(0.05)
    return os.getpid()
