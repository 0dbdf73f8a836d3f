"""Running the daily job once up to day D leaves the records that running it on every day
up to D leaves.

Hypothesis generates worlds: a revenue-share agreement (auto-renewing or not, maybe with
an objection), a consulting agreement with an end-of-term installment, monthly sales,
statements issued on generated days, brands that confirm, stay silent, or dispute and
withdraw, and payments on generated days. Each world is played twice from the same
start, each action on its own day with the clock set to that day:

- "every day": after each day's actions, the daily job runs for that day;
- "once": the same actions, and the daily job runs once, on the last day.

The records the rules leave (agreements, every statement and penalty notice with its
dates, amounts and states, the flags first seen with their dates, and the rule events)
must be the same. Record numbers are left out: they follow the order records are made.
"""

from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from common.models import Event
from contracts.models import Agreement
from contracts.services import renewal_objection_record
from core.periods import Period
from kpis.services import sale_line_record
from settlements import services
from settlements.models import FlagSeen, Statement
from tests import factories as f

pytestmark = pytest.mark.django_db(transaction=False)

D = Decimal
START = date(2026, 6, 1)
LAST_DAY = date(2026, 11, 10)
MONTHS = (Period(2026, 6), Period(2026, 7), Period(2026, 8))

answers = st.sampled_from(["silence", "confirm", "dispute_then_withdraw", "dispute_open"])
month_plan = st.fixed_dictionaries(
    {
        "quantity": st.integers(min_value=1, max_value=200),
        "issue_day": st.integers(min_value=2, max_value=16),  # of the next month
        "answer": answers,
        "answer_after": st.integers(min_value=0, max_value=4),  # working-ish days
        "withdraw_after": st.integers(min_value=1, max_value=40),
        "payments": st.lists(
            st.tuples(st.integers(min_value=0, max_value=60), st.sampled_from([25, 50, 100])),
            max_size=3,
        ),
    }
)
worlds = st.fixed_dictionaries(
    {
        "ends_on": st.sampled_from([date(2026, 8, 31), date(2026, 9, 30), date(2026, 10, 31)]),
        "auto_renew": st.booleans(),
        "objection_days_before_end": st.one_of(st.none(), st.integers(min_value=5, max_value=60)),
        "months": st.tuples(month_plan, month_plan, month_plan),
        "consulting_end": st.sampled_from([date(2026, 7, 31), date(2026, 9, 15)]),
        "installment_paid_after": st.one_of(st.none(), st.integers(min_value=0, max_value=40)),
    }
)


def _build(spec):
    """The agreements and products, as they stand before the first day."""
    rs = f.agreement(
        "revenue_share",
        activate=True,
        signed_on=date(2026, 5, 20),
        starts_on=START,
        ends_on=spec["ends_on"],
        auto_renew=spec["auto_renew"],
        renewal_term_months=1,
    )
    f.product(
        rs.brand,
        sku="TEA-1",
        factory_price=D("80.00"),
        distributor_price=D("120.00"),
        min_retail_price=D("1.00"),
    )
    consulting = f.agreement(
        "consulting_fixed_fee",
        brand_org=rs.brand,
        activate=True,
        signed_on=date(2026, 5, 25),
        starts_on=START,
        ends_on=spec["consulting_end"],
        penalty_rate_per_day=D("0.005"),
        terms={
            "total_fee": D("50000.00"),
            "installments": [
                {"percent": "50", "due_from": "signing", "working_days": 3},
                {"percent": "50", "due_from": "end", "working_days": 3},
            ],
        },
    )
    staff = f.user(rs.agency, "agency_staff")
    finance = f.user(rs.brand, "brand_finance")
    return rs, consulting, staff, finance


def _plan(spec, rs, consulting, staff, finance):
    """Every action of the world, by day: (day, order, callable)."""
    actions = []

    def on(day, order, action):
        if START <= day <= LAST_DAY:
            actions.append((day, order, action))

    objection = spec["objection_days_before_end"]
    if objection is not None:
        on(
            spec["ends_on"] - timedelta(days=objection),
            0,
            lambda day: _refused_alike(
                renewal_objection_record,
                agreement=rs,
                on=day,
                by_party="brand",
                note="不再续约",
                by=staff,
            ),
        )
    for period, plan in zip(MONTHS, spec["months"], strict=True):
        if period.last_day > spec["ends_on"]:
            continue

        def sell(day, period=period, plan=plan):
            sale_line_record(
                agreement=rs,
                by=staff,
                data={
                    "product": "TEA-1",
                    "sold_on": day.isoformat(),
                    "quantity": plan["quantity"],
                    "unit_price": "199.00",
                    "tax": "0",
                    "logistics": "0",
                    "channel": "tmall",
                    "external_ref": f"S-{period}",
                },
            )

        on(period.first_day + timedelta(days=4), 1, sell)
        issue_day = period.next().first_day + timedelta(days=plan["issue_day"] - 1)

        def issue(day, period=period):
            statement = services.statement_generate(agreement=rs, period=period, by=staff)
            services.statement_issue(statement=statement.statement, issued_on=day, by=staff)

        on(issue_day, 2, issue)

        def monthly(period=period):
            return Statement.objects.get(agreement=rs, kind="monthly", period=str(period))

        answer_day = issue_day + timedelta(days=plan["answer_after"])
        if plan["answer"] == "confirm":
            on(
                answer_day,
                3,
                lambda day, s=monthly: _maybe(services.statement_confirm, s(), finance),
            )
        elif plan["answer"].startswith("dispute"):
            on(
                answer_day,
                3,
                lambda day, s=monthly: _maybe(services.statement_dispute, s(), finance, "请核对"),
            )
            if plan["answer"] == "dispute_then_withdraw":
                on(
                    answer_day + timedelta(days=plan["withdraw_after"]),
                    4,
                    lambda day, s=monthly: _maybe(
                        services.statement_withdraw_dispute, s(), finance
                    ),
                )
        for after, percent in plan["payments"]:
            on(
                issue_day + timedelta(days=after),
                5,
                lambda day, s=monthly, percent=percent: _pay(s(), percent, staff, day),
            )
    paid_after = spec["installment_paid_after"]
    if paid_after is not None:
        first = Statement.objects.get(
            agreement=consulting, kind="installment", installment_number=1
        )
        on(
            first.payment_due_on + timedelta(days=paid_after - 20),
            5,
            lambda day: _pay(first, 100, staff, day),
        )
    return sorted(actions, key=lambda item: (item[0], item[1]))


def _refused_alike(service, **kwargs):
    from core.exceptions import DomainError

    try:
        service(**kwargs)
    except DomainError:
        pass  # e.g. an objection to an agreement that does not renew


def _maybe(service, statement, by, comment=None):
    """A brand's answer: refused (409/400) when the state no longer allows it, in both
    plays alike (the services judge the receipt deadline themselves)."""
    from core.exceptions import DomainError

    kwargs = {"statement": statement, "by": by}
    if comment is not None:
        kwargs["comment"] = comment
    try:
        service(**kwargs)
    except DomainError:
        pass


def _pay(statement, percent, staff, day):
    statement.refresh_from_db()
    if not statement.is_open:
        return
    outstanding = statement.total_due - services.amount_paid(statement)
    amount = min(outstanding, statement.total_due * percent / 100).quantize(D("0.01"))
    if amount > 0:
        services.payment_record(statement=statement, amount=amount, paid_on=day, by=staff)


def _records():
    """What the rules leave, by natural keys (numbers and primary keys left out)."""

    def key(statement):
        if statement is None:
            return None
        return (
            statement.agreement.kind,  # one agreement of each kind per world
            statement.kind,
            statement.period,
            statement.installment_number,
            statement.version,
            key(statement.penalty_of),
            statement.penalty_as_of,
        )

    agreements = sorted(Agreement.objects.values_list("kind", "status", "ends_on", "renewal_count"))
    statements = sorted(
        (
            key(s),
            s.status,
            s.payment_status,
            s.issued_on,
            s.receipt_due_on,
            s.confirmed_on,
            s.deemed_confirmed,
            s.disputed_on,
            s.withdrawn_on,
            s.payment_due_on,
            s.total_due,
        )
        for s in Statement.objects.select_related("agreement", "penalty_of__agreement")
    )
    flags = sorted(
        (seen.flag, seen.agreement.kind, key(seen.statement), seen.period, seen.seen_on)
        for seen in FlagSeen.objects.select_related("agreement", "statement__agreement")
    )
    events = Counter(
        (event.action, event.object_type)
        for event in Event.objects.exclude(action__startswith="notice.").exclude(
            action__startswith="daily_run."
        )
    )
    return agreements, statements, flags, events


def _play(spec, monkeypatch, *, every_day):
    with transaction.atomic():
        monkeypatch.setattr("common.clock.today", lambda: START)
        rs, consulting, staff, finance = _build(spec)
        actions = _plan(spec, rs, consulting, staff, finance)
        day = START
        while day <= LAST_DAY:
            monkeypatch.setattr("common.clock.today", lambda day=day: day)
            for when, _order, action in actions:
                if when == day:
                    action(day)
            if every_day:
                services.daily_run(until=day)
            day += timedelta(days=1)
        if not every_day:
            services.daily_run(until=LAST_DAY)
        records = _records()
        transaction.set_rollback(True)
    return records


@settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(spec=worlds)
def test_once_up_to_a_day_equals_every_day(spec, monkeypatch):
    every_day = _play(spec, monkeypatch, every_day=True)
    once = _play(spec, monkeypatch, every_day=False)
    assert once[0] == every_day[0], "agreements"
    assert once[1] == every_day[1], "statements"
    assert once[2] == every_day[2], "flags first seen"
    assert once[3] == every_day[3], "rule events"
