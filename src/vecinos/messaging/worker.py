"""The outbox loop that `vecinos worker` runs beside the job queue."""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from django.db import close_old_connections
from django.utils import timezone

from vecinos.core import periodic
from vecinos.messaging import health, inbound, outbox
from vecinos.messaging.gateways.twilio.gateway import close_async_client

logger = logging.getLogger(__name__)
RECOVER_EVERY_SECONDS = 30
SIGNAL_POLL_SECONDS = 2
# Stored texts read per turn of the loop (see run_once).
INBOUND_BATCH = 20
# Shortest nap when a message is due but was not claimable (another worker holds it locked).
MIN_IDLE_SECONDS = 0.005


class OutboxWorker:
    """Claims up to ``concurrency`` ready messages at a time and sends them in parallel. That is
    also the most a SIGKILL can leave in flight, so the most that can go twice. Stopping lets the
    batch in hand finish, so a clean stop never leaves a message half-sent."""

    def __init__(self, worker_id: str, concurrency: int, interval: float = 0.5) -> None:
        self.worker_id = worker_id
        self.concurrency = concurrency
        self.interval = interval
        self.stop = threading.Event()
        self._last_recovery = 0.0
        self._last_signal_poll = 0.0

    def run_once(self, pool: ThreadPoolExecutor) -> int:
        """Recover abandoned messages when due, read stored texts, then send one batch; returns
        how many texts and messages were handled."""
        if time.monotonic() - self._last_recovery > RECOVER_EVERY_SECONDS:
            recovered = outbox.recover_abandoned()
            if recovered:
                logger.warning("took back %d messages from a worker that stopped", recovered)
            if not inbound.read_by_worker():
                inbound.process_pending()  # stragglers: a crash between storing and reading
            health.check_slow_broadcasts()
            self._last_recovery = time.monotonic()
        if time.monotonic() - self._last_signal_poll > SIGNAL_POLL_SECONDS:
            inbound.poll_signal()
            self._last_signal_poll = time.monotonic()
        periodic.run_due()
        # With Redis, the texts Twilio's webhook stored (it answers before they are read): a few
        # each turn, so a flood of texts never holds up the alerts in the outbox, and the replies
        # they queue go out in the same turn.
        texts = inbound.process_pending(limit=INBOUND_BATCH) if inbound.read_by_worker() else 0
        ids = outbox.claim(self.worker_id, limit=self.concurrency)
        if ids:
            outbox.deliver_batch(ids, self.worker_id, pool)
        return len(ids) + texts

    def run(self, until_empty: bool = False) -> None:
        # The threads only talk to providers; the database work of a batch stays in this thread.
        try:
            with ThreadPoolExecutor(self.concurrency, thread_name_prefix="outbox") as pool:
                while not self.stop.is_set():
                    close_old_connections()
                    if self.run_once(pool):
                        continue
                    if until_empty:
                        return
                    self.stop.wait(self.idle_seconds())
        finally:
            close_async_client()

    def idle_seconds(self) -> float:
        """How long to sleep with nothing ready: until the next paced or retried message is due,
        so pacing is not rounded up to the polling interval, but never longer than the interval,
        so new messages are seen."""
        due = outbox.next_due()
        if due is None:
            return self.interval
        until_due = (due - timezone.now()).total_seconds()
        return min(self.interval, max(MIN_IDLE_SECONDS, until_due))
