"""Daily-job benchmark: a catch-up run over N agreements on PostgreSQL.

Usage::

    .venv/bin/python bench/daily_run.py [--agreements 1000] [--lines 5]

``DATABASE_URL`` defaults to ``postgres://postgres@127.0.0.1:5432/daiyunying_bench_daily``
(created and migrated if missing; emptied first). N revenue-share agreements get an
August statement issued on 2026-09-08 that nobody answers; a third are paid in full late,
a third half, a third not at all. Then, with the clock at 2026-11-20, it prints:

1. the first run up to 2026-11-20 (a server down for two months): deemed confirmations,
   penalty notices on 10-01 and 11-01 and on the days paid in full, flags first seen;
2. the same run again: nothing to record, the cost of looking at everything as of the day;
3. a run for the next day.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.month_end import _clean, _ensure_database, _populate, _setup_django  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/daiyunying_bench_daily"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agreements", type=int, default=1000)
    parser.add_argument("--lines", type=int, default=5)
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    if not database_url.startswith("postgres"):
        raise SystemExit("DATABASE_URL must point at PostgreSQL")
    _ensure_database(database_url)
    _setup_django(database_url, tempfile.mkdtemp(prefix="bench-daily-media-"))
    from datetime import date, timedelta
    from decimal import Decimal

    from django.core.management import call_command

    from common import clock

    call_command("migrate", verbosity=0)
    _clean()
    today = date(2026, 11, 20)
    clock.today = lambda: today  # type: ignore[assignment]
    _populate(args.agreements, args.lines)

    from settlements import services, tasks
    from settlements.models import Statement

    tasks.statement_pdf_task = SimpleNamespace(delay=lambda statement_id: None)  # type: ignore[assignment]
    tasks.statement_issued_notify_task = SimpleNamespace(delay=lambda statement_id: None)  # type: ignore[assignment]
    run = services.statement_run_start(period="2026-08", by=None, dispatch=False)
    for item_id in run.items.values_list("pk", flat=True):
        services.statement_run_item_process(item_id=item_id)
    for index, statement in enumerate(Statement.objects.filter(kind="monthly", status="draft")):
        statement = services.statement_issue(
            statement=statement, issued_on=date(2026, 9, 8), by=None
        )
        if index % 3 == 2:
            continue
        amount = (
            statement.total_due
            if index % 3 == 0
            else (statement.total_due / 2).quantize(Decimal("0.01"))
        )
        paid_on = date(2026, 9, 20) + timedelta(days=5 + index % 40)
        services.payment_record(statement=statement, amount=amount, paid_on=paid_on, by=None)
    print(f"setup: {args.agreements} agreements, August statements issued, payments recorded")

    tomorrow = today + timedelta(days=1)
    for label, until in (
        ("catch-up to 11-20", today),
        ("again, same day", today),
        ("next day", tomorrow),
    ):
        clock.today = lambda day=until: day  # type: ignore[assignment]
        if os.environ.get("BENCH_PROFILE") and label == "again, same day":
            import cProfile
            import pstats

            profile = cProfile.Profile()
            profile.enable()
            services.daily_run(until=until)
            profile.disable()
            pstats.Stats(profile).sort_stats("cumulative").print_stats(30)
        started = time.perf_counter()
        result = services.daily_run(until=until)
        elapsed = time.perf_counter() - started
        counts = {rule: part["count"] for rule, part in result.summary.items() if part["count"]}
        print(f"{label}: {elapsed:.1f} s, {result.status}, {counts}")


if __name__ == "__main__":
    main()
