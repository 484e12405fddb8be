"""The outbox loop that `vecinos worker` runs beside the job queue."""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from django.db import close_old_connections

from vecinos.messaging import inbound, outbox

logger = logging.getLogger(__name__)
RECOVER_EVERY_SECONDS = 30
SIGNAL_POLL_SECONDS = 2


class OutboxWorker:
    """Claims batches of ready messages and sends them ``concurrency`` at a time. Stopping lets
    the batch in hand finish, so a clean stop never leaves a message half-sent."""

    def __init__(self, worker_id: str, concurrency: int, interval: float = 0.5) -> None:
        self.worker_id = worker_id
        self.concurrency = concurrency
        self.interval = interval
        self.stop = threading.Event()
        self._last_recovery = 0.0
        self._last_signal_poll = 0.0

    def run_once(self, pool: ThreadPoolExecutor) -> int:
        """Recover abandoned messages when due, then send one batch; returns how many."""
        if time.monotonic() - self._last_recovery > RECOVER_EVERY_SECONDS:
            recovered = outbox.recover_abandoned()
            if recovered:
                logger.warning("took back %d messages from a worker that stopped", recovered)
            inbound.process_pending()
            self._last_recovery = time.monotonic()
        if time.monotonic() - self._last_signal_poll > SIGNAL_POLL_SECONDS:
            inbound.poll_signal()
            self._last_signal_poll = time.monotonic()
        ids = outbox.claim(self.worker_id, limit=self.concurrency * 4)
        if ids:
            list(pool.map(self._deliver, ids))
        return len(ids)

    def run(self, until_empty: bool = False) -> None:
        with ThreadPoolExecutor(self.concurrency, thread_name_prefix="outbox") as pool:
            while not self.stop.is_set():
                close_old_connections()
                sent = self.run_once(pool)
                if not sent:
                    if until_empty:
                        return
                    self.stop.wait(self.interval)

    def _deliver(self, message_id: int) -> str:
        try:
            return outbox.deliver(message_id, self.worker_id)
        finally:
            close_old_connections()
