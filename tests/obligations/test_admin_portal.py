"""The admin (list filters, actions with their text, the add form, the agreement's page,
the workbench) and the portal (what the brand owes, approvals, viewers read only)."""

from datetime import date

import pytest
from django.urls import reverse

from obligations import services
from obligations.models import Obligation

pytestmark = pytest.mark.django_db
LIST = "/admin/obligations/obligation/"


def _first(agreement, key):
    return (
        Obligation.objects.filter(agreement=agreement, template_key=key).order_by("due_on").first()
    )


def _approval(deals, people):
    return services.approval_request(
        agreement=deals["revenue_share"],
        by=people["staff"],
        subject="rs.promotion_plan",
        promotion=services.PromotionPlan(
            code="618",
            name="年中大促",
            starts_on=date(2026, 7, 1),
            ends_on=date(2026, 7, 20),
        ),
    )


def test_admin_list_filters_and_actions(client, people, deals):
    client.force_login(people["staff"])
    services.obligations_mark_missed(
        until=deals["b2b_commission"].starts_on.replace(month=7, day=5)
    )
    missed = client.get(LIST, {"due": "missed"})
    assert missed.status_code == 200
    assert "每月与甲方召开网络会议" in missed.content.decode()
    week = client.get(LIST, {"due": "week"})
    assert week.status_code == 200
    meeting = _first(deals["b2b_commission"], "b2b.monthly_meeting")
    answer = client.post(
        LIST,
        {
            "action": "complete_selected",
            "_selected_action": [meeting.pk],
            "text": "6 月 28 日已开会",
        },
        follow=True,
    )
    assert answer.status_code == 200
    meeting.refresh_from_db()
    assert (meeting.status, meeting.note) == ("done", "6 月 28 日已开会")
    training = _first(deals["consulting_fixed_fee"], "cf.quarterly_training")
    refused = client.post(
        LIST,
        {"action": "waive_selected", "_selected_action": [training.pk], "text": ""},
        follow=True,
    )
    assert "豁免原因" in refused.content.decode() or "reason" in refused.content.decode()
    training.refresh_from_db()
    assert training.status == "missed"  # not waived
    approval = _approval(deals, people)
    client.post(
        LIST,
        {"action": "reject_selected", "_selected_action": [approval.pk], "text": "请降低折扣"},
    )
    approval.refresh_from_db()
    assert (approval.status, approval.note) == ("rejected", "请降低折扣")
    assert (
        client.get(reverse("admin:obligations_obligation_change", args=[approval.pk])).status_code
        == 200
    )
    assert client.get("/admin/obligations/obligationseries/").status_code == 200


def test_admin_add_a_recurring_obligation(client, people, deals):
    client.force_login(people["staff"])
    rs = deals["revenue_share"]
    answer = client.post(
        reverse("admin:obligations_obligation_add"),
        {
            "agreement": rs.pk,
            "kind": "report",
            "owed_by": "agency",
            "title": "月度运营报告",
            "clause": "",
            "schedule": "monthly",
            "due_day": "5",
            "remind_days": "3",
            "description": "",
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    made = Obligation.objects.filter(agreement=rs, title="月度运营报告").order_by("due_on")
    assert made.count() == 12 and made[1].due_on.day == 5
    refused = client.post(
        reverse("admin:obligations_obligation_add"),
        {
            "agreement": rs.pk,
            "kind": "report",
            "owed_by": "agency",
            "title": "x",
            "remind_days": "3",
        },
    )
    assert refused.status_code == 200 and "二选一" in refused.content.decode()


def test_the_agreements_page_lists_its_obligations_and_the_workbench_shows_them(
    client, people, deals, today
):
    client.force_login(people["staff"])
    page = client.get(
        reverse("admin:contracts_agreement_change", args=[deals["b2b_commission"].pk])
    )
    assert page.status_code == 200
    assert "月度招商执行计划与总结" in page.content.decode()
    _approval(deals, people)
    home = client.get("/admin/").content.decode()
    assert "促销计划" in home


def test_portal_owes_waits_and_approves(client, people, deals):
    approval = _approval(deals, people)
    client.force_login(people["viewer"])
    page = client.get("/portal/obligations/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "促销计划" in text and "每季度向乙方提供产品知识培训" in text
    assert client.get(f"/portal/obligations/{approval.pk}/approve/").status_code == 403
    assert client.post(f"/portal/obligations/{approval.pk}/approve/").status_code == 403
    client.force_login(people["other_finance"])
    assert client.get(f"/portal/obligations/{approval.pk}/approve/").status_code == 404
    assert f"approval-{approval.pk}" not in client.get("/portal/obligations/").content.decode()
    client.force_login(people["finance"])
    empty = client.post(f"/portal/obligations/{approval.pk}/reject/", {"comment": ""})
    assert empty.status_code == 200 and "驳回时请填写意见" in empty.content.decode()
    done = client.post(f"/portal/obligations/{approval.pk}/approve/", {"comment": "同意"})
    assert done.status_code == 302
    approval.refresh_from_db()
    assert approval.status == "approved" and approval.promotion.status == "approved"
    training = _first(deals["consulting_fixed_fee"], "cf.quarterly_training")
    assert (
        client.post(f"/portal/obligations/{training.pk}/complete/", {"note": "已培训"}).status_code
        == 302
    )
    training.refresh_from_db()
    assert training.status == "done"
    meeting = _first(deals["b2b_commission"], "b2b.monthly_meeting")
    assert (
        client.post(f"/portal/obligations/{meeting.pk}/complete/", {"note": "x"}).status_code == 403
    )


def test_portal_empty_states(client, people, db):
    client.force_login(people["other_finance"])
    text = client.get("/portal/obligations/").content.decode()
    assert "没有等待您审批的事项" in text and "您暂无待履行的义务" in text
