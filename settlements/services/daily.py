"""The daily job: every rule that falls due with time, applied as of a day.

Renewals and expiries, end-of-term installment bills, deemed confirmations, penalty
notices, flags (first sighting: an event and an e-mail) and reminders. Each rule derives
its records from dated facts as of the run's day and dates them as its rule says, so
running the job once up to day D leaves the records that running it on every day up to
D would have left; what is already recorded is never recorded twice. Each step runs on
its own, each row in its own savepoint: one bad row is recorded as a failure of the run
and the others go on.
"""

from collections.abc import Callable
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from common import clock
from common.events import event_record
from common.jobs import RowGuard
from contracts.models import Agreement
from contracts.services import agreements_roll_over
from core.exceptions import RuleViolation
from obligations.notifications import obligation_reminders_send
from obligations.services import obligations_daily
from settlements import messages as msg
from settlements import notifications, tasks
from settlements.models import DailyRun, FlagSeen, Statement
from settlements.selectors import Flag, flag_windows, flags_as_of
from settlements.services.one_off import installment_bills_due_from_end
from settlements.services.penalties import penalty_notices_due
from settlements.services.review import statements_deem_confirmed

# A run's summary keeps this many record names per rule (the count is always whole).
SUMMARY_ITEMS = 100

# The rules, in the order they run: a renewal changes what the end bills see, a deemed
# confirmation sets the due date the penalty notices and flags then read.
RULES = (
    "renewed",
    "expired",
    "end_bills",
    "deemed_confirmed",
    "penalty_notices",
    "flags",
    "obligations_missed",
    "reminders",
    "obligation_reminders",
)


def flags_log_new(*, as_of: date | None = None, guard: RowGuard | None = None) -> list[Flag]:
    """Record each flag the first time it holds (up to ``as_of``), dated on that day.

    The event is logged once per flag (unique key), with the day the flag first held,
    whatever day the job sees it. The brand is e-mailed only about flags that still hold
    on ``as_of``: a flag that came and went while the job was not running is recorded,
    not mailed.
    """
    as_of = as_of or clock.today()
    guard = guard or RowGuard("flags", strict=True)
    new = []
    seen = set(FlagSeen.objects.values_list("key", flat=True))
    fresh = [item for item in flag_windows(until=as_of) if item.flag.key not in seen]
    current = {flag.key: flag for flag in flags_as_of(as_of=as_of)} if fresh else {}
    for item in fresh:
        flag = item.flag
        with guard.row(flag.key):
            try:
                with transaction.atomic():
                    FlagSeen.objects.create(
                        key=flag.key,
                        flag=flag.name,
                        agreement=flag.agreement,
                        statement=flag.statement,
                        period=flag.period,
                        seen_on=item.window.first,
                    )
            except IntegrityError:
                continue  # a concurrent run recorded it
            event_record(
                action=f"flag.{flag.name}",
                obj=flag.statement or flag.agreement,
                agreement=flag.agreement,
                detail={
                    "as_of": item.window.first.isoformat(),
                    "period": flag.period,
                    **flag.detail,
                },
            )
            if flag.key in current:
                notifications.flag_notify(current[flag.key])
            new.append(flag)
    return new


def _steps(
    until: date, is_today: bool
) -> list[tuple[str, Callable[[RowGuard], dict[str, list[str]]]]]:
    def renewals(guard: RowGuard) -> dict[str, list[str]]:
        result = agreements_roll_over(today=until, guard=guard)
        return {"renewed": result.renewed, "expired": result.expired}

    def reminders(guard: RowGuard) -> dict[str, list[str]]:
        if not is_today:
            return {"reminders": []}  # e-mails about "now" are only sent on the day
        sent = notifications.reminders_send(on=until)
        return {
            "reminders": [
                f"{kind}:{number}" for kind, numbers in sent.items() for number in numbers
            ]
        }

    return [
        ("renewals", renewals),
        ("end_bills", lambda g: {"end_bills": installment_bills_due_from_end(on=until, guard=g)}),
        (
            "deemed_confirmations",
            lambda g: {"deemed_confirmed": statements_deem_confirmed(on=until, guard=g)},
        ),
        (
            "penalty_notices",
            lambda g: {"penalty_notices": penalty_notices_due(until=until, guard=g)},
        ),
        ("flags", lambda g: {"flags": [f.key for f in flags_log_new(as_of=until, guard=g)]}),
        # After the renewals: schedules follow each agreement's end, then what is missed.
        ("obligations", lambda g: obligations_daily(until=until, guard=g)),
        ("reminders", reminders),
        (
            "obligation_reminders",
            lambda g: {
                "obligation_reminders": obligation_reminders_send(on=until) if is_today else []
            },
        ),
    ]


def _summary_entry(items: list[str], agencies: dict[str, int | None]) -> dict[str, Any]:
    """A rule's part of the summary: how many records, per agency, and their names.

    Each name carries its agency, so staff of one agency see only their own part of a
    run that covered the whole installation.
    """
    by_agency: dict[str, int] = {}
    for item in items:
        key = str(agencies.get(item))
        by_agency[key] = by_agency.get(key, 0) + 1
    return {
        "count": len(items),
        "by_agency": by_agency,
        "items": [{"name": item, "agency": agencies.get(item)} for item in items[:SUMMARY_ITEMS]],
    }


def _agencies_of(labels: set[str]) -> dict[str, int | None]:
    """The agency behind each label: an agreement or statement number, a flag key
    (``name:agreement:statement:period``) or a reminder (``kind:number``)."""
    names = {label.split(":", 1)[1] if label.count(":") == 1 else label for label in labels}
    agreement_ids = {
        int(label.split(":")[1])
        for label in labels
        if label.count(":") == 3 and label.split(":")[1].isdigit()
    }
    by_number: dict[str, int] = dict(
        Statement.objects.filter(number__in=names).values_list("number", "agreement__agency_id")
    )
    by_number.update(Agreement.objects.filter(number__in=names).values_list("number", "agency_id"))
    by_pk = dict(Agreement.objects.filter(pk__in=agreement_ids).values_list("pk", "agency_id"))
    found: dict[str, int | None] = {}
    for label in labels:
        if label.count(":") == 3 and label.split(":")[1].isdigit():
            found[label] = by_pk.get(int(label.split(":")[1]))
        elif label.count(":") == 1:
            found[label] = by_number.get(label.split(":", 1)[1])
        else:
            found[label] = by_number.get(label)
    return found


def daily_run_execute(*, run: DailyRun) -> DailyRun:
    """Run the job for ``run`` (a pending run): every step, each row isolated.

    A run that already started (a redelivered task) is returned as it is.
    """
    with transaction.atomic():
        run = DailyRun.objects.select_for_update().get(pk=run.pk)
        if run.status != DailyRun.Status.PENDING:
            return run
        run.status = DailyRun.Status.RUNNING
        run.started_at = timezone.now()
        run.save(update_fields=["status", "started_at"])
    results_by_rule: dict[str, list[str]] = {rule: [] for rule in RULES}
    errors: list[dict[str, Any]] = []
    for step, apply in _steps(run.until, run.until == clock.today()):
        guard = RowGuard(step)
        try:
            results = apply(guard)
        except Exception as error:  # the step as a whole (a query, the mail server)
            guard.errors.append(
                {"step": step, "object": "", "error": f"{type(error).__name__}: {error}"[:500]}
            )
            results = {}
        results_by_rule.update(results)
        errors += guard.errors
    labels = {item for items in results_by_rule.values() for item in items}
    agencies = _agencies_of(labels | {str(e["object"]) for e in errors})
    for error in errors:
        error["agency"] = agencies.get(str(error["object"]))
    run.summary = {rule: _summary_entry(items, agencies) for rule, items in results_by_rule.items()}
    run.errors = errors
    run.status = DailyRun.Status.FAILED if errors else DailyRun.Status.DONE
    run.finished_at = timezone.now()
    run.save(update_fields=["summary", "errors", "status", "finished_at"])
    if errors:
        event_record(
            action="daily_run.failed",
            obj=run,
            actor=run.created_by,
            message=msg.DAILY_RUN_FAILED.format(count=len(errors)),
            detail={"until": run.until.isoformat(), "errors": errors[:20]},
        )
    return run


def daily_run_create(
    *, until: date | None = None, by: Any = None, trigger: str = DailyRun.Trigger.SCHEDULE
) -> DailyRun:
    """Record a run of the daily job up to ``until`` (today by default, never later)."""
    today = clock.today()
    until = until or today
    if until > today:
        raise RuleViolation({"until": [msg.FUTURE_DATE]})
    return DailyRun.objects.create(
        until=until,
        trigger=trigger,
        created_by=by if getattr(by, "is_authenticated", False) else None,
    )


def daily_run(
    *, until: date | None = None, by: Any = None, trigger: str = DailyRun.Trigger.SCHEDULE
) -> DailyRun:
    """Run the daily job up to ``until`` now, in this process, and return the run."""
    run = daily_run_create(until=until, by=by, trigger=trigger)
    return daily_run_execute(run=run)


def daily_run_start(
    *, until: date | None = None, by: Any = None, trigger: str = DailyRun.Trigger.API
) -> DailyRun:
    """Record a run and hand it to a worker once committed (in-process without a broker)."""
    run = daily_run_create(until=until, by=by, trigger=trigger)
    transaction.on_commit(lambda: tasks.daily_run_task.delay(run.pk))
    return run
