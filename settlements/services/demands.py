"""The brand's demand (催缴) for a monthly statement not issued by its deadline."""

from datetime import date
from typing import Any

from django.db import transaction

from accounts.roles import require_brand_finance_or_staff_for
from common import clock
from common.events import event_record
from contracts.models import Agreement
from core.exceptions import InvalidStateError
from core.periods import Period
from settlements import calculations as calc
from settlements import messages as msg
from settlements.models import StatementDemand
from settlements.selectors import issue_deadline_of, issued_on_for
from settlements.services._common import not_future


@transaction.atomic
def statement_demand(
    *, agreement: Agreement, period: Period, by: Any, demanded_on: date | None = None
) -> StatementDemand:
    """The brand's demand (催缴) for a statement not issued by its deadline."""
    require_brand_finance_or_staff_for(by, agreement)
    demanded_on = demanded_on or clock.today()
    not_future(demanded_on, "demanded_on")
    deadline = issue_deadline_of(agreement=agreement, period=period)
    if not calc.statement_late(
        issue_deadline=deadline, issued_on=issued_on_for(agreement, period), as_of=demanded_on
    ):
        raise InvalidStateError(msg.NOT_LATE.format(period=period, deadline=deadline))
    demand, created = StatementDemand.objects.get_or_create(
        agreement=agreement,
        period=str(period),
        defaults={
            "demanded_on": demanded_on,
            "demanded_by": by if getattr(by, "is_authenticated", False) else None,
        },
    )
    if created:
        event_record(
            action="statement.demanded",
            obj=agreement,
            actor=by,
            agreement=agreement,
            detail={
                "period": str(period),
                "demanded_on": demanded_on.isoformat(),
                "deadline": deadline.isoformat(),
            },
        )
    return demand
