"""The portal in a real browser: Playwright drives Debian's chromium (headless, nothing
downloaded) against pytest-django's live server, with the demo data.

Finance logs in, reads the dashboard with its charts drawn, opens a statement, downloads
its PDF, confirms it through the confirmation step and switches to English; a viewer
finds no confirm button, and another brand's statement answers 404.
"""

from pathlib import Path

import pytest

from accounts.models import User
from demo.seed import DEMO_PASSWORD, seed_demo
from settlements.models import Statement
from tests.browser import BROWSER_TEST, new_page

pytestmark = BROWSER_TEST


@pytest.fixture
def demo(transactional_db, today, settings):
    settings.PORTAL_BASE_URL = "http://testserver"
    seed_demo()
    return {
        # Issued on the demo's today (2026-11-24): its receipt is still open.
        "awaiting": Statement.objects.get(agreement__number="HT-2026-0002", period="2026-10"),
        "silk_bill": Statement.objects.filter(agreement__number="HT-2026-0003").first(),
    }


@pytest.fixture
def portal_page(chromium, live_server):
    with new_page(chromium, live_server, width=1280, accept_downloads=True) as page:
        yield page


def log_in(page, username: str) -> None:
    page.goto("/portal/")
    assert "/portal/login/" in page.url
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/portal/")


def test_finance_reads_the_dashboard_downloads_confirms_and_switches_language(portal_page, demo):
    page = portal_page
    statement = demo["awaiting"]
    log_in(page, "tea_finance")

    page.get_by_role("heading", level=1, name="山野茶业（福建）有限公司").wait_for()
    assert page.get_by_text("当前应付").is_visible()
    charts = page.locator("svg.chart")
    assert charts.count() >= 7  # six KPI charts and the shop's monthly sales
    bars = page.locator("svg.chart rect.bar")
    points = page.locator("svg.chart circle.point")
    assert bars.count() > 10 and points.count() > 5
    for shape in (bars.first, bars.last, points.first, charts.first):
        shape.scroll_into_view_if_needed()
        box = shape.bounding_box()
        assert box is not None and box["width"] > 0 and box["height"] > 0
    assert page.locator("svg.chart rect.bar-missed").count() >= 2  # August missed minimums

    page.get_by_role("link", name=statement.number).first.click()
    page.wait_for_url(f"**/portal/statements/{statement.pk}/")
    page.get_by_role("heading", level=1, name=f"月度对账单 {statement.number}").wait_for()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载 PDF").click()
    download = download_info.value
    assert download.suggested_filename == f"{statement.number}.pdf"
    assert Path(download.path()).read_bytes().startswith(b"%PDF")

    page.get_by_role("link", name="确认对账单").click()
    page.wait_for_url(f"**/portal/statements/{statement.pk}/confirm/")
    assert page.get_by_text("确认即表示贵司认可").is_visible()
    page.get_by_role("button", name="确认无误").click()
    page.wait_for_url(f"**/portal/statements/{statement.pk}/")
    page.get_by_text(f"对账单 {statement.number} 已确认。").wait_for()
    assert page.get_by_test_id("status").get_by_text("已确认").is_visible()
    assert page.get_by_role("link", name="确认对账单").count() == 0
    statement.refresh_from_db()
    assert statement.status == Statement.Status.CONFIRMED
    assert statement.confirmed_on is not None

    page.get_by_role("button", name="English").click()
    page.get_by_role("heading", level=1, name=f"Monthly statement {statement.number}").wait_for()
    assert page.url.endswith(f"/portal/statements/{statement.pk}/")
    assert page.get_by_role("heading", name="Payments received").is_visible()
    nav = page.get_by_role("navigation", name="Main")
    assert nav.get_by_role("link", name="Statements").is_visible()
    assert page.locator("html").get_attribute("lang") == "en"


def test_viewer_finds_no_confirm_button_and_no_other_brand(portal_page, demo, live_server):
    page = portal_page
    statement = demo["awaiting"]
    assert statement.status == Statement.Status.ISSUED
    assert User.objects.get(username="tea_viewer").role == User.Role.BRAND_VIEWER
    log_in(page, "tea_viewer")

    page.goto(f"/portal/statements/{statement.pk}/")
    page.get_by_role("heading", level=1, name=f"月度对账单 {statement.number}").wait_for()
    assert page.get_by_role("link", name="下载 PDF").is_visible()
    assert page.get_by_role("link", name="确认对账单").count() == 0
    assert page.get_by_role("button", name="确认无误").count() == 0
    assert page.get_by_text("只有贵司的财务用户可以确认对账单或提出异议").is_visible()

    response = page.goto(f"/portal/statements/{demo['silk_bill'].pk}/")
    assert response is not None and response.status == 404
    response = page.goto(f"/portal/statements/{demo['silk_bill'].pk}/pdf/")
    assert response is not None and response.status == 404
