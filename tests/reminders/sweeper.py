"""Run in a child process by the tests: a sweep (or a leader lock) against the test database.

usage: python -m tests.reminders.sweeper sweep DAY  |  python -m tests.reminders.sweeper lead
Settings come from the QMS_* environment the test passes.
"""

from __future__ import annotations

import sys
from datetime import date

from qms.config import load_settings
from qms.db import make_engine
from qms.registry import load_models
from tests.reminders.rules import install_fixed_rule


def main() -> None:
    load_models()
    settings = load_settings()
    engine = make_engine(settings)
    if sys.argv[1] == "sweep":
        from qms.reminders.service import sweep

        install_fixed_rule(engine)
        run = sweep(engine=engine, settings=settings, as_of=date.fromisoformat(sys.argv[2]))
        print(f"created {run.created} error {run.error!r}", flush=True)
    elif sys.argv[1] == "lead":
        from qms.reminders.scheduler import LeaderLock

        lock = LeaderLock(engine, settings)
        print("leader" if lock.acquire() else "follower", flush=True)
        sys.stdin.read()  # hold the lock until the parent closes our input or kills us
        lock.release()


if __name__ == "__main__":
    main()
