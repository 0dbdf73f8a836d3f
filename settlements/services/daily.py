"""The daily job: renewals and expiries, end-based bills, deemed confirmations,
monthly penalty notices, flags and reminders."""

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction

from common import clock
from common.events import event_record
from contracts.services import agreements_roll_over
from settlements import notifications
from settlements.models import FlagSeen
from settlements.selectors import Flag, flags_as_of
from settlements.services.one_off import installment_bills_due_from_end
from settlements.services.penalties import penalty_notices_monthly
from settlements.services.review import statements_deem_confirmed


def flags_log_new(*, as_of: date | None = None) -> list[Flag]:
    """Daily: log an event (and e-mail the brand) the first time each flag is seen."""
    as_of = as_of or clock.today()
    new = []
    for flag in flags_as_of(as_of=as_of):
        try:
            with transaction.atomic():
                FlagSeen.objects.create(
                    key=flag.key,
                    flag=flag.name,
                    agreement=flag.agreement,
                    statement=flag.statement,
                    period=flag.period,
                    seen_on=as_of,
                )
        except IntegrityError:
            continue
        event_record(
            action=f"flag.{flag.name}",
            obj=flag.statement or flag.agreement,
            agreement=flag.agreement,
            detail={"as_of": as_of.isoformat(), "period": flag.period, **flag.detail},
        )
        notifications.flag_notify(flag)
        new.append(flag)
    return new


def daily_run(*, on: date | None = None) -> dict[str, Any]:
    """The daily job: renewals and expiries, end-based bills, deemed confirmations,
    monthly penalty notices, flags. Each step is idempotent."""
    on = on or clock.today()
    rollover = agreements_roll_over(today=on)
    return {
        "renewed": rollover.renewed,
        "expired": rollover.expired,
        "installments": installment_bills_due_from_end(on=on),
        "deemed_confirmed": statements_deem_confirmed(on=on),
        "penalty_notices": penalty_notices_monthly(on=on) if on.day == 1 else [],
        "flags": [f.key for f in flags_log_new(as_of=on)],
        "reminders": notifications.reminders_send(on=on),
    }
