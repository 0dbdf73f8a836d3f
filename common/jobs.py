"""Jobs that hold up under faults: row isolation for scheduled jobs (one bad row never
stops the others) and a Celery task base whose ``delay`` survives a broker outage."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from celery import Task
from django.db import transaction
from kombu.exceptions import OperationalError as BrokerError

logger = logging.getLogger(__name__)

# How much of an error message a run keeps per failed row.
ERROR_TEXT_LIMIT = 500


class RowGuard:
    """Runs each row of a job step in its own savepoint and records what failed.

    ``with guard.row("HT-2026-0001"): ...`` rolls that row's writes back on an error and
    records ``{"step", "object", "error"}`` in ``guard.errors`` instead of raising, so
    the step goes on with the next row. ``RowGuard(strict=True)`` re-raises instead
    (a service called directly, or a test, wants the exception).
    """

    def __init__(self, step: str = "", *, strict: bool = False) -> None:
        self.step = step
        self.strict = strict
        self.errors: list[dict[str, Any]] = []

    @contextmanager
    def row(self, label: str) -> Iterator[None]:
        try:
            with transaction.atomic():
                yield
        except Exception as error:
            if self.strict:
                raise
            logger.exception("daily job: %s failed on %s", self.step, label)
            self.errors.append(
                {
                    "step": self.step,
                    "object": label,
                    "error": f"{type(error).__name__}: {error}"[:ERROR_TEXT_LIMIT],
                }
            )


class Enqueueable(Task):  # type: ignore[misc]
    """A task whose ``delay`` never fails its caller when the broker is down.

    Work is queued after a commit (``transaction.on_commit``): the rows are already saved,
    so a broker error there must not turn a saved change into a 500. The error is logged
    and the work stays where the sweeper (``sweep_task``, every few minutes) finds it:
    an issued statement without a PDF, a pending run item, a pending import.
    """

    def apply_async(self, args: Any = None, kwargs: Any = None, **options: Any) -> Any:
        try:
            return super().apply_async(args, kwargs, **options)
        except BrokerError:
            logger.exception(
                "broker unavailable: %s%s not queued; the sweeper will queue it", self.name, args
            )
            return None
