"""Reads of obligations: what staff act on (the workbench) as of a day."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from obligations.models import Obligation

# "This week": the day and the six after it.
WEEK_DAYS = 7
LIVE = (Obligation.Status.OPEN, Obligation.Status.MISSED)


@dataclass
class ToAct:
    due_this_week: list[Obligation] = field(default_factory=list)
    missed: list[Obligation] = field(default_factory=list)
    approvals_waiting: list[Obligation] = field(default_factory=list)


def obligations_to_act(*, agreements: Any, today: date) -> ToAct:
    """Open obligations due from ``today`` for a week, missed ones, and approvals not yet
    answered (either side's), of ``agreements``; each list by due date."""
    rows = Obligation.objects.filter(agreement__in=agreements).select_related("agreement__brand")
    not_approval = rows.exclude(kind="approval")
    return ToAct(
        due_this_week=list(
            not_approval.filter(
                status=Obligation.Status.OPEN,
                due_on__gte=today,
                due_on__lt=today + timedelta(days=WEEK_DAYS),
            ).order_by("due_on", "pk")
        ),
        missed=list(not_approval.filter(status=Obligation.Status.MISSED).order_by("due_on", "pk")),
        approvals_waiting=list(
            rows.filter(kind="approval", status__in=LIVE).order_by("due_on", "pk")
        ),
    )
