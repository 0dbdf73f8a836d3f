"""The staff admin loads nothing from outside the server (issue 12): django-unfold ships
its CSS, JavaScript and fonts (Inter, Material Symbols) in its static folder, and no
template of ours may point at a CDN.

Playwright drives Debian's chromium (headless, nothing downloaded) against pytest-django's
live server with the demo data: agency staff log in through the real login page, then
open the admin index, the statement list and a statement's page (the login page is
checked too). Every request each page
makes is recorded; none may go to another host, and none may answer 4xx or 5xx.
"""

from datetime import date
from urllib.parse import urlsplit

import pytest

from demo.seed import DEMO_PASSWORD, seed_demo
from settlements.models import Statement
from tests.browser import BROWSER_TEST, new_page

TODAY = date(2026, 11, 24)

pytestmark = BROWSER_TEST


@pytest.fixture
def demo(transactional_db, monkeypatch, settings):
    monkeypatch.setattr("common.clock.today", lambda: TODAY)
    settings.PORTAL_BASE_URL = "http://testserver"
    seed_demo()


@pytest.fixture
def admin_page(chromium, live_server):
    with new_page(chromium, live_server) as page:
        yield page


class Traffic:
    """Every request a page makes, with how it ended."""

    def __init__(self, page):
        self.requests: list[str] = []
        self.answers: dict[str, int] = {}
        self.failed: list[str] = []
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("response", lambda response: self.answers.update({response.url: response.status}))
        page.on("requestfailed", lambda request: self.failed.append(request.url))

    def clear(self) -> None:
        self.requests.clear()
        self.answers.clear()
        self.failed.clear()


def open_and_check(page, traffic: Traffic, live_server, url: str) -> list[str]:
    """Open ``url``, let it load everything it asks for, and check where each request went
    and how it was answered. Returns the requests' paths."""
    traffic.clear()
    response = page.goto(url, wait_until="networkidle")
    assert response is not None and response.status == 200, url
    page.evaluate("document.fonts.ready")  # the fonts the page uses are fetched
    page.wait_for_load_state("networkidle")
    server = urlsplit(live_server.url)
    outside = [
        each
        for each in traffic.requests
        if urlsplit(each).scheme not in ("data", "blob")
        and (urlsplit(each).scheme, urlsplit(each).netloc) != (server.scheme, server.netloc)
    ]
    assert outside == [], f"{url} asked another host for {outside}"
    assert traffic.failed == [], f"{url}: requests that failed: {traffic.failed}"
    refused = {each: status for each, status in traffic.answers.items() if status >= 400}
    assert refused == {}, f"{url}: answered with errors: {refused}"
    assert set(traffic.requests) <= set(traffic.answers), "every request was answered"
    return [urlsplit(each).path for each in traffic.requests]


def test_admin_pages_load_only_from_the_server(admin_page, demo, live_server):
    page = admin_page
    traffic = Traffic(page)

    paths = open_and_check(page, traffic, live_server, "/admin/login/?next=/admin/")
    assert any(p.endswith("/unfold/css/styles.css") for p in paths), "the login page"
    page.locator("input[name=username]").fill("staff")
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("form#login-form [type=submit]").click()
    page.wait_for_url("**/admin/")

    statement = Statement.objects.order_by("pk").first()
    assert statement is not None
    pages = {
        "index": "/admin/",
        "statements": "/admin/settlements/statement/",
        "statement": f"/admin/settlements/statement/{statement.pk}/change/",
    }
    for name, url in pages.items():
        paths = open_and_check(page, traffic, live_server, url)
        # unfold's own stylesheet, scripts and fonts came from the server
        assert any(p.endswith("/unfold/css/styles.css") for p in paths), name
        assert any(p.endswith("/unfold/js/alpine/alpine.js") for p in paths), name
        assert any(p.endswith(".woff2") for p in paths), f"{name}: no font was loaded"
        assert page.locator("#nav-sidebar").is_visible(), name

    # the pages are what they say (not a login page or an error page rendered with 200)
    page.goto(pages["statement"])
    assert statement.number in page.content()
