"""What the browser tests share: Debian's chromium (headless, nothing downloaded) driven by
Playwright's sync API against pytest-django's live server.

A browser test module marks itself (``pytestmark = BROWSER_TEST``) and opens its pages
with ``new_page(chromium, live_server, ...)``; the ``chromium`` fixture (one browser per
module) reaches every test through ``tests/conftest.py``.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an asyncio loop in this thread; the test's own ORM calls are
# still synchronous, so Django's async-safety guard must not refuse them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 15_000

# Every browser test module's pytestmark: run with -m browser, skipped without chromium.
BROWSER_TEST = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason=f"needs Debian's chromium at {CHROMIUM}"
    ),
]


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@contextmanager
def new_page(
    chromium: Any,
    live_server: Any,
    *,
    width: int = 1366,
    height: int = 900,
    locale: str = "zh-CN",
    **options: Any,
) -> Iterator[Any]:
    """A page in a fresh browser context (no cookies) on the live server."""
    context = chromium.new_context(
        base_url=live_server.url,
        viewport={"width": width, "height": height},
        locale=locale,
        **options,
    )
    context.set_default_timeout(TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


def admin_log_in(page: Any, username: str, password: str) -> None:
    """Log in through the admin's own login page; lands on the workbench."""
    page.goto("/admin/login/?next=/admin/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("form#login-form [type=submit]").click()
    page.wait_for_url("**/admin/")
