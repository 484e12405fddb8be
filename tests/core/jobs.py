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
