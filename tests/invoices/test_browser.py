"""A brand's finance user logs into the portal on the demo data, opens 发票 from the
navigation and downloads an invoice's file (a real browser, see tests/browser.py)."""

from pathlib import Path

import pytest

from demo.seed import DEMO_PASSWORD, seed_demo
from settlements.models import Invoice
from tests.browser import BROWSER_TEST, new_page

pytestmark = BROWSER_TEST


@pytest.fixture
def demo(transactional_db, settings, monkeypatch):
    from datetime import date

    monkeypatch.setattr("common.clock.today", lambda: date(2026, 11, 24))
    settings.PORTAL_BASE_URL = "http://testserver"
    seed_demo()


@pytest.fixture
def portal_page(chromium, live_server):
    with new_page(chromium, live_server, width=1280, accept_downloads=True) as page:
        yield page


def test_a_brand_downloads_its_invoice(portal_page, demo):
    invoice = Invoice.objects.filter(
        statement__agreement__brand__users__username="tea_finance"
    ).first()
    assert invoice is not None, "the demo has an invoice for the tea brand"
    page = portal_page
    page.goto("/portal/")
    page.get_by_label("用户名").fill("tea_finance")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/portal/")
    page.get_by_role("navigation").get_by_role("link", name="发票").click()
    page.wait_for_url("**/portal/invoices/")
    page.get_by_role("heading", level=1, name="发票").wait_for()
    row = page.get_by_role("row").filter(has_text=invoice.number)
    assert row.get_by_text(invoice.statement.number).is_visible()
    with page.expect_download() as download_info:
        row.get_by_role("link", name="下载").click()
    download = download_info.value
    assert download.suggested_filename == f"{invoice.number}.pdf"
    assert Path(download.path()).read_bytes().startswith(b"%PDF-")
