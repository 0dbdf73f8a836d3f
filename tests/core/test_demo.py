import pytest
from django.core.management import call_command

from accounts.models import Organization, User
from contracts.models import Agreement, Product

pytestmark = pytest.mark.django_db


def _counts():
    return (
        Organization.objects.count(),
        User.objects.count(),
        Product.objects.count(),
        Agreement.objects.count(),
    )


def test_seed_demo_creates_one_agreement_of_each_kind_and_is_idempotent(capsys):
    call_command("seed_demo")
    first = _counts()
    assert set(Agreement.objects.values_list("kind", "status")) == {
        ("b2b_commission", "active"),
        ("revenue_share", "active"),
        ("consulting_fixed_fee", "active"),
    }
    rs = Agreement.objects.get(kind="revenue_share").revenue_share_terms
    assert (str(rs.agency_ratio), str(rs.setup_fee)) == ("0.3000", "10000.00")
    consulting = Agreement.objects.get(number="HT-2026-0003")
    assert str(consulting.consulting_terms.total_fee) == "50000.00"
    assert [str(i.percent) for i in consulting.installments.all()] == ["50.00", "50.00"]
    call_command("seed_demo")
    assert _counts() == first
    out = capsys.readouterr().out
    assert "nothing changed" in out
    assert "tea_finance" in out


def test_seed_demo_has_months_of_sales_and_kpis_with_a_missed_minimum_and_a_return():
    from core.periods import Period
    from kpis.models import KpiRecord, SaleLine
    from kpis.services import kpi_evaluate

    call_command("seed_demo")
    b2b = Agreement.objects.get(kind="b2b_commission")
    periods = list(
        KpiRecord.objects.filter(agreement=b2b).order_by("period").values_list("period", flat=True)
    )
    assert len(periods) >= 4
    missed = {p: kpi_evaluate(agreement=b2b, period=Period.parse(p)).missed for p in periods}
    assert [p for p, m in missed.items() if m] == ["2026-08"]
    rs = Agreement.objects.get(kind="revenue_share")
    assert SaleLine.objects.filter(agreement=rs, quantity__lt=0).count() == 1
    assert SaleLine.objects.filter(agreement=rs).dates("sold_on", "month").count() >= 4
    lines = SaleLine.objects.count()
    call_command("seed_demo")
    assert SaleLine.objects.count() == lines


def test_the_daily_job_has_work_to_show_on_the_demo(monkeypatch):
    """What scripts/run shows without anything started by hand: ``manage.py serve`` runs
    the daily job at start-up, which renews, expires, bills the end of a term, deems
    silence a confirmation and issues penalty notices, each on its rule's date."""
    from datetime import date

    from settlements.models import Statement
    from settlements.services import daily_run

    monkeypatch.setattr("common.clock.today", lambda: date(2026, 11, 29))
    call_command("seed_demo")
    run = daily_run()
    assert run.status == "done", run.errors
    renewed = Agreement.objects.get(number="HT-2025-0008")
    assert (renewed.status, renewed.ends_on) == ("active", date(2027, 9, 30))
    assert Agreement.objects.get(number="HT-2026-0004").status == "expired"
    end_bill = Statement.objects.get(agreement__number="HT-2026-0004", installment_number=2)
    assert end_bill.issued_on == date(2026, 10, 31)
    july = Statement.objects.filter(period="2026-07", deemed_confirmed=True)
    assert july.count() == 2  # the B2B and the revenue-share statements of July
    assert all(s.confirmed_on == s.receipt_due_on for s in july)
    august_notices = Statement.objects.filter(kind="penalty", penalty_of__period="2026-08")
    assert august_notices.filter(issued_on=date(2026, 11, 1)).exists()
    counts = {rule: part["count"] for rule, part in run.summary.items()}
    assert counts["renewed"] == counts["expired"] == counts["end_bills"] == 1
    # July's two statements and the B2B agreement's May statement were left unanswered.
    assert counts["deemed_confirmed"] == 3 and counts["penalty_notices"] >= 2
