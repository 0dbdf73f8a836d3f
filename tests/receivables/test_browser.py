"""A brand's finance user confirms a balance confirmation in the portal, in a real
browser (Debian's chromium through Playwright) on the demo data, by clicking only."""

from datetime import date
from pathlib import Path

import pytest

from common import clock
from demo.seed import DEMO_PASSWORD, seed_demo
from receivables.models import BalanceConfirmation
from tests.browser import BROWSER_TEST, new_page

pytestmark = BROWSER_TEST
DEMO_TODAY = date(2026, 11, 24)


@pytest.fixture
def demo(transactional_db, monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: DEMO_TODAY)
    seed_demo()
    return BalanceConfirmation.objects.get(brand__name="山野茶业（福建）有限公司")


def test_finance_confirms_the_balance(chromium, live_server, demo):
    confirmation = demo
    assert confirmation.status == "issued" and confirmation.items
    with new_page(chromium, live_server, accept_downloads=True) as page:
        page.goto("/portal/")
        page.get_by_label("用户名").fill("tea_finance")
        page.get_by_label("密码").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url("**/portal/")

        page.get_by_role("link", name="应收账款").first.click()
        page.wait_for_url("**/portal/receivables/")
        page.get_by_role("heading", level=1, name="应收账款").wait_for()
        assert page.locator("[data-testid=receivable-items] tbody tr").count() >= 1
        page.get_by_role("link", name=confirmation.number).click()
        page.wait_for_url(f"**/portal/balance-confirmations/{confirmation.pk}/")

        with page.expect_download() as download_info:
            page.get_by_role("link", name="下载 PDF").click()
        assert Path(download_info.value.path()).read_bytes().startswith(b"%PDF")

        page.get_by_role("link", name="确认余额").click()
        page.wait_for_url(f"**/portal/balance-confirmations/{confirmation.pk}/confirm/")
        page.get_by_role("button", name="是的，余额无误").click()
        page.wait_for_url(f"**/portal/balance-confirmations/{confirmation.pk}/")
        page.get_by_text(f"您已确认 {confirmation.number} 的余额。").wait_for()
        assert page.get_by_test_id("confirmation-status").inner_text() == "品牌方已确认"
        assert page.get_by_role("link", name="确认余额").count() == 0

    confirmation.refresh_from_db()
    assert (confirmation.status, confirmation.confirmed_on) == ("confirmed", DEMO_TODAY)
    assert confirmation.answered_by.username == "tea_finance"
