"""The background work of the evidence pack: the exports waiting in the queue, made one at a
time per process (each takes the oldest queued export from the database, so two processes
never make the same one)."""

from __future__ import annotations

import threading
from datetime import datetime

from qms.config import Settings
from qms.evidence import service

# One export at a time in this process: rendering and zipping share two cores with the app.
_running = threading.Lock()


def run_pending(engine, settings: Settings) -> int:
    """Make every queued export, oldest first; how many this call made. A call that finds
    another one at work returns at once: that one takes the new export when it is done."""
    made = 0
    while True:
        if not _running.acquire(blocking=False):
            return made
        try:
            while (export_id := service.claim(engine=engine)) is not None:
                today = datetime.now(settings.tz).date()
                service.make_export(
                    engine=engine, settings=settings, export_id=export_id, today=today
                )
                made += 1
        finally:
            _running.release()
        # An export queued while the lock was being released would wait for the next one.
        if not service.has_queued(engine=engine):
            return made
