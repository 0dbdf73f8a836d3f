"""A brand's finance user approves a promotion plan in the portal (real browser, demo
data), after which that promotion's sales are no longer flagged below the minimum price;
a viewer finds no approve button."""

from datetime import date
from decimal import Decimal

import pytest

from contracts.models import Agreement
from demo.seed import DEMO_PASSWORD, seed_demo
from kpis.models import Promotion, SaleLine
from kpis.services import sale_line_record
from obligations.models import Obligation
from tests.browser import BROWSER_TEST, new_page

pytestmark = BROWSER_TEST
TODAY = date(2026, 11, 24)


@pytest.fixture
def demo(transactional_db, monkeypatch, settings):
    monkeypatch.setattr("common.clock.today", lambda: TODAY)
    settings.PORTAL_BASE_URL = "http://testserver"
    seed_demo()
    agreement = Agreement.objects.get(number="HT-2026-0002")
    approval = Obligation.objects.get(agreement=agreement, kind="approval", status="open")
    product = agreement.products.order_by("-min_retail_price").first()
    price = max(Decimal("159.00"), product.min_retail_price - Decimal("1.00"))
    assert price < product.min_retail_price
    line = sale_line_record(
        agreement=agreement,
        by=None,
        data={
            "product": product.sku,
            "sold_on": TODAY,
            "quantity": 3,
            "unit_price": str(price),
            "channel": "tmall",
            "promotion": approval.promotion.code,
            "external_ref": "ANNIV-TEST-1",
        },
    ).line
    assert line.price_violation  # the plan is still waiting: flagged
    return {"approval": approval, "line": line}


@pytest.fixture
def page(chromium, live_server):
    with new_page(chromium, live_server, width=1280) as page:
        yield page


def log_in(page, username: str) -> None:
    page.goto("/portal/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/portal/")


def test_finance_approves_a_promotion_plan_and_its_sales_are_no_longer_flagged(page, demo):
    approval = demo["approval"]
    log_in(page, "tea_finance")
    page.get_by_role("link", name="合同义务").first.click()
    page.wait_for_url("**/portal/obligations/")
    row = page.get_by_test_id(f"approval-{approval.pk}")
    assert "ANNIV-2026" in row.inner_text() and "¥159.00" in row.inner_text()
    row.get_by_role("link", name="批准").click()
    page.wait_for_url(f"**/portal/obligations/{approval.pk}/approve/")
    page.get_by_label("意见").fill("同意，注意控制库存")
    page.get_by_test_id("obligation-submit").click()
    page.wait_for_url("**/portal/obligations/")
    assert "您已批准" in page.locator(".messages").inner_text()
    assert "没有等待您审批的事项" in page.content()

    approval.refresh_from_db()
    assert (approval.status, approval.note, approval.completed_on) == (
        "approved",
        "同意，注意控制库存",
        TODAY,
    )
    promotion = Promotion.objects.get(pk=approval.promotion_id)
    assert (promotion.status, promotion.approved_by_brand_on) == ("approved", TODAY)
    assert not SaleLine.objects.get(pk=demo["line"].pk).price_violation


def test_a_viewer_reads_but_cannot_approve(page, demo):
    log_in(page, "tea_viewer")
    page.goto("/portal/obligations/")
    row = page.get_by_test_id(f"approval-{demo['approval'].pk}")
    assert "只读" in row.inner_text()
    assert row.get_by_role("link", name="批准").count() == 0
    answer = page.goto(f"/portal/obligations/{demo['approval'].pk}/approve/")
    assert answer.status == 403
