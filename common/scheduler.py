"""Celery beat's schedule, run in-process when there is no broker (the embedded default).

With PostgreSQL and Redis, Celery beat runs ``CELERY_BEAT_SCHEDULE``. Without a broker
(``scripts/run`` on a laptop) nothing would, so ``manage.py serve`` starts this scheduler
in a thread of the web process: at start-up it runs every scheduled task once (each is
idempotent, so this catches up on whatever came due while nothing ran), then it runs each
task whenever its crontab comes due, in the same process. Nothing else to start.
"""

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from celery import current_app
from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

logger = logging.getLogger(__name__)

# The longest the scheduler sleeps before looking again (a clock change, a late wake-up).
MAX_SLEEP_SECONDS = 300.0


@dataclass
class Entry:
    name: str
    task: str
    schedule: Any  # a celery schedule (crontab)
    last_run_at: datetime


def _run_task(task_name: str) -> None:
    current_app.tasks[task_name].apply()  # in this process, whatever the eager setting


class EmbeddedScheduler:
    """Runs the beat schedule's tasks when due; ``tick`` does one round (tested alone)."""

    def __init__(
        self,
        schedule: dict[str, dict[str, Any]] | None = None,
        *,
        run_task: Callable[[str], None] = _run_task,
        now: Callable[[], datetime] = timezone.now,
    ) -> None:
        schedule = settings.CELERY_BEAT_SCHEDULE if schedule is None else schedule
        self.now = now
        self.run_task = run_task
        started = now()
        self.entries = [
            Entry(name, entry["task"], entry["schedule"], started)
            for name, entry in schedule.items()
        ]
        self._stop = threading.Event()

    def _run(self, entry: Entry) -> None:
        try:
            self.run_task(entry.task)
        except Exception:  # recorded by the task itself (a failed run); keep scheduling
            logger.exception("scheduled task %s failed", entry.task)
        finally:
            close_old_connections()

    def catch_up(self) -> list[str]:
        """Run every task once, now: each is idempotent and works as of today, so this
        does what the schedule would have done while nothing ran."""
        for entry in self.entries:
            self._run(entry)
            entry.last_run_at = self.now()
        return [entry.task for entry in self.entries]

    def tick(self) -> tuple[list[str], float]:
        """Run the tasks that are due; return them and the seconds until the next one."""
        ran: list[str] = []
        sleep = MAX_SLEEP_SECONDS
        for entry in self.entries:
            due, next_seconds = entry.schedule.is_due(entry.last_run_at)
            if due:
                self._run(entry)
                entry.last_run_at = self.now()
                ran.append(entry.task)
                due, next_seconds = entry.schedule.is_due(entry.last_run_at)
            sleep = min(sleep, max(1.0, float(next_seconds)))
        return ran, sleep

    def loop(self) -> None:
        self.catch_up()
        while not self._stop.is_set():
            _ran, sleep = self.tick()
            self._stop.wait(sleep)

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.loop, name="embedded-scheduler", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self._stop.set()


def embedded_scheduler_wanted() -> bool:
    """In-process scheduling is for the no-broker default only; with a broker, beat runs."""
    return bool(getattr(settings, "EMBEDDED_SCHEDULER", settings.CELERY_TASK_ALWAYS_EAGER))
