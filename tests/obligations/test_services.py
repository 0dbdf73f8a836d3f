"""Obligations' services: the templates on activation, every status change, approvals of
promotion plans and their sales, renewals and terminations, and the daily job."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from common.models import Event
from contracts.models import Agreement
from contracts.services import agreement_terminate, agreements_roll_over
from core.exceptions import InvalidStateError, RuleViolation
from kpis.models import Promotion, SaleLine
from kpis.services import sale_line_record
from obligations import messages as msg
from obligations import services
from obligations.models import Obligation, ObligationSeries
from obligations.notifications import obligation_reminders_send

pytestmark = pytest.mark.django_db
D = date


def _of(agreement, key):
    return Obligation.objects.filter(agreement=agreement, template_key=key).order_by("due_on")


# --- templates -----------------------------------------------------------------------------


def test_b2b_activation_makes_monthly_meetings_and_reports_owed_by_the_agency(deals):
    b2b = deals["b2b_commission"]
    meetings = _of(b2b, "b2b.monthly_meeting")
    assert meetings.count() == 12  # 2026-06 .. 2027-05
    first = meetings.first()
    assert (first.period, first.due_on, first.owed_by, first.kind, first.clause) == (
        "2026-06",
        D(2026, 6, 30),
        "agency",
        "meeting",
        "四.1",
    )
    assert _of(b2b, "b2b.monthly_report").count() == 12
    assert ObligationSeries.objects.filter(agreement=b2b).count() == 2


def test_revenue_share_binds_both_sides_to_confidentiality_for_three_years(deals):
    rs = deals["revenue_share"]
    kept = Obligation.objects.filter(agreement=rs, template_key__startswith="rs.confidentiality")
    assert sorted(kept.values_list("owed_by", "due_on")) == [
        ("agency", D(2030, 5, 31)),
        ("brand", D(2030, 5, 31)),
    ]


def test_consulting_makes_quarterly_trainings_and_the_handover(deals):
    cf = deals["consulting_fixed_fee"]
    trainings = _of(cf, "cf.quarterly_training")
    assert list(trainings.values_list("period", "due_on", "owed_by")) == [
        ("2026-Q2", D(2026, 6, 30), "brand"),
        ("2026-Q3", D(2026, 9, 30), "brand"),
        ("2026-Q4", D(2026, 12, 31), "brand"),
        ("2027-Q1", D(2027, 3, 31), "brand"),
        ("2027-Q2", D(2027, 5, 31), "brand"),
    ]
    handover = _of(cf, "cf.team_training_handover").get()
    assert (handover.due_on, handover.owed_by) == (D(2027, 5, 31), "agency")


def test_activation_hook_is_idempotent(deals, people):
    b2b = deals["b2b_commission"]
    before = Obligation.objects.filter(agreement=b2b).count()
    services.obligations_on_activation(agreement=b2b, by=people["staff"])
    services.obligations_on_activation(agreement=b2b, by=None)
    assert Obligation.objects.filter(agreement=b2b).count() == before


# --- staff's own ---------------------------------------------------------------------------


def test_staff_add_a_one_off_and_a_recurring_obligation(deals, people):
    rs = deals["revenue_share"]
    one = services.obligation_create(
        agreement=rs,
        by=people["staff"],
        title="季度经营复盘",
        kind="report",
        owed_by="agency",
        due_on=D(2026, 9, 30),
    )
    assert (one.series_id, one.due_on, one.status) == (None, D(2026, 9, 30), "open")
    first = services.obligation_create(
        agreement=rs,
        by=people["staff"],
        title="月度库存盘点",
        kind="other",
        owed_by="brand",
        schedule="monthly",
        due_day=31,
        starts_on=D(2027, 1, 15),
    )
    periods = list(first.series.obligations.values_list("period", "due_on"))
    assert periods[:2] == [("2027-01", D(2027, 1, 31)), ("2027-02", D(2027, 2, 28))]
    assert len(periods) == 5


def test_due_on_or_schedule_and_only_staff(deals, people):
    rs = deals["revenue_share"]
    base = {"agreement": rs, "title": "x", "kind": "other", "owed_by": "agency"}
    with pytest.raises(RuleViolation) as both:
        services.obligation_create(
            **base, by=people["staff"], due_on=D(2026, 9, 1), schedule="monthly"
        )
    assert both.value.errors == {"due_on": [msg.DUE_OR_SCHEDULE]}
    with pytest.raises(RuleViolation):
        services.obligation_create(**base, by=people["finance"], due_on=D(2026, 9, 1))


def test_edit_while_open_and_schedule_of_a_series(deals, people, today):
    b2b = deals["b2b_commission"]
    meeting = _of(b2b, "b2b.monthly_meeting").filter(period="2026-08").get()
    with pytest.raises(RuleViolation) as refused:
        services.obligation_update(
            obligation=meeting, by=people["staff"], fields={"due_on": D(2026, 8, 3)}
        )
    assert refused.value.errors == {"due_on": [msg.SERIES_DUE_ON]}
    services.obligation_update(obligation=meeting, by=people["staff"], fields={"due_day": 10})
    assert _of(b2b, "b2b.monthly_meeting").filter(period="2026-08").get().due_on == D(2026, 8, 10)
    services.obligation_update(
        obligation=meeting, by=people["staff"], fields={"schedule": "quarterly"}
    )
    meetings = _of(b2b, "b2b.monthly_meeting")
    assert list(meetings.values_list("period", flat=True))[:2] == ["2026-Q2", "2026-Q3"]
    done = meetings.first()
    services.obligation_complete(obligation=done, by=people["staff"], note="开过了")
    with pytest.raises(InvalidStateError):
        services.obligation_update(obligation=done, by=people["staff"], fields={"title": "y"})


# --- status changes ------------------------------------------------------------------------


def test_complete_with_evidence_by_the_owing_side(deals, people, today):
    cf = deals["consulting_fixed_fee"]
    training = _of(cf, "cf.quarterly_training").first()
    with pytest.raises(RuleViolation) as none:
        services.obligation_complete(obligation=training, by=people["finance"])
    assert none.value.errors == {"note": [msg.EVIDENCE_REQUIRED]}
    with pytest.raises(RuleViolation):
        services.obligation_complete(obligation=training, by=people["viewer"], note="x")
    minutes = SimpleUploadedFile("纪要.pdf", b"%PDF-1.4 minutes", content_type="application/pdf")
    done = services.obligation_complete(
        obligation=training, by=people["finance"], note="线上培训 2 小时", files=[minutes]
    )
    assert (done.status, done.completed_on, done.completed_by) == (
        "done",
        today["day"],
        people["finance"],
    )
    assert done.files.get().name == "纪要.pdf"
    assert Event.objects.filter(action="obligation.done", object_id=done.pk).exists()
    handover = _of(cf, "cf.team_training_handover").get()
    with pytest.raises(RuleViolation) as wrong_side:
        services.obligation_complete(obligation=handover, by=people["finance"], note="x")
    assert wrong_side.value.errors == {"non_field_errors": [msg.OWING_SIDE_ONLY]}
    with pytest.raises(InvalidStateError):
        services.obligation_complete(obligation=done, by=people["finance"], note="again")


def test_bad_files_are_refused(deals, people):
    meeting = _of(deals["b2b_commission"], "b2b.monthly_meeting").first()
    script = SimpleUploadedFile("x.exe", b"MZ")
    with pytest.raises(RuleViolation) as refused:
        services.obligation_complete(obligation=meeting, by=people["staff"], files=[script])
    assert list(refused.value.errors) == ["files"]


def test_waive_by_the_side_owed_to_with_a_reason(deals, people, today):
    b2b = deals["b2b_commission"]
    meeting = _of(b2b, "b2b.monthly_meeting").first()
    with pytest.raises(RuleViolation) as no_reason:
        services.obligation_waive(obligation=meeting, by=people["finance"], reason=" ")
    assert no_reason.value.errors == {"reason": [msg.REASON_REQUIRED]}
    waived = services.obligation_waive(
        obligation=meeting, by=people["finance"], reason="六月双方在展会当面沟通"
    )
    assert (waived.status, waived.waived_on) == ("waived", today["day"])
    training = _of(deals["consulting_fixed_fee"], "cf.quarterly_training").first()
    with pytest.raises(RuleViolation) as own:
        services.obligation_waive(obligation=training, by=people["finance"], reason="忙")
    assert own.value.errors == {"non_field_errors": [msg.OWED_SIDE_ONLY]}
    assert services.obligation_waive(obligation=training, by=people["staff"], reason="r").status


def test_missed_is_dated_on_the_due_date_and_idempotent(deals):
    b2b = deals["b2b_commission"]
    marked = services.obligations_mark_missed(until=D(2026, 8, 1))
    june, july = _of(b2b, "b2b.monthly_meeting")[:2]
    assert (june.status, june.missed_on) == ("missed", D(2026, 6, 30))
    assert (july.status, july.missed_on) == ("missed", D(2026, 7, 31))
    assert f"obligation-{june.pk}:{b2b.number}" in marked
    assert services.obligations_mark_missed(until=D(2026, 8, 1)) == []
    # Due on the day itself is not missed yet.
    august = _of(b2b, "b2b.monthly_meeting").get(period="2026-08")
    services.obligations_mark_missed(until=D(2026, 8, 31))
    august.refresh_from_db()
    assert august.status == "open"


def test_a_missed_obligation_may_still_be_done_late(deals, people, today):
    june = _of(deals["b2b_commission"], "b2b.monthly_meeting").first()
    services.obligations_mark_missed(until=D(2026, 7, 5))
    late = services.obligation_complete(obligation=june, by=people["staff"], note="补开会议")
    assert (late.status, late.completed_on, late.missed_on) == (
        "done",
        today["day"],
        D(2026, 6, 30),
    )


def test_confidentiality_is_kept_not_missed_when_its_date_passes(deals):
    rs = deals["revenue_share"]
    services.obligations_mark_missed(until=D(2030, 6, 1))
    kept = Obligation.objects.filter(agreement=rs, template_key__startswith="rs.confidentiality")
    assert set(kept.values_list("status", "completed_on")) == {("done", D(2030, 5, 31))}


# --- renewals and terminations ---------------------------------------------------------------


def test_renewal_extends_and_termination_cuts(deals, people, today):
    b2b = deals["b2b_commission"]
    Agreement.objects.filter(pk=b2b.pk).update(auto_renew=True, renewal_term_months=6)
    agreements_roll_over(today=D(2027, 6, 1))
    b2b.refresh_from_db()
    assert b2b.ends_on == D(2027, 11, 30)
    services.obligations_sync(agreement=b2b)
    assert _of(b2b, "b2b.monthly_meeting").count() == 18
    assert _of(b2b, "b2b.monthly_meeting").last().period == "2027-11"

    rs = deals["revenue_share"]
    services.obligation_create(
        agreement=rs,
        by=people["staff"],
        title="月报",
        kind="report",
        owed_by="agency",
        schedule="monthly",
        due_day=20,
    )
    series = ObligationSeries.objects.get(agreement=rs, title="月报")
    done = series.obligations.get(period="2026-06")
    services.obligation_complete(obligation=done, by=people["staff"], note="ok")
    today["day"] = D(2026, 9, 30)
    agreement_terminate(agreement=rs, on=D(2026, 9, 10), reason="双方协商", by=people["staff"])
    rs.refresh_from_db()
    services.obligations_sync(agreement=rs)
    left = dict(series.obligations.values_list("period", "due_on"))
    assert left == {
        "2026-06": D(2026, 6, 20),
        "2026-07": D(2026, 7, 20),
        "2026-08": D(2026, 8, 20),
        "2026-09": D(2026, 9, 10),
    }
    assert Event.objects.filter(action="obligation.removed", agreement=rs).count() == 8
    kept = Obligation.objects.filter(agreement=rs, template_key="rs.confidentiality.brand").get()
    assert kept.due_on == D(2029, 9, 10)


# --- approvals -------------------------------------------------------------------------------


def _sale(agreement, staff, price, promotion="", sold_on="2026-07-05", ref="S-1"):
    return sale_line_record(
        agreement=agreement,
        by=staff,
        data={
            "product": "TEA-1",
            "sold_on": sold_on,
            "quantity": 1,
            "unit_price": price,
            "channel": "tmall",
            "promotion": promotion,
            "external_ref": ref,
        },
    ).line


def _plan(code="618", floor="150.00"):
    return services.PromotionPlan(
        code=code,
        name="年中大促",
        starts_on=D(2026, 7, 1),
        ends_on=D(2026, 7, 20),
        price_floor=Decimal(floor) if floor else None,
    )


def test_an_approved_promotion_exempts_its_sales_down_to_its_floor(deals, people, today):
    rs, staff = deals["revenue_share"], people["staff"]
    request = services.approval_request(
        agreement=rs, by=staff, subject="rs.promotion_plan", promotion=_plan()
    )
    assert (request.kind, request.owed_by, request.requested_by, request.title) == (
        "approval",
        "brand",
        "agency",
        "促销计划",
    )
    assert request.promotion.status == Promotion.Status.PENDING
    assert request.due_on == today["day"] + timedelta(days=services.APPROVAL_DAYS)
    within = _sale(rs, staff, "160.00", "618", ref="S-1")
    below_floor = _sale(rs, staff, "140.00", "618", ref="S-2")
    assert within.price_violation and below_floor.price_violation  # pending: flagged
    with pytest.raises(RuleViolation):
        services.approval_decide(obligation=request, by=people["viewer"], approve=True)
    decided = services.approval_decide(
        obligation=request, by=people["finance"], approve=True, comment="同意"
    )
    assert (decided.status, decided.completed_on, decided.note) == (
        "approved",
        today["day"],
        "同意",
    )
    promotion = Promotion.objects.get(pk=request.promotion_id)
    assert (promotion.status, promotion.approved_by_brand_on) == ("approved", today["day"])
    assert not SaleLine.objects.get(pk=within.pk).price_violation
    assert SaleLine.objects.get(pk=below_floor.pk).price_violation
    # A new sale under the approved promotion is not flagged either.
    assert not _sale(rs, staff, "155.00", "618", ref="S-3").price_violation
    with pytest.raises(InvalidStateError):
        services.approval_decide(obligation=request, by=people["finance"], approve=False)


def test_a_rejected_plan_keeps_its_sales_flagged_and_needs_a_comment(deals, people):
    rs, staff = deals["revenue_share"], people["staff"]
    request = services.approval_request(agreement=rs, by=staff, title="促销计划", promotion=_plan())
    line = _sale(rs, staff, "160.00", "618")
    with pytest.raises(RuleViolation) as bare:
        services.approval_decide(obligation=request, by=people["finance"], approve=False)
    assert bare.value.errors == {"comment": [msg.COMMENT_REQUIRED]}
    services.approval_decide(
        obligation=request, by=people["finance"], approve=False, comment="折扣太大"
    )
    assert Promotion.objects.get(code="618").status == "rejected"
    assert SaleLine.objects.get(pk=line.pk).price_violation
    # Resubmitted: pending again, then approved without a floor.
    again = services.approval_request(
        agreement=rs, by=staff, title="促销计划（修改）", promotion=_plan(floor="")
    )
    services.approval_decide(obligation=again, by=people["staff"], approve=True)
    assert not SaleLine.objects.get(pk=line.pk).price_violation
    with pytest.raises(RuleViolation) as twice:
        services.approval_request(agreement=rs, by=staff, title="x", promotion=_plan())
    assert twice.value.errors == {"promotion_code": [msg.PROMOTION_APPROVED.format(code="618")]}


def test_marketing_spending_approved_owes_its_receipts(deals, people, today):
    rs = deals["revenue_share"]
    request = services.approval_request(
        agreement=rs,
        by=people["staff"],
        subject="rs.marketing_spending",
        description="百度竞价 5000 元",
    )
    services.approval_decide(obligation=request, by=people["finance"], approve=True)
    receipts = Obligation.objects.get(agreement=rs, title="提供营销费用支出凭证")
    assert (receipts.owed_by, receipts.kind, receipts.due_on) == (
        "agency",
        "report",
        today["day"] + timedelta(days=30),
    )


def test_only_approvals_are_decided_and_approvals_are_not_completed(deals, people):
    meeting = _of(deals["b2b_commission"], "b2b.monthly_meeting").first()
    with pytest.raises(InvalidStateError):
        services.approval_decide(obligation=meeting, by=people["finance"], approve=True)
    request = services.approval_request(
        agreement=deals["consulting_fixed_fee"],
        by=people["staff"],
        subject="cf.publish_construction",
    )
    with pytest.raises(InvalidStateError):
        services.obligation_complete(obligation=request, by=people["staff"], note="x")


# --- reminders -------------------------------------------------------------------------------


def test_reminders_go_to_the_owing_side_once(deals, people, settings):
    people["brand"].contact_email = "boss@brand.test"
    people["brand"].save()
    people["staff"].email = "staff@agency.test"
    people["staff"].save()
    sent = obligation_reminders_send(on=D(2026, 9, 23))  # Q3 training due 09-30, 7 days
    cf_training = _of(deals["consulting_fixed_fee"], "cf.quarterly_training").get(period="2026-Q3")
    assert f"obligation-{cf_training.pk}:{deals['consulting_fixed_fee'].number}" in sent
    to_brand = [m for m in mail.outbox if "每季度" in m.subject]
    assert to_brand and set(to_brand[0].to) == {"boss@brand.test", "fin@brand.test"}
    meetings = [m for m in mail.outbox if "网络会议" in m.subject]
    assert not meetings  # the meeting of September is due on the 30th: 3 days' notice
    mail.outbox.clear()
    sent = obligation_reminders_send(on=D(2026, 9, 27))
    assert [m.to for m in mail.outbox if "网络会议" in m.subject] == [["staff@agency.test"]]
    assert not [m for m in mail.outbox if "每季度" in m.subject]  # never twice


def test_an_approval_request_emails_the_side_asked_once(
    deals, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request = services.approval_request(
            agreement=deals["revenue_share"],
            by=people["staff"],
            subject="rs.promotion_plan",
            promotion=_plan(),
        )
    sent = [m for m in mail.outbox if "请审批" in m.subject]
    assert len(sent) == 1 and sent[0].to == ["fin@brand.test"]
    assert "618" in sent[0].body and "/portal/obligations/" in sent[0].body
    from obligations.notifications import approval_requested_notify

    assert approval_requested_notify(obligation=request) == 0
