"""obligations/ through the API: lists and filters, staff's writes, each status change by
the right side, 403 for the wrong role, 409 for the wrong state, 404 across brands."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from kpis.models import Promotion
from obligations.models import Obligation
from tests import factories as f
from tests.api.conftest import token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(people, deals):
    return {
        name: token_client(people[name]) for name in ("staff", "finance", "viewer", "other_finance")
    }


def _first(agreement, key):
    return (
        Obligation.objects.filter(agreement=agreement, template_key=key).order_by("due_on").first()
    )


def test_list_filters_and_shape(api, deals):
    b2b = deals["b2b_commission"]
    answer = api["finance"].get(
        "/api/v1/obligations/",
        {"agreement": b2b.pk, "kind": "meeting", "due_from": "2026-07-01", "due_to": "2026-09-30"},
    )
    assert answer.status_code == 200
    rows = answer.json()["results"]
    assert [r["due_on"] for r in rows] == ["2026-07-31", "2026-08-31", "2026-09-30"]
    row = rows[0]
    assert (row["owed_by"], row["schedule"], row["status"], row["period"]) == (
        "agency",
        "monthly",
        "open",
        "2026-07",
    )
    assert row["evidence"] == {"note": "", "completed_on": None, "completed_by": None, "files": []}
    assert api["finance"].get("/api/v1/obligations/", {"status": "bogus"}).status_code == 400
    owed = api["staff"].get("/api/v1/obligations/", {"owed_by": "brand"}).json()
    assert {r["owed_by"] for r in owed["results"]} == {"brand"}


def test_staff_post_one_off_recurring_and_an_approval(api, deals):
    rs = deals["revenue_share"]
    one = api["staff"].post(
        "/api/v1/obligations/",
        {
            "agreement": rs.pk,
            "title": "年度复盘",
            "kind": "report",
            "owed_by": "agency",
            "due_on": "2026-12-15",
        },
        format="json",
    )
    assert one.status_code == 201, one.json()
    assert (one.json()["due_on"], one.json()["schedule"]) == ("2026-12-15", None)
    recurring = api["staff"].post(
        "/api/v1/obligations/",
        {
            "agreement": rs.pk,
            "title": "季度会议",
            "kind": "meeting",
            "owed_by": "brand",
            "schedule": "quarterly",
        },
        format="json",
    )
    assert recurring.status_code == 201
    assert (recurring.json()["schedule"], recurring.json()["period"]) == ("quarterly", "2026-Q2")
    both = api["staff"].post(
        "/api/v1/obligations/",
        {"agreement": rs.pk, "title": "x", "kind": "other", "owed_by": "agency"},
        format="json",
    )
    assert both.status_code == 400 and list(both.json()) == ["due_on"]
    approval = api["staff"].post(
        "/api/v1/obligations/",
        {
            "agreement": rs.pk,
            "kind": "approval",
            "subject": "rs.promotion_plan",
            "promotion_code": "DOUBLE11",
            "promotion_starts_on": "2026-11-01",
            "promotion_ends_on": "2026-11-11",
            "price_floor": "150.00",
        },
        format="json",
    )
    assert approval.status_code == 201, approval.json()
    body = approval.json()
    assert (body["owed_by"], body["requested_by"], body["title"]) == ("brand", "agency", "促销计划")
    assert body["promotion"]["status"] == "pending" and body["promotion"]["price_floor"] == "150.00"
    assert (
        api["finance"]
        .post("/api/v1/obligations/", {"agreement": rs.pk, "kind": "other"}, format="json")
        .status_code
        == 403
    )


def test_patch_open_only(api, deals):
    obligation = _first(deals["consulting_fixed_fee"], "cf.team_training_handover")
    url = f"/api/v1/obligations/{obligation.pk}/"
    answer = api["staff"].patch(url, {"due_on": "2027-04-30", "title": "培训交接"}, format="json")
    assert answer.status_code == 200 and answer.json()["due_on"] == "2027-04-30"
    assert api["finance"].patch(url, {"title": "x"}, format="json").status_code == 403
    api["staff"].post(f"{url}complete/", {"note": "交接完成"}, format="json")
    assert api["staff"].patch(url, {"title": "x"}, format="json").status_code == 409


def test_complete_with_files_then_download(api, deals):
    training = _first(deals["consulting_fixed_fee"], "cf.quarterly_training")
    url = f"/api/v1/obligations/{training.pk}/"
    assert api["viewer"].post(f"{url}complete/", {"note": "x"}, format="json").status_code == 403
    upload = SimpleUploadedFile("minutes.pdf", b"%PDF-1.4 x", content_type="application/pdf")
    answer = api["finance"].post(
        f"{url}complete/", {"note": "培训完成", "files": [upload]}, format="multipart"
    )
    assert answer.status_code == 200, answer.json()
    evidence = answer.json()["evidence"]
    assert evidence["note"] == "培训完成" and evidence["files"][0]["name"] == "minutes.pdf"
    file_id = evidence["files"][0]["id"]
    download = api["viewer"].get(f"{url}files/{file_id}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 x"
    assert api["other_finance"].get(f"{url}files/{file_id}/").status_code == 404
    again = api["finance"].post(f"{url}complete/", {"note": "x"}, format="json")
    assert again.status_code == 409


def test_the_brand_may_not_complete_what_the_agency_owes_but_may_waive_it(api, deals):
    meeting = _first(deals["b2b_commission"], "b2b.monthly_meeting")
    url = f"/api/v1/obligations/{meeting.pk}/"
    assert api["finance"].post(f"{url}complete/", {"note": "x"}, format="json").status_code == 403
    assert api["finance"].post(f"{url}waive/", {"reason": ""}, format="json").status_code == 400
    waived = api["finance"].post(f"{url}waive/", {"reason": "当面沟通过"}, format="json")
    assert waived.status_code == 200 and waived.json()["status"] == "waived"


def test_approve_and_reject(api, deals, people):
    rs = deals["revenue_share"]
    made = (
        api["staff"]
        .post(
            "/api/v1/obligations/",
            {"agreement": rs.pk, "kind": "approval", "title": "广告预算 2 万元"},
            format="json",
        )
        .json()
    )
    url = f"/api/v1/obligations/{made['id']}/"
    assert api["viewer"].post(f"{url}approve/", {}, format="json").status_code == 403
    assert api["finance"].post(f"{url}reject/", {}, format="json").status_code == 400
    rejected = api["finance"].post(f"{url}reject/", {"comment": "预算太高"}, format="json")
    assert rejected.status_code == 200
    assert (rejected.json()["status"], rejected.json()["evidence"]["note"]) == (
        "rejected",
        "预算太高",
    )
    assert api["finance"].post(f"{url}approve/", {}, format="json").status_code == 409
    meeting = _first(rs.brand.brand_agreements.get(kind="b2b_commission"), "b2b.monthly_meeting")
    assert (
        api["staff"]
        .post(f"/api/v1/obligations/{meeting.pk}/approve/", {}, format="json")
        .status_code
        == 409
    )


def test_another_brands_obligation_is_404_everywhere(api, deals):
    meeting = _first(deals["b2b_commission"], "b2b.monthly_meeting")
    client = api["other_finance"]
    base = f"/api/v1/obligations/{meeting.pk}/"
    assert client.get(base).status_code == 404
    for action in ("complete", "waive", "approve", "reject"):
        assert (
            client.post(f"{base}{action}/", {"note": "x", "reason": "x"}, format="json").status_code
            == 404
        )
    assert meeting.pk not in {r["id"] for r in client.get("/api/v1/obligations/").json()["results"]}
    other_staff = token_client(f.user(f.agency(), User.Role.AGENCY_STAFF))
    assert other_staff.patch(base, {"title": "x"}, format="json").status_code == 404
    assert (
        other_staff.post(
            "/api/v1/obligations/",
            {
                "agreement": meeting.agreement_id,
                "kind": "other",
                "title": "x",
                "owed_by": "agency",
                "due_on": "2026-09-01",
            },
            format="json",
        ).status_code
        == 404
    )


def test_approving_a_promotion_through_the_api_unflags_its_sales(api, deals, people):
    from kpis.services import sale_line_record

    rs = deals["revenue_share"]
    made = (
        api["staff"]
        .post(
            "/api/v1/obligations/",
            {
                "agreement": rs.pk,
                "kind": "approval",
                "subject": "rs.promotion_plan",
                "promotion_code": "P1",
                "promotion_starts_on": "2026-07-01",
                "promotion_ends_on": "2026-07-09",
            },
            format="json",
        )
        .json()
    )
    line = sale_line_record(
        agreement=rs,
        by=people["staff"],
        data={
            "product": "TEA-1",
            "sold_on": date(2026, 7, 3),
            "quantity": 2,
            "unit_price": "99.00",
            "channel": "jd",
            "promotion": "P1",
        },
    ).line
    assert line.price_violation
    assert (
        api["finance"]
        .post(f"/api/v1/obligations/{made['id']}/approve/", {}, format="json")
        .status_code
        == 200
    )
    line.refresh_from_db()
    assert not line.price_violation
    assert Promotion.objects.get(code="P1").approved_by_brand_on == date(2026, 7, 10)
