"""Settlement services against DOMAIN.md, figure for figure."""

from datetime import date
from decimal import Decimal

import pytest

from accounts.models import User
from common.calendar import work_calendar
from common.models import Event, Holiday
from core.exceptions import InvalidStateError, RuleViolation
from core.periods import Period
from kpis.models import SaleLine
from kpis.services import kpi_record_save, kpi_waive, sale_line_record, sale_lines_record
from settlements import messages as msg
from settlements import services as s
from settlements.models import Payment, Statement, StatementRun
from tests import factories as f

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def rs():
    """The worked example's revenue-share agreement: 70:30, 0.3%/day."""
    agreement = f.agreement(
        "revenue_share",
        activate=True,
        signed_on=date(2026, 5, 20),
        starts_on=date(2026, 6, 1),
        ends_on=date(2027, 5, 31),
    )
    f.product(
        agreement.brand,
        sku="TEA-1",
        factory_price=D("80.00"),
        distributor_price=D("120.00"),
        min_retail_price=D("199.00"),
    )
    return agreement


@pytest.fixture
def staff(rs):
    return f.user(rs.agency, User.Role.AGENCY_STAFF)


@pytest.fixture
def finance(rs):
    return f.user(rs.brand, User.Role.BRAND_FINANCE)


def _sale(agreement, ref, **kw):
    row = {
        "product": "TEA-1",
        "sold_on": "2026-08-05",
        "quantity": 100,
        "unit_price": "199.00",
        "tax": "1990.00",
        "logistics": "600.00",
        "channel": "tmall",
        "external_ref": ref,
    }
    row.update(kw)
    return sale_line_record(agreement=agreement, data=row, by=None).line


def _august(rs, staff, finance):
    _sale(rs, "WE-1")
    statement = s.statement_generate(agreement=rs, period=Period(2026, 8), by=staff).statement
    statement = s.statement_issue(statement=statement, issued_on=date(2026, 9, 8), by=staff)
    return s.statement_confirm(statement=statement, confirmed_on=date(2026, 9, 11), by=finance)


def test_worked_example_to_the_fen(rs, staff, finance):
    statement = _august(rs, staff, finance)
    assert statement.total_due == D("2793.00")
    assert statement.figures["profit"] == "9310.00"
    assert statement.figures["agency_share"] == "2793.00"
    assert statement.figures["brand_share"] == "6517.00"
    assert statement.receipt_due_on == date(2026, 9, 15)
    assert statement.payment_due_on == date(2026, 9, 20)  # a Sunday, a make-up working day
    assert [(line.kind, line.amount) for line in statement.lines.all()] == [
        ("agency_share", D("2793.00"))
    ]
    s.payment_record(statement=statement, amount=D("1000.00"), paid_on=date(2026, 9, 25), by=staff)
    s.payment_record(statement=statement, amount=D("1793.00"), paid_on=date(2026, 10, 12), by=staff)
    statement.refresh_from_db()
    assert statement.payment_status == Statement.PaymentStatus.PAID
    for as_of in (date(2026, 10, 12), date(2026, 11, 20)):
        assert s.statement_penalty(statement=statement, as_of=as_of).penalty == D("133.34")
    rights = {
        d: s.statement_penalty(statement=statement, as_of=date(2026, 10, d)).termination_right
        for d in (5, 6, 12, 13)
    }
    assert rights == {5: False, 6: True, 12: True, 13: False}
    # The payments are recorded late (today): the monthly notice of 1 October that the
    # daily job would have issued comes first, then paying in full bills the rest.
    notices = statement.penalty_notices.order_by("penalty_as_of")
    assert [(n.kind, n.issued_on, n.penalty_as_of, n.total_due) for n in notices] == [
        # 09-21..09-25 on 2,793.00 and 09-26..09-30 on 1,793.00: 41.895 + 26.895
        ("penalty", date(2026, 10, 1), date(2026, 9, 30), D("68.79")),
        ("penalty", date(2026, 10, 12), date(2026, 10, 12), D("64.55")),
    ]
    assert sum(n.total_due for n in notices) == D("133.34")
    assert {n.penalty_rate_per_day for n in notices} == {0}  # penalties never compound


def test_provisional_due_date_before_the_brand_answers(rs, staff):
    _sale(rs, "WE-1")
    statement = s.statement_generate(agreement=rs, period=Period(2026, 8), by=staff).statement
    statement = s.statement_issue(statement=statement, issued_on=date(2026, 9, 8), by=staff)
    # Silence would confirm on 09-15; +3 working days = 09-18, floor the 20th.
    assert statement.payment_due_on == date(2026, 9, 20)
    assert s.statements_deem_confirmed(on=date(2026, 9, 15)) == []
    assert s.statements_deem_confirmed(on=date(2026, 9, 16)) == [statement.number]
    statement.refresh_from_db()
    assert (statement.status, statement.confirmed_on, statement.deemed_confirmed) == (
        "confirmed",
        date(2026, 9, 15),
        True,
    )
    assert (
        Event.objects.filter(action="statement.deemed_confirmed", object_id=statement.pk).count()
        == 1
    )
    assert s.statements_deem_confirmed(on=date(2026, 9, 17)) == []


def test_due_date_crossing_national_day(rs, staff, finance):
    _sale(rs, "ND-1")
    statement = s.statement_generate(agreement=rs, period=Period(2026, 8), by=staff).statement
    statement = s.statement_issue(statement=statement, issued_on=date(2026, 9, 30), by=staff)
    # 5 working days after 09-30 skip 10-01..10-07; Saturday 10-10 is a make-up working day.
    assert statement.receipt_due_on == date(2026, 10, 13)
    statement = s.statement_confirm(
        statement=statement, confirmed_on=date(2026, 9, 29 + 1), by=finance
    )
    # Confirmed 09-30: 3 working days later is 10-10 (after the holiday), past the 20th floor.
    assert statement.payment_due_on == date(2026, 10, 10)


def test_year_without_calendar_data_falls_back_and_says_so(staff):
    agreement = f.agreement(
        "revenue_share",
        activate=True,
        signed_on=date(2026, 5, 20),
        starts_on=date(2026, 6, 1),
        ends_on=date(2027, 5, 31),
    )
    f.product(agreement.brand, sku="TEA-1")
    run_on = date(2027, 2, 8)
    statement = Statement.objects.create(
        number="ST-T-1",
        base_number="ST-T-1",
        agreement=agreement,
        kind="monthly",
        period="2027-01",
        total_due=D("100.00"),
        penalty_rate_per_day=D("0.003"),
    )
    from common import clock

    original = clock.today
    clock.today = lambda: run_on
    try:
        statement = s.statement_issue(statement=statement, issued_on=run_on, by=None)
    finally:
        clock.today = original
    assert "2027" in statement.calendar_note
    assert "Monday–Friday" in statement.calendar_note
    assert statement.receipt_due_on == date(2027, 2, 15)  # Mon–Fri only, no Spring Festival data
    # Once staff enter the 2027 holidays the fallback is no longer used.
    Holiday.objects.create(date=date(2027, 2, 9), is_working_day=False, name="春节")
    assert work_calendar().add_working_days(run_on, 1) == date(2027, 2, 10)


def test_generation_is_idempotent_and_refreshes_drafts(rs, staff):
    _sale(rs, "G-1")
    first = s.statement_generate(agreement=rs, period=Period(2026, 8), by=staff)
    assert first.created and first.statement.number.startswith("ST-2026-")
    _sale(rs, "G-2", quantity=10, tax="199.00", logistics="60.00")
    again = s.statement_generate(agreement=rs, period=Period(2026, 8), by=staff)
    assert not again.created and again.statement.pk == first.statement.pk
    assert Statement.objects.filter(kind="monthly").count() == 1
    assert again.statement.total_due == D("3072.30")  # 30% of 9,310.00 + 931.00


def test_issue_rules(rs, staff, finance):
    _sale(rs, "I-1")
    statement = s.statement_generate(agreement=rs, period=Period(2026, 8), by=staff).statement
    with pytest.raises(RuleViolation) as caught:
        s.statement_issue(statement=statement, issued_on=date(2026, 8, 31), by=staff)
    assert caught.value.errors["issued_on"] == [msg.PERIOD_NOT_ENDED.format(period="2026-08")]
    with pytest.raises(RuleViolation) as caught:
        s.statement_issue(statement=statement, issued_on=date(2099, 1, 1), by=staff)
    assert caught.value.errors["issued_on"] == [msg.FUTURE_DATE]
    with pytest.raises(RuleViolation):
        s.statement_issue(statement=statement, issued_on=date(2026, 9, 8), by=finance)  # staff only
    issued = s.statement_issue(statement=statement, issued_on=date(2026, 9, 8), by=staff)
    assert issued.snapshot["agreement"]["number"] == rs.number
    assert SaleLine.objects.filter(settled_in=issued).count() == 1
    with pytest.raises(InvalidStateError):
        s.statement_issue(statement=issued, by=staff)


def test_review_transitions(rs, staff, finance):
    _sale(rs, "R-1")
    statement = s.statement_generate(agreement=rs, period=Period(2026, 8), by=staff).statement
    with pytest.raises(InvalidStateError):
        s.statement_confirm(statement=statement, by=finance)  # a draft
    statement = s.statement_issue(statement=statement, issued_on=date(2026, 9, 8), by=staff)
    viewer = f.user(rs.brand, User.Role.BRAND_VIEWER)
    with pytest.raises(RuleViolation):
        s.statement_dispute(statement=statement, comment="x", by=viewer)
    with pytest.raises(RuleViolation) as caught:
        s.statement_dispute(statement=statement, comment=" ", by=finance)
    assert caught.value.errors["comment"] == [msg.COMMENT_REQUIRED]
    statement = s.statement_dispute(
        statement=statement, comment="退货未扣除", by=finance, disputed_on=date(2026, 9, 10)
    )
    with pytest.raises(InvalidStateError):
        s.statement_confirm(statement=statement, by=finance)
    assert statement.payment_due_on is None
    with pytest.raises(RuleViolation):  # not before the dispute it withdraws
        s.statement_withdraw_dispute(statement=statement, by=finance, withdrawn_on=date(2026, 9, 9))
    statement = s.statement_withdraw_dispute(
        statement=statement, by=finance, withdrawn_on=date(2026, 9, 11)
    )
    # The withdrawal is the confirmation: on that day, payment due from it.
    assert (statement.status, statement.confirmed_on, statement.payment_due_on) == (
        "confirmed",
        date(2026, 9, 11),
        date(2026, 9, 20),
    )
    with pytest.raises(InvalidStateError):
        s.statement_confirm(statement=statement, confirmed_on=date(2026, 9, 11), by=finance)
    actions = list(
        Event.objects.filter(object_type="statement", object_id=statement.pk)
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "statement.generated",
        "statement.issued",
        "statement.disputed",
        "statement.dispute_withdrawn",
    ]


def test_payment_rules(rs, staff, finance):
    statement = _august(rs, staff, finance)
    with pytest.raises(RuleViolation) as caught:
        s.payment_record(
            statement=statement, amount=D("2793.01"), paid_on=date(2026, 9, 20), by=staff
        )
    assert caught.value.errors["amount"] == [msg.OVERPAYMENT.format(outstanding=D("2793.00"))]
    with pytest.raises(RuleViolation) as caught:
        s.payment_record(statement=statement, amount=D("1"), paid_on=date(2099, 1, 1), by=staff)
    assert caught.value.errors["paid_on"] == [msg.FUTURE_DATE]
    with pytest.raises(RuleViolation):
        s.payment_record(statement=statement, amount=D("0"), paid_on=date(2026, 9, 20), by=staff)
    with pytest.raises(RuleViolation):
        s.payment_record(statement=statement, amount=D("1"), paid_on=date(2026, 9, 20), by=finance)
    # Money before the paperwork is fine.
    first = s.payment_record(
        statement=statement,
        amount=D("500.00"),
        paid_on=date(2026, 9, 1),
        external_ref="BANK-1",
        by=staff,
    )
    again = s.payment_record(
        statement=statement,
        amount=D("500.00"),
        paid_on=date(2026, 9, 1),
        external_ref="BANK-1",
        by=staff,
    )
    assert first.created and not again.created and again.payment.pk == first.payment.pk
    statement.refresh_from_db()
    assert statement.payment_status == "partially_paid"
    assert Payment.objects.count() == 1
    draft = Statement.objects.create(
        number="X-1",
        base_number="X-1",
        agreement=rs,
        kind="monthly",
        period="2026-10",
        total_due=D("10"),
    )
    with pytest.raises(InvalidStateError):
        s.payment_record(statement=draft, amount=D("1"), paid_on=date(2026, 11, 1), by=staff)


def test_void_correct_moves_payments_and_stops_penalty(rs, staff, finance):
    statement = _august(rs, staff, finance)
    s.payment_record(statement=statement, amount=D("1000.00"), paid_on=date(2026, 9, 25), by=staff)
    with pytest.raises(RuleViolation):
        s.statement_void(statement=statement, reason="", by=staff)
    voided = s.statement_void(statement=statement, reason="漏记退货", by=staff)
    assert s.statement_penalty(statement=voided, as_of=date(2026, 11, 1)).penalty == 0
    with pytest.raises(InvalidStateError):
        s.payment_record(statement=voided, amount=D("1"), paid_on=date(2026, 10, 1), by=staff)
    _sale(rs, "RET-1", quantity=-10, tax="-199.00", logistics="-60.00", sold_on="2026-08-20")
    corrected = s.statement_correct(statement=voided, by=staff)
    assert corrected.number == f"{statement.number}-v2" and corrected.version == 2
    assert corrected.total_due == D("2513.70")  # 30% of (9,310.00 − 931.00)
    corrected = s.statement_issue(statement=corrected, issued_on=date(2026, 10, 15), by=staff)
    assert corrected.payments.get().moved_from == voided
    assert corrected.payment_status == "partially_paid"
    assert s.statement_correct(statement=voided, by=staff).pk == corrected.pk  # once only


def test_loss_carries_forward_whole_and_accumulates(rs, staff):
    # June: a loss of 1,000.00 (sold at factory cost, with costs on top).
    _sale(
        rs,
        "L-1",
        sold_on="2026-06-10",
        quantity=10,
        unit_price="80.00",
        tax="500.00",
        logistics="500.00",
    )
    # July: another loss of 200.00.
    _sale(
        rs,
        "L-2",
        sold_on="2026-07-10",
        quantity=10,
        unit_price="80.00",
        tax="100.00",
        logistics="100.00",
    )
    # August: the worked example's 9,310.00.
    _sale(rs, "L-3")
    june = s.statement_generate(agreement=rs, period=Period(2026, 6), by=staff).statement
    june = s.statement_issue(statement=june, issued_on=date(2026, 7, 6), by=staff)
    july = s.statement_generate(agreement=rs, period=Period(2026, 7), by=staff).statement
    july = s.statement_issue(statement=july, issued_on=date(2026, 8, 6), by=staff)
    august = s.statement_generate(agreement=rs, period=Period(2026, 8), by=staff).statement
    assert (june.total_due, june.figures["carry_forward"]) == (D("0.00"), "-1000.00")
    assert june.payment_status == "paid"  # nothing owed
    assert (july.total_due, july.figures["carry_forward"]) == (D("0.00"), "-1200.00")
    assert august.figures["profit"] == "8110.00"
    assert august.total_due == D("2433.00")


def test_late_sale_goes_on_next_statement_as_adjustment(rs, staff, finance):
    _august(rs, staff, finance)
    _sale(rs, "LATE-1", sold_on="2026-08-28", quantity=10, tax="199.00", logistics="60.00")
    _sale(rs, "SEP-1", sold_on="2026-09-03")
    september = s.statement_generate(agreement=rs, period=Period(2026, 9), by=staff).statement
    assert september.figures["month_profit"] == "9310.00"
    assert september.figures["adjustment_profit"] == "931.00"
    assert september.total_due == D("3072.30")
    assert [(line.kind, line.amount) for line in september.lines.all()] == [
        ("agency_share", D("2793.00")),
        ("adjustment", D("279.30")),
    ]
    september = s.statement_issue(statement=september, issued_on=date(2026, 10, 9), by=staff)
    assert SaleLine.objects.get(external_ref="LATE-1").settled_in == september


def test_expenses_pass_through_even_in_a_loss_month(rs, staff):
    _sale(rs, "E-1", quantity=10, unit_price="80.00", tax="100.00", logistics="100.00")
    with pytest.raises(RuleViolation) as caught:
        s.expense_record(
            agreement=rs,
            period=Period(2026, 8),
            amount=D("300"),
            description="直通车",
            receipt_ref="",
            approved_by_brand_on=date(2026, 8, 2),
            by=staff,
        )
    assert caught.value.errors["receipt_ref"] == [msg.RECEIPT_REQUIRED]
    s.expense_record(
        agreement=rs,
        period=Period(2026, 8),
        amount=D("1200.00"),
        description="直通车推广",
        receipt_ref="FP-0801",
        approved_by_brand_on=date(2026, 8, 2),
        by=staff,
    )
    statement = s.statement_generate(agreement=rs, period=Period(2026, 8), by=staff).statement
    assert statement.total_due == D("1200.00")
    assert statement.figures["carry_forward"] == "-200.00"  # expenses never net against losses
    assert [line.kind for line in statement.lines.all()] == ["agency_share", "expense"]


def test_run_for_a_period_is_idempotent(rs, staff, django_capture_on_commit_callbacks):
    b2b = f.agreement(
        "b2b_commission",
        activate=True,
        brand_org=rs.brand,
        terms={"monthly_service_fee": D("8000.00")},
    )
    f.agreement("consulting_fixed_fee", activate=True, brand_org=rs.brand)  # no monthly statement
    f.agreement("revenue_share", brand_org=rs.brand)  # a draft: not settled
    _sale(rs, "RUN-1")
    with django_capture_on_commit_callbacks(execute=True):
        run = s.statement_run_start(period="2026-08", by=staff)
    run.refresh_from_db()
    assert (run.status, run.total, run.done, run.failed, run.created) == ("done", 2, 2, 0, 2)
    with django_capture_on_commit_callbacks(execute=True):
        again = s.statement_run_start(period="2026-08", by=staff)
    again.refresh_from_db()
    assert (again.status, again.created) == ("done", 0)
    assert Statement.objects.filter(kind="monthly", period="2026-08").count() == 2
    assert Statement.objects.get(agreement=b2b, kind="monthly").total_due == D("0.00")  # withheld
    with pytest.raises(RuleViolation) as caught:
        s.statement_run_start(period="2026-11", by=staff)
    assert caught.value.errors["period"] == [msg.PERIOD_OPEN.format(period="2026-11")]
    assert StatementRun.objects.count() == 2


def test_b2b_fee_withheld_until_the_brand_waives(staff):
    agreement = f.agreement(
        "b2b_commission",
        activate=True,
        terms={
            "monthly_service_fee": D("8000.00"),
            "min_distributors": 5,
            "min_cartons": 200,
            "min_sales_amount": D("100000.00"),
        },
    )
    f.product(agreement.brand, sku="TEA-1", factory_price=D("80.00"), distributor_price=D("120.00"))
    sale_lines_record(
        agreement=agreement,
        by=None,
        rows=[
            {
                "product": "TEA-1",
                "sold_on": "2026-08-05",
                "quantity": 100,
                "unit_price": "120.00",
                "channel": "经销商",
                "distributor": "A",
                "external_ref": "B-1",
            },
            {
                "product": "TEA-1",
                "sold_on": "2026-08-06",
                "quantity": -5,
                "unit_price": "120.00",
                "channel": "经销商",
                "distributor": "A",
                "external_ref": "B-2",
            },
        ],
    )
    record = kpi_record_save(
        agreement=agreement,
        period="2026-08",
        by=None,
        values={
            "distributors_recruited": 4,
            "cartons_shipped": D("200"),
            "sales_amount": D("100000"),
        },
    )
    statement = s.statement_generate(agreement=agreement, period=Period(2026, 8), by=None).statement
    assert [(line.kind, line.amount) for line in statement.lines.all()] == [
        ("commission", D("3800.00")),
        ("fee_withheld", D("0.00")),
    ]
    kpi_waive(record=record, reason="春节备货", by=f.user(agreement.brand, User.Role.BRAND_FINANCE))
    statement = s.statement_generate(agreement=agreement, period=Period(2026, 8), by=None).statement
    assert [(line.kind, line.amount) for line in statement.lines.all()] == [
        ("commission", D("3800.00")),
        ("service_fee", D("8000.00")),
    ]
    assert statement.total_due == D("11800.00")


def test_setup_fee_bill_at_activation(rs):
    bill = Statement.objects.get(agreement=rs, kind="setup_fee")
    assert bill.total_due == D("10000.00")
    # Signed 2026-05-20 + 3 calendar days = Saturday 05-23 → Monday 05-25.
    assert bill.payment_due_on == date(2026, 5, 25)
    assert bill.status == "issued" and bill.penalty_rate_per_day == 0
    assert bill.number.startswith("ST-2026-")


def test_consulting_installments_and_half_percent_penalty():
    agreement = f.agreement(
        "consulting_fixed_fee",
        activate=True,
        signed_on=date(2026, 6, 26),
        starts_on=date(2026, 7, 1),
        ends_on=date(2026, 10, 31),
    )
    staff = f.user(agreement.agency, User.Role.AGENCY_STAFF)
    first = Statement.objects.get(agreement=agreement, kind="installment")
    assert (first.installment_number, first.total_due) == (1, D("25000.00"))
    assert first.payment_due_on == date(2026, 7, 1)  # 3 working days after Fri 06-26
    assert s.installment_bills_due_from_end(on=date(2026, 10, 30)) == []
    numbers = s.installment_bills_due_from_end(on=date(2026, 10, 31))
    second = Statement.objects.get(agreement=agreement, kind="installment", installment_number=2)
    assert numbers == [second.number]
    assert second.payment_due_on == date(2026, 11, 4)  # 3 working days after Sat 10-31
    assert s.installment_bills_due_from_end(on=date(2026, 11, 1)) == []
    s.payment_record(statement=first, amount=D("25000.00"), paid_on=date(2026, 7, 11), by=staff)
    # 10 days late × 0.5% × 25,000.00
    assert first.penalty_notices.get().total_due == D("1250.00")


def test_penalty_notices_bill_the_difference_and_waivers_reduce(rs, staff, finance):
    statement = _august(rs, staff, finance)  # due 09-20
    assert s.penalty_notices_due(until=date(2026, 9, 30)) == []
    notices = s.penalty_notices_due(until=date(2026, 10, 1))
    assert len(notices) == 1
    first = Statement.objects.get(number=notices[0])
    assert first.total_due == D("83.79")  # 2,793.00 × 0.003 × 10 days
    # Dated on the 1st it belongs to, billing up to the month's last day.
    assert (first.issued_on, first.penalty_as_of) == (date(2026, 10, 1), date(2026, 9, 30))
    assert s.penalty_notices_due(until=date(2026, 10, 1)) == []  # idempotent
    assert s.penalty_notices_due(until=date(2026, 10, 5)) == []  # the next one is on 11-01
    with pytest.raises(RuleViolation):
        s.penalty_waive(statement=statement, amount=D("10"), reason="", by=staff)
    s.penalty_waive(statement=statement, amount=D("10.00"), reason="老客户", by=staff)
    s.payment_record(statement=statement, amount=D("2793.00"), paid_on=date(2026, 10, 10), by=staff)
    final = statement.penalty_notices.exclude(pk=first.pk).get()
    # Total to 10-10: 2,793.00 × 0.003 × 20 = 167.58; minus 83.79 billed, minus 10.00 waived.
    assert final.total_due == D("73.79")
    assert s.statement_penalty(statement=statement, as_of=date(2026, 12, 1)).penalty == D("167.58")


def test_demand_and_brand_termination_right(rs, finance):
    period = Period(2026, 8)  # issue deadline 2026-09-10
    with pytest.raises(InvalidStateError):
        s.statement_demand(agreement=rs, period=period, demanded_on=date(2026, 9, 10), by=finance)
    s.statement_demand(agreement=rs, period=period, demanded_on=date(2026, 9, 14), by=finance)

    def period_flags(day):
        flags = s.flags_as_of(as_of=day, agreements=type(rs).objects.filter(pk=rs.pk))
        return {fl.name for fl in flags if fl.period == "2026-08"}

    assert period_flags(date(2026, 9, 21)) == {"statement_late"}  # 7 days after the demand
    assert period_flags(date(2026, 9, 22)) == {"statement_late", "brand_termination_right"}


def test_flags_are_logged_once_and_mailed(rs, staff, finance, mailoutbox):
    finance.email = "finance@brand.example"
    finance.save()
    statement = _august(rs, staff, finance)
    first = s.flags_log_new(as_of=date(2026, 10, 7))
    assert {fl.name for fl in first} >= {"payment_overdue", "agency_termination_right"}
    assert s.flags_log_new(as_of=date(2026, 10, 8)) == []
    assert Event.objects.filter(action="flag.payment_overdue", object_id=statement.pk).count() == 1
    assert any("finance@brand.example" in m.to for m in mailoutbox)


def test_termination_texts_quote_the_agreements_terms(rs, staff, finance, mailoutbox):
    finance.email = "finance@brand.example"
    finance.save()
    terms = rs.revenue_share_terms
    terms.termination_overdue_days = 20
    terms.save()
    statement = _august(rs, staff, finance)  # payment due 2026-09-20
    assert not s.statement_penalty(statement=statement, as_of=date(2026, 10, 10)).termination_right
    flags = s.flags_log_new(as_of=date(2026, 10, 11))  # 21 days overdue
    assert "agency_termination_right" in {fl.name for fl in flags}
    subjects = [m.subject for m in mailoutbox]
    assert any("付款逾期超过 20 天" in x and "more than 20 days overdue" in x for x in subjects)
    bodies = [m.body for m in mailoutbox if statement.number in m.subject]
    assert any("付款逾期已超过 20 天" in x and "more than 20 days overdue" in x for x in bodies)
    assert not any("15 天" in m.subject + m.body for m in mailoutbox)


def test_daily_run_is_safe_twice(rs, staff, finance):
    _august(rs, staff, finance)  # due 2026-09-20, unpaid
    first = s.daily_run(until=date(2026, 11, 1))
    assert (first.status, first.until) == ("done", date(2026, 11, 1))
    assert first.summary["penalty_notices"]["count"] == 2  # on 10-01 and on 11-01
    assert "payment_overdue" in " ".join(i["name"] for i in first.summary["flags"]["items"])
    second = s.daily_run(until=date(2026, 11, 1))
    assert second.status == "done" and second.records_made == 0


def test_run_month_end_command(rs, capsys):
    from django.core.management import CommandError, call_command

    _sale(rs, "CMD-1")
    call_command("run_month_end", "--period", "2026-08")
    out = capsys.readouterr().out
    assert "1 done, 0 failed, 1 statements created" in out
    call_command("run_month_end", "--period", "2026-08")
    assert "0 statements created" in capsys.readouterr().out
    assert Statement.objects.filter(kind="monthly").count() == 1
    with pytest.raises(CommandError):
        call_command("run_month_end", "--period", "2099-01")


def test_payment_external_ref_is_never_handed_back_for_another_payment(rs, staff, finance):
    from core.exceptions import DomainError

    statement = _august(rs, staff, finance)
    s.payment_record(
        statement=statement,
        amount=D("100.00"),
        paid_on=date(2026, 9, 20),
        external_ref="BANK-9",
        by=staff,
    )
    with pytest.raises(DomainError) as caught:
        s.payment_record(
            statement=statement,
            amount=D("200.00"),
            paid_on=date(2026, 9, 20),
            external_ref="BANK-9",
            by=staff,
        )
    assert str(caught.value) == msg.PAYMENT_REF_CONFLICT.format(ref="BANK-9")
    other = f.agreement("revenue_share", activate=True)
    bill = Statement.objects.get(agreement=other, kind="setup_fee")
    other_staff = f.user(other.agency, User.Role.AGENCY_STAFF)
    with pytest.raises(DomainError):
        s.payment_record(
            statement=bill,
            amount=D("100.00"),
            paid_on=date(2026, 9, 20),
            external_ref="BANK-9",
            by=other_staff,
        )
    assert Payment.objects.filter(external_ref="BANK-9").count() == 1


def test_a_staff_run_covers_only_their_agency(rs, staff):
    f.agreement("revenue_share", activate=True)  # another agency's agreement
    run = s.statement_run_start(period="2026-08", by=staff, dispatch=False)
    assert run.total == 1
    assert s.statement_run_start(period="2026-08", by=None, dispatch=False).total == 2


def test_one_off_bills_have_no_receipt_cycle(rs, finance):
    bill = Statement.objects.get(agreement=rs, kind="setup_fee")
    with pytest.raises(InvalidStateError) as caught:
        s.statement_confirm(statement=bill, by=finance)
    assert str(caught.value) == msg.NO_RECEIPT_CYCLE
    with pytest.raises(InvalidStateError):
        s.statement_dispute(statement=bill, comment="不认可", by=finance)


def test_media_files_are_never_served_by_url(
    rs, staff, finance, client, django_capture_on_commit_callbacks
):
    _sale(rs, "MEDIA-1")
    statement = s.statement_generate(agreement=rs, period=Period(2026, 8), by=staff).statement
    with django_capture_on_commit_callbacks(execute=True):
        statement = s.statement_issue(statement=statement, issued_on=date(2026, 9, 8), by=staff)
    statement.refresh_from_db()
    assert statement.pdf.name
    client.force_login(finance)
    assert client.get(f"/media/{statement.pdf.name}").status_code == 404


def test_issuing_emails_the_brand_through_a_task(
    rs, staff, finance, mailoutbox, django_capture_on_commit_callbacks
):
    finance.email = "caiwu@brand.example"
    finance.save()
    _sale(rs, "MAIL-1")
    statement = s.statement_generate(agreement=rs, period=Period(2026, 8), by=staff).statement
    with django_capture_on_commit_callbacks(execute=True):
        s.statement_issue(statement=statement, issued_on=date(2026, 9, 8), by=staff)
    sent = [m for m in mailoutbox if "caiwu@brand.example" in m.to]
    assert len(sent) == 1 and statement.number in sent[0].body
